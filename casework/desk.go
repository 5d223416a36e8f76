package casework

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
)

// Store is the part of store.Store the desk uses.
type Store interface {
	InTx(ctx context.Context, fn func(tx store.Tx) error) error
	GetCase(ctx context.Context, id string) (*store.Case, error)
	ListCases(ctx context.Context, f store.CaseFilter) ([]store.Case, error)
	ListCaseEvents(ctx context.Context, caseID string) ([]store.CaseEvent, error)
	FindCaseEvent(ctx context.Context, eventID string) (*store.CaseEvent, error)
	GetProposal(ctx context.Context, id string) (*store.Proposal, error)
	ListProposals(ctx context.Context, caseID string) ([]store.Proposal, error)
	ListApprovedProposals(ctx context.Context) ([]store.Proposal, error)
	Transition(ctx context.Context, id string, from, to store.State, by, note string) error
	RecordExecution(ctx context.Context, e *store.Execution) error
	GetExecution(ctx context.Context, proposalID string) (*store.Execution, error)
	OrderExecutions(ctx context.Context, orderID string, since time.Time) ([]store.Execution, error)
	AppendAudit(ctx context.Context, e *store.AuditEntry) error
}

var _ Store = (store.Store)(nil)

// Investigator investigates an order; *agent.Investigator implements it.
type Investigator interface {
	Investigate(ctx context.Context, t agent.Trigger) (*agent.Case, error)
}

var _ Investigator = (*agent.Investigator)(nil)

// Rememberer keeps resolved cases for similar-case search;
// *MemorySearch implements it.
type Rememberer interface {
	Remember(ctx context.Context, m store.Memory) error
}

// Options configure a Desk. Store, Investigator, Systems and Guard are
// required.
type Options struct {
	Store        Store
	Investigator Investigator
	// Systems execute actions (Executor) and are read to remember
	// resolved cases (ERP). The guard reads them too.
	Systems connectors.Systems
	// Guard decides every action again on fresh data before it runs.
	Guard *policy.Guard
	// Memory, when set, remembers resolved cases.
	Memory Rememberer
	// EffectWindow is how long an executed action counts as done on its
	// order for every later case (default 24h): the same action (type,
	// order, arguments) is not proposed or executed again within it.
	EffectWindow time.Duration
	// RecoverAfter is how long an approved or claimed execution may stay
	// unfinished before Recover takes it for a crash (default 2m).
	RecoverAfter time.Duration
	// Notify, when set, is called after a change enqueued outbox messages
	// (a local drainer wakes up at once instead of at its next poll).
	Notify func()
	// Now is the wall clock of executions and recoveries (default
	// time.Now); business time is the connectors' Clock.
	Now func() time.Time
	// Log receives JSON logs; nil discards.
	Log *slog.Logger
}

// Desk runs the case lifecycle. It is safe for concurrent use; callers
// serialise the events of one order (ingest does, with its order lock).
type Desk struct {
	st       Store
	inv      Investigator
	sys      connectors.Systems
	guard    *policy.Guard
	mem      Rememberer
	window   time.Duration
	recovery time.Duration
	notify   func()
	now      func() time.Time
	log      *slog.Logger
}

