package slackbot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
)

// answer answers a question in its thread. It never executes anything:
// a question shows the order's open case as it stands, or a fresh
// investigation stored as a question-driven case (casework.Desk.Ask).
func (b *Bot) answer(ctx context.Context, q question) {
	if ok, why := b.mayAsk(ctx, q); !ok {
		b.m.Questions.WithLabelValues("refused").Inc()
		b.log.Info("question refused", "user", q.user, "channel", q.channel, "team", q.team, "why", why)
		b.ephemeral(ctx, q.channel, q.user, "exdesk can't answer you here: "+why)
		return
	}
	if !b.withinLimit(ctx, q.user) {
		b.m.Questions.WithLabelValues("rate_limited").Inc()
		b.ephemeral(ctx, q.channel, q.user, fmt.Sprintf("You've asked %d questions in the last minute; give exdesk a moment and ask again.",
			b.cfg.questionsPerMinute()))
		return
	}
	// Order ids come in every shape: the question's tokens are confirmed
	// in the ERP, not matched against one pattern.
	found, err := b.desk.FindOrders(ctx, withoutMarkup(q.text))
	if err == nil {
		err = found.Err()
	} else {
		b.log.Warn("orders of a question not looked up", "err", err)
	}
	var th Thread
	known := false
	if q.threadTS != "" {
		if t, lerr := b.mem.LoadThread(ctx, q.channel, q.threadTS); lerr == nil {
			th, known = t, true
		} else if !errors.Is(lerr, ErrNoThread) {
			b.log.Warn("thread context unavailable", "channel", q.channel, "thread_ts", q.threadTS, "err", lerr)
		}
	}
	asker := casework.Actor{ID: q.user, Surface: "slack", Channel: q.channel, Thread: q.threadTS, Team: q.team}
	if err != nil {
		unknown := errors.Is(err, agent.ErrUnknownOrder)
		failed := !unknown && !errors.Is(err, agent.ErrNoOrder)
		switch {
		case len(found.Suggestions) > 0 || ((!known || th.OrderID == "") && (unknown || failed)):
			// An id the ERP does not know (with what it may have meant), or
			// an ERP that did not answer: said even in a case's thread.
			b.firstReply(q)
			msg := strings.TrimPrefix(err.Error(), agent.ErrUnknownOrder.Error()+": ")
			if failed {
				msg = ":warning: I could not look up the orders you named: " + err.Error()
			}
			if q.threadTS == "" {
				b.ephemeral(ctx, q.channel, q.user, escape(msg))
			} else {
				b.reply(ctx, q.channel, q.threadTS, escape(msg))
			}
			return
		case !known || th.OrderID == "":
			b.firstReply(q)
			if q.threadTS == "" {
				b.ephemeral(ctx, q.channel, q.user, commandUsage(""))
			} else {
				b.reply(ctx, q.channel, q.threadTS, "I need an order to look at — "+escape(strings.TrimPrefix(err.Error(), agent.ErrNoOrder.Error()+": ")))
			}
			return
		case q.source == "thread":
			// A reply without a mention or an order id is not investigated
			// again: it is answered from the case as it stands, when it
			// asks about one of its actions.
			b.followUpFromCase(ctx, q, th)
		default:
			b.followUp(ctx, q, th, asker)
		}
		return
	}
	// Each order the question names is answered: in the question's
	// thread, or each in a thread of its own for a question in a channel.
	for _, orderID := range found.OrderIDs {
		b.answerOrder(ctx, q, orderID, th, known, asker)
		known = known || q.threadTS != ""
	}
	if len(found.Suggestions) > 0 && q.threadTS != "" {
		var parts []string
		for _, sg := range found.Suggestions {
			parts = append(parts, fmt.Sprintf("%s is not an order id; did you mean %s?", sg.Token, sg.OrderID))
		}
		b.reply(ctx, q.channel, q.threadTS, escape(strings.Join(parts, " ")))
	}
}

// slackEntity is Slack's markup for mentions, channels and links.
var slackEntity = regexp.MustCompile(`<([@#!][^>]*|[a-z][a-z0-9+.-]*:[^>|]*)(\|([^>]*))?>`)

// withoutMarkup replaces Slack's entities by what people see: mentions
// and channels are dropped, a link keeps its label, so no user id or URL
// is taken for an order id.
func withoutMarkup(text string) string {
	return slackEntity.ReplaceAllStringFunc(text, func(m string) string {
		sub := slackEntity.FindStringSubmatch(m)
		if strings.HasPrefix(sub[1], "@") || strings.HasPrefix(sub[1], "#") || strings.HasPrefix(sub[1], "!") {
			return " "
		}
		return " " + sub[3] + " "
	})
}

