package recorded

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// ErrInvalidAction is wrapped by Execute when an action does not fit the
// state (a hold the order does not have, a line it does not have). It also
// satisfies errors.Is(err, connectors.ErrRefused), so callers that know only
// the connectors package (the REST reference server) can tell it apart.
var ErrInvalidAction error = invalidAction{}

type invalidAction struct{}

func (invalidAction) Error() string { return "invalid action" }

func (invalidAction) Is(target error) bool { return target == connectors.ErrRefused }

var (
	_ connectors.ShipmentByTracking = (*Connector)(nil)
	_ connectors.OrdersByPO         = (*Connector)(nil)
	_ connectors.CustomerOrderIndex = (*Connector)(nil)
)

// Connector is an in-memory ERP, inventory and carrier system.
type Connector struct {
	mu        sync.RWMutex
	now       time.Time
	customers map[string]connectors.Customer
	items     map[string]connectors.Item
	orders    map[string]connectors.Order
	// Orders are indexed for the lookups a case makes: by customer, by
	// customer and PO number, by customer and creation time, by customer
	// and lines. An order's seq is its insertion order, the order
	// CustomerOrders lists.
	seq       map[string]uint64
	nextSeq   uint64
	byCust    map[string][]string        // customer id -> order ids, by seq
	byPO      map[customerPO][]string    // -> order ids, by seq
	byCreated map[string][]string        // customer id -> order ids, by creation time then seq
	byLines   map[customerLines][]string // -> order ids, by creation time then seq
	linesKey  map[string]string          // order id -> connectors.LinesKey of its lines
	byPONum   map[string][]string        // PO number -> order ids of any customer, sorted
	stock     map[string][]connectors.Stock
	contracts map[string][]connectors.Contract
	shipments map[string]connectors.Shipment
	byOrder   map[string][]string // order id -> shipment ids
	byTrack   map[string][]string // tracking number -> shipment ids, sorted
	carriers  []connectors.Carrier
	sites     []connectors.Site
	execs     []connectors.Execution
	execByID  map[string]connectors.Execution
}

// New returns a connector serving s. The snapshot is copied.
func New(s connectors.Snapshot) *Connector {
	c := &Connector{
		now:       s.Now,
		customers: make(map[string]connectors.Customer, len(s.Customers)),
		items:     make(map[string]connectors.Item, len(s.Items)),
		orders:    make(map[string]connectors.Order, len(s.Orders)),
		seq:       make(map[string]uint64, len(s.Orders)),
		byCust:    make(map[string][]string),
		byPO:      make(map[customerPO][]string),
		byCreated: make(map[string][]string),
		byLines:   make(map[customerLines][]string),
		linesKey:  make(map[string]string, len(s.Orders)),
		byPONum:   make(map[string][]string),
		stock:     make(map[string][]connectors.Stock),
		contracts: make(map[string][]connectors.Contract),
		shipments: make(map[string]connectors.Shipment, len(s.Shipments)),
		byOrder:   make(map[string][]string),
		byTrack:   make(map[string][]string),
		execByID:  make(map[string]connectors.Execution),
	}
	c.merge(s)
	return c
}

func (c *Connector) merge(s connectors.Snapshot) {
	if s.Now.After(c.now) {
		c.now = s.Now
	}
	for _, x := range s.Customers {
		c.customers[x.ID] = cloneCustomer(x)
	}
	for _, x := range s.Items {
		c.items[x.SKU] = cloneItem(x)
	}
	for _, o := range s.Orders {
		c.putOrder(o)
	}
	for _, x := range s.Inventory {
		c.putStock(x)
	}
	for _, x := range s.Contracts {
		c.contracts[x.CustomerID] = append(c.contracts[x.CustomerID], x)
	}
	for _, x := range s.Shipments {
		c.putShipment(x)
	}
	for _, x := range s.Carriers {
		c.carriers = replaceBy(c.carriers, cloneCarrier(x), func(a connectors.Carrier) string { return a.Code })
	}
	for _, x := range s.Sites {
		c.sites = replaceBy(c.sites, cloneSite(x), func(a connectors.Site) string { return a.ID })
	}
}

