package sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/sim"
)

// checker applies DESIGN.md's detection signals and shared definitions to a
// snapshot, independently of how the simulator injected anything.
type checker struct {
	s         connectors.Snapshot
	today     connectors.Date
	customers map[string]connectors.Customer
	items     map[string]connectors.Item
	carriers  map[string]connectors.Carrier
	stock     map[string][]connectors.Stock
	contracts map[string][]connectors.Contract
	shipments map[string][]connectors.Shipment
	byCust    map[string][]connectors.Order
}

func newChecker(t *testing.T, s connectors.Snapshot) *checker {
	t.Helper()
	c := &checker{s: s, today: connectors.Today(s.Now),
		customers: map[string]connectors.Customer{}, items: map[string]connectors.Item{},
		carriers: map[string]connectors.Carrier{}, stock: map[string][]connectors.Stock{},
		contracts: map[string][]connectors.Contract{}, shipments: map[string][]connectors.Shipment{},
		byCust: map[string][]connectors.Order{}}
	for _, x := range s.Customers {
		c.customers[x.ID] = x
	}
	for _, x := range s.Items {
		c.items[x.SKU] = x
	}
	for _, x := range s.Carriers {
		c.carriers[x.Code] = x
	}
	for _, x := range s.Inventory {
		c.stock[x.SKU] = append(c.stock[x.SKU], x)
	}
	for _, x := range s.Contracts {
		c.contracts[x.CustomerID+"|"+x.SKU] = append(c.contracts[x.CustomerID+"|"+x.SKU], x)
	}
	for _, x := range s.Shipments {
		c.shipments[x.OrderID] = append(c.shipments[x.OrderID], x)
	}
	for _, o := range s.Orders {
		c.byCust[o.CustomerID] = append(c.byCust[o.CustomerID], o)
	}
	return c
}

func cents(x float64) int64 { return connectors.Cents(x) }

func (c *checker) classes(o connectors.Order) []string {
	var out []string
	add := func(cl string, ok bool) {
		if ok {
			out = append(out, cl)
		}
	}
	cust := c.customers[o.CustomerID]
	var total int64
	for _, l := range o.Lines {
		total += cents(float64(l.Qty) * l.UnitPrice)
	}
	add(connectors.ClassCreditHold, o.HasHold(connectors.HoldCredit) || cust.CreditStop || cents(cust.PastDueAmount) > 0 ||
		cents(cust.OpenAR)+total > cents(cust.CreditLimit))

	// Shortage: available now + inbound by the requested date at ship-from.
	need := map[string]int{}
	for _, l := range o.Lines {
		need[l.SKU] += l.Qty
	}
	short := false
	for sku, q := range need {
		avail := 0
		for _, st := range c.stock[sku] {
			if st.Site != o.ShipFrom {
				continue
			}
			avail += max(st.OnHand-st.Allocated, 0)
			for _, in := range st.Inbound {
				if !in.ETA.After(o.RequestedShipDate) {
					avail += in.Qty
				}
			}
		}
		short = short || avail < q
	}
	add(connectors.ClassInventoryShortage, short)

	mismatch := false
	for _, l := range o.Lines {
		for _, ct := range c.contracts[o.CustomerID+"|"+l.SKU] {
			if !c.today.Before(ct.ValidFrom) && !c.today.After(ct.ValidTo) && cents(ct.Price) != cents(l.UnitPrice) {
				mismatch = true
			}
		}
		if cents(l.UnitPrice) < cents(c.items[l.SKU].UnitCost) {
			mismatch = true
		}
	}
	add(connectors.ClassPricingMismatch, mismatch)

	late := false
	for _, sh := range c.shipments[o.ID] {
		late = late || sh.ETA.After(sh.PromisedDelivery) || sh.Status == connectors.ShipException
		for _, ev := range sh.Events {
			late = late || ev.Code == "SD"
		}
	}
	add(connectors.ClassShipmentDelay, late)

	dup := false
	for _, p := range c.byCust[o.CustomerID] {
		if p.ID == o.ID || p.Status == connectors.StatusCancelled || !p.CreatedAt.Before(o.CreatedAt) {
			continue
		}
		if p.PONumber == o.PONumber || (sameLines(p.Lines, o.Lines) && o.CreatedAt.Sub(p.CreatedAt) <= 48*time.Hour) {
			dup = true
		}
	}
	add(connectors.ClassDuplicateOrder, dup)

	a := o.ShipTo
	bad := a.Name == "" || a.Line1 == "" || a.City == "" || a.Region == "" || a.PostalCode == "" || a.Country == ""
	for _, l := range o.Lines {
		it := c.items[l.SKU]
		bad = bad || l.UOM != it.UOM || (it.Hazmat && it.UNNumber == "")
	}
	add(connectors.ClassMasterDataError, bad)

	comp := o.HasHold(connectors.HoldCompliance)
	for _, l := range o.Lines {
		it := c.items[l.SKU]
		if !it.Regulated {
			continue
		}
		valid := false
		for _, d := range cust.Documents {
			if d.Type == it.RequiredDocument && !d.Expires.IsZero() && !c.today.After(d.Expires) {
				valid = true
			}
		}
		comp = comp || !valid
	}
	add(connectors.ClassComplianceHold, comp)

	hazmat := false
	for _, l := range o.Lines {
		hazmat = hazmat || c.items[l.SKU].Hazmat
	}
	conflict := false
	carriers := []string{o.Carrier}
	for _, sh := range c.shipments[o.ID] {
		carriers = append(carriers, sh.Carrier)
	}
	for _, code := range carriers {
		cr := c.carriers[code]
		conflict = conflict || (hazmat && !cr.HazmatCertified) || slices.Contains(cr.LanesWithoutCapacity, o.ShipTo.Region)
	}
	add(connectors.ClassCarrierConflict, conflict)
	return out
}

