package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/slackbot"
	"github.com/exdesk/exdesk/store"
)

// approverRoles reads --as: the roles named, each one of the policy's
// (known); with none named, every role of the policy.
func approverRoles(as string, known []string) ([]string, error) {
	if strings.TrimSpace(as) == "" {
		return known, nil
	}
	var roles, unknown []string
	for _, r := range strings.Split(as, ",") {
		r = strings.TrimSpace(r)
		switch {
		case r == "" || slices.Contains(roles, r):
		case slices.Contains(known, r):
			roles = append(roles, r)
		default:
			unknown = append(unknown, strconv.Quote(r))
		}
	}
	switch {
	case len(unknown) == 1:
		return nil, fmt.Errorf("--as: %s is not a role of the policy; its roles are %s", unknown[0], strings.Join(known, ", "))
	case len(unknown) > 1:
		return nil, fmt.Errorf("--as: %s are not roles of the policy; its roles are %s", strings.Join(unknown, ", "), strings.Join(known, ", "))
	case len(roles) == 0:
		return nil, fmt.Errorf("--as names no role; the policy's roles are %s", strings.Join(known, ", "))
	}
	return roles, nil
}

// terminalApprovals is the embedded default's approval surface: the
// waiting actions the person's roles can decide are listed, each case's
// thread can be read in full, and actions are approved or rejected by
// number through the same case lifecycle as a click in Slack
// (casework.Desk): the role checked, the guard run again on fresh data,
// executed at most once, audited.
type terminalApprovals struct {
	desk  *casework.Desk
	in    io.Reader
	out   io.Writer
	st    style
	roles []string
	// items are the waiting actions the roles can decide, numbered from 1.
	items []*approvalItem
	// others counts the waiting actions for roles not held, by role.
	others map[string]int
}

// approvalItem is a waiting action in the terminal's list.
type approvalItem struct {
	proposal store.Proposal
	what     string
	// verb is what the person did ("approved", "rejected"), or how the
	// action left the list otherwise ("already decided"); "" while it waits.
	verb string
	// result says what the decision came to.
	result string
}

// newTerminalApprovals lists the waiting actions roles can decide.
func newTerminalApprovals(desk *casework.Desk, in io.Reader, out io.Writer, st style, roles []string, pending []pendingApproval) *terminalApprovals {
	t := &terminalApprovals{desk: desk, in: in, out: out, st: st, roles: roles, others: map[string]int{}}
	for _, p := range pending {
		if slices.Contains(roles, p.proposal.Role) {
			t.items = append(t.items, &approvalItem{proposal: p.proposal, what: p.what})
		} else {
			t.others[p.proposal.Role]++
		}
	}
	return t
}

const approvalHelp = `commands:
  l, list                  list the waiting actions you can decide
  s N, show N              show action N's case as its thread reads: evidence, actions, the guard's outcomes
  a N, approve N           approve action N (the guard decides again on current data; it runs at most once)
  r N [reason], reject N   reject action N, with your reason
  help                     this list
  q, quit                  stop, with a summary of your decisions (end of input and Ctrl-C do too)`

// run reads commands until quit, the end of input or ctx's end, then
// prints a summary of the decisions. It returns ctx's error when ctx ended.
func (t *terminalApprovals) run(ctx context.Context) error {
	fmt.Fprintf(t.out, "\n%s\n", t.st.bold("Approvals"))
	fmt.Fprintln(t.out, t.st.wrap(fmt.Sprintf("You hold: %s. %s", strings.Join(t.roles, ", "), t.othersWords()), "", ""))
	if len(t.items) == 0 {
		fmt.Fprintln(t.out, "Nothing waits for your roles.")
		return nil
	}
	fmt.Fprintln(t.out, "Type help for the commands: l, s N, a N, r N [reason], q.")
	t.list()
	lines, stop := readLines(t.in)
	defer stop()
	for {
		fmt.Fprint(t.out, "> ")
		var line string
		select {
		case <-ctx.Done():
			fmt.Fprintln(t.out)
			t.summary()
			return ctx.Err()
		case l, ok := <-lines:
			if !ok {
				fmt.Fprintln(t.out)
				t.summary()
				return nil
			}
			line = l
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		switch cmd := strings.ToLower(fields[0]); cmd {
		case "q", "quit", "exit":
			t.summary()
			return nil
		case "help", "h", "?":
			fmt.Fprintln(t.out, approvalHelp)
		case "l", "list":
			t.list()
		case "s", "show", "a", "approve", "r", "reject":
			it, n, ok := t.item(cmd, fields)
			if !ok {
				continue
			}
			switch cmd[0] {
			case 's':
				t.show(ctx, it)
			case 'a':
				t.approve(ctx, n, it)
			default:
				t.reject(ctx, n, it, strings.Join(fields[2:], " "))
			}
		default:
			fmt.Fprintf(t.out, "unknown command %q; type help for the commands\n", fields[0])
		}
	}
}

// readLines reads r's lines on a goroutine, so a prompt waiting for input
// still sees ctx end. stop lets the goroutine go when the prompt returns.
func readLines(r io.Reader) (<-chan string, func()) {
	lines, done := make(chan string), make(chan struct{})
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-done:
				return
			}
		}
	}()
	return lines, func() { close(done) }
}

