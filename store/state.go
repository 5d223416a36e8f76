package store

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"
	"time"
)

// State is a proposal's place in its state machine:
//
//	pending → approved | rejected | expired
//	approved → executed | failed
type State string

// Proposal states.
const (
	Pending  State = "pending"
	Approved State = "approved"
	Rejected State = "rejected"
	Expired  State = "expired"
	Executed State = "executed"
	Failed   State = "failed"
)

// CanTransition reports whether from→to is an edge of the state machine.
func CanTransition(from, to State) bool {
	switch from {
	case Pending:
		return to == Approved || to == Rejected || to == Expired
	case Approved:
		return to == Executed || to == Failed
	}
	return false
}

// Terminal reports whether no transition leaves s.
func (s State) Terminal() bool {
	return s == Rejected || s == Expired || s == Executed || s == Failed
}

// Valid reports whether s is one of the proposal states.
func (s State) Valid() bool {
	switch s {
	case Pending, Approved, Rejected, Expired, Executed, Failed:
		return true
	}
	return false
}

// CheckTransition returns a wrapped ErrInvalid unless from→to is an edge.
func CheckTransition(from, to State) error {
	if !CanTransition(from, to) {
		return fmt.Errorf("proposal transition %s → %s: %w", from, to, ErrInvalid)
	}
	return nil
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewID returns prefix + 128 random bits in lower-case base32: an opaque id
// that cannot be guessed from another one.
func NewID(prefix string) string {
	var b [16]byte
	// crypto/rand.Read never returns an error (Go ≥ 1.24).
	_, _ = rand.Read(b[:])
	return prefix + strings.ToLower(idEncoding.EncodeToString(b[:]))
}

// Now is the store's clock reading: UTC, truncated to the microsecond that
// both databases keep, so a value read back equals the value written.
func Now() time.Time { return Stamp(time.Now()) }

// Stamp normalises t the way stores keep times: UTC, microseconds.
func Stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

var timeZero time.Time
