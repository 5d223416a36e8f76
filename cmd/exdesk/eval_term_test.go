package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEvalColour(t *testing.T) {
	examples := sharedExamples(t)
	failing := casesDir(t, map[string][]string{
		"wrong.json": {"credit-supervisor-01.json", `"exception_class": "credit_hold"`, `"exception_class": "pricing_mismatch"`},
	})
	tests := []struct {
		name       string
		tty        int
		vars       map[string]string
		wantColour bool
	}{
		{name: "terminal", tty: 100, wantColour: true},
		{name: "NO_COLOR=1", tty: 100, vars: map[string]string{"NO_COLOR": "1"}},
		{name: "TERM=dumb", tty: 100, vars: map[string]string{"TERM": "dumb"}},
		{name: "pipe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := termRun{tty: tt.tty, vars: tt.vars}
			_, pass, _ := runTerm(t, context.Background(), r, "eval", "--cases", examples, "--quiet")
			if got := strings.Contains(pass, "\x1b[32m23 passed\x1b[0m"); got != tt.wantColour {
				t.Errorf("passes in green %v, want %v\n%s", got, tt.wantColour, pass)
			}
			_, fail, _ := runTerm(t, context.Background(), r, "eval", "--cases", failing, "--quiet")
			for _, want := range []string{"\x1b[31mFAIL\x1b[0m  credit-supervisor-01", "\x1b[31m1 failed\x1b[0m"} {
				if got := strings.Contains(fail, want); got != tt.wantColour {
					t.Errorf("%q in the output %v, want %v\n%s", want, got, tt.wantColour, fail)
				}
			}
			if !tt.wantColour && (strings.Contains(pass, "\x1b") || strings.Contains(fail, "\x1b")) {
				t.Error("escape codes without colour")
			}
		})
	}
}

func TestEvalInterrupted(t *testing.T) {
	examples := sharedExamples(t)
	dir := t.TempDir()
	report, junit := filepath.Join(dir, "r.json"), filepath.Join(dir, "j.xml")
	tests := []struct {
		name    string
		args    []string
		wantOut []string
	}{
		{name: "text", args: []string{"--report", report, "--junit", junit},
			wantOut: []string{"overall", "partial: ", " of 23 cases finished before the interrupt; the figures above cover those only"}},
		{name: "json", args: []string{"-o", "json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// Ctrl-C when the progress bar first draws: after the first case.
			r := termRun{tty: 100, onErr: func(p string) {
				if strings.Contains(p, "eval [") {
					cancel()
				}
			}}
			args := append([]string{"eval", "--cases", examples, "--workers", "1"}, tt.args...)
			code, out, errOut := runTerm(t, ctx, r, args...)
			if code != exitInterrupted || !strings.Contains(errOut, "interrupted") {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			// How far it got, and what was not written: on stderr, or
			// with -o json as the error object on stdout.
			note := errOut
			if tt.name == "json" {
				var je jsonError
				if err := json.Unmarshal([]byte(out), &je); err != nil || je.Error.ExitCode != exitInterrupted {
					t.Fatalf("-o json: stdout is not the error object of exit 130 (%v):\n%s", err, out)
				}
				note = je.Error.Message
			}
			for _, w := range []string{"partial: ", " of 23 cases finished before the interrupt", "not written"} {
				if !strings.Contains(note, w) {
					t.Errorf("does not say %q: %q", w, note)
				}
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, f := range []string{report, junit} {
				if _, err := os.Stat(f); err == nil {
					t.Errorf("%s written for a partial run", f)
				}
			}
		})
	}
}
