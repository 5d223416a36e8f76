package connectors_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
)

// counting wraps a recorded connector and counts every read by kind and id.
type counting struct {
	*recorded.Connector
	mu    sync.Mutex
	calls map[string]int
	delay time.Duration
	fail  atomic.Int32 // fail this many reads with a transient error
}

func newCounting() *counting {
	c := recorded.New(connectors.Snapshot{
		Now:       time.Date(2026, 5, 14, 9, 0, 0, 0, time.UTC),
		Customers: []connectors.Customer{{ID: "C-1", Name: "Acme", Documents: []connectors.Document{{Type: "DEA"}}}},
		Items:     []connectors.Item{{SKU: "SKU-1", UOM: "EA", Substitutes: []string{"SKU-2"}}},
		Orders: []connectors.Order{{ID: "SO-1", CustomerID: "C-1", Status: connectors.StatusOnHold,
			Holds: []connectors.Hold{{Code: connectors.HoldCredit}}, Lines: []connectors.Line{{Line: 1, SKU: "SKU-1", Qty: 2}}}},
		Inventory: []connectors.Stock{{SKU: "SKU-1", Site: "DC-1", OnHand: 5}},
		Shipments: []connectors.Shipment{{ID: "SH-1", OrderID: "SO-1"}},
		Carriers:  []connectors.Carrier{{Code: "UPS"}},
		Sites:     []connectors.Site{{ID: "DC-1"}},
	})
	return &counting{Connector: c, calls: map[string]int{}}
}

