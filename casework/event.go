package casework

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/attribute"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
)

// Outcomes of HandleEvent (the "outcome" label of ingest metrics).
const (
	// OutcomeOpened: the event opened a case.
	OutcomeOpened = "opened"
	// OutcomeNoException: the investigation found no exception; the event
	// is recorded in a closed case of class none.
	OutcomeNoException = "no_exception"
	// OutcomeCorrelated: the event joined the order's open case.
	OutcomeCorrelated = "correlated"
	// OutcomeDuplicate: the event was already recorded in a case.
	OutcomeDuplicate = "duplicate"
)

// Case event kinds the desk appends.
const (
	KindEventOpened     = "event.opened"
	KindEventCorrelated = "event.correlated"
	KindQuestion        = "question.asked"
)

// CaseIDFor returns the id of the case an event opens: the same for every
// delivery of the event.
func CaseIDFor(ev connectors.Event) string {
	h := sha256.Sum256([]byte(ev.ID))
	return "case-" + ev.OrderID + "-" + hex.EncodeToString(h[:6])
}

// EventResult says what HandleEvent did.
type EventResult struct {
	Outcome string
	CaseID  string
	// Case is the case as investigated for this event (nil for a
	// duplicate).
	Case *agent.Case
	// Executed is the auto action executed for the event, if any.
	Executed *connectors.Execution
	// ExecErr is why the top auto action did not execute, if it did not.
	ExecErr error
}

// HandleEvent turns one source event into exactly one case record: it
// opens a case for the event's order or joins the order's open case, and
// executes the top auto action. Callers serialise the events of one order.
// It is safe to call again for an event it handled: the event id is
// unique in the store, so a redelivery only finishes what an interrupted
// delivery left undone.
func (d *Desk) HandleEvent(ctx context.Context, ev connectors.Event) (res EventResult, err error) {
	caseID, traceID := "", ""
	if sc, err := d.openCase(ctx, ev.OrderID); err == nil && sc != nil {
		// The case was read just now: its document names the trace.
		caseID, traceID = sc.ID, documentTrace(sc.Document)
	}
	ctx, span := d.caseTrace(ctx, "exdesk.case.event "+ev.Type, caseID, traceID,
		attribute.String("exdesk.order_id", ev.OrderID), attribute.String("exdesk.event_id", ev.ID))
	defer func() {
		span.SetAttributes(attribute.String("exdesk.outcome", string(res.Outcome)))
		endSpan(span, err)
		if err == nil {
			d.log.Debug("event handled", "event_id", ev.ID, "order", ev.OrderID, "case", res.CaseID, "outcome", res.Outcome, "trace_id", TraceID(ctx))
		}
	}()
	return d.handleEvent(ctx, ev)
}

func (d *Desk) handleEvent(ctx context.Context, ev connectors.Event) (EventResult, error) {
	if ce, err := d.st.FindCaseEvent(ctx, ev.ID); err == nil {
		// Recorded by an earlier delivery, in the case it opened or
		// joined: finish what it may have left undone there.
		res := EventResult{Outcome: OutcomeDuplicate, CaseID: ce.CaseID}
		if err := d.finishCase(ctx, ce.CaseID); err != nil {
			return res, err
		}
		return res, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return EventResult{}, fmt.Errorf("looking up event %s: %w", ev.ID, err)
	}
	c, err := d.inv.Investigate(ctx, agent.Trigger{Type: agent.TriggerEvent, Event: ev.Type, OrderID: ev.OrderID})
	if err != nil {
		return EventResult{}, fmt.Errorf("investigating %s for event %s: %w", ev.OrderID, ev.ID, err)
	}
	for attempt := 0; ; attempt++ {
		open, err := d.st.ListCases(ctx, store.CaseFilter{OrderID: ev.OrderID, OpenOnly: true, Limit: 1})
		if err != nil {
			return EventResult{}, fmt.Errorf("finding the open case of %s: %w", ev.OrderID, err)
		}
		var res eventResult
		if len(open) > 0 {
			res, err = d.correlate(ctx, ev, &open[0], c)
		} else {
			res, err = d.open(ctx, ev, c)
		}
		switch {
		case errors.Is(err, store.ErrOpenCase) && attempt == 0:
			continue // another surface opened a case meanwhile: join it
		case errors.Is(err, store.ErrDuplicate):
			return EventResult{Outcome: OutcomeDuplicate}, nil
		case err != nil:
			return res.EventResult, err
		}
		if res.execute != nil {
			// The effects done on the order were read just now, under the
			// order's lock: no need to read them again before executing.
			res.Executed, res.ExecErr = d.executeAuto(ctx, *res.execute, res.confidence, false)
		}
		return res.EventResult, nil
	}
}

