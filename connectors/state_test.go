package connectors_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestShipmentStateMerge(t *testing.T) {
	sd := connectors.ShipmentEvent{At: at("2026-11-26T10:00:00Z"), Code: "SD", Reason: "AO", Location: "Omaha, NE"}
	x6 := connectors.ShipmentEvent{At: at("2026-11-26T12:00:00Z"), Code: "X6", Reason: "NS"}
	base := connectors.ShipmentState{ShipmentID: "SH-1", Status: connectors.ShipException, ETA: at("2026-11-29T12:00:00Z"),
		Events: []connectors.ShipmentEvent{sd}, At: sd.At, EventID: "e1"}
	tests := []struct {
		name        string
		u           connectors.ShipmentState
		wantApplied bool
		wantStatus  string
		wantETA     time.Time
		wantEvents  int
		wantAt      time.Time
	}{
		{name: "newer replaces what it says, keeps the ETA it does not",
			u:           connectors.ShipmentState{Status: connectors.ShipInTransit, Events: []connectors.ShipmentEvent{x6}, At: x6.At, EventID: "e2"},
			wantApplied: true, wantStatus: connectors.ShipInTransit, wantETA: at("2026-11-29T12:00:00Z"), wantEvents: 2, wantAt: x6.At},
		{name: "older never overwrites, its events still join the history",
			u: connectors.ShipmentState{Status: connectors.ShipPickedUp, ETA: at("2026-11-27T12:00:00Z"), At: at("2026-11-25T08:00:00Z"),
				Events: []connectors.ShipmentEvent{{At: at("2026-11-25T08:00:00Z"), Code: "AF"}}, EventID: "e0"},
			wantApplied: false, wantStatus: connectors.ShipException, wantETA: at("2026-11-29T12:00:00Z"), wantEvents: 2, wantAt: sd.At},
		{name: "the same event again changes nothing",
			u:           base,
			wantApplied: true, wantStatus: connectors.ShipException, wantETA: at("2026-11-29T12:00:00Z"), wantEvents: 1, wantAt: sd.At},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, applied := base.Merge(tt.u)
			if applied != tt.wantApplied || got.Status != tt.wantStatus || !got.ETA.Equal(tt.wantETA) ||
				len(got.Events) != tt.wantEvents || !got.At.Equal(tt.wantAt) {
				t.Fatalf("Merge = %+v, applied %v", got, applied)
			}
			if got.ShipmentID != "SH-1" {
				t.Fatalf("shipment id lost: %+v", got)
			}
		})
	}
}

func TestMergeShipmentEventsBounded(t *testing.T) {
	var evs []connectors.ShipmentEvent
	for i := range connectors.MaxStateEvents + 10 {
		evs = append(evs, connectors.ShipmentEvent{At: at("2026-11-01T00:00:00Z").Add(time.Duration(i) * time.Hour), Code: "X6"})
	}
	got := connectors.MergeShipmentEvents(evs[:30], evs[20:])
	if len(got) != connectors.MaxStateEvents || !got[len(got)-1].At.Equal(evs[len(evs)-1].At) {
		t.Fatalf("got %d events ending %v", len(got), got[len(got)-1].At)
	}
}

func TestShipmentStateApply(t *testing.T) {
	sh := connectors.Shipment{ID: "SH-1", Status: connectors.ShipInTransit, ETA: at("2026-11-28T12:00:00Z"),
		Events: []connectors.ShipmentEvent{{At: at("2026-11-26T09:00:00Z"), Code: "X6"}}}
	newer := connectors.ShipmentState{Status: connectors.ShipException, ETA: at("2026-12-01T12:00:00Z"), At: at("2026-11-26T10:00:00Z"),
		TrackingNumber: "1Z9", Events: []connectors.ShipmentEvent{{At: at("2026-11-26T10:00:00Z"), Code: "SD", Reason: "AO"}}}
	got := newer.Apply(sh)
	if got.Status != connectors.ShipException || !got.ETA.Equal(newer.ETA) || len(got.Events) != 2 || got.TrackingNumber != "1Z9" {
		t.Fatalf("newer state not applied: %+v", got)
	}
	older := newer
	older.At = at("2026-11-26T08:00:00Z")
	got = older.Apply(sh)
	if got.Status != connectors.ShipInTransit || !got.ETA.Equal(sh.ETA) || len(got.Events) != 2 {
		t.Fatalf("a state older than the system of record changed status or ETA: %+v", got)
	}
}

func TestApplyInbound(t *testing.T) {
	qty := func(n int) *int { return &n }
	s := connectors.Stock{SKU: "SKU-1", Site: "DC-CHI", OnHand: 5, Inbound: []connectors.Inbound{
		{Ref: "PO-1", Qty: 40, ETA: connectors.MustDate("2026-11-30")}, {Ref: "PO-2", Qty: 10, ETA: connectors.MustDate("2026-12-02")}}}
	tests := []struct {
		name   string
		states []connectors.InboundState
		want   []connectors.Inbound
	}{
		{"new date", []connectors.InboundState{{SKU: "SKU-1", Ref: "PO-1", ETA: connectors.MustDate("2026-12-09")}},
			[]connectors.Inbound{{Ref: "PO-1", Qty: 40, ETA: connectors.MustDate("2026-12-09")}, s.Inbound[1]}},
		{"new qty at this site", []connectors.InboundState{{SKU: "SKU-1", Ref: "PO-2", Site: "DC-CHI", Qty: qty(4)}},
			[]connectors.Inbound{s.Inbound[0], {Ref: "PO-2", Qty: 4, ETA: connectors.MustDate("2026-12-02")}}},
		{"other site ignored", []connectors.InboundState{{SKU: "SKU-1", Ref: "PO-2", Site: "DC-ATL", Qty: qty(4)}}, s.Inbound},
		{"rejected line removed", []connectors.InboundState{{SKU: "SKU-1", Ref: "PO-1", Qty: qty(0)}}, s.Inbound[1:]},
		{"unknown receipt not added", []connectors.InboundState{{SKU: "SKU-1", Ref: "PO-9", Qty: qty(99)}}, s.Inbound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := connectors.ApplyInbound(s, tt.states)
			if len(got.Inbound) != len(tt.want) {
				t.Fatalf("inbound = %+v, want %+v", got.Inbound, tt.want)
			}
			for i := range tt.want {
				if got.Inbound[i] != tt.want[i] {
					t.Fatalf("inbound = %+v, want %+v", got.Inbound, tt.want)
				}
			}
			if s.Inbound[0].Qty != 40 {
				t.Fatal("ApplyInbound changed its argument")
			}
		})
	}
}