// answerOrder answers a question about one order it names.
func (b *Bot) answerOrder(ctx context.Context, q question, orderID string, th Thread, known bool, asker casework.Actor) {
	b.m.Questions.WithLabelValues("answered").Inc()

	// Status first: the thread shows that exdesk is on it.
	status := "looking at " + orderID + "…"
	threadTS, statusTS := q.threadTS, ""
	if threadTS == "" {
		ts, err := b.post(ctx, q.channel, slack.MsgOptionText(fmt.Sprintf("%s asked: %s\n:mag: %s", who(q.user), escape(q.text), escape(status)), false))
		if err != nil {
			b.log.Error("status message not posted; question dropped with an error", "channel", q.channel, "err", err)
			b.ephemeral(ctx, q.channel, q.user, "exdesk could not post in this channel: "+escape(err.Error()))
			return
		}
		threadTS = ts
	} else if err := b.slack.SetAssistantThreadsStatusContext(ctx, slack.AssistantThreadsSetStatusParameters{
		ChannelID: q.channel, ThreadTS: threadTS, Status: status}); err != nil {
		// Not an assistant thread (or the method is unavailable): say it in the thread.
		statusTS, _ = b.post(ctx, q.channel, slack.MsgOptionText(":mag: "+escape(status), false), slack.MsgOptionTS(threadTS))
	}
	b.firstReply(q)
	asker.Thread = threadTS
	if !known {
		// The thread's order is known from here on, so a follow-up that
		// arrives while this investigation runs still finds it.
		if err := b.mem.SaveThread(ctx, Thread{Channel: q.channel, TS: threadTS, OrderID: orderID}); err != nil {
			b.log.Warn("thread context not saved", "channel", q.channel, "thread_ts", threadTS, "err", err)
		}
	}
	_ = b.mem.AddTurn(ctx, q.channel, threadTS, Turn{Who: q.user, Text: q.text, At: time.Now().UTC()})

	ans, err := b.desk.Ask(ctx, casework.Question{Text: q.text, OrderID: orderID, Asker: asker})
	if err != nil {
		b.log.Warn("question not answered", "order", orderID, "err", err)
		msg := fmt.Sprintf(":warning: I could not look at %s: %s", orderID, err)
		if errors.Is(err, agent.ErrUnknownOrder) {
			msg = ":warning: " + err.Error()
		}
		b.reply(ctx, q.channel, threadTS, escape(msg))
		b.finishStatus(ctx, q.channel, statusTS, "could not look at "+orderID)
		return
	}
	switch {
	case ans.View == nil:
		b.reply(ctx, q.channel, threadTS, fmt.Sprintf(":white_check_mark: %s shows no exception on current data. %s", escape(orderID), escape(ans.Case.Summary)))
	case ans.Opened:
		b.Wake() // the outbox posts the new case in this thread
	default:
		b.showOpenCase(ctx, q.channel, threadTS, ans.View)
	}
	b.finishStatus(ctx, q.channel, statusTS, "looked at "+orderID)
}

// showOpenCase answers with an open case as it stands, read-only: its
// approvals are given in its own thread.
func (b *Bot) showOpenCase(ctx context.Context, channel, threadTS string, v *casework.CaseView) {
	intro := fmt.Sprintf("_%s has an open case (`%s`); here is how it stands._", escape(v.Case.OrderID), escape(v.Case.ID))
	if th, err := b.thread(ctx, v.Case.ID); err == nil {
		if th.Channel == channel && th.TS == threadTS {
			intro = ""
		} else {
			intro += fmt.Sprintf(" _Its decisions are taken in its thread in <#%s>._", th.Channel)
		}
	}
	ro := intro != ""
	blocks := RenderCase(v, RenderOptions{Intro: intro, People: b.people, ReadOnly: ro})
	if _, err := b.post(ctx, channel, slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(RenderText(v.Case), false), slack.MsgOptionTS(threadTS)); err != nil {
		b.log.Error("answer not posted", "case", v.Case.ID, "err", err)
	}
}

// followUp answers a question with a mention but no order id in a known
// thread: the thread's order, investigated again read-only.
func (b *Bot) followUp(ctx context.Context, q question, th Thread, asker casework.Actor) {
	b.m.Questions.WithLabelValues("answered").Inc()
	b.firstReply(q)
	_ = b.mem.AddTurn(ctx, q.channel, q.threadTS, Turn{Who: q.user, Text: q.text, At: time.Now().UTC()})
	c, err := b.desk.Preview(ctx, casework.Question{Text: q.text, OrderID: th.OrderID, Asker: asker})
	if err != nil {
		b.reply(ctx, q.channel, q.threadTS, escape(":warning: I could not look at "+th.OrderID+" again: "+err.Error()))
		return
	}
	b.reply(ctx, q.channel, q.threadTS, FollowUp(q.text, c, th.Turns))
}

