package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/exdesk/exdesk/store"
)

const proposalCols = `id, case_id, order_id, rank, action, outcome, role, rule, reason, state,
	decided_by, decided_at, note, slack_channel, slack_ts, created_at, action_key, superseded_by`

func scanProposal(sc scanner) (store.Proposal, error) {
	var p store.Proposal
	var action, state string
	var decided sql.NullInt64
	var created int64
	err := sc.Scan(&p.ID, &p.CaseID, &p.OrderID, &p.Rank, &action, &p.Outcome, &p.Role, &p.Rule, &p.Reason, &state,
		&p.DecidedBy, &decided, &p.Note, &p.SlackChannel, &p.SlackTS, &created, &p.ActionKey, &p.SupersededBy)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(action), &p.Action); err != nil {
		return p, fmt.Errorf("proposal %s action: %w", p.ID, err)
	}
	p.State, p.DecidedAt, p.CreatedAt = store.State(state), fromNullMicros(decided), fromMicros(created)
	return p, nil
}

// CreateProposal inserts a pending proposal.
func (s *Store) CreateProposal(ctx context.Context, p *store.Proposal) error {
	if err := store.PrepareProposal(p); err != nil {
		return err
	}
	action, err := json.Marshal(p.Action)
	if err != nil {
		return fmt.Errorf("proposal %s action: %w: %v", p.ID, store.ErrInvalid, err)
	}
	_, err = s.q.ExecContext(ctx, `INSERT INTO proposals (id, case_id, order_id, rank, action_type, action, outcome,
		role, rule, reason, state, decided_by, decided_at, note, slack_channel, slack_ts, created_at, action_key, superseded_by)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		p.ID, p.CaseID, p.OrderID, p.Rank, p.Action.Type, string(action), p.Outcome, p.Role, p.Rule, p.Reason,
		string(p.State), p.DecidedBy, nullMicros(p.DecidedAt), p.Note, p.SlackChannel, p.SlackTS, micros(p.CreatedAt),
		p.ActionKey, p.SupersededBy)
	if err != nil {
		return fmt.Errorf("create proposal %s: %w", p.ID, classify(err, store.ErrDuplicate))
	}
	return nil
}

// GetProposal returns one proposal.
func (s *Store) GetProposal(ctx context.Context, id string) (*store.Proposal, error) {
	p, err := scanProposal(s.q.QueryRowContext(ctx, `SELECT `+proposalCols+` FROM proposals WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("proposal %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get proposal %s: %w", id, err)
	}
	return &p, nil
}