func (c *counting) count(ctx context.Context, key string) error {
	c.mu.Lock()
	c.calls[key]++
	c.mu.Unlock()
	if c.delay > 0 {
		select {
		case <-time.After(c.delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if c.fail.Load() > 0 {
		c.fail.Add(-1)
		return errors.New("transient")
	}
	return nil
}

func (c *counting) n(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[key]
}

func (c *counting) Order(ctx context.Context, id string) (connectors.Order, error) {
	if err := c.count(ctx, "order "+id); err != nil {
		return connectors.Order{}, err
	}
	return c.Connector.Order(ctx, id)
}

func (c *counting) Customer(ctx context.Context, id string) (connectors.Customer, error) {
	if err := c.count(ctx, "customer "+id); err != nil {
		return connectors.Customer{}, err
	}
	return c.Connector.Customer(ctx, id)
}

func (c *counting) Stock(ctx context.Context, sku string) ([]connectors.Stock, error) {
	if err := c.count(ctx, "stock "+sku); err != nil {
		return nil, err
	}
	return c.Connector.Stock(ctx, sku)
}

func (c *counting) CustomerOrders(ctx context.Context, id string) ([]connectors.Order, error) {
	if err := c.count(ctx, "orders of "+id); err != nil {
		return nil, err
	}
	return c.Connector.CustomerOrders(ctx, id)
}

func (c *counting) FindCustomerOrders(ctx context.Context, q connectors.CustomerOrderQuery) ([]connectors.Order, error) {
	if err := c.count(ctx, "find orders of "+q.CustomerID); err != nil {
		return nil, err
	}
	return c.Connector.FindCustomerOrders(ctx, q)
}

func (c *counting) Now() time.Time {
	_ = c.count(context.Background(), "clock")
	return c.Connector.Now()
}

func (c *counting) systems() connectors.Systems {
	return connectors.Systems{ERP: c, Inventory: c, Carriers: c, Executor: c, Clock: c}
}

func TestCacheReadsEachEntityOnce(t *testing.T) {
	c := newCounting()
	sys := connectors.Cache(c.systems())
	ctx := context.Background()
	for range 3 {
		o, err := sys.ERP.Order(ctx, "SO-1")
		if err != nil {
			t.Fatal(err)
		}
		o.Lines[0].Qty = 99 // callers may change what they get
		if _, err := sys.ERP.Customer(ctx, "C-1"); err != nil {
			t.Fatal(err)
		}
		st, _ := sys.Inventory.Stock(ctx, "SKU-1")
		st[0].OnHand = -1
		_ = sys.Clock.Now()
	}
	o, _ := sys.ERP.Order(ctx, "SO-1")
	st, _ := sys.Inventory.Stock(ctx, "SKU-1")
	if o.Lines[0].Qty != 2 || st[0].OnHand != 5 {
		t.Fatalf("the cache handed out its own copy: qty %d, on hand %d", o.Lines[0].Qty, st[0].OnHand)
	}
	for _, k := range []string{"order SO-1", "customer C-1", "stock SKU-1", "clock"} {
		if n := c.n(k); n != 1 {
			t.Errorf("%s read %d times, want 1", k, n)
		}
	}
}

func TestCacheConcurrentReadsShareOneFetch(t *testing.T) {
	c := newCounting()
	c.delay = 20 * time.Millisecond
	sys := connectors.Cache(c.systems())
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := sys.ERP.Order(context.Background(), "SO-1"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := c.n("order SO-1"); n != 1 {
		t.Fatalf("8 concurrent reads made %d fetches, want 1", n)
	}
}

func TestCacheKeepsNotFoundButRetriesOtherErrors(t *testing.T) {
	c := newCounting()
	sys := connectors.Cache(c.systems())
	ctx := context.Background()
	for range 2 {
		if _, err := sys.ERP.Order(ctx, "SO-404"); !errors.Is(err, connectors.ErrNotFound) {
			t.Fatalf("want not found, got %v", err)
		}
	}
	if n := c.n("order SO-404"); n != 1 {
		t.Errorf("a not-found answer was fetched %d times, want 1", n)
	}
	c.fail.Store(1)
	if _, err := sys.ERP.Customer(ctx, "C-1"); err == nil {
		t.Fatal("the transient failure must reach the caller")
	}
	if _, err := sys.ERP.Customer(ctx, "C-1"); err != nil {
		t.Fatalf("a transient failure must not be remembered: %v", err)
	}
	if n := c.n("customer C-1"); n != 2 {
		t.Errorf("customer fetched %d times, want 2", n)
	}
}

func TestCacheForgetsAfterExecute(t *testing.T) {
	c := newCounting()
	sys := connectors.Cache(c.systems())
	ctx := context.Background()
	before, _ := sys.ERP.Order(ctx, "SO-1")
	if _, err := sys.Executor.Execute(ctx, connectors.Action{ID: "a1", Type: connectors.ActReleaseHold, OrderID: "SO-1",
		Args: connectors.Args{"hold_code": "CREDIT"}}); err != nil {
		t.Fatal(err)
	}
	after, _ := sys.ERP.Order(ctx, "SO-1")
	if !before.HasHold(connectors.HoldCredit) || after.HasHold(connectors.HoldCredit) {
		t.Fatalf("after executing, the view must read the order again: before %v, after %v", before.Holds, after.Holds)
	}
}

func TestCacheCaseDeadline(t *testing.T) {
	c := newCounting()
	c.delay = time.Second
	s := c.systems()
	s.CaseTimeout = 30 * time.Millisecond
	sys := connectors.Cache(s)
	began := time.Now()
	_, err := sys.ERP.Order(context.Background(), "SO-1")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "deadline") || !strings.Contains(err.Error(), "order SO-1") {
		t.Fatalf("want the case deadline named, got %v", err)
	}
	if took := time.Since(began); took > 500*time.Millisecond {
		t.Fatalf("the case deadline did not stop the read: %s", took)
	}
	if sys.CaseTimeout != 0 {
		t.Error("a view must not pass its deadline on to a view of itself")
	}
}

// unindexed is an ERP without connectors.CustomerOrderIndex.
type unindexed struct{ connectors.ERP }

// A case's view answers FindCustomerOrders through the ERP's index when it
// has one, else from the customer's orders read once; either way each
// query once, within the case's customer.
func TestCacheAndScopeFindCustomerOrders(t *testing.T) {
	day := time.Date(2026, 5, 14, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		erp  func(*counting) connectors.ERP
		want map[string]int // reads of the ERP
	}{
		{"indexed", func(c *counting) connectors.ERP { return c }, map[string]int{"find orders of C-1": 4, "orders of C-1": 0}},
		{"not indexed", func(c *counting) connectors.ERP { return unindexed{c} }, map[string]int{"find orders of C-1": 0, "orders of C-1": 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c := newCounting()
			c.PutOrder(connectors.Order{ID: "SO-2", CustomerID: "C-1", PONumber: "PO-1", CreatedAt: day.Add(-30 * 24 * time.Hour)})
			lines := []connectors.Line{{Line: 1, SKU: "A", Qty: 2, UOM: "EA", UnitPrice: 3}}
			other := []connectors.Line{{Line: 1, SKU: "A", Qty: 3, UOM: "EA", UnitPrice: 3}}
			c.PutOrder(connectors.Order{ID: "SO-3", CustomerID: "C-1", PONumber: "PO-1", CreatedAt: day, Lines: lines})
			c.PutOrder(connectors.Order{ID: "SO-4", CustomerID: "C-1", CreatedAt: day.Add(-3 * time.Hour), Lines: lines})
			c.PutOrder(connectors.Order{ID: "SO-5", CustomerID: "C-2", PONumber: "PO-1", CreatedAt: day})
			sys := c.systems()
			sys.ERP = tc.erp(c)
			view := connectors.Scope(connectors.Cache(sys), "SO-3", "C-1")
			// The same window with other lines is another query: the cache
			// must not answer it with the first one's orders.
			queries := []struct {
				q    connectors.CustomerOrderQuery
				want []string
			}{
				{connectors.CustomerOrderQuery{CustomerID: "C-1", PONumber: "PO-1", Since: day.Add(-48 * time.Hour)}, []string{"SO-2", "SO-3", "SO-4"}},
				{connectors.CustomerOrderQuery{CustomerID: "C-1", Since: day.Add(-time.Hour)}, []string{"SO-3"}},
				{connectors.CustomerOrderQuery{CustomerID: "C-1", Since: day.Add(-48 * time.Hour), SameLines: true, Lines: lines}, []string{"SO-3", "SO-4"}},
				{connectors.CustomerOrderQuery{CustomerID: "C-1", Since: day.Add(-48 * time.Hour), SameLines: true, Lines: other}, nil},
			}
			for range 2 {
				for _, tc := range queries {
					q, want := tc.q, tc.want
					got, err := connectors.FindCustomerOrders(ctx, view.ERP, q)
					if err != nil {
						t.Fatal(err)
					}
					var ids []string
					for _, o := range got {
						ids = append(ids, o.ID)
					}
					if strings.Join(ids, " ") != strings.Join(want, " ") {
						t.Errorf("FindCustomerOrders(%+v) = %v, want %v", q, ids, want)
					}
				}
			}
			for k, n := range tc.want {
				if got := c.n(k); got != n {
					t.Errorf("%s read %d times, want %d", k, got, n)
				}
			}
			_, err := connectors.FindCustomerOrders(ctx, view.ERP, connectors.CustomerOrderQuery{CustomerID: "C-2", PONumber: "PO-1"})
			if !errors.Is(err, connectors.ErrOutOfScope) {
				t.Errorf("another customer's orders: err = %v, want ErrOutOfScope", err)
			}
		})
	}
}
