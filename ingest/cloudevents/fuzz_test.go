package cloudevents_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/exdesk/exdesk/ingest/cloudevents"
)

// FuzzRead feeds the reader arbitrary bodies in every mode: it must never
// panic, return events with the required attributes or problems, and map
// what it returns without panicking.
func FuzzRead(f *testing.F) {
	f.Add(uint8(0), []byte(sapChanged))
	f.Add(uint8(1), []byte(`[`+sapChanged+`,{"specversion":"1.0","id":"2","source":"s","type":"t","data_base64":"aGk="}]`))
	f.Add(uint8(2), []byte(`{"order_id":"SO-1","shipment":{"tracking_number":"1Z","status":"delivered"}}`))
	f.Fuzz(func(t *testing.T, mode uint8, body []byte) {
		h := http.Header{}
		switch mode % 3 {
		case 0:
			h.Set("Content-Type", cloudevents.ContentTypeStructured)
		case 1:
			h.Set("Content-Type", cloudevents.ContentTypeBatch)
		case 2:
			h.Set("Content-Type", "application/json")
			h.Set("ce-specversion", "1.0")
			h.Set("ce-id", "x")
			h.Set("ce-source", "s")
			h.Set("ce-type", cloudevents.TypeShipmentStatus)
		}
		evs, err := cloudevents.Read(h, body)
		if err != nil {
			if evs != nil {
				t.Fatal("events returned with problems")
			}
			return
		}
		for _, e := range evs {
			if e.ID == "" || e.Source == "" || e.Type == "" || e.SpecVersion != "1.0" {
				t.Fatalf("accepted an event without required attributes: %+v", e)
			}
			ev, ign := cloudevents.Map(e, cloudevents.Options{Now: time.Unix(1, 0)})
			if ign == nil && (ev.ID == "" || ev.At.IsZero()) {
				t.Fatalf("mapped event without id or time: %+v", ev)
			}
		}
	})
}
