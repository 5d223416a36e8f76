package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/store"
)

// Outcomes of processing one event (the "outcome" label of the processed
// metric).
const (
	// OutcomeOpened: the event opened a case (posted to the sink).
	OutcomeOpened = "opened"
	// OutcomeNoException: the investigation found no exception; the event
	// is recorded in a closed case of class none.
	OutcomeNoException = "no_exception"
	// OutcomeCorrelated: the event joined the order's open case.
	OutcomeCorrelated = "correlated"
	// OutcomeDuplicate: the event was already recorded in a case.
	OutcomeDuplicate = "duplicate"
	// OutcomeResumed: an earlier attempt stored the case and died; this one
	// finished it.
	OutcomeResumed = "resumed"
)

// Case event kinds the processor appends.
const (
	KindEventOpened     = "event.opened"
	KindEventCorrelated = "event.correlated"
)

// Applier applies an event's state change to the connectors when they are
// the simulator (*sim.Sim implements it). It must be idempotent per event id.
type Applier interface {
	Apply(e connectors.Event)
}

// Investigator investigates an order; *agent.Investigator implements it.
type Investigator interface {
	Investigate(ctx context.Context, t agent.Trigger) (*agent.Case, error)
}

// CaseStore is the part of store.Store the processor uses.
type CaseStore interface {
	CreateCase(ctx context.Context, c *store.Case) error
	GetCase(ctx context.Context, id string) (*store.Case, error)
	ListCases(ctx context.Context, f store.CaseFilter) ([]store.Case, error)
	AppendCaseEvent(ctx context.Context, e *store.CaseEvent) error
	ListCaseEvents(ctx context.Context, caseID string) ([]store.CaseEvent, error)
}

// CaseSink receives the cases that events open: it persists the case and
// its proposals, executes the top auto action at most once and tells
// people. slackbot.Bot and StoreSink implement it.
type CaseSink interface {
	PostCase(ctx context.Context, c *agent.Case) error
}

// CaseUpdater is implemented by sinks that can tell people that an event
// joined an open case (slackbot.Bot posts it into the case's thread).
type CaseUpdater interface {
	PostCaseUpdate(ctx context.Context, caseID, text string) error
}

// Resumable is implemented by sinks whose PostCase may be called again for
// a case id it has seen, finishing what an interrupted call left undone
// without repeating what it did (StoreSink). For other sinks, a case an
// interrupted attempt stored is not posted again, so that a sink that mints
// new proposal ids never executes the same action twice.
type Resumable interface {
	Resumable() bool
}

// Delivery is one stream entry handed to a worker.
type Delivery struct {
	// EntryID is the stream entry id (e.g. 1700000000000-0).
	EntryID string
	Event   connectors.Event
}

// Syncer brings the simulated connectors up to a stream entry before it is
// processed (*Replayer implements it).
type Syncer interface {
	SyncTo(ctx context.Context, entryID string) error
}

// CaseProcessor turns one event into exactly one case record: it applies
// the event (simulator), then either correlates it into the order's open
// case or investigates and opens a case. It is safe to run again for an
// event it already processed: the store's unique event id and the
// deterministic case id per event make the second run a no-op. Callers
// serialise work per order (RunWorkers does, with the order lock).
type CaseProcessor struct {
	Store        CaseStore
	Investigator Investigator
	Sink         CaseSink
	// Applier, when set, gets every event before the investigation.
	Applier Applier
	// Sync, when set, is called with the entry id before the event is
	// applied (simulated connectors shared through the stream).
	Sync Syncer
	// Log receives JSON logs; nil discards.
	Log *slog.Logger
}

// CaseIDFor returns the id of the case an event opens: the same for every
// delivery of the event, so a redelivery finds what an earlier attempt
// stored.
func CaseIDFor(ev connectors.Event) string {
	h := sha256.Sum256([]byte(ev.ID))
	return "case-" + ev.OrderID + "-" + hex.EncodeToString(h[:6])
}

func (p *CaseProcessor) log() *slog.Logger {
	if p.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Log
}

// Process processes one delivery and says what it did.
func (p *CaseProcessor) Process(ctx context.Context, d Delivery) (string, error) {
	ev := d.Event
	if p.Sync != nil && d.EntryID != "" {
		if err := p.Sync.SyncTo(ctx, d.EntryID); err != nil {
			return "", fmt.Errorf("syncing the simulator to %s: %w", d.EntryID, err)
		}
	}
	if p.Applier != nil {
		p.Applier.Apply(ev)
	}
	ownID := CaseIDFor(ev)
	open, err := p.Store.ListCases(ctx, store.CaseFilter{OrderID: ev.OrderID, OpenOnly: true, Limit: 1})
	if err != nil {
		return "", fmt.Errorf("finding the open case of %s: %w", ev.OrderID, err)
	}
	if len(open) > 0 && open[0].ID != ownID {
		return p.correlate(ctx, ev, open[0].ID)
	}
	if len(open) == 0 {
		// A case this event opened earlier and that is closed since (or was
		// closed from the start: no exception) means the event is done.
		if _, err := p.Store.GetCase(ctx, ownID); err == nil {
			return p.mark(ctx, ev, ownID, KindEventOpened, OutcomeDuplicate)
		} else if !errors.Is(err, store.ErrNotFound) {
			return "", fmt.Errorf("looking up case %s: %w", ownID, err)
		}
	}
	resumed := len(open) > 0 // an earlier attempt stored this event's case
	if resumed {
		done, err := p.recordedIn(ctx, ownID, ev.ID)
		if err != nil {
			return "", err
		}
		if done {
			return OutcomeDuplicate, nil
		}
		if r, ok := p.Sink.(Resumable); !ok || !r.Resumable() {
			p.log().Warn("case stored by an interrupted attempt; not posted again", "case", ownID, "event", ev.ID)
			return p.mark(ctx, ev, ownID, KindEventOpened, OutcomeResumed)
		}
	}
	c, err := p.Investigator.Investigate(ctx, agent.Trigger{Type: agent.TriggerEvent, Event: ev.Type, OrderID: ev.OrderID})
	if err != nil {
		return "", fmt.Errorf("investigating %s for event %s: %w", ev.OrderID, ev.ID, err)
	}
	c.ID = ownID
	outcome := OutcomeOpened
	if c.Class == connectors.ClassNone {
		if err := p.recordClean(ctx, c); err != nil {
			return "", err
		}
		outcome = OutcomeNoException
	} else if err := p.Sink.PostCase(ctx, c); err != nil {
		return "", fmt.Errorf("posting case %s: %w", c.ID, err)
	}
	if resumed {
		outcome = OutcomeResumed
	}
	return p.mark(ctx, ev, ownID, KindEventOpened, outcome)
}