// New validates the options and returns a Desk.
func New(o Options) (*Desk, error) {
	switch {
	case o.Store == nil:
		return nil, errors.New("casework: Options.Store is required")
	case o.Investigator == nil:
		return nil, errors.New("casework: Options.Investigator is required")
	case o.Guard == nil:
		return nil, errors.New("casework: Options.Guard is required")
	case o.Systems.Executor == nil || o.Systems.ERP == nil:
		return nil, errors.New("casework: Options.Systems needs an ERP and an Executor")
	}
	if o.EffectWindow <= 0 {
		o.EffectWindow = 24 * time.Hour
	}
	if o.RecoverAfter <= 0 {
		o.RecoverAfter = 2 * time.Minute
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Notify == nil {
		o.Notify = func() {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Desk{st: o.Store, inv: o.Investigator, sys: o.Systems, guard: o.Guard, mem: o.Memory,
		window: o.EffectWindow, recovery: o.RecoverAfter, notify: o.Notify, now: o.Now, log: o.Log}, nil
}

// Actors that are not people.
const (
	// ActorPolicy decides auto actions and settles blocked ones.
	ActorPolicy = "policy"
	// ActorExdesk opens, updates and resolves cases.
	ActorExdesk = "exdesk"
)

// Actor is who acts on a case: a person on a surface, or exdesk itself.
type Actor struct {
	ID      string `json:"id"`                // Slack user id, terminal user, "policy"
	Surface string `json:"surface,omitempty"` // slack, terminal, console
	Channel string `json:"channel,omitempty"`
	Thread  string `json:"thread,omitempty"`
	Team    string `json:"team,omitempty"`
}

// Approver is a person deciding a proposal.
type Approver struct {
	Actor
	// Holds reports whether the approver holds role (directly, through a
	// group, or through a role that includes it). Required.
	Holds func(ctx context.Context, role string) (bool, error)
}

func (a Approver) holds(ctx context.Context, role string) bool {
	if a.Holds == nil || role == "" {
		return false
	}
	ok, err := a.Holds(ctx, role)
	return err == nil && ok
}

// Fresh is the guard's decision on an action on current data, with a
// digest of the facts it used (for the audit trail).
type Fresh struct {
	policy.Decision
	FactsDigest string `json:"facts_digest"`
	// Effect is the money the action moves, from the same facts; nil for
	// actions that move none. The KPIs add it up (expedite spend, margin
	// protected by price corrections).
	Effect *Effect `json:"effect,omitempty"`
}

// Effect is the money an action moves, in currency units.
type Effect struct {
	// ExpediteCost is what expedite_shipment adds to freight.
	ExpediteCost float64 `json:"expedite_cost,omitempty"`
	// MarginProtected is what correct_price adds back to the order's
	// lines: (new price − current price) × qty when the price goes up.
	MarginProtected float64 `json:"margin_protected,omitempty"`
}

// effectOf reads the money an action moves from the guard's facts.
func effectOf(a connectors.Action, f policy.Facts) *Effect {
	switch a.Type {
	case connectors.ActExpediteShipment:
		return &Effect{ExpediteCost: connectors.FromCents(int64(f.Expedite.Cost))}
	case connectors.ActCorrectPrice:
		price, _ := a.Args["price"].(float64)
		up := policy.MoneyOf(price) - f.Price.Current
		if up <= 0 {
			return nil
		}
		return &Effect{MarginProtected: connectors.FromCents(int64(up) * int64(f.Price.Qty))}
	}
	return nil
}

// fresh decides a on current data. An action that no longer fits the order
// wraps policy.ErrInvalidAction; an unknown order wraps
// connectors.ErrNotFound.
func (d *Desk) fresh(ctx context.Context, a connectors.Action, confidence float64) (Fresh, error) {
	gctx, span := agent.GuardSpan(ctx, a)
	f, err := d.guard.Facts(gctx, a, confidence)
	if err != nil {
		agent.EndGuardSpan(span, policy.Decision{}, err)
		return Fresh{}, err
	}
	dec := d.guard.Engine().Decide(f)
	agent.EndGuardSpan(span, dec, nil)
	b, err := json.Marshal(f)
	if err != nil {
		return Fresh{}, fmt.Errorf("encoding facts of %s: %w", a, err)
	}
	sum := sha256.Sum256(b)
	return Fresh{Decision: dec, FactsDigest: hex.EncodeToString(sum[:]), Effect: effectOf(a, f)}, nil
}

// audit builds an audit entry with JSON data.
func audit(actor, kind, caseID, proposalID, rule, outcome string, data any) *store.AuditEntry {
	return &store.AuditEntry{Actor: actor, Kind: kind, CaseID: caseID, ProposalID: proposalID, Rule: rule,
		Outcome: outcome, Data: mustJSON(data)}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(`null`)
	}
	return b
}

// loadCase decodes a stored case document.
func loadCase(sc *store.Case) (*agent.Case, error) {
	var c agent.Case
	if err := json.Unmarshal(sc.Document, &c); err != nil {
		return nil, fmt.Errorf("decoding case %s: %w", sc.ID, err)
	}
	if c.ID == "" {
		c.ID = sc.ID
	}
	return &c, nil
}

// loadCaseHead decodes what correlating an event needs of a stored case
// document: the trigger, the class, the actions and when the case opened.
// The facts and tool calls, most of a document, are skipped.
func loadCaseHead(sc *store.Case) (*agent.Case, error) {
	var h struct {
		Trigger  agent.Trigger    `json:"trigger"`
		Class    string           `json:"exception_class"`
		Actions  []agent.Proposal `json:"actions"`
		OpenedAt time.Time        `json:"opened_at"`
	}
	if err := json.Unmarshal(sc.Document, &h); err != nil {
		return nil, fmt.Errorf("decoding case %s: %w", sc.ID, err)
	}
	return &agent.Case{ID: sc.ID, Trigger: h.Trigger, Class: h.Class, Actions: h.Actions, OpenedAt: h.OpenedAt}, nil
}

// record maps an investigated case onto its store record.
func record(c *agent.Case, status store.CaseStatus) (*store.Case, error) {
	doc, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encoding case %s: %w", c.ID, err)
	}
	return &store.Case{ID: c.ID, OrderID: c.OrderID, CustomerID: c.CustomerID, Class: c.Class, AlsoDetected: c.AlsoDetected,
		Severity: c.Severity, Status: status, Planner: c.Planner, PromptVersion: c.PromptVersion, Model: c.Model,
		PolicyVersion: c.PolicyVersion, Summary: c.Summary, Document: doc}, nil
}

// enqueue adds an outbox message inside a transaction.
func enqueue(ctx context.Context, tx store.Tx, caseID, kind string, data any) error {
	if err := tx.EnqueueOutbox(ctx, &store.OutboxMessage{CaseID: caseID, Kind: kind, Data: mustJSON(data)}); err != nil {
		return fmt.Errorf("outbox %s of case %s: %w", kind, caseID, err)
	}
	return nil
}

// inTx runs fn in a transaction and wakes the outbox drainer after a
// commit.
func (d *Desk) inTx(ctx context.Context, fn func(tx store.Tx) error) error {
	if err := d.st.InTx(ctx, fn); err != nil {
		return err
	}
	d.notify()
	return nil
}
