package slackbot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
)

// Block Kit limits.
const (
	MaxBlocks        = 50
	MaxSectionText   = 3000
	maxHeaderText    = 150
	maxContextElems  = 10
	maxFieldText     = 2000
	maxSectionFields = 10
)

// Action ids of the approval buttons. Their value is only the proposal id.
const (
	ActionApprove = "approve"
	ActionReject  = "reject"
	// CallbackReject is the callback id of the reject-reason modal.
	CallbackReject = "exdesk_reject"
	rejectBlockID  = "reason"
	rejectInputID  = "reason_input"
)

// People names a role's holders as Slack mentions (users and user
// groups), so a proposal notifies the people who can decide it; nil
// renders the role's name only.
type People func(role string) string

// RenderOptions tune RenderCase.
type RenderOptions struct {
	// Intro is mrkdwn put before the summary (already escaped).
	Intro string
	// People names a role's holders; nil names the role only.
	People People
	// ReadOnly shows decisions without buttons (an answer to a question
	// outside the case's own thread).
	ReadOnly bool
}

// RenderCase renders a case as Block Kit within Slack's limits: at most
// MaxBlocks blocks, section text split at MaxSectionText characters. Every
// string that came from a source system, a model or a person is escaped.
func RenderCase(v *casework.CaseView, o RenderOptions) []slack.Block {
	c, intro, people := v.Case, o.Intro, o.People
	var b blockList
	title := fmt.Sprintf("%s · %s · %s", c.OrderID, humanClass(c.Class), c.Severity)
	if v.Record.Status == store.CaseResolved {
		title = "Resolved · " + title
	}
	b.add(slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, clip(title, maxHeaderText), false, false)))
	if intro != "" {
		b.sections(intro, 2)
	}
	b.sections("*Summary*\n"+escape(c.Summary), 3)

	also := "—"
	if len(c.AlsoDetected) > 0 {
		parts := make([]string, len(c.AlsoDetected))
		for i, a := range c.AlsoDetected {
			parts[i] = humanClass(a)
		}
		also = escape(strings.Join(parts, ", "))
	}
	fields := []*slack.TextBlockObject{
		md("*Customer*\n" + escape(fmt.Sprintf("%s (%s)", c.CustomerName, c.CustomerID))),
		md("*Exception*\n" + escape(humanClass(c.Class))),
		md("*Also detected*\n" + also),
		md("*Severity*\n" + escape(c.Severity)),
		md("*Revenue exposure*\n" + connectors.FormatUSD(connectors.Cents(c.Revenue))),
		md("*SLA risk*\n" + escape(c.SLARisk)),
	}
	b.add(slack.NewSectionBlock(md("*Key facts*"), fields, nil))

	if len(c.Facts) > 0 {
		lines := make([]string, len(c.Facts))
		for i, f := range c.Facts {
			lines[i] = fmt.Sprintf("• %s  `%s`", escape(f.Text), escape(f.Source))
		}
		b.sections("*Evidence*\n"+strings.Join(lines, "\n"), 6)
		b.contexts(sources(c), 2)
	}

	b.add(slack.NewDividerBlock())
	if len(v.Actions) == 0 {
		b.sections("_No action proposed._", 1)
	}
	footer := fmt.Sprintf("case `%s` · policy %s · planner %s · %s", escape(c.ID), escape(c.PolicyVersion), escape(c.Planner), c.Duration.Round(time.Millisecond))
	if v.Record.Status == store.CaseResolved {
		footer = "resolved: " + escape(v.Record.Resolution) + " · " + footer
	}
	for i, a := range v.Actions {
		// Reserve room for this action's two blocks, a truncation note and the footer.
		if b.len()+2+2 > MaxBlocks {
			b.add(slack.NewContextBlock("", md(fmt.Sprintf("… %d more action(s) in the case record `%s`.", len(v.Actions)-i, escape(c.ID)))))
			break
		}
		b.action(c, a, people, o.ReadOnly)
	}
	if n := len(v.Superseded); n > 0 && b.len() < MaxBlocks-1 {
		var parts []string
		for _, p := range v.Superseded {
			parts = append(parts, escape(agent.Describe(p.Action))+" ("+escape(p.Note)+")")
		}
		b.add(slack.NewContextBlock("", md(clip(fmt.Sprintf(":arrows_counterclockwise: Superseded (%d): %s", n, strings.Join(parts, "; ")), MaxSectionText))))
	}
	b.add(slack.NewContextBlock("footer", md(clip(footer, MaxSectionText))))
	return b.blocks
}

