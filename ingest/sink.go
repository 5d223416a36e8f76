package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
)

// SinkStore is the part of store.Store StoreSink uses.
type SinkStore interface {
	CreateCase(ctx context.Context, c *store.Case) error
	CreateProposal(ctx context.Context, p *store.Proposal) error
	Transition(ctx context.Context, id string, from, to store.State, by, note string) error
	RecordExecution(ctx context.Context, e *store.Execution) error
	FinishExecution(ctx context.Context, proposalID string, status store.ExecStatus, result json.RawMessage, errText string) error
	AppendAudit(ctx context.Context, e *store.AuditEntry) error
}

// AutoExecutor executes a case's top action when the guard, run again on
// fresh data, still allows it automatically; *agent.Investigator
// implements it.
type AutoExecutor interface {
	ExecuteAuto(ctx context.Context, c *agent.Case) (*connectors.Execution, error)
}

// StoreSink is the CaseSink when Slack is not configured: it persists the
// case, its proposals with the guard's outcomes, and the one execution of
// the top auto action, with audit entries. Proposal ids are derived from
// the case id and rank, so PostCase may be called again for the same case
// after a crash: what exists is kept, what is missing is added, and an
// action claimed by store.RecordExecution is never executed again.
//
// It mirrors the persistence part of slackbot.Bot.PostCase (kept small:
// no rendering, no updates of a posted case).
type StoreSink struct {
	Store    SinkStore
	Executor AutoExecutor
	// Log receives JSON logs; nil discards.
	Log *slog.Logger
}

var (
	_ CaseSink  = (*StoreSink)(nil)
	_ Resumable = (*StoreSink)(nil)
)

// Resumable reports that PostCase may be repeated for a case id.
func (s *StoreSink) Resumable() bool { return true }

// ProposalID returns the id StoreSink gives the action ranked rank in the
// case: opaque, and the same on every call.
func ProposalID(caseID string, rank int) string {
	h := sha256.Sum256([]byte(caseID + "#" + strconv.Itoa(rank)))
	return "p_" + hex.EncodeToString(h[:13])
}

func (s *StoreSink) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// PostCase persists c and executes its top action when the guard allows
// it automatically.
func (s *StoreSink) PostCase(ctx context.Context, c *agent.Case) error {
	if c == nil || c.ID == "" {
		return errors.New("store sink: PostCase needs a case with an id")
	}
	for i := range c.Actions {
		c.Actions[i].Action.ID = ProposalID(c.ID, c.Actions[i].Rank)
	}
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encoding case %s: %w", c.ID, err)
	}
	sc := &store.Case{ID: c.ID, OrderID: c.OrderID, CustomerID: c.CustomerID, Class: c.Class, AlsoDetected: c.AlsoDetected,
		Severity: c.Severity, Status: store.CaseOpen, Planner: c.Planner, PromptVersion: c.PromptVersion, Model: c.Model,
		PolicyVersion: c.PolicyVersion, Summary: c.Summary, Document: doc}
	switch err := s.Store.CreateCase(ctx, sc); {
	case errors.Is(err, store.ErrDuplicate):
		s.log().Info("case exists; finishing its proposals", "case", c.ID)
	case err != nil:
		return fmt.Errorf("storing case %s: %w", c.ID, err)
	default:
		if err := s.audit(ctx, store.AuditEntry{Actor: "exdesk", Kind: "case.opened", CaseID: c.ID, Outcome: c.Class,
			Data: mustJSON(map[string]any{"order_id": c.OrderID, "trigger": c.Trigger, "severity": c.Severity, "planner": c.Planner})}); err != nil {
			return err
		}
	}
	for i, a := range c.Actions {
		p := &store.Proposal{ID: a.Action.ID, CaseID: c.ID, OrderID: c.OrderID, Rank: a.Rank, Action: a.Action,
			Outcome: string(a.Decision.Outcome), Role: a.Decision.Role, Rule: a.Decision.Rule, Reason: a.Decision.Reason}
		switch err := s.Store.CreateProposal(ctx, p); {
		case errors.Is(err, store.ErrDuplicate):
			continue // stored (and settled) by an earlier attempt
		case err != nil:
			return fmt.Errorf("storing proposal %d of case %s: %w", a.Rank, c.ID, err)
		}
		if err := s.audit(ctx, store.AuditEntry{Actor: "policy", Kind: "proposal.created", CaseID: c.ID, ProposalID: p.ID,
			Rule: a.Decision.Rule, Outcome: string(a.Decision.Outcome),
			Data: mustJSON(map[string]any{"action": a.Action, "decision": a.Decision, "confidence": a.Confidence})}); err != nil {
			return err
		}
		switch {
		case a.Decision.Outcome == policy.Blocked:
			err = s.Store.Transition(ctx, p.ID, store.Pending, store.Rejected, "policy", a.Decision.Reason)
		case a.Decision.Outcome == policy.Auto && i > 0:
			err = s.Store.Transition(ctx, p.ID, store.Pending, store.Expired, "policy", "alternative to the top action; not executed")
		}
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("settling proposal %s: %w", p.ID, err)
		}
	}
	if top, ok := c.Top(); ok && top.Decision.Outcome == policy.Auto {
		return s.executeTop(ctx, c, top)
	}
	return nil
}

