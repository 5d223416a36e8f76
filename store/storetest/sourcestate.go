package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/store"
)

func stateAt(h int) time.Time { return time.Date(2026, 11, 26, h, 0, 0, 0, time.UTC) }

func testShipmentState(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	if _, err := s.PutShipmentState(ctx, connectors.ShipmentState{Status: "exception"}); err == nil {
		t.Fatal("a state without shipment id or tracking number was kept")
	} else {
		wantErr(t, "PutShipmentState without a key", err, store.ErrInvalid)
	}
	if _, ok, err := s.ShipmentState(ctx, "SH-none", ""); err != nil || ok {
		t.Fatalf("ShipmentState of nothing = %v, %v", ok, err)
	}
	sd := connectors.ShipmentEvent{At: stateAt(10), Code: "SD", Reason: "AO", Description: "weather", Location: "Omaha, NE"}
	first := connectors.ShipmentState{ShipmentID: "SH-1", OrderID: "SO-1", Carrier: "RDLS", Status: "exception",
		ETA: stateAt(20).Add(72 * time.Hour), Events: []connectors.ShipmentEvent{sd}, At: sd.At, EventID: "e1", Source: "edi"}
	put := func(st connectors.ShipmentState, wantApplied bool) {
		t.Helper()
		applied, err := s.PutShipmentState(ctx, st)
		if err != nil || applied != wantApplied {
			t.Fatalf("PutShipmentState(%s) = %v, %v; want applied %v", st.EventID, applied, err, wantApplied)
		}
	}
	get := func(id, tracking string) connectors.ShipmentState {
		t.Helper()
		st, ok, err := s.ShipmentState(ctx, id, tracking)
		if err != nil || !ok {
			t.Fatalf("ShipmentState(%q, %q) = %v, %v", id, tracking, ok, err)
		}
		return st
	}
	put(first, true)
	put(first, true) // the same report again: same state
	if got := get("SH-1", ""); got.Status != "exception" || got.OrderID != "SO-1" || len(got.Events) != 1 ||
		got.Events[0] != sd || !got.ETA.Equal(first.ETA) || got.EventID != "e1" || got.Source != "edi" {
		t.Fatalf("kept state = %+v", got)
	}
	// An older report does not overwrite; its event joins the history.
	af := connectors.ShipmentEvent{At: stateAt(8), Code: "AF", Reason: "NS"}
	put(connectors.ShipmentState{ShipmentID: "SH-1", Status: "picked_up", Events: []connectors.ShipmentEvent{af}, At: af.At, EventID: "e0"}, false)
	if got := get("SH-1", ""); got.Status != "exception" || len(got.Events) != 2 || got.Events[0].Code != "AF" || !got.At.Equal(sd.At) {
		t.Fatalf("after an older report: %+v", got)
	}
	// A newer report replaces what it says and keeps the rest.
	x6 := connectors.ShipmentEvent{At: stateAt(14), Code: "X6", Reason: "NS", Location: "Des Moines, IA"}
	put(connectors.ShipmentState{ShipmentID: "SH-1", TrackingNumber: "", Status: "in_transit", Events: []connectors.ShipmentEvent{x6}, At: x6.At, EventID: "e2"}, true)
	got := get("SH-1", "")
	if got.Status != "in_transit" || !got.ETA.Equal(first.ETA) || len(got.Events) != 3 || got.EventID != "e2" || got.Carrier != "RDLS" {
		t.Fatalf("after a newer report: %+v", got)
	}
	// A report by tracking number only (the shipment unknown when it came)
	// is found by tracking number and merged with the id's record.
	d1 := connectors.ShipmentEvent{At: stateAt(18), Code: "D1", Reason: "NS"}
	put(connectors.ShipmentState{TrackingNumber: "1Z999", Status: "delivered", Events: []connectors.ShipmentEvent{d1}, At: d1.At, EventID: "e3"}, true)
	if got := get("", "1Z999"); got.Status != "delivered" || got.ShipmentID != "" {
		t.Fatalf("by tracking number: %+v", got)
	}
	if got := get("SH-1", "1Z999"); got.Status != "delivered" || len(got.Events) != 4 || got.OrderID != "SO-1" {
		t.Fatalf("merged id and tracking records: %+v", got)
	}
	// It survives a reopen.
	_ = s.Close()
	s = open(t)
	if got := get("SH-1", ""); got.Status != "in_transit" {
		t.Fatalf("after reopen: %+v", got)
	}
}

