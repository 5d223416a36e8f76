package casework

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
)

// Notes the policy actor leaves on proposals it settles.
const (
	noteAlternative = "alternative to the top action; not executed"
	noteNoLonger    = "no longer proposed: the order was investigated again on current data"
	// NoteQuestion is the note on an auto action of a case a question
	// opened: it is not executed.
	NoteQuestion = "not executed: a question never acts; exdesk acts on source-system events and on approvals"
)

// mode says what drives a case: only an event-driven case executes its top
// auto action.
type mode int

const (
	byEvent mode = iota
	byQuestion
)

// proposal is how one of a case's actions is carried.
type proposal struct {
	rank int
	// id of the proposal carrying the action; "" when the action was done
	// before (done), so nothing is proposed.
	id string
	// created is a new proposal, with its audit entry; superseded is the
	// pending proposal it replaces.
	created    *store.Proposal
	audit      *store.AuditEntry
	superseded *store.Proposal
	done       *store.Execution
}

// proposals is the result of propose.
type proposals struct {
	items []proposal
	// execute is the pending auto proposal to execute now (event mode),
	// with the planner's confidence in it.
	execute    *store.Proposal
	confidence float64
	// superseded are the pending proposals replaced by new ones; retired
	// those no action carries any more.
	superseded []store.Proposal
	retired    []store.Proposal
	// topDone is the earlier execution of the top action, when the
	// recommendation was carried out before (in another case).
	topDone       *store.Execution
	topDoneAction connectors.Action
}

// doneEffects returns the executions within the effect window on the
// orders c's actions change, by action key: what is already done and must
// not run again.
func (d *Desk) doneEffects(ctx context.Context, c *agent.Case) (map[string]store.Execution, error) {
	orders := []string{c.OrderID}
	for _, a := range c.Actions {
		if o := a.Action.OrderID; o != "" && !slices.Contains(orders, o) {
			orders = append(orders, o)
		}
	}
	since := d.now().Add(-d.window)
	done := map[string]store.Execution{}
	for _, o := range orders {
		execs, err := d.st.OrderExecutions(ctx, o, since)
		if err != nil {
			return nil, fmt.Errorf("actions executed on %s: %w", o, err)
		}
		for _, e := range execs {
			if _, ok := done[e.ActionKey]; !ok {
				done[e.ActionKey] = e
			}
		}
	}
	return done, nil
}

// propose decides how each of c's actions is carried and sets each
// action's Action.ID to its proposal (empty when the action was done on
// the order before, under another proposal: done). existing are the case's
// stored proposals (none for a new case): an action already carried by one
// of them keeps it while its decision is unchanged; a pending proposal
// whose decision changed, or whose action is no longer proposed, is
// superseded. Nothing is written: write stores the result in a
// transaction, after the case document that names the proposals.
func (d *Desk) propose(c *agent.Case, existing []store.Proposal, done map[string]store.Execution, m mode) proposals {
	var out proposals
	byKey := map[string][]*store.Proposal{}
	for i := range existing {
		p := &existing[i]
		byKey[p.ActionKey] = append(byKey[p.ActionKey], p)
	}
	used := map[string]bool{}
	top := true // the first action that can proceed is the top action
	for i := range c.Actions {
		a := &c.Actions[i]
		if a.Action.OrderID == "" {
			a.Action.OrderID = c.OrderID
		}
		key := a.Action.Key()
		item := proposal{rank: a.Rank}
		if e, ok := done[key]; ok && !carries(byKey[key], e.ProposalID) {
			// Executed before, under another proposal: shown as done.
			e := e
			a.Action.ID, item.done = "", &e
			out.items = append(out.items, item)
			if top && a.Decision.Outcome != policy.Blocked {
				// The recommendation was carried out already.
				out.topDone, out.topDoneAction = &e, a.Action
				top = false
			}
			continue
		}
		alternative := a.Decision.Outcome == policy.Auto && !top
		if p := reusable(byKey[key], a.Decision, used, alternative); p != nil {
			used[p.ID] = true
			a.Action.ID, item.id = p.ID, p.ID
			out.items = append(out.items, item)
			if p.State == store.Pending && a.Decision.Outcome != policy.Blocked {
				if top && a.Decision.Outcome == policy.Auto && m == byEvent {
					out.execute, out.confidence = p, a.Confidence
				}
				top = false
			} else if p.State == store.Approved || p.State == store.Executed {
				top = false
			}
			continue
		}
		// A new proposal; a pending one with the same action and another
		// decision is superseded by it.
		np := &store.Proposal{ID: store.NewID("p_"), CaseID: c.ID, OrderID: c.OrderID, Rank: a.Rank, Action: a.Action,
			Outcome: string(a.Decision.Outcome), Role: a.Decision.Role, Rule: a.Decision.Rule, Reason: a.Decision.Reason}
		np.Action.ID = ""
		switch {
		case a.Decision.Outcome == policy.Blocked:
			np.State, np.DecidedBy, np.Note = store.Rejected, ActorPolicy, a.Decision.Reason
		case a.Decision.Outcome == policy.Auto && !top:
			np.State, np.DecidedBy, np.Note = store.Expired, ActorPolicy, noteAlternative
		case a.Decision.Outcome == policy.Auto && m == byQuestion:
			np.State, np.DecidedBy, np.Note = store.Expired, ActorPolicy, NoteQuestion
		}
		if a.Decision.Outcome != policy.Blocked {
			if top && a.Decision.Outcome == policy.Auto && m == byEvent {
				out.execute, out.confidence = np, a.Confidence
			}
			top = false
		}
		a.Action.ID, item.id, item.created = np.ID, np.ID, np
		item.audit = audit(ActorPolicy, "proposal.created", c.ID, np.ID, a.Decision.Rule, string(a.Decision.Outcome),
			map[string]any{"action": a.Action, "decision": a.Decision, "confidence": a.Confidence})
		for _, p := range byKey[key] {
			if p.State == store.Pending && !used[p.ID] {
				used[p.ID] = true
				item.superseded = p
				out.superseded = append(out.superseded, *p)
				break
			}
		}
		out.items = append(out.items, item)
	}
	// Pending proposals no action carries any more are retired.
	for i := range existing {
		if p := existing[i]; p.State == store.Pending && !used[p.ID] {
			out.retired = append(out.retired, p)
		}
	}
	return out
}

