package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/exdesk/exdesk/store"
)

var _ store.Reports = (*Store)(nil)

// WindowCases returns the cases active in [since, until), newest first.
func (s *Store) WindowCases(ctx context.Context, since, until time.Time) ([]store.Case, error) {
	end := int64(1<<62 - 1)
	if !until.IsZero() {
		end = micros(store.Stamp(until))
	}
	from := micros(store.Stamp(since))
	rows, err := s.q.QueryContext(ctx, `SELECT `+caseCols+` FROM cases
		WHERE created_at < ? AND (status = 'open' OR created_at >= ? OR resolved_at >= ? OR updated_at >= ?)
		ORDER BY created_at DESC, id DESC`, end, from, from, from)
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

// idList is the JSON array json_each reads: one bound parameter, however
// many ids (SQLite limits the number of parameters).
func idList(ids []string) (string, error) {
	if ids == nil {
		ids = []string{}
	}
	b, err := json.Marshal(ids)
	return string(b), err
}

// CaseProposals returns the proposals of the given cases.
func (s *Store) CaseProposals(ctx context.Context, caseIDs []string) ([]store.Proposal, error) {
	list, err := idList(caseIDs)
	if err != nil {
		return nil, err
	}
	return s.listProposals(ctx, "proposals of cases", `SELECT `+proposalCols+` FROM proposals
		WHERE case_id IN (SELECT value FROM json_each(?)) ORDER BY case_id, rank, created_at, id`, list)
}

// CaseExecutions returns the executions of the given cases, oldest first.
func (s *Store) CaseExecutions(ctx context.Context, caseIDs []string) ([]store.Execution, error) {
	list, err := idList(caseIDs)
	if err != nil {
		return nil, err
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+executionCols+` FROM executions
		WHERE case_id IN (SELECT value FROM json_each(?)) ORDER BY started_at, proposal_id`, list)
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
