package recorded_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/connectortest"
	"github.com/exdesk/exdesk/connectors/recorded"
)

func example(t *testing.T) *recorded.Connector {
	t.Helper()
	c, err := recorded.Load("../../../shared/evals/examples/compliance-valid-01.json")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	return c
}

func TestExecuteAppliesOnceAndRecords(t *testing.T) {
	c := example(t)
	ctx := context.Background()
	a := connectors.Action{ID: "p-1", Type: connectors.ActReleaseHold, OrderID: "SO-10089", Args: connectors.Args{"hold_code": "COMPLIANCE"}}
	first, err := c.Execute(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Execute(ctx, a)
	if err != nil || !again.Replayed || again.Detail != first.Detail {
		t.Fatalf("second execution must replay the first: %+v, %v", again, err)
	}
	o, _ := c.Order(ctx, "SO-10089")
	if o.HasHold(connectors.HoldCompliance) || o.Status != connectors.StatusOpen {
		t.Fatalf("hold not released: %+v", o)
	}
	if n := len(c.Executions()); n != 1 {
		t.Fatalf("executions = %d, want 1", n)
	}
}

func TestExecuteRejectsWhatDoesNotFit(t *testing.T) {
	c := example(t)
	ctx := context.Background()
	tests := []struct {
		name string
		a    connectors.Action
	}{
		{"hold it does not have", connectors.Action{Type: "release_hold", OrderID: "SO-10089", Args: connectors.Args{"hold_code": "PRICE"}}},
		{"line it does not have", connectors.Action{Type: "correct_price", OrderID: "SO-10089", Args: connectors.Args{"line": 9, "price": 1.0}}},
		{"unknown site", connectors.Action{Type: "allocate_from_site", OrderID: "SO-10089", Args: connectors.Args{"site": "DC-XXX", "lines": []int{1}}}},
		{"bad args", connectors.Action{Type: "release_hold", OrderID: "SO-10089"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Execute(ctx, tt.a); !errors.Is(err, recorded.ErrInvalidAction) {
				t.Fatalf("want ErrInvalidAction, got %v", err)
			}
		})
	}
	if _, err := c.Execute(ctx, connectors.Action{Type: "partial_ship", OrderID: "SO-1"}); !errors.Is(err, connectors.ErrNotFound) {
		t.Fatalf("unknown order: want ErrNotFound, got %v", err)
	}
	if n := len(c.Executions()); n != 0 {
		t.Fatalf("nothing may be recorded, got %d", n)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := recorded.Load(dir); err == nil {
		t.Fatal("an empty directory must be an error")
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"snapshot": {"orders": [`), 0o644)
	if _, err := recorded.Load(bad); err == nil {
		t.Fatal("a truncated file must be an error")
	}
	if _, err := recorded.Load(filepath.Join(dir, "missing.json")); err == nil {
		t.Fatal("a missing file must be an error")
	}
}

func TestReadsAreCopies(t *testing.T) {
	c := example(t)
	ctx := context.Background()
	o, _ := c.Order(ctx, "SO-10089")
	o.Lines[0].Qty = 999
	again, _ := c.Order(ctx, "SO-10089")
	if again.Lines[0].Qty == 999 {
		t.Fatal("callers must not be able to mutate the connector's state")
	}
}

func TestConformance(t *testing.T) {
	connectortest.Run(t, func(t *testing.T) connectortest.Fixture {
		c := example(t)
		return connectortest.Fixture{
			Systems: c.Systems(),
			Orders:  []string{"SO-10089"},
			Action:  &connectors.Action{ID: "p-1", Type: connectors.ActReleaseHold, OrderID: "SO-10089", Args: connectors.Args{"hold_code": "COMPLIANCE"}},
			Refused: &connectors.Action{ID: "p-2", Type: connectors.ActReleaseHold, OrderID: "SO-10089", Args: connectors.Args{"hold_code": "PRICE"}},
		}
	})
}

// An execution says what happened in words, and a rebook moves the
// shipment to the target's own service that is no slower than the current
// one, whatever the carrier calls it.
func TestExecuteDetails(t *testing.T) {
	now := time.Date(2026, 5, 14, 9, 0, 0, 0, time.UTC)
	snap := connectors.Snapshot{Now: now,
		Customers: []connectors.Customer{{ID: "0000100042", Name: "Brauerei Nord"}},
		Orders: []connectors.Order{{ID: "0004471958", CustomerID: "0000100042", Status: connectors.StatusOpen, Carrier: "DHLF", ServiceLevel: "STANDARD",
			Lines: []connectors.Line{{Line: 10, SKU: "M-100", Qty: 4, UOM: "EA", UnitPrice: 12.5}}}},
		Shipments: []connectors.Shipment{{ID: "80012345", OrderID: "0004471958", Carrier: "DHLF", ServiceLevel: "STANDARD", Status: connectors.ShipPlanned, FreightCost: 210}},
		Carriers: []connectors.Carrier{
			{Code: "DHLF", Services: []connectors.Service{{ServiceLevel: "STANDARD", TransitDays: 3, CostPerOrder: 210}}},
			{Code: "DSV", Services: []connectors.Service{{ServiceLevel: "ECON", TransitDays: 5, CostPerOrder: 120}, {ServiceLevel: "ROAD-3", TransitDays: 3, CostPerOrder: 195.5}}},
			{Code: "SLOWCO", Services: []connectors.Service{{ServiceLevel: "ECON", TransitDays: 6, CostPerOrder: 90}}},
		},
	}
	c := recorded.New(snap)
	ctx := context.Background()
	tests := []struct {
		a    connectors.Action
		want string
	}{
		{connectors.Action{Type: connectors.ActEscalate, OrderID: "0004471958", Args: connectors.Args{"role": "logistics_supervisor", "note": "assign carrier DSV instead of DHLF"}},
			"task opened for the logistics supervisor: assign carrier DSV instead of DHLF"},
		{connectors.Action{Type: connectors.ActRequestPrepayment, OrderID: "0004471958", Args: connectors.Args{"amount": 356.8}},
			"prepayment of $356.80 requested from the customer"},
		{connectors.Action{Type: connectors.ActCorrectPrice, OrderID: "0004471958", Args: connectors.Args{"line": 10, "price": 11.0}},
			"line 10 of 0004471958 repriced from $12.50 to $11.00"},
		{connectors.Action{Type: connectors.ActRebookCarrier, OrderID: "0004471958", Args: connectors.Args{"shipment_id": "80012345", "carrier": "DSV"}},
			"shipment 80012345 moved from DHLF STANDARD to DSV ROAD-3 ($195.50)"},
	}
	for _, tt := range tests {
		e, err := c.Execute(ctx, tt.a)
		if err != nil || e.Detail != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.a, e.Detail, err, tt.want)
		}
	}
	sh, _ := c.Shipment(ctx, "80012345")
	if sh.Carrier != "DSV" || sh.ServiceLevel != "ROAD-3" || sh.FreightCost != 195.5 {
		t.Fatalf("shipment after the rebook: %+v", sh)
	}
	_, err := c.Execute(ctx, connectors.Action{Type: connectors.ActRebookCarrier, OrderID: "0004471958", Args: connectors.Args{"shipment_id": "80012345", "carrier": "SLOWCO"}})
	if !errors.Is(err, recorded.ErrInvalidAction) {
		t.Fatalf("a carrier with no service as fast is not a target: got %v", err)
	}
}

// FindCustomerOrders answers from the indexes as filtering CustomerOrders
// would, also after orders arrive out of creation order and after an
// order is replaced with another PO number, creation time or customer.
func TestFindCustomerOrdersFollowsReplacedOrders(t *testing.T) {
	ctx := context.Background()
	at := func(h int) time.Time {
		return time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC).Add(time.Duration(h) * time.Hour)
	}
	ord := func(id, cust, po string, h int) connectors.Order {
		return connectors.Order{ID: id, CustomerID: cust, PONumber: po, CreatedAt: at(h)}
	}
	c := recorded.New(connectors.Snapshot{Orders: []connectors.Order{
		ord("SO-3", "C-1", "PO-7", 30), ord("SO-1", "C-1", "PO-7", 0), ord("SO-2", "C-1", "", 10),
		ord("SO-4", "C-2", "PO-7", 10), ord("SO-5", "C-1", "PO-8", 30),
	}})
	tests := []struct {
		name    string
		replace *connectors.Order
		q       connectors.CustomerOrderQuery
		want    []string
	}{
		{"same PO at any age", nil, connectors.CustomerOrderQuery{CustomerID: "C-1", PONumber: "PO-7", Since: at(100)}, []string{"SO-3", "SO-1"}},
		{"window inclusive, in insertion order", nil, connectors.CustomerOrderQuery{CustomerID: "C-1", Since: at(10)}, []string{"SO-3", "SO-2", "SO-5"}},
		{"PO or window, each once", nil, connectors.CustomerOrderQuery{CustomerID: "C-1", PONumber: "PO-7", Since: at(30)}, []string{"SO-3", "SO-1", "SO-5"}},
		{"zero since: every order", nil, connectors.CustomerOrderQuery{CustomerID: "C-1"}, []string{"SO-3", "SO-1", "SO-2", "SO-5"}},
		{"unknown customer", nil, connectors.CustomerOrderQuery{CustomerID: "C-9", PONumber: "PO-7"}, []string{}},
		{"PO changed", &connectors.Order{ID: "SO-1", CustomerID: "C-1", PONumber: "PO-9", CreatedAt: at(0)},
			connectors.CustomerOrderQuery{CustomerID: "C-1", PONumber: "PO-7", Since: at(100)}, []string{"SO-3"}},
		{"created later", &connectors.Order{ID: "SO-1", CustomerID: "C-1", PONumber: "PO-9", CreatedAt: at(50)},
			connectors.CustomerOrderQuery{CustomerID: "C-1", Since: at(40)}, []string{"SO-1"}},
		{"moved to another customer", &connectors.Order{ID: "SO-3", CustomerID: "C-2", PONumber: "PO-7", CreatedAt: at(30)},
			connectors.CustomerOrderQuery{CustomerID: "C-2", PONumber: "PO-7", Since: at(100)}, []string{"SO-3", "SO-4"}},
		{"and left the first", nil, connectors.CustomerOrderQuery{CustomerID: "C-1"}, []string{"SO-1", "SO-2", "SO-5"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.replace != nil {
				c.PutOrder(*tc.replace)
			}
			got, err := c.FindCustomerOrders(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			all, _ := c.CustomerOrders(ctx, tc.q.CustomerID)
			want := connectors.FilterCustomerOrders(all, tc.q)
			if g, w, f := ids(got), tc.want, ids(want); !slices.Equal(g, w) || !slices.Equal(g, f) {
				t.Errorf("FindCustomerOrders(%+v) = %v, want %v; CustomerOrders filtered gives %v", tc.q, g, w, f)
			}
		})
	}
}

func ids(orders []connectors.Order) []string {
	out := []string{}
	for _, o := range orders {
		out = append(out, o.ID)
	}
	return out
}

// The index by lines follows an order whose lines change, by replacement
// or by an executed action, and one moved to another customer.
func TestIndexByLinesFollowsChangedOrders(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	a := []connectors.Line{{Line: 1, SKU: "A", Qty: 2, UOM: "EA", UnitPrice: 3}, {Line: 2, SKU: "B", Qty: 1, UOM: "CS", UnitPrice: 10}}
	aAgain := []connectors.Line{{Line: 7, SKU: "B", Qty: 1, UOM: "CS", UnitPrice: 10.001}, {Line: 9, SKU: "A", Qty: 2, UOM: "EA", UnitPrice: 3}}
	b := []connectors.Line{{Line: 1, SKU: "A", Qty: 5, UOM: "EA", UnitPrice: 3}}
	ord := func(id, cust, po string, lines []connectors.Line) connectors.Order {
		return connectors.Order{ID: id, CustomerID: cust, PONumber: po, Status: connectors.StatusOpen, CreatedAt: day, Lines: slices.Clone(lines)}
	}
	c := recorded.New(connectors.Snapshot{Now: day,
		Orders: []connectors.Order{ord("SO-1", "C-1", "PO-1", a), ord("SO-2", "C-1", "PO-2", aAgain), ord("SO-3", "C-1", "PO-3", b), ord("SO-4", "C-2", "PO-1", a)},
	})
	same := func(cust string, lines []connectors.Line) []string {
		t.Helper()
		q := connectors.CustomerOrderQuery{CustomerID: cust, Since: day.Add(-48 * time.Hour), SameLines: true, Lines: lines}
		got, err := c.FindCustomerOrders(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		all, _ := c.CustomerOrders(ctx, cust)
		if g, f := ids(got), ids(connectors.FilterCustomerOrders(all, q)); !slices.Equal(g, f) {
			t.Errorf("FindCustomerOrders(%+v) = %v; CustomerOrders filtered gives %v", q, g, f)
		}
		return ids(got)
	}
	check := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	check("same lines in another order, numbering and rounding", same("C-1", a), []string{"SO-1", "SO-2"})
	check("no lines match nothing", same("C-1", nil), []string{})

	c.PutOrder(ord("SO-2", "C-1", "PO-2", b))
	check("after SO-2 got other lines, a", same("C-1", a), []string{"SO-1"})
	check("after SO-2 got other lines, b", same("C-1", b), []string{"SO-2", "SO-3"})

	if _, err := c.Execute(ctx, connectors.Action{Type: connectors.ActCorrectPrice, OrderID: "SO-3", Args: connectors.Args{"line": 1, "price": 4}}); err != nil {
		t.Fatal(err)
	}
	repriced := []connectors.Line{{Line: 1, SKU: "A", Qty: 5, UOM: "EA", UnitPrice: 4}}
	check("after SO-3 was repriced, b", same("C-1", b), []string{"SO-2"})
	check("after SO-3 was repriced, its new lines", same("C-1", repriced), []string{"SO-3"})

	c.PutOrder(ord("SO-1", "C-2", "PO-9", a))
	check("SO-1 moved to C-2", same("C-2", a), []string{"SO-1", "SO-4"})
	check("and left C-1", same("C-1", a), []string{})
}

// OrdersByPO and ShipmentByTracking answer from their indexes, also after
// an order is replaced with another PO number and a shipment with another
// tracking number or order.
func TestIndexesFollowReplacedReferences(t *testing.T) {
	ctx := context.Background()
	c := recorded.New(connectors.Snapshot{
		Orders: []connectors.Order{{ID: "SO-4", CustomerID: "C-2", PONumber: "PO-1"}, {ID: "SO-1", CustomerID: "C-1", PONumber: "PO-1"},
			{ID: "SO-3", CustomerID: "C-1", PONumber: "PO-3"}},
		Shipments: []connectors.Shipment{{ID: "SH-2", OrderID: "SO-1", TrackingNumber: "1Z9"}, {ID: "SH-1", OrderID: "SO-1", TrackingNumber: "1Z1"},
			{ID: "SH-3", OrderID: "SO-3", TrackingNumber: "1Z9"}},
	})
	check := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	byPO := func(po string) []string {
		t.Helper()
		got, err := c.OrdersByPO(ctx, po)
		if err != nil {
			t.Fatal(err)
		}
		return ids(got)
	}
	check("PO-1, any customer, by id", byPO("PO-1"), []string{"SO-1", "SO-4"})
	c.PutOrder(connectors.Order{ID: "SO-1", CustomerID: "C-1", PONumber: "PO-9"})
	check("PO-1 after SO-1 took PO-9", byPO("PO-1"), []string{"SO-4"})
	check("PO-9", byPO("PO-9"), []string{"SO-1"})
	check("no PO", byPO(""), []string{})

	track := func(number string) string {
		t.Helper()
		s, err := c.ShipmentByTracking(ctx, number)
		if err != nil {
			return err.Error()
		}
		return s.ID
	}
	check("tracking numbers; the first by id when two share one", []string{track("1Z1"), track("1Z9")}, []string{"SH-1", "SH-2"})
	c.PutShipment(connectors.Shipment{ID: "SH-1", OrderID: "SO-3", TrackingNumber: "1Z5"})
	check("a replaced tracking number", []string{track("1Z5"), track("1Z1")}, []string{"SH-1", connectors.NotFound("shipment", "1Z1").Error()})
	c.PutShipment(connectors.Shipment{ID: "SH-2", OrderID: "SO-1"})
	check("a tracking number removed", []string{track("1Z9")}, []string{"SH-3"})
	shs, err := c.OrderShipments(ctx, "SO-1")
	if err != nil {
		t.Fatal(err)
	}
	check("SO-1's shipments after SH-1 moved to SO-3", shipmentIDs(shs), []string{"SH-2"})
	shs, _ = c.OrderShipments(ctx, "SO-3")
	check("SO-3's shipments", shipmentIDs(shs), []string{"SH-3", "SH-1"})
}

func shipmentIDs(shs []connectors.Shipment) []string {
	out := []string{}
	for _, s := range shs {
		out = append(out, s.ID)
	}
	return out
}