// item finds the action a command names by number; it says what is wrong
// when there is none.
func (t *terminalApprovals) item(cmd string, fields []string) (*approvalItem, int, bool) {
	if len(fields) < 2 {
		fmt.Fprintf(t.out, "which one? e.g. %q\n", cmd+" 1")
		return nil, 0, false
	}
	n, err := strconv.Atoi(strings.TrimSuffix(fields[1], "."))
	if err != nil || n < 1 || n > len(t.items) {
		fmt.Fprintf(t.out, "no approval number %q; the list has 1 to %d\n", fields[1], len(t.items))
		return nil, 0, false
	}
	it := t.items[n-1]
	if it.verb != "" && cmd[0] != 's' {
		fmt.Fprintf(t.out, "%d was already decided: %s\n", n, it.outcome(t.st))
		return nil, 0, false
	}
	return it, n, true
}

// othersWords says how many waiting actions need roles the person does
// not hold.
func (t *terminalApprovals) othersWords() string {
	if len(t.others) == 0 {
		return ""
	}
	roles := make([]string, 0, len(t.others))
	n := 0
	for r, c := range t.others {
		roles = append(roles, fmt.Sprintf("%s %d", strings.ReplaceAll(r, "_", " "), c))
		n += c
	}
	sort.Strings(roles)
	verb := "are"
	if n == 1 {
		verb = "is"
	}
	return fmt.Sprintf("%s for roles you do not hold (%s) %s not listed.", plural(n, "action", "actions"), strings.Join(roles, ", "), verb)
}

// approver is the person at the terminal, holding the roles of --as.
func (t *terminalApprovals) approver() casework.Approver {
	return casework.Approver{Actor: casework.Actor{ID: "terminal", Surface: "terminal"},
		Holds: func(_ context.Context, role string) (bool, error) { return slices.Contains(t.roles, role), nil }}
}

// show prints the thread of the case of it, as Slack shows it.
func (t *terminalApprovals) show(ctx context.Context, it *approvalItem) {
	v, err := t.desk.View(ctx, it.proposal.CaseID)
	if err != nil {
		fmt.Fprintf(t.out, "%s: the case cannot be read: %v\n", it.proposal.CaseID, err)
		return
	}
	number := func(id string) (int, bool) {
		for i, x := range t.items {
			if x.proposal.ID == id && x.verb == "" {
				return i + 1, true
			}
		}
		return 0, false
	}
	fmt.Fprintln(t.out)
	writeSlackThread(t.out, t.st, slackbot.RenderCase(v, slackbot.RenderOptions{}), number)
	fmt.Fprintln(t.out)
}

func (t *terminalApprovals) approve(ctx context.Context, n int, it *approvalItem) {
	r, err := t.desk.Approve(ctx, it.proposal.ID, t.approver())
	if err != nil {
		fmt.Fprintf(t.out, "%d. %s: approval not recorded: %v\n", n, it.proposal.CaseID, err)
		return
	}
	it.verb, it.result = decided(r)
	fmt.Fprintln(t.out, t.st.wrap(fmt.Sprintf("%d. %s: %s — %s", n, it.proposal.CaseID, it.what, it.outcome(t.st)), "", "   "))
}

