package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/exdesk/exdesk/casework"
)

// terminalApprovals is the embedded default's approval surface: the
// waiting actions are listed and approved or rejected by number, through
// the same case lifecycle as a click in Slack (casework.Desk): the role
// checked, the guard run again on fresh data, executed at most once.
type terminalApprovals struct {
	desk    *casework.Desk
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
			if role := p.proposal.Role; !slices.Contains(t.roles, role) {
				fmt.Fprintf(t.out, "%d needs %s, which you do not hold (start with --as %s)\n", n, role, role)
				continue
			}
			if cmd[0] == 'r' {
				t.reject(ctx, p, strings.Join(fields[2:], " "))
				continue
			}
			t.approve(ctx, p)
		default:
			fmt.Fprintln(t.out, approvalHelp)
		}
	}
}

// approver is the person at the terminal, holding the roles of --as.
func (t *terminalApprovals) approver() casework.Approver {
	return casework.Approver{Actor: casework.Actor{ID: "terminal", Surface: "terminal"},
		Holds: func(_ context.Context, role string) (bool, error) { return slices.Contains(t.roles, role), nil }}
}

func (t *terminalApprovals) approve(ctx context.Context, p *pendingApproval) {
	r, err := t.desk.Approve(ctx, p.proposal.ID, t.approver())
	if err != nil {
		fmt.Fprintf(t.out, "%s: approval not recorded: %v\n", p.proposal.CaseID, err)
		return
	}
	p.decided = decidedWords(r)
	fmt.Fprintf(t.out, "%s: %s\n", p.proposal.CaseID, p.decided)
}

func (t *terminalApprovals) reject(ctx context.Context, p *pendingApproval, reason string) {
	r, err := t.desk.Reject(ctx, p.proposal.ID, t.approver(), reason)
	if err != nil {
		fmt.Fprintf(t.out, "%s: rejection not recorded: %v\n", p.proposal.CaseID, err)
		return
	}
	p.decided = decidedWords(r)
	if r.Kind == casework.Rejected && reason != "" {
		p.decided += ": " + reason
	}
	fmt.Fprintf(t.out, "%s: %s %s\n", p.proposal.CaseID, p.what, p.decided)
}

// decidedWords says what a decision came to.
func decidedWords(r casework.Result) string {
	switch r.Kind {
	case casework.Executed:
		if r.Execution.Replayed {
			return "already executed: " + r.Execution.Detail
		}
		return "approved and executed: " + r.Execution.Detail
	case casework.NotExecuted:
		return "approved, not executed: " + r.Err.Error()
	case casework.Rejected:
		return "rejected"
	case casework.Refused:
		return "not executed, blocked on fresh data: " + r.Err.Error()
	case casework.Superseded:
		return fmt.Sprintf("not executed: on fresh data it needs %s; proposed again for that role", r.Role)
	case casework.AlreadyDecided:
		return "already decided: " + string(r.Proposal.State)
	case casework.Denied:
		return "needs " + r.Role + ", which you do not hold"
	}
	return string(r.Kind)
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
		fmt.Fprintf(t.out, "  %3d. %s: %s — needs %s\n", i+1, p.proposal.CaseID, p.what, p.proposal.Role)
		shown++
	}
	if shown == 0 {
		fmt.Fprintln(t.out, "  nothing is waiting")
	}
}
