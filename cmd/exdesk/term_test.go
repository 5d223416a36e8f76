package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

func TestColourOnTerminalOnly(t *testing.T) {
	examples := sharedExamples(t)
	tests := []struct {
		name       string
		tty        int
		vars       map[string]string
		wantColour bool
	}{
		{name: "terminal", tty: 100, wantColour: true},
		{name: "NO_COLOR=1", tty: 100, vars: map[string]string{"NO_COLOR": "1"}},
		{name: "TERM=dumb", tty: 100, vars: map[string]string{"TERM": "dumb"}},
		{name: "pipe", tty: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := termRun{tty: tt.tty, vars: tt.vars}
			// ask: a case with a decision needing approval, and an auto one.
			_, ask, _ := runTerm(t, context.Background(), r, "ask", "--connectors", "recorded:"+examples, "why is SO-10047 on hold?")
			yellow := strings.Contains(ask, "\x1b[33mneeds approval by a finance supervisor\x1b[0m")
			if yellow != tt.wantColour || strings.Contains(ask, "\x1b[") != tt.wantColour {
				t.Errorf("ask: approval in yellow %v, any colour %v; want %v\n%s", yellow, strings.Contains(ask, "\x1b["), tt.wantColour, ask)
			}
			// demo: the outcome table.
			_, demo, _ := runTerm(t, context.Background(), r, "demo", "--orders", "150", "--threads", "1", "--quiet")
			if got := strings.Contains(demo, "\x1b[32mauto\x1b[0m"); got != tt.wantColour {
				t.Errorf("demo: auto in green %v, want %v", got, tt.wantColour)
			}
			if !tt.wantColour && strings.Contains(demo, "\x1b") {
				t.Error("escape codes without colour")
			}
		})
	}
}

// On a terminal prose wraps at its width; in a pipe a paragraph is one line.
func TestWrapToTerminalWidth(t *testing.T) {
	examples := sharedExamples(t)
	args := []string{"ask", "--connectors", "recorded:" + examples, "why is SO-10047 on hold?"}
	_, wide, _ := runTerm(t, context.Background(), termRun{}, args...)
	longest := 0
	for _, line := range strings.Split(wide, "\n") {
		longest = max(longest, visibleWidth(line))
	}
	if longest <= 100 {
		t.Errorf("a pipe's longest line is %d columns: hard-wrapped?\n%s", longest, wide)
	}
	const width = 60
	_, narrow, _ := runTerm(t, context.Background(), termRun{tty: width, vars: map[string]string{"NO_COLOR": "1"}}, args...)
	for _, line := range strings.Split(narrow, "\n") {
		if visibleWidth(line) > width && strings.Contains(strings.TrimSpace(line), " ") {
			t.Errorf("line over %d columns on the terminal: %q", width, line)
		}
	}
	// Wrapping moves line breaks, nothing else.
	caseID := regexp.MustCompile(`case-SO-10047-[0-9a-f]+`)
	flat := func(s string) string {
		s = caseID.ReplaceAllString(strings.NewReplacer("│", "", "┌─", "", "└─", "").Replace(s), "case-SO-10047")
		return strings.Join(strings.Fields(s), " ")
	}
	if flat(wide) != flat(narrow) {
		t.Errorf("wrapped text differs from the pipe's:\n%s\n---\n%s", wide, narrow)
	}
}

func TestDemoInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Ctrl-C as the progress bar first draws: after the first event.
	r := termRun{tty: 100, vars: map[string]string{"NO_COLOR": "1"}, onErr: func(p string) {
		if strings.Contains(p, "day [") {
			cancel()
		}
	}}
	code, out, errOut := runTerm(t, ctx, r, "demo", "--orders", "150", "--threads", "2", "--interactive")
	if code != exitInterrupted || !strings.Contains(errOut, "interrupted") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, w := range []string{"partial: 1 of 150 orders (1 of ", " events) processed before the interrupt", "Exceptions by class"} {
		if !strings.Contains(out, w) {
			t.Errorf("lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "\nApprovals\n") {
		t.Error("the approvals prompt opened after the interrupt")
	}
	if strings.Contains(errOut, "context canceled") {
		t.Errorf("the interrupt reported as an error: %s", errOut)
	}
}
