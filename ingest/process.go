package ingest

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
)

// Outcomes of processing one event (the "outcome" label of the processed
// metric): what casework.Desk.HandleEvent did with it.
const (
	OutcomeOpened      = casework.OutcomeOpened
	OutcomeNoException = casework.OutcomeNoException
	OutcomeCorrelated  = casework.OutcomeCorrelated
	OutcomeDuplicate   = casework.OutcomeDuplicate
)

// Applier applies an event's state change to the connectors when they are
// the simulator (*sim.Sim implements it). It must be idempotent per event id.
type Applier interface {
	Apply(e connectors.Event)
}

// Desk turns one event into exactly one case record; *casework.Desk
// implements it.
type Desk interface {
	HandleEvent(ctx context.Context, ev connectors.Event) (casework.EventResult, error)
}

var _ Desk = (*casework.Desk)(nil)

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

// CaseProcessor processes one delivery: it brings simulated connectors up
// to the event, then hands the event to the case lifecycle (the Desk),
// which opens or joins the order's case and executes its top auto action.
// It is safe to run again for an event it already processed. Callers
// serialise work per order (RunWorkers does, with the order lock); the
// lock is not held for posting: posts go through the store's outbox.
type CaseProcessor struct {
	Desk Desk
	// Applier, when set, gets every event before the investigation.
	Applier Applier
	// Sync, when set, is called with the entry id before the event is
	// applied (simulated connectors shared through the stream).
	Sync Syncer
	// Log receives JSON logs; nil discards.
	Log *slog.Logger
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
	res, err := p.Desk.HandleEvent(ctx, ev)
	if err != nil {
		return "", err
	}
	if res.ExecErr != nil && p.Log != nil {
		p.Log.Warn("auto action not executed", "case", res.CaseID, "event", ev.ID, "err", res.ExecErr)
	}
	return res.Outcome, nil
}
