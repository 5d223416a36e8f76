package ingest

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

func TestParseEventState(t *testing.T) {
	const head = `"id":"e1","source":"tms","type":"shipment_status","at":"2026-11-26T10:15:00Z"`
	tests := []struct {
		name    string
		body    string
		wantErr []string
		check   func(t *testing.T, ev connectors.Event)
	}{
		{name: "shipment by tracking number, no order", body: `{` + head + `,"shipment":{"tracking_number":"1Z9","status":"exception","eta":"2026-11-30T12:00:00Z",
			"events":[{"at":"2026-11-26T10:15:00Z","code":"SD","reason":"AO","description":"weather","location":"Omaha, NE"}],"references":{"BM":"BOL-1"}}}`,
			check: func(t *testing.T, ev connectors.Event) {
				sh := ev.Shipment
				if ev.OrderID != "" || sh.TrackingNumber != "1Z9" || sh.Status != "exception" || len(sh.Events) != 1 || sh.Events[0].Location != "Omaha, NE" ||
					sh.References["BM"] != "BOL-1" || !sh.ETA.Equal(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)) {
					t.Fatalf("event = %+v %+v", ev, sh)
				}
			}},
		{name: "inbound supply, no order", body: `{"id":"e2","source":"edi","type":"inventory_changed","at":"2026-11-26T10:15:00Z",
			"inbound":[{"sku":"SKU-1","ref":"PO-1","qty":0},{"sku":"SKU-2","site":"DC-CHI","ref":"PO-1","eta":"2026-12-09"}]}`,
			check: func(t *testing.T, ev connectors.Event) {
				if len(ev.Inbound) != 2 || *ev.Inbound[0].Qty != 0 || ev.Inbound[1].ETA != connectors.MustDate("2026-12-09") || ev.Inbound[1].Qty != nil {
					t.Fatalf("inbound = %+v", ev.Inbound)
				}
			}},
		{name: "status without a shipment key still needs the order", body: `{` + head + `,"shipment":{"status":"delivered"}}`,
			wantErr: []string{"event.order_id: required"}},
		{name: "bad status and event", body: `{` + head + `,"order_id":"SO-1","shipment":{"status":"lost","events":[{"code":"SD"}],"colour":"red"}}`,
			wantErr: []string{`event.shipment.status: "lost" is not one of planned, tendered, picked_up, in_transit, delivered, exception`,
				"event.shipment.events[0].at: required", "event.shipment.colour: unknown field"}},
		{name: "shipment on another type", body: `{"id":"e1","source":"erp","type":"hold_placed","order_id":"SO-1","at":"2026-11-26T10:15:00Z","shipment":{"shipment_id":"SH-1"}}`,
			wantErr: []string{"event.shipment: only shipment_status events carry a shipment's state"}},
		{name: "bad inbound", body: `{"id":"e2","source":"edi","type":"inventory_changed","at":"2026-11-26T10:15:00Z","inbound":[{"sku":"S","ref":"R","qty":-1},{"ref":"R","eta":"soon"},{"sku":"S","ref":"R"}]}`,
			wantErr: []string{"event.inbound[0].qty: must be a whole number from 0 to 1000000000", "event.inbound[1].sku: required",
				`event.inbound[1].eta: "soon" is not a date YYYY-MM-DD`, "event.inbound[2].qty: an inbound receipt must report a qty or an eta"}},
		{name: "empty inbound", body: `{"id":"e2","source":"edi","type":"inventory_changed","order_id":"SO-1","at":"2026-11-26T10:15:00Z","inbound":[]}`,
			wantErr: []string{"event.inbound: must not be empty"}},
		{name: "shipment not an object", body: `{` + head + `,"order_id":"SO-1","shipment":"SH-1"}`,
			wantErr: []string{"event.shipment: must be a JSON object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := ParseEvents([]byte(tt.body))
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("ParseEvents: %v", err)
				}
				tt.check(t, evs[0])
				return
			}
			var v *ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("err = %v", err)
			}
			if got := strings.Join(v.Messages(), "\n"); got != strings.Join(tt.wantErr, "\n") {
				t.Fatalf("problems:\n%s\nwant:\n%s", got, strings.Join(tt.wantErr, "\n"))
			}
		})
	}
}

// An event with state survives the stream: marshalled by the publisher,
// parsed again by ParseEvent, it is the same.
func TestEventStateRoundTrip(t *testing.T) {
	q := 7
	ev := connectors.Event{ID: "x12:S:1:1:0001", Source: "edi", Type: connectors.EventShipmentStatus, At: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC),
		Shipment: &connectors.ShipmentUpdate{ShipmentID: "SH-1", Carrier: "RDLS", Status: "exception", ETA: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
			Events:     []connectors.ShipmentEvent{{At: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Code: "SD", Reason: "AO"}},
			References: map[string]string{"PO": "PO-1"}},
		Data: json.RawMessage(`{"format":"x12"}`)}
	inv := connectors.Event{ID: "x12:S:1:1:0002", Source: "edi", Type: connectors.EventInventoryChanged, At: ev.At,
		Inbound: []connectors.InboundUpdate{{SKU: "SKU-1", Ref: "PO-1", Qty: &q, ETA: connectors.MustDate("2026-12-01")}}}
	for _, e := range []connectors.Event{ev, inv} {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseEvent(b)
		if err != nil {
			t.Fatalf("ParseEvent(%s): %v", b, err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("round trip:\n%+v\nwant\n%+v", got, e)
		}
	}
}
