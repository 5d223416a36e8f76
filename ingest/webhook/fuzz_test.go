package webhook_test

import (
	"testing"

	"github.com/exdesk/exdesk/ingest/webhook"
)

// FuzzParse feeds every source arbitrary payloads: no panic, and every
// tracking a source returns has a tracking number and a time, and maps
// onto an event with an id.
func FuzzParse(f *testing.F) {
	f.Add(file(f, "easypost-tracker-updated.json"))
	f.Add(file(f, "aftership-tracking-update.json"))
	f.Add([]byte(`{"description":"tracker.updated","result":{"tracking_code":"x","tracking_details":[{"datetime":"2026-01-01"}]}}`))
	sources := []webhook.Source{webhook.EasyPost{Secret: "s"}, webhook.AfterShip{Secret: "s"}}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, src := range sources {
			trs, err := src.Parse(body)
			if err != nil {
				continue
			}
			for _, tr := range trs {
				if tr.TrackingNumber == "" || tr.At.IsZero() || tr.EventID == "" {
					t.Fatalf("%s: tracking without number, time or id: %+v", src.Name(), tr)
				}
				if ev := webhook.Event(tr); ev.ID == "" || ev.Shipment == nil {
					t.Fatalf("%s: event %+v", src.Name(), ev)
				}
			}
		}
	})
}
