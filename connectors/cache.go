package connectors

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Cache returns a view of sys for one investigation: every read is made
// once and then answered from memory, so a case never fetches the same
// entity twice however many tools and guard checks ask for it. Concurrent
// reads of the same entity (parallel tool calls) share one fetch. Answers
// are copies: a caller may change what it gets.
//
// Successful reads and not-found answers are kept; other errors are not,
// so a later read tries again. The clock is read once, so the whole case
// sees one business time. Executing an action through the view forgets
// everything it remembered.
//
// When sys.CaseTimeout is set, every read through the view stops at
// creation + CaseTimeout: the per-case deadline.
//
// A view is meant to live as long as one investigation; the guard's
// re-check before executing an action must read sys itself, never a view.
func Cache(sys Systems) Systems {
	m := &memo{entries: map[string]*entry{}}
	if sys.CaseTimeout > 0 {
		m.deadline = time.Now().Add(sys.CaseTimeout)
		m.timeout = sys.CaseTimeout
	}
	out := sys
	if sys.ERP != nil {
		out.ERP = &cachedERP{sys.ERP, m}
	}
	if sys.Inventory != nil {
		out.Inventory = &cachedInventory{sys.Inventory, m}
	}
	if sys.Carriers != nil {
		out.Carriers = &cachedCarriers{sys.Carriers, m}
	}
	if sys.Executor != nil {
		out.Executor = &cachedExecutor{sys.Executor, m}
	}
	if sys.Clock != nil {
		out.Clock = &cachedClock{inner: sys.Clock}
	}
	out.CaseTimeout = 0 // the view applies it; a view of a view must not restart it
	return out
}

type memo struct {
	mu       sync.Mutex
	entries  map[string]*entry
	deadline time.Time
	timeout  time.Duration
}

type entry struct {
	done chan struct{}
	val  any
	err  error
}

func (m *memo) forget() {
	m.mu.Lock()
	m.entries = map[string]*entry{}
	m.mu.Unlock()
}

// read returns the remembered answer for key, or fetches it once.
func read[T any](ctx context.Context, m *memo, key string, fetch func(context.Context) (T, error), clone func(T) T) (T, error) {
	var zero T
	m.mu.Lock()
	if e, ok := m.entries[key]; ok {
		m.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return zero, ctx.Err()
		}
		if e.err != nil {
			return zero, e.err
		}
		return clone(e.val.(T)), nil
	}
	e := &entry{done: make(chan struct{})}
	m.entries[key] = e
	m.mu.Unlock()

	fctx := ctx
	if !m.deadline.IsZero() {
		var cancel context.CancelFunc
		fctx, cancel = context.WithDeadline(ctx, m.deadline)
		defer cancel()
	}
	v, err := fetch(fctx)
	if err != nil && errors.Is(err, context.DeadlineExceeded) && !m.deadline.IsZero() && ctx.Err() == nil && !time.Now().Before(m.deadline) {
		err = fmt.Errorf("the case's %s deadline for reading systems passed before %s was read: %w", m.timeout, key, err)
	}
	e.val, e.err = v, err
	if err != nil && !errors.Is(err, ErrNotFound) {
		m.mu.Lock()
		if m.entries[key] == e {
			delete(m.entries, key)
		}
		m.mu.Unlock()
	}
	close(e.done)
	if err != nil {
		return zero, err
	}
	return clone(v), nil
}

type cachedERP struct {
	inner ERP
	m     *memo
}

var _ CustomerOrderIndex = (*cachedERP)(nil)

func (c *cachedERP) Order(ctx context.Context, id string) (Order, error) {
	return read(ctx, c.m, "order "+id, func(ctx context.Context) (Order, error) { return c.inner.Order(ctx, id) }, cloneOrder)
}

func (c *cachedERP) Customer(ctx context.Context, id string) (Customer, error) {
	return read(ctx, c.m, "customer "+id, func(ctx context.Context) (Customer, error) { return c.inner.Customer(ctx, id) }, cloneCustomer)
}

func (c *cachedERP) Item(ctx context.Context, sku string) (Item, error) {
	return read(ctx, c.m, "item "+sku, func(ctx context.Context) (Item, error) { return c.inner.Item(ctx, sku) }, cloneItem)
}

func (c *cachedERP) CustomerOrders(ctx context.Context, customerID string) ([]Order, error) {
	return read(ctx, c.m, "orders of customer "+customerID, func(ctx context.Context) ([]Order, error) {
		return c.inner.CustomerOrders(ctx, customerID)
	}, cloneList(cloneOrder))
}

