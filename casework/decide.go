package casework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/tools"
)

// Errors of an execution that did not happen.
var (
	// ErrBlocked: the guard, on fresh data, blocks the action.
	ErrBlocked = errors.New("blocked by policy on fresh data")
	// ErrNeedsRole: on fresh data the action needs an approval the
	// approver (or, for an auto action, no one yet) has not given.
	ErrNeedsRole = errors.New("needs approval")
	// ErrAlreadyDone: the same action was executed on the order before.
	ErrAlreadyDone = errors.New("already done")
	// ErrNoLongerFits: the action no longer fits the order.
	ErrNoLongerFits = errors.New("no longer fits the order")
)

// Kind says how a decision on a proposal ended.
type Kind string

// Decision outcomes.
const (
	// Executed: approved, and the action executed.
	Executed Kind = "executed"
	// NotExecuted: approved, but the execution failed or was refused on
	// fresh data at the last moment (Result.Err says why).
	NotExecuted Kind = "not_executed"
	// Rejected: the proposal was rejected.
	Rejected Kind = "rejected"
	// Denied: the person does not hold the role the proposal needs.
	Denied Kind = "denied"
	// AlreadyDecided: someone (or the policy) decided first.
	AlreadyDecided Kind = "already_decided"
	// Superseded: on fresh data the guard requires a role the approver
	// does not hold; the action is re-proposed for that role.
	Superseded Kind = "superseded"
	// Refused: on fresh data the guard blocks the action, or it no longer
	// fits the order; nothing ran and the proposal is retired.
	Refused Kind = "refused"
	// NotApprovable: the proposal does not take a person's decision.
	NotApprovable Kind = "not_approvable"
	// Unknown: no proposal has that id.
	Unknown Kind = "unknown"
)

// Result is what a decision on a proposal came to.
type Result struct {
	Kind Kind
	// Proposal is the proposal as it stands after the decision (as found,
	// for Unknown it is zero).
	Proposal store.Proposal
	// Role is the role the action needs now: the proposal's for Denied,
	// the fresh decision's for Superseded.
	Role string
	// Fresh is the guard's decision on current data, when one was taken.
	Fresh *Fresh
	// Replacement is the new proposal of a Superseded one.
	Replacement *store.Proposal
	// Execution is what the connector did (Executed).
	Execution *connectors.Execution
	// Err says why an approved action did not execute (NotExecuted), or
	// why it was refused.
	Err error
}

// Approve is a person's approval of a pending proposal. The person must
// hold the role the proposal shows; then the guard decides again on fresh
// data and that decision counts: auto proceeds, approval proceeds only if
// the approver holds the role it names now (otherwise the proposal is
// superseded and re-proposed for that role), blocked never. The approval
// is a compare-and-set and the execution is claimed once, so any number of
// clicks, people or replicas execute an action at most once.
func (d *Desk) Approve(ctx context.Context, proposalID string, who Approver) (res Result, err error) {
	ctx, span := d.decisionTrace(ctx, "exdesk.approve", proposalID, who)
	defer func() { span.SetAttributes(attribute.String("exdesk.result", string(res.Kind))); endSpan(span, err) }()
	return d.approve(ctx, proposalID, who)
}

func (d *Desk) approve(ctx context.Context, proposalID string, who Approver) (Result, error) {
	p, done, err := d.decidable(ctx, proposalID, who, "approve")
	if done != nil || err != nil {
		return *done, err
	}
	conf := d.confidence(ctx, p)
	fr, err := d.fresh(ctx, p.Action, conf)
	if err != nil {
		if errors.Is(err, policy.ErrInvalidAction) || errors.Is(err, connectors.ErrNotFound) {
			return d.refuse(ctx, p, who, nil, fmt.Errorf("%w: %v", ErrNoLongerFits, err))
		}
		return Result{}, fmt.Errorf("deciding %s on fresh data: %w", proposalID, err)
	}
	switch {
	case fr.Outcome == policy.Blocked:
		return d.refuse(ctx, p, who, &fr, fmt.Errorf("%w: %s", ErrBlocked, fr.Reason))
	case fr.Outcome == policy.Approval && fr.Role != p.Role && !who.holds(ctx, fr.Role):
		return d.supersede(ctx, p, who, fr, conf)
	}
	if err := d.st.Transition(ctx, p.ID, store.Pending, store.Approved, who.ID, ""); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return d.alreadyDecided(ctx, p.ID)
		}
		return Result{}, fmt.Errorf("approving %s: %w", p.ID, err)
	}
	if err := d.st.AppendAudit(ctx, audit(who.ID, "proposal.approved", p.CaseID, p.ID, fr.Rule, "approved",
		map[string]any{"approver": who.Actor, "shown_role": p.Role, "fresh": fr})); err != nil {
		d.log.Error("audit entry not written", "kind", "proposal.approved", "proposal", p.ID, "err", err)
	}
	p.State, p.DecidedBy = store.Approved, who.ID
	return d.run(ctx, *p, conf, &who, true), nil
}

