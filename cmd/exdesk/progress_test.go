package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// screenLine is what a terminal shows on the current line after out is
// written to it: \r returns to column 0, ESC [ K clears to the end of the
// line, anything else overwrites the cell under the cursor.
func screenLine(t *testing.T, out string) string {
	t.Helper()
	var cells []rune
	col := 0
	rs := []rune(out)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\n':
			cells, col = nil, 0
		case r == '\r':
			col = 0
		case r == 0x1b:
			if i+2 < len(rs) && rs[i+1] == '[' && rs[i+2] == 'K' {
				cells = cells[:col]
				i += 2
				continue
			}
			t.Fatalf("unexpected escape sequence at %d in %q", i, out)
		default:
			if col < len(cells) {
				cells[col] = r
			} else {
				cells = append(cells, r)
			}
			col++
		}
	}
	return strings.TrimRight(string(cells), " ")
}

// fakeProgress is a progress bar on a terminal width columns wide whose
// clock moves a second between draws.
func fakeProgress(t *testing.T, vars map[string]string, width int) (*progress, *bytes.Buffer) {
	t.Helper()
	var tty bytes.Buffer
	e := &env{getenv: func(k string) string { return vars[k] }, terminal: fakeTerminal(width, &tty)}
	p := newProgress(e, &tty, "day")
	if p == nil {
		t.Fatal("no progress bar on a terminal")
	}
	clock := time.Unix(0, 0)
	p.began = clock
	p.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	return p, &tty
}

func TestProgressRedrawLeavesNothingBehind(t *testing.T) {
	tests := []struct {
		name  string
		vars  map[string]string
		width int
	}{
		{name: "clears to the end of the line", width: 120},
		{name: "TERM=dumb pads instead", vars: map[string]string{"TERM": "dumb"}, width: 120},
		{name: "narrow terminal: no bar, counts only", width: 28},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, tty := fakeProgress(t, tt.vars, tt.width)
			// A fast first second draws a long rate; a slower count after it
			// draws a shorter line, which must not keep the long one's tail.
			p.set(9930, 10000)
			long := screenLine(t, tty.String())
			p.began = p.began.Add(-1000 * time.Second)
			p.set(9931, 10000)
			got := screenLine(t, tty.String())
			want := p.line(9931, 10000, p.last)
			if got != strings.TrimRight(want, " ") {
				t.Errorf("after a shorter redraw the line reads\n%q\nwant\n%q (the longer one was %q)", got, want, long)
			}
			if len(got) >= len(long) {
				t.Errorf("the second line is not shorter: %q then %q", long, got)
			}
			if strings.Contains(tty.String(), "\x1b") == (tt.vars["TERM"] == "dumb") {
				t.Errorf("escape sequences written %v with TERM=%q", !(tt.vars["TERM"] == "dumb"), tt.vars["TERM"])
			}
			for _, line := range []string{long, got} {
				if w := visibleWidth(line); w >= tt.width {
					t.Errorf("line %q is %d columns on a terminal of %d", line, w, tt.width)
				}
			}
			p.finish()
			if !strings.HasSuffix(tty.String(), "\n") {
				t.Errorf("finish does not end the line: %q", tty.String())
			}
		})
	}
}

func TestNoProgressOffTerminal(t *testing.T) {
	var pipe, tty bytes.Buffer
	e := &env{getenv: func(string) string { return "" }, terminal: fakeTerminal(80, &tty)}
	if p := newProgress(e, &pipe, "eval"); p != nil {
		t.Fatal("a progress bar on a pipe")
	}
	var p *progress // nil draws nothing and does not panic
	p.set(1, 2)
	p.finish()
}
