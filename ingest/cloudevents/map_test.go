package cloudevents_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/ingest/cloudevents"
)

func TestMap(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	sap := func(op, data string) cloudevents.Event {
		return cloudevents.Event{ID: "sap-" + op, Source: "/default/sap.s4.beh/0M1CLNT100", SpecVersion: "1.0",
			Type: "sap.s4.beh.salesorder.v1.SalesOrder." + op + ".v1", Time: at, Data: json.RawMessage(data)}
	}
	tests := []struct {
		name       string
		in         cloudevents.Event
		wantType   string
		wantSource string
		wantOrder  string
		wantIgnore string
		check      func(t *testing.T, ev connectors.Event)
	}{
		{name: "exdesk order changed", in: cloudevents.Event{ID: "1", Source: "urn:erp", Type: cloudevents.TypeOrderChanged, Subject: "SO-1", Time: at,
			Data: json.RawMessage(`{"reason":"price"}`)}, wantType: "order_changed", wantSource: "erp", wantOrder: "SO-1"},
		{name: "exdesk shipment status with state, order in data, source extension", in: cloudevents.Event{ID: "2", Source: "urn:tms", Type: cloudevents.TypeShipmentStatus,
			Data:       json.RawMessage(`{"order_id":"SO-2","shipment":{"shipment_id":"SH-2","status":"exception","events":[{"at":"2026-11-26T09:00:00Z","code":"SD","reason":"AO"}]}}`),
			Extensions: map[string]string{"exdesksource": "edi"}}, wantType: "shipment_status", wantSource: "edi", wantOrder: "SO-2",
			check: func(t *testing.T, ev connectors.Event) {
				if ev.Shipment == nil || ev.Shipment.Status != "exception" || len(ev.Shipment.Events) != 1 || !ev.At.Equal(now) {
					t.Fatalf("shipment = %+v at %v", ev.Shipment, ev.At)
				}
			}},
		{name: "SAP created", in: sap("Created", `{"SalesOrder":"4711","SoldToParty":"17100001"}`), wantType: "order_created", wantSource: "erp", wantOrder: "4711",
			check: func(t *testing.T, ev connectors.Event) {
				if !strings.Contains(string(ev.Data), `"SoldToParty":"17100001"`) || !strings.Contains(string(ev.Data), `"type":"sap.s4.beh.salesorder.v1.SalesOrder.Created.v1"`) {
					t.Fatalf("data = %s", ev.Data)
				}
			}},
		{name: "SAP changed", in: sap("Changed", `{"SalesOrder":"4711"}`), wantType: "order_changed", wantSource: "erp", wantOrder: "4711"},
		{name: "SAP item changed", in: sap("ItemChanged", `{"SalesOrder":"4711","SalesOrderItem":"10"}`), wantType: "order_changed", wantSource: "erp", wantOrder: "4711"},
		{name: "SAP credit check not OK", in: sap("TotCrdtChkStsChgd", `{"SalesOrder":"4711","TotalCreditCheckStatus":"B","PreviousTotalCreditCheckStatus":"A"}`),
			wantType: "hold_placed", wantSource: "erp", wantOrder: "4711"},
		{name: "SAP credit released", in: sap("TotCrdtChkStsChgd", `{"SalesOrder":"4711","TotalCreditCheckStatus":"D"}`), wantType: "order_changed", wantSource: "erp", wantOrder: "4711"},
		{name: "SAP delivery blocked", in: sap("OvrlDlvBlkStsChgd", `{"SalesOrder":"4711","OverallDeliveryBlockStatus":"C"}`), wantType: "hold_placed", wantSource: "erp", wantOrder: "4711"},
		{name: "SAP order in the subject", in: func() cloudevents.Event { e := sap("Changed", `{}`); e.Subject = "4712"; return e }(), wantType: "order_changed", wantSource: "erp", wantOrder: "4712"},
		{name: "SAP time from the data", in: func() cloudevents.Event {
			e := sap("Changed", `{"SalesOrder":"1","EventRaisedDateTime":"2026-11-25T08:00:00Z"}`)
			e.Time = time.Time{}
			return e
		}(), wantType: "order_changed", wantSource: "erp", wantOrder: "1",
			check: func(t *testing.T, ev connectors.Event) {
				if !ev.At.Equal(time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)) {
					t.Fatalf("at = %v", ev.At)
				}
			}},
		{name: "SAP deleted", in: sap("Deleted", `{"SalesOrder":"4711"}`), wantIgnore: cloudevents.ReasonNotActionable},
		{name: "SAP business partner", in: cloudevents.Event{ID: "bp", Source: "s", Type: "sap.s4.beh.businesspartner.v1.BusinessPartner.Created.v1"}, wantIgnore: cloudevents.ReasonUnknownType},
		{name: "unknown", in: cloudevents.Event{ID: "u", Source: "s", Type: "com.example.thing.happened"}, wantIgnore: cloudevents.ReasonUnknownType},
		{name: "not quite SAP", in: cloudevents.Event{ID: "u", Source: "s", Type: "sap.s4.beh.salesorder.v1.SalesOrder.Changed"}, wantIgnore: cloudevents.ReasonUnknownType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, ign := cloudevents.Map(tt.in, cloudevents.Options{Now: now})
			if tt.wantIgnore != "" {
				if ign == nil || ign.Reason != tt.wantIgnore || ign.Type != tt.in.Type {
					t.Fatalf("ignored = %+v, want %s", ign, tt.wantIgnore)
				}
				return
			}
			if ign != nil {
				t.Fatalf("ignored: %+v", ign)
			}
			if ev.Type != tt.wantType || ev.Source != tt.wantSource || ev.OrderID != tt.wantOrder || ev.ID != cloudevents.EventID(tt.in) || ev.At.IsZero() {
				t.Fatalf("event = %+v", ev)
			}
			if tt.check != nil {
				tt.check(t, ev)
			}
		})
	}
}

func TestEventIDIsIDAndSource(t *testing.T) {
	a := cloudevents.Event{ID: "1", Source: "urn:a"}
	b := cloudevents.Event{ID: "1", Source: "urn:b"}
	if cloudevents.EventID(a) == cloudevents.EventID(b) || cloudevents.EventID(a) != "1@urn:a" {
		t.Fatalf("ids %q %q", cloudevents.EventID(a), cloudevents.EventID(b))
	}
	long := cloudevents.Event{ID: strings.Repeat("x", 150), Source: strings.Repeat("s", 150)}
	if id := cloudevents.EventID(long); len(id) > 200 || !strings.HasPrefix(id, "ce:") {
		t.Fatalf("long id %q", id)
	}
}