// eventResult is an EventResult with the proposal to execute.
type eventResult struct {
	EventResult
	execute    *store.Proposal
	confidence float64
}

func eventRef(ev connectors.Event) *EventRef {
	return &EventRef{ID: ev.ID, Type: ev.Type, Source: ev.Source, At: ev.At}
}

func eventRecord(ev connectors.Event, caseID, kind string) (*store.CaseEvent, error) {
	data, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encoding event %s: %w", ev.ID, err)
	}
	return &store.CaseEvent{CaseID: caseID, EventID: ev.ID, At: ev.At, Kind: kind, Actor: ev.Source, Data: data}, nil
}

// open stores a new case for the event: the case, the event, its
// proposals, their audit entries and the post, in one transaction.
func (d *Desk) open(ctx context.Context, ev connectors.Event, c *agent.Case) (eventResult, error) {
	c.ID = CaseIDFor(ev)
	res := eventResult{EventResult: EventResult{Outcome: OutcomeOpened, CaseID: c.ID, Case: c}}
	ce, err := eventRecord(ev, c.ID, KindEventOpened)
	if err != nil {
		return res, err
	}
	if c.Class == connectors.ClassNone {
		// No exception: a closed case accounts for the event, so the
		// order's next event investigates anew.
		res.Outcome = OutcomeNoException
		// What the investigation read is not kept for an order without an
		// exception: the record accounts for the event, and is small.
		clean := *c
		clean.Calls, clean.Facts = nil, nil
		sc, err := record(&clean, store.CaseClosed)
		if err != nil {
			return res, err
		}
		return res, d.st.InTx(ctx, func(tx store.Tx) error {
			if err := tx.CreateCase(ctx, sc); err != nil {
				return err
			}
			return tx.AppendCaseEvent(ctx, ce)
		})
	}
	done, err := d.doneEffects(ctx, c)
	if err != nil {
		return res, err
	}
	err = d.inTx(ctx, func(tx store.Tx) error {
		ps, err := d.create(ctx, tx, c, done, byEvent, Actor{ID: ActorExdesk}, map[string]any{"event": eventRef(ev)})
		if err != nil {
			return err
		}
		res.execute, res.confidence = ps.execute, ps.confidence
		if err := tx.AppendCaseEvent(ctx, ce); err != nil {
			return err
		}
		if e := ps.topDone; e != nil {
			// What the case recommends was done before (another case, or
			// another replica): nothing is left to do.
			return d.resolveTx(ctx, tx, c.ID, nil, store.Resolution{By: ActorExdesk,
				Resolution: fmt.Sprintf("already done: %s in case %s", agent.Describe(ps.topDoneAction), e.CaseID)}, nil)
		}
		return nil
	})
	return res, err
}

// create writes a new open case with its proposals, audit entries and the
// post of the case, inside tx.
func (d *Desk) create(ctx context.Context, tx store.Tx, c *agent.Case, done map[string]store.Execution, m mode, by Actor, why map[string]any) (proposals, error) {
	ps := d.propose(c, nil, done, m)
	sc, err := record(c, store.CaseOpen) // the document names the proposals
	if err != nil {
		return ps, err
	}
	if err := tx.CreateCase(ctx, sc); err != nil {
		return ps, fmt.Errorf("storing case %s: %w", c.ID, err)
	}
	data := map[string]any{"order_id": c.OrderID, "trigger": c.Trigger, "severity": c.Severity, "planner": c.Planner}
	for k, v := range why {
		data[k] = v
	}
	if by.Surface != "" {
		data["asked_by"] = by
	}
	if err := tx.AppendAudit(ctx, audit(by.ID, "case.opened", c.ID, "", "", c.Class, data)); err != nil {
		return ps, err
	}
	if err := ps.write(ctx, tx, c); err != nil {
		return ps, err
	}
	post := Post{Class: c.Class, Severity: c.Severity}
	if by.Surface != "" && by.Channel != "" {
		o := by
		post.Origin = &o
	}
	return ps, enqueue(ctx, tx, c.ID, store.OutboxCasePost, post)
}