func replaceBy[T any](list []T, v T, key func(T) string) []T {
	for i := range list {
		if key(list[i]) == key(v) {
			list[i] = v
			return list
		}
	}
	return append(list, v)
}

func (c *Connector) putOrder(o connectors.Order) {
	old, ok := c.orders[o.ID]
	lines := connectors.LinesKey(o.Lines)
	switch {
	case !ok:
		c.nextSeq++
		c.seq[o.ID] = c.nextSeq
		c.index(o, lines)
	case old.CustomerID != o.CustomerID || old.PONumber != o.PONumber || !old.CreatedAt.Equal(o.CreatedAt):
		c.unindex(old)
		c.index(o, lines)
	case c.linesKey[o.ID] != lines:
		// Only the lines changed (a price corrected, an item substituted):
		// the other indexes still hold.
		c.unindexLines(old)
		c.indexLines(o, lines)
	}
	c.orders[o.ID] = cloneOrder(o)
}

// customerPO keys the orders of one customer with one PO number.
type customerPO struct{ customer, po string }

// customerLines keys the orders of one customer with the same lines
// (connectors.LinesKey).
type customerLines struct{ customer, lines string }

// index adds o, whose seq is set and whose lines have the key lines, to
// the order indexes.
func (c *Connector) index(o connectors.Order, lines string) {
	c.byCust[o.CustomerID] = c.insertSorted(c.byCust[o.CustomerID], o.ID, c.bySeq)
	if o.PONumber != "" {
		k := customerPO{o.CustomerID, o.PONumber}
		c.byPO[k] = c.insertSorted(c.byPO[k], o.ID, c.bySeq)
		c.byPONum[o.PONumber] = insertID(c.byPONum[o.PONumber], o.ID)
	}
	c.byCreated[o.CustomerID] = c.insertSorted(c.byCreated[o.CustomerID], o.ID, c.byCreation(o))
	c.indexLines(o, lines)
}

// indexLines adds o to the index by lines. An order without lines is not
// in it: it has no duplicate by its lines.
func (c *Connector) indexLines(o connectors.Order, lines string) {
	c.linesKey[o.ID] = lines
	if lines == "" {
		return
	}
	k := customerLines{o.CustomerID, lines}
	c.byLines[k] = c.insertSorted(c.byLines[k], o.ID, c.byCreation(o))
}

// unindex removes o, as it was indexed, from the order indexes.
func (c *Connector) unindex(o connectors.Order) {
	c.byCust[o.CustomerID] = dropID(c.byCust[o.CustomerID], o.ID)
	if o.PONumber != "" {
		k := customerPO{o.CustomerID, o.PONumber}
		if c.byPO[k] = dropID(c.byPO[k], o.ID); len(c.byPO[k]) == 0 {
			delete(c.byPO, k)
		}
		if c.byPONum[o.PONumber] = dropID(c.byPONum[o.PONumber], o.ID); len(c.byPONum[o.PONumber]) == 0 {
			delete(c.byPONum, o.PONumber)
		}
	}
	c.byCreated[o.CustomerID] = dropID(c.byCreated[o.CustomerID], o.ID)
	c.unindexLines(o)
}

// unindexLines removes o, as it was indexed, from the index by lines.
func (c *Connector) unindexLines(o connectors.Order) {
	lines := c.linesKey[o.ID]
	delete(c.linesKey, o.ID)
	if lines == "" {
		return
	}
	k := customerLines{o.CustomerID, lines}
	if c.byLines[k] = dropID(c.byLines[k], o.ID); len(c.byLines[k]) == 0 {
		delete(c.byLines, k)
	}
}

// dropID removes id from ids.
func dropID(ids []string, id string) []string {
	return slices.DeleteFunc(ids, func(x string) bool { return x == id })
}