// fakeState is a StateReader over maps.
type fakeState struct {
	ships   map[string]connectors.ShipmentState
	inbound map[string][]connectors.InboundState
	err     error
}

func (f fakeState) ShipmentState(_ context.Context, id, tracking string) (connectors.ShipmentState, bool, error) {
	if f.err != nil {
		return connectors.ShipmentState{}, false, f.err
	}
	if st, ok := f.ships[id]; ok {
		return st, true, nil
	}
	st, ok := f.ships[tracking]
	return st, ok && tracking != "", nil
}

func (f fakeState) InboundStates(_ context.Context, sku string) ([]connectors.InboundState, error) {
	return f.inbound[sku], f.err
}

func TestWithState(t *testing.T) {
	ctx := context.Background()
	rc := recorded.New(connectors.Snapshot{
		Shipments: []connectors.Shipment{{ID: "SH-1", OrderID: "SO-1", TrackingNumber: "1Z9", Status: connectors.ShipInTransit},
			{ID: "SH-2", OrderID: "SO-1", Status: connectors.ShipPlanned}},
		Inventory: []connectors.Stock{{SKU: "SKU-1", Site: "DC-CHI", Inbound: []connectors.Inbound{{Ref: "PO-1", Qty: 5, ETA: connectors.MustDate("2026-11-30")}}}},
	})
	st := fakeState{
		ships:   map[string]connectors.ShipmentState{"1Z9": {TrackingNumber: "1Z9", Status: connectors.ShipDelivered, At: at("2026-11-27T10:00:00Z")}},
		inbound: map[string][]connectors.InboundState{"SKU-1": {{SKU: "SKU-1", Ref: "PO-1", ETA: connectors.MustDate("2026-12-07")}}},
	}
	sys := connectors.WithState(rc.Systems(), st)
	shs, err := sys.Carriers.OrderShipments(ctx, "SO-1")
	if err != nil || len(shs) != 2 || shs[0].Status != connectors.ShipDelivered || shs[1].Status != connectors.ShipPlanned {
		t.Fatalf("OrderShipments = %+v, %v", shs, err)
	}
	if sh, err := sys.Carriers.Shipment(ctx, "SH-1"); err != nil || sh.Status != connectors.ShipDelivered {
		t.Fatalf("Shipment = %+v, %v", sh, err)
	}
	byTracking, ok := sys.Carriers.(connectors.ShipmentByTracking)
	if !ok {
		t.Fatal("the overlay hides the base system's ShipmentByTracking")
	}
	if sh, err := byTracking.ShipmentByTracking(ctx, "1Z9"); err != nil || sh.ID != "SH-1" || sh.Status != connectors.ShipDelivered {
		t.Fatalf("ShipmentByTracking = %+v, %v", sh, err)
	}
	if _, err := byTracking.ShipmentByTracking(ctx, "nope"); !errors.Is(err, connectors.ErrNotFound) {
		t.Fatalf("unknown tracking number: %v", err)
	}
	stock, err := sys.Inventory.Stock(ctx, "SKU-1")
	if err != nil || stock[0].Inbound[0].ETA != connectors.MustDate("2026-12-07") {
		t.Fatalf("Stock = %+v, %v", stock, err)
	}
	boom := errors.New("store down")
	failing := connectors.WithState(rc.Systems(), fakeState{err: boom})
	if _, err := failing.Carriers.OrderShipments(ctx, "SO-1"); !errors.Is(err, boom) {
		t.Fatalf("a state read failure must not be hidden: %v", err)
	}
}

func TestEventState(t *testing.T) {
	q := 3
	e := connectors.Event{ID: "e1", Source: "edi", At: at("2026-11-26T10:00:00Z"), OrderID: "SO-1",
		Shipment: &connectors.ShipmentUpdate{ShipmentID: "SH-1", Status: connectors.ShipException},
		Inbound:  []connectors.InboundUpdate{{SKU: "SKU-1", Ref: "PO-1", Qty: &q}}}
	if !e.CarriesState() {
		t.Fatal("CarriesState = false")
	}
	st, ok := connectors.ShipmentStateOf(e)
	if !ok || st.ShipmentID != "SH-1" || st.OrderID != "SO-1" || st.EventID != "e1" || !st.At.Equal(e.At) {
		t.Fatalf("ShipmentStateOf = %+v", st)
	}
	in := connectors.InboundStatesOf(e)
	q = 9
	if len(in) != 1 || *in[0].Qty != 3 {
		t.Fatalf("InboundStatesOf = %+v (must copy the quantity)", in)
	}
}
