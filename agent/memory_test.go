package agent_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/embed"
	"github.com/exdesk/exdesk/store/sqlite"
	"github.com/exdesk/exdesk/tools"
)

// The playbook cites how similar past cases were resolved, from case
// memory in a real (SQLite) store, and the fact cites the tool call.
func TestPlaybookCitesCaseMemory(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, "", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mem := &casework.MemorySearch{Store: st, Embedder: embed.NewHashing(0)}
	conn := load(t, "credit-supervisor-01.json")
	o, _ := conn.Order(ctx, "SO-10047")
	past := []store.Memory{
		{CaseID: "case-old-1", Class: connectors.ClassCreditHold, CustomerID: "C-481", OrderID: "SO-9001",
			Text: tools.MemoryText(o, connectors.ClassCreditHold), Resolution: "release_hold approved", ResolvedBy: "finance_supervisor",
			ResolvedAt: time.Date(2026, 6, 20, 10, 0, 0, 0, time.UTC)},
		{CaseID: "case-old-2", Class: connectors.ClassInventoryShortage, CustomerID: "C-999", OrderID: "SO-9002",
			Text: "inventory_shortage customer C-999 ship_from DC-DAL sku SKU-1", Resolution: "allocate_from_site executed", ResolvedBy: "auto",
			ResolvedAt: time.Date(2026, 6, 21, 10, 0, 0, 0, time.UTC)},
	}
	for _, m := range past {
		if err := mem.Remember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	inv := investigator(t, conn, agent.Playbook{})
	inv.Tools = []tools.Handle{tools.SimilarCases(conn.Systems(), mem)}
	c, err := inv.Investigate(ctx, agent.Trigger{Type: "event", Event: "hold_placed", OrderID: "SO-10047"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.Summary, "SO-9001") || !strings.Contains(c.Summary, "finance_supervisor") {
		t.Fatalf("summary does not cite the similar past case:\n%s", c.Summary)
	}
	if strings.Contains(c.Summary, "SO-9002") {
		t.Fatalf("a case of another class must not be cited as similar:\n%s", c.Summary)
	}
	cited := false
	for _, f := range c.Facts {
		if f.Tool == tools.SimilarCasesName {
			for _, call := range c.Calls {
				cited = cited || (call.ID == f.Source && call.Tool == tools.SimilarCasesName)
			}
		}
	}
	if !cited {
		t.Fatal("the memory fact does not cite its find_similar_cases call")
	}
}
