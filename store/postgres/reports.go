package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/exdesk/exdesk/store"
)

var _ store.Reports = (*Store)(nil)

// WindowCases returns the cases active in [since, until), newest first.
func (s *Store) WindowCases(ctx context.Context, since, until time.Time) ([]store.Case, error) {
	end := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if !until.IsZero() {
		end = store.Stamp(until)
	}
	from := store.Stamp(since)
	rows, err := s.q.Query(ctx, `SELECT `+caseCols+` FROM cases
		WHERE created_at < $1 AND (status = 'open' OR created_at >= $2 OR resolved_at >= $2 OR updated_at >= $2)
		ORDER BY created_at DESC, id DESC`, end, from)
	if err != nil {
		return nil, fmt.Errorf("window cases: %w", err)
	}
	defer rows.Close()
	var out []store.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("window cases: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("window cases: %w", err)
	}
	return out, nil
}

// CaseProposals returns the proposals of the given cases.
func (s *Store) CaseProposals(ctx context.Context, caseIDs []string) ([]store.Proposal, error) {
	if caseIDs == nil {
		caseIDs = []string{}
	}
	return s.listProposals(ctx, "proposals of cases", `SELECT `+proposalCols+` FROM proposals
		WHERE case_id = ANY($1) ORDER BY case_id, rank, created_at, id`, caseIDs)
}

// CaseExecutions returns the executions of the given cases, oldest first.
func (s *Store) CaseExecutions(ctx context.Context, caseIDs []string) ([]store.Execution, error) {
	if caseIDs == nil {
		caseIDs = []string{}
	}
	rows, err := s.q.Query(ctx, `SELECT `+executionCols+` FROM executions
		WHERE case_id = ANY($1) ORDER BY started_at, proposal_id`, caseIDs)
	if err != nil {
		return nil, fmt.Errorf("executions of cases: %w", err)
	}
	defer rows.Close()
	var out []store.Execution
	for rows.Next() {
		e, err := scanExecution(rows)
		if err != nil {
			return nil, fmt.Errorf("executions of cases: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("executions of cases: %w", err)
	}
	return out, nil
}
