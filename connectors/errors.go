package connectors

import (
	"errors"
	"fmt"
)

// ErrUnavailable is wrapped by every error that means a system cannot be
// reached or keeps failing: its circuit breaker is open, or a read failed
// after its retries. A case over an unavailable system says which system is
// down instead of reporting a pile of timeouts.
var ErrUnavailable = errors.New("system unavailable")

// UnavailableError names the system that is unavailable and why.
type UnavailableError struct {
	System string // erp, inventory, carriers, tasks
	Err    error
}

func (e *UnavailableError) Error() string {
	if e.Err == nil {
		return e.System + " unavailable"
	}
	return fmt.Sprintf("%s unavailable: %v", e.System, e.Err)
}

// Is makes errors.Is(err, ErrUnavailable) true.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

// Unwrap returns the cause.
func (e *UnavailableError) Unwrap() error { return e.Err }

// Unavailable returns an *UnavailableError.
func Unavailable(system string, err error) error { return &UnavailableError{System: system, Err: err} }

// ErrConflict is wrapped by an action that no longer fits the current state
// of the system that owns it (REST 409, SAP 412): nothing changed; the case
// should be investigated again on fresh data.
var ErrConflict = errors.New("action conflicts with the current state")

// ErrRefused is wrapped by an action the owning system refuses as invalid
// (REST 422): nothing changed.
var ErrRefused = errors.New("action refused")

// ActionError is an action a system did not execute. Nothing changed.
type ActionError struct {
	System   string
	ActionID string
	// Code is "conflict" or "invalid", as the system said it.
	Code    string
	Message string
}

// Action error codes.
const (
	CodeConflict = "conflict"
	CodeInvalid  = "invalid"
)

func (e *ActionError) Error() string {
	what := "refused"
	if e.Code == CodeConflict {
		what = "conflicts with the current state"
	}
	s := fmt.Sprintf("%s: action %s %s (nothing changed)", e.System, e.ActionID, what)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is makes errors.Is(err, ErrConflict) true for conflicts and
// errors.Is(err, ErrRefused) true for refusals.
func (e *ActionError) Is(target error) bool {
	switch target {
	case ErrConflict:
		return e.Code == CodeConflict
	case ErrRefused:
		return e.Code != CodeConflict
	}
	return false
}