// correlate records the event in the order's open case and decides the
// case again on current data: pending proposals whose decision changed are
// superseded, new actions proposed; a case that no longer shows an
// exception is resolved.
func (d *Desk) correlate(ctx context.Context, ev connectors.Event, open *store.Case, fresh *agent.Case) (eventResult, error) {
	res := eventResult{EventResult: EventResult{Outcome: OutcomeCorrelated, CaseID: open.ID, Case: fresh}}
	was, err := loadCaseHead(open)
	if err != nil {
		return res, err
	}
	ce, err := eventRecord(ev, open.ID, KindEventCorrelated)
	if err != nil {
		return res, err
	}
	existing, err := d.st.ListProposals(ctx, open.ID)
	if err != nil {
		return res, fmt.Errorf("proposals of case %s: %w", open.ID, err)
	}
	reading := Reading{Class: fresh.Class, Summary: fresh.Summary}
	if top, ok := fresh.Top(); ok {
		reading.Top, reading.Decision = agent.Describe(top.Action), top.Decision
	}
	reading.Same = fresh.Class == was.Class && topKey(fresh) == topKey(was)
	if fresh.Class == connectors.ClassNone {
		err := d.inTx(ctx, func(tx store.Tx) error {
			if err := tx.AppendCaseEvent(ctx, ce); err != nil {
				return err
			}
			return d.resolveTx(ctx, tx, open.ID, existing, store.Resolution{
				Resolution: "the order no longer shows an exception", By: ActorExdesk},
				&Note{Kind: NoteEvent, Event: eventRef(ev), Now: &reading})
		})
		return res, err
	}
	done, err := d.doneEffects(ctx, fresh)
	if err != nil {
		return res, err
	}
	fresh.ID, fresh.Trigger, fresh.OpenedAt = open.ID, was.Trigger, was.OpenedAt
	err = d.inTx(ctx, func(tx store.Tx) error {
		if err := tx.AppendCaseEvent(ctx, ce); err != nil {
			return err
		}
		ps := d.propose(fresh, existing, done, byEvent)
		if err := ps.write(ctx, tx, fresh); err != nil {
			return err
		}
		res.execute, res.confidence = ps.execute, ps.confidence
		sc, err := record(fresh, store.CaseOpen)
		if err != nil {
			return err
		}
		if err := tx.UpdateCase(ctx, sc); err != nil {
			return fmt.Errorf("updating case %s: %w", open.ID, err)
		}
		if err := tx.AppendAudit(ctx, audit(ActorExdesk, "case.updated", open.ID, "", "", fresh.Class,
			map[string]any{"event": eventRef(ev), "same": reading.Same, "superseded": len(ps.superseded) + len(ps.retired)})); err != nil {
			return err
		}
		if reading.Same && len(ps.superseded)+len(ps.retired) == 0 && ps.created() == 0 {
			// Nothing changed: the event is in the case's history and audit
			// trail, and the thread is not told the same thing again.
			return nil
		}
		if err := enqueue(ctx, tx, open.ID, store.OutboxCaseRefresh, Refresh{Reason: "investigated again after event " + ev.ID}); err != nil {
			return err
		}
		return enqueue(ctx, tx, open.ID, store.OutboxCaseNote, Note{Kind: NoteEvent, Event: eventRef(ev), Now: &reading})
	})
	return res, err
}

func topKey(c *agent.Case) string {
	top, ok := c.Top()
	if !ok {
		return ""
	}
	return top.Action.Key() + "|" + string(top.Decision.Outcome) + "|" + top.Decision.Role
}

// finishCase finishes what an interrupted delivery left undone on a case:
// the top auto action of an open event-driven case that is pending, and
// executions claimed but never finished (RecoverAfter old).
func (d *Desk) finishCase(ctx context.Context, caseID string) error {
	sc, err := d.st.GetCase(ctx, caseID)
	if err != nil {
		return fmt.Errorf("case %s: %w", caseID, err)
	}
	if sc.Status != store.CaseOpen {
		return nil
	}
	c, err := loadCase(sc)
	if err != nil {
		return err
	}
	if c.Trigger.Type != agent.TriggerEvent {
		return nil
	}
	ps, err := d.st.ListProposals(ctx, caseID)
	if err != nil {
		return fmt.Errorf("proposals of case %s: %w", caseID, err)
	}
	state := map[string]store.Proposal{}
	for _, p := range ps {
		state[p.ID] = p
	}
	for _, a := range c.Actions {
		p, ok := state[a.Action.ID]
		if !ok || a.Decision.Outcome == policy.Blocked {
			continue
		}
		switch {
		case p.State == store.Pending && a.Decision.Outcome == policy.Auto:
			_, _ = d.executeAuto(ctx, p, a.Confidence, true)
		case p.State == store.Approved:
			d.recoverOne(ctx, p, true)
		}
		return nil // only the top action that can proceed
	}
	return nil
}
