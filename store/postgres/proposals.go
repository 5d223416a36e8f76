package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/exdesk/exdesk/store"
)

const proposalCols = `id, case_id, order_id, rank, action, outcome, role, rule, reason, state,
	decided_by, decided_at, note, slack_channel, slack_ts, created_at, action_key, superseded_by`

func scanProposal(row pgx.Row) (store.Proposal, error) {
	var p store.Proposal
	var action []byte
	var state string
	var decided *time.Time
	err := row.Scan(&p.ID, &p.CaseID, &p.OrderID, &p.Rank, &action, &p.Outcome, &p.Role, &p.Rule, &p.Reason, &state,
		&p.DecidedBy, &decided, &p.Note, &p.SlackChannel, &p.SlackTS, &p.CreatedAt, &p.ActionKey, &p.SupersededBy)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(action, &p.Action); err != nil {
		return p, fmt.Errorf("proposal %s action: %w", p.ID, err)
	}
	p.State, p.DecidedAt, p.CreatedAt = store.State(state), fromNullTime(decided), p.CreatedAt.UTC()
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
	_, err = s.q.Exec(ctx, `INSERT INTO proposals (id, case_id, order_id, rank, action_type, action, outcome,
		role, rule, reason, state, decided_by, decided_at, note, slack_channel, slack_ts, created_at, action_key, superseded_by)
		VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)`,
		p.ID, p.CaseID, p.OrderID, p.Rank, p.Action.Type, string(action), p.Outcome, p.Role, p.Rule, p.Reason,
		string(p.State), p.DecidedBy, nullTime(p.DecidedAt), p.Note, p.SlackChannel, p.SlackTS, p.CreatedAt,
		p.ActionKey, p.SupersededBy)
	if err != nil {
		return fmt.Errorf("create proposal %s: %w", p.ID, classify(err, store.ErrDuplicate))
	}
	return nil
}

// GetProposal returns one proposal.
func (s *Store) GetProposal(ctx context.Context, id string) (*store.Proposal, error) {
	p, err := scanProposal(s.q.QueryRow(ctx, `SELECT `+proposalCols+` FROM proposals WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("proposal %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get proposal %s: %w", id, err)
	}
	return &p, nil
}

func (s *Store) listProposals(ctx context.Context, what, q string, args ...any) ([]store.Proposal, error) {
	rows, err := s.q.Query(ctx, q, args...)
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
		`SELECT `+proposalCols+` FROM proposals WHERE case_id = $1 ORDER BY rank, created_at, id`, caseID)
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

// Transition is a compare-and-set of a proposal's state: one conditional
// UPDATE, so of any number of concurrent callers exactly one wins.
func (s *Store) Transition(ctx context.Context, id string, from, to store.State, by, note string) error {
	if err := store.CheckTransition(from, to); err != nil {
		return fmt.Errorf("proposal %s: %w", id, err)
	}
	var tag pgconn.CommandTag
	var err error
	if from == store.Pending {
		tag, err = s.q.Exec(ctx, `UPDATE proposals SET state = $1, decided_by = $2, decided_at = $3, note = $4
			WHERE id = $5 AND state = $6`, string(to), by, store.Now(), note, id, string(from))
	} else {
		tag, err = s.q.Exec(ctx, `UPDATE proposals SET state = $1, note = CASE WHEN $2 = '' THEN note ELSE $2 END
			WHERE id = $3 AND state = $4`, string(to), note, id, string(from))
	}
	if err != nil {
		return fmt.Errorf("transition proposal %s: %w", id, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	return s.conflict(ctx, id, from, to)
}

// conflict explains why a proposal was not in the state a compare-and-set
// expected. It reads the state in a new statement, whose snapshot includes
// the winner's commit (the UPDATE waited for it).
func (s *Store) conflict(ctx context.Context, id string, from, to store.State) error {
	var cur, decidedBy string
	err := s.q.QueryRow(ctx, `SELECT state, decided_by FROM proposals WHERE id = $1`, id).Scan(&cur, &decidedBy)
	if errors.Is(err, pgx.ErrNoRows) {
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
	tag, err := s.q.Exec(ctx, `UPDATE proposals SET slack_channel = $1, slack_ts = $2 WHERE id = $3`, channel, ts, id)
	return s.expectOne(tag, err, "set slack message of proposal", id)
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
	_, err = s.q.Exec(ctx, `INSERT INTO executions (proposal_id, case_id, order_id, action_key, action, executed_by,
		status, result, error, started_at, finished_at) VALUES ($1,$2,$3,$4,$5::jsonb,$6,$7,$8::jsonb,$9,$10,$11)`,
		e.ProposalID, e.CaseID, e.OrderID, e.ActionKey, string(action), e.By, string(e.Status), string(e.Result), e.Error,
		e.StartedAt, nullTime(e.FinishedAt))
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
	tag, err := s.q.Exec(ctx, `UPDATE executions SET status = $1, result = $2::jsonb, error = $3, finished_at = $4
		WHERE proposal_id = $5`, string(status), string(res), errText, store.Now(), proposalID)
	return s.expectOne(tag, err, "finish execution of proposal", proposalID)
}

const executionCols = `proposal_id, case_id, order_id, action_key, action, executed_by, status, result, error,
	started_at, finished_at`

func scanExecution(row pgx.Row) (store.Execution, error) {
	var e store.Execution
	var action, result []byte
	var status string
	var finished *time.Time
	if err := row.Scan(&e.ProposalID, &e.CaseID, &e.OrderID, &e.ActionKey, &action, &e.By, &status, &result, &e.Error,
		&e.StartedAt, &finished); err != nil {
		return e, err
	}
	if err := json.Unmarshal(action, &e.Action); err != nil {
		return e, fmt.Errorf("execution %s action: %w", e.ProposalID, err)
	}
	e.Status, e.Result = store.ExecStatus(status), json.RawMessage(result)
	e.StartedAt, e.FinishedAt = e.StartedAt.UTC(), fromNullTime(finished)
	return e, nil
}

// GetExecution returns the execution of a proposal.
func (s *Store) GetExecution(ctx context.Context, proposalID string) (*store.Execution, error) {
	e, err := scanExecution(s.q.QueryRow(ctx, `SELECT `+executionCols+` FROM executions WHERE proposal_id = $1`, proposalID))
	if errors.Is(err, pgx.ErrNoRows) {
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
	rows, err := s.q.Query(ctx, `SELECT `+executionCols+` FROM executions
		WHERE order_id = $1 AND started_at >= $2 AND status <> 'failed' ORDER BY started_at, proposal_id`,
		orderID, store.Stamp(since))
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
	tag, err := s.q.Exec(ctx, `UPDATE proposals SET state = 'expired', decided_by = $1, decided_at = $2, note = $3,
		superseded_by = $4 WHERE id = $5 AND state = 'pending'`, by, store.Now(), reason, replacedBy, id)
	if err != nil {
		return fmt.Errorf("supersede proposal %s: %w", id, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	return s.conflict(ctx, id, store.Pending, store.Expired)
}
