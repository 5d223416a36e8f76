package connectortest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// Fixture is a connector under test and what it holds.
type Fixture struct {
	// Systems under test. A nil Inventory, Carriers, Executor or Clock
	// skips the checks that need it (an ERP-only adapter).
	Systems connectors.Systems
	// Orders are ids of orders the systems hold (at least one). Their
	// customers and items must be held too.
	Orders []string
	// Action, when set, fits the current state; the suite executes it
	// twice under one id and checks it took effect once.
	Action *connectors.Action
	// Refused, when set, does not fit the state; executing it must fail
	// and change nothing.
	Refused *connectors.Action
}

// Run runs the suite; open is called once per check for a fresh fixture.
func Run(t *testing.T, open func(t *testing.T) Fixture) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, Fixture)
	}{
		{"OrderCustomerItems", testOrderCustomerItems},
		{"NotFound", testNotFound},
		{"CustomerOrders", testCustomerOrders},
		{"FindCustomerOrders", testFindCustomerOrders},
		{"Contracts", testContracts},
		{"ReadsAreCopies", testReadsAreCopies},
		{"Stock", testStock},
		{"Sites", testSites},
		{"Shipments", testShipments},
		{"Carriers", testCarriers},
		{"ConcurrentReads", testConcurrentReads},
		{"Clock", testClock},
		{"ExecuteOnce", testExecuteOnce},
		{"RefusedChangesNothing", testRefused},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := open(t)
			if len(f.Orders) == 0 || f.Systems.ERP == nil {
				t.Fatal("connectortest: the fixture needs an ERP and at least one order id")
			}
			tc.fn(t, f)
		})
	}
}

