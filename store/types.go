package store

import (
	"encoding/json"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// CaseStatus is where a case stands.
type CaseStatus string

// Case statuses. A case is open until it is resolved or closed.
const (
	CaseOpen     CaseStatus = "open"
	CaseResolved CaseStatus = "resolved"
	CaseClosed   CaseStatus = "closed"
)

// Case is one exception case: the full case document as JSON plus the
// columns that are indexed or shown in lists.
type Case struct {
	ID            string
	OrderID       string
	CustomerID    string
	Class         string   // exception class, e.g. credit_hold
	AlsoDetected  []string // other classes detected on the order
	Severity      string
	Status        CaseStatus
	Planner       string // "playbook" or "llm"
	PromptVersion string
	Model         string
	PolicyVersion string
	Summary       string
	// Document is the whole case (evidence, findings, actions) as JSON.
	Document json.RawMessage

	CreatedAt  time.Time
	UpdatedAt  time.Time
	ResolvedAt time.Time // zero while unresolved
	Resolution string
	ResolvedBy string
}

// Resolution is how a case was resolved.
type Resolution struct {
	Resolution string
	By         string
	At         time.Time // zero: now
}

// CaseFilter selects cases for ListCases. Zero fields do not filter.
type CaseFilter struct {
	OrderID  string
	OpenOnly bool // only cases with status open
	Limit    int  // 0: no limit
}

// CaseEvent is one entry in a case's history: a source-system event
// correlated into the case, a question asked, a decision taken.
type CaseEvent struct {
	Seq     int64  // assigned by the store, increasing
	CaseID  string // the case it belongs to
	EventID string // source event id; unique when not empty
	At      time.Time
	Kind    string
	Actor   string
	Data    json.RawMessage
}

// ExecStatus is the progress of an execution.
type ExecStatus string

// Execution statuses.
const (
	ExecStarted   ExecStatus = "started"
	ExecSucceeded ExecStatus = "succeeded"
	ExecFailed    ExecStatus = "failed"
)

// Proposal is a ranked action proposed on a case, with its policy outcome
// and its approval state.
type Proposal struct {
	ID      string // opaque, random
	CaseID  string
	OrderID string
	Rank    int
	Action  connectors.Action
	Outcome string // policy outcome: auto, approval, blocked
	Role    string // role that must approve, when Outcome is approval
	Rule    string // the policy rule that decided
	Reason  string

	State     State
	DecidedBy string
	DecidedAt time.Time // zero while pending
	Note      string
	// ActionKey is Action.Key(): what executing it does, whatever proposal
	// carries it. Set by the store.
	ActionKey string
	// SupersededBy is the proposal that replaced this one when a fresh
	// decision changed (empty otherwise).
	SupersededBy string

	SlackChannel string
	SlackTS      string
	CreatedAt    time.Time
}

// Execution is the one execution of a proposal's action.
type Execution struct {
	ProposalID string
	CaseID     string
	OrderID    string // the order the action changes (Action.OrderID when empty)
	ActionKey  string // Action.Key(); set by the store
	Action     connectors.Action
	By         string
	Status     ExecStatus
	Result     json.RawMessage
	Error      string
	StartedAt  time.Time
	FinishedAt time.Time // zero until finished
}

// AuditEntry is one row of the audit log. Seq, PrevHash and Hash are set
// by the store.
type AuditEntry struct {
	Seq        int64
	At         time.Time
	Actor      string // who or what acted: a user, "policy", "executor"
	Kind       string // e.g. case.opened, proposal.approved, action.executed
	CaseID     string
	ProposalID string
	Rule       string
	Outcome    string
	Data       json.RawMessage // the source data the decision used
	PrevHash   string          // Hash of the previous row; "" for the first
	Hash       string          // hex HMAC-SHA256(audit key, PrevHash + canonical content)
}

// Memory is a resolved case kept for similarity search.
type Memory struct {
	CaseID     string
	Class      string
	CustomerID string
	OrderID    string
	Text       string
	Embedding  []float32
	Resolution string
	ResolvedBy string
	ResolvedAt time.Time
}

// SimilarCase is a memory returned by SimilarCases, with its cosine
// distance (0 identical … 2 opposite) to the query.
type SimilarCase struct {
	Memory
	Distance     float64
	SameClass    bool
	SameCustomer bool
}
