package sim

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
)

// Defaults of Options; a zero field takes its default.
const (
	DefaultSeed      = 1
	DefaultOrders    = 2000
	DefaultCustomers = 300
	// DefaultDay is the simulated business day.
	DefaultDay = "2026-11-26"
	// minCustomers keeps every customer pool (credit risk, documents) populated.
	minCustomers = 60
)

// Options configures a simulated day. The zero value is the default day.
type Options struct {
	// Seed selects the world and the day; the same seed and options give a
	// byte-identical world and event stream. 0 means DefaultSeed.
	Seed int64
	// Orders is the number of orders created through the day. 0 means
	// DefaultOrders.
	Orders int
	// Day is the business day. The zero Date means DefaultDay.
	Day connectors.Date
	// Customers is the number of customer accounts (at least 60). 0 means
	// DefaultCustomers.
	Customers int
}

func (o Options) withDefaults() Options {
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Orders <= 0 {
		o.Orders = DefaultOrders
	}
	if o.Day.IsZero() {
		o.Day = connectors.MustDate(DefaultDay)
	}
	if o.Customers <= 0 {
		o.Customers = DefaultCustomers
	}
	o.Customers = max(o.Customers, minCustomers)
	return o
}

// Sim is a seeded simulated distributor: a world of customers, items,
// sites, carriers, contracts and stock, and one business day of orders and
// source-system events in which every exception class of the taxonomy
// occurs. Its systems are a recorded.Connector that starts with the world
// and no orders; Apply plays the day's events into it one by one.
//
// A Sim is safe for concurrent use.
type Sim struct {
	opts     Options
	conn     *recorded.Connector
	events   []connectors.Event
	orderIDs []string
	injected map[string][]string
	scenario map[string]string

	mu      sync.Mutex
	applied map[string]bool
}

// New builds the world and the day of opts. It does not apply any event:
// the connector holds the world and no orders until Apply is called.
func New(opts Options) *Sim {
	opts = opts.withDefaults()
	seed := uint64(opts.Seed)
	w := buildWorld(rand.New(rand.NewPCG(seed, 0x5eed_0001)), opts.Day, opts.Customers)
	// The connector copies the world, so the generator may change its own
	// copy of the stock as the day goes.
	conn := recorded.New(w.snapshot(opts.Day))
	g := &dayGen{
		r:        rand.New(rand.NewPCG(seed, 0x5eed_0002)),
		w:        w,
		byID:     map[string]*orderRec{},
		lineKeys: map[string][]*orderRec{},
	}
	g.poBase = g.r.IntN(900000)
	g.run(opts.Orders, opts.Day)
	s := &Sim{
		opts:     opts,
		conn:     conn,
		events:   g.finish(opts.Day),
		injected: make(map[string][]string, len(g.orders)),
		scenario: make(map[string]string, len(g.orders)),
		applied:  map[string]bool{},
	}
	for _, o := range g.orders {
		s.orderIDs = append(s.orderIDs, o.o.ID)
		s.injected[o.o.ID] = sortClasses(o.classes)
		s.scenario[o.o.ID] = o.scenario
	}
	return s
}

func sortClasses(cs []string) []string {
	out := []string{}
	for _, c := range Classes() {
		if slices.Contains(cs, c) {
			out = append(out, c)
		}
	}
	return out
}

func marshal(v any) (json.RawMessage, error) { return json.Marshal(v) }

// Options returns the options the Sim was built with, defaults filled in.
func (s *Sim) Options() Options { return s.opts }

// Systems returns the simulated ERP, inventory and carrier systems, their
// executor and clock (the connector's).
func (s *Sim) Systems() connectors.Systems { return s.conn.Systems() }

// Connector returns the in-memory connector the events are applied to.
func (s *Sim) Connector() *recorded.Connector { return s.conn }

// Events returns the whole day's events in time order: times strictly
// increase and ids are unique. The slice is a copy.
func (s *Sim) Events() []connectors.Event { return slices.Clone(s.events) }

// Apply applies the event's state change to the connector (an order is
// created, a hold placed, a price changed, a shipment planned or updated,
// stock adjusted) and moves the connector's clock to e.At. Changes are
// applied to the connector's current state, so actions executed between
// events are kept. An event whose id was applied before changes nothing
// again; one whose payload is not understood only moves the clock.
func (s *Sim) Apply(e connectors.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.ID != "" && s.applied[e.ID] {
		return
	}
	if apply(s.conn, e) && e.ID != "" {
		s.applied[e.ID] = true
	}
	if !e.At.IsZero() {
		s.conn.SetNow(e.At)
	}
}

// ApplyAll applies every event of the day in order and returns the last
// event's time (the end of the business day's activity).
func (s *Sim) ApplyAll() time.Time {
	var last time.Time
	for _, e := range s.events {
		s.Apply(e)
		last = e.At
	}
	return last
}

// Injected returns the exception classes the simulator injected into the
// order, in taxonomy order; empty for a clean order or an unknown id. It is
// ground truth for tests and the demo's KPI check; planners never read it.
func (s *Sim) Injected(orderID string) []string { return slices.Clone(s.injected[orderID]) }

// Scenario returns how the order's exceptions were injected, such as
// "credit:over_limit" or "shortage:other_site_covers+pricing:small_delta";
// empty for a clean order.
func (s *Sim) Scenario(orderID string) string { return s.scenario[orderID] }

// OrderIDs returns the ids of the day's orders in creation order.
func (s *Sim) OrderIDs() []string { return slices.Clone(s.orderIDs) }
