package casework_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store/sqlite"
)

// One trace per case: the investigation, each tool call, each guard
// decision, the approval and the connector write share the trace id the
// case keeps. (Not parallel: it sets the global tracer provider.)
func TestOneTracePerCase(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev) })

	ctx := context.Background()
	conn, err := recorded.Load("../evals/cases/credit-supervisor-01.json")
	if err != nil {
		t.Fatal(err)
	}
	engine, _ := policy.Default()
	sys := conn.Systems()
	st, err := sqlite.Open(ctx, "", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	guard := policy.NewGuard(engine, sys)
	desk, err := casework.New(casework.Options{Store: st, Investigator: &agent.Investigator{Planner: agent.Playbook{}, Systems: sys, Guard: guard},
		Systems: sys, Guard: guard})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := desk.HandleEvent(ctx, connectors.Event{ID: "e1", Source: "erp", Type: connectors.EventHoldPlaced, OrderID: "SO-20035", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	v, err := desk.OpenCase(ctx, "SO-20035")
	if err != nil || v == nil {
		t.Fatal("no case", err)
	}
	if v.Case.TraceID == "" {
		t.Fatal("the case keeps no trace id")
	}
	var pid string
	for _, a := range v.Actions {
		if a.Pending() {
			pid = a.Stored.ID
		}
	}
	boss := casework.Approver{Actor: casework.Actor{ID: "U0SUP", Surface: "test"}, Holds: func(context.Context, string) (bool, error) { return true, nil }}
	if r, err := desk.Approve(ctx, pid, boss); err != nil || r.Kind != casework.Executed {
		t.Fatalf("approve: %v %v", r.Kind, err)
	}
	seen := map[string]int{}
	for _, s := range rec.Ended() {
		name := s.Name()
		if i := strings.IndexByte(name, ' '); i > 0 {
			name = name[:i]
		}
		seen[name]++
		if got := s.SpanContext().TraceID().String(); got != v.Case.TraceID {
			t.Errorf("span %s in trace %s, want the case's %s", s.Name(), got, v.Case.TraceID)
		}
		attrs := map[string]string{}
		for _, kv := range s.Attributes() {
			attrs[string(kv.Key)] = kv.Value.Emit()
		}
		switch name {
		case "execute_tool":
			if attrs["gen_ai.tool.name"] == "" || attrs["gen_ai.tool.call.id"] == "" {
				t.Errorf("tool span %s lacks its name or call id: %v", s.Name(), attrs)
			}
		case "guard.decide":
			if attrs["exdesk.policy.rule"] == "" || attrs["exdesk.policy.outcome"] == "" {
				t.Errorf("guard span %s lacks rule or outcome: %v", s.Name(), attrs)
			}
		}
	}
	for _, want := range []string{"exdesk.case.event", "exdesk.investigate", "execute_tool", "guard.decide", "exdesk.approve", "connector.execute"} {
		if seen[want] == 0 {
			t.Errorf("no %s span; spans: %v", want, seen)
		}
	}
}
