package store

import (
	"errors"
	"fmt"
)

// Errors returned (wrapped) by stores.
var (
	// ErrNotFound: no record with that id.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a compare-and-set lost; the record is not in the expected
	// state. Proposal transitions return a *ConflictError that wraps it.
	ErrConflict = errors.New("conflict")
	// ErrAlreadyExecuted: the proposal already has an execution.
	ErrAlreadyExecuted = errors.New("already executed")
	// ErrDuplicate: a record with that unique key exists.
	ErrDuplicate = errors.New("duplicate")
	// ErrInvalid: the arguments are not acceptable (bad transition, wrong
	// embedding size, malformed JSON).
	ErrInvalid = errors.New("invalid")
	// ErrOpenCase: the order already has an open case (one open case per
	// order is a unique index of the schema).
	ErrOpenCase = errors.New("the order already has an open case")
	// ErrNoAuditKey: the audit chain's key is missing (the store was opened
	// without one, or a key file it needs is gone).
	ErrNoAuditKey = errors.New("no audit key")
	// ErrAuditRewound: the audit log's head is behind the checkpoint kept
	// outside the database, or the row the checkpoint names has changed:
	// rows were deleted and the head moved back. The store refuses to append
	// until someone looks.
	ErrAuditRewound = errors.New("audit log rewound behind its checkpoint")
)

// ConflictError is returned by Transition when the proposal is not in the
// expected state. errors.Is(err, ErrConflict) holds.
type ConflictError struct {
	ProposalID string
	From, To   State // the transition that was asked for
	Current    State // the state the proposal is in
	DecidedBy  string
}

func (e *ConflictError) Error() string {
	msg := fmt.Sprintf("proposal %s is already %s (wanted %s → %s)", e.ProposalID, e.Current, e.From, e.To)
	if e.DecidedBy != "" {
		msg += " by " + e.DecidedBy
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrConflict) hold.
func (e *ConflictError) Unwrap() error { return ErrConflict }
