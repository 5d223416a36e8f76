package agent_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/embed"
	"github.com/exdesk/exdesk/store/sqlite"
	"github.com/exdesk/exdesk/tools"
)

// pastDecision is one recorded human decision on an action of a past case.
type pastDecision struct {
	action string
	state  store.State // approved (then executed) or rejected
	reason string
}

// recordPast stores a resolved past case with its proposals and the
// decisions people took on them, and remembers it in case memory: what
// casework leaves behind after a real case.
func recordPast(t *testing.T, st store.Store, mem *casework.MemorySearch, id string, o connectors.Order, class string, at time.Time, ds []pastDecision) {
	t.Helper()
	ctx := context.Background()
	c := store.Case{ID: id, OrderID: o.ID + "-" + id, CustomerID: o.CustomerID, Class: class, Status: store.CaseOpen, CreatedAt: at}
	if err := st.CreateCase(ctx, &c); err != nil {
		t.Fatal(err)
	}
	for i, d := range ds {
		p := store.Proposal{CaseID: id, OrderID: c.OrderID, Rank: i + 1, Action: connectors.Action{Type: d.action, OrderID: c.OrderID},
			Outcome: "approval", Role: "logistics_supervisor", Rule: d.action}
		if err := st.CreateProposal(ctx, &p); err != nil {
			t.Fatal(err)
		}
		if err := st.Transition(ctx, p.ID, store.Pending, d.state, "U0LOGSUP", d.reason); err != nil {
			t.Fatal(err)
		}
		if d.state == store.Approved {
			if err := st.Transition(ctx, p.ID, store.Approved, store.Executed, "U0LOGSUP", ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := st.ResolveCase(ctx, id, store.Resolution{Resolution: "resolved", By: "U0LOGSUP", At: at}); err != nil {
		t.Fatal(err)
	}
	if err := mem.Remember(ctx, store.Memory{CaseID: id, Class: class, CustomerID: o.CustomerID, OrderID: c.OrderID,
		Text: tools.MemoryText(o, class), Resolution: "resolved", ResolvedBy: "U0LOGSUP", ResolvedAt: at}); err != nil {
		t.Fatal(err)
	}
}

func loadCorpus(t *testing.T, name string) *recorded.Connector {
	t.Helper()
	c, err := recorded.Load("../evals/cases/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ranking(c *agent.Case) string {
	var parts []string
	for _, a := range c.Actions {
		parts = append(parts, fmt.Sprintf("%s:%s", a.Action.Type, a.Decision.Outcome))
	}
	return strings.Join(parts, " ")
}

// The learning-from-outcomes eval: a sequence of recorded cases with
// recorded human decisions changes the ranking of a later similar case,
// and a case unlike them is unaffected. The guard decides as before.
func TestLearningFromOutcomesEval(t *testing.T) {
	ctx := context.Background()
	engine, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	shortage := loadCorpus(t, "shortage-alt-approval-01.json") // SO-20148: allocate_from_site, partial_ship, notify_customer
	credit := loadCorpus(t, "credit-supervisor-01.json")       // SO-20035: release_hold, …
	investigate := func(t *testing.T, conn *recorded.Connector, orderID string, l *agent.Learning) *agent.Case {
		t.Helper()
		sys := conn.Systems()
		inv := &agent.Investigator{Planner: agent.Playbook{}, Systems: sys, Guard: policy.NewGuard(engine, sys), Learning: l}
		c, err := inv.Investigate(ctx, agent.Trigger{Type: agent.TriggerEvent, Event: "eval", OrderID: orderID})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	o, err := shortage.Order(ctx, "SO-20148")
	if err != nil {
		t.Fatal(err)
	}
	rejectAlloc := []pastDecision{
		{"allocate_from_site", store.Rejected, "added freight is more than the order is worth"},
		{"partial_ship", store.Approved, ""},
	}
	approveAlloc := []pastDecision{{"allocate_from_site", store.Approved, ""}}
	base := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		history [][]pastDecision
		// want: the ranking of the later shortage case.
		want      string
		wantNote  string
		allocConf float64
	}{
		{"no history", nil, "allocate_from_site:approval partial_ship:approval notify_customer:auto", "", 0.95},
		{"rejected in 4 of the last 5", [][]pastDecision{approveAlloc, rejectAlloc, rejectAlloc, rejectAlloc, rejectAlloc},
			"partial_ship:approval notify_customer:auto allocate_from_site:approval", "rejected in 4 of the last 5 similar cases", 0.6},
		{"too few decisions say nothing", [][]pastDecision{rejectAlloc, rejectAlloc},
			"allocate_from_site:approval partial_ship:approval notify_customer:auto", "", 0.95},
		{"approved and executed ranks up", [][]pastDecision{{{"partial_ship", store.Approved, ""}}, {{"partial_ship", store.Approved, ""}}, {{"partial_ship", store.Approved, ""}}},
			"partial_ship:approval allocate_from_site:approval notify_customer:auto", "approved and executed in 3 of the last 3", 0.95},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := sqlite.Open(ctx, "", sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			mem := &casework.MemorySearch{Store: st, Embedder: embed.NewHashing(0), Decisions: st}
			for i, ds := range tc.history {
				recordPast(t, st, mem, fmt.Sprintf("case-past-%d", i), o, connectors.ClassInventoryShortage, base.Add(time.Duration(i)*time.Hour), ds)
			}
			l := &agent.Learning{Memory: mem}
			c := investigate(t, shortage, "SO-20148", l)
			if got := ranking(c); got != tc.want {
				t.Errorf("ranking = %s\nwant      %s", got, tc.want)
			}
			for _, a := range c.Actions {
				if a.Action.Type == "allocate_from_site" && a.Confidence != tc.allocConf {
					t.Errorf("allocate_from_site confidence = %v, want %v", a.Confidence, tc.allocConf)
				}
			}
			if tc.wantNote != "" {
				found := false
				for _, a := range c.Actions {
					found = found || strings.Contains(a.Rationale, tc.wantNote)
				}
				if !found {
					t.Errorf("no action explains %q:\n%+v", tc.wantNote, c.Actions)
				}
				if strings.Contains(tc.wantNote, "rejected") && !strings.Contains(fmt.Sprint(c.Learned), "added freight") {
					t.Errorf("learned notes do not quote the approvers' reason: %+v", c.Learned)
				}
			}
			// A case unlike them (another class) is unaffected.
			before := ranking(investigate(t, credit, "SO-20035", nil))
			after := investigate(t, credit, "SO-20035", l)
			if got := ranking(after); got != before || len(after.Learned) != 0 {
				t.Errorf("unlike case changed: %s (learned %+v), want %s", got, after.Learned, before)
			}
		})
	}
}
