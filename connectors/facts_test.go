package connectors_test

import (
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

func TestCentsAndFormat(t *testing.T) {
	tests := []struct {
		in   float64
		c    int64
		text string
	}{
		{500, 50000, "$500.00"}, {0.1 + 0.2, 30, "$0.30"}, {2500.005, 250001, "$2,500.01"},
		{1234567.891, 123456789, "$1,234,567.89"}, {-12.5, -1250, "-$12.50"}, {0.07, 7, "$0.07"},
	}
	for _, tt := range tests {
		if got := connectors.Cents(tt.in); got != tt.c {
			t.Errorf("Cents(%v) = %d, want %d", tt.in, got, tt.c)
		}
		if got := connectors.FormatUSD(tt.c); got != tt.text {
			t.Errorf("FormatUSD(%d) = %q, want %q", tt.c, got, tt.text)
		}
	}
}

func TestValidityIsInclusive(t *testing.T) {
	d := connectors.MustDate
	c := connectors.Contract{ValidFrom: d("2026-01-01"), ValidTo: d("2026-06-30")}
	doc := connectors.Document{Expires: d("2026-06-30")}
	tests := []struct {
		day             string
		contract, docOK bool
	}{
		{"2025-12-31", false, true}, {"2026-01-01", true, true}, {"2026-06-30", true, true}, {"2026-07-01", false, false},
	}
	for _, tt := range tests {
		if got := c.ActiveOn(d(tt.day)); got != tt.contract {
			t.Errorf("contract active on %s = %v", tt.day, got)
		}
		if got := doc.ValidOn(d(tt.day)); got != tt.docOK {
			t.Errorf("document valid on %s = %v", tt.day, got)
		}
	}
	if (connectors.Document{}).ValidOn(d("2026-01-01")) {
		t.Error("a document without an expiry date is not valid")
	}
}

func TestAvailability(t *testing.T) {
	s := connectors.Stock{OnHand: 50, Allocated: 20, Inbound: []connectors.Inbound{
		{Qty: 10, ETA: connectors.MustDate("2026-05-10")}, {Qty: 100, ETA: connectors.MustDate("2026-05-11")}}}
	if got := s.AvailableNow(); got != 30 {
		t.Errorf("now = %d", got)
	}
	if got := s.AvailableBy(connectors.MustDate("2026-05-10")); got != 40 {
		t.Errorf("by the 10th (inclusive) = %d", got)
	}
	over := connectors.Stock{OnHand: 5, Allocated: 9}
	if over.AvailableNow() != 0 {
		t.Error("over-allocated stock must not go negative")
	}
}

func TestCheapestExpedite(t *testing.T) {
	now := time.Date(2026, 5, 15, 18, 0, 0, 0, time.UTC)
	sh := connectors.Shipment{Carrier: "RDL", ServiceLevel: "LTL-STD", FreightCost: 300, PromisedDelivery: now.Add(48 * time.Hour)}
	carriers := []connectors.Carrier{{Code: "RDL", Services: []connectors.Service{
		{"LTL-STD", 4, 300}, {"LTL-EXP", 1, 550}, {"LTL-2D", 2, 450}, {"LTL-3D", 3, 350}}}}
	x, ok := connectors.CheapestExpedite(now, sh, carriers)
	if !ok || x.ServiceLevel != "LTL-2D" || x.AddedCost != 15000 {
		t.Fatalf("got %+v %v; want LTL-2D at +$150", x, ok)
	}
	sh.PromisedDelivery = now.Add(12 * time.Hour)
	if _, ok := connectors.CheapestExpedite(now, sh, carriers); ok {
		t.Fatal("no service meets a 12-hour promise")
	}
}

func TestRebookTarget(t *testing.T) {
	carriers := []connectors.Carrier{
		{Code: "RDL", Services: []connectors.Service{{"LTL-STD", 3, 100}}},
		{Code: "SWX", Services: []connectors.Service{{"LTL-STD", 3, 150}}, LanesWithoutCapacity: []string{"US-NE"}},
		{Code: "FXF", HazmatCertified: true, Services: []connectors.Service{{"LTL-STD", 3, 300}}},
		{Code: "HZT", HazmatCertified: true, Services: []connectors.Service{{"LTL-STD", 3, 250}}},
	}
	tests := []struct {
		current, region string
		hazmat          bool
		want            string
	}{
		{"RDL", "US-MW", false, "SWX"}, {"RDL", "US-NE", false, "HZT"}, {"RDL", "US-MW", true, "HZT"}, {"HZT", "US-MW", true, "FXF"},
	}
	for _, tt := range tests {
		got, ok := connectors.RebookTarget(carriers, tt.current, tt.region, "LTL-STD", tt.hazmat)
		if !ok || got.Carrier != tt.want {
			t.Errorf("RebookTarget(%s, %s, hazmat=%v) = %s, want %s", tt.current, tt.region, tt.hazmat, got.Carrier, tt.want)
		}
	}
}

// Carriers name their services differently: a target is priced at its
// cheapest service no slower than the current one (DESIGN.md), and a
// carrier without such a service is not a target.
func TestRebookTargetAcrossServiceNames(t *testing.T) {
	svc := func(level string, days int, cost float64) connectors.Service {
		return connectors.Service{ServiceLevel: level, TransitDays: days, CostPerOrder: cost}
	}
	current := connectors.Carrier{Code: "ACME", Services: []connectors.Service{svc("STANDARD", 3, 200), svc("NEXTDAY", 1, 500)}}
	tests := []struct {
		name    string
		level   string // the current service
		others  []connectors.Carrier
		hazmat  bool
		want    string // carrier, or "" for no target
		service string
		cost    int64
	}{
		{"other names, priced at the cheapest no slower", "STANDARD", []connectors.Carrier{
			{Code: "NORD", Services: []connectors.Service{svc("ECON", 5, 90), svc("GROUND", 3, 180), svc("2DAY", 2, 260)}},
		}, false, "NORD", "GROUND", 18000},
		{"a faster service is cheaper than a slower one", "STANDARD", []connectors.Carrier{
			{Code: "NORD", Services: []connectors.Service{svc("GROUND", 3, 300), svc("2DAY", 2, 240)}},
		}, false, "NORD", "2DAY", 24000},
		{"only slower services: not a target", "STANDARD", []connectors.Carrier{
			{Code: "SLOW", Services: []connectors.Service{svc("ECON", 5, 60), svc("DEFERRED", 7, 40)}},
		}, false, "", "", 0},
		{"the cheapest carrier overall is too slow", "STANDARD", []connectors.Carrier{
			{Code: "SLOW", Services: []connectors.Service{svc("ECON", 4, 60)}},
			{Code: "QUIK", Services: []connectors.Service{svc("EXPRESS", 2, 310)}},
		}, false, "QUIK", "EXPRESS", 31000},
		{"the current service bounds the transit", "NEXTDAY", []connectors.Carrier{
			{Code: "NORD", Services: []connectors.Service{svc("GROUND", 3, 180), svc("OVERNIGHT", 1, 620)}},
		}, false, "NORD", "OVERNIGHT", 62000},
		{"hazmat needs certification whatever the price", "STANDARD", []connectors.Carrier{
			{Code: "NORD", Services: []connectors.Service{svc("GROUND", 3, 180)}},
			{Code: "HAZ", HazmatCertified: true, Services: []connectors.Service{svc("ROAD-3", 3, 410)}},
		}, true, "HAZ", "ROAD-3", 41000},
		{"no capacity on the lane", "STANDARD", []connectors.Carrier{
			{Code: "NORD", Services: []connectors.Service{svc("GROUND", 3, 180)}, LanesWithoutCapacity: []string{"DE-BY"}},
		}, false, "", "", 0},
		{"equal cost: the faster service", "STANDARD", []connectors.Carrier{
			{Code: "NORD", Services: []connectors.Service{svc("GROUND", 3, 200), svc("2DAY", 2, 200)}},
		}, false, "NORD", "2DAY", 20000},
		{"unknown current service: only the same name is known as fast", "DRONE", []connectors.Carrier{
			{Code: "NORD", Services: []connectors.Service{svc("GROUND", 3, 180), svc("DRONE", 1, 700)}},
		}, false, "NORD", "DRONE", 70000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			carriers := append([]connectors.Carrier{current}, tt.others...)
			got, ok := connectors.RebookTarget(carriers, "ACME", "DE-BY", tt.level, tt.hazmat)
			if tt.want == "" {
				if ok {
					t.Fatalf("want no target, got %+v", got)
				}
				return
			}
			if !ok || got.Carrier != tt.want || got.ServiceLevel != tt.service || got.Cost != tt.cost {
				t.Fatalf("got %+v (%v); want %s %s at %d cents", got, ok, tt.want, tt.service, tt.cost)
			}
		})
	}
}

