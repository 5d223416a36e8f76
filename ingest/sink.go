package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strconv"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/store"
)

// AutoExecutor executes a case's top action when the guard, run again on
// fresh data, still allows it automatically; *agent.Investigator
// implements it.
type AutoExecutor interface {
	ExecuteAuto(ctx context.Context, c *agent.Case) (*connectors.Execution, error)
}

// StoreSink is the CaseSink when Slack is not configured: it records the
// case, its proposals and the one execution of the top auto action through
// a store.CaseRecorder (the same record the Slack surface keeps). Proposal
// ids are derived from the case id and rank, so PostCase may be called
// again for the same case after a crash: what exists is kept, what is
// missing is added, and an action whose execution was claimed is never
// executed again.
type StoreSink struct {
	Store    store.RecorderStore
	Executor AutoExecutor
	// Resolved, when set, is called after the top action executed: the
	// service marks the case resolved and remembers it in case memory.
	Resolved func(ctx context.Context, caseID, by string, a connectors.Action, e connectors.Execution)
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

// PostCase records c and executes its top action when the guard allows it
// automatically.
func (s *StoreSink) PostCase(ctx context.Context, c *agent.Case) error {
	if c == nil || c.ID == "" {
		return errors.New("store sink: PostCase needs a case with an id")
	}
	for i := range c.Actions {
		c.Actions[i].Action.ID = ProposalID(c.ID, c.Actions[i].Rank)
	}
	rec := &store.CaseRecorder{Store: s.Store}
	if err := rec.Save(ctx, c, false); err != nil {
		return err
	}
	claimed, err := rec.ClaimTop(ctx, c)
	if err != nil || !claimed {
		return err
	}
	e, execErr := s.Executor.ExecuteAuto(ctx, c)
	top, _ := c.Top()
	state, err := rec.Finish(ctx, c.ID, top.Action.ID, "policy", e, execErr)
	switch {
	case state == store.Failed:
		s.log().Warn("auto action not executed", "proposal", top.Action.ID, "case", c.ID, "err", execErr)
	case s.Resolved != nil && err == nil:
		s.Resolved(context.WithoutCancel(ctx), c.ID, "policy", top.Action, *e)
	}
	return err
}
