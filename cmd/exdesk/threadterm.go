package main

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode"

	"github.com/slack-go/slack"
)

// writeSlackThread writes a case's Slack message (slackbot.RenderCase's
// Block Kit) for a terminal, so the terminal shows the same text as the
// thread: mrkdwn formatting becomes bold or colour (guard outcomes: auto
// green, approval yellow, blocked red), emoji become symbols, escapes
// and look-alikes become the characters they stand for, and prose wraps
// at st's width under the thread's rule. number gives the terminal's list
// number of a pending proposal, so its buttons become the commands that
// decide it.
func writeSlackThread(w io.Writer, st style, blocks []slack.Block, number func(proposalID string) (int, bool)) {
	const bar, indent, under = "│ ", "│   ", "│    "
	para := func(text, first, rest string) { fmt.Fprintln(w, st.wrap(text, first, rest)) }
	// note is where a context block goes: under the evidence, or under
	// an action once the actions began.
	note := indent
	for i, b := range blocks {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			if b.Text != nil {
				para(st.bold(fromMrkdwn(b.Text.Text, st)), "┌─ ", bar)
			}
		case *slack.SectionBlock:
			if b.Text != nil {
				// An action's section: its heading, then its decision
				// and rationale indented under it.
				lines := strings.Split(fromMrkdwn(b.Text.Text, st), "\n")
				rest := bar
				if numbered.MatchString(stripANSI(lines[0])) {
					rest = under
				}
				for j, line := range lines {
					switch {
					case strings.HasPrefix(line, "• "):
						para(line, indent, indent+"  ")
					case j > 0:
						para(line, rest, rest)
					default:
						para(line, bar, bar)
					}
				}
			}
			for _, f := range b.Fields {
				label, value, _ := strings.Cut(fromMrkdwn(f.Text, st), "\n")
				para(label+": "+value, indent, indent+"  ")
			}
		case *slack.DividerBlock:
			fmt.Fprintln(w, "├"+strings.Repeat("─", 40))
			note = under
		case *slack.ContextBlock:
			var parts []string
			for _, el := range b.ContextElements.Elements {
				if t, ok := el.(*slack.TextBlockObject); ok {
					parts = append(parts, fromMrkdwn(t.Text, st))
				}
			}
			text := strings.Join(parts, "  ")
			if i == len(blocks)-1 && b.BlockID == "footer" {
				para(st.dim(text), "└─ ", "   ")
				continue
			}
			para(text, note, note+"  ")
		case *slack.ActionBlock:
			id := strings.TrimPrefix(b.BlockID, "p:")
			if n, ok := number(id); ok {
				para(st.bold(fmt.Sprintf("→ a %d to approve · r %d [reason] to reject", n, n)), under, under)
			} else {
				para("[Approve] [Reject] — for a role you do not hold here", under, under)
			}
		}
	}
}

// emoji are the symbols, and their colour, of the shortcodes a thread uses.
var emoji = map[string]struct {
	symbol string
	paint  func(style, string) string
}{
	"white_check_mark":        {"✓", style.green},
	"gear":                    {"⚙", style.green},
	"no_entry":                {"⊘", style.red},
	"x":                       {"✗", style.red},
	"warning":                 {"⚠", style.yellow},
	"hourglass_flowing_sand":  {"⧗", style.yellow},
	"hourglass":               {"⧗", style.dim},
	"arrows_counterclockwise": {"↻", style.yellow},
	"speech_balloon":          {"✉", style.dim},
	"inbox_tray":              {"↓", style.dim},
	"checkered_flag":          {"⚑", style.green},
}

var (
	shortcode = regexp.MustCompile(`:([a-z0-9_+-]+):`)
	numbered  = regexp.MustCompile(`^\d+\. `)
	// angled is Slack's <…> syntax: mentions, channel pings, links.
	angled = regexp.MustCompile(`<([^<>]*)>`)
)

// unescaper turns slackbot's escapes back into what they stand for: the
// entities, the look-alikes of formatting characters, the zero-width
// space before a quote mark.
var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&",
	"\u2217", "*", "\u02cd", "_", "\u223c", "~", "\u02cb", "`", "\u200b", "")

// fromMrkdwn renders Slack mrkdwn for a terminal.
func fromMrkdwn(s string, st style) string {
	s = shortcode.ReplaceAllStringFunc(s, func(m string) string {
		if e, ok := emoji[strings.Trim(m, ":")]; ok {
			return e.paint(st, e.symbol)
		}
		return m
	})
	s = angled.ReplaceAllStringFunc(s, func(m string) string {
		inner := m[1 : len(m)-1]
		switch {
		case strings.HasPrefix(inner, "@"):
			return inner
		case strings.HasPrefix(inner, "!subteam^"):
			return "@" + strings.TrimPrefix(inner, "!subteam^")
		case strings.HasPrefix(inner, "!"):
			return "@" + strings.TrimPrefix(inner, "!")
		}
		if url, text, ok := strings.Cut(inner, "|"); ok {
			return text + " (" + url + ")"
		}
		return inner
	})
	return unescaper.Replace(spans(s, st))
}

// spans renders mrkdwn's *bold*, _italic_ and `code`: a marker opens
// where a word does not precede it and closes where a word does not
// follow it, on the same line. Italic is how a thread states a guard
// outcome, so it takes the outcome's colour.
func spans(s string, st style) string {
	rs := []rune(s)
	word := func(i int) bool { return i >= 0 && i < len(rs) && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i])) }
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		m := rs[i]
		if (m != '*' && m != '_' && m != '`') || word(i-1) {
			b.WriteRune(m)
			continue
		}
		end := -1
		for j := i + 2; j < len(rs) && rs[j] != '\n'; j++ {
			if rs[j] == m && !word(j+1) {
				end = j
				break
			}
		}
		if end < 0 {
			b.WriteRune(m)
			continue
		}
		inner := string(rs[i+1 : end])
		switch m {
		case '*':
			b.WriteString(st.bold(spans(inner, st)))
		case '_':
			b.WriteString(outcomeWords(spans(inner, st), st))
		default:
			b.WriteString(st.dim(inner))
		}
		i = end
	}
	return b.String()
}

// outcomeWords colours a thread's statement of a guard outcome.
func outcomeWords(text string, st style) string {
	switch {
	case text == "auto":
		return st.green(text)
	case strings.HasPrefix(text, "needs approval"):
		return st.yellow(text)
	case text == "blocked":
		return st.red(text)
	}
	return text
}
