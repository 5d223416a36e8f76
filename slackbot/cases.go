package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
)

// Case event kinds the bot appends.
const (
	eventSlackThread = "slack.thread"
)

// slackThread is the data of a slack.thread case event.
type slackThread struct {
	Channel string `json:"channel"`
	TS      string `json:"ts"`
}

// ErrNoChannel is returned by PostCase when no channel is configured for
// the case's class and there is no default.
var ErrNoChannel = errors.New("no Slack channel for the case's class")

// PostCase posts a case opened by detection to the channel its class routes
// to, one thread per case: the first post of a case starts its thread; a
// later post of the same case id (an update) goes into that thread,
// superseding the earlier pending approvals. The case's top action is
// executed when the guard allows it automatically.
func (b *Bot) PostCase(ctx context.Context, c *agent.Case) error {
	if c == nil || c.ID == "" {
		return errors.New("slackbot: PostCase needs a case with an id")
	}
	th, err := b.caseThread(ctx, c.ID)
	switch {
	case err == nil:
		_, err = b.publish(ctx, c, th.Channel, th.TS, "*Update* — the case was investigated again on current data.", true)
		return err
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	channel, ok := b.cfg.Channel(c.Class)
	if !ok {
		return fmt.Errorf("%w %q (set channels.%s or channels.default in the config)", ErrNoChannel, c.Class, c.Class)
	}
	_, err = b.publish(ctx, c, channel, "", "", false)
	return err
}

// PostCaseUpdate posts text into the thread of a case posted before.
func (b *Bot) PostCaseUpdate(ctx context.Context, caseID, text string) error {
	th, err := b.caseThread(ctx, caseID)
	if err != nil {
		return err
	}
	_, err = b.post(ctx, th.Channel, slack.MsgOptionText(text, false), slack.MsgOptionTS(th.TS))
	return err
}

// caseThread finds the Slack thread of a stored case (store.ErrNotFound if none).
func (b *Bot) caseThread(ctx context.Context, caseID string) (slackThread, error) {
	evs, err := b.store.ListCaseEvents(ctx, caseID)
	if err != nil {
		return slackThread{}, fmt.Errorf("case %s events: %w", caseID, err)
	}
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind != eventSlackThread {
			continue
		}
		var th slackThread
		if err := json.Unmarshal(evs[i].Data, &th); err == nil && th.Channel != "" {
			return th, nil
		}
	}
	return slackThread{}, fmt.Errorf("case %s has no Slack thread: %w", caseID, store.ErrNotFound)
}

// publish stores the case and its proposals, executes the top auto action,
// and posts the case in the thread (threadTS empty: as a new thread). It
// returns the ts of the case message.
func (b *Bot) publish(ctx context.Context, c *agent.Case, channel, threadTS, intro string, update bool) (string, error) {
	if err := b.persist(ctx, c, update); err != nil {
		b.m.Cases.WithLabelValues(c.Class, "error").Inc()
		return "", err
	}
	views, err := b.actionViews(ctx, c)
	if err != nil {
		return "", err
	}
	blocks := RenderCase(c, views, intro)
	opts := []slack.MsgOption{slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(RenderText(c), false)}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	ts, err := b.post(ctx, channel, opts...)
	if err != nil {
		b.m.Cases.WithLabelValues(c.Class, "error").Inc()
		return "", fmt.Errorf("posting case %s: %w", c.ID, err)
	}
	if threadTS == "" {
		threadTS = ts
	}
	for _, v := range views {
		if v.ProposalID == "" {
			continue
		}
		if err := b.store.SetProposalSlack(ctx, v.ProposalID, channel, ts); err != nil {
			b.log.Error("proposal's Slack message not recorded", "proposal", v.ProposalID, "err", err)
		}
	}
	if !update {
		ev := &store.CaseEvent{CaseID: c.ID, Kind: eventSlackThread, Actor: "exdesk", Data: mustJSON(slackThread{Channel: channel, TS: threadTS})}
		if err := b.store.AppendCaseEvent(ctx, ev); err != nil {
			b.log.Error("case thread not recorded", "case", c.ID, "err", err)
		}
	}
	if err := b.mem.SaveThread(ctx, Thread{Channel: channel, TS: threadTS, OrderID: c.OrderID, CaseID: c.ID}); err != nil {
		b.log.Error("thread context not saved", "case", c.ID, "err", err)
	}
	_ = b.mem.AddTurn(ctx, channel, threadTS, Turn{Who: "exdesk", Text: c.Summary, At: time.Now().UTC()})
	outcome := "none"
	if top, ok := c.Top(); ok {
		outcome = string(top.Decision.Outcome)
	}
	b.m.Cases.WithLabelValues(c.Class, outcome).Inc()
	if c.Usage.Tokens > 0 {
		model := c.Model
		if model == "" {
			model = "unknown"
		}
		b.m.ModelTokens.WithLabelValues(model).Add(float64(c.Usage.Tokens))
	}
	b.log.Info("case posted", "case", c.ID, "order", c.OrderID, "class", c.Class, "top_outcome", outcome, "channel", channel, "ts", ts, "thread_ts", threadTS)
	return ts, nil
}

