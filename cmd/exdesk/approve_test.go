package main

import (
	"cmp"
	"context"
	"io"
	"strings"
	"testing"
)

func TestTerminalApprovals(t *testing.T) {
	tests := []struct {
		name    string
		as      string // the roles held (default cs_supervisor)
		input   string
		want    []string
		wantNot []string
	}{
		{
			name: "thread before deciding, the reason echoed, a summary on quit",
			// s 1 shows the thread; r 1 rejects with a reason; s 1 again shows
			// the rejection recorded on the case; a 1 cannot decide it twice.
			as:    "finance_supervisor",
			input: "s 1\nr 1 too expensive\ns 1\na 1\nq\n",
			want: []string{
				"┌─ SO-", "│ Summary", "│ Evidence", "Sources:", "needs approval by a finance supervisor", "→ a 1 to approve",
				"rejected, reason recorded: too expensive",
				"✗ Rejected by terminal", // the second s 1: the case records the decision
				"1 was already decided: rejected",
				"Decisions: 0 approved, 1 rejected, ",
				"  rejected case-SO-",
			},
		},
		{
			name:  "only the actions the roles decide are listed",
			input: "l\nq\n",
			want:  []string{"You hold: cs_supervisor.", "for roles you do not hold (", "are not listed", "  1. case-SO-"},
			// every listed action needs the role held
			wantNot: []string{"— needs a finance", "— needs a logistics", "— needs a planner", "— needs a compliance", "— needs a pricing"},
		},
		{
			name:  "help lists the commands",
			input: "help\nbogus\nq\n",
			want:  []string{"commands:", "s N, show N", "a N, approve N", "r N [reason], reject N", "q, quit", `unknown command "bogus"; type help`},
		},
		{
			name:  "a summary at the end of input too",
			input: "a 1\n",
			want:  []string{"1. case-SO-", "Decisions: ", "approved case-SO-"},
		},
		{
			name:  "bad numbers",
			input: "a\nr 999 nope\ns x\nq\n",
			want:  []string{`which one? e.g. "a 1"`, `no approval number "999"`, `no approval number "x"`, "Decisions: 0 approved, 0 rejected, "},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			as := cmp.Or(tt.as, "cs_supervisor")
			code, out, errOut := runTerm(t, context.Background(), termRun{stdin: strings.NewReader(tt.input)},
				"demo", "--orders", "150", "--threads", "0", "--quiet", "--interactive", "--as", as)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			tail := out[strings.Index(out, "\nApprovals\n"):]
			for _, w := range tt.want {
				if !strings.Contains(tail, w) {
					t.Errorf("lacks %q:\n%s", w, tail)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(tail, w) {
					t.Errorf("has %q:\n%s", w, tail)
				}
			}
			if strings.Contains(out, "\x1b[") {
				t.Error("colour codes written to a pipe")
			}
		})
	}
}

func TestApproverRolesRefusedAtStart(t *testing.T) {
	tests := []struct {
		as   string
		want string
	}{
		{as: "nobody", want: `--as: "nobody" is not a role of the policy; its roles are compliance_officer, cs_supervisor,`},
		{as: "cs_supervisor,nobody,finance", want: `"nobody", "finance" are not roles of the policy`},
		{as: " , ", want: "--as names no role"},
	}
	for _, tt := range tests {
		t.Run(tt.as, func(t *testing.T) {
			code, out, errOut := runTerm(t, context.Background(), termRun{stdin: strings.NewReader("q\n")},
				"demo", "--orders", "150", "--quiet", "--interactive", "--as", tt.as)
			if code != exitUsage || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want %q", code, errOut, tt.want)
			}
			if out != "" {
				t.Errorf("the day ran before the roles were checked:\n%s", out)
			}
		})
	}
}

// Ctrl-C at the prompt ends it with the summary, and the run with 130.
func TestTerminalApprovalsInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe() // input that never ends on its own
	t.Cleanup(func() { _ = pw.Close() })
	prompts := 0
	r := termRun{stdin: pr, onOut: func(p string) {
		if p == "> " {
			if prompts++; prompts == 2 {
				cancel()
			}
		}
	}}
	go func() { _, _ = io.WriteString(pw, "r 1 not now\n") }()
	code, out, errOut := runTerm(t, ctx, r, "demo", "--orders", "150", "--threads", "0", "--quiet", "--interactive", "--as", "cs_supervisor")
	if code != exitInterrupted || !strings.Contains(errOut, "interrupted") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	for _, w := range []string{"rejected, reason recorded: not now", "Decisions: 0 approved, 1 rejected, "} {
		if !strings.Contains(out, w) {
			t.Errorf("lacks %q:\n%s", w, out[max(0, len(out)-1500):])
		}
	}
}
