package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Outbox holds what people must be told about cases (a new case to post, a
// case message to re-render, a note for a case's thread), written in the
// same transaction as the change it tells of and delivered by whichever
// replica drains it. A crash between storing a case and posting it
// therefore never leaves a case nobody was told about.
type Outbox interface {
	// EnqueueOutbox adds m, filling ID, CreatedAt and a zero NextAt (now).
	EnqueueOutbox(ctx context.Context, m *OutboxMessage) error
	// ClaimOutbox leases unsent, due messages to owner for lease: every
	// unsent message of up to maxCases cases that no one else holds, oldest
	// case first and each case's messages in the order enqueued. A
	// replica that dies loses its lease when it runs out.
	ClaimOutbox(ctx context.Context, owner string, lease time.Duration, maxCases int) ([]OutboxMessage, error)
	// AckOutbox marks a claimed message delivered. It returns a
	// *LeaseError when owner no longer holds it.
	AckOutbox(ctx context.Context, id int64, owner string) error
	// RetryOutbox gives a claimed message back, to be tried again at
	// next, recording the error and counting the attempt.
	RetryOutbox(ctx context.Context, id int64, owner, errText string, next time.Time) error
	// OutboxBacklog returns how many messages are not yet delivered.
	OutboxBacklog(ctx context.Context) (int, error)
}

// Outbox message kinds.
const (
	// OutboxCasePost posts a case (a new thread, or into Thread).
	OutboxCasePost = "case.post"
	// OutboxCaseRefresh re-renders a case's messages from its current state.
	OutboxCaseRefresh = "case.refresh"
	// OutboxCaseNote posts a note into the case's thread.
	OutboxCaseNote = "case.note"
)

// OutboxMessage is one thing to tell people about a case. Data is the
// kind's payload, JSON; it carries facts, never pre-rendered text, so the
// surface that delivers it renders and escapes it.
type OutboxMessage struct {
	ID        int64
	CaseID    string
	Kind      string
	Data      json.RawMessage
	CreatedAt time.Time
	NextAt    time.Time // not delivered before
	Attempts  int
	Error     string // the last delivery error
	Owner     string
	LeaseEnd  time.Time
	SentAt    time.Time // zero until delivered
}

// LeaseError says a replica no longer holds an outbox message.
type LeaseError struct {
	ID    int64
	Owner string
}

func (e *LeaseError) Error() string {
	return fmt.Sprintf("outbox message %d is not held by %s (its lease ran out or it was delivered)", e.ID, e.Owner)
}

// Unwrap makes errors.Is(err, ErrConflict) hold.
func (e *LeaseError) Unwrap() error { return ErrConflict }

// PrepareOutbox validates m for EnqueueOutbox and fills its times.
func PrepareOutbox(m *OutboxMessage) error {
	if m.CaseID == "" || m.Kind == "" {
		return fmt.Errorf("outbox message: case id and kind are required: %w", ErrInvalid)
	}
	data, err := checkJSON("outbox data", m.Data)
	if err != nil {
		return err
	}
	m.Data = data
	now := Now()
	if m.CreatedAt.IsZero() {
		m.CreatedAt = now
	} else {
		m.CreatedAt = Stamp(m.CreatedAt)
	}
	if m.NextAt.IsZero() {
		m.NextAt = m.CreatedAt
	} else {
		m.NextAt = Stamp(m.NextAt)
	}
	m.SentAt, m.Owner, m.LeaseEnd, m.Attempts = time.Time{}, "", time.Time{}, 0
	return nil
}