func TestShipmentStarted(t *testing.T) {
	ev := func(codes ...string) []connectors.ShipmentEvent {
		var out []connectors.ShipmentEvent
		for _, c := range codes {
			out = append(out, connectors.ShipmentEvent{Code: c})
		}
		return out
	}
	tests := []struct {
		status string
		events []connectors.ShipmentEvent
		want   bool
	}{
		{connectors.ShipPlanned, nil, false},
		{connectors.ShipTendered, ev("SD"), false},
		{connectors.ShipInTransit, nil, true},
		{connectors.ShipException, ev("SD"), false},      // missed pick-up: the goods are still at the dock
		{connectors.ShipException, ev("A9"), false},      // damaged at the dock
		{connectors.ShipException, ev("AF", "SD"), true}, // departed, then delayed
		{connectors.ShipException, ev("X4"), true},       // at the carrier's terminal
		{connectors.ShipException, ev("AP"), true},       // the delivery attempt failed
		{connectors.ShipException, ev("x6"), true},       // codes are not case-sensitive
	}
	for _, tt := range tests {
		sh := connectors.Shipment{Status: tt.status, Events: tt.events}
		if got := sh.Started(); got != tt.want {
			t.Errorf("%s %v: Started = %v, want %v", tt.status, tt.events, got, tt.want)
		}
	}
}

