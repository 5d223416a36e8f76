package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/exdesk/exdesk/store"
)

// InTx runs fn in one transaction (read committed). The store fn gets is
// bound to the transaction and must not be used after fn returns. Audit
// entries fn appends are sealed onto the chain just before the commit, so
// the chain head, which every replica's appends lock, is held last and
// briefly; a transaction that loses a deadlock or a serialisation race is
// run again (up to three times).
func (s *Store) InTx(ctx context.Context, fn func(tx store.Tx) error) error {
	if s.deferred != nil {
		return fn(s) // already inside: join
	}
	var (
		err  error
		head store.AuditHead // the chain head after the last entry sealed
	)
	for attempt := 0; attempt < 3; attempt++ {
		head = store.AuditHead{}
		err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var audit []*store.AuditEntry
			bound := *s
			bound.q, bound.deferred = tx, &audit
			if err := fn(&bound); err != nil {
				return err
			}
			if len(audit) == 0 {
				return nil
			}
			h, err := s.sealAudit(ctx, tx, audit)
			head = h
			return err
		})
		if !retryable(err) {
			break
		}
	}
	if err == nil && head.Seq > 0 {
		// Committed: only now may the checkpoint name the new head.
		if cerr := s.checkpoint.Advance(head); cerr != nil {
			return fmt.Errorf("append audit: row %d appended, but the checkpoint was not written: %w", head.Seq, cerr)
		}
	}
	return err
}

// retryable reports a deadlock or serialisation failure.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// openCaseConflict reports whether err is the one-open-case-per-order
// index refusing a second open case.
func openCaseConflict(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "cases_one_open_per_order"
}

// FindCaseEvent returns the case event recorded for a source event id.
func (s *Store) FindCaseEvent(ctx context.Context, eventID string) (*store.CaseEvent, error) {
	var e store.CaseEvent
	var data []byte
	err := s.q.QueryRow(ctx, `SELECT seq, case_id, COALESCE(event_id, ''), at, kind, actor, data
		FROM case_events WHERE event_id = $1`, eventID).Scan(&e.Seq, &e.CaseID, &e.EventID, &e.At, &e.Kind, &e.Actor, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("case event for %s: %w", eventID, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("find case event %s: %w", eventID, err)
	}
	e.At, e.Data = e.At.UTC(), data
	return &e, nil
}

// --- outbox ------------------------------------------------------------------

const outboxCols = `id, case_id, kind, data, created_at, next_at, attempts, error, owner, lease_end, sent_at`

func scanOutbox(row pgx.Row) (store.OutboxMessage, error) {
	var m store.OutboxMessage
	var data []byte
	var lease, sent *time.Time
	err := row.Scan(&m.ID, &m.CaseID, &m.Kind, &data, &m.CreatedAt, &m.NextAt, &m.Attempts, &m.Error, &m.Owner, &lease, &sent)
	m.Data, m.CreatedAt, m.NextAt = data, m.CreatedAt.UTC(), m.NextAt.UTC()
	m.LeaseEnd, m.SentAt = fromNullTime(lease), fromNullTime(sent)
	return m, err
}

// EnqueueOutbox adds a message to the outbox.
func (s *Store) EnqueueOutbox(ctx context.Context, m *store.OutboxMessage) error {
	if err := store.PrepareOutbox(m); err != nil {
		return err
	}
	err := s.q.QueryRow(ctx, `INSERT INTO outbox (case_id, kind, data, created_at, next_at)
		VALUES ($1,$2,$3::jsonb,$4,$5) RETURNING id`, m.CaseID, m.Kind, string(m.Data), m.CreatedAt, m.NextAt).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("enqueue %s for case %s: %w", m.Kind, m.CaseID, classify(err, store.ErrDuplicate))
	}
	return nil
}

// ClaimOutbox leases the unsent messages of up to maxCases cases no one
// else holds. Rows another replica is claiming at the same moment are
// skipped (FOR UPDATE SKIP LOCKED), so replicas never wait on each other.
func (s *Store) ClaimOutbox(ctx context.Context, owner string, lease time.Duration, maxCases int) ([]store.OutboxMessage, error) {
	if owner == "" || maxCases <= 0 {
		return nil, fmt.Errorf("claim outbox: owner and a positive case count are required: %w", store.ErrInvalid)
	}
	now := store.Now()
	// A case is claimed by locking its first unsent message (the head):
	// a replica claiming at the same moment skips it, and with it the
	// whole case, so a case's messages are never split between replicas.
	// The lease conditions are on the rows themselves, so a claim that
	// reaches a row just leased by another replica (read committed
	// re-checks it) leaves it alone.
	rows, err := s.q.Query(ctx, `WITH heads AS (
			SELECT o.case_id FROM outbox o
			WHERE o.sent_at IS NULL AND o.next_at <= $2 AND (o.owner = '' OR o.owner = $1 OR o.lease_end <= $2)
			  AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.case_id = o.case_id AND e.sent_at IS NULL AND e.id < o.id)
			  AND NOT EXISTS (SELECT 1 FROM outbox h WHERE h.case_id = o.case_id AND h.sent_at IS NULL
			                  AND h.owner <> '' AND h.owner <> $1 AND h.lease_end > $2)
			ORDER BY o.id LIMIT $4
			FOR UPDATE SKIP LOCKED
		)
		UPDATE outbox SET owner = $1, lease_end = $3
		WHERE sent_at IS NULL AND case_id IN (SELECT case_id FROM heads) AND (owner = '' OR owner = $1 OR lease_end <= $2)
		RETURNING `+outboxCols, owner, now, now.Add(lease), maxCases)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	defer rows.Close()
	var out []store.OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, fmt.Errorf("claim outbox: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	// RETURNING has no order.
	slices.SortFunc(out, func(a, b store.OutboxMessage) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// AckOutbox marks a claimed message delivered.
func (s *Store) AckOutbox(ctx context.Context, id int64, owner string) error {
	tag, err := s.q.Exec(ctx, `UPDATE outbox SET sent_at = $1, error = '' WHERE id = $2 AND owner = $3 AND sent_at IS NULL`,
		store.Now(), id, owner)
	return leaseResult(tag, err, id, owner)
}

// RetryOutbox gives a claimed message back to be tried again at next.
func (s *Store) RetryOutbox(ctx context.Context, id int64, owner, errText string, next time.Time) error {
	tag, err := s.q.Exec(ctx, `UPDATE outbox SET owner = '', lease_end = NULL, attempts = attempts + 1, error = $1,
		next_at = $2 WHERE id = $3 AND owner = $4 AND sent_at IS NULL`, errText, store.Stamp(next), id, owner)
	return leaseResult(tag, err, id, owner)
}

func leaseResult(tag pgconn.CommandTag, err error, id int64, owner string) error {
	if err != nil {
		return fmt.Errorf("outbox message %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return &store.LeaseError{ID: id, Owner: owner}
	}
	return nil
}

// OutboxBacklog counts the messages not yet delivered.
func (s *Store) OutboxBacklog(ctx context.Context) (int, error) {
	var n int
	if err := s.q.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("outbox backlog: %w", err)
	}
	return n, nil
}
