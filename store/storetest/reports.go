package storetest

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/exdesk/exdesk/store"
)

// testReports checks the bulk reads of the queue and the KPIs: which cases
// a window holds, and the proposals and executions of a set of cases.
func testReports(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	// A window a year ahead: the rows' wall-clock update times (now) fall
	// before it, so only the times the test sets decide.
	base := time.Now().UTC().Add(365 * 24 * time.Hour).Truncate(time.Hour)
	day := 24 * time.Hour
	ids := map[string]string{}
	for _, spec := range []struct {
		name, order string
		created     time.Duration
		resolved    time.Duration // 0: stays open
	}{
		{"old-resolved", "SO-1", -11 * day, -9 * day},
		{"old-open", "SO-2", -10 * day, 0},
		{"new-resolved", "SO-3", 0, time.Hour},
		{"late-resolved", "SO-4", -5 * day, 2 * time.Hour},
		{"future", "SO-5", 2 * day, 0},
	} {
		c := mustCase(t, s, store.Case{OrderID: spec.order, Class: "credit_hold", CreatedAt: base.Add(spec.created), UpdatedAt: base.Add(spec.created)})
		ids[spec.name] = c.ID
		if spec.resolved != 0 {
			if err := s.ResolveCase(ctx, c.ID, store.Resolution{Resolution: "released", By: "U1", At: base.Add(spec.resolved)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	names := func(cs []store.Case) []string {
		var out []string
		for _, c := range cs {
			for n, id := range ids {
				if id == c.ID {
					out = append(out, n)
				}
			}
		}
		return out
	}
	tests := []struct {
		name         string
		since, until time.Time
		want         []string
	}{
		{"a two-day window", base.Add(-day), base.Add(day), []string{"new-resolved", "late-resolved", "old-open"}},
		{"no upper bound", base.Add(-day), time.Time{}, []string{"future", "new-resolved", "late-resolved", "old-open"}},
		{"everything", base.Add(-30 * day), base.Add(30 * day), []string{"future", "new-resolved", "late-resolved", "old-open", "old-resolved"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.WindowCases(ctx, tc.since, tc.until)
			if err != nil {
				t.Fatalf("WindowCases: %v", err)
			}
			if g := names(got); !reflect.DeepEqual(g, tc.want) {
				t.Errorf("WindowCases = %v, want %v", g, tc.want)
			}
		})
	}

	// Proposals and executions of a set of cases, and nothing of others.
	p1 := mustProposal(t, s, ids["new-resolved"], 2)
	p0 := mustProposal(t, s, ids["new-resolved"], 1)
	other := mustProposal(t, s, ids["old-open"], 1)
	if err := s.Transition(ctx, p0.ID, store.Pending, store.Approved, "U1", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordExecution(ctx, &store.Execution{ProposalID: p0.ID, CaseID: p0.CaseID, Action: p0.Action, By: "U1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishExecution(ctx, p0.ID, store.ExecSucceeded, json.RawMessage(`{"effect":{"expedite_cost":12.5}}`), ""); err != nil {
		t.Fatal(err)
	}
	ps, err := s.CaseProposals(ctx, []string{ids["new-resolved"], ids["future"]})
	if err != nil {
		t.Fatalf("CaseProposals: %v", err)
	}
	var pids []string
	for _, p := range ps {
		pids = append(pids, p.ID)
	}
	if want := []string{p0.ID, p1.ID}; !slices.Equal(pids, want) {
		t.Errorf("CaseProposals = %v, want %v (by rank; not %s)", pids, want, other.ID)
	}
	if ps[0].State != store.Approved || ps[0].DecidedBy != "U1" {
		t.Errorf("CaseProposals[0] = %+v, want approved by U1", ps[0])
	}
	es, err := s.CaseExecutions(ctx, []string{ids["new-resolved"], ids["old-open"]})
	if err != nil {
		t.Fatalf("CaseExecutions: %v", err)
	}
	if len(es) != 1 || es[0].ProposalID != p0.ID || es[0].Status != store.ExecSucceeded {
		t.Fatalf("CaseExecutions = %+v, want the one execution of %s", es, p0.ID)
	}
	sameJSON(t, "execution result", es[0].Result, json.RawMessage(`{"effect":{"expedite_cost":12.5}}`))
	for _, ids := range [][]string{nil, {}, {"case_missing"}} {
		ps, err := s.CaseProposals(ctx, ids)
		if err != nil || len(ps) != 0 {
			t.Errorf("CaseProposals(%v) = %v, %v; want none", ids, ps, err)
		}
		es, err := s.CaseExecutions(ctx, ids)
		if err != nil || len(es) != 0 {
			t.Errorf("CaseExecutions(%v) = %v, %v; want none", ids, es, err)
		}
	}
}
