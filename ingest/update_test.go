package ingest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/store"
)

// An event for an order with an open case goes into that case, and its
// thread is told (through the outbox) how the case reads on current data.
func TestCorrelatedEventReinvestigates(t *testing.T) {
	p := newSimPipeline(t, 300)
	ctx := context.Background()
	correlated := map[string]int{}
	for _, ev := range p.sim.Events() {
		out, err := p.proc.Process(ctx, Delivery{Event: ev})
		if err != nil {
			t.Fatal(err)
		}
		if out == OutcomeCorrelated {
			ce, err := p.store.FindCaseEvent(ctx, ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			correlated[ce.CaseID]++
		}
	}
	if len(correlated) == 0 {
		t.Fatal("no event joined an open case")
	}
	msgs, err := p.store.ClaimOutbox(ctx, "test", 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string]int{}
	for _, m := range msgs {
		if m.Kind != store.OutboxCaseNote {
			continue
		}
		var n casework.Note
		if err := json.Unmarshal(m.Data, &n); err != nil {
			t.Fatal(err)
		}
		if n.Kind == casework.NoteEvent {
			if n.Event == nil || n.Now == nil || n.Now.Class == "" {
				t.Errorf("case %s: event note without the event or how the case reads now: %s", m.CaseID, m.Data)
			}
			notes[m.CaseID]++
		}
	}
	for caseID, n := range correlated {
		if notes[caseID] != n {
			t.Errorf("case %s: %d events joined it, %d notes for its thread", caseID, n, notes[caseID])
		}
	}
	t.Logf("%d open cases heard about later events", len(correlated))
}