// Reject is a person's rejection of a pending proposal, with their reason.
func (d *Desk) Reject(ctx context.Context, proposalID string, who Approver, reason string) (res Result, err error) {
	ctx, span := d.decisionTrace(ctx, "exdesk.reject", proposalID, who)
	defer func() { span.SetAttributes(attribute.String("exdesk.result", string(res.Kind))); endSpan(span, err) }()
	return d.reject(ctx, proposalID, who, reason)
}

// decisionTrace starts a person's decision's span in its case's trace.
func (d *Desk) decisionTrace(ctx context.Context, name, proposalID string, who Approver) (context.Context, trace.Span) {
	caseID := ""
	if p, err := d.st.GetProposal(ctx, proposalID); err == nil {
		caseID = p.CaseID
	}
	return d.caseTrace(ctx, name, caseID, d.traceOf(ctx, caseID),
		attribute.String("exdesk.proposal_id", proposalID), attribute.String("enduser.id", who.ID), attribute.String("exdesk.surface", who.Surface))
}

func (d *Desk) reject(ctx context.Context, proposalID string, who Approver, reason string) (Result, error) {
	p, done, err := d.decidable(ctx, proposalID, who, "reject")
	if done != nil || err != nil {
		return *done, err
	}
	err = d.inTx(ctx, func(tx store.Tx) error {
		if err := tx.Transition(ctx, p.ID, store.Pending, store.Rejected, who.ID, reason); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, audit(who.ID, "proposal.rejected", p.CaseID, p.ID, p.Rule, "rejected",
			map[string]any{"approver": who.Actor, "role": p.Role, "reason": reason})); err != nil {
			return err
		}
		if err := enqueue(ctx, tx, p.CaseID, store.OutboxCaseRefresh, Refresh{Reason: "proposal rejected"}); err != nil {
			return err
		}
		return enqueue(ctx, tx, p.CaseID, store.OutboxCaseNote, Note{Kind: NoteDecision, ProposalID: p.ID, Action: p.Action,
			By: who.ID, State: string(store.Rejected), Reason: reason})
	})
	if errors.Is(err, store.ErrConflict) {
		return d.alreadyDecided(ctx, p.ID)
	}
	if err != nil {
		return Result{}, fmt.Errorf("rejecting %s: %w", p.ID, err)
	}
	cur, err := d.st.GetProposal(ctx, p.ID)
	if err != nil {
		return Result{}, err
	}
	return Result{Kind: Rejected, Proposal: *cur}, nil
}

// decidable reads a proposal for a person's decision: done is the result
// when it cannot be decided (unknown, decided already, not an approval,
// or the person lacks its role; the attempt is audited).
func (d *Desk) decidable(ctx context.Context, id string, who Approver, verb string) (*store.Proposal, *Result, error) {
	p, err := d.st.GetProposal(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Result{Kind: Unknown}, nil
	}
	if err != nil {
		return nil, &Result{}, fmt.Errorf("proposal %s: %w", id, err)
	}
	switch {
	case p.State != store.Pending:
		return nil, &Result{Kind: AlreadyDecided, Proposal: *p}, nil
	case p.Outcome != string(policy.Approval):
		return nil, &Result{Kind: NotApprovable, Proposal: *p}, nil
	case !who.holds(ctx, p.Role):
		r, err := d.deny(ctx, p, who, verb)
		return nil, &r, err
	}
	return p, nil, nil
}

// alreadyDecided is the result of a compare-and-set that lost: the
// proposal as the winner left it.
func (d *Desk) alreadyDecided(ctx context.Context, id string) (Result, error) {
	cur, err := d.st.GetProposal(ctx, id)
	if err != nil {
		return Result{}, err
	}
	return Result{Kind: AlreadyDecided, Proposal: *cur}, nil
}

