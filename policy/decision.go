package policy

import (
	"errors"
	"fmt"
)

// Outcome is what the guard allows for a proposed action.
type Outcome string

// Outcomes.
const (
	Auto     Outcome = "auto"     // executed without a person
	Approval Outcome = "approval" // a named role must approve in the thread
	Blocked  Outcome = "blocked"  // never executed; the case says why
)

// Decision is the guard's verdict on one proposed action.
type Decision struct {
	Outcome Outcome `json:"outcome"`
	Role    string  `json:"role,omitempty"`
	Rule    string  `json:"rule"`
	Reason  string  `json:"reason"`
}

// String explains the decision in one sentence.
func (d Decision) String() string {
	switch d.Outcome {
	case Approval:
		return fmt.Sprintf("needs approval by %s (%s): %s", d.Role, d.Rule, d.Reason)
	case Blocked:
		return fmt.Sprintf("blocked (%s): %s", d.Rule, d.Reason)
	default:
		return fmt.Sprintf("auto (%s): %s", d.Rule, d.Reason)
	}
}

// ErrInvalidAction is wrapped by the guard when a proposed action does not
// fit the order (a hold it does not have, a line it does not have, a site
// without stock). Such an action is rejected before any rule runs.
var ErrInvalidAction = errors.New("invalid action")

// InvalidActionError says why an action does not fit the order.
type InvalidActionError struct {
	Reason string
	// err is the underlying error, when there is one (a bad argument).
	err error
}

// Error returns the reason.
func (e *InvalidActionError) Error() string { return e.Reason }

// Unwrap returns the underlying error, if any (e.g. a *connectors.ArgError).
func (e *InvalidActionError) Unwrap() error { return e.err }

// Is makes errors.Is(err, ErrInvalidAction) true.
func (e *InvalidActionError) Is(target error) bool { return target == ErrInvalidAction }
