package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
)

// handleClick runs on a worker for an Approve or Reject click or a reject
// reason submission.
func (b *Bot) handleClick(ctx context.Context, c click) {
	p, err := b.store.GetProposal(ctx, c.proposalID)
	if err != nil {
		b.log.Warn("click on an unknown proposal", "proposal", c.proposalID, "user", c.user, "err", err)
		if c.channel != "" {
			b.ephemeral(ctx, c.channel, c.user, "This action is not known to exdesk (it may belong to another installation).")
		}
		return
	}
	channel, ts := p.SlackChannel, p.SlackTS
	if channel == "" {
		channel, ts = c.channel, c.messageTS
	}
	if p.Outcome != string(policy.Approval) {
		b.ephemeral(ctx, channel, c.user, "This action does not take an approval.")
		return
	}
	ok, err := b.auth.Allowed(ctx, c.user, p.Role)
	if err != nil {
		b.log.Error("role check failed; denying", "user", c.user, "role", p.Role, "err", err)
	}
	if !ok {
		b.deny(ctx, p, c, channel)
		return
	}
	switch c.action {
	case ActionApprove:
		b.approve(ctx, p, c, channel, ts)
	case ActionReject:
		b.askReason(ctx, p, c, channel, ts)
	case "reject_submit":
		b.reject(ctx, p, c, channel, ts)
	}
}

// deny tells an unauthorised clicker why, and audits the attempt. Nothing
// else changes.
func (b *Bot) deny(ctx context.Context, p *store.Proposal, c click, channel string) {
	verb := "approve"
	if c.action != ActionApprove {
		verb = "reject"
	}
	b.m.Approvals.WithLabelValues(p.Role, "denied").Inc()
	b.audit(ctx, store.AuditEntry{Actor: c.user, Kind: "approval.denied", CaseID: p.CaseID, ProposalID: p.ID, Rule: p.Rule,
		Outcome: "denied", Data: mustJSON(map[string]any{"user": c.user, "required_role": p.Role, "verb": verb})})
	b.log.Warn("unauthorised decision attempt", "user", c.user, "proposal", p.ID, "required_role", p.Role, "verb", verb)
	b.ephemeral(ctx, channel, c.user, fmt.Sprintf(
		"You can't %s this: %s needs a *%s*, and you don't hold that role in exdesk's config. Nothing was changed.",
		verb, agent.Describe(p.Action), p.Role))
}

// alreadyDecided tells a clicker that someone else decided first.
func (b *Bot) alreadyDecided(ctx context.Context, channel, user string, err error) {
	var ce *store.ConflictError
	msg := "This action was already decided."
	if errors.As(err, &ce) {
		msg = fmt.Sprintf("This action was already decided: it is %s", ce.Current)
		if ce.DecidedBy != "" && ce.DecidedBy != "policy" {
			msg += " by <@" + ce.DecidedBy + ">"
		}
		msg += "."
	}
	b.ephemeral(ctx, channel, user, msg)
}

// approve moves the proposal pending → approved (compare-and-set), claims
// its single execution, executes it with the guard run again on fresh data,
// updates the message and posts the outcome in the thread.
func (b *Bot) approve(ctx context.Context, p *store.Proposal, c click, channel, ts string) {
	if err := b.store.Transition(ctx, p.ID, store.Pending, store.Approved, c.user, ""); err != nil {
		if errors.Is(err, store.ErrConflict) {
			b.m.Approvals.WithLabelValues(p.Role, "already_decided").Inc()
			b.alreadyDecided(ctx, channel, c.user, err)
			return
		}
		b.log.Error("approval not recorded", "proposal", p.ID, "err", err)
		b.ephemeral(ctx, channel, c.user, "Your approval could not be recorded; nothing was executed. Try again shortly.")
		return
	}
	b.m.Approvals.WithLabelValues(p.Role, "approved").Inc()
	b.audit(ctx, store.AuditEntry{Actor: c.user, Kind: "proposal.approved", CaseID: p.CaseID, ProposalID: p.ID, Rule: p.Rule,
		Outcome: "approved", Data: mustJSON(map[string]any{"user": c.user, "role": p.Role})})

	a := p.Action
	a.ID = p.ID // the connector deduplicates on the proposal id
	if err := b.store.RecordExecution(ctx, &store.Execution{ProposalID: p.ID, CaseID: p.CaseID, Action: a, By: c.user}); err != nil {
		// Only the approver reaches here, so this is a crash recovery path.
		b.log.Warn("execution already claimed", "proposal", p.ID, "err", err)
		return
	}
	e, d, execErr := b.inv.Execute(ctx, a, b.confidenceOf(ctx, p), c.user)
	var ep = &e
	if execErr != nil {
		ep = nil
		if errors.Is(execErr, agent.ErrBlocked) {
			b.m.Overrides.WithLabelValues("blocked_on_fresh_data").Inc()
		}
	}
	state := b.finishExecution(ctx, p.CaseID, p.ID, c.user, ep, execErr)

	if ts != "" {
		if err := b.refresh(ctx, p.CaseID, channel, ts); err != nil {
			b.log.Error("case message not updated", "proposal", p.ID, "err", err)
		}
	}
	threadTS := ts
	if th, err := b.caseThread(ctx, p.CaseID); err == nil {
		threadTS = th.TS
	}
	var msg string
	if state == store.Executed {
		msg = fmt.Sprintf(":white_check_mark: <@%s> approved *%s* — executed: %s", c.user, escape(agent.Describe(a)), escape(e.Detail))
	} else {
		msg = fmt.Sprintf(":warning: <@%s> approved *%s* — not executed: %s", c.user, escape(agent.Describe(a)), escape(failureWords(execErr, d)))
	}
	if threadTS != "" {
		b.reply(ctx, channel, threadTS, msg)
	}
}

