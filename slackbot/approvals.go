package slackbot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/store"
)

// approver is the clicker as the Desk sees them: their roles come from the
// config (users, user groups, included roles).
func (b *Bot) approver(c click) casework.Approver {
	return casework.Approver{
		Actor: casework.Actor{ID: c.user, Surface: "slack", Channel: c.channel, Thread: c.messageTS, Team: c.team},
		Holds: func(ctx context.Context, role string) (bool, error) {
			ok, err := b.auth.Allowed(ctx, c.user, role)
			if err != nil {
				b.log.Error("role check failed; denying", "user", c.user, "role", role, "err", err)
			}
			return ok, err
		},
	}
}

// handleClick runs on a worker for an Approve or Reject click or a reject
// reason submission. The decision is the Desk's; the bot tells the clicker
// what it came to (the thread hears it through the outbox).
func (b *Bot) handleClick(ctx context.Context, c click) {
	who := b.approver(c)
	var (
		r   casework.Result
		err error
	)
	switch c.action {
	case ActionApprove:
		r, err = b.desk.Approve(ctx, c.proposalID, who)
	case ActionReject:
		b.askReason(ctx, c, who)
		return
	case "reject_submit":
		r, err = b.desk.Reject(ctx, c.proposalID, who, strings.TrimSpace(c.reason))
	default:
		return
	}
	if err != nil {
		b.log.Error("decision not recorded", "proposal", c.proposalID, "user", c.user, "action", c.action, "err", err)
		b.ephemeral(ctx, c.channel, c.user, "Your decision could not be recorded; nothing was executed. Try again shortly.")
		return
	}
	b.Wake()
	b.tell(ctx, c, r)
}

// tell answers the clicker (ephemeral), by what the decision came to.
func (b *Bot) tell(ctx context.Context, c click, r casework.Result) {
	p := r.Proposal
	role := p.Role
	switch r.Kind {
	case casework.Unknown:
		b.log.Warn("click on an unknown proposal", "proposal", c.proposalID, "user", c.user)
		b.ephemeral(ctx, c.channel, c.user, "This action is not known to exdesk (it may belong to another installation).")
	case casework.NotApprovable:
		b.ephemeral(ctx, c.channel, c.user, "This action does not take an approval.")
	case casework.AlreadyDecided:
		b.m.Approvals.WithLabelValues(role, "already_decided").Inc()
		b.ephemeral(ctx, c.channel, c.user, alreadyDecided(p, c.user))
	case casework.Denied:
		b.m.Approvals.WithLabelValues(role, "denied").Inc()
		verb := "approve"
		if c.action != ActionApprove {
			verb = "reject"
		}
		b.ephemeral(ctx, c.channel, c.user, fmt.Sprintf(
			"You can't %s this: *%s* needs approval by %s, and exdesk's config does not give you that role. Nothing was changed.",
			verb, escape(agent.Describe(p.Action)), b.holders(r.Role)))
	case casework.Superseded:
		b.m.Approvals.WithLabelValues(role, "superseded").Inc()
		b.m.Overrides.WithLabelValues("superseded_on_fresh_data").Inc()
		why := ""
		if r.Fresh != nil {
			why = fmt.Sprintf(" (%s: %s)", escape(r.Fresh.Rule), escape(r.Fresh.Reason))
		}
		b.ephemeral(ctx, c.channel, c.user, fmt.Sprintf(
			"Not executed: on fresh data *%s* needs approval by %s%s. It is proposed again in the thread for them.",
			escape(agent.Describe(p.Action)), b.holders(r.Role), why))
	case casework.Refused:
		b.m.Approvals.WithLabelValues(role, "refused").Inc()
		b.m.Overrides.WithLabelValues("blocked_on_fresh_data").Inc()
		b.ephemeral(ctx, c.channel, c.user, "Not executed: "+escape(r.Err.Error())+". Nothing was changed.")
	case casework.Executed:
		b.m.Approvals.WithLabelValues(role, "approved").Inc()
	case casework.NotExecuted:
		b.m.Approvals.WithLabelValues(role, "approved").Inc()
		b.ephemeral(ctx, c.channel, c.user, "Approved, but not executed: "+escape(errText(r.Err)))
	case casework.Rejected:
		b.m.Rejections.WithLabelValues(role).Inc()
		if p.Rank == 1 {
			b.m.Overrides.WithLabelValues("rejected_recommendation").Inc()
		}
	}
}

func errText(err error) string {
	if err == nil {
		return "unknown reason"
	}
	return err.Error()
}

// holders names a role and the people who hold it, for a message that
// tells someone who can decide.
func (b *Bot) holders(role string) string {
	return roleWords(role, b.people)
}

// alreadyDecided tells a clicker who decided, and when; it never names
// the clicker back to themselves as someone else.
func alreadyDecided(p store.Proposal, clicker string) string {
	at := ""
	if !p.DecidedAt.IsZero() {
		at = " at " + p.DecidedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	state := string(p.State)
	switch p.State {
	case store.Expired:
		state = "no longer open"
	case store.Failed:
		state = "approved, but its execution failed"
	}
	switch {
	case p.DecidedBy == clicker:
		verb := "decided on"
		switch p.State {
		case store.Approved, store.Executed, store.Failed:
			verb = "approved"
		case store.Rejected:
			verb = "rejected"
		}
		return fmt.Sprintf("You already %s this%s; it is %s.", verb, at, state)
	case p.DecidedBy == "" || p.DecidedBy == casework.ActorPolicy || p.DecidedBy == casework.ActorExdesk:
		msg := fmt.Sprintf("This action was already decided: it is %s%s", state, at)
		if p.Note != "" {
			msg += " (" + escape(p.Note) + ")"
		}
		return msg + "."
	}
	return fmt.Sprintf("This action was already decided by %s%s: it is %s.", who(p.DecidedBy), at, state)
}

// askReason opens the reject modal, carrying the proposal id, after the
// same checks a rejection gets (pending, and the clicker holds the role).
func (b *Bot) askReason(ctx context.Context, c click, who casework.Approver) {
	p, err := b.desk.Proposal(ctx, c.proposalID)
	if err != nil {
		b.tell(ctx, c, casework.Result{Kind: casework.Unknown})
		return
	}
	switch {
	case p.State != store.Pending:
		b.tell(ctx, c, casework.Result{Kind: casework.AlreadyDecided, Proposal: *p})
		return
	case !holds(ctx, who, p.Role):
		// The Desk audits the attempt and says no.
		r, err := b.desk.Reject(ctx, p.ID, who, "")
		if err == nil {
			b.tell(ctx, c, r)
		}
		return
	}
	meta, _ := json.Marshal(rejectMeta{ProposalID: p.ID, Channel: c.channel, TS: c.messageTS})
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
		r, err := b.desk.Reject(ctx, p.ID, who, "")
		if err != nil {
			b.ephemeral(ctx, c.channel, c.user, "Your rejection could not be recorded. Try again shortly.")
			return
		}
		b.Wake()
		b.tell(ctx, c, r)
	}
}

func holds(ctx context.Context, who casework.Approver, role string) bool {
	ok, err := who.Holds(ctx, role)
	return err == nil && ok
}
