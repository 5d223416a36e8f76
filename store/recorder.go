package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
)

// RecorderStore is the part of Store a CaseRecorder writes.
type RecorderStore interface {
	CreateCase(ctx context.Context, c *Case) error
	UpdateCase(ctx context.Context, c *Case) error
	CreateProposal(ctx context.Context, p *Proposal) error
	Transition(ctx context.Context, id string, from, to State, by, note string) error
	RecordExecution(ctx context.Context, e *Execution) error
	FinishExecution(ctx context.Context, proposalID string, status ExecStatus, result json.RawMessage, errText string) error
	AppendAudit(ctx context.Context, e *AuditEntry) error
}

// CaseRecorder keeps the durable record of investigated cases, for every
// surface that opens them (Slack, event ingest): the case document, its
// proposals with the guard's outcomes (blocked ones rejected by policy, auto
// alternatives to the top action expired), the single execution of an
// action, and an audit entry for each step.
//
// Save and ClaimTop may be repeated for a case after a crash: an existing
// case or proposal (ErrDuplicate) is an earlier attempt's work and is kept,
// and an execution is claimed once (RecordExecution), so an action is never
// executed twice.
type CaseRecorder struct {
	Store RecorderStore
}

// Save stores c (replacing the document of an existing case when update is
// true) and its proposals. Every action of c must carry its proposal id in
// Action.ID.
func (r *CaseRecorder) Save(ctx context.Context, c *agent.Case, update bool) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encoding case %s: %w", c.ID, err)
	}
	sc := &Case{ID: c.ID, OrderID: c.OrderID, CustomerID: c.CustomerID, Class: c.Class, AlsoDetected: c.AlsoDetected,
		Severity: c.Severity, Status: CaseOpen, Planner: c.Planner, PromptVersion: c.PromptVersion, Model: c.Model,
		PolicyVersion: c.PolicyVersion, Summary: c.Summary, Document: doc}
	kind := "case.opened"
	if update {
		kind, err = "case.updated", r.Store.UpdateCase(ctx, sc)
	} else {
		err = r.Store.CreateCase(ctx, sc)
	}
	switch {
	case errors.Is(err, ErrDuplicate):
		// Stored by an earlier attempt: finish its proposals below.
	case err != nil:
		return fmt.Errorf("storing case %s: %w", c.ID, err)
	default:
		if err := r.audit(ctx, AuditEntry{Actor: "exdesk", Kind: kind, CaseID: c.ID, Outcome: c.Class,
			Data: auditJSON(map[string]any{"order_id": c.OrderID, "trigger": c.Trigger, "severity": c.Severity, "planner": c.Planner})}); err != nil {
			return err
		}
	}
	for i, a := range c.Actions {
		if a.Action.ID == "" {
			return fmt.Errorf("case %s: action %d has no proposal id", c.ID, a.Rank)
		}
		p := &Proposal{ID: a.Action.ID, CaseID: c.ID, OrderID: c.OrderID, Rank: a.Rank, Action: a.Action,
			Outcome: string(a.Decision.Outcome), Role: a.Decision.Role, Rule: a.Decision.Rule, Reason: a.Decision.Reason}
		switch err := r.Store.CreateProposal(ctx, p); {
		case errors.Is(err, ErrDuplicate):
			continue // stored (and settled) by an earlier attempt
		case err != nil:
			return fmt.Errorf("storing proposal %d of case %s: %w", a.Rank, c.ID, err)
		}
		if err := r.audit(ctx, AuditEntry{Actor: "policy", Kind: "proposal.created", CaseID: c.ID, ProposalID: p.ID,
			Rule: a.Decision.Rule, Outcome: string(a.Decision.Outcome),
			Data: auditJSON(map[string]any{"action": a.Action, "decision": a.Decision, "confidence": a.Confidence})}); err != nil {
			return err
		}
		switch {
		case a.Decision.Outcome == policy.Blocked:
			err = r.Store.Transition(ctx, p.ID, Pending, Rejected, "policy", a.Decision.Reason)
		case a.Decision.Outcome == policy.Auto && i > 0:
			err = r.Store.Transition(ctx, p.ID, Pending, Expired, "policy", "alternative to the top action; not executed")
		}
		if err != nil && !errors.Is(err, ErrConflict) {
			return fmt.Errorf("settling proposal %s: %w", p.ID, err)
		}
	}
	return nil
}