func ctxFor(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func order(t *testing.T, f Fixture, id string) connectors.Order {
	t.Helper()
	o, err := f.Systems.ERP.Order(ctxFor(t), id)
	if err != nil {
		t.Fatalf("Order(%q): %v", id, err)
	}
	return o
}

func testOrderCustomerItems(t *testing.T, f Fixture) {
	ctx := ctxFor(t)
	for _, id := range f.Orders {
		o := order(t, f, id)
		if o.ID != id {
			t.Errorf("Order(%q).ID = %q", id, o.ID)
		}
		if len(o.Lines) == 0 {
			t.Errorf("order %s has no lines", id)
		}
		c, err := f.Systems.ERP.Customer(ctx, o.CustomerID)
		if err != nil || c.ID != o.CustomerID {
			t.Errorf("Customer(%q) of order %s = %q, %v", o.CustomerID, id, c.ID, err)
		}
		for _, l := range o.Lines {
			it, err := f.Systems.ERP.Item(ctx, l.SKU)
			if err != nil || it.SKU != l.SKU {
				t.Errorf("Item(%q) of order %s line %d = %q, %v", l.SKU, id, l.Line, it.SKU, err)
			}
		}
	}
}

func wantNotFound(t *testing.T, what, kind, id string, err error) {
	t.Helper()
	var nf *connectors.NotFoundError
	if !errors.Is(err, connectors.ErrNotFound) || !errors.As(err, &nf) || nf.Kind != kind || nf.ID != id {
		t.Errorf("%s: want a NotFoundError for %s %q, got %v", what, kind, id, err)
	}
}

const unknown = "exdesk-conformance/unknown #1"

func testNotFound(t *testing.T, f Fixture) {
	ctx := ctxFor(t)
	_, err := f.Systems.ERP.Order(ctx, unknown)
	wantNotFound(t, "Order", "order", unknown, err)
	_, err = f.Systems.ERP.Customer(ctx, unknown)
	wantNotFound(t, "Customer", "customer", unknown, err)
	_, err = f.Systems.ERP.Item(ctx, unknown)
	wantNotFound(t, "Item", "item", unknown, err)
	if f.Systems.Carriers != nil {
		_, err = f.Systems.Carriers.Shipment(ctx, unknown)
		wantNotFound(t, "Shipment", "shipment", unknown, err)
	}
}

func testCustomerOrders(t *testing.T, f Fixture) {
	o := order(t, f, f.Orders[0])
	all, err := f.Systems.ERP.CustomerOrders(ctxFor(t), o.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, x := range all {
		if x.CustomerID != o.CustomerID {
			t.Errorf("CustomerOrders(%q) holds order %s of customer %q", o.CustomerID, x.ID, x.CustomerID)
		}
		found = found || x.ID == o.ID
	}
	if !found {
		t.Errorf("CustomerOrders(%q) lacks its order %s", o.CustomerID, o.ID)
	}
}

// testFindCustomerOrders checks an ERP that indexes its orders
// (connectors.CustomerOrderIndex): every query is answered as filtering
// CustomerOrders by it would, in the same order, with copies.
func testFindCustomerOrders(t *testing.T, f Fixture) {
	ix, ok := f.Systems.ERP.(connectors.CustomerOrderIndex)
	if !ok {
		t.Skip("the ERP does not implement connectors.CustomerOrderIndex")
	}
	ctx := ctxFor(t)
	future := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	for _, id := range f.Orders {
		o := order(t, f, id)
		if seen[o.CustomerID] {
			continue
		}
		seen[o.CustomerID] = true
		all, err := f.Systems.ERP.CustomerOrders(ctx, o.CustomerID)
		if err != nil {
			t.Fatal(err)
		}
		queries := []connectors.CustomerOrderQuery{
			{CustomerID: o.CustomerID},
			{CustomerID: o.CustomerID, Since: future},
			{CustomerID: o.CustomerID, PONumber: "exdesk-conformance/no such PO", Since: future},
			{CustomerID: o.CustomerID, SameLines: true},
		}
		for _, x := range all {
			queries = append(queries,
				connectors.CustomerOrderQuery{CustomerID: o.CustomerID, Since: x.CreatedAt},
				connectors.CustomerOrderQuery{CustomerID: o.CustomerID, Since: x.CreatedAt.Add(time.Nanosecond)},
				connectors.CustomerOrderQuery{CustomerID: o.CustomerID, PONumber: x.PONumber, Since: future},
				connectors.CustomerOrderQuery{CustomerID: o.CustomerID, PONumber: x.PONumber, Since: x.CreatedAt.Add(48 * time.Hour)},
				connectors.CustomerOrderQuery{CustomerID: o.CustomerID, SameLines: true, Lines: x.Lines},
				connectors.CustomerOrderQuery{CustomerID: o.CustomerID, Since: x.CreatedAt.Add(-48 * time.Hour), SameLines: true, Lines: x.Lines},
				connectors.CustomerOrderQuery{CustomerID: o.CustomerID, PONumber: x.PONumber, Since: x.CreatedAt, SameLines: true, Lines: x.Lines})
		}
		for _, q := range queries {
			got, err := ix.FindCustomerOrders(ctx, q)
			if err != nil {
				t.Fatalf("FindCustomerOrders(%+v): %v", q, err)
			}
			want := connectors.FilterCustomerOrders(slices.Clone(all), q)
			if g, w := orderIDs(got), orderIDs(want); !slices.Equal(g, w) {
				t.Errorf("FindCustomerOrders(%+v) = %v, want %v (CustomerOrders filtered)", q, g, w)
			}
			if len(got) > 0 {
				before := asJSON(t, got[0])
				got[0].Lines = append(got[0].Lines, connectors.Line{Line: 999})
				again, err := ix.FindCustomerOrders(ctx, q)
				if err != nil || len(again) == 0 || asJSON(t, again[0]) != before {
					t.Errorf("changing an answer of FindCustomerOrders(%+v) changed the system", q)
				}
			}
		}
	}
}

func orderIDs(orders []connectors.Order) []string {
	ids := make([]string, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
	}
	return ids
}

func testContracts(t *testing.T, f Fixture) {
	o := order(t, f, f.Orders[0])
	cs, err := f.Systems.ERP.Contracts(ctxFor(t), o.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.CustomerID != o.CustomerID {
			t.Errorf("Contracts(%q) holds a contract of %q", o.CustomerID, c.CustomerID)
		}
		if c.ValidTo.Before(c.ValidFrom) {
			t.Errorf("contract %s/%s ends before it starts", c.CustomerID, c.SKU)
		}
	}
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func testReadsAreCopies(t *testing.T, f Fixture) {
	o := order(t, f, f.Orders[0])
	before := asJSON(t, o)
	o.Lines[0].Qty += 1000
	o.Holds = append(o.Holds, connectors.Hold{Code: "MUTATED"})
	if again := asJSON(t, order(t, f, f.Orders[0])); again != before {
		t.Errorf("changing an answer changed the system:\nbefore %s\nafter  %s", before, again)
	}
}

func testStock(t *testing.T, f Fixture) {
	if f.Systems.Inventory == nil {
		t.Skip("no inventory")
	}
	o := order(t, f, f.Orders[0])
	for _, l := range o.Lines {
		st, err := f.Systems.Inventory.Stock(ctxFor(t), l.SKU)
		if err != nil {
			t.Fatalf("Stock(%q): %v", l.SKU, err)
		}
		for _, s := range st {
			if s.SKU != l.SKU || s.Site == "" {
				t.Errorf("Stock(%q) holds %+v", l.SKU, s)
			}
		}
	}
}

func testSites(t *testing.T, f Fixture) {
	if f.Systems.Inventory == nil {
		t.Skip("no inventory")
	}
	sites, err := f.Systems.Inventory.Sites(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range sites {
		if s.ID == "" || slices.Contains(ids, s.ID) {
			t.Errorf("site id %q empty or repeated", s.ID)
		}
		ids = append(ids, s.ID)
	}
}

func testShipments(t *testing.T, f Fixture) {
	if f.Systems.Carriers == nil {
		t.Skip("no carriers")
	}
	ctx := ctxFor(t)
	for _, id := range f.Orders {
		shs, err := f.Systems.Carriers.OrderShipments(ctx, id)
		if err != nil {
			t.Fatalf("OrderShipments(%q): %v", id, err)
		}
		for _, s := range shs {
			if s.OrderID != id {
				t.Errorf("OrderShipments(%q) holds shipment %s of order %q", id, s.ID, s.OrderID)
			}
			one, err := f.Systems.Carriers.Shipment(ctx, s.ID)
			if err != nil || asJSON(t, one) != asJSON(t, s) {
				t.Errorf("Shipment(%q) = %+v, %v; the order's list says %+v", s.ID, one, err, s)
			}
		}
	}
}

func testCarriers(t *testing.T, f Fixture) {
	if f.Systems.Carriers == nil {
		t.Skip("no carriers")
	}
	cs, err := f.Systems.Carriers.Carriers(ctxFor(t))
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, c := range cs {
		if c.Code == "" || slices.Contains(codes, c.Code) {
			t.Errorf("carrier code %q empty or repeated", c.Code)
		}
		codes = append(codes, c.Code)
	}
}

func testConcurrentReads(t *testing.T, f Fixture) {
	want := asJSON(t, order(t, f, f.Orders[0]))
	ctx := ctxFor(t)
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for range 16 {
		wg.Go(func() {
			o, err := f.Systems.ERP.Order(ctx, f.Orders[0])
			if err != nil {
				errs <- err.Error()
				return
			}
			if got := asJSON(t, o); got != want {
				errs <- "a concurrent read differs: " + got
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func testClock(t *testing.T, f Fixture) {
	if f.Systems.Clock == nil {
		t.Skip("no clock")
	}
	a := f.Systems.Clock.Now()
	b := f.Systems.Clock.Now()
	if a.IsZero() || b.Before(a.Add(-time.Second)) {
		t.Errorf("clock reads %s then %s", a, b)
	}
}

func testExecuteOnce(t *testing.T, f Fixture) {
	if f.Action == nil || f.Systems.Executor == nil {
		t.Skip("no action to execute")
	}
	ctx := ctxFor(t)
	a := *f.Action
	if a.ID == "" {
		a.ID = "conformance-1"
	}
	first, err := f.Systems.Executor.Execute(ctx, a)
	if err != nil {
		t.Fatalf("Execute(%s): %v", a, err)
	}
	if first.Replayed || first.Detail == "" {
		t.Errorf("first execution = %+v", first)
	}
	afterFirst := asJSON(t, order(t, f, a.OrderID))
	again, err := f.Systems.Executor.Execute(ctx, a)
	if err != nil {
		t.Fatalf("executing %s again under the same id: %v", a, err)
	}
	if !again.Replayed && again.Detail != first.Detail {
		t.Errorf("the same id ran twice: %+v then %+v", first, again)
	}
	if afterAgain := asJSON(t, order(t, f, a.OrderID)); afterAgain != afterFirst {
		t.Errorf("the second execution changed the order again:\n%s\n%s", afterFirst, afterAgain)
	}
	if a.Type == connectors.ActReleaseHold {
		if o := order(t, f, a.OrderID); o.HasHold(a.Str("hold_code")) {
			t.Errorf("after %s the order still has the hold", a)
		}
	}
}

func testRefused(t *testing.T, f Fixture) {
	if f.Refused == nil || f.Systems.Executor == nil {
		t.Skip("no action to refuse")
	}
	ctx := ctxFor(t)
	a := *f.Refused
	if a.ID == "" {
		a.ID = "conformance-refused-1"
	}
	before := asJSON(t, order(t, f, a.OrderID))
	_, err := f.Systems.Executor.Execute(ctx, a)
	if !errors.Is(err, connectors.ErrRefused) && !errors.Is(err, connectors.ErrConflict) {
		t.Fatalf("Execute(%s) = %v, want ErrRefused or ErrConflict", a, err)
	}
	if after := asJSON(t, order(t, f, a.OrderID)); after != before {
		t.Errorf("a refused action changed the order:\n%s\n%s", before, after)
	}
}