// FindCustomerOrders implements CustomerOrderIndex: through the ERP's own
// index when it has one, else from the customer's remembered orders, so
// one list serves every query of the case.
func (c *cachedERP) FindCustomerOrders(ctx context.Context, q CustomerOrderQuery) ([]Order, error) {
	key := fmt.Sprintf("orders of customer %s with PO %q or created since %s", q.CustomerID, q.PONumber, q.Since.Format(time.RFC3339Nano))
	if q.SameLines {
		key += fmt.Sprintf(" with lines %q", LinesKey(q.Lines))
	}
	return read(ctx, c.m, key, func(ctx context.Context) ([]Order, error) {
		if ix, ok := c.inner.(CustomerOrderIndex); ok {
			return ix.FindCustomerOrders(ctx, q)
		}
		all, err := c.CustomerOrders(ctx, q.CustomerID)
		if err != nil {
			return nil, err
		}
		return FilterCustomerOrders(all, q), nil
	}, cloneList(cloneOrder))
}

func (c *cachedERP) Contracts(ctx context.Context, customerID string) ([]Contract, error) {
	return read(ctx, c.m, "contracts of customer "+customerID, func(ctx context.Context) ([]Contract, error) {
		return c.inner.Contracts(ctx, customerID)
	}, slices.Clone[[]Contract])
}

type cachedInventory struct {
	inner Inventory
	m     *memo
}

func (c *cachedInventory) Stock(ctx context.Context, sku string) ([]Stock, error) {
	return read(ctx, c.m, "stock of item "+sku, func(ctx context.Context) ([]Stock, error) { return c.inner.Stock(ctx, sku) },
		cloneList(func(s Stock) Stock { s.Inbound = slices.Clone(s.Inbound); return s }))
}

func (c *cachedInventory) Sites(ctx context.Context) ([]Site, error) {
	return read(ctx, c.m, "sites", c.inner.Sites, cloneList(func(s Site) Site { s.Lanes = slices.Clone(s.Lanes); return s }))
}

type cachedCarriers struct {
	inner Carriers
	m     *memo
}

func cloneShipment(s Shipment) Shipment { s.Events = slices.Clone(s.Events); return s }

func (c *cachedCarriers) OrderShipments(ctx context.Context, orderID string) ([]Shipment, error) {
	return read(ctx, c.m, "shipments of order "+orderID, func(ctx context.Context) ([]Shipment, error) {
		return c.inner.OrderShipments(ctx, orderID)
	}, cloneList(cloneShipment))
}

func (c *cachedCarriers) Shipment(ctx context.Context, id string) (Shipment, error) {
	return read(ctx, c.m, "shipment "+id, func(ctx context.Context) (Shipment, error) { return c.inner.Shipment(ctx, id) }, cloneShipment)
}

func (c *cachedCarriers) Carriers(ctx context.Context) ([]Carrier, error) {
	return read(ctx, c.m, "carriers", c.inner.Carriers, cloneList(func(x Carrier) Carrier {
		x.Services = slices.Clone(x.Services)
		x.LanesWithoutCapacity = slices.Clone(x.LanesWithoutCapacity)
		return x
	}))
}

type cachedExecutor struct {
	inner Executor
	m     *memo
}

// Execute executes through the underlying executor and forgets every read:
// what the action changed must be read again.
func (c *cachedExecutor) Execute(ctx context.Context, a Action) (Execution, error) {
	defer c.m.forget()
	return c.inner.Execute(ctx, a)
}

type cachedClock struct {
	inner Clock
	once  sync.Once
	now   time.Time
}

func (c *cachedClock) Now() time.Time {
	c.once.Do(func() { c.now = c.inner.Now() })
	return c.now
}

func cloneList[T any](one func(T) T) func([]T) []T {
	return func(in []T) []T {
		if in == nil {
			return nil
		}
		out := make([]T, len(in))
		for i, x := range in {
			out[i] = one(x)
		}
		return out
	}
}

func cloneOrder(o Order) Order {
	o.Holds = slices.Clone(o.Holds)
	o.Lines = slices.Clone(o.Lines)
	return o
}

func cloneCustomer(c Customer) Customer {
	c.Documents = slices.Clone(c.Documents)
	return c
}

func cloneItem(i Item) Item {
	i.Substitutes = slices.Clone(i.Substitutes)
	return i
}