// deny audits an attempt by someone without the role. Nothing changes.
func (d *Desk) deny(ctx context.Context, p *store.Proposal, who Approver, verb string) (Result, error) {
	if err := d.st.AppendAudit(ctx, audit(who.ID, "approval.denied", p.CaseID, p.ID, p.Rule, "denied",
		map[string]any{"approver": who.Actor, "required_role": p.Role, "verb": verb})); err != nil {
		d.log.Error("audit entry not written", "kind", "approval.denied", "proposal", p.ID, "err", err)
	}
	d.log.Warn("unauthorised decision attempt", "user", who.ID, "proposal", p.ID, "required_role", p.Role, "verb", verb)
	return Result{Kind: Denied, Proposal: *p, Role: p.Role}, nil
}

// refuse retires a proposal the guard blocks on fresh data, or that no
// longer fits the order.
func (d *Desk) refuse(ctx context.Context, p *store.Proposal, who Approver, fr *Fresh, why error) (Result, error) {
	err := d.inTx(ctx, func(tx store.Tx) error {
		if err := tx.SupersedeProposal(ctx, p.ID, ActorPolicy, why.Error(), ""); err != nil {
			return err
		}
		rule := p.Rule
		if fr != nil {
			rule = fr.Rule
		}
		if err := tx.AppendAudit(ctx, audit(ActorPolicy, "approval.refused", p.CaseID, p.ID, rule, "refused",
			map[string]any{"approver": who.Actor, "fresh": fr, "why": why.Error()})); err != nil {
			return err
		}
		if err := enqueue(ctx, tx, p.CaseID, store.OutboxCaseRefresh, Refresh{Reason: "proposal refused on fresh data"}); err != nil {
			return err
		}
		return enqueue(ctx, tx, p.CaseID, store.OutboxCaseNote, Note{Kind: NoteDecision, ProposalID: p.ID, Action: p.Action,
			By: who.ID, State: string(store.Expired), Detail: why.Error(), Fresh: fr})
	})
	if errors.Is(err, store.ErrConflict) {
		return d.alreadyDecided(ctx, p.ID)
	}
	if err != nil {
		return Result{}, fmt.Errorf("refusing %s: %w", p.ID, err)
	}
	cur, _ := d.st.GetProposal(ctx, p.ID)
	if cur == nil {
		cur = p
	}
	return Result{Kind: Refused, Proposal: *cur, Fresh: fr, Err: why}, nil
}

// supersede replaces a proposal whose fresh decision needs a role the
// approver does not hold: the new proposal names that role, the case
// document lists it in place of the old one, and its thread is told.
func (d *Desk) supersede(ctx context.Context, p *store.Proposal, who Approver, fr Fresh, conf float64) (Result, error) {
	np := &store.Proposal{CaseID: p.CaseID, OrderID: p.OrderID, Rank: p.Rank, Action: p.Action,
		Outcome: string(fr.Outcome), Role: fr.Role, Rule: fr.Rule, Reason: fr.Reason}
	np.Action.ID = ""
	err := d.inTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateProposal(ctx, np); err != nil {
			return err
		}
		reason := fmt.Sprintf("superseded: on fresh data the guard requires %s (%s)", fr.Role, fr.Reason)
		if err := tx.SupersedeProposal(ctx, p.ID, ActorPolicy, reason, np.ID); err != nil {
			return err
		}
		if err := replaceInDocument(ctx, tx, p.CaseID, p.ID, np.ID, fr.Decision); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, audit(ActorPolicy, "proposal.superseded", p.CaseID, p.ID, fr.Rule, string(fr.Outcome),
			map[string]any{"clicked_by": who.Actor, "shown_role": p.Role, "fresh": fr, "replaced_by": np.ID, "confidence": conf})); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, audit(ActorPolicy, "proposal.created", p.CaseID, np.ID, fr.Rule, string(fr.Outcome),
			map[string]any{"action": np.Action, "decision": fr.Decision, "replaces": p.ID})); err != nil {
			return err
		}
		if err := enqueue(ctx, tx, p.CaseID, store.OutboxCaseRefresh, Refresh{Reason: "proposal superseded"}); err != nil {
			return err
		}
		return enqueue(ctx, tx, p.CaseID, store.OutboxCaseNote, Note{Kind: NoteSuperseded, ProposalID: p.ID, Action: p.Action,
			By: who.ID, Fresh: &fr, Replacement: np.ID})
	})
	if errors.Is(err, store.ErrConflict) {
		return d.alreadyDecided(ctx, p.ID)
	}
	if err != nil {
		return Result{}, fmt.Errorf("superseding %s: %w", p.ID, err)
	}
	cur, _ := d.st.GetProposal(ctx, p.ID)
	if cur == nil {
		cur = p
	}
	return Result{Kind: Superseded, Proposal: *cur, Role: fr.Role, Fresh: &fr, Replacement: np}, nil
}