// executeTop claims the top action's execution in the store, then runs it.
func (s *StoreSink) executeTop(ctx context.Context, c *agent.Case, top agent.Proposal) error {
	id := top.Action.ID
	if err := s.Store.Transition(ctx, id, store.Pending, store.Approved, "policy", top.Decision.Reason); err != nil {
		var ce *store.ConflictError
		if !errors.As(err, &ce) {
			return fmt.Errorf("approving auto action %s: %w", id, err)
		}
		if ce.Current != store.Approved {
			return nil // executed, failed or settled by an earlier attempt
		}
	}
	err := s.Store.RecordExecution(ctx, &store.Execution{ProposalID: id, CaseID: c.ID, Action: top.Action, By: "policy"})
	switch {
	case errors.Is(err, store.ErrAlreadyExecuted):
		// Claimed before: by an attempt that finished, or by one that died
		// while executing. Either way it is never executed again here.
		return nil
	case err != nil:
		return fmt.Errorf("claiming execution of %s: %w", id, err)
	}
	// Once claimed, the outcome is recorded even if ctx ends meanwhile.
	wctx := context.WithoutCancel(ctx)
	e, execErr := s.Executor.ExecuteAuto(ctx, c)
	if execErr == nil && e == nil {
		execErr = errors.New("the guard no longer allows it automatically")
	}
	if execErr != nil {
		if err := s.Store.FinishExecution(wctx, id, store.ExecFailed, nil, execErr.Error()); err != nil {
			return fmt.Errorf("recording failure of %s: %w", id, err)
		}
		if err := s.Store.Transition(wctx, id, store.Approved, store.Failed, "policy", execErr.Error()); err != nil {
			return fmt.Errorf("marking %s failed: %w", id, err)
		}
		s.log().Warn("auto action not executed", "proposal", id, "case", c.ID, "err", execErr)
		return s.audit(wctx, store.AuditEntry{Actor: "executor", Kind: "action.failed", CaseID: c.ID, ProposalID: id,
			Outcome: "failed", Data: mustJSON(map[string]any{"error": execErr.Error(), "approved_by": "policy"})})
	}
	if err := s.Store.FinishExecution(wctx, id, store.ExecSucceeded, mustJSON(e), ""); err != nil {
		return fmt.Errorf("recording execution of %s: %w", id, err)
	}
	if err := s.Store.Transition(wctx, id, store.Approved, store.Executed, "policy", ""); err != nil {
		return fmt.Errorf("marking %s executed: %w", id, err)
	}
	return s.audit(wctx, store.AuditEntry{Actor: "executor", Kind: "action.executed", CaseID: c.ID, ProposalID: id,
		Outcome: "executed", Data: mustJSON(map[string]any{"execution": e, "approved_by": "policy"})})
}

func (s *StoreSink) audit(ctx context.Context, e store.AuditEntry) error {
	if err := s.Store.AppendAudit(ctx, &e); err != nil {
		return fmt.Errorf("audit %s of case %s: %w", e.Kind, e.CaseID, err)
	}
	return nil
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(`null`)
	}
	return b
}