// RenderText is the notification text that goes with the blocks. Slack
// parses it as mrkdwn too, so it is escaped like the blocks.
func RenderText(c *agent.Case) string {
	return clip(fmt.Sprintf("%s: %s — %s", escape(c.OrderID), escape(humanClass(c.Class)), escape(c.Summary)), 3000)
}

type blockList struct{ blocks []slack.Block }

func (b *blockList) len() int { return len(b.blocks) }

// add appends a block unless the message is full (one slot is kept for the footer).
func (b *blockList) add(bl slack.Block) {
	if len(b.blocks) < MaxBlocks {
		b.blocks = append(b.blocks, bl)
	}
}

// sections adds text as at most limit sections of at most MaxSectionText
// characters; text beyond the limit is cut with a note.
func (b *blockList) sections(text string, limit int) {
	parts := splitText(text, MaxSectionText)
	if len(parts) > limit {
		parts = parts[:limit]
		parts[limit-1] = clip(parts[limit-1], MaxSectionText-40) + "\n_(cut: see the case record)_"
	}
	for _, part := range parts {
		if b.len() >= MaxBlocks-1 {
			return
		}
		b.add(slack.NewSectionBlock(md(part), nil, nil))
	}
}

// contexts adds at most limit context blocks of at most maxContextElems elements.
func (b *blockList) contexts(elems []string, limit int) {
	for ; len(elems) > 0 && limit > 0 && b.len() < MaxBlocks-4; limit-- {
		n := min(len(elems), maxContextElems)
		mixed := make([]slack.MixedElement, n)
		for i, e := range elems[:n] {
			mixed[i] = md(clip(e, MaxSectionText))
		}
		b.add(slack.NewContextBlock("", mixed...))
		elems = elems[n:]
	}
}

func (b *blockList) action(c *agent.Case, a casework.ActionView, people People, readOnly bool) {
	d := a.Decision
	head := fmt.Sprintf("*%d. %s*", a.Rank, escape(capitalise(agent.Describe(a.Action))))
	switch d.Outcome {
	case policy.Approval:
		head += fmt.Sprintf("\n_needs approval by %s_ — %s", roleWords(d.Role, people), escape(d.Reason))
	case policy.Blocked:
		head += "\n_blocked_ — " + escape(d.Reason)
	case policy.Auto:
		head += "\n_auto_ — " + escape(d.Reason)
	}
	if a.Rationale != "" {
		head += "\n" + escape(a.Rationale)
	}
	b.sections(clip(head, MaxSectionText), 1)
	if a.Pending() {
		if readOnly {
			b.add(slack.NewContextBlock("", md(":hourglass_flowing_sand: Waiting for a decision in the case's thread")))
			return
		}
		b.add(buttons(c, a.Stored, d))
		return
	}
	if status := statusLine(a); status != "" {
		b.add(slack.NewContextBlock("", md(clip(status, MaxSectionText))))
	}
}

// buttons are a pending proposal's Approve and Reject buttons. They carry
// only the proposal id. Approve asks for confirmation when the action
// moves money or stock or releases a hold, stating the amount and the rule.
func buttons(c *agent.Case, p *store.Proposal, d policy.Decision) *slack.ActionBlock {
	approve := slack.NewButtonBlockElement(ActionApprove, p.ID, plain("Approve"))
	approve.Style = slack.StylePrimary
	if text, ok := confirmText(c, p.Action, d); ok {
		approve.Confirm = slack.NewConfirmationBlockObject(plain("Approve this action?"), md(clip(text, 300)), plain("Approve"), plain("Cancel"))
	}
	reject := slack.NewButtonBlockElement(ActionReject, p.ID, plain("Reject"))
	reject.Style = slack.StyleDanger
	reject.Confirm = slack.NewConfirmationBlockObject(plain("Reject this action?"),
		md(clip("Reject: "+escape(agent.Describe(p.Action))+"? You can give a reason next.", 300)), plain("Reject"), plain("Cancel"))
	reject.Confirm.Style = slack.StyleDanger
	return slack.NewActionBlock("p:"+p.ID, approve, reject)
}