// created counts the new proposals.
func (ps proposals) created() int {
	n := 0
	for _, item := range ps.items {
		if item.created != nil {
			n++
		}
	}
	return n
}

// write stores what propose decided, inside tx.
func (ps proposals) write(ctx context.Context, tx store.Tx, c *agent.Case) error {
	for i, item := range ps.items {
		if item.created == nil {
			continue
		}
		if err := tx.CreateProposal(ctx, item.created); err != nil {
			return fmt.Errorf("storing proposal %d of case %s: %w", item.rank, c.ID, err)
		}
		if err := tx.AppendAudit(ctx, item.audit); err != nil {
			return err
		}
		if old := item.superseded; old != nil {
			dec := c.Actions[i].Decision
			reason := fmt.Sprintf("superseded: on current data the guard decides %s", dec)
			if err := tx.SupersedeProposal(ctx, old.ID, ActorPolicy, reason, item.created.ID); err != nil && !errors.Is(err, store.ErrConflict) {
				return fmt.Errorf("superseding proposal %s: %w", old.ID, err)
			}
			if err := tx.AppendAudit(ctx, audit(ActorPolicy, "proposal.superseded", c.ID, old.ID, dec.Rule, string(dec.Outcome),
				map[string]any{"replaced_by": item.created.ID, "was": map[string]string{"outcome": old.Outcome, "role": old.Role, "rule": old.Rule},
					"fresh": dec})); err != nil {
				return err
			}
		}
	}
	for _, p := range ps.retired {
		if err := tx.SupersedeProposal(ctx, p.ID, ActorPolicy, noteNoLonger, ""); err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("retiring proposal %s: %w", p.ID, err)
		}
		if err := tx.AppendAudit(ctx, audit(ActorPolicy, "proposal.superseded", c.ID, p.ID, p.Rule, "expired",
			map[string]any{"reason": noteNoLonger})); err != nil {
			return err
		}
	}
	return nil
}

// reusable returns the stored proposal that already carries an action
// with decision dec: a pending one with the same outcome and role, one in
// progress or done (approved, executed), or one a person rejected (not
// proposed again); a blocked action keeps its policy rejection, and an
// auto alternative to the top action (alternative) its expiry.
func reusable(ps []*store.Proposal, dec policy.Decision, used map[string]bool, alternative bool) *store.Proposal {
	for _, p := range ps {
		if used[p.ID] {
			continue
		}
		same := p.Outcome == string(dec.Outcome) && p.Role == dec.Role
		switch {
		case p.State == store.Pending && same:
			return p
		case p.State == store.Approved || p.State == store.Executed:
			return p
		case p.State == store.Rejected && p.DecidedBy != ActorPolicy:
			return p
		case p.State == store.Rejected && same && dec.Outcome == policy.Blocked:
			return p
		case p.State == store.Expired && same && alternative && p.DecidedBy == ActorPolicy && p.Note == noteAlternative:
			return p
		}
	}
	return nil
}

// carries reports whether one of ps is the proposal id.
func carries(ps []*store.Proposal, id string) bool {
	for _, p := range ps {
		if p.ID == id {
			return true
		}
	}
	return false
}
