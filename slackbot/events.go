package slackbot

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// innerEvent is the part of an Events API inner event the bot reads.
type innerEvent struct {
	Type        string `json:"type"`
	SubType     string `json:"subtype"`
	User        string `json:"user"`
	BotID       string `json:"bot_id"`
	Text        string `json:"text"`
	TS          string `json:"ts"`
	ThreadTS    string `json:"thread_ts"`
	Channel     string `json:"channel"`
	ChannelType string `json:"channel_type"`
	Team        string `json:"team"`
	UserTeam    string `json:"user_team"`
}

// question is a question to answer in a thread.
type question struct {
	channel  string
	user     string
	text     string
	threadTS string // the thread to answer in; empty: start one (slash command)
	source   string // mention, dm, thread, command
	team     string // the workspace the question arrived in
	userTeam string // the asker's own workspace (differs for Slack Connect users)
	received time.Time
	// followUp: no order named; the thread's order is meant.
	followUp bool
}

// handleEvent runs on a worker: it turns an event into a question.
func (b *Bot) handleEvent(ctx context.Context, eventID, teamID string, raw json.RawMessage, received time.Time) {
	var ev innerEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		b.log.Warn("unreadable inner event", "event_id", eventID, "err", err)
		return
	}
	if ev.BotID != "" || ev.User == "" {
		return // our own messages and other bots'
	}
	q := question{channel: ev.Channel, user: ev.User, text: trimMention(ev.Text), received: received,
		team: cmpOr(teamID, ev.Team), userTeam: ev.UserTeam}
	q.threadTS = ev.ThreadTS
	if q.threadTS == "" {
		q.threadTS = ev.TS
	}
	switch {
	case ev.Type == "app_mention":
		q.source = "mention"
	case ev.Type == "message" && ev.SubType == "" && ev.ChannelType == "im":
		q.source = "dm"
	case ev.Type == "message" && ev.SubType == "" && ev.ThreadTS != "" && !strings.Contains(ev.Text, "<@"):
		// A reply in a channel thread without a mention: a follow-up only
		// in a thread the bot is in (mentions arrive as app_mention).
		if _, err := b.mem.LoadThread(ctx, ev.Channel, ev.ThreadTS); err != nil {
			return
		}
		q.source = "thread"
	default:
		return
	}
	b.log.Info("question", "event_id", eventID, "source", q.source, "channel", q.channel, "thread_ts", q.threadTS, "user", q.user)
	b.answer(ctx, q)
}

// acceptCommand queues a slash command; it returns the ephemeral text to
// answer with, the HTTP status and the result label.
func (b *Bot) acceptCommand(ctx context.Context, cmd slack.SlashCommand) (string, int, string) {
	text := strings.TrimSpace(cmd.Text)
	if text == "" || strings.EqualFold(text, "help") {
		return commandUsage(cmd.Command), http.StatusOK, "ok"
	}
	if strings.EqualFold(text, "queue") {
		return b.queueCommand(ctx, cmd.UserID), http.StatusOK, "ok"
	}
	if cmd.TriggerID != "" {
		first, err := b.mem.Claim(ctx, "command", cmd.TriggerID)
		if err != nil {
			return "exdesk cannot take questions right now (its Redis is unreachable); try again shortly.", http.StatusOK, "busy"
		}
		if !first {
			return "", http.StatusOK, "duplicate"
		}
	}
	q := question{channel: cmd.ChannelID, user: cmd.UserID, text: text, source: "command", team: cmd.TeamID, received: time.Now()}
	if !b.submit("command", func(ctx context.Context) { b.answer(ctx, q) }) {
		if cmd.TriggerID != "" {
			_ = b.mem.Unclaim(ctx, "command", cmd.TriggerID)
		}
		return "exdesk is busy; try again in a minute.", http.StatusOK, "busy"
	}
	return "On it: " + text, http.StatusOK, "ok"
}

// click is an Approve or Reject click, or a reject-reason submission.
type click struct {
	action     string // ActionApprove, ActionReject, or "reject_submit"
	user       string
	team       string
	channel    string
	messageTS  string
	proposalID string
	triggerID  string
	reason     string
}

// rejectMeta travels in the reject modal's private_metadata.
type rejectMeta struct {
	ProposalID string `json:"p"`
	Channel    string `json:"c"`
	TS         string `json:"t"`
}

// acceptInteraction queues clicks and modal submissions.
func (b *Bot) acceptInteraction(ctx context.Context, payload []byte) (int, string) {
	var cb slack.InteractionCallback
	if err := json.Unmarshal(payload, &cb); err != nil {
		return http.StatusBadRequest, "bad_request"
	}
	var clicks []click
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		channel := cb.Channel.ID
		if channel == "" {
			channel = cb.Container.ChannelID
		}
		ts := cb.Container.MessageTs
		if ts == "" {
			ts = cb.Message.Timestamp
		}
		for _, a := range cb.ActionCallback.BlockActions {
			if a.ActionID != ActionApprove && a.ActionID != ActionReject {
				continue
			}
			clicks = append(clicks, click{action: a.ActionID, user: cb.User.ID, team: cb.Team.ID, channel: channel, messageTS: ts,
				proposalID: a.Value, triggerID: cb.TriggerID})
		}
	case slack.InteractionTypeViewSubmission:
		if cb.View.CallbackID != CallbackReject {
			return http.StatusOK, "ignored"
		}
		var meta rejectMeta
		if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.ProposalID == "" {
			return http.StatusBadRequest, "bad_request"
		}
		reason := ""
		if cb.View.State != nil {
			reason = strings.TrimSpace(cb.View.State.Values[rejectBlockID][rejectInputID].Value)
		}
		clicks = append(clicks, click{action: "reject_submit", user: cb.User.ID, team: cb.Team.ID, channel: meta.Channel, messageTS: meta.TS,
			proposalID: meta.ProposalID, reason: reason})
	default:
		return http.StatusOK, "ignored"
	}
	for _, c := range clicks {
		if c.proposalID == "" || c.user == "" {
			continue
		}
		if !b.submit(c.action+" "+c.proposalID, func(ctx context.Context) { b.handleClick(ctx, c) }) {
			b.log.Error("work queue full; click not processed", "proposal", c.proposalID, "user", c.user)
			return http.StatusServiceUnavailable, "busy"
		}
	}
	return http.StatusOK, "ok"
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
