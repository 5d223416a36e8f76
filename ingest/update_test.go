package ingest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/store"
)

// An event for an order with an open case goes into that case, and when it
// changes how the case reads its thread is told (through the outbox); an
// event that changes nothing is recorded without a note.
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
	total := 0
	for caseID, n := range notes {
		if n > correlated[caseID] {
			t.Errorf("case %s: %d events joined it, %d notes for its thread", caseID, correlated[caseID], n)
		}
		total += n
	}
	if total == 0 {
		t.Error("no joined event changed how its case reads: the notes are never written")
	}
	t.Logf("%d open cases joined by later events; %d of those events changed how the case reads", len(correlated), total)
}
