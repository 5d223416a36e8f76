package cloudevents_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/ingest/cloudevents"
)

const sapChanged = `{"specversion":"1.0","type":"sap.s4.beh.salesorder.v1.SalesOrder.Changed.v1","source":"/default/sap.s4.beh/0M1CLNT100",
"id":"0894ef45-7741-1eea-b7be-ce30f48e9a1d","time":"2026-11-26T09:30:00Z","datacontenttype":"application/json",
"data":{"SalesOrder":"4711","SalesOrderType":"OR","SalesOrganization":"1010","DistributionChannel":"10","OrganizationDivision":"00","SoldToParty":"17100001"}}`

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func TestRead(t *testing.T) {
	tests := []struct {
		name    string
		h       http.Header
		body    string
		want    int
		check   func(t *testing.T, evs []cloudevents.Event)
		wantErr []string
	}{
		{name: "structured", h: header("Content-Type", "application/cloudevents+json; charset=utf-8"), body: sapChanged, want: 1,
			check: func(t *testing.T, evs []cloudevents.Event) {
				e := evs[0]
				if e.ID != "0894ef45-7741-1eea-b7be-ce30f48e9a1d" || e.Source != "/default/sap.s4.beh/0M1CLNT100" || e.SpecVersion != "1.0" ||
					!e.Time.Equal(time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)) || !strings.Contains(string(e.Data), `"SalesOrder":"4711"`) {
					t.Fatalf("event = %+v", e)
				}
			}},
		{name: "batch with extensions and base64", h: header("Content-Type", "application/cloudevents-batch+json"),
			body: `[` + sapChanged + `,{"specversion":"1.0","type":"x.y","source":"urn:a","id":"2","tenant":"acme","retries":3,"urgent":true,
				"datacontenttype":"text/plain","data_base64":"aGVsbG8="}]`, want: 2,
			check: func(t *testing.T, evs []cloudevents.Event) {
				e := evs[1]
				if e.Extensions["tenant"] != "acme" || e.Extensions["retries"] != "3" || e.Extensions["urgent"] != "true" || string(e.Data) != `"hello"` {
					t.Fatalf("event = %+v data %s", e, e.Data)
				}
			}},
		{name: "binary", h: header("ce-specversion", "1.0", "ce-id", "b-1", "ce-source", "https://erp.example/orders",
			"ce-type", "com.exdesk.order.changed", "ce-subject", "SO%2010042", "ce-time", "2026-11-26T10:00:00+01:00",
			"ce-exdesksource", "erp", "Content-Type", "application/json"), body: `{"reason":"price"}`, want: 1,
			check: func(t *testing.T, evs []cloudevents.Event) {
				e := evs[0]
				if e.Subject != "SO 10042" || e.Extensions["exdesksource"] != "erp" || e.Time.Hour() != 9 || string(e.Data) != `{"reason":"price"}` {
					t.Fatalf("event = %+v", e)
				}
			}},
		{name: "binary missing attributes", h: header("ce-specversion", "0.3", "ce-type", "t"), body: "",
			wantErr: []string{"cloudevent.id: required", "cloudevent.source: required", `cloudevent.specversion: "0.3" is not supported: send 1.0`}},
		{name: "batch with a bad third event", h: header("Content-Type", "application/cloudevents-batch+json"),
			body: `[` + sapChanged + `,` + sapChanged + `,{"specversion":"1.0","id":"3","source":"s","time":"noon","Bad-Name":"x"}]`,
			wantErr: []string{`cloudevents[2].time: "noon" is not an RFC 3339 time`, "cloudevents[2].type: required",
				"cloudevents[2].Bad-Name: extension attribute names are lower-case letters and digits, at most 20"}},
		{name: "both data forms", h: header("Content-Type", "application/cloudevents+json"),
			body: `{"specversion":"1.0","id":"1","source":"s","type":"t","data":{},"data_base64":"e30="}`, wantErr: []string{"cloudevent.data_base64: an event has data or data_base64, not both"}},
		{name: "empty batch", h: header("Content-Type", "application/cloudevents-batch+json"), body: `[]`, wantErr: []string{"cloudevent: no events in the batch"}},
		{name: "not cloudevents", h: header("Content-Type", "application/json"), body: `{}`, wantErr: []string{"not a CloudEvents request"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := cloudevents.Read(tt.h, []byte(tt.body))
			if tt.wantErr != nil {
				var ps cloudevents.Problems
				if !errors.As(err, &ps) || evs != nil {
					t.Fatalf("Read = %v, %v", evs, err)
				}
				var got []string
				for _, p := range ps {
					got = append(got, p.String())
				}
				joined := strings.Join(got, "\n")
				for _, w := range tt.wantErr {
					if !strings.Contains(joined, w) {
						t.Fatalf("problems:\n%s\nwant %q", joined, w)
					}
				}
				return
			}
			if err != nil || len(evs) != tt.want {
				t.Fatalf("Read = %d events, %v", len(evs), err)
			}
			tt.check(t, evs)
		})
	}
}

func TestModeOf(t *testing.T) {
	for _, tt := range []struct {
		h    http.Header
		want cloudevents.Mode
	}{
		{header("Content-Type", "application/cloudevents+json"), cloudevents.ModeStructured},
		{header("Content-Type", "application/cloudevents-batch+json; charset=utf-8"), cloudevents.ModeBatch},
		{header("Content-Type", "application/json", "Ce-Specversion", "1.0"), cloudevents.ModeBinary},
		{header("Content-Type", "application/json"), cloudevents.ModeNone},
		{header(), cloudevents.ModeNone},
	} {
		if got := cloudevents.ModeOf(tt.h); got != tt.want {
			t.Errorf("ModeOf(%v) = %v, want %v", tt.h, got, tt.want)
		}
	}
}
