package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/exdesk/exdesk/store"
)

// InTx runs fn in one write transaction (BEGIN IMMEDIATE). The store fn
// gets is bound to the transaction; it must not be used after fn returns.
func (s *Store) InTx(ctx context.Context, fn func(tx store.Tx) error) error {
	if s.tx != nil {
		return fn(s) // already inside: join
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite %s: begin: %w", s.path, err)
	}
	var audit []*store.AuditEntry
	bound := *s
	bound.q, bound.tx, bound.deferred = conn{c: s.stmts, tx: tx}, tx, &audit
	if err := fn(&bound); err != nil {
		_ = tx.Rollback()
		s.stmts.prepareLearned(ctx)
		return err
	}
	head, err := bound.sealAudit(ctx, audit)
	if err != nil {
		_ = tx.Rollback()
		s.stmts.prepareLearned(ctx)
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite %s: commit: %w", s.path, err)
	}
	s.stmts.prepareLearned(ctx)
	if head.Seq > 0 {
		// Committed: only now may the checkpoint name the new head.
		_, cp, _ := s.audit.resolve(ctx, s.q) // resolved by sealAudit already
		if err := cp.Advance(head); err != nil {
			return fmt.Errorf("append audit: row %d appended, but the checkpoint was not written: %w", head.Seq, err)
		}
	}
	return nil
}

// begin starts a write transaction, or, inside InTx, joins the one the
// store is bound to (then committing and rolling back are InTx's). The
// queryer runs statements in it through the statement cache.
func (s *Store) begin(ctx context.Context) (queryer, func() error, func(), error) {
	if s.tx != nil {
		return s.q, func() error { return nil }, func() {}, nil
	}
	s.writeMu.Lock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		s.writeMu.Unlock()
		return nil, nil, nil, err
	}
	var once sync.Once
	release := func() { once.Do(s.writeMu.Unlock) }
	commit := func() error {
		err := tx.Commit()
		release()
		s.stmts.prepareLearned(ctx)
		return err
	}
	rollback := func() {
		if tx.Rollback() == nil {
			release()
			s.stmts.prepareLearned(ctx)
		}
	}
	return conn{c: s.stmts, tx: tx}, commit, rollback, nil
}

// openCaseConflict reports whether err is the one-open-case-per-order
// index refusing a second open case.
func openCaseConflict(err error) bool {
	return err != nil && strings.Contains(err.Error(), "cases.order_id")
}