// insertID inserts id into ids, kept sorted, unless it is there.
func insertID(ids []string, id string) []string {
	i, found := slices.BinarySearch(ids, id)
	if found {
		return ids
	}
	return slices.Insert(ids, i, id)
}

// bySeq orders two indexed order ids by insertion.
func (c *Connector) bySeq(a, b string) int { return cmp.Compare(c.seq[a], c.seq[b]) }

// byCreation orders ids by creation time then insertion, with o (not yet
// in c.orders) standing for its own id.
func (c *Connector) byCreation(o connectors.Order) func(a, b string) int {
	created := func(id string) time.Time {
		if id == o.ID {
			return o.CreatedAt
		}
		return c.orders[id].CreatedAt
	}
	return func(a, b string) int {
		if n := created(a).Compare(created(b)); n != 0 {
			return n
		}
		return c.bySeq(a, b)
	}
}

// insertSorted inserts id into ids, kept sorted by order. Orders mostly
// come in creation order: mostly an append.
func (c *Connector) insertSorted(ids []string, id string, order func(a, b string) int) []string {
	i, _ := slices.BinarySearchFunc(ids, id, order)
	return slices.Insert(ids, i, id)
}

func (c *Connector) putStock(x connectors.Stock) {
	x.Inbound = slices.Clone(x.Inbound)
	list := c.stock[x.SKU]
	for i := range list {
		if list[i].Site == x.Site {
			list[i] = x
			return
		}
	}
	c.stock[x.SKU] = append(list, x)
}

// putShipment stores x, indexed by its order and its tracking number; a
// shipment replaced with another order or tracking number moves in them.
func (c *Connector) putShipment(x connectors.Shipment) {
	old, ok := c.shipments[x.ID]
	if ok && old.OrderID != x.OrderID {
		if c.byOrder[old.OrderID] = dropID(c.byOrder[old.OrderID], x.ID); len(c.byOrder[old.OrderID]) == 0 {
			delete(c.byOrder, old.OrderID)
		}
	}
	if !ok || old.OrderID != x.OrderID {
		c.byOrder[x.OrderID] = append(c.byOrder[x.OrderID], x.ID)
	}
	if ok && old.TrackingNumber != x.TrackingNumber && old.TrackingNumber != "" {
		if c.byTrack[old.TrackingNumber] = dropID(c.byTrack[old.TrackingNumber], x.ID); len(c.byTrack[old.TrackingNumber]) == 0 {
			delete(c.byTrack, old.TrackingNumber)
		}
	}
	if x.TrackingNumber != "" {
		c.byTrack[x.TrackingNumber] = insertID(c.byTrack[x.TrackingNumber], x.ID)
	}
	x.Events = slices.Clone(x.Events)
	c.shipments[x.ID] = x
}