func sameLines(a, b []connectors.Line) bool {
	key := func(ls []connectors.Line) []string {
		var out []string
		for _, l := range ls {
			b, _ := json.Marshal([]any{l.SKU, l.Qty, l.UOM, cents(l.UnitPrice)})
			out = append(out, string(b))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

// played returns a sim with all its events applied.
func played(t *testing.T, opts sim.Options) *sim.Sim {
	t.Helper()
	s := sim.New(opts)
	s.ApplyAll()
	return s
}

func snapshotJSON(t *testing.T, s *sim.Sim) []byte {
	t.Helper()
	b, err := json.Marshal(s.Connector().Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func eventsJSON(t *testing.T, s *sim.Sim) []byte {
	t.Helper()
	b, err := json.Marshal(s.Events())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDeterminism(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		a, b      sim.Options
		wantEqual bool
	}{
		{"same seed", sim.Options{Seed: 1, Orders: 600}, sim.Options{Seed: 1, Orders: 600}, true},
		{"zero options are the defaults", sim.Options{Orders: 600}, sim.Options{Seed: 1, Orders: 600, Day: connectors.MustDate("2026-11-26")}, true},
		{"other seed", sim.Options{Seed: 1, Orders: 600}, sim.Options{Seed: 2, Orders: 600}, false},
		{"other day", sim.Options{Seed: 1, Orders: 600}, sim.Options{Seed: 1, Orders: 600, Day: connectors.MustDate("2026-12-01")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := played(t, tt.a), played(t, tt.b)
			if got := bytes.Equal(eventsJSON(t, a), eventsJSON(t, b)); got != tt.wantEqual {
				t.Errorf("events equal = %v, want %v", got, tt.wantEqual)
			}
			if got := bytes.Equal(snapshotJSON(t, a), snapshotJSON(t, b)); got != tt.wantEqual {
				t.Errorf("snapshots equal = %v, want %v", got, tt.wantEqual)
			}
		})
	}
}

func TestWorldDoesNotDependOnOrders(t *testing.T) {
	a := sim.New(sim.Options{Seed: 3, Orders: 100}).Connector().Snapshot()
	b := sim.New(sim.Options{Seed: 3, Orders: 900}).Connector().Snapshot()
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Error("the world before any event differs with the number of orders")
	}
}

func TestClassRates(t *testing.T) {
	t.Parallel()
	for _, seed := range []int64{1, 2, 3, 42} {
		t.Run("seed "+itoa(seed), func(t *testing.T) {
			s := sim.New(sim.Options{Seed: seed, Orders: 2000})
			ids := s.OrderIDs()
			if len(ids) != 2000 {
				t.Fatalf("%d orders, want 2000", len(ids))
			}
			count := map[string]int{}
			multi := 0
			for _, id := range ids {
				cls := s.Injected(id)
				for _, c := range cls {
					count[c]++
				}
				if len(cls) > 1 {
					multi++
				}
			}
			for _, c := range sim.Classes() {
				rate := float64(count[c]) / float64(len(ids))
				if rate < 0.05 || rate > 0.15 {
					t.Errorf("%s: rate %.3f outside 5-15 %%", c, rate)
				}
			}
			if r := float64(multi) / float64(len(ids)); r > 0.04 {
				t.Errorf("%.3f of orders carry two classes, want about 0.02", r)
			}
		})
	}
}

// TestInjectedMatchesDefinitions is the main contract: an independent
// checker that follows DESIGN.md finds exactly the injected classes, and
// clean orders are clean.
func TestInjectedMatchesDefinitions(t *testing.T) {
	t.Parallel()
	for _, seed := range []int64{1, 7, 99} {
		t.Run("seed "+itoa(seed), func(t *testing.T) {
			s := played(t, sim.Options{Seed: seed, Orders: 2000})
			c := newChecker(t, s.Connector().Snapshot())
			if len(c.s.Orders) != 2000 {
				t.Fatalf("%d orders in the connector, want 2000", len(c.s.Orders))
			}
			match, cleanBad := 0, 0
			for _, o := range c.s.Orders {
				got, want := c.classes(o), s.Injected(o.ID)
				if slices.Equal(got, want) {
					match++
					continue
				}
				if len(want) == 0 {
					cleanBad++
				}
				t.Logf("%s (%s): checker %v, injected %v", o.ID, s.Scenario(o.ID), got, want)
			}
			if r := float64(match) / float64(len(c.s.Orders)); r < 0.97 {
				t.Errorf("checker agrees on %.3f of orders, want >= 0.97", r)
			}
			if cleanBad > 0 {
				t.Errorf("%d clean orders carry a class", cleanBad)
			}
		})
	}
}

// TestNoFalseSignalsMidDay plays the day event by event, as the demo does,
// and checks that whenever an order is looked at, the checker finds no class
// the simulator did not inject into it.
func TestNoFalseSignalsMidDay(t *testing.T) {
	t.Parallel()
	s := sim.New(sim.Options{Seed: 13, Orders: 150})
	bad := 0
	for _, e := range s.Events() {
		s.Apply(e)
		snap := s.Connector().Snapshot()
		c := newChecker(t, snap)
		for _, o := range snap.Orders {
			if o.ID != e.OrderID {
				continue
			}
			want := s.Injected(o.ID)
			for _, got := range c.classes(o) {
				if !slices.Contains(want, got) {
					bad++
					t.Logf("after %s %s: %s shows %s, injected %v", e.Type, e.ID, o.ID, got, want)
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d false signals mid-day", bad)
	}
}

func TestScenariosCovered(t *testing.T) {
	s := sim.New(sim.Options{})
	seen := map[string]bool{}
	for _, id := range s.OrderIDs() {
		if sc := s.Scenario(id); sc != "" {
			for _, part := range splitPlus(sc) {
				seen[part] = true
			}
		}
	}
	for _, want := range []string{"credit:stale_hold", "credit:credit_stop", "credit:past_due_over_90", "credit:past_due",
		"credit:near_limit", "credit:over_limit", "shortage:other_site_covers", "shortage:short_everywhere",
		"pricing:small_delta", "pricing:large_delta", "pricing:below_cost", "delay:missed_pickup",
		"delay:weather_in_transit", "delay:carrier_exception", "duplicate:same_lines", "master_data:uom_mismatch",
		"master_data:hazmat_without_un", "master_data:missing_postal_code", "compliance:missing_dea_registration",
		"compliance:expired_dea_registration", "compliance:valid_dea_registration", "compliance:expired_epa_pesticide_license",
		"carrier:hazmat_not_certified", "carrier:no_capacity"} {
		if !seen[want] {
			t.Errorf("scenario %s never occurs", want)
		}
	}
	if !seen["duplicate:same_po"] && !seen["duplicate:edi_resend"] {
		t.Error("no same-PO duplicate")
	}
}

func splitPlus(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '+' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

func TestEventsOrderedAndUnique(t *testing.T) {
	s := sim.New(sim.Options{Seed: 5})
	evs := s.Events()
	ids := map[string]bool{}
	types := map[string]int{}
	sources := map[string]int{}
	day := connectors.MustDate(sim.DefaultDay)
	for i, e := range evs {
		if ids[e.ID] {
			t.Fatalf("duplicate event id %s", e.ID)
		}
		ids[e.ID] = true
		if i > 0 && !e.At.After(evs[i-1].At) {
			t.Fatalf("event %s at %s is not after %s", e.ID, e.At, evs[i-1].At)
		}
		if connectors.Today(e.At) != day {
			t.Fatalf("event %s at %s is not on the business day", e.ID, e.At)
		}
		if e.OrderID == "" || len(e.Data) == 0 {
			t.Fatalf("event %s has no order or no data", e.ID)
		}
		types[e.Type]++
		sources[e.Source]++
	}
	for _, typ := range []string{connectors.EventOrderCreated, connectors.EventHoldPlaced, connectors.EventOrderChanged,
		connectors.EventShipmentStatus, connectors.EventInventoryChanged} {
		if types[typ] == 0 {
			t.Errorf("no %s event", typ)
		}
	}
	for _, src := range []string{"erp", "wms", "tms", "edi"} {
		if sources[src] == 0 {
			t.Errorf("no event from %s", src)
		}
	}
	// Every order's creating event comes before its other events.
	created := map[string]bool{}
	for _, e := range evs {
		if e.Type == connectors.EventOrderCreated {
			created[e.OrderID] = true
		} else if !created[e.OrderID] {
			t.Fatalf("%s event %s about %s comes before the order exists", e.Type, e.ID, e.OrderID)
		}
	}
}

func TestApplyMakesOrderVisible(t *testing.T) {
	s := sim.New(sim.Options{Seed: 9, Orders: 200})
	ctx := context.Background()
	sys := s.Systems()
	evs := s.Events()
	first := evs[0]
	if first.Type != connectors.EventOrderCreated {
		t.Fatalf("first event is %s", first.Type)
	}
	if _, err := sys.ERP.Order(ctx, first.OrderID); !errors.Is(err, connectors.ErrNotFound) {
		t.Fatalf("order %s exists before its event: %v", first.OrderID, err)
	}
	s.Apply(first)
	o, err := sys.ERP.Order(ctx, first.OrderID)
	if err != nil {
		t.Fatalf("order %s after Apply: %v", first.OrderID, err)
	}
	if !sys.Clock.Now().Equal(first.At) {
		t.Errorf("clock %s, want %s", sys.Clock.Now(), first.At)
	}
	if !o.CreatedAt.Equal(first.At) {
		t.Errorf("created_at %s, want the event time %s", o.CreatedAt, first.At)
	}
	// A hold event adds a hold once, however often it is applied.
	for _, e := range evs {
		if e.Type != connectors.EventHoldPlaced {
			continue
		}
		for _, x := range evs {
			if x.OrderID == e.OrderID && x.Type == connectors.EventOrderCreated {
				s.Apply(x)
			}
		}
		s.Apply(e)
		s.Apply(e)
		o, err := sys.ERP.Order(ctx, e.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Holds) != 1 || o.Status != connectors.StatusOnHold {
			t.Errorf("after the hold event: holds %v status %s", o.Holds, o.Status)
		}
		break
	}
	// An event that went through JSON applies the same.
	s2 := sim.New(sim.Options{Seed: 9, Orders: 200})
	for _, e := range s2.Events() {
		b, _ := json.Marshal(e)
		var back connectors.Event
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		s2.Apply(back)
	}
	s3 := played(t, sim.Options{Seed: 9, Orders: 200})
	if !bytes.Equal(snapshotJSON(t, s2), snapshotJSON(t, s3)) {
		t.Error("events decoded from JSON apply differently")
	}
}

func TestApplyKeepsExecutedActions(t *testing.T) {
	s := sim.New(sim.Options{Seed: 4, Orders: 400})
	ctx := context.Background()
	// Find a CREDIT hold, release it through the executor, play on: the
	// hold stays released.
	var target string
	for _, e := range s.Events() {
		s.Apply(e)
		if target == "" && e.Type == connectors.EventHoldPlaced {
			o, _ := s.Connector().Order(ctx, e.OrderID)
			if o.HasHold(connectors.HoldCredit) && len(o.Holds) == 1 {
				target = o.ID
				if _, err := s.Connector().Execute(ctx, connectors.Action{ID: "a1", Type: connectors.ActReleaseHold,
					OrderID: o.ID, Args: map[string]any{"hold_code": "CREDIT"}}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if target == "" {
		t.Skip("no credit hold")
	}
	o, _ := s.Connector().Order(ctx, target)
	if o.HasHold(connectors.HoldCredit) {
		t.Errorf("%s: released hold came back", target)
	}
}

func TestShape(t *testing.T) {
	s := sim.New(sim.Options{})
	snap := s.Connector().Snapshot()
	if len(snap.Customers) != 300 || len(snap.Items) < 300 || len(snap.Sites) < 3 || len(snap.Carriers) < 4 {
		t.Fatalf("world: %d customers, %d items, %d sites, %d carriers", len(snap.Customers), len(snap.Items), len(snap.Sites), len(snap.Carriers))
	}
	if len(snap.Orders) != 0 || len(snap.Shipments) != 0 {
		t.Fatal("orders exist before any event is applied")
	}
	certified, notCertified, noCapacity := 0, 0, 0
	for _, c := range snap.Carriers {
		if c.HazmatCertified {
			certified++
		} else {
			notCertified++
		}
		noCapacity += len(c.LanesWithoutCapacity)
	}
	if certified == 0 || notCertified == 0 || noCapacity == 0 {
		t.Errorf("carriers: %d certified, %d not, %d lanes without capacity", certified, notCertified, noCapacity)
	}
	tiers := map[string]int{}
	for _, c := range snap.Customers {
		tiers[c.Tier]++
	}
	if tiers[connectors.TierStrategic] == 0 || tiers[connectors.TierKey] <= tiers[connectors.TierStrategic] || tiers[connectors.TierStandard] <= tiers[connectors.TierKey] {
		t.Errorf("tiers %v", tiers)
	}
	hazmat, regulated := 0, 0
	for _, it := range snap.Items {
		if it.Hazmat {
			hazmat++
		}
		if it.Regulated {
			regulated++
		}
		if it.ListPrice <= it.UnitCost {
			t.Errorf("%s sells at or below cost", it.SKU)
		}
	}
	if hazmat < 10 || regulated < 5 {
		t.Errorf("%d hazmat, %d regulated items", hazmat, regulated)
	}
	for _, site := range snap.Sites {
		if len(site.Lanes) != 5 {
			t.Errorf("%s has %d lanes", site.ID, len(site.Lanes))
		}
	}
}

func TestSmallDays(t *testing.T) {
	for _, n := range []int{1, 10, 50} {
		s := played(t, sim.Options{Seed: 11, Orders: n})
		if got := len(s.OrderIDs()); got != n {
			t.Errorf("%d orders, want %d", got, n)
		}
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		sim.New(sim.Options{Seed: 1, Orders: 2000})
	}
}

func BenchmarkNewAndApplyAll(b *testing.B) {
	for b.Loop() {
		s := sim.New(sim.Options{Seed: 1, Orders: 2000})
		s.ApplyAll()
	}
}
