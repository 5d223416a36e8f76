package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/sqlite"
)

func recordedCase() *agent.Case {
	act := func(id, typ string, out policy.Outcome, rank int) agent.Proposal {
		return agent.Proposal{Rank: rank, Action: connectors.Action{ID: id, Type: typ, OrderID: "SO-1", Args: connectors.Args{}},
			Confidence: 0.95, Decision: policy.Decision{Outcome: out, Rule: "r", Reason: "because"}}
	}
	return &agent.Case{ID: "case-1", OrderID: "SO-1", CustomerID: "C-1", Class: connectors.ClassCreditHold, Summary: "s",
		Actions: []agent.Proposal{
			act("p1", connectors.ActRequestCreditReview, policy.Auto, 1),
			act("p2", connectors.ActNotifyCustomer, policy.Auto, 2),
			act("p3", connectors.ActReleaseHold, policy.Blocked, 3),
		}}
}

// Saving and claiming again after a crash keeps what exists and never
// claims an execution twice; proposals are settled by the guard's outcome.
func TestCaseRecorderIsResumable(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, "", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rec := &store.CaseRecorder{Store: st}
	c := recordedCase()
	for range 2 {
		if err := rec.Save(ctx, c, false); err != nil {
			t.Fatal(err)
		}
	}
	ps, _ := st.ListProposals(ctx, "case-1")
	states := map[string]store.State{}
	for _, p := range ps {
		states[p.ID] = p.State
	}
	if len(ps) != 3 || states["p1"] != store.Pending || states["p2"] != store.Expired || states["p3"] != store.Rejected {
		t.Fatalf("proposals %v", states)
	}
	claimed, err := rec.ClaimTop(ctx, c)
	if err != nil || !claimed {
		t.Fatalf("first claim: %v %v", claimed, err)
	}
	if again, err := rec.ClaimTop(ctx, c); err != nil || again {
		t.Fatalf("a second claim must not be granted: %v %v", again, err)
	}
	state, err := rec.Finish(ctx, "case-1", "p1", "policy", &connectors.Execution{Detail: "task opened"}, nil)
	if err != nil || state != store.Executed {
		t.Fatalf("Finish = %s, %v", state, err)
	}
	if p, _ := st.GetProposal(ctx, "p1"); p.State != store.Executed {
		t.Fatalf("p1 is %s", p.State)
	}
	if again, _ := rec.ClaimTop(ctx, c); again {
		t.Fatal("an executed action was claimed again")
	}
	if brk, err := st.VerifyAudit(ctx); err != nil || brk != nil {
		t.Fatalf("audit chain: %+v, %v", brk, err)
	}
	trail, _ := st.AuditTrail(ctx, "case-1")
	if len(trail) != 5 { // opened, 3 proposals, executed
		t.Fatalf("audit trail has %d entries, want 5", len(trail))
	}
	c.Actions[0].Action.ID = ""
	if err := rec.Save(ctx, c, true); err == nil || errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("an action without a proposal id must be refused, got %v", err)
	}
}
