package evals

import (
	"fmt"
	"slices"
	"strings"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/policy"
)

// CheckFailure is one failed check: what the case's expected block asks
// for and what the investigation gave.
type CheckFailure struct {
	Check string `json:"check"` // class, top_action, no_forbidden, decision, mentions
	Want  string `json:"want"`
	Got   string `json:"got"`
}

// String reads "decision: want release_hold approval by finance_director,
// got release_hold auto (rule credit.release.auto)".
func (f CheckFailure) String() string {
	return fmt.Sprintf("%s: want %s, got %s", f.Check, f.Want, f.Got)
}

// Score checks an investigated case against its expected block (FORMAT.md).
func Score(e *Expected, c *agent.Case) Checks {
	ch, _ := Diagnose(e, c)
	return ch
}

// Diagnose scores c against e as Score does and, for each failed check,
// says what was expected and what the case shows.
func Diagnose(e *Expected, c *agent.Case) (Checks, []CheckFailure) {
	var ch Checks
	var fails []CheckFailure
	for _, chk := range checks {
		ok, want, got := chk.run(e, c)
		*chk.field(&ch) = ok
		if !ok {
			fails = append(fails, CheckFailure{Check: chk.name, Want: want, Got: got})
		}
	}
	return ch, fails
}

// checks are FORMAT.md's checks in report order. run returns whether the
// check passes and, when it does not, the expectation and what was found.
var checks = []struct {
	name  string
	field func(*Checks) *bool
	run   func(e *Expected, c *agent.Case) (ok bool, want, got string)
}{
	{"class", func(c *Checks) *bool { return &c.Class }, checkClass},
	{"top_action", func(c *Checks) *bool { return &c.TopAction }, checkTopAction},
	{"no_forbidden", func(c *Checks) *bool { return &c.NoForbidden }, checkNoForbidden},
	{"decision", func(c *Checks) *bool { return &c.Decision }, checkDecision},
	{"mentions", func(c *Checks) *bool { return &c.Mentions }, checkMentions},
}

func checkClass(e *Expected, c *agent.Case) (bool, string, string) {
	got := c.Class
	if got == "" {
		got = "no class"
	}
	return c.Class == e.ExceptionClass, e.ExceptionClass, got
}

func checkTopAction(e *Expected, c *agent.Case) (bool, string, string) {
	want := "one of " + orNone(e.AcceptableActions) + ", not blocked"
	if len(e.AcceptableActions) == 1 {
		want = e.AcceptableActions[0] + ", not blocked"
	}
	top, ok := c.Top()
	if !ok {
		return false, want, "no action"
	}
	pass := slices.Contains(e.AcceptableActions, top.Action.Type) && top.Decision.Outcome != policy.Blocked
	return pass, want, decided(top)
}

func checkNoForbidden(e *Expected, c *agent.Case) (bool, string, string) {
	var bad []string
	for _, p := range c.Actions {
		if slices.Contains(e.ForbiddenActions, p.Action.Type) && p.Decision.Outcome != policy.Blocked {
			bad = append(bad, decided(p))
		}
	}
	return len(bad) == 0, "no " + orNone(e.ForbiddenActions) + " unless blocked", strings.Join(bad, "; ")
}

func checkDecision(e *Expected, c *agent.Case) (bool, string, string) {
	d := e.Decision
	if d == nil {
		return true, "", ""
	}
	want := d.Action + " " + outcomeRole(d.Outcome, d.Role)
	var got []string
	for _, p := range c.Actions {
		if p.Action.Type != d.Action {
			continue
		}
		if p.Decision.Outcome == d.Outcome && (d.Outcome != policy.Approval || p.Decision.Role == d.Role) {
			return true, want, ""
		}
		got = append(got, decided(p))
	}
	for _, r := range c.Rejected {
		if r.Action.Type == d.Action {
			got = append(got, d.Action+" rejected before the guard: "+r.Reason)
		}
	}
	if len(got) == 0 {
		listed := make([]string, 0, len(c.Actions))
		for _, p := range c.Actions {
			listed = append(listed, p.Action.Type)
		}
		return false, want, fmt.Sprintf("no %s action (actions: %s)", d.Action, orNone(listed))
	}
	return false, want, strings.Join(got, "; ")
}

func checkMentions(e *Expected, c *agent.Case) (bool, string, string) {
	var missing []string
	for _, m := range e.MustMention {
		if !strings.Contains(c.Summary, m) {
			missing = append(missing, fmt.Sprintf("%q", m))
		}
	}
	quoted := make([]string, len(e.MustMention))
	for i, m := range e.MustMention {
		quoted[i] = fmt.Sprintf("%q", m)
	}
	return len(missing) == 0, strings.Join(quoted, ", ") + " in the summary",
		"a summary without " + strings.Join(missing, ", ")
}

// decided reads "release_hold auto (rule credit.release.auto)".
func decided(p agent.Proposal) string {
	return fmt.Sprintf("%s %s (rule %s)", p.Action.Type, outcomeRole(p.Decision.Outcome, p.Decision.Role), p.Decision.Rule)
}

func outcomeRole(o policy.Outcome, role string) string {
	if o == policy.Approval && role != "" {
		return "approval by " + role
	}
	return string(o)
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

// All reports whether every check passed.
func (c Checks) All() bool {
	return c.Class && c.TopAction && c.NoForbidden && c.Decision && c.Mentions
}

// Failed names the checks that failed.
func (c Checks) Failed() []string {
	var out []string
	for _, chk := range checks {
		if !*chk.field(&c) {
			out = append(out, chk.name)
		}
	}
	return out
}
