package main

import (
	"cmp"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/exdesk/exdesk/policy"
)

// fdTerminal reports whether w is a terminal and its width in columns
// (0 when the size cannot be read). It is env.terminal in the process.
func fdTerminal(w io.Writer) (width int, ok bool) {
	f, isFile := w.(interface{ Fd() uintptr })
	if !isFile {
		return 0, false
	}
	fd := int(f.Fd())
	if !term.IsTerminal(fd) {
		return 0, false
	}
	if cols, _, err := term.GetSize(fd); err == nil && cols > 0 {
		return cols, true
	}
	return 0, true
}

// defaultWidth is the width assumed for a terminal whose size cannot be
// read (and COLUMNS is not set).
const defaultWidth = 80

// style is how a command writes to one stream: in colour or not, and the
// width prose wraps at. The zero style writes plain text that does not
// hard-wrap, as pipes and files want.
type style struct {
	// tty: the stream is a terminal.
	tty bool
	// color: SGR colour and weight codes are written.
	color bool
	// ansi: the stream is a terminal that takes control sequences (not
	// TERM=dumb), so a line can be cleared with ESC [ K.
	ansi bool
	// width is the column prose wraps at; 0: no hard wrap.
	width int
}

// style returns the style for w: colour on a terminal unless NO_COLOR
// is set to anything (https://no-color.org) or TERM is dumb; wrapping at
// the terminal's width; nothing of either when w is not a terminal.
func (e *env) style(w io.Writer) style {
	if e.terminal == nil {
		return style{}
	}
	width, tty := e.terminal(w)
	if !tty {
		return style{}
	}
	cfg := e.cfg
	if cfg == nil && e.getenv != nil { // an env that run has not configured (a unit test)
		cfg = loadConfig(e.getenv)
	} else if cfg == nil {
		cfg = &config{}
	}
	if width <= 0 {
		width = cmp.Or(cfg.Columns, defaultWidth)
	}
	dumb := cfg.Term == "dumb"
	return style{tty: true, color: !dumb && !cfg.NoColor, ansi: !dumb, width: width}
}

// SGR parameters of the colours used.
const (
	sgrBold   = "1"
	sgrDim    = "2"
	sgrRed    = "31"
	sgrGreen  = "32"
	sgrYellow = "33"
)

// paint wraps text in the SGR code when the style has colour.
func (s style) paint(code, text string) string {
	if !s.color || text == "" {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

func (s style) bold(text string) string   { return s.paint(sgrBold, text) }
func (s style) dim(text string) string    { return s.paint(sgrDim, text) }
func (s style) green(text string) string  { return s.paint(sgrGreen, text) }
func (s style) yellow(text string) string { return s.paint(sgrYellow, text) }
func (s style) red(text string) string    { return s.paint(sgrRed, text) }

// outcome colours text by a guard outcome: auto green, approval yellow,
// blocked red.
func (s style) outcome(o policy.Outcome, text string) string {
	switch o {
	case policy.Auto:
		return s.green(text)
	case policy.Approval:
		return s.yellow(text)
	case policy.Blocked:
		return s.red(text)
	}
	return text
}

// count colours "N word" by whether N is good news: a non-zero count of
// passes green, of failures red; zero stays plain.
func (s style) count(n int, word string, good bool) string {
	text := strconv.Itoa(n) + " " + word
	switch {
	case n == 0:
		return text
	case good:
		return s.green(text)
	}
	return s.red(text)
}

// wrap lays text out in lines of at most the style's width: the first
// line after first, the others after rest (a hanging indent). Each line of
// text is a paragraph of its own. With no width (not a terminal) every
// paragraph stays one line. Spacing between words is kept, except where a
// line breaks; a word longer than a line is not broken. The result has no
// trailing newline.
func (s style) wrap(text, first, rest string) string {
	var b strings.Builder
	prefix := first
	for i, para := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(prefix)
		if s.width <= 0 {
			b.WriteString(para)
			prefix = rest
			continue
		}
		// A deep indent on a narrow terminal still leaves 20 columns.
		limit := max(s.width, visibleWidth(rest)+20)
		col, end := visibleWidth(prefix), 0
		for _, span := range word.FindAllStringIndex(para, -1) {
			gap, w := para[end:span[0]], para[span[0]:span[1]]
			if end > 0 && col+visibleWidth(gap)+visibleWidth(w) > limit {
				b.WriteByte('\n')
				b.WriteString(rest)
				col, gap = visibleWidth(rest), ""
			}
			b.WriteString(gap)
			b.WriteString(w)
			col += visibleWidth(gap) + visibleWidth(w)
			end = span[1]
		}
		prefix = rest
	}
	return b.String()
}

// word is a run of text between spaces.
var word = regexp.MustCompile(`[^ \t]+`)

// visibleWidth is how many columns s takes on a terminal: its runes, less
// the SGR and other CSI control sequences in it.
func visibleWidth(s string) int {
	if !strings.Contains(s, "\x1b[") {
		return utf8.RuneCountInString(s)
	}
	return utf8.RuneCountInString(stripANSI(s))
}

// stripANSI removes CSI control sequences (ESC [ … final byte) from s.
func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// thousands writes n with a comma between groups of three digits: 2,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