// replaceInDocument points the case document's action from one proposal
// to another, with its new decision.
func replaceInDocument(ctx context.Context, tx store.Tx, caseID, oldID, newID string, dec policy.Decision) error {
	sc, err := tx.GetCase(ctx, caseID)
	if err != nil {
		return err
	}
	c, err := loadCase(sc)
	if err != nil {
		return err
	}
	for i := range c.Actions {
		if c.Actions[i].Action.ID == oldID {
			c.Actions[i].Action.ID, c.Actions[i].Decision = newID, dec
		}
	}
	rec, err := record(c, sc.Status)
	if err != nil {
		return err
	}
	return tx.UpdateCase(ctx, rec)
}

// executeAuto approves and executes a case's top auto action for the
// policy (event-driven cases only); confidence is the planner's. checkDone
// reads the effects already done on the order first (the caller did not
// just read them).
func (d *Desk) executeAuto(ctx context.Context, p store.Proposal, confidence float64, checkDone bool) (*connectors.Execution, error) {
	if err := d.st.Transition(ctx, p.ID, store.Pending, store.Approved, ActorPolicy, p.Reason); err != nil {
		var ce *store.ConflictError
		if errors.As(err, &ce) {
			return nil, nil // decided by an earlier attempt; finishCase/Recover take it from there
		}
		return nil, fmt.Errorf("approving auto action %s: %w", p.ID, err)
	}
	p.State, p.DecidedBy = store.Approved, ActorPolicy
	r := d.run(ctx, p, confidence, nil, checkDone)
	return r.Execution, r.Err
}

// run claims and executes an approved proposal and records the outcome.
// approver is nil for auto actions. checkDone: see executeAuto.
func (d *Desk) run(ctx context.Context, p store.Proposal, conf float64, approver *Approver, checkDone bool) Result {
	by := ActorPolicy
	if approver != nil {
		by = approver.ID
	}
	a := p.Action
	a.ID = p.ID // connectors deduplicate on the proposal id
	res := Result{Proposal: p}
	// The same business effect, executed on the order before (in any
	// case within the window), is not executed again.
	if checkDone {
		if done, err := d.doneEffects(ctx, &agent.Case{OrderID: p.OrderID, Actions: []agent.Proposal{{Action: a}}}); err == nil {
			if e, ok := done[a.Key()]; ok && e.ProposalID != p.ID {
				why := fmt.Errorf("%w: the same action was executed on %s under proposal %s (%s, by %s)",
					ErrAlreadyDone, e.OrderID, e.ProposalID, e.StartedAt.Format(time.RFC3339), e.By)
				return d.finish(ctx, p, by, nil, nil, why, false, false)
			}
		}
	}
	err := d.st.RecordExecution(ctx, &store.Execution{ProposalID: p.ID, CaseID: p.CaseID, Action: a, By: by})
	if errors.Is(err, store.ErrAlreadyExecuted) {
		if _, gerr := d.st.GetExecution(ctx, p.ID); gerr == nil {
			// Claimed by an attempt that died while executing, or still
			// running: Recover finishes it after RecoverAfter.
			res.Kind, res.Err = NotExecuted, fmt.Errorf("%w: its execution was already claimed", ErrAlreadyDone)
			return res
		}
		why := fmt.Errorf("%w: the same action was executed in this case under another proposal", ErrAlreadyDone)
		return d.finish(ctx, p, by, nil, nil, why, false, false)
	}
	if err != nil {
		res.Kind, res.Err = NotExecuted, fmt.Errorf("claiming the execution of %s: %w", p.ID, err)
		return res
	}
	e, fr, execErr := d.execute(ctx, a, conf, approver)
	return d.finish(ctx, p, by, e, fr, execErr, true, false)
}

