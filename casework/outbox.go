package casework

import (
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
)

// The payloads of the outbox messages the desk writes (store.Outbox). They
// carry facts, never rendered text: the surface that delivers a message
// renders it from the case's current state and escapes what came from
// outside.

// Post is the data of a store.OutboxCasePost message: a case to show.
type Post struct {
	Class    string `json:"class"`
	Severity string `json:"severity,omitempty"`
	// Origin is where the case's question was asked, when a question
	// opened it: the case is posted there, in the asker's thread.
	Origin *Actor `json:"origin,omitempty"`
}

// Refresh is the data of a store.OutboxCaseRefresh message: re-render the
// case's messages from its current state (buttons of decided or
// superseded proposals are replaced).
type Refresh struct {
	Reason string `json:"reason"`
}

// Note kinds.
const (
	// NoteEvent: a source event joined the open case.
	NoteEvent = "event"
	// NoteDecision: a proposal was approved (and executed or not) or
	// rejected.
	NoteDecision = "decision"
	// NoteSuperseded: a proposal's decision changed on fresh data; the
	// action is re-proposed for the role the guard names now.
	NoteSuperseded = "superseded"
	// NoteResolved: the case is resolved; its pending proposals are
	// superseded.
	NoteResolved = "resolved"
	// NoteExecuted: an auto action executed.
	NoteExecuted = "executed"
)

// Note is the data of a store.OutboxCaseNote message: something that
// happened on the case, to say in its thread.
type Note struct {
	Kind       string            `json:"kind"`
	ProposalID string            `json:"proposal_id,omitempty"`
	Action     connectors.Action `json:"action,omitzero"`
	// By is who decided or acted (a user id, or "policy").
	By    string `json:"by,omitempty"`
	State string `json:"state,omitempty"` // the proposal's state after
	// Detail is what the connector reported, or why nothing ran. It is
	// source-system text: escape it where it is shown.
	Detail string `json:"detail,omitempty"`
	Reason string `json:"reason,omitempty"` // a rejection reason, typed by a person
	// Fresh is the guard's decision on current data, when one was taken.
	Fresh *Fresh `json:"fresh,omitempty"`
	// Replacement is the proposal that replaces a superseded one.
	Replacement string `json:"replacement,omitempty"`
	// Event is the source event that joined the case.
	Event *EventRef `json:"event,omitempty"`
	// Now says how the case reads on current data after an event.
	Now *Reading `json:"now,omitempty"`
	// Recovered: a replica finished a decision another left half done.
	Recovered bool `json:"recovered,omitempty"`
}

// EventRef names a source event without its payload.
type EventRef struct {
	ID     string    `json:"id"`
	Type   string    `json:"type"`
	Source string    `json:"source"`
	At     time.Time `json:"at"`
}

// Reading is how a case reads after it was investigated again.
type Reading struct {
	Class    string          `json:"class"`
	Same     bool            `json:"same"` // same class and top action as before
	Top      string          `json:"top,omitempty"`
	Decision policy.Decision `json:"decision,omitzero"`
	Summary  string          `json:"summary,omitempty"`
}
