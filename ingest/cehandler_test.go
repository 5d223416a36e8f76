package ingest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandlerCloudEvents(t *testing.T) {
	ctx := context.Background()
	rdb := miniRedis(t)
	names := testNames(t, rdb)
	m := NewMetrics(nil)
	h := Handler(NewPublisher(rdb, PublisherOptions{Names: names, Metrics: m}), HandlerOptions{Token: "s3cret", Metrics: m})
	const sap = `{"specversion":"1.0","type":"sap.s4.beh.salesorder.v1.SalesOrder.Changed.v1","source":"/default/sap.s4.beh/CLNT100",
		"id":"ID-1","time":"2026-11-26T09:30:00Z","datacontenttype":"application/json","data":{"SalesOrder":"4711"}}`
	exdesk := func(id, source, subject string) string {
		return `{"specversion":"1.0","type":"com.exdesk.hold.placed","source":"` + source + `","id":"` + id + `","subject":"` + subject +
			`","time":"2026-11-26T09:31:00Z","data":{"hold":{"code":"CREDIT"}}}`
	}
	unknown := `{"specversion":"1.0","type":"com.example.weather","source":"urn:x","id":"w1"}`
	tests := []struct {
		name       string
		headers    map[string]string
		body       string
		wantStatus int
		wantBody   []string
		wantLen    int64
	}{
		{name: "structured SAP", headers: map[string]string{"Content-Type": "application/cloudevents+json"}, body: sap, wantStatus: 202,
			wantBody: []string{`"accepted":1`, `"ignored":[]`}, wantLen: 1},
		{name: "batch: unknown type ignored, never an error", headers: map[string]string{"Content-Type": "application/cloudevents-batch+json"},
			body: "[" + exdesk("h1", "urn:erp", "SO-1") + "," + unknown + "]", wantStatus: 202,
			wantBody: []string{`"accepted":1`, `"ignored":[{"id":"w1","source":"urn:x","type":"com.example.weather","reason":"unknown_type"}]`}, wantLen: 2},
		{name: "same id, other source: another event", headers: map[string]string{"Content-Type": "application/cloudevents+json"},
			body: exdesk("h1", "urn:erp2", "SO-1"), wantStatus: 202, wantBody: []string{`"accepted":1`}, wantLen: 3},
		{name: "same id and source: duplicate", headers: map[string]string{"Content-Type": "application/cloudevents+json"},
			body: exdesk("h1", "urn:erp", "SO-1"), wantStatus: 202, wantBody: []string{`"accepted":0`, `"duplicates":["h1@urn:erp"]`}, wantLen: 3},
		{name: "batch with a bad event queues nothing", headers: map[string]string{"Content-Type": "application/cloudevents-batch+json"},
			body: "[" + exdesk("h2", "urn:erp", "SO-2") + "," + exdesk("h3", "urn:erp", "") + "," + `{"id":"x"}` + "]", wantStatus: 400,
			wantBody: []string{"cloudevents[2].source: required"}, wantLen: 3},
		{name: "mapped event invalid", headers: map[string]string{"Content-Type": "application/cloudevents-batch+json"},
			body: "[" + exdesk("h2", "urn:erp", "SO-2") + "," + exdesk("h3", "urn:erp", "") + "]", wantStatus: 400,
			wantBody: []string{"cloudevents[1] (com.exdesk.hold.placed h3).order_id: required"}, wantLen: 3},
		{name: "binary", headers: map[string]string{"Content-Type": "application/json", "ce-specversion": "1.0", "ce-id": "b1", "ce-source": "urn:tms",
			"ce-type": "com.exdesk.shipment.status", "ce-time": "2026-11-26T10:00:00Z"},
			body: `{"shipment":{"tracking_number":"1Z999","status":"delivered"}}`, wantStatus: 202, wantBody: []string{`"accepted":1`}, wantLen: 4},
		{name: "neither JSON nor CloudEvents", headers: map[string]string{"Content-Type": "text/plain"}, body: "hi", wantStatus: 415, wantLen: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/v1/events", strings.NewReader(tt.body))
			r.Header.Set("Authorization", "Bearer s3cret")
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.wantStatus, w.Body)
			}
			for _, s := range tt.wantBody {
				if !strings.Contains(w.Body.String(), s) {
					t.Fatalf("body lacks %q: %s", s, w.Body)
				}
			}
			if n, _ := rdb.XLen(ctx, names.Stream).Result(); n != tt.wantLen {
				t.Fatalf("stream length %d, want %d", n, tt.wantLen)
			}
		})
	}
	if n := testutilValue(m.Ignored.WithLabelValues("cloudevents", "unknown_type")); n != 1 {
		t.Fatalf("ignored counted %v", n)
	}
}
