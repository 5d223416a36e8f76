package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/exdesk/exdesk/agent"
)

// terminalApprovals is the embedded default's approval surface: the
// waiting actions are listed and approved or rejected by number. The guard
// runs again on fresh data before anything executes, exactly as for an
// approval in Slack.
type terminalApprovals struct {
	inv     *agent.Investigator
	in      io.Reader
	out     io.Writer
	roles   []string
	pending []pendingApproval
}

const approvalHelp = `commands: l (list)  a N (approve)  r N [reason] (reject)  q (quit)`

func (t *terminalApprovals) run(ctx context.Context) error {
	fmt.Fprintf(t.out, "\nApprovals (you hold: %s)\n%s\n", strings.Join(t.roles, ", "), approvalHelp)
	t.list()
	sc := bufio.NewScanner(t.in)
	for {
		fmt.Fprint(t.out, "> ")
		if !sc.Scan() {
			fmt.Fprintln(t.out)
			return sc.Err()
		}
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		switch cmd := fields[0]; cmd {
		case "q", "quit", "exit":
			return nil
		case "l", "list":
			t.list()
		case "a", "approve", "r", "reject":
			if len(fields) < 2 {
				fmt.Fprintf(t.out, "which one? e.g. %q\n", cmd+" 1")
				continue
			}
			n, err := strconv.Atoi(fields[1])
			if err != nil || n < 1 || n > len(t.pending) {
				fmt.Fprintf(t.out, "no approval number %q; the list has 1 to %d\n", fields[1], len(t.pending))
				continue
			}
			p := &t.pending[n-1]
			if p.decided != "" {
				fmt.Fprintf(t.out, "%d was already decided: %s\n", n, p.decided)
				continue
			}
			if !slices.Contains(t.roles, p.role) {
				fmt.Fprintf(t.out, "%d needs %s, which you do not hold (start with --as %s)\n", n, p.role, p.role)
				continue
			}
			if cmd[0] == 'r' {
				reason := strings.Join(fields[2:], " ")
				p.decided = "rejected"
				if reason != "" {
					p.decided += ": " + reason
				}
				fmt.Fprintf(t.out, "%s: %s rejected\n", p.caseID, p.what)
				continue
			}
			t.approve(ctx, p)
		default:
			fmt.Fprintln(t.out, approvalHelp)
		}
	}
}

func (t *terminalApprovals) approve(ctx context.Context, p *pendingApproval) {
	e, d, err := t.inv.Execute(ctx, p.proposal.Action, p.proposal.Confidence, "terminal:"+p.role)
	switch {
	case errors.Is(err, agent.ErrBlocked):
		p.decided = "approved, then blocked on fresh data: " + d.Reason
	case err != nil:
		p.decided = "approved, execution failed: " + err.Error()
	case e.Replayed:
		p.decided = "already executed: " + e.Detail
	default:
		p.decided = "approved and executed: " + e.Detail
	}
	fmt.Fprintf(t.out, "%s: %s\n", p.caseID, p.decided)
}

func (t *terminalApprovals) list() {
	shown := 0
	for i, p := range t.pending {
		if p.decided != "" {
			continue
		}
		if shown == 20 {
			fmt.Fprintf(t.out, "  … (only the first 20 undecided are listed)\n")
			break
		}
		fmt.Fprintf(t.out, "  %3d. %s: %s — needs %s\n", i+1, p.caseID, p.what, p.role)
		shown++
	}
	if shown == 0 {
		fmt.Fprintln(t.out, "  nothing is waiting")
	}
}