// persist gives every action a proposal id (the id the connector
// deduplicates on), stores the case and its proposals, settles blocked
// actions and auto alternatives, and executes the top auto action once.
func (b *Bot) persist(ctx context.Context, c *agent.Case, update bool) error {
	for i := range c.Actions {
		c.Actions[i].Action.ID = store.NewID("p_")
	}
	if update {
		if err := b.supersede(ctx, c.ID); err != nil {
			return err
		}
	}
	if err := b.rec.Save(ctx, c, update); err != nil {
		return err
	}
	if top, ok := c.Top(); ok && top.Decision.Outcome == policy.Auto {
		b.executeAuto(ctx, c, top)
	}
	return nil
}

// supersede expires a case's pending proposals before an update replaces them.
func (b *Bot) supersede(ctx context.Context, caseID string) error {
	ps, err := b.store.ListProposals(ctx, caseID)
	if err != nil {
		return fmt.Errorf("listing proposals of %s: %w", caseID, err)
	}
	for _, p := range ps {
		if p.State != store.Pending {
			continue
		}
		err := b.store.Transition(ctx, p.ID, store.Pending, store.Expired, "exdesk", "superseded by an update of the case")
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("expiring proposal %s: %w", p.ID, err)
		}
	}
	return nil
}

// executeAuto executes the case's top auto action through
// Investigator.ExecuteAuto, claimed once in the store.
func (b *Bot) executeAuto(ctx context.Context, c *agent.Case, top agent.Proposal) {
	claimed, err := b.rec.ClaimTop(ctx, c)
	if err != nil || !claimed {
		b.log.Info("auto action not claimed", "proposal", top.Action.ID, "err", err)
		return
	}
	e, err := b.inv.ExecuteAuto(ctx, c)
	b.finishExecution(ctx, c.ID, top.Action.ID, "policy", e, err)
}

// finishExecution records an execution's outcome, moves the proposal to
// executed or failed and writes the audit entry.
// The records are written even when ctx was cancelled meanwhile.
func (b *Bot) finishExecution(ctx context.Context, caseID, proposalID, by string, e *connectors.Execution, execErr error) store.State {
	state, err := b.rec.Finish(ctx, caseID, proposalID, by, e, execErr)
	if err != nil {
		b.log.Error("execution outcome not fully recorded", "proposal", proposalID, "state", state, "err", err)
	}
	if state != store.Executed {
		b.m.Executions.WithLabelValues("failed").Inc()
		b.log.Warn("action not executed", "proposal", proposalID, "case", caseID, "by", by, "err", execErr)
		return state
	}
	b.m.Executions.WithLabelValues("succeeded").Inc()
	b.log.Info("action executed", "proposal", proposalID, "case", caseID, "by", by, "detail", e.Detail, "replayed", e.Replayed)
	if b.resolved != nil {
		ctx = context.WithoutCancel(ctx)
		a := connectors.Action{ID: proposalID}
		if p, err := b.store.GetProposal(ctx, proposalID); err == nil {
			a = p.Action
		}
		b.resolved(ctx, Resolved{CaseID: caseID, ProposalID: proposalID, By: by, Action: a, Execution: *e})
	}
	return state
}

// actionViews joins a case's actions with their stored proposals and executions.
func (b *Bot) actionViews(ctx context.Context, c *agent.Case) ([]ActionView, error) {
	ps, err := b.store.ListProposals(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("listing proposals of %s: %w", c.ID, err)
	}
	byID := make(map[string]store.Proposal, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
	}
	views := make([]ActionView, 0, len(c.Actions))
	for _, a := range c.Actions {
		v := ActionView{Proposal: a}
		if p, ok := byID[a.Action.ID]; ok {
			v.ProposalID, v.State, v.DecidedBy, v.DecidedAt, v.Note = p.ID, p.State, p.DecidedBy, p.DecidedAt, p.Note
			if p.State == store.Executed || p.State == store.Failed || p.State == store.Approved {
				if e, err := b.store.GetExecution(ctx, p.ID); err == nil {
					v.Exec = e
				}
			}
		}
		views = append(views, v)
	}
	return views, nil
}

// loadCase reads a stored case document.
func (b *Bot) loadCase(ctx context.Context, id string) (*agent.Case, error) {
	sc, err := b.store.GetCase(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("loading case %s: %w", id, err)
	}
	var c agent.Case
	if err := json.Unmarshal(sc.Document, &c); err != nil {
		return nil, fmt.Errorf("decoding case %s: %w", id, err)
	}
	return &c, nil
}

// refresh re-renders a case's message from the store (chat.update).
func (b *Bot) refresh(ctx context.Context, caseID, channel, ts string) error {
	c, err := b.loadCase(ctx, caseID)
	if err != nil {
		return err
	}
	views, err := b.actionViews(ctx, c)
	if err != nil {
		return err
	}
	return b.update(ctx, channel, ts, slack.MsgOptionBlocks(RenderCase(c, views, "")...), slack.MsgOptionText(RenderText(c), false))
}
