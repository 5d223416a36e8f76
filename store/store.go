package store

import (
	"context"
	"encoding/json"
	"time"
)

// Store is exdesk's durable state. Implementations are safe for concurrent
// use by many goroutines and, for store/postgres, by many processes.
type Store interface {
	Cases
	Proposals
	AuditLog
	Outbox
	CaseMemory
	SourceState
	Reports

	// InTx runs fn in one transaction: every write fn makes through tx is
	// committed together, or none is when fn returns an error (which InTx
	// returns). Reads through tx see the transaction's own writes. Audit
	// entries appended through tx are sealed onto the chain at commit.
	InTx(ctx context.Context, fn func(tx Tx) error) error

	// Ping checks that the backing database answers.
	Ping(ctx context.Context) error
	// Close releases the store's connections. It is safe to call twice.
	Close() error
}

// Tx is the part of the store a transaction offers (see Store.InTx).
type Tx interface {
	Cases
	Proposals
	AuditLog
	Outbox
}

// Cases stores exception cases and their event history.
type Cases interface {
	// CreateCase inserts c. An empty c.ID is filled with a new random id;
	// zero CreatedAt/UpdatedAt are set to now and an empty Status to
	// [CaseOpen]. It returns ErrDuplicate when the id exists, and
	// ErrOpenCase when c is open and its order already has an open case:
	// an order has at most one open case, enforced by the schema.
	CreateCase(ctx context.Context, c *Case) error
	// GetCase returns the case with that id, or ErrNotFound.
	GetCase(ctx context.Context, id string) (*Case, error)
	// UpdateCase replaces the case's document and descriptive columns
	// (class, also detected, severity, status, planner, prompt version, model,
	// policy version, summary) and bumps UpdatedAt. Resolution fields are
	// changed only by ResolveCase. It returns ErrNotFound for an unknown id.
	UpdateCase(ctx context.Context, c *Case) error
	// SetCaseStatus changes a case's status (ErrNotFound for an unknown id).
	SetCaseStatus(ctx context.Context, id string, status CaseStatus) error
	// ResolveCase marks the case resolved with how and by whom.
	ResolveCase(ctx context.Context, id string, r Resolution) error
	// ListCases returns the cases matching f, newest first.
	ListCases(ctx context.Context, f CaseFilter) ([]Case, error)

	// AppendCaseEvent adds an event to a case's history, filling e.Seq and a
	// zero e.At. A non-empty e.EventID is unique across all cases: a second
	// append of the same source event returns ErrDuplicate, which is how an
	// event delivered twice is recorded once.
	AppendCaseEvent(ctx context.Context, e *CaseEvent) error
	// ListCaseEvents returns a case's events in the order appended.
	ListCaseEvents(ctx context.Context, caseID string) ([]CaseEvent, error)
	// FindCaseEvent returns the case event recorded for a source event id,
	// or ErrNotFound: it says which case an event opened or joined.
	FindCaseEvent(ctx context.Context, eventID string) (*CaseEvent, error)
}

