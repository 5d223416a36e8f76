package casework

import (
	"reflect"
	"testing"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
)

// TestLoadCaseHeadAgreesWithLoadCase: correlate reads only the head of a
// stored case; the head must be what the whole document says, so a
// renamed field of agent.Case cannot silently empty it.
func TestLoadCaseHeadAgreesWithLoadCase(t *testing.T) {
	c := &agent.Case{
		ID:       "case-SO-1",
		OrderID:  "SO-1",
		Trigger:  agent.Trigger{Type: agent.TriggerEvent, Event: connectors.EventHoldPlaced, OrderID: "SO-1"},
		Class:    connectors.ClassCreditHold,
		OpenedAt: time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC),
		Actions: []agent.Proposal{{Rank: 1, Action: connectors.Action{Type: "release_hold", OrderID: "SO-1"},
			Confidence: 0.9, Decision: policy.Decision{Outcome: policy.Approval, Role: "finance_supervisor", Rule: "credit.release"}}},
	}
	sc, err := record(c, store.CaseOpen)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := loadCase(sc)
	if err != nil {
		t.Fatal(err)
	}
	head, err := loadCaseHead(sc)
	if err != nil {
		t.Fatal(err)
	}
	got := []any{head.ID, head.Trigger, head.Class, head.Actions, head.OpenedAt}
	want := []any{whole.ID, whole.Trigger, whole.Class, whole.Actions, whole.OpenedAt}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("head %+v, whole document %+v", got, want)
	}
	if head.Class == "" || head.Trigger.Type == "" || len(head.Actions) != 1 || head.OpenedAt.IsZero() {
		t.Fatalf("head left fields empty: %+v", got)
	}
}
