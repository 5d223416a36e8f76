package slackbot

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/exdesk/exdesk/agent"
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

// ActionView is one of a case's actions as the thread shows it: the
// proposal with its stored id, state and execution.
type ActionView struct {
	agent.Proposal
	ProposalID string
	State      store.State
	DecidedBy  string
	DecidedAt  time.Time
	Note       string
	Exec       *store.Execution
	// Executed describes an auto action executed when the case was opened.
	Executed string
}

// RenderCase renders a case as Block Kit within Slack's limits: at most
// MaxBlocks blocks, section text split at MaxSectionText characters.
func RenderCase(c *agent.Case, actions []ActionView, intro string) []slack.Block {
	var b blockList
	title := fmt.Sprintf("%s · %s · %s", c.OrderID, humanClass(c.Class), c.Severity)
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
		also = strings.Join(parts, ", ")
	}
	fields := []*slack.TextBlockObject{
		md("*Customer*\n" + escape(fmt.Sprintf("%s (%s)", c.CustomerName, c.CustomerID))),
		md("*Exception*\n" + humanClass(c.Class)),
		md("*Also detected*\n" + also),
		md("*Severity*\n" + c.Severity),
		md("*Revenue exposure*\n" + connectors.FormatUSD(connectors.Cents(c.Revenue))),
		md("*SLA risk*\n" + c.SLARisk),
	}
	b.add(slack.NewSectionBlock(md("*Key facts*"), fields, nil))

	if len(c.Facts) > 0 {
		lines := make([]string, len(c.Facts))
		for i, f := range c.Facts {
			lines[i] = fmt.Sprintf("• %s  `%s`", escape(f.Text), f.Source)
		}
		b.sections("*Evidence*\n"+strings.Join(lines, "\n"), 6)
		b.contexts(sources(c), 2)
	}

	b.add(slack.NewDividerBlock())
	if len(actions) == 0 {
		b.sections("_No action proposed._", 1)
	}
	footer := fmt.Sprintf("case `%s` · policy %s · planner %s · %s", c.ID, c.PolicyVersion, escape(c.Planner), c.Duration.Round(time.Millisecond))
	for i, a := range actions {
		// Reserve room for this action's two blocks, a truncation note and the footer.
		if b.len()+2+2 > MaxBlocks {
			b.add(slack.NewContextBlock("", md(fmt.Sprintf("… %d more action(s) in the case record `%s`.", len(actions)-i, c.ID))))
			break
		}
		b.action(a)
	}
	b.add(slack.NewContextBlock("footer", md(clip(footer, MaxSectionText))))
	return b.blocks
}

// RenderText is the notification text that goes with the blocks.
func RenderText(c *agent.Case) string {
	return clip(fmt.Sprintf("%s: %s — %s", c.OrderID, humanClass(c.Class), c.Summary), 3000)
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

func (b *blockList) action(a ActionView) {
	d := a.Decision
	head := fmt.Sprintf("*%d. %s*", a.Rank, escape(capitalise(agent.Describe(a.Action))))
	switch d.Outcome {
	case policy.Approval:
		head += fmt.Sprintf("\n_needs approval by %s_ — %s", d.Role, escape(d.Reason))
	case policy.Blocked:
		head += "\n_blocked_ — " + escape(d.Reason)
	case policy.Auto:
		head += "\n_auto_ — " + escape(d.Reason)
	}
	if a.Rationale != "" {
		head += "\n" + escape(a.Rationale)
	}
	b.sections(clip(head, MaxSectionText), 1)
	var status string
	switch {
	case d.Outcome == policy.Blocked:
		status = fmt.Sprintf(":no_entry: Blocked by policy (%s): %s", d.Rule, escape(d.Reason))
	case d.Outcome == policy.Auto:
		switch {
		case a.Executed != "":
			status = ":gear: Executed automatically: " + escape(a.Executed)
		case a.Exec != nil && a.Exec.Status == store.ExecSucceeded:
			status = ":gear: Executed automatically: " + escape(execDetail(a.Exec))
		case a.Exec != nil && a.Exec.Status == store.ExecFailed:
			status = ":warning: Automatic execution failed: " + escape(a.Exec.Error)
		default:
			status = fmt.Sprintf(":gear: Allowed automatically (%s); not executed — the top action was chosen.", d.Rule)
		}
	case a.State == store.Pending && a.ProposalID != "":
		approve := slack.NewButtonBlockElement(ActionApprove, a.ProposalID, plain("Approve"))
		approve.Style = slack.StylePrimary
		reject := slack.NewButtonBlockElement(ActionReject, a.ProposalID, plain("Reject"))
		reject.Style = slack.StyleDanger
		reject.Confirm = slack.NewConfirmationBlockObject(plain("Reject this action?"),
			md(clip("Reject: "+escape(agent.Describe(a.Action))+"? You can give a reason next.", 300)), plain("Reject"), plain("Cancel"))
		reject.Confirm.Style = slack.StyleDanger
		b.add(slack.NewActionBlock("p:"+a.ProposalID, approve, reject))
		return
	default:
		status = decisionLine(a)
	}
	if status != "" {
		b.add(slack.NewContextBlock("", md(clip(status, MaxSectionText))))
	}
}

// decisionLine says who decided an approval action, when, and what came of it.
func decisionLine(a ActionView) string {
	at := a.DecidedAt.UTC().Format("2006-01-02 15:04 UTC")
	who := "<@" + a.DecidedBy + ">"
	switch a.State {
	case store.Approved:
		return fmt.Sprintf(":hourglass_flowing_sand: Approved by %s at %s — executing…", who, at)
	case store.Executed:
		return fmt.Sprintf(":white_check_mark: Approved by %s at %s — executed: %s", who, at, escape(execDetail(a.Exec)))
	case store.Failed:
		why := a.Note
		if a.Exec != nil && a.Exec.Error != "" {
			why = a.Exec.Error
		}
		return fmt.Sprintf(":warning: Approved by %s at %s — not executed: %s", who, at, escape(why))
	case store.Rejected:
		if a.Note != "" {
			return fmt.Sprintf(":x: Rejected by %s at %s: %s", who, at, escape(a.Note))
		}
		return fmt.Sprintf(":x: Rejected by %s at %s", who, at)
	case store.Expired:
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
	if r.System != "" {
		return r.Detail + " (" + r.System + ")"
	}
	return r.Detail
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
		args := strings.TrimSpace(string(call.Args))
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

// escape makes source-system text inert in mrkdwn: no mentions, links or
// channel pings can be smuggled in through order notes.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func md(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func humanClass(c string) string { return strings.ReplaceAll(c, "_", " ") }

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