// FindCaseEvent returns the case event recorded for a source event id.
func (s *Store) FindCaseEvent(ctx context.Context, eventID string) (*store.CaseEvent, error) {
	var e store.CaseEvent
	var at int64
	var data string
	err := s.q.QueryRowContext(ctx, `SELECT seq, case_id, COALESCE(event_id, ''), at, kind, actor, data
		FROM case_events WHERE event_id = ?`, eventID).Scan(&e.Seq, &e.CaseID, &e.EventID, &at, &e.Kind, &e.Actor, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("case event for %s: %w", eventID, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("find case event %s: %w", eventID, err)
	}
	e.At, e.Data = fromMicros(at), []byte(data)
	return &e, nil
}

// --- outbox ------------------------------------------------------------------

const outboxCols = `id, case_id, kind, data, created_at, next_at, attempts, error, owner, lease_end, sent_at`

func scanOutbox(sc scanner) (store.OutboxMessage, error) {
	var m store.OutboxMessage
	var data string
	var created, next int64
	var lease, sent sql.NullInt64
	err := sc.Scan(&m.ID, &m.CaseID, &m.Kind, &data, &created, &next, &m.Attempts, &m.Error, &m.Owner, &lease, &sent)
	m.Data, m.CreatedAt, m.NextAt = []byte(data), fromMicros(created), fromMicros(next)
	m.LeaseEnd, m.SentAt = fromNullMicros(lease), fromNullMicros(sent)
	return m, err
}

// EnqueueOutbox adds a message to the outbox.
func (s *Store) EnqueueOutbox(ctx context.Context, m *store.OutboxMessage) error {
	if err := store.PrepareOutbox(m); err != nil {
		return err
	}
	res, err := s.q.ExecContext(ctx, `INSERT INTO outbox (case_id, kind, data, created_at, next_at)
		VALUES (?,?,?,?,?)`, m.CaseID, m.Kind, string(m.Data), micros(m.CreatedAt), micros(m.NextAt))
	if err != nil {
		return fmt.Errorf("enqueue %s for case %s: %w", m.Kind, m.CaseID, classify(err, store.ErrDuplicate))
	}
	if m.ID, err = insertedRowID(res); err != nil {
		return fmt.Errorf("enqueue %s for case %s: %w", m.Kind, m.CaseID, err)
	}
	return nil
}

// ClaimOutbox leases the unsent messages of up to maxCases cases no one
// else holds.
func (s *Store) ClaimOutbox(ctx context.Context, owner string, lease time.Duration, maxCases int) ([]store.OutboxMessage, error) {
	if owner == "" || maxCases <= 0 {
		return nil, fmt.Errorf("claim outbox: owner and a positive case count are required: %w", store.ErrInvalid)
	}
	tx, commit, rollback, err := s.begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: begin: %w", err)
	}
	defer rollback()
	now := micros(store.Now())
	until := now + lease.Microseconds()
	// A case is free when none of its unsent messages is leased to
	// someone else; it is due when its oldest unsent message is.
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET owner = ?, lease_end = ?
		WHERE sent_at IS NULL AND case_id IN (
			SELECT case_id FROM outbox o WHERE sent_at IS NULL
			GROUP BY case_id
			HAVING min(next_at) <= ? AND NOT EXISTS (
				SELECT 1 FROM outbox h WHERE h.case_id = o.case_id AND h.sent_at IS NULL
				   AND h.owner <> ? AND h.owner <> '' AND h.lease_end > ?)
			ORDER BY min(id) LIMIT ?)`, owner, until, now, owner, now, maxCases); err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox
		WHERE sent_at IS NULL AND owner = ? AND lease_end = ? ORDER BY id`, owner, until)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	var out []store.OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim outbox: %w", err)
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	if err := commit(); err != nil {
		return nil, fmt.Errorf("claim outbox: commit: %w", err)
	}
	return out, nil
}

// AckOutbox marks a claimed message delivered.
func (s *Store) AckOutbox(ctx context.Context, id int64, owner string) error {
	res, err := s.q.ExecContext(ctx, `UPDATE outbox SET sent_at = ?, error = '' WHERE id = ? AND owner = ? AND sent_at IS NULL`,
		micros(store.Now()), id, owner)
	return leaseResult(res, err, id, owner)
}

// RetryOutbox gives a claimed message back to be tried again at next.
func (s *Store) RetryOutbox(ctx context.Context, id int64, owner, errText string, next time.Time) error {
	res, err := s.q.ExecContext(ctx, `UPDATE outbox SET owner = '', lease_end = NULL, attempts = attempts + 1, error = ?,
		next_at = ? WHERE id = ? AND owner = ? AND sent_at IS NULL`, errText, micros(store.Stamp(next)), id, owner)
	return leaseResult(res, err, id, owner)
}

func leaseResult(res sql.Result, err error, id int64, owner string) error {
	if err != nil {
		return fmt.Errorf("outbox message %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("outbox message %d: %w", id, err)
	} else if n == 0 {
		return &store.LeaseError{ID: id, Owner: owner}
	}
	return nil
}

// OutboxBacklog counts the messages not yet delivered.
func (s *Store) OutboxBacklog(ctx context.Context) (int, error) {
	var n int
	if err := s.q.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("outbox backlog: %w", err)
	}
	return n, nil
}
