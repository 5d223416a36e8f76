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
// terminal: summary, evidence with sources, actions with decisions.
func printThread(w io.Writer, c *agent.Case, executed *connectors.Execution, execErr error) {
	fmt.Fprintf(w, "┌─ %s · %s · %s severity · %s (%s)\n", c.ID, classWords(c.Class), c.Severity, c.CustomerName, c.CustomerID)
	if c.Trigger.Type == agent.TriggerQuestion {
		fmt.Fprintf(w, "│ asked: %q\n", c.Trigger.Question)
	} else {
		fmt.Fprintf(w, "│ trigger: %s on %s\n", strings.ReplaceAll(c.Trigger.Event, "_", " "), c.OrderID)
	}
	for _, line := range wrap(c.Summary, 100) {
		fmt.Fprintf(w, "│ %s\n", line)
	}
	if len(c.AlsoDetected) > 0 && !strings.Contains(strings.ToLower(c.Summary), "also detected") {
		words := make([]string, len(c.AlsoDetected))
		for i, a := range c.AlsoDetected {
			words[i] = classWords(a)
		}
		fmt.Fprintf(w, "│ also detected: %s\n", strings.Join(words, ", "))
	}
	if len(c.Facts) > 0 {
		fmt.Fprintln(w, "│ evidence:")
		for _, f := range c.Facts {
			fmt.Fprintf(w, "│   • %s  [%s %s]\n", f.Text, f.Source, f.Tool)
		}
	}
	if len(c.Actions) > 0 {
		fmt.Fprintln(w, "│ actions:")
	}
	for i, p := range c.Actions {
		what := agent.Describe(p.Action)
		switch p.Decision.Outcome {
		case policy.Auto:
			status := "AUTO"
			if i == 0 && executed != nil {
				status = "AUTO · executed: " + executed.Detail
			} else if i == 0 && execErr != nil {
				status = "AUTO · not executed: " + execErr.Error()
			}
			fmt.Fprintf(w, "│   %d. %s — %s\n", p.Rank, what, status)
		case policy.Approval:
			fmt.Fprintf(w, "│   %d. %s — needs approval by %s [Approve] [Reject]\n", p.Rank, what, agent.RoleWords(p.Decision.Role))
		default:
			fmt.Fprintf(w, "│   %d. %s — BLOCKED (%s): %s\n", p.Rank, what, p.Decision.Rule, p.Decision.Reason)
		}
	}
	for _, r := range c.Rejected {
		fmt.Fprintf(w, "│   ✗ %s rejected: %s\n", agent.Describe(r.Action), r.Reason)
	}
	fmt.Fprintf(w, "└─ planner %s · %d tool calls · policy %s\n\n", c.Planner, len(c.Calls), c.PolicyVersion)
}

// classWords names an exception class for people.
func classWords(class string) string {
	if class == "" || class == connectors.ClassNone {
		return "no exception"
	}
	return strings.ReplaceAll(class, "_", " ")
}

func wrap(s string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, word := range strings.Fields(s) {
		if cur.Len() > 0 && cur.Len()+1+len(word) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(word)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
