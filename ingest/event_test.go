package ingest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const goodEvent = `{"id":"ev-1","source":"erp","type":"hold_placed","order_id":"so-10042","at":"2026-11-26T09:30:00Z","data":{"code":"CREDIT"}}`

func TestParseEvents(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    int      // events returned
		wantErr []string // problems, in order
	}{
		{name: "one object", body: goodEvent, want: 1},
		{name: "array", body: "[" + goodEvent + "," + strings.Replace(goodEvent, "ev-1", "ev-2", 1) + "]", want: 2},
		{name: "no data", body: `{"id":"e","source":"wms","type":"inventory_changed","order_id":"SO-1","at":"2026-11-26T09:30:00+01:00"}`, want: 1},
		{name: "missing order id in third", body: "[" + goodEvent + "," + goodEvent + `,{"id":"e3","source":"erp","type":"hold_placed","at":"2026-11-26T09:30:00Z"}]`,
			wantErr: []string{"events[2].order_id: required"}},
		{name: "single missing fields", body: `{"source":"erp"}`,
			wantErr: []string{"event.id: required", "event.type: required", "event.order_id: required", "event.at: required"}},
		{name: "blank id", body: strings.Replace(goodEvent, `"ev-1"`, `"  "`, 1), wantErr: []string{"event.id: required"}},
		{name: "wrong types", body: `[{"id":7,"source":"erp","type":"hold_placed","order_id":"SO-1","at":"2026-11-26T09:30:00Z"}]`,
			wantErr: []string{"events[0].id: must be a string"}},
		{name: "bad source", body: strings.Replace(goodEvent, `"erp"`, `"sap"`, 1), wantErr: []string{`event.source: "sap" is not one of erp, wms, tms, edi`}},
		{name: "bad time", body: strings.Replace(goodEvent, `2026-11-26T09:30:00Z`, `yesterday`, 1), wantErr: []string{`event.at: "yesterday" is not an RFC 3339 time such as 2026-11-26T09:30:00Z`}},
		{name: "bad type", body: strings.Replace(goodEvent, `hold_placed`, `Hold Placed`, 1), wantErr: []string{`event.type: "Hold Placed" must be lower case letters, digits, '_' or '.', starting with a letter (e.g. hold_placed)`}},
		{name: "data not object", body: strings.Replace(goodEvent, `{"code":"CREDIT"}`, `[1]`, 1), wantErr: []string{"event.data: must be a JSON object"}},
		{name: "unknown field", body: strings.Replace(goodEvent, `"source"`, `"orderid":"x","source"`, 1), wantErr: []string{"event.orderid: unknown field"}},
		{name: "space in order", body: strings.Replace(goodEvent, `so-10042`, `SO 1`, 1), wantErr: []string{"event.order_id: must not contain spaces"}},
		{name: "empty array", body: `[]`, wantErr: []string{"no events in the array"}},
		{name: "empty body", body: ` `, wantErr: []string{"empty body: send one event object or an array of events"}},
		{name: "not json", body: `{"id":`, wantErr: []string{"event: not a JSON object: unexpected end of JSON input at byte 6"}},
		{name: "array of strings", body: `["x"]`, wantErr: []string{"events[0]: not a JSON object: found string where an object was expected"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEvents([]byte(tt.body))
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("ParseEvents: %v", err)
				}
				if len(got) != tt.want {
					t.Fatalf("got %d events, want %d", len(got), tt.want)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			var v *ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("err %T is not a *ValidationError", err)
			}
			if got != nil {
				t.Errorf("events returned with an error: %v", got)
			}
			if strings.Join(v.Messages(), "\n") != strings.Join(tt.wantErr, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(v.Messages(), "\n"), strings.Join(tt.wantErr, "\n"))
			}
		})
	}
}

func TestParseEventNormalises(t *testing.T) {
	evs, err := ParseEvents([]byte(strings.Replace(goodEvent, "2026-11-26T09:30:00Z", "2026-11-26T10:30:00+01:00", 1)))
	if err != nil {
		t.Fatal(err)
	}
	ev := evs[0]
	if ev.OrderID != "SO-10042" || ev.At.Location().String() != "UTC" || ev.At.Hour() != 9 || string(ev.Data) != `{"code":"CREDIT"}` {
		t.Errorf("normalised event = %+v", ev)
	}
}

func FuzzParseEvents(f *testing.F) {
	f.Add([]byte(goodEvent))
	f.Add([]byte("[" + goodEvent + "]"))
	f.Add([]byte(`[{"id":"a","source":"tms","type":"x","order_id":"SO-1","at":"2026-01-01T00:00:00Z","data":null}, 3]`))
	f.Add([]byte(`{"id":"\u0000"}`))
	f.Add([]byte(`[[[[`))
	f.Add([]byte(`{"id":"s","source":"tms","type":"shipment_status","at":"2026-01-01T00:00:00Z","shipment":{"tracking_number":"1Z","status":"exception",` +
		`"events":[{"at":"2026-01-01T00:00:00Z","code":"SD","reason":"AO"}],"references":{"BM":"B"}}}`))
	f.Add([]byte(`{"id":"i","source":"edi","type":"inventory_changed","at":"2026-01-01T00:00:00Z","inbound":[{"sku":"S","ref":"R","qty":0,"eta":"2026-02-01"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := ParseEvents(body)
		if err != nil {
			var v *ValidationError
			if !errors.As(err, &v) || len(v.Problems) == 0 || evs != nil {
				t.Fatalf("error %v (%T) with events %v", err, err, evs)
			}
			return
		}
		if len(evs) == 0 || len(evs) > MaxBatch {
			t.Fatalf("%d events without an error", len(evs))
		}
		for _, ev := range evs {
			if ev.ID == "" || ev.OrderID == "" && !ev.CarriesState() || ev.Type == "" || ev.Source == "" || ev.At.IsZero() {
				t.Fatalf("accepted an incomplete event %+v", ev)
			}
			// An accepted event survives the stream's encoding unchanged.
			b, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			again, err := ParseEvents(b)
			if err != nil || len(again) != 1 || again[0].ID != ev.ID || !again[0].At.Equal(ev.At) || again[0].OrderID != ev.OrderID {
				t.Fatalf("re-parse of %s: %v %v", b, again, err)
			}
		}
	})
}
