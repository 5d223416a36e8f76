package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/exdesk/exdesk/policy"
)

// fakeTerminal pretends the writers in ttys are terminals width columns
// wide.
func fakeTerminal(width int, ttys ...io.Writer) func(io.Writer) (int, bool) {
	return func(w io.Writer) (int, bool) {
		for _, t := range ttys {
			if w == t {
				return width, true
			}
		}
		return 0, false
	}
}

func TestStyleFromEnv(t *testing.T) {
	var tty, pipe bytes.Buffer
	tests := []struct {
		name      string
		vars      map[string]string
		w         io.Writer
		wantColor bool
		wantANSI  bool
		wantWidth int
	}{
		{name: "terminal", w: &tty, wantColor: true, wantANSI: true, wantWidth: 72},
		{name: "NO_COLOR=1", vars: map[string]string{"NO_COLOR": "1"}, w: &tty, wantANSI: true, wantWidth: 72},
		{name: "NO_COLOR empty is unset", vars: map[string]string{"NO_COLOR": ""}, w: &tty, wantColor: true, wantANSI: true, wantWidth: 72},
		{name: "TERM=dumb", vars: map[string]string{"TERM": "dumb"}, w: &tty, wantWidth: 72},
		{name: "not a terminal", w: &pipe},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &env{getenv: func(k string) string { return tt.vars[k] }, terminal: fakeTerminal(72, &tty)}
			st := e.style(tt.w)
			if st.color != tt.wantColor || st.ansi != tt.wantANSI || st.width != tt.wantWidth {
				t.Errorf("style = %+v, want color %v ansi %v width %d", st, tt.wantColor, tt.wantANSI, tt.wantWidth)
			}
			if got := st.outcome(policy.Blocked, "blocked"); (got != "blocked") != tt.wantColor {
				t.Errorf("outcome = %q", got)
			}
		})
	}
	// No terminal func at all (every test env before this one): plain.
	if st := (&env{}).style(&tty); st != (style{}) {
		t.Errorf("env without a terminal func: %+v", st)
	}
	// A terminal of unknown size: COLUMNS, else 80.
	e := &env{getenv: func(k string) string { return map[string]string{"COLUMNS": "100"}[k] }, terminal: fakeTerminal(0, &tty)}
	if st := e.style(&tty); st.width != 100 {
		t.Errorf("unknown size with COLUMNS=100: width %d", st.width)
	}
}

func TestWrap(t *testing.T) {
	long := "SO-100010 is short of SKU-4936 at DC-DAL. Line 2 needs 87 units but DC-DAL has 16 available by 2026-12-01."
	tests := []struct {
		name        string
		st          style
		text        string
		first, rest string
		want        string
	}{
		{name: "no width: one line", text: long, first: "│ ", rest: "│ ", want: "│ " + long},
		{name: "no width: a line per paragraph", text: "a b\nc d", first: "> ", rest: "  ", want: "> a b\n  c d"},
		{name: "wraps with a hanging indent", st: style{width: 30}, text: long, first: "│ ", rest: "│   ",
			want: "│ SO-100010 is short of\n│   SKU-4936 at DC-DAL. Line 2\n│   needs 87 units but DC-DAL\n│   has 16 available by\n│   2026-12-01."},
		{name: "a long word is not broken", st: style{width: 10}, text: "x averyveryverylongword y", want: "x\naveryveryverylongword\ny"},
		{name: "colour codes take no width", st: style{width: 20, color: true},
			text: "\x1b[32mauto\x1b[0m and more words to wrap", want: "\x1b[32mauto\x1b[0m and more words\nto wrap"},
		{name: "fits", st: style{width: 80}, text: "short", first: "- ", want: "- short"},
		{name: "spacing kept but at a break", st: style{width: 22}, text: "FAIL  case-01 — a  title here",
			want: "FAIL  case-01 — a\ntitle here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.st.wrap(tt.text, tt.first, tt.rest)
			if got != tt.want {
				t.Errorf("wrap:\n%s\nwant:\n%s", got, tt.want)
			}
			if tt.st.width > 0 {
				for _, line := range strings.Split(got, "\n") {
					if w := visibleWidth(line); w > tt.st.width && !strings.Contains(line, "averyvery") {
						t.Errorf("line %q is %d columns, over %d", line, w, tt.st.width)
					}
				}
			}
		})
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 2000: "2,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
