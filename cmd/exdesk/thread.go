package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
)

// printThread renders a case the way its Slack thread reads, for the
// terminal: summary, evidence with sources, actions with decisions, the
// guard's outcomes in colour when st has it. Prose wraps at st's width
// under the thread's rule; with no width each paragraph is one line.
func printThread(w io.Writer, st style, c *agent.Case, executed *connectors.Execution, execErr error) {
	const bar, item, more = "│ ", "│   ", "│     "
	line := func(text, first, rest string) { fmt.Fprintln(w, st.wrap(text, first, rest)) }
	line(fmt.Sprintf("%s · %s · %s severity · %s (%s)", st.bold(c.ID), classWords(c.Class), c.Severity, c.CustomerName, c.CustomerID), "┌─ ", bar)
	if c.Trigger.Type == agent.TriggerQuestion {
		line(fmt.Sprintf("asked: %q", c.Trigger.Question), bar, bar)
	} else {
		line(fmt.Sprintf("trigger: %s on %s", strings.ReplaceAll(c.Trigger.Event, "_", " "), c.OrderID), bar, bar)
	}
	line(c.Summary, bar, bar)
	if len(c.AlsoDetected) > 0 && !strings.Contains(strings.ToLower(c.Summary), "also detected") {
		words := make([]string, len(c.AlsoDetected))
		for i, a := range c.AlsoDetected {
			words[i] = classWords(a)
		}
		line("also detected: "+strings.Join(words, ", "), bar, bar)
	}
	if len(c.Facts) > 0 {
		fmt.Fprintln(w, bar+"evidence:")
		for _, f := range c.Facts {
			line(fmt.Sprintf("• %s  %s", f.Text, st.dim("["+f.Source+" "+f.Tool+"]")), item, more)
		}
	}
	if len(c.Actions) > 0 {
		fmt.Fprintln(w, bar+"actions:")
	}
	for i, p := range c.Actions {
		what := agent.Describe(p.Action)
		var status string
		switch p.Decision.Outcome {
		case policy.Auto:
			status = st.green("AUTO")
			if i == 0 && executed != nil {
				status += " · executed: " + executed.Detail
			} else if i == 0 && execErr != nil {
				status += " · not executed: " + execErr.Error()
			}
		case policy.Approval:
			status = st.yellow("needs approval by "+agent.RoleWords(p.Decision.Role)) + " [Approve] [Reject]"
		default:
			status = fmt.Sprintf("%s (%s): %s", st.red("BLOCKED"), p.Decision.Rule, p.Decision.Reason)
		}
		line(fmt.Sprintf("%d. %s — %s", p.Rank, what, status), item, more)
	}
	for _, r := range c.Rejected {
		line(fmt.Sprintf("✗ %s rejected: %s", agent.Describe(r.Action), r.Reason), item, more)
	}
	fmt.Fprintf(w, "%s\n\n", st.wrap(st.dim(fmt.Sprintf("planner %s · %d tool calls · policy %s", c.Planner, len(c.Calls), c.PolicyVersion)), "└─ ", "   "))
}

// classWords names an exception class for people.
func classWords(class string) string {
	if class == "" || class == connectors.ClassNone {
		return "no exception"
	}
	return strings.ReplaceAll(class, "_", " ")
}