// execute runs the guard once more on fresh data and, when it still allows
// the action (auto; or approval by a role the approver holds), executes
// it through the connector.
func (d *Desk) execute(ctx context.Context, a connectors.Action, conf float64, approver *Approver) (*connectors.Execution, *Fresh, error) {
	if l, ok := d.sys.Executor.(interface {
		Execution(ctx context.Context, id string) (connectors.Execution, bool, error)
	}); ok && a.ID != "" {
		// A retry of an action that already ran: report it, change nothing.
		if e, done, err := l.Execution(ctx, a.ID); err != nil {
			return nil, nil, fmt.Errorf("looking up execution %s: %w", a.ID, err)
		} else if done {
			e.Replayed = true
			return &e, nil, nil
		}
	}
	fr, err := d.fresh(ctx, a, conf)
	if err != nil {
		if errors.Is(err, policy.ErrInvalidAction) || errors.Is(err, connectors.ErrNotFound) {
			return nil, nil, fmt.Errorf("%w: %v", ErrNoLongerFits, err)
		}
		return nil, nil, fmt.Errorf("re-checking %s: %w", a, err)
	}
	switch {
	case fr.Outcome == policy.Blocked:
		return nil, &fr, fmt.Errorf("%w: %s", ErrBlocked, fr.Reason)
	case fr.Outcome == policy.Approval && (approver == nil || !approver.holds(ctx, fr.Role)):
		return nil, &fr, &RoleError{Role: fr.Role, Reason: fr.Reason}
	}
	xctx, xspan := tracer().Start(ctx, "connector.execute "+a.Type, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("exdesk.action.type", a.Type), attribute.String("exdesk.order_id", a.OrderID),
			attribute.String("exdesk.proposal_id", a.ID)))
	e, err := d.sys.Executor.Execute(xctx, a)
	endSpan(xspan, err)
	if err != nil {
		return nil, &fr, fmt.Errorf("executing %s: %w", a, err)
	}
	return &e, &fr, nil
}

// RoleError says which role the guard requires now.
type RoleError struct {
	Role, Reason string
}

func (e *RoleError) Error() string {
	return fmt.Sprintf("on fresh data the guard requires approval by %s (%s)", e.Role, e.Reason)
}

// Unwrap makes errors.Is(err, ErrNeedsRole) hold.
func (e *RoleError) Unwrap() error { return ErrNeedsRole }

// finish records an execution's outcome in one transaction: the
// execution, the proposal approved → executed or failed, the audit entry
// with the fresh decision, and the thread note; an action the guard now
// routes to another role is proposed again for it. An executed action
// resolves its case.
func (d *Desk) finish(ctx context.Context, p store.Proposal, by string, e *connectors.Execution, fr *Fresh, execErr error, claimed, recovered bool) Result {
	ctx = context.WithoutCancel(ctx) // the action ran (or failed): record it
	res := Result{Proposal: p, Fresh: fr, Execution: e, Err: execErr}
	if execErr == nil && e == nil {
		execErr = errors.New("nothing was executed")
		res.Err = execErr
	}
	var np *store.Proposal
	err := d.inTx(ctx, func(tx store.Tx) error {
		if execErr != nil {
			if claimed {
				if err := tx.FinishExecution(ctx, p.ID, store.ExecFailed, nil, execErr.Error()); err != nil {
					return err
				}
			}
			if err := tx.Transition(ctx, p.ID, store.Approved, store.Failed, by, execErr.Error()); err != nil {
				return err
			}
			var re *RoleError
			if errors.As(execErr, &re) && fr != nil {
				np = &store.Proposal{CaseID: p.CaseID, OrderID: p.OrderID, Rank: p.Rank, Action: p.Action,
					Outcome: string(fr.Outcome), Role: fr.Role, Rule: fr.Rule, Reason: fr.Reason}
				np.Action.ID = ""
				if err := tx.CreateProposal(ctx, np); err != nil {
					return err
				}
				if err := replaceInDocument(ctx, tx, p.CaseID, p.ID, np.ID, fr.Decision); err != nil {
					return err
				}
			}
			if err := tx.AppendAudit(ctx, audit(ActorExecutor, "action.failed", p.CaseID, p.ID, ruleOf(fr, p), "failed",
				map[string]any{"error": execErr.Error(), "approved_by": by, "fresh": fr, "reproposed_as": idOf(np)})); err != nil {
				return err
			}
			note := Note{Kind: NoteDecision, ProposalID: p.ID, Action: p.Action, By: by, State: string(store.Failed),
				Detail: execErr.Error(), Fresh: fr, Recovered: recovered}
			if np != nil {
				note.Kind, note.Replacement = NoteSuperseded, np.ID
			}
			if err := enqueue(ctx, tx, p.CaseID, store.OutboxCaseRefresh, Refresh{Reason: "execution failed"}); err != nil {
				return err
			}
			return enqueue(ctx, tx, p.CaseID, store.OutboxCaseNote, note)
		}
		if err := tx.FinishExecution(ctx, p.ID, store.ExecSucceeded, executionResult(e, fr), ""); err != nil {
			return err
		}
		if err := tx.Transition(ctx, p.ID, store.Approved, store.Executed, by, ""); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, audit(ActorExecutor, "action.executed", p.CaseID, p.ID, ruleOf(fr, p), "executed",
			map[string]any{"execution": e, "approved_by": by, "fresh": fr})); err != nil {
			return err
		}
		kind := NoteDecision
		if by == ActorPolicy {
			kind = NoteExecuted
		}
		return d.resolveTx(ctx, tx, p.CaseID, nil, store.Resolution{Resolution: agent.Describe(p.Action) + ": " + e.Detail, By: by},
			&Note{Kind: kind, ProposalID: p.ID, Action: p.Action, By: by, State: string(store.Executed), Detail: e.Detail, Fresh: fr, Recovered: recovered})
	})
	if err != nil {
		d.log.Error("execution outcome not fully recorded", "proposal", p.ID, "case", p.CaseID, "err", err)
	}
	if execErr != nil {
		res.Kind = NotExecuted
		res.Proposal.State = store.Failed
		if np != nil {
			res.Kind, res.Replacement, res.Role = Superseded, np, np.Role
		}
		d.log.Warn("action not executed", "proposal", p.ID, "case", p.CaseID, "by", by, "err", execErr)
		return res
	}
	res.Kind, res.Proposal.State = Executed, store.Executed
	d.log.Info("action executed", "proposal", p.ID, "case", p.CaseID, "by", by, "detail", e.Detail, "replayed", e.Replayed, "trace_id", TraceID(ctx))
	d.remember(ctx, p.CaseID)
	return res
}