func TestCheckArgs(t *testing.T) {
	tests := []struct {
		name string
		a    connectors.Action
		ok   bool
	}{
		{"release", connectors.Action{Type: "release_hold", Args: connectors.Args{"hold_code": "CREDIT"}}, true},
		{"unknown type", connectors.Action{Type: "approve_everything"}, false},
		{"missing arg", connectors.Action{Type: "release_hold", Args: connectors.Args{}}, false},
		{"extra arg", connectors.Action{Type: "partial_ship", Args: connectors.Args{"now": true}}, false},
		{"json numbers", connectors.Action{Type: "allocate_from_site", Args: connectors.Args{"site": "DC-ATL", "lines": []any{1.0, 2.0}}}, true},
		{"fractional line", connectors.Action{Type: "correct_price", Args: connectors.Args{"line": 1.5, "price": 2.0}}, false},
		{"bad date", connectors.Action{Type: "reschedule_order", Args: connectors.Args{"new_ship_date": "tomorrow"}}, false},
		{"optional absent", connectors.Action{Type: "cancel_order", Args: connectors.Args{"reason": "dup"}}, true},
		{"empty lines", connectors.Action{Type: "allocate_from_site", Args: connectors.Args{"site": "DC-ATL", "lines": []any{}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.a.CheckArgs()
			if (err == nil) != tt.ok {
				t.Fatalf("CheckArgs() = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