// Proposals stores proposed actions and their state machine
// (see [State]) and the executions of approved ones.
type Proposals interface {
	// CreateProposal inserts p in state pending, or settled when p.State is
	// rejected or expired and p.DecidedBy says who settled it (the policy
	// settles blocked actions and auto alternatives as it proposes them);
	// any other state is taken as pending. An empty p.ID is filled with a
	// new random, opaque id.
	CreateProposal(ctx context.Context, p *Proposal) error
	// GetProposal returns the proposal with that id, or ErrNotFound.
	GetProposal(ctx context.Context, id string) (*Proposal, error)
	// ListProposals returns a case's proposals by rank.
	ListProposals(ctx context.Context, caseID string) ([]Proposal, error)
	// ListPendingProposals returns every proposal still pending, oldest first.
	ListPendingProposals(ctx context.Context) ([]Proposal, error)
	// ListApprovedProposals returns every proposal approved but not yet
	// executed or failed, oldest decision first: after a crash between the
	// approval and the end of its execution, these are what to finish.
	ListApprovedProposals(ctx context.Context) ([]Proposal, error)
	// Transition moves a proposal from one state to another as a
	// compare-and-set. It returns ErrInvalid when from→to is not an edge of
	// the state machine, ErrNotFound for an unknown id, and a *ConflictError
	// (errors.Is ErrConflict) carrying the current state when the proposal is
	// not in from: the second click, or the second replica, learns that the
	// proposal was already decided. Leaving pending records by, the time and
	// note as the decision; later transitions keep the decider and replace
	// the note when one is given.
	Transition(ctx context.Context, id string, from, to State, by, note string) error
	// SetProposalSlack records the Slack message that shows the proposal.
	SetProposalSlack(ctx context.Context, id, channel, ts string) error

	// RecordExecution claims the execution of a proposal. There is at most
	// one execution per proposal: a second call for the same ProposalID
	// returns ErrAlreadyExecuted, so an action is never executed twice when
	// executors record before they act. Zero StartedAt is set to now and an
	// empty Status to ExecStarted.
	RecordExecution(ctx context.Context, e *Execution) error
	// FinishExecution records the outcome of a claimed execution.
	FinishExecution(ctx context.Context, proposalID string, status ExecStatus, result json.RawMessage, errText string) error
	// GetExecution returns the execution of a proposal, or ErrNotFound.
	GetExecution(ctx context.Context, proposalID string) (*Execution, error)
	// OrderExecutions returns the executions on an order (Execution.OrderID)
	// started at or after since and not failed, oldest first: the business
	// effects already applied, so that the same action (Action.Key) is not
	// executed again under another proposal.
	OrderExecutions(ctx context.Context, orderID string, since time.Time) ([]Execution, error)
	// SupersedeProposal moves a pending proposal to expired, recording the
	// reason in its note and, when the action is proposed again, the id of
	// the proposal that replaces it. It returns a *ConflictError when the
	// proposal is no longer pending.
	SupersedeProposal(ctx context.Context, id, by, reason, replacedBy string) error
}

// AuditLog is the append-only, hash-chained record of every decision.
type AuditLog interface {
	// AppendAudit appends e, filling Seq, a zero At, PrevHash and Hash.
	// Appends are serialised so the chain has no forks. e.Data must be JSON
	// (or empty); it is stored in canonical form.
	AppendAudit(ctx context.Context, e *AuditEntry) error
	// AuditTrail returns one case's entries in order, or every entry when
	// caseID is empty.
	AuditTrail(ctx context.Context, caseID string) ([]AuditEntry, error)
	// VerifyAudit walks the whole chain. It returns nil, nil when the chain
	// is intact, and the first break (changed, deleted or reordered row)
	// otherwise; the error is for failures to read.
	VerifyAudit(ctx context.Context) (*AuditBreak, error)
}

// CaseMemory stores resolved cases with an embedding of their text, to
// find similar past cases.
type CaseMemory interface {
	// PutMemory inserts or replaces the memory of m.CaseID. The embedding
	// must have EmbeddingDim dimensions (ErrInvalid otherwise).
	PutMemory(ctx context.Context, m Memory) error
	// SimilarCases returns up to k memories ranked by tier, then by cosine
	// distance to embedding, closest first: same class and same customer,
	// then same class, then the rest. An empty class or customerID does not
	// take part in the ranking.
	SimilarCases(ctx context.Context, embedding []float32, class, customerID string, k int) ([]SimilarCase, error)
	// PruneMemory deletes memories resolved before olderThan and returns how
	// many it deleted. It never touches the audit log.
	PruneMemory(ctx context.Context, olderThan time.Time) (int, error)
}

// Embedder turns case text into an embedding for the case memory.
type Embedder interface {
	Embed(ctx context.Context, text string) ([]float32, error)
}

// EmbeddingDim is the dimension of case-memory embeddings: the pgvector
// column is vector(EmbeddingDim). Remote embedding models must be asked for
// this many dimensions.
const EmbeddingDim = 256