func (s *Store) listProposals(ctx context.Context, what, q string, args ...any) ([]store.Proposal, error) {
	rows, err := s.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []store.Proposal
	for rows.Next() {
		p, err := scanProposal(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// ListProposals returns a case's proposals by rank.
func (s *Store) ListProposals(ctx context.Context, caseID string) ([]store.Proposal, error) {
	return s.listProposals(ctx, "list proposals of case "+caseID,
		`SELECT `+proposalCols+` FROM proposals WHERE case_id = ? ORDER BY rank, created_at, id`, caseID)
}

// ListPendingProposals returns all pending proposals, oldest first.
func (s *Store) ListPendingProposals(ctx context.Context) ([]store.Proposal, error) {
	return s.listProposals(ctx, "list pending proposals",
		`SELECT `+proposalCols+` FROM proposals WHERE state = 'pending' ORDER BY created_at, id`)
}

// ListApprovedProposals returns the proposals approved but not yet
// executed or failed, oldest decision first.
func (s *Store) ListApprovedProposals(ctx context.Context) ([]store.Proposal, error) {
	return s.listProposals(ctx, "list approved proposals",
		`SELECT `+proposalCols+` FROM proposals WHERE state = 'approved' ORDER BY decided_at, id`)
}

// Transition is a compare-and-set of a proposal's state.
func (s *Store) Transition(ctx context.Context, id string, from, to store.State, by, note string) error {
	if err := store.CheckTransition(from, to); err != nil {
		return fmt.Errorf("proposal %s: %w", id, err)
	}
	var res sql.Result
	var err error
	if from == store.Pending {
		res, err = s.q.ExecContext(ctx, `UPDATE proposals SET state = ?, decided_by = ?, decided_at = ?, note = ?
			WHERE id = ? AND state = ?`, string(to), by, micros(store.Now()), note, id, string(from))
	} else {
		res, err = s.q.ExecContext(ctx, `UPDATE proposals SET state = ?, note = CASE WHEN ? = '' THEN note ELSE ? END
			WHERE id = ? AND state = ?`, string(to), note, note, id, string(from))
	}
	if err != nil {
		return fmt.Errorf("transition proposal %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("transition proposal %s: %w", id, err)
	}
	if n == 1 {
		return nil
	}
	return s.conflict(ctx, id, from, to)
}

// conflict explains why a proposal was not in the state a
// compare-and-set expected.
func (s *Store) conflict(ctx context.Context, id string, from, to store.State) error {
	var cur, decidedBy string
	err := s.q.QueryRowContext(ctx, `SELECT state, decided_by FROM proposals WHERE id = ?`, id).Scan(&cur, &decidedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("transition proposal %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("transition proposal %s: %w", id, err)
	}
	return fmt.Errorf("transition: %w", &store.ConflictError{ProposalID: id, From: from, To: to,
		Current: store.State(cur), DecidedBy: decidedBy})
}

// SetProposalSlack records where the proposal is shown in Slack.
func (s *Store) SetProposalSlack(ctx context.Context, id, channel, ts string) error {
	res, err := s.q.ExecContext(ctx, `UPDATE proposals SET slack_channel = ?, slack_ts = ? WHERE id = ?`, channel, ts, id)
	return s.expectOne(res, err, "set slack message of proposal", id)
}

// RecordExecution claims the one execution of a proposal.
func (s *Store) RecordExecution(ctx context.Context, e *store.Execution) error {
	if err := store.PrepareExecution(e); err != nil {
		return err
	}
	action, err := json.Marshal(e.Action)
	if err != nil {
		return fmt.Errorf("execution %s action: %w: %v", e.ProposalID, store.ErrInvalid, err)
	}
	_, err = s.q.ExecContext(ctx, `INSERT INTO executions (proposal_id, case_id, order_id, action_key, action, executed_by,
		status, result, error, started_at, finished_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		e.ProposalID, e.CaseID, e.OrderID, e.ActionKey, string(action), e.By, string(e.Status), string(e.Result), e.Error,
		micros(e.StartedAt), nullMicros(e.FinishedAt))
	if err != nil {
		return fmt.Errorf("record execution of proposal %s: %w", e.ProposalID, classify(err, store.ErrAlreadyExecuted))
	}
	return nil
}

// FinishExecution records an execution's outcome.
func (s *Store) FinishExecution(ctx context.Context, proposalID string, status store.ExecStatus, result json.RawMessage, errText string) error {
	res, err := store.CheckJSONOrNull("execution result", result)
	if err != nil {
		return err
	}
	r, err := s.q.ExecContext(ctx, `UPDATE executions SET status = ?, result = ?, error = ?, finished_at = ?
		WHERE proposal_id = ?`, string(status), string(res), errText, micros(store.Now()), proposalID)
	return s.expectOne(r, err, "finish execution of proposal", proposalID)
}

const executionCols = `proposal_id, case_id, order_id, action_key, action, executed_by, status, result, error,
	started_at, finished_at`

func scanExecution(sc scanner) (store.Execution, error) {
	var e store.Execution
	var action, status, result string
	var started int64
	var finished sql.NullInt64
	if err := sc.Scan(&e.ProposalID, &e.CaseID, &e.OrderID, &e.ActionKey, &action, &e.By, &status, &result, &e.Error,
		&started, &finished); err != nil {
		return e, err
	}
	if err := json.Unmarshal([]byte(action), &e.Action); err != nil {
		return e, fmt.Errorf("execution %s action: %w", e.ProposalID, err)
	}
	e.Status, e.Result = store.ExecStatus(status), json.RawMessage(result)
	e.StartedAt, e.FinishedAt = fromMicros(started), fromNullMicros(finished)
	return e, nil
}

// GetExecution returns the execution of a proposal.
func (s *Store) GetExecution(ctx context.Context, proposalID string) (*store.Execution, error) {
	e, err := scanExecution(s.q.QueryRowContext(ctx, `SELECT `+executionCols+` FROM executions WHERE proposal_id = ?`, proposalID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("execution of proposal %s: %w", proposalID, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get execution of proposal %s: %w", proposalID, err)
	}
	return &e, nil
}

// OrderExecutions returns the executions on an order since a time that did
// not fail, oldest first.
func (s *Store) OrderExecutions(ctx context.Context, orderID string, since time.Time) ([]store.Execution, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+executionCols+` FROM executions
		WHERE order_id = ? AND started_at >= ? AND status <> 'failed' ORDER BY started_at, proposal_id`,
		orderID, micros(store.Stamp(since)))
	if err != nil {
		return nil, fmt.Errorf("executions on order %s: %w", orderID, err)
	}
	defer rows.Close()
	var out []store.Execution
	for rows.Next() {
		e, err := scanExecution(rows)
		if err != nil {
			return nil, fmt.Errorf("executions on order %s: %w", orderID, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("executions on order %s: %w", orderID, err)
	}
	return out, nil
}

// SupersedeProposal expires a pending proposal whose decision changed.
func (s *Store) SupersedeProposal(ctx context.Context, id, by, reason, replacedBy string) error {
	res, err := s.q.ExecContext(ctx, `UPDATE proposals SET state = 'expired', decided_by = ?, decided_at = ?, note = ?,
		superseded_by = ? WHERE id = ? AND state = 'pending'`, by, micros(store.Now()), reason, replacedBy, id)
	if err != nil {
		return fmt.Errorf("supersede proposal %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("supersede proposal %s: %w", id, err)
	} else if n == 1 {
		return nil
	}
	return s.conflict(ctx, id, store.Pending, store.Expired)
}
