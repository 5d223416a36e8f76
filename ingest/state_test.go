package ingest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/store/sqlite"
)

func stateSystems() *recorded.Connector {
	return recorded.New(connectors.Snapshot{
		Orders: []connectors.Order{{ID: "SO-1", CustomerID: "C-1", PONumber: "PO-77", Status: connectors.StatusReleased},
			{ID: "SO-2", CustomerID: "C-1", PONumber: "PO-88", Status: connectors.StatusReleased}},
		Shipments: []connectors.Shipment{{ID: "SH-1", OrderID: "SO-1", TrackingNumber: "1Z999", Status: connectors.ShipInTransit},
			{ID: "SH-2", OrderID: "SO-2", Status: connectors.ShipTendered}},
	})
}

func openSQLite(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), "", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func TestStateKeeperResolve(t *testing.T) {
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	ship := func(order string, u connectors.ShipmentUpdate) connectors.Event {
		u.Status = connectors.ShipException
		u.Events = []connectors.ShipmentEvent{{At: at, Code: "SD", Reason: "AO"}}
		return connectors.Event{ID: "e-" + u.ShipmentID + u.TrackingNumber, Source: "tms", Type: connectors.EventShipmentStatus, OrderID: order, At: at, Shipment: &u}
	}
	qty := 0
	tests := []struct {
		name        string
		ev          connectors.Event
		wantOrder   string
		wantOutcome string // "" for none
		stateKey    [2]string
	}{
		{"by tracking number", ship("", connectors.ShipmentUpdate{TrackingNumber: "1Z999"}), "SO-1", "", [2]string{"SH-1", "1Z999"}},
		{"by shipment id", ship("", connectors.ShipmentUpdate{ShipmentID: "SH-2"}), "SO-2", "", [2]string{"SH-2", ""}},
		{"a tracking number that is the shipment id", ship("", connectors.ShipmentUpdate{TrackingNumber: "SH-2"}), "SO-2", "", [2]string{"SH-2", "SH-2"}},
		{"by bill of lading as a tracking number", ship("", connectors.ShipmentUpdate{References: map[string]string{"BM": "1Z999"}}), "SO-1", "", [2]string{"SH-1", ""}},
		{"by the order's only shipment", ship("SO-2", connectors.ShipmentUpdate{ShipmentID: "LOAD-9"}), "SO-2", "", [2]string{"LOAD-9", ""}},
		{"shipment id that is the order number", ship("", connectors.ShipmentUpdate{ShipmentID: "SO-2"}), "SO-2", "", [2]string{"SO-2", ""}},
		{"by purchase order", ship("", connectors.ShipmentUpdate{ShipmentID: "X", References: map[string]string{"PO": "PO-88"}}), "SO-2", "", [2]string{"X", ""}},
		{"an order number under any qualifier", ship("", connectors.ShipmentUpdate{ShipmentID: "LOAD-1", References: map[string]string{"ZZ": "SO-2"}}), "SO-2", "", [2]string{"LOAD-1", ""}},
		{"the shipment's order wins over the named one", ship("SO-2", connectors.ShipmentUpdate{TrackingNumber: "1Z999"}), "SO-1", "", [2]string{"SH-1", "1Z999"}},
		{"unknown everywhere", ship("", connectors.ShipmentUpdate{TrackingNumber: "9400NOPE"}), "", OutcomeUnmatched, [2]string{"", "9400NOPE"}},
		{"order known, tracking contradicts", ship("SO-1", connectors.ShipmentUpdate{TrackingNumber: "OTHER"}), "SO-1", OutcomeUnmatched, [2]string{"", "OTHER"}},
		{"inbound without an order", connectors.Event{ID: "e-in", Source: "edi", Type: connectors.EventInventoryChanged, At: at,
			Inbound: []connectors.InboundUpdate{{SKU: "SKU-1", Ref: "PO-V-1", Qty: &qty}}}, "", OutcomeStateOnly, [2]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openSQLite(t)
			m := NewMetrics(nil)
			k := &StateKeeper{Store: st, Systems: stateSystems().Systems(), Metrics: m, Log: testLog(t)}
			ev := tt.ev
			err := k.Resolve(context.Background(), &ev)
			var skip *SkipError
			switch {
			case tt.wantOutcome == "" && err != nil:
				t.Fatalf("Resolve: %v", err)
			case tt.wantOutcome != "" && (!errors.As(err, &skip) || skip.Outcome != tt.wantOutcome):
				t.Fatalf("Resolve = %v, want outcome %s", err, tt.wantOutcome)
			}
			if ev.OrderID != tt.wantOrder {
				t.Fatalf("order = %q, want %q", ev.OrderID, tt.wantOrder)
			}
			if ev.Shipment != nil {
				got, ok, err := st.ShipmentState(context.Background(), tt.stateKey[0], tt.stateKey[1])
				if err != nil || !ok || got.Status != connectors.ShipException || got.EventID != ev.ID {
					t.Fatalf("kept state = %+v, %v, %v", got, ok, err)
				}
			} else if ins, _ := st.InboundStates(context.Background(), "SKU-1"); len(ins) != 1 || *ins[0].Qty != 0 {
				t.Fatalf("inbound states = %+v", ins)
			}
			if tt.wantOutcome == OutcomeUnmatched && testutilValue(m.Unmatched) != 1 {
				t.Fatal("an unmatched shipment is not counted")
			}
		})
	}
}

