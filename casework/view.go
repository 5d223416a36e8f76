package casework

import (
	"context"
	"fmt"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/store"
)

// CaseView is a case as every surface shows it: the case document, its
// record (status, resolution), and each action with its proposal's state
// and execution.
type CaseView struct {
	Case   *agent.Case
	Record store.Case
	// Actions are the document's actions in rank order.
	Actions []ActionView
	// Superseded are the case's proposals no action carries any more
	// (retired when a fresh decision changed), oldest first.
	Superseded []store.Proposal
	// Proposals are all of the case's stored proposals, by id.
	Proposals map[string]store.Proposal
}

// ActionView is one of a case's actions with what became of it.
type ActionView struct {
	agent.Proposal
	// Stored is the proposal carrying the action; nil when the action
	// was done before under another proposal (DoneBefore).
	Stored *store.Proposal
	// Exec is the proposal's execution, or for DoneBefore the earlier
	// execution of the same action.
	Exec *store.Execution
	// DoneBefore: the same action (type, order, arguments) was executed
	// on the order before, so it was not proposed again.
	DoneBefore bool
}

// Pending reports whether the action waits for a person's decision.
func (v ActionView) Pending() bool {
	return v.Stored != nil && v.Stored.State == store.Pending && v.Stored.Outcome == "approval"
}

// View reads a case with its proposals and executions.
func (d *Desk) View(ctx context.Context, caseID string) (*CaseView, error) {
	return ReadView(ctx, d.st, caseID)
}

// ViewStore is what ReadView reads; store.Store implements it.
type ViewStore interface {
	GetCase(ctx context.Context, id string) (*store.Case, error)
	ListProposals(ctx context.Context, caseID string) ([]store.Proposal, error)
	GetExecution(ctx context.Context, proposalID string) (*store.Execution, error)
	OrderExecutions(ctx context.Context, orderID string, since time.Time) ([]store.Execution, error)
}

// ReadView reads a case with its proposals and executions from st.
func ReadView(ctx context.Context, st ViewStore, caseID string) (*CaseView, error) {
	sc, err := st.GetCase(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", caseID, err)
	}
	c, err := loadCase(sc)
	if err != nil {
		return nil, err
	}
	ps, err := st.ListProposals(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("proposals of case %s: %w", caseID, err)
	}
	v := &CaseView{Case: c, Record: *sc, Proposals: make(map[string]store.Proposal, len(ps))}
	for _, p := range ps {
		v.Proposals[p.ID] = p
	}
	shown := map[string]bool{}
	var earlier map[string]store.Execution
	for _, a := range c.Actions {
		av := ActionView{Proposal: a}
		if p, ok := v.Proposals[a.Action.ID]; ok && a.Action.ID != "" {
			p := p
			av.Stored = &p
			shown[p.ID] = true
			if p.State == store.Approved || p.State == store.Executed || p.State == store.Failed {
				if e, err := st.GetExecution(ctx, p.ID); err == nil {
					av.Exec = e
				}
			}
		} else if a.Action.ID == "" {
			if earlier == nil {
				earlier = map[string]store.Execution{}
				execs, err := st.OrderExecutions(ctx, orderOr(a.Action.OrderID, c.OrderID), time.Time{})
				if err != nil {
					return nil, fmt.Errorf("executions on %s: %w", c.OrderID, err)
				}
				for _, e := range execs {
					earlier[e.ActionKey] = e
				}
			}
			if e, ok := earlier[a.Action.Key()]; ok {
				av.Exec, av.DoneBefore = &e, true
			}
		}
		v.Actions = append(v.Actions, av)
	}
	for _, p := range ps {
		if !shown[p.ID] && p.SupersededBy != "" {
			v.Superseded = append(v.Superseded, p)
		}
	}
	return v, nil
}

func orderOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Proposal returns one proposal as it stands.
func (d *Desk) Proposal(ctx context.Context, id string) (*store.Proposal, error) {
	return d.st.GetProposal(ctx, id)
}

// OpenCase returns the order's open case as it stands, or nil when the
// order has none. Reading it records nothing.
func (d *Desk) OpenCase(ctx context.Context, orderID string) (*CaseView, error) {
	sc, err := d.openCase(ctx, orderID)
	if err != nil || sc == nil {
		return nil, err
	}
	return d.View(ctx, sc.ID)
}
