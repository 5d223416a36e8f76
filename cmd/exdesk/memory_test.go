package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/embed"
	"github.com/exdesk/exdesk/store/sqlite"
	"github.com/exdesk/exdesk/tools"
)

// When an action of a case executes, serve marks the case resolved and
// remembers it; the next case of that customer and class cites it.
func TestResolvedCasesFeedCaseMemory(t *testing.T) {
	ctx := context.Background()
	conn, err := recorded.Load("../../../shared/evals/examples/credit-supervisor-01.json")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, "", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := &store.Case{ID: "case-1", OrderID: "SO-10047", CustomerID: "C-481", Class: connectors.ClassCreditHold, Summary: "credit hold"}
	if err := st.CreateCase(ctx, c); err != nil {
		t.Fatal(err)
	}
	mem := &store.MemorySearch{Store: st, Embedder: embed.NewHashing(0)}
	sys := conn.Systems()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	release := connectors.Action{Type: connectors.ActReleaseHold, OrderID: "SO-10047", Args: connectors.Args{"hold_code": "CREDIT"}}
	resolveCase(ctx, log, st, mem, sys, "case-1", "U0SUP", release, connectors.Execution{Detail: "released CREDIT hold on SO-10047"})

	got, err := st.GetCase(ctx, "case-1")
	if err != nil || got.ResolvedBy != "U0SUP" || !strings.Contains(got.Resolution, "released CREDIT hold") {
		t.Fatalf("case not resolved: %+v, %v", got, err)
	}
	engine, _ := policy.Default()
	inv := &agent.Investigator{Planner: agent.Playbook{}, Systems: sys, Guard: policy.NewGuard(engine, sys),
		Tools: []tools.Handle{tools.SimilarCases(sys, mem)}}
	next, err := inv.Investigate(ctx, agent.Trigger{Type: "question", Question: "why is SO-10047 on hold?"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(next.Summary, "by U0SUP") {
		t.Fatalf("the next case does not cite the remembered resolution:\n%s", next.Summary)
	}
}