// followUpFromCase answers a plain reply in a case's thread from the case
// as it stands, when the reply asks about one of its actions; anything
// else ("thanks") gets no answer.
func (b *Bot) followUpFromCase(ctx context.Context, q question, th Thread) {
	_ = b.mem.AddTurn(ctx, q.channel, q.threadTS, Turn{Who: q.user, Text: q.text, At: time.Now().UTC()})
	if !asksAboutActions(q.text) {
		b.m.Questions.WithLabelValues("ignored").Inc()
		return
	}
	var v *casework.CaseView
	var err error
	if th.CaseID != "" {
		v, err = b.desk.View(ctx, th.CaseID)
	} else {
		v, err = b.desk.OpenCase(ctx, th.OrderID) // the case may be posting right now
	}
	if err != nil || v == nil {
		b.log.Warn("no case to answer a follow-up from", "order", th.OrderID, "case", th.CaseID, "err", err)
		b.m.Questions.WithLabelValues("ignored").Inc()
		return
	}
	b.m.Questions.WithLabelValues("answered").Inc()
	b.firstReply(q)
	b.reply(ctx, q.channel, q.threadTS, FollowUp(q.text, v.Case, th.Turns)+"\n_From the case as it stands; mention me to look again on current data._")
}

// asksAboutActions reports whether a reply asks about one of the topics a
// follow-up answers.
func asksAboutActions(text string) bool {
	lower := strings.ToLower(text)
	for _, t := range followUpTopics() {
		if containsAny(lower, t.words) {
			return true
		}
	}
	return false
}

func (b *Bot) firstReply(q question) {
	if !q.received.IsZero() {
		b.m.FirstReply.Observe(time.Since(q.received).Seconds())
	}
}

// finishStatus turns a posted status message into a done note.
func (b *Bot) finishStatus(ctx context.Context, channel, ts, text string) {
	if ts == "" {
		return
	}
	if err := b.update(ctx, channel, ts, slack.MsgOptionText(":white_check_mark: "+text, false)); err != nil {
		b.log.Warn("status message not updated", "channel", channel, "ts", ts, "err", err)
	}
}

type topic struct {
	words []string
	types []string
	what  string
}

// followUpTopics maps words of a follow-up question to the action types
// that answer it.
func followUpTopics() []topic {
	return []topic{
		{[]string{"warehouse", "site", "ship from", "other dc", "dc-", "location"}, []string{connectors.ActAllocateFromSite, connectors.ActPartialShip}, "shipping from another warehouse"},
		{[]string{"expedite", "faster", "air", "overnight", "upgrade"}, []string{connectors.ActExpediteShipment}, "expediting"},
		{[]string{"carrier", "rebook"}, []string{connectors.ActRebookCarrier}, "another carrier"},
		{[]string{"substitut", "alternative item", "other sku"}, []string{connectors.ActSubstituteItem}, "a substitute"},
		{[]string{"partial", "split"}, []string{connectors.ActPartialShip}, "a partial shipment"},
		{[]string{"price", "pricing", "contract"}, []string{connectors.ActCorrectPrice}, "correcting the price"},
		{[]string{"cancel", "duplicate"}, []string{connectors.ActCancelOrder}, "cancelling"},
		{[]string{"release", "hold", "credit", "unblock"}, []string{connectors.ActReleaseHold, connectors.ActRequestCreditReview, connectors.ActRequestPrepayment}, "releasing the hold"},
		{[]string{"reschedule", "date", "later", "next week"}, []string{connectors.ActRescheduleOrder}, "rescheduling"},
	}
}

// FollowUp answers a follow-up question from a fresh investigation of the
// thread's order: the actions the question is about, with the guard's
// decision on each.
func FollowUp(text string, c *agent.Case, history []Turn) string {
	lower := strings.ToLower(text)
	var s strings.Builder
	fmt.Fprintf(&s, "*Follow-up:* _%s_\n", escape(text))
	for _, topic := range followUpTopics() {
		if !containsAny(lower, topic.words) {
			continue
		}
		var found []agent.Proposal
		for _, p := range c.Actions {
			for _, t := range topic.types {
				if p.Action.Type == t {
					found = append(found, p)
				}
			}
		}
		if len(found) == 0 {
			fmt.Fprintf(&s, "On current data, %s is not an option for %s: the investigation found no such action that fits the order.", topic.what, escape(c.OrderID))
			if top, ok := c.Top(); ok {
				fmt.Fprintf(&s, " The best move is still to %s (%s).", escape(agent.Describe(top.Action)), outcomeWords(top.Decision))
			}
			return s.String()
		}
		for _, p := range found {
			fmt.Fprintf(&s, "• If we %s: %s.\n", escape(agent.Describe(p.Action)), escape(outcomeWords(p.Decision)))
		}
		return strings.TrimRight(s.String(), "\n")
	}
	fmt.Fprintf(&s, "I looked at %s again on current data", escape(c.OrderID))
	if n := len(history); n > 0 {
		fmt.Fprintf(&s, " (this thread has %d earlier turns)", n)
	}
	s.WriteString(".")
	return s.String()
}

func outcomeWords(d policy.Decision) string {
	switch d.Outcome {
	case policy.Auto:
		return "allowed automatically — " + d.Reason
	case policy.Approval:
		return "needs approval by " + agent.RoleWords(d.Role) + " — " + d.Reason
	case policy.Blocked:
		return "blocked — " + d.Reason
	}
	return "no action"
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
