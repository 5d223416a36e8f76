package slackbot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
)

// answer investigates a question's order and answers in its thread.
func (b *Bot) answer(ctx context.Context, q question) {
	trigger := agent.Trigger{Type: agent.TriggerQuestion, Question: q.text}
	orderID, err := trigger.ResolveOrderID()
	var th Thread
	known := false
	if q.threadTS != "" {
		if t, lerr := b.mem.LoadThread(ctx, q.channel, q.threadTS); lerr == nil {
			th, known = t, true
		} else if !errors.Is(lerr, ErrNoThread) {
			b.log.Warn("thread context unavailable", "channel", q.channel, "thread_ts", q.threadTS, "err", lerr)
		}
	}
	if err != nil {
		if !known || th.OrderID == "" {
			b.firstReply(q)
			if q.threadTS == "" {
				b.ephemeral(ctx, q.channel, q.user, commandUsage(""))
				return
			}
			b.reply(ctx, q.channel, q.threadTS, "I need an order to look at — "+strings.TrimPrefix(err.Error(), agent.ErrNoOrder.Error()+": "))
			return
		}
		orderID, q.followUp = th.OrderID, true
	}
	trigger.OrderID = orderID

	// Status first: the thread shows that exdesk is on it.
	status := "investigating " + orderID + "…"
	threadTS, statusTS := q.threadTS, ""
	if threadTS == "" {
		ts, err := b.post(ctx, q.channel, slack.MsgOptionText(fmt.Sprintf("<@%s> asked: %s\n:mag: %s", q.user, escape(q.text), status), false))
		if err != nil {
			b.log.Error("status message not posted; question dropped with an error", "channel", q.channel, "err", err)
			b.ephemeral(ctx, q.channel, q.user, "exdesk could not post in this channel: "+err.Error())
			return
		}
		threadTS = ts
	} else if err := b.slack.SetAssistantThreadsStatusContext(ctx, slack.AssistantThreadsSetStatusParameters{
		ChannelID: q.channel, ThreadTS: threadTS, Status: status}); err != nil {
		// Not an assistant thread (or the method is unavailable): say it in the thread.
		statusTS, _ = b.post(ctx, q.channel, slack.MsgOptionText(":mag: "+status, false), slack.MsgOptionTS(threadTS))
	}
	b.firstReply(q)
	if !known {
		// The thread's order is known from here on, so a follow-up that
		// arrives while this investigation runs still finds it.
		if err := b.mem.SaveThread(ctx, Thread{Channel: q.channel, TS: threadTS, OrderID: orderID}); err != nil {
			b.log.Warn("thread context not saved", "channel", q.channel, "thread_ts", threadTS, "err", err)
		}
	}
	_ = b.mem.AddTurn(ctx, q.channel, threadTS, Turn{Who: q.user, Text: q.text, At: time.Now().UTC()})

	c, err := b.inv.Investigate(ctx, trigger)
	if err != nil {
		b.log.Warn("investigation failed", "order", orderID, "err", err)
		msg := fmt.Sprintf(":warning: I could not investigate %s: %s", orderID, err)
		if errors.Is(err, agent.ErrUnknownOrder) {
			msg = ":warning: " + err.Error()
		}
		b.reply(ctx, q.channel, threadTS, escape(msg))
		b.finishStatus(ctx, q.channel, statusTS, "could not investigate "+orderID)
		return
	}
	intro := ""
	if q.followUp {
		intro = FollowUp(q.text, c, th.Turns)
	}
	if _, err := b.publish(ctx, c, q.channel, threadTS, intro, false); err != nil {
		b.log.Error("answer not posted", "order", orderID, "err", err)
		b.reply(ctx, q.channel, threadTS, fmt.Sprintf(":warning: I investigated %s but could not post the case: %s", orderID, escape(err.Error())))
	}
	b.finishStatus(ctx, q.channel, statusTS, "investigated "+orderID)
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
			fmt.Fprintf(&s, "On current data, %s is not an option for %s: the investigation found no such action that fits the order.", topic.what, c.OrderID)
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
	fmt.Fprintf(&s, "I looked at %s again on current data", c.OrderID)
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
		return "needs approval by " + d.Role + " — " + d.Reason
	default:
		return "blocked — " + d.Reason
	}
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
