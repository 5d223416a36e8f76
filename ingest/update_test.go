package ingest

import (
	"context"
	"strings"
	"sync"
	"testing"
)

// noteSink is a StoreSink that also takes thread notes, as slackbot does.
type noteSink struct {
	*StoreSink
	mu    sync.Mutex
	notes map[string][]string
}

func (n *noteSink) PostCaseUpdate(_ context.Context, caseID, text string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.notes[caseID] = append(n.notes[caseID], text)
	return nil
}

// An event for an order with an open case goes into that case, and its
// thread hears how the case reads on current data.
func TestCorrelatedEventReinvestigates(t *testing.T) {
	p := newSimPipeline(t, 300)
	sink := &noteSink{StoreSink: p.proc.Sink.(*StoreSink), notes: map[string][]string{}}
	p.proc.Sink = sink
	ctx := context.Background()
	for _, ev := range p.sim.Events() {
		if _, err := p.proc.Process(ctx, Delivery{Event: ev}); err != nil {
			t.Fatal(err)
		}
	}
	if len(sink.notes) == 0 {
		t.Fatal("no correlated event reached an open case's thread")
	}
	for caseID, notes := range sink.notes {
		for _, n := range notes {
			if !strings.Contains(n, "Investigated again on current data") && !strings.Contains(n, "could not be investigated") {
				t.Fatalf("case %s note does not say how the case reads now: %q", caseID, n)
			}
		}
	}
	t.Logf("%d open cases heard about later events", len(sink.notes))
}