// ClaimTop approves the case's top action for the policy and claims its
// execution. It reports false, with no error, when the top action is not
// auto or an earlier attempt already claimed it: then it must not run.
func (r *CaseRecorder) ClaimTop(ctx context.Context, c *agent.Case) (bool, error) {
	top, ok := c.Top()
	if !ok || top.Decision.Outcome != policy.Auto {
		return false, nil
	}
	id := top.Action.ID
	if err := r.Store.Transition(ctx, id, Pending, Approved, "policy", top.Decision.Reason); err != nil {
		var ce *ConflictError
		if !errors.As(err, &ce) {
			return false, fmt.Errorf("approving auto action %s: %w", id, err)
		}
		if ce.Current != Approved {
			return false, nil // executed, failed or settled by an earlier attempt
		}
	}
	err := r.Store.RecordExecution(ctx, &Execution{ProposalID: id, CaseID: c.ID, Action: top.Action, By: "policy"})
	switch {
	case errors.Is(err, ErrAlreadyExecuted):
		// Claimed before, by an attempt that finished or one that died
		// while executing: never executed again from here.
		return false, nil
	case err != nil:
		return false, fmt.Errorf("claiming execution of %s: %w", id, err)
	}
	return true, nil
}

// Finish records the outcome of a claimed execution: the execution's
// status, the proposal approved → executed or failed, and an audit entry.
// It records even when ctx is cancelled: the action ran (or failed).
func (r *CaseRecorder) Finish(ctx context.Context, caseID, proposalID, by string, e *connectors.Execution, execErr error) (State, error) {
	ctx = context.WithoutCancel(ctx)
	if execErr == nil && e == nil {
		execErr = errors.New("the guard no longer allows it automatically")
	}
	if execErr != nil {
		if err := r.Store.FinishExecution(ctx, proposalID, ExecFailed, nil, execErr.Error()); err != nil {
			return Failed, fmt.Errorf("recording failure of %s: %w", proposalID, err)
		}
		if err := r.Store.Transition(ctx, proposalID, Approved, Failed, by, execErr.Error()); err != nil {
			return Failed, fmt.Errorf("marking %s failed: %w", proposalID, err)
		}
		return Failed, r.audit(ctx, AuditEntry{Actor: "executor", Kind: "action.failed", CaseID: caseID, ProposalID: proposalID,
			Outcome: "failed", Data: auditJSON(map[string]any{"error": execErr.Error(), "approved_by": by})})
	}
	if err := r.Store.FinishExecution(ctx, proposalID, ExecSucceeded, auditJSON(e), ""); err != nil {
		return Executed, fmt.Errorf("recording execution of %s: %w", proposalID, err)
	}
	if err := r.Store.Transition(ctx, proposalID, Approved, Executed, by, ""); err != nil {
		return Executed, fmt.Errorf("marking %s executed: %w", proposalID, err)
	}
	return Executed, r.audit(ctx, AuditEntry{Actor: "executor", Kind: "action.executed", CaseID: caseID, ProposalID: proposalID,
		Outcome: "executed", Data: auditJSON(map[string]any{"execution": e, "approved_by": by})})
}

func (r *CaseRecorder) audit(ctx context.Context, e AuditEntry) error {
	if err := r.Store.AppendAudit(ctx, &e); err != nil {
		return fmt.Errorf("audit %s of case %s: %w", e.Kind, e.CaseID, err)
	}
	return nil
}

func auditJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(`null`)
	}
	return b
}