// correlate records the event in the order's open case.
func (p *CaseProcessor) correlate(ctx context.Context, ev connectors.Event, caseID string) (string, error) {
	outcome, err := p.mark(ctx, ev, caseID, KindEventCorrelated, OutcomeCorrelated)
	if err != nil || outcome != OutcomeCorrelated {
		return outcome, err
	}
	if u, ok := p.Sink.(CaseUpdater); ok {
		text := fmt.Sprintf("New %s event from %s at %s (event %s).", ev.Type, ev.Source, ev.At.Format("2006-01-02 15:04 MST"), ev.ID)
		text += " " + p.whatChanged(ctx, ev, caseID)
		if err := u.PostCaseUpdate(ctx, caseID, text); err != nil {
			// The event is recorded in the case; the thread note is best effort.
			p.log().Warn("case update not posted", "case", caseID, "event", ev.ID, "err", err)
		}
	}
	return outcome, nil
}

// whatChanged investigates the order again on current data and says how
// the open case reads now: the same class and top action, or what changed.
// It proposes nothing: the thread's approvals are re-checked on fresh data
// when clicked, and a question in the thread gets the updated actions.
func (p *CaseProcessor) whatChanged(ctx context.Context, ev connectors.Event, caseID string) string {
	now, err := p.Investigator.Investigate(ctx, agent.Trigger{Type: agent.TriggerEvent, Event: ev.Type, OrderID: ev.OrderID})
	if err != nil {
		return "The order could not be investigated again: " + err.Error()
	}
	var was agent.Case
	if sc, err := p.Store.GetCase(ctx, caseID); err == nil {
		_ = json.Unmarshal(sc.Document, &was)
	}
	top := func(c *agent.Case) string {
		t, ok := c.Top()
		if !ok {
			return "no action"
		}
		d := agent.Describe(t.Action) + " (" + string(t.Decision.Outcome)
		if t.Decision.Role != "" {
			d += " by " + t.Decision.Role
		}
		return d + ")"
	}
	switch {
	case now.Class == connectors.ClassNone:
		return "Investigated again on current data: the order no longer shows an exception."
	case now.Class == was.Class && top(now) == top(&was):
		return fmt.Sprintf("Investigated again on current data: still %s; the recommendation stands: %s.", now.Class, top(now))
	}
	return fmt.Sprintf("Investigated again on current data, the case now reads: %s Ask here for the updated actions.", now.Summary)
}

// mark appends the event to the case; a second append of the same event id
// is the store's ErrDuplicate, reported as OutcomeDuplicate (or kept as
// the given outcome when this attempt did the work).
func (p *CaseProcessor) mark(ctx context.Context, ev connectors.Event, caseID, kind, outcome string) (string, error) {
	data, err := json.Marshal(ev)
	if err != nil {
		return "", fmt.Errorf("encoding event %s: %w", ev.ID, err)
	}
	ce := &store.CaseEvent{CaseID: caseID, EventID: ev.ID, At: ev.At, Kind: kind, Actor: ev.Source, Data: data}
	if err := p.Store.AppendCaseEvent(ctx, ce); err != nil {
		if errors.Is(err, store.ErrDuplicate) {
			if outcome == OutcomeCorrelated {
				return OutcomeDuplicate, nil
			}
			return outcome, nil
		}
		return "", fmt.Errorf("recording event %s in case %s: %w", ev.ID, caseID, err)
	}
	return outcome, nil
}

// recordClean stores a case that found no exception, closed at once, so
// the event is accounted for and the order's next event investigates anew.
func (p *CaseProcessor) recordClean(ctx context.Context, c *agent.Case) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encoding case %s: %w", c.ID, err)
	}
	sc := &store.Case{ID: c.ID, OrderID: c.OrderID, CustomerID: c.CustomerID, Class: c.Class, AlsoDetected: c.AlsoDetected,
		Severity: c.Severity, Status: store.CaseClosed, Planner: c.Planner, PromptVersion: c.PromptVersion, Model: c.Model,
		PolicyVersion: c.PolicyVersion, Summary: c.Summary, Document: doc}
	if err := p.Store.CreateCase(ctx, sc); err != nil && !errors.Is(err, store.ErrDuplicate) {
		return fmt.Errorf("storing case %s: %w", c.ID, err)
	}
	return nil
}

// recordedIn reports whether the event is recorded in the case.
func (p *CaseProcessor) recordedIn(ctx context.Context, caseID, eventID string) (bool, error) {
	evs, err := p.Store.ListCaseEvents(ctx, caseID)
	if err != nil {
		return false, fmt.Errorf("listing events of case %s: %w", caseID, err)
	}
	for _, e := range evs {
		if e.EventID == eventID {
			return true, nil
		}
	}
	return false, nil
}