// confirmText is the confirmation an approval of a money-, stock- or
// hold-moving action asks for.
func confirmText(c *agent.Case, a connectors.Action, d policy.Decision) (string, bool) {
	var amount string
	switch a.Type {
	case connectors.ActReleaseHold, connectors.ActCancelOrder, connectors.ActPartialShip, connectors.ActSubstituteItem:
		amount = "order total " + connectors.FormatUSD(connectors.Cents(c.Revenue))
	case connectors.ActCorrectPrice:
		amount = "new price " + connectors.FormatUSD(connectors.Cents(a.Money("price")))
	case connectors.ActAllocateFromSite, connectors.ActExpediteShipment, connectors.ActRebookCarrier:
		amount = "order total " + connectors.FormatUSD(connectors.Cents(c.Revenue))
	default:
		return "", false
	}
	return fmt.Sprintf("%s (%s).\nRule %s: %s", escape(capitalise(agent.Describe(a))), amount, escape(d.Rule), escape(d.Reason)), true
}

// roleWords names a role in words ("a logistics supervisor") and, when the
// config says who holds it, its people.
func roleWords(role string, people People) string {
	words := escape(agent.RoleWords(role))
	if people != nil {
		if p := people(role); p != "" {
			words += " (" + p + ")"
		}
	}
	return words
}

// statusLine says what became of an action that does not wait for a person.
func statusLine(a casework.ActionView) string {
	d := a.Decision
	if a.DoneBefore && a.Exec != nil {
		return fmt.Sprintf(":white_check_mark: Already done: %s (by %s at %s, case `%s`) — not proposed again",
			escape(execDetail(a.Exec)), who(a.Exec.By), a.Exec.StartedAt.UTC().Format("2006-01-02 15:04 UTC"), escape(a.Exec.CaseID))
	}
	p := a.Stored
	if p == nil {
		return ""
	}
	switch {
	case d.Outcome == policy.Blocked:
		return fmt.Sprintf(":no_entry: Blocked by policy (%s): %s", escape(d.Rule), escape(d.Reason))
	case p.State == store.Expired && p.Note == casework.NoteQuestion:
		return ":speech_balloon: Allowed automatically, but not executed: this case was opened by a question, and exdesk acts on source-system events and approvals"
	case p.DecidedBy == casework.ActorPolicy && d.Outcome == policy.Auto:
		switch {
		case a.Exec != nil && a.Exec.Status == store.ExecSucceeded:
			return ":gear: Executed automatically: " + escape(execDetail(a.Exec))
		case a.Exec != nil && a.Exec.Status == store.ExecFailed:
			return ":warning: Automatic execution failed: " + escape(a.Exec.Error)
		case p.State == store.Approved:
			return ":gear: Executing automatically…"
		case p.State == store.Expired:
			return fmt.Sprintf(":gear: Allowed automatically (%s); not executed — %s", escape(d.Rule), escape(p.Note))
		}
	}
	return decisionLine(a)
}

// who renders an actor: a Slack user as a mention, anything else as words.
func who(id string) string {
	switch {
	case isUserID(id):
		return "<@" + id + ">"
	case id == casework.ActorPolicy:
		return "the policy"
	case id == casework.ActorExdesk:
		return "exdesk"
	}
	return escape(id)
}

// decisionLine says who decided an action, when, and what came of it.
func decisionLine(a casework.ActionView) string {
	p := a.Stored
	at := p.DecidedAt.UTC().Format("2006-01-02 15:04 UTC")
	by := who(p.DecidedBy)
	switch p.State {
	case store.Approved:
		return fmt.Sprintf(":hourglass_flowing_sand: Approved by %s at %s — executing…", by, at)
	case store.Executed:
		return fmt.Sprintf(":white_check_mark: Approved by %s at %s — executed: %s", by, at, escape(execDetail(a.Exec)))
	case store.Failed:
		why := p.Note
		if a.Exec != nil && a.Exec.Error != "" {
			why = a.Exec.Error
		}
		return fmt.Sprintf(":warning: Approved by %s at %s — not executed: %s", by, at, escape(why))
	case store.Rejected:
		if p.Note != "" {
			return fmt.Sprintf(":x: Rejected by %s at %s: %s", by, at, escape(p.Note))
		}
		return fmt.Sprintf(":x: Rejected by %s at %s", by, at)
	case store.Expired:
		if p.Note != "" {
			return fmt.Sprintf(":hourglass: No longer open (%s): %s", at, escape(p.Note))
		}
		return ":hourglass: Expired without a decision"
	}
	return ""
}

func execDetail(e *store.Execution) string {
	if e == nil {
		return "done"
	}
	var r struct {
		Detail   string `json:"detail"`
		System   string `json:"system"`
		Replayed bool   `json:"replayed"`
	}
	if err := jsonUnmarshal(e.Result, &r); err != nil || r.Detail == "" {
		return "done"
	}
	if w := systemWords(r.System); w != "" {
		return r.Detail + " (" + w + ")"
	}
	return r.Detail
}