// Load reads one case file, or every *.json file of a directory (sorted by
// name), and serves their snapshots merged: a later file's record replaces
// an earlier one with the same id, and the clock is the latest snapshot time.
func Load(path string) (*Connector, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("recorded connector: %w", err)
	}
	files := []string{path}
	if info.IsDir() {
		files, err = filepath.Glob(filepath.Join(path, "*.json"))
		if err != nil {
			return nil, err
		}
		sort.Strings(files)
		if len(files) == 0 {
			return nil, fmt.Errorf("recorded connector: no *.json case files in %s", path)
		}
	}
	c := New(connectors.Snapshot{})
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("recorded connector: %w", err)
		}
		var env struct {
			Snapshot *connectors.Snapshot `json:"snapshot"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			return nil, fmt.Errorf("recorded connector: %s: %w", f, err)
		}
		if env.Snapshot == nil {
			return nil, fmt.Errorf("recorded connector: %s: no \"snapshot\" object", f)
		}
		c.merge(*env.Snapshot)
	}
	return c, nil
}

// Systems returns the connector as exdesk's three systems, its executor and clock.
func (c *Connector) Systems() connectors.Systems {
	return connectors.Systems{ERP: c, Inventory: c, Carriers: c, Executor: c, Clock: c}
}

// Now returns the snapshot's business time.
func (c *Connector) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.now
}

// SetNow moves the business clock.
func (c *Connector) SetNow(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Order implements connectors.ERP.
func (c *Connector) Order(_ context.Context, id string) (connectors.Order, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	o, ok := c.orders[id]
	if !ok {
		return connectors.Order{}, connectors.NotFound("order", id)
	}
	return cloneOrder(o), nil
}

// Customer implements connectors.ERP.
func (c *Connector) Customer(_ context.Context, id string) (connectors.Customer, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	x, ok := c.customers[id]
	if !ok {
		return connectors.Customer{}, connectors.NotFound("customer", id)
	}
	return cloneCustomer(x), nil
}

// Item implements connectors.ERP.
func (c *Connector) Item(_ context.Context, sku string) (connectors.Item, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	x, ok := c.items[sku]
	if !ok {
		return connectors.Item{}, connectors.NotFound("item", sku)
	}
	return cloneItem(x), nil
}

// CustomerOrders implements connectors.ERP.
func (c *Connector) CustomerOrders(_ context.Context, customerID string) ([]connectors.Order, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	ids := c.byCust[customerID]
	out := make([]connectors.Order, 0, len(ids))
	for _, id := range ids {
		out = append(out, cloneOrder(c.orders[id]))
	}
	return out, nil
}

// FindCustomerOrders implements connectors.CustomerOrderIndex from the
// indexes: the orders with the PO number and those created since q.Since
// (with the same lines, when q asks for them), without reading the
// customer's other orders.
func (c *Connector) FindCustomerOrders(_ context.Context, q connectors.CustomerOrderQuery) ([]connectors.Order, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	byTime := c.byCreated[q.CustomerID]
	if q.SameLines {
		byTime = nil
		if lines := connectors.LinesKey(q.Lines); lines != "" {
			byTime = c.byLines[customerLines{q.CustomerID, lines}]
		}
	}
	from, _ := slices.BinarySearchFunc(byTime, q.Since, func(id string, t time.Time) int {
		if c.orders[id].CreatedAt.Before(t) {
			return -1
		}
		return 1 // never equal: the first order at or after t
	})
	ids := slices.Clone(byTime[from:])
	if q.PONumber != "" {
		ids = append(ids, c.byPO[customerPO{q.CustomerID, q.PONumber}]...)
	}
	slices.SortFunc(ids, c.bySeq)
	ids = slices.Compact(ids)
	out := make([]connectors.Order, len(ids))
	for i, id := range ids {
		out[i] = cloneOrder(c.orders[id])
	}
	return out, nil
}

// Contracts implements connectors.ERP.
func (c *Connector) Contracts(_ context.Context, customerID string) ([]connectors.Contract, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.contracts[customerID]), nil
}

// Stock implements connectors.Inventory.
func (c *Connector) Stock(_ context.Context, sku string) ([]connectors.Stock, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	list := c.stock[sku]
	out := make([]connectors.Stock, len(list))
	for i, s := range list {
		s.Inbound = slices.Clone(s.Inbound)
		out[i] = s
	}
	return out, nil
}

// Sites implements connectors.Inventory.
func (c *Connector) Sites(context.Context) ([]connectors.Site, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]connectors.Site, len(c.sites))
	for i, s := range c.sites {
		out[i] = cloneSite(s)
	}
	return out, nil
}

// OrderShipments implements connectors.Carriers.
func (c *Connector) OrderShipments(_ context.Context, orderID string) ([]connectors.Shipment, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	ids := c.byOrder[orderID]
	out := make([]connectors.Shipment, 0, len(ids))
	for _, id := range ids {
		s := c.shipments[id]
		s.Events = slices.Clone(s.Events)
		out = append(out, s)
	}
	return out, nil
}

// Shipment implements connectors.Carriers.
func (c *Connector) Shipment(_ context.Context, id string) (connectors.Shipment, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s, ok := c.shipments[id]
	if !ok {
		return connectors.Shipment{}, connectors.NotFound("shipment", id)
	}
	s.Events = slices.Clone(s.Events)
	return s, nil
}

// Carriers implements connectors.Carriers.
func (c *Connector) Carriers(context.Context) ([]connectors.Carrier, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]connectors.Carrier, len(c.carriers))
	for i, x := range c.carriers {
		out[i] = cloneCarrier(x)
	}
	return out, nil
}

// SampleOrderIDs implements connectors.OrderSampler: at most n order
// ids, spread evenly over the sorted ids.
func (c *Connector) SampleOrderIDs(_ context.Context, n int) ([]string, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	ids := sortedKeys(c.orders)
	if n <= 0 || len(ids) <= n {
		return ids, nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = ids[i*(len(ids)-1)/max(n-1, 1)]
	}
	return out, nil
}

// PutOrder adds or replaces an order (used by the simulator and tests).
func (c *Connector) PutOrder(o connectors.Order) {
	c.mu.Lock()
	c.putOrder(o)
	c.mu.Unlock()
}

// PutShipment adds or replaces a shipment.
func (c *Connector) PutShipment(s connectors.Shipment) {
	c.mu.Lock()
	c.putShipment(s)
	c.mu.Unlock()
}

// PutStock adds or replaces a sku's stock at one site.
func (c *Connector) PutStock(s connectors.Stock) {
	c.mu.Lock()
	c.putStock(s)
	c.mu.Unlock()
}

// PutCustomer adds or replaces a customer.
func (c *Connector) PutCustomer(x connectors.Customer) {
	c.mu.Lock()
	c.customers[x.ID] = cloneCustomer(x)
	c.mu.Unlock()
}

// Executions returns the log of executed actions, oldest first.
func (c *Connector) Executions() []connectors.Execution {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.execs)
}

// Execution returns the execution recorded under an action id.
func (c *Connector) Execution(_ context.Context, id string) (connectors.Execution, bool, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.execByID[id]
	return e, ok, nil
}

// Snapshot returns the current state as a snapshot, ids sorted.
func (c *Connector) Snapshot() connectors.Snapshot {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s := connectors.Snapshot{Now: c.now}
	for _, k := range sortedKeys(c.customers) {
		s.Customers = append(s.Customers, cloneCustomer(c.customers[k]))
	}
	for _, k := range sortedKeys(c.items) {
		s.Items = append(s.Items, cloneItem(c.items[k]))
	}
	for _, k := range sortedKeys(c.orders) {
		s.Orders = append(s.Orders, cloneOrder(c.orders[k]))
	}
	for _, k := range sortedKeys(c.stock) {
		s.Inventory = append(s.Inventory, c.stock[k]...)
	}
	for _, k := range sortedKeys(c.contracts) {
		s.Contracts = append(s.Contracts, c.contracts[k]...)
	}
	for _, k := range sortedKeys(c.shipments) {
		s.Shipments = append(s.Shipments, c.shipments[k])
	}
	s.Carriers = slices.Clone(c.carriers)
	s.Sites = slices.Clone(c.sites)
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidAction, fmt.Sprintf(format, args...))
}

// Execute implements connectors.Executor. It applies a to the in-memory
// state. An action executed before under the same non-empty ID is not
// applied again; its first execution is returned with Replayed set.
func (c *Connector) Execute(_ context.Context, a connectors.Action) (connectors.Execution, error) {
	if err := a.CheckArgs(); err != nil {
		return connectors.Execution{}, fmt.Errorf("%w: %w", ErrInvalidAction, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if a.ID != "" {
		if prev, ok := c.execByID[a.ID]; ok {
			prev.Replayed = true
			return prev, nil
		}
	}
	o, ok := c.orders[a.OrderID]
	if !ok {
		return connectors.Execution{}, connectors.NotFound("order", a.OrderID)
	}
	spec, _ := connectors.LookupAction(a.Type)
	detail, err := c.apply(&o, a)
	if err != nil {
		return connectors.Execution{}, err
	}
	c.putOrder(o) // reindexed: a price or an item may have changed its lines
	e := connectors.Execution{ActionID: a.ID, Type: a.Type, OrderID: a.OrderID, System: spec.System, Detail: detail, At: c.now}
	c.execs = append(c.execs, e)
	if a.ID != "" {
		c.execByID[a.ID] = e
	}
	return e, nil
}

func (c *Connector) apply(o *connectors.Order, a connectors.Action) (string, error) {
	switch a.Type {
	case connectors.ActReleaseHold:
		code := a.Str("hold_code")
		if !o.HasHold(code) {
			return "", invalid("order %s has no %s hold", o.ID, code)
		}
		o.Holds = slices.DeleteFunc(o.Holds, func(h connectors.Hold) bool { return h.Code == code })
		if len(o.Holds) == 0 && o.Status == connectors.StatusOnHold {
			o.Status = connectors.StatusOpen
		}
		return fmt.Sprintf("%s hold released on %s", code, o.ID), nil
	case connectors.ActAllocateFromSite:
		site := a.Str("site")
		lines := a.Ints("lines")
		for _, n := range lines {
			l, ok := o.Line(n)
			if !ok {
				return "", invalid("order %s has no line %d", o.ID, n)
			}
			if !c.allocate(l.SKU, site, l.Qty) {
				return "", invalid("site %s does not stock %s", site, l.SKU)
			}
		}
		return fmt.Sprintf("%s of %s allocated from %s", linesWords(lines), o.ID, site), nil
	case connectors.ActSubstituteItem:
		n, sku := a.Int("line"), a.Str("sku")
		i := lineIndex(*o, n)
		if i < 0 {
			return "", invalid("order %s has no line %d", o.ID, n)
		}
		it, ok := c.items[sku]
		if !ok {
			return "", invalid("unknown item %s", sku)
		}
		old := o.Lines[i].SKU
		o.Lines[i].SKU, o.Lines[i].UOM = sku, it.UOM
		return fmt.Sprintf("line %d of %s: %s replaced by %s", n, o.ID, old, sku), nil
	case connectors.ActPartialShip:
		o.Status = connectors.StatusReleased
		return fmt.Sprintf("%s released to ship what is available; the rest is backordered", o.ID), nil
	case connectors.ActRescheduleOrder:
		d, _ := connectors.ParseDate(a.Str("new_ship_date"))
		old := o.RequestedShipDate
		o.RequestedShipDate = d
		return fmt.Sprintf("%s ship date moved from %s to %s", o.ID, old, d), nil
	case connectors.ActExpediteShipment, connectors.ActRebookCarrier:
		return c.applyShipment(o, a)
	case connectors.ActCorrectPrice:
		n := a.Int("line")
		i := lineIndex(*o, n)
		if i < 0 {
			return "", invalid("order %s has no line %d", o.ID, n)
		}
		old := o.Lines[i].UnitPrice
		o.Lines[i].UnitPrice = a.Money("price")
		return fmt.Sprintf("line %d of %s repriced from %s to %s", n, o.ID,
			connectors.FormatUSD(connectors.Cents(old)), connectors.FormatUSD(connectors.Cents(o.Lines[i].UnitPrice))), nil
	case connectors.ActCancelOrder:
		if o.Status == connectors.StatusShipped || o.Status == connectors.StatusCancelled {
			return "", invalid("order %s is %s", o.ID, o.Status)
		}
		o.Status = connectors.StatusCancelled
		return fmt.Sprintf("%s cancelled: %s", o.ID, a.Str("reason")), nil
	default: // tasks: nothing changes in a system of record
		return connectors.TaskDetail(a), nil
	}
}

func (c *Connector) applyShipment(o *connectors.Order, a connectors.Action) (string, error) {
	id := a.Str("shipment_id")
	sh, ok := c.shipments[id]
	if !ok || sh.OrderID != o.ID {
		return "", invalid("order %s has no shipment %s", o.ID, id)
	}
	code, level := sh.Carrier, sh.ServiceLevel
	if a.Type == connectors.ActRebookCarrier {
		code = a.Str("carrier")
	} else {
		level = a.Str("service_level")
	}
	carrier, found := connectors.FindCarrier(c.carriers, code)
	if !found {
		return "", invalid("unknown carrier %s", code)
	}
	var svc connectors.Service
	if a.Type == connectors.ActRebookCarrier {
		// Carriers name their services differently: the shipment moves to
		// the target's cheapest service no slower than its current one.
		svc, ok = connectors.RebookService(c.carriers, carrier, sh.Carrier, sh.ServiceLevel)
		if !ok {
			return "", invalid("carrier %s has no service as fast as %s %s", code, sh.Carrier, sh.ServiceLevel)
		}
		level = svc.ServiceLevel
	} else if svc, ok = carrier.Service(level); !ok {
		return "", invalid("carrier %s has no service %s", code, level)
	}
	old := sh.Carrier + " " + sh.ServiceLevel
	sh.Carrier, sh.ServiceLevel, sh.FreightCost = code, level, svc.CostPerOrder
	c.shipments[id] = sh
	o.Carrier, o.ServiceLevel = code, level
	return fmt.Sprintf("shipment %s moved from %s to %s %s (%s)", id, old, code, level, connectors.FormatUSD(connectors.Cents(svc.CostPerOrder))), nil
}

// linesWords says line numbers: "line 2", "lines 2, 3".
func linesWords(lines []int) string {
	s := make([]string, len(lines))
	for i, n := range lines {
		s[i] = strconv.Itoa(n)
	}
	if len(lines) == 1 {
		return "line " + s[0]
	}
	return "lines " + strings.Join(s, ", ")
}

func (c *Connector) allocate(sku, site string, qty int) bool {
	list := c.stock[sku]
	for i := range list {
		if list[i].Site == site {
			list[i].Allocated += qty
			return true
		}
	}
	return false
}

func lineIndex(o connectors.Order, n int) int {
	return slices.IndexFunc(o.Lines, func(l connectors.Line) bool { return l.Line == n })
}

func cloneOrder(o connectors.Order) connectors.Order {
	o.Holds = slices.Clone(o.Holds)
	o.Lines = slices.Clone(o.Lines)
	return o
}

func cloneCustomer(c connectors.Customer) connectors.Customer {
	c.Documents = slices.Clone(c.Documents)
	return c
}

func cloneItem(i connectors.Item) connectors.Item {
	i.Substitutes = slices.Clone(i.Substitutes)
	return i
}

func cloneCarrier(c connectors.Carrier) connectors.Carrier {
	c.Services = slices.Clone(c.Services)
	c.LanesWithoutCapacity = slices.Clone(c.LanesWithoutCapacity)
	return c
}

func cloneSite(s connectors.Site) connectors.Site {
	s.Lanes = slices.Clone(s.Lanes)
	return s
}

// ShipmentByTracking implements connectors.ShipmentByTracking: the
// shipment whose tracking number is number.
func (c *Connector) ShipmentByTracking(_ context.Context, number string) (connectors.Shipment, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if ids := c.byTrack[number]; number != "" && len(ids) > 0 {
		s := c.shipments[ids[0]] // the first by id, when several share it
		s.Events = slices.Clone(s.Events)
		return s, nil
	}
	return connectors.Shipment{}, connectors.NotFound("shipment", number)
}

// OrdersByPO implements connectors.OrdersByPO.
func (c *Connector) OrdersByPO(_ context.Context, po string) ([]connectors.Order, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []connectors.Order
	if po == "" {
		return out, nil
	}
	for _, id := range c.byPONum[po] {
		out = append(out, cloneOrder(c.orders[id]))
	}
	return out, nil
}
