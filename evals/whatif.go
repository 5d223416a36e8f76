package evals

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/policy"
)

// Verdict is what one policy's guard made of one proposed action: a
// decision, or the reason the action was rejected as not fitting the order.
type Verdict struct {
	Outcome  policy.Outcome `json:"outcome,omitempty"`
	Role     string         `json:"role,omitempty"`
	Rule     string         `json:"rule,omitempty"`
	Reason   string         `json:"reason,omitempty"`
	Rejected string         `json:"rejected,omitempty"`
	// NotProposed: the planner did not propose the action under this policy.
	NotProposed bool `json:"not_proposed,omitempty"`
}

// String reads "approval by finance_supervisor", "auto", "blocked",
// "rejected" or "not proposed".
func (v Verdict) String() string {
	switch {
	case v.NotProposed:
		return "not proposed"
	case v.Rejected != "":
		return "rejected"
	case v.Outcome == policy.Approval:
		return "approval by " + v.Role
	}
	return string(v.Outcome)
}

func (v Verdict) rule() string {
	switch {
	case v.NotProposed:
		return "(not proposed)"
	case v.Rejected != "":
		return "(rejected)"
	}
	return v.Rule
}

// PolicyFlip is a proposed action whose verdict differs between two
// policies on the same recorded case.
type PolicyFlip struct {
	Case   string            `json:"case"`
	Action connectors.Action `json:"action"`
	Old    Verdict           `json:"old"`
	New    Verdict           `json:"new"`
}

// Count is one line of a tally.
type Count struct {
	Key string `json:"key"`
	N   int    `json:"n"`
}

// PolicyDiff is what changes when a policy replaces another over a suite
// of recorded cases: every decision that flips, with tallies.
type PolicyDiff struct {
	Old   string `json:"old_policy"`
	New   string `json:"new_policy"`
	Cases int    `json:"cases"`
	// Decisions is how many proposed actions were compared.
	Decisions int `json:"decisions"`
	// RuleOnly counts decisions with the same outcome reached by another rule.
	RuleOnly  int          `json:"rule_only_changes"`
	Flips     []PolicyFlip `json:"flips"`
	ByRule    []Count      `json:"by_rule"`
	ByOutcome []Count      `json:"by_outcome"`
	// Errored are cases that could not be compared (malformed, or the
	// investigation failed), by id.
	Errored map[string]string `json:"errored,omitempty"`
}

// DiffPolicies investigates every case once under each policy, on the same
// snapshot with the same planner (the deterministic playbook unless
// planner is set), and compares the guard's verdict on each proposed action.
// A case that cannot be investigated is listed in Errored; DiffPolicies
// fails only when ctx ends.
func DiffPolicies(ctx context.Context, cases []Loaded, oldP, newP *policy.Engine, planner agent.Planner) (*PolicyDiff, error) {
	if oldP == nil || newP == nil {
		return nil, errors.New("evals: DiffPolicies needs both policies")
	}
	if planner == nil {
		planner = agent.Playbook{}
	}
	d := &PolicyDiff{Old: oldP.Version(), New: newP.Version(), Flips: []PolicyFlip{}, Errored: map[string]string{}}
	byRule, byOutcome := map[string]int{}, map[string]int{}
	for _, l := range cases {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		d.Cases++
		id := idOf(l)
		if l.Err != nil {
			d.Errored[id] = l.Err.Error()
			continue
		}
		before, err := investigateWith(ctx, l.Case, planner, oldP)
		if err != nil {
			d.Errored[id] = "old policy: " + err.Error()
			continue
		}
		after, err := investigateWith(ctx, l.Case, planner, newP)
		if err != nil {
			d.Errored[id] = "new policy: " + err.Error()
			continue
		}
		for _, p := range pairVerdicts(before, after) {
			d.Decisions++
			if p.old.String() == p.new.String() {
				if p.old.Rule != p.new.Rule {
					d.RuleOnly++
				}
				continue
			}
			d.Flips = append(d.Flips, PolicyFlip{Case: id, Action: p.action, Old: p.old, New: p.new})
			byRule[p.old.rule()+" → "+p.new.rule()]++
			byOutcome[p.old.String()+" → "+p.new.String()]++
		}
	}
	d.ByRule, d.ByOutcome = tally(byRule), tally(byOutcome)
	return d, nil
}