// systemWords names the system an action was executed in; tasks (a
// request, a message, an escalation) change no system of record and go
// unnamed.
func systemWords(system string) string {
	switch system {
	case "", "tasks":
		return ""
	case "erp":
		return "in the ERP"
	case "inventory":
		return "in the warehouse system"
	case "carrier":
		return "with the carrier"
	}
	return "in " + system
}

// sources lists the tool calls the evidence came from, for a context block.
func sources(c *agent.Case) []string {
	used := map[string]bool{}
	for _, f := range c.Facts {
		used[f.Source] = true
	}
	var out []string
	for _, call := range c.Calls {
		if !used[call.ID] {
			continue
		}
		// Compact: a store may keep JSON reformatted (Postgres jsonb adds
		// spaces); the message reads the same from every store.
		args := strings.TrimSpace(string(call.Args))
		var buf bytes.Buffer
		if json.Compact(&buf, call.Args) == nil {
			args = buf.String()
		}
		out = append(out, fmt.Sprintf("`%s` %s %s", call.ID, call.Tool, clip(escape(args), 120)))
	}
	if len(out) == 0 {
		return nil
	}
	out[0] = "Sources: " + out[0]
	return out
}

// splitText splits text into parts of at most n characters, at a line
// break where possible, else at a space, else anywhere (on a rune boundary).
func splitText(text string, n int) []string {
	var parts []string
	for utf8.RuneCountInString(text) > n {
		cut := byteIndexOfRune(text, n)
		head := text[:cut]
		if i := strings.LastIndexByte(head, '\n'); i > 0 {
			cut = i + 1
		} else if i := strings.LastIndexByte(head, ' '); i > 0 {
			cut = i + 1
		}
		parts = append(parts, strings.TrimRight(text[:cut], "\n "))
		text = text[cut:]
	}
	if strings.TrimSpace(text) != "" || len(parts) == 0 {
		parts = append(parts, text)
	}
	return parts
}

func byteIndexOfRune(s string, n int) int {
	i := 0
	for j := range s {
		if i == n {
			return j
		}
		i++
	}
	return len(s)
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// escape makes text from outside (source systems, models, people) inert
// wherever Slack parses it: &, < and > become entities, so no mention,
// channel ping, user-group ping or link can be smuggled in; mrkdwn's
// formatting characters (* _ ~ `) that could open or close formatting —
// those at a word boundary — become look-alikes, so outside text cannot
// fake bold labels, strike text or open a code span (an underscore inside
// a word, as in finance_supervisor, formats nothing and is kept); and a
// line cannot start a block quote.
func escape(s string) string {
	if !strings.ContainsAny(s, "&<>*_~`") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	runes := []rune(s)
	lineStart := true
	for i, r := range runes {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			if lineStart {
				b.WriteString("\u200b") // a quote needs '>' first on the line
			}
			b.WriteString("&gt;")
		case '*', '_', '~', '`':
			if atBoundary(runes, i) {
				b.WriteRune(lookalike(r))
			} else {
				b.WriteRune(r)
			}
		default:
			b.WriteRune(r)
		}
		switch {
		case r == '\n':
			lineStart = true
		case r != ' ' && r != '\t':
			lineStart = false
		}
	}
	return b.String()
}

// atBoundary reports whether the formatting character at i touches a
// non-word character (or the text's start or end) on either side: only
// there can it open or close mrkdwn formatting.
func atBoundary(rs []rune, i int) bool {
	word := func(j int) bool {
		if j < 0 || j >= len(rs) {
			return false
		}
		return unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j])
	}
	return !word(i-1) || !word(i+1)
}

func lookalike(r rune) rune {
	switch r {
	case '*':
		return '\u2217' // ∗ asterisk operator
	case '_':
		return '\u02cd' // ˍ modifier letter low macron
	case '~':
		return '\u223c' // ∼ tilde operator
	}
	return '\u02cb' // ˋ modifier letter grave accent
}

func md(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func humanClass(c string) string {
	if c == connectors.ClassNone || c == "" {
		return "no exception"
	}
	return strings.ReplaceAll(c, "_", " ")
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

func jsonUnmarshal(b []byte, v any) error {
	if len(b) == 0 {
		return errEmpty
	}
	return json.Unmarshal(b, v)
}

var errEmpty = errors.New("empty")