type failingStore struct{ err error }

func (f failingStore) PutShipmentState(context.Context, connectors.ShipmentState) (bool, error) {
	return false, f.err
}
func (f failingStore) PutInboundState(context.Context, connectors.InboundState) (bool, error) {
	return false, f.err
}

func TestStateKeeperStoreFailureIsRetried(t *testing.T) {
	boom := errors.New("store down")
	k := &StateKeeper{Store: failingStore{boom}, Systems: stateSystems().Systems()}
	ev := connectors.Event{ID: "e", Source: "tms", Type: connectors.EventShipmentStatus, At: time.Now(),
		Shipment: &connectors.ShipmentUpdate{TrackingNumber: "1Z999", Status: connectors.ShipDelivered}}
	err := k.Resolve(context.Background(), &ev)
	var skip *SkipError
	if !errors.Is(err, boom) || errors.As(err, &skip) {
		t.Fatalf("Resolve = %v, want the store's error (to retry)", err)
	}
}

// Workers with a resolver: an event naming only a tracking number reaches
// the processor with its order; one whose shipment no system knows is
// acknowledged as unmatched and never processed.
func TestWorkersResolveBeforeProcessing(t *testing.T) {
	rdb := miniRedis(t)
	names := testNames(t, rdb)
	st := openSQLite(t)
	o := fastOptions(t, names, "c1")
	o.Resolver = &StateKeeper{Store: st, Systems: stateSystems().Systems(), Metrics: o.Metrics}
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	evs := []connectors.Event{
		{ID: "wh-1", Source: "tms", Type: connectors.EventShipmentStatus, At: at, Shipment: &connectors.ShipmentUpdate{TrackingNumber: "1Z999", Status: connectors.ShipDelivered}},
		{ID: "wh-2", Source: "tms", Type: connectors.EventShipmentStatus, At: at, Shipment: &connectors.ShipmentUpdate{TrackingNumber: "NOPE", Status: connectors.ShipDelivered}},
	}
	if _, err := NewPublisher(rdb, PublisherOptions{Names: names}).Publish(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	p := newCounting()
	runUntil(t, rdb, p, o, func() bool { return processedTotal(o.Metrics) == 2 })
	if p.count() != 1 || p.processed["wh-1"] != 1 {
		t.Fatalf("processed %v, want only wh-1", p.processed)
	}
	if n := testutilValue(o.Metrics.Processed.WithLabelValues(OutcomeUnmatched)); n != 1 {
		t.Fatalf("unmatched outcome counted %v times", n)
	}
	if pending, _ := rdb.XPending(context.Background(), names.Stream, names.Group).Result(); pending.Count != 0 {
		t.Fatalf("%d entries left pending", pending.Count)
	}
}

// What the investigation sees: after the keeper kept a supplier's new date
// and a carrier's delay, the connectors wrapped with the store show them.
func TestKeptStateShowsThroughTheConnectors(t *testing.T) {
	ctx := context.Background()
	rc := stateSystems()
	rc.PutStock(connectors.Stock{SKU: "SKU-1", Site: "DC-CHI", OnHand: 5,
		Inbound: []connectors.Inbound{{Ref: "PO-V-1", Qty: 40, ETA: connectors.MustDate("2026-11-30")}}})
	st := openSQLite(t)
	k := &StateKeeper{Store: st, Systems: rc.Systems()}
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	events := []connectors.Event{
		{ID: "asn", Source: "edi", Type: connectors.EventInventoryChanged, At: at,
			Inbound: []connectors.InboundUpdate{{SKU: "SKU-1", Site: "DC-CHI", Ref: "PO-V-1", ETA: connectors.MustDate("2026-12-12")}}},
		{ID: "older-asn", Source: "edi", Type: connectors.EventInventoryChanged, At: at.Add(-time.Hour),
			Inbound: []connectors.InboundUpdate{{SKU: "SKU-1", Ref: "PO-V-1", ETA: connectors.MustDate("2026-11-28")}}},
		{ID: "214", Source: "edi", Type: connectors.EventShipmentStatus, At: at, Shipment: &connectors.ShipmentUpdate{ShipmentID: "SH-1",
			Status: connectors.ShipException, ETA: at.Add(96 * time.Hour), Events: []connectors.ShipmentEvent{{At: at, Code: "SD", Reason: "AO", Location: "Omaha, NE"}}}},
	}
	for _, ev := range events {
		var skip *SkipError
		if err := k.Resolve(ctx, &ev); err != nil && !errors.As(err, &skip) {
			t.Fatal(err)
		}
	}
	sys := connectors.WithState(rc.Systems(), st)
	stock, err := sys.Inventory.Stock(ctx, "SKU-1")
	if err != nil || len(stock) != 1 || stock[0].Inbound[0].ETA != connectors.MustDate("2026-12-12") {
		t.Fatalf("stock = %+v, %v: the newest supplier date must show, the older one not", stock, err)
	}
	shs, err := sys.Carriers.OrderShipments(ctx, "SO-1")
	if err != nil || shs[0].Status != connectors.ShipException || len(shs[0].Events) != 1 || !connectors.IsExceptionEvent(shs[0].Events[0]) {
		t.Fatalf("shipments = %+v, %v", shs, err)
	}
}