// ExecutionResult is what a succeeded execution stores: the connector's
// execution and, beside its fields, the money the action moved.
type ExecutionResult struct {
	*connectors.Execution
	Effect *Effect `json:"effect,omitempty"`
}

func executionResult(e *connectors.Execution, fr *Fresh) json.RawMessage {
	r := ExecutionResult{Execution: e}
	if fr != nil {
		r.Effect = fr.Effect
	}
	return mustJSON(r)
}

// ActorExecutor records the outcome of executions.
const ActorExecutor = "executor"

func ruleOf(fr *Fresh, p store.Proposal) string {
	if fr != nil {
		return fr.Rule
	}
	return p.Rule
}

func idOf(p *store.Proposal) string {
	if p == nil {
		return ""
	}
	return p.ID
}

// resolveTx marks a case resolved inside tx and supersedes its pending
// proposals (their buttons are replaced when the case is re-rendered).
// existing, when nil, is read in the transaction. first, when set, is the
// note that goes before the resolution's in the thread.
func (d *Desk) resolveTx(ctx context.Context, tx store.Tx, caseID string, existing []store.Proposal, r store.Resolution, first *Note) error {
	if existing == nil {
		var err error
		if existing, err = tx.ListProposals(ctx, caseID); err != nil {
			return err
		}
	}
	if err := tx.ResolveCase(ctx, caseID, r); err != nil {
		return err
	}
	n := 0
	for _, p := range existing {
		if p.State != store.Pending {
			continue
		}
		if err := tx.SupersedeProposal(ctx, p.ID, ActorExdesk, "case resolved: "+r.Resolution, ""); err != nil && !errors.Is(err, store.ErrConflict) {
			return err
		}
		n++
	}
	if err := tx.AppendAudit(ctx, audit(r.By, "case.resolved", caseID, "", "", "resolved",
		map[string]any{"resolution": r.Resolution, "superseded": n})); err != nil {
		return err
	}
	if err := enqueue(ctx, tx, caseID, store.OutboxCaseRefresh, Refresh{Reason: "case resolved"}); err != nil {
		return err
	}
	if first != nil {
		if err := enqueue(ctx, tx, caseID, store.OutboxCaseNote, *first); err != nil {
			return err
		}
	}
	return enqueue(ctx, tx, caseID, store.OutboxCaseNote, Note{Kind: NoteResolved, By: r.By, Detail: r.Resolution})
}

