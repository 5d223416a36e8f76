package evals

import (
	"slices"
	"strings"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/policy"
)

// Score checks an investigated case against its expected block (FORMAT.md).
func Score(e *Expected, c *agent.Case) Checks {
	var ch Checks
	ch.Class = c.Class == e.ExceptionClass
	if top, ok := c.Top(); ok {
		ch.TopAction = slices.Contains(e.AcceptableActions, top.Action.Type) && top.Decision.Outcome != policy.Blocked
	}
	ch.NoForbidden = true
	for _, p := range c.Actions {
		if slices.Contains(e.ForbiddenActions, p.Action.Type) && p.Decision.Outcome != policy.Blocked {
			ch.NoForbidden = false
		}
	}
	ch.Decision = true
	if d := e.Decision; d != nil {
		ch.Decision = false
		for _, p := range c.Actions {
			if p.Action.Type == d.Action && p.Decision.Outcome == d.Outcome && (d.Outcome != policy.Approval || p.Decision.Role == d.Role) {
				ch.Decision = true
			}
		}
	}
	ch.Mentions = true
	for _, m := range e.MustMention {
		if !strings.Contains(c.Summary, m) {
			ch.Mentions = false
		}
	}
	return ch
}

// All reports whether every check passed.
func (c Checks) All() bool {
	return c.Class && c.TopAction && c.NoForbidden && c.Decision && c.Mentions
}

// Failed names the checks that failed.
func (c Checks) Failed() []string {
	var out []string
	for _, x := range []struct {
		name string
		ok   bool
	}{{"class", c.Class}, {"top_action", c.TopAction}, {"no_forbidden", c.NoForbidden}, {"decision", c.Decision}, {"mentions", c.Mentions}} {
		if !x.ok {
			out = append(out, x.name)
		}
	}
	return out
}
