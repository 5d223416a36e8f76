package store

import (
	"context"
	"time"
)

// Reports reads cases, proposals and executions in bulk: what the
// supervisor's queue ranks and what the KPIs count. It only reads.
type Reports interface {
	// WindowCases returns every case active in [since, until): created
	// before until and either created at or after since, resolved or
	// closed at or after since, or still open. Newest first. A zero until
	// means no upper bound.
	WindowCases(ctx context.Context, since, until time.Time) ([]Case, error)
	// CaseProposals returns the proposals of the given cases, by case,
	// then rank, then creation.
	CaseProposals(ctx context.Context, caseIDs []string) ([]Proposal, error)
	// CaseExecutions returns the executions of the given cases (failed
	// ones too), oldest first.
	CaseExecutions(ctx context.Context, caseIDs []string) ([]Execution, error)
}