func testShipmentStateConcurrent(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	const n = 12
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := connectors.ShipmentEvent{At: stateAt(i), Code: fmt.Sprintf("C%d", i)}
			_, err := s.PutShipmentState(ctx, connectors.ShipmentState{ShipmentID: "SH-C", Status: fmt.Sprintf("s%d", i),
				Events: []connectors.ShipmentEvent{e}, At: e.At, EventID: fmt.Sprintf("e%d", i)})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent PutShipmentState: %v", err)
		}
	}
	got, ok, err := s.ShipmentState(ctx, "SH-C", "")
	if err != nil || !ok || got.Status != fmt.Sprintf("s%d", n-1) || len(got.Events) != n {
		t.Fatalf("after %d concurrent reports: %+v, %v, %v (want the newest status and every event)", n, got, ok, err)
	}
}

func testInboundState(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	if _, err := s.PutInboundState(ctx, connectors.InboundState{SKU: "SKU-1"}); err == nil {
		t.Fatal("an inbound state without a ref was kept")
	} else {
		wantErr(t, "PutInboundState without a ref", err, store.ErrInvalid)
	}
	q := func(n int) *int { return &n }
	put := func(st connectors.InboundState, wantApplied bool) {
		t.Helper()
		applied, err := s.PutInboundState(ctx, st)
		if err != nil || applied != wantApplied {
			t.Fatalf("PutInboundState(%s) = %v, %v; want %v", st.EventID, applied, err, wantApplied)
		}
	}
	put(connectors.InboundState{SKU: "SKU-1", Ref: "PO-2", Qty: q(10), ETA: connectors.MustDate("2026-12-01"), At: stateAt(9), EventID: "a"}, true)
	put(connectors.InboundState{SKU: "SKU-1", Ref: "PO-1", Site: "DC-CHI", ETA: connectors.MustDate("2026-12-05"), At: stateAt(9), EventID: "b"}, true)
	put(connectors.InboundState{SKU: "SKU-1", Ref: "PO-2", ETA: connectors.MustDate("2026-12-09"), At: stateAt(11), EventID: "c"}, true)
	put(connectors.InboundState{SKU: "SKU-1", Ref: "PO-2", Qty: q(99), ETA: connectors.MustDate("2026-11-28"), At: stateAt(10), EventID: "old"}, false)
	put(connectors.InboundState{SKU: "SKU-2", Ref: "PO-2", Qty: q(1), At: stateAt(9), EventID: "d"}, true)
	got, err := s.InboundStates(ctx, "SKU-1")
	if err != nil || len(got) != 2 {
		t.Fatalf("InboundStates = %+v, %v", got, err)
	}
	if got[0].Ref != "PO-1" || got[0].Site != "DC-CHI" || got[0].Qty != nil || got[0].ETA != connectors.MustDate("2026-12-05") {
		t.Fatalf("PO-1 = %+v", got[0])
	}
	if got[1].Ref != "PO-2" || got[1].Qty == nil || *got[1].Qty != 10 || got[1].ETA != connectors.MustDate("2026-12-09") || got[1].EventID != "c" {
		t.Fatalf("PO-2 = %+v (newest date, quantity kept, the older report ignored)", got[1])
	}
	if none, err := s.InboundStates(ctx, "SKU-none"); err != nil || len(none) != 0 {
		t.Fatalf("InboundStates of an unknown sku = %+v, %v", none, err)
	}
}