// remember keeps a resolved case in case memory.
func (d *Desk) remember(ctx context.Context, caseID string) {
	if d.mem == nil {
		return
	}
	sc, err := d.st.GetCase(ctx, caseID)
	if err != nil || sc.Status != store.CaseResolved {
		return
	}
	o, err := d.sys.ERP.Order(ctx, sc.OrderID)
	if err != nil {
		d.log.Warn("resolved case not remembered: order not readable", "case", caseID, "err", err)
		return
	}
	m := store.Memory{CaseID: sc.ID, Class: sc.Class, CustomerID: sc.CustomerID, OrderID: sc.OrderID,
		Text: tools.MemoryText(o, sc.Class), Resolution: sc.Resolution, ResolvedBy: sc.ResolvedBy}
	if err := d.mem.Remember(ctx, m); err != nil {
		d.log.Error("resolved case not remembered", "case", caseID, "err", err)
	}
}

// confidence is the planner's confidence in the proposal's action, from
// its case (1 when the case cannot be read).
func (d *Desk) confidence(ctx context.Context, p *store.Proposal) float64 {
	sc, err := d.st.GetCase(ctx, p.CaseID)
	if err != nil {
		return 1
	}
	c, err := loadCase(sc)
	if err != nil {
		return 1
	}
	for _, a := range c.Actions {
		if a.Action.Key() == p.ActionKey || a.Action.ID == p.ID {
			return a.Confidence
		}
	}
	return 1
}

// Recover finishes approvals and auto executions that a crash left half
// done: approved longer than RecoverAfter ago but never executed or
// failed. Each goes through the same path as a click (claimed once, the
// guard re-run on fresh data, the connector deduplicating on the proposal
// id, so an action that did run before the crash is not run again). It
// returns how many it finished.
func (d *Desk) Recover(ctx context.Context) (int, error) {
	ps, err := d.st.ListApprovedProposals(ctx)
	if err != nil {
		return 0, fmt.Errorf("listing unfinished approvals: %w", err)
	}
	n := 0
	for _, p := range ps {
		if d.now().Sub(p.DecidedAt) < d.recovery {
			continue // another replica may still be executing it
		}
		if d.recoverOne(ctx, p, false) {
			n++
		}
	}
	return n, nil
}

// recoverOne finishes one approved proposal. force skips the age check
// (a redelivered event's own case, under the order lock).
func (d *Desk) recoverOne(ctx context.Context, p store.Proposal, force bool) bool {
	if !force && d.now().Sub(p.DecidedAt) < d.recovery {
		return false
	}
	a := p.Action
	a.ID = p.ID
	claimed := true
	if err := d.st.RecordExecution(ctx, &store.Execution{ProposalID: p.ID, CaseID: p.CaseID, Action: a, By: p.DecidedBy}); err != nil {
		if !errors.Is(err, store.ErrAlreadyExecuted) {
			d.log.Error("unfinished approval not recovered", "proposal", p.ID, "err", err)
			return false
		}
		if e, gerr := d.st.GetExecution(ctx, p.ID); gerr == nil && e.Status != store.ExecStarted {
			return false // finished meanwhile
		} else if gerr != nil {
			claimed = false // the effect was claimed by another proposal of the case
		}
	}
	var approver *Approver
	if p.DecidedBy != ActorPolicy {
		// The approval was given and checked before the crash; the role
		// it was given for is the one the approver held then.
		role := p.Role
		approver = &Approver{Actor: Actor{ID: p.DecidedBy}, Holds: func(_ context.Context, r string) (bool, error) { return r == role, nil }}
	}
	var e *connectors.Execution
	var fr *Fresh
	var execErr error
	if claimed {
		e, fr, execErr = d.execute(ctx, a, d.confidence(ctx, &p), approver)
	} else {
		execErr = fmt.Errorf("%w: the same action was executed in this case under another proposal", ErrAlreadyDone)
	}
	by := p.DecidedBy
	r := d.finish(ctx, p, by, e, fr, execErr, claimed, true)
	if err := d.st.AppendAudit(ctx, audit(ActorExecutor, "approval.recovered", p.CaseID, p.ID, "", string(r.Proposal.State),
		map[string]any{"approved_by": p.DecidedBy, "approved_at": p.DecidedAt})); err != nil {
		d.log.Error("audit entry not written", "kind", "approval.recovered", "proposal", p.ID, "err", err)
	}
	return true
}
