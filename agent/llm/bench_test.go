package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/tools"
)

// fastModelServer is a zero-latency model for one order: it answers from
// pre-encoded bodies after a byte search, so the benchmark measures the
// planner rather than the fake server.
func fastModelServer(b *testing.B, order string) *httptest.Server {
	args := `{"order_id":"` + order + `"}`
	first, _ := json.Marshal(callsBody(fn{"o", "get_order", args}, fn{"c", "get_credit_position", args}))
	last, _ := json.Marshal(callsBody(fn{"s", SubmitTool, submitArgs("credit_hold", order+" is on credit hold", releaseCredit)}))
	toolRole := []byte(`"role":"tool"`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		if bytes.Contains(body, toolRole) {
			w.Write(last)
			return
		}
		w.Write(first)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkPlanRoundTrip measures the planner's overhead per model round
// trip against a zero-latency local model server: request encoding, the
// HTTP exchange over loopback, response decoding, running the turn's tool
// calls on the recorded connector, redaction and submit_case validation.
// Each Plan is two round trips (two parallel tool calls, then submit_case).
func BenchmarkPlanRoundTrip(b *testing.B) {
	srv := fastModelServer(b, "SO-10047")
	p := newPlanner(b, srv.URL, nil)
	f := newFixture(b, "credit-supervisor-01", p, nil)
	ctx := context.Background()
	trips := 0
	b.ReportAllocs()
	began := time.Now()
	for b.Loop() {
		d, err := p.Plan(ctx, agent.Request{Trigger: f.c.Trigger, OrderID: "SO-10047", Tools: tools.NewToolbox(f.sys), Calls: &tools.Calls{}})
		if err != nil {
			b.Fatal(err)
		}
		trips += d.Usage.RoundTrips
	}
	b.ReportMetric(float64(time.Since(began).Nanoseconds())/float64(trips), "ns/roundtrip")
}
