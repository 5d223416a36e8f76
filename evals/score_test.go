package evals_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/evals"
	"github.com/exdesk/exdesk/policy"
)

func proposal(typ string, outcome policy.Outcome, role, rule string) agent.Proposal {
	return agent.Proposal{Action: connectors.Action{Type: typ, OrderID: "SO-1"},
		Decision: policy.Decision{Outcome: outcome, Role: role, Rule: rule}}
}

func TestDiagnose(t *testing.T) {
	expected := evals.Expected{
		ExceptionClass:    "credit_hold",
		AcceptableActions: []string{"release_hold", "request_prepayment"},
		ForbiddenActions:  []string{"cancel_order"},
		Decision:          &evals.ExpectedDecision{Action: "release_hold", Outcome: policy.Approval, Role: "finance_director"},
		MustMention:       []string{"SO-1", "$4,800.00"},
	}
	good := agent.Case{Class: "credit_hold", Summary: "SO-1 is held at $4,800.00",
		Actions: []agent.Proposal{proposal("release_hold", policy.Approval, "finance_director", "credit.release.director")}}
	tests := []struct {
		name string
		mod  func(c *agent.Case)
		want []string // failure lines, in check order
	}{
		{"all pass", func(c *agent.Case) {}, nil},
		{"decision auto instead of approval", func(c *agent.Case) {
			c.Actions = []agent.Proposal{proposal("release_hold", policy.Auto, "", "credit.release.auto")}
		}, []string{"decision: want release_hold approval by finance_director, got release_hold auto (rule credit.release.auto)"}},
		{"decision by another role", func(c *agent.Case) {
			c.Actions = []agent.Proposal{proposal("release_hold", policy.Approval, "finance_supervisor", "credit.release.supervisor")}
		}, []string{"decision: want release_hold approval by finance_director, got release_hold approval by finance_supervisor (rule credit.release.supervisor)"}},
		{"decision action missing", func(c *agent.Case) {
			c.Actions = []agent.Proposal{proposal("request_prepayment", policy.Auto, "", "tasks.auto")}
		}, []string{"decision: want release_hold approval by finance_director, got no release_hold action (actions: request_prepayment)"}},
		{"decision action rejected", func(c *agent.Case) {
			c.Actions = []agent.Proposal{proposal("request_prepayment", policy.Auto, "", "tasks.auto")}
			c.Rejected = []agent.Rejected{{Action: connectors.Action{Type: "release_hold"}, Reason: "order SO-1 has no CREDIT hold"}}
		}, []string{"decision: want release_hold approval by finance_director, got release_hold rejected before the guard: order SO-1 has no CREDIT hold"}},
		{"class", func(c *agent.Case) { c.Class = "pricing_mismatch" },
			[]string{"class: want credit_hold, got pricing_mismatch"}},
		{"top action blocked", func(c *agent.Case) {
			c.Actions = []agent.Proposal{proposal("release_hold", policy.Blocked, "", "credit.release.blocked")}
		}, []string{
			"top_action: want one of release_hold, request_prepayment, not blocked, got release_hold blocked (rule credit.release.blocked)",
			"decision: want release_hold approval by finance_director, got release_hold blocked (rule credit.release.blocked)"}},
		{"no action", func(c *agent.Case) { c.Actions = nil }, []string{
			"top_action: want one of release_hold, request_prepayment, not blocked, got no action",
			"decision: want release_hold approval by finance_director, got no release_hold action (actions: none)"}},
		{"forbidden", func(c *agent.Case) {
			c.Actions = append(c.Actions, proposal("cancel_order", policy.Approval, "cs_supervisor", "cancel.approval"))
		}, []string{"no_forbidden: want no cancel_order unless blocked, got cancel_order approval by cs_supervisor (rule cancel.approval)"}},
		{"forbidden but blocked", func(c *agent.Case) {
			c.Actions = append(c.Actions, proposal("cancel_order", policy.Blocked, "", "cancel.blocked"))
		}, nil},
		{"mentions", func(c *agent.Case) { c.Summary = "SO-1 is held" },
			[]string{`mentions: want "SO-1", "$4,800.00" in the summary, got a summary without "$4,800.00"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			c.Actions = slices.Clone(good.Actions)
			tc.mod(&c)
			checks, fails := evals.Diagnose(&expected, &c)
			var got []string
			for _, f := range fails {
				got = append(got, f.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			var names []string
			for _, f := range fails {
				names = append(names, f.Check)
			}
			if !slices.Equal(checks.Failed(), names) || checks.All() != (len(fails) == 0) || evals.Score(&expected, &c) != checks {
				t.Errorf("checks %+v disagree with failures %v", checks, names)
			}
		})
	}
}