// investigateWith investigates c on its own snapshot under engine.
func investigateWith(ctx context.Context, c *Case, planner agent.Planner, engine *policy.Engine) (*agent.Case, error) {
	sys := recorded.New(c.Snapshot).Systems()
	inv := &agent.Investigator{Planner: planner, Systems: sys, Guard: policy.NewGuard(engine, sys),
		NewID: func(string) string { return c.ID }}
	return inv.Investigate(ctx, c.Trigger)
}

type verdictPair struct {
	action   connectors.Action
	old, new Verdict
}

// pairVerdicts matches the proposals of two investigations of one case by
// what they would do (connectors.Action.Key), in the old case's rank order.
func pairVerdicts(before, after *agent.Case) []verdictPair {
	var out []verdictPair
	index := map[string]int{}
	add := func(a connectors.Action, v Verdict, isNew bool) {
		k := a.Key()
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, verdictPair{action: a, old: Verdict{NotProposed: true}, new: Verdict{NotProposed: true}})
		}
		if isNew {
			out[i].new = v
		} else {
			out[i].old = v
		}
	}
	for _, side := range []struct {
		c     *agent.Case
		isNew bool
	}{{before, false}, {after, true}} {
		for _, p := range side.c.Actions {
			a := p.Action
			a.ID = ""
			add(a, Verdict{Outcome: p.Decision.Outcome, Role: p.Decision.Role, Rule: p.Decision.Rule, Reason: p.Decision.Reason}, side.isNew)
		}
		for _, r := range side.c.Rejected {
			a := r.Action
			a.ID = ""
			add(a, Verdict{Rejected: r.Reason}, side.isNew)
		}
	}
	return out
}

func tally(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{k, n})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(b.N-a.N, strings.Compare(a.Key, b.Key)) })
	return out
}

// WriteText prints every flip (case, action, old → new, rules), then the
// tallies by rule and by outcome, and a closing summary line.
func (d *PolicyDiff) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "policy diff: %s → %s over %d %s\n", d.Old, d.New, d.Cases, plural(d.Cases, "case", "cases"))
	if len(d.Flips) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "case\taction\told → new\trule")
		for _, f := range d.Flips {
			rule := f.Old.rule()
			if f.New.rule() != rule {
				rule += " → " + f.New.rule()
			}
			fmt.Fprintf(tw, "%s\t%s\t%s → %s\t%s\n", f.Case, f.Action, f.Old, f.New, rule)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, t := range []struct {
			title string
			cs    []Count
		}{{"by rule", d.ByRule}, {"by outcome", d.ByOutcome}} {
			fmt.Fprintf(w, "\n%s:\n", t.title)
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			for _, c := range t.cs {
				fmt.Fprintf(tw, "  %s\t%d\n", c.Key, c.N)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
	}
	ids := make([]string, 0, len(d.Errored))
	for id := range d.Errored {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		fmt.Fprintf(w, "ERROR %s: %s\n", id, d.Errored[id])
	}
	cases := map[string]bool{}
	for _, f := range d.Flips {
		cases[f.Case] = true
	}
	fmt.Fprintf(w, "\n%d %s %s in %d %s; %d of %d decisions unchanged",
		len(d.Flips), plural(len(d.Flips), "decision", "decisions"), plural(len(d.Flips), "flips", "flip"),
		len(cases), plural(len(cases), "case", "cases"), d.Decisions-len(d.Flips), d.Decisions)
	if d.RuleOnly > 0 {
		fmt.Fprintf(w, " (%d by another rule)", d.RuleOnly)
	}
	if len(d.Errored) > 0 {
		fmt.Fprintf(w, "; %d %s not compared", len(d.Errored), plural(len(d.Errored), "case", "cases"))
	}
	_, err := fmt.Fprintln(w)
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