func (t *terminalApprovals) reject(ctx context.Context, n int, it *approvalItem, reason string) {
	r, err := t.desk.Reject(ctx, it.proposal.ID, t.approver(), reason)
	if err != nil {
		fmt.Fprintf(t.out, "%d. %s: rejection not recorded: %v\n", n, it.proposal.CaseID, err)
		return
	}
	it.verb, it.result = decided(r)
	if r.Kind == casework.Rejected {
		// The reason as the case records it, not as typed.
		if r.Proposal.Note != "" {
			it.result = "reason recorded: " + r.Proposal.Note
		} else {
			it.result = "no reason given"
		}
	}
	fmt.Fprintln(t.out, t.st.wrap(fmt.Sprintf("%d. %s: %s — %s", n, it.proposal.CaseID, it.what, it.outcome(t.st)), "", "   "))
}

// decided says what a decision came to: what the person did, and what
// came of it.
func decided(r casework.Result) (verb, result string) {
	switch r.Kind {
	case casework.Executed:
		if r.Execution.Replayed {
			return "approved", "already executed: " + r.Execution.Detail
		}
		return "approved", "executed: " + r.Execution.Detail
	case casework.NotExecuted:
		return "approved", "not executed: " + r.Err.Error()
	case casework.Rejected:
		return "rejected", ""
	case casework.Refused:
		return "approved", "not executed, blocked on fresh data: " + r.Err.Error()
	case casework.Superseded:
		return "approved", fmt.Sprintf("not executed: on fresh data it needs %s; proposed again for that role", agent.RoleWords(r.Role))
	case casework.AlreadyDecided:
		return "already decided", string(r.Proposal.State)
	case casework.Denied:
		return "", "needs " + agent.RoleWords(r.Role) + ", which you do not hold"
	}
	return string(r.Kind), ""
}

// outcome is an item's decision in words.
func (it *approvalItem) outcome(st style) string {
	return it.paintedVerb(st) + resultSuffix(it.result)
}

// resultSuffix puts what a decision came to after its verb.
func resultSuffix(result string) string {
	if result == "" {
		return ""
	}
	return ", " + result
}

// paintedVerb is the item's verb, coloured: approved green, rejected red;
// an undecided item was skipped.
func (it *approvalItem) paintedVerb(st style) string {
	switch it.verb {
	case "approved":
		return st.green(it.verb)
	case "rejected":
		return st.red(it.verb)
	case "":
		return st.dim("skipped")
	}
	return it.verb
}

func (t *terminalApprovals) list() {
	shown := 0
	for i, it := range t.items {
		if it.verb != "" {
			continue
		}
		if shown == 20 {
			fmt.Fprintf(t.out, "  … (only the first 20 undecided are listed)\n")
			break
		}
		line := fmt.Sprintf("%3d. %s: %s — %s", i+1, it.proposal.CaseID, it.what,
			t.st.yellow("needs "+agent.RoleWords(it.proposal.Role)))
		fmt.Fprintln(t.out, t.st.wrap(line, "  ", "       "))
		shown++
	}
	if shown == 0 {
		fmt.Fprintln(t.out, "  nothing of yours is waiting")
	}
}

// summary prints the decisions taken at the prompt: approved, rejected
// and skipped, each with its case and action.
func (t *terminalApprovals) summary() {
	var approved, rejected, skipped, other []*approvalItem
	for _, it := range t.items {
		switch it.verb {
		case "approved":
			approved = append(approved, it)
		case "rejected":
			rejected = append(rejected, it)
		case "":
			skipped = append(skipped, it)
		default:
			other = append(other, it)
		}
	}
	head := fmt.Sprintf("Decisions: %s, %s, %d skipped", t.st.count(len(approved), "approved", true),
		t.st.count(len(rejected), "rejected", false), len(skipped))
	if len(other) > 0 {
		head += fmt.Sprintf(", %d decided elsewhere", len(other))
	}
	fmt.Fprintf(t.out, "\n%s\n", head)
	const maxSkipped = 10
	for _, group := range [][]*approvalItem{approved, rejected, other, skipped} {
		for i, it := range group {
			if it.verb == "" && i == maxSkipped {
				fmt.Fprintf(t.out, "  … and %d more skipped\n", len(group)-maxSkipped)
				break
			}
			line := fmt.Sprintf("%s %s: %s", padRight(it.paintedVerb(t.st), 8), it.proposal.CaseID, it.what)
			if it.result != "" {
				line += " — " + it.result
			}
			fmt.Fprintln(t.out, t.st.wrap(line, "  ", "           "))
		}
	}
}

// padRight pads s with spaces to n visible columns.
func padRight(s string, n int) string {
	return s + strings.Repeat(" ", max(n-visibleWidth(s), 0))
}