func failureWords(err error, d policy.Decision) string {
	switch {
	case errors.Is(err, agent.ErrBlocked):
		return "the guard blocked it on fresh data (" + d.Reason + ")"
	case errors.Is(err, agent.ErrNeedsApproval):
		return "the guard now requires approval by " + d.Role + " (" + d.Reason + ")"
	}
	return err.Error()
}

// askReason opens the reject modal, carrying the proposal id.
func (b *Bot) askReason(ctx context.Context, p *store.Proposal, c click, channel, ts string) {
	if p.State != store.Pending {
		b.alreadyDecided(ctx, channel, c.user, &store.ConflictError{ProposalID: p.ID, Current: p.State, DecidedBy: p.DecidedBy})
		return
	}
	meta, _ := json.Marshal(rejectMeta{ProposalID: p.ID, Channel: channel, TS: ts})
	input := slack.NewPlainTextInputBlockElement(plain("Why not? (optional)"), rejectInputID)
	input.Multiline = true
	input.MaxLength = 2000
	block := slack.NewInputBlock(rejectBlockID, plain("Reason"), nil, input)
	block.Optional = true
	view := slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      CallbackReject,
		Title:           plain("Reject action"),
		Submit:          plain("Reject"),
		Close:           plain("Cancel"),
		PrivateMetadata: string(meta),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(md(clip("Reject: *"+escape(agent.Describe(p.Action))+"*", MaxSectionText)), nil, nil),
			block,
		}},
	}
	if _, err := b.slack.OpenViewContext(ctx, c.triggerID, view); err != nil {
		// The trigger expired or views are unavailable: reject without a reason.
		b.log.Warn("reject modal not opened; rejecting without a reason", "proposal", p.ID, "err", err)
		b.reject(ctx, p, c, channel, ts)
	}
}

// reject moves the proposal pending → rejected with the reason.
func (b *Bot) reject(ctx context.Context, p *store.Proposal, c click, channel, ts string) {
	reason := strings.TrimSpace(c.reason)
	if err := b.store.Transition(ctx, p.ID, store.Pending, store.Rejected, c.user, reason); err != nil {
		if errors.Is(err, store.ErrConflict) {
			b.alreadyDecided(ctx, channel, c.user, err)
			return
		}
		b.log.Error("rejection not recorded", "proposal", p.ID, "err", err)
		b.ephemeral(ctx, channel, c.user, "Your rejection could not be recorded. Try again shortly.")
		return
	}
	b.m.Rejections.WithLabelValues(p.Role).Inc()
	if p.Rank == 1 {
		b.m.Overrides.WithLabelValues("rejected_recommendation").Inc()
	}
	b.audit(ctx, store.AuditEntry{Actor: c.user, Kind: "proposal.rejected", CaseID: p.CaseID, ProposalID: p.ID, Rule: p.Rule,
		Outcome: "rejected", Data: mustJSON(map[string]any{"user": c.user, "role": p.Role, "reason": reason})})
	if ts != "" {
		if err := b.refresh(ctx, p.CaseID, channel, ts); err != nil {
			b.log.Error("case message not updated", "proposal", p.ID, "err", err)
		}
	}
	threadTS := ts
	if th, err := b.caseThread(ctx, p.CaseID); err == nil {
		threadTS = th.TS
	}
	msg := fmt.Sprintf(":x: <@%s> rejected *%s*", c.user, escape(agent.Describe(p.Action)))
	if reason != "" {
		msg += ": " + escape(reason)
	}
	if threadTS != "" {
		b.reply(ctx, channel, threadTS, msg)
	}
}
