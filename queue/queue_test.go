package queue_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/queue"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/sqlite"
)

func TestRank(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, "", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	type spec struct {
		id, class, tier, site, customer, promised string
		revenue                                   float64
		age                                       time.Duration
		role                                      string // a pending approval for this role
		blocked                                   bool
	}
	specs := []spec{
		{"strategic-late", "shipment_delay", "strategic", "DC-DAL", "C-1", "2026-06-30", 60000, time.Hour, "logistics_supervisor", false},
		{"standard-fresh", "credit_hold", "standard", "DC-ATL", "C-2", "2026-07-20", 500, time.Hour, "finance_supervisor", false},
		{"standard-old", "credit_hold", "standard", "DC-ATL", "C-3", "2026-07-20", 500, 72 * time.Hour, "", false},
		{"key-blocked", "compliance_hold", "key", "DC-DAL", "C-4", "2026-07-02", 20000, 2 * time.Hour, "", true},
	}
	for i, s := range specs {
		outcome := "auto"
		if s.blocked {
			outcome = "blocked"
		}
		doc, _ := json.Marshal(map[string]any{"customer_name": "Customer " + s.customer, "customer_tier": s.tier, "revenue_exposure": s.revenue,
			"promised_date": s.promised, "site": s.site, "actions": []any{map[string]any{"decision": map[string]any{"outcome": outcome}}}})
		c := store.Case{ID: s.id, OrderID: "SO-" + string(rune('1'+i)), CustomerID: s.customer, Class: s.class, Document: doc, CreatedAt: now.Add(-s.age)}
		if err := st.CreateCase(ctx, &c); err != nil {
			t.Fatal(err)
		}
		if s.role != "" {
			p := store.Proposal{CaseID: s.id, Rank: 1, Action: connectors.Action{Type: "release_hold", Args: connectors.Args{"hold_code": "CREDIT"}},
				Outcome: "approval", Role: s.role}
			if err := st.CreateProposal(ctx, &p); err != nil {
				t.Fatal(err)
			}
		}
	}
	closed := store.Case{ID: "resolved", OrderID: "SO-9", Class: "credit_hold", Status: store.CaseResolved}
	if err := st.CreateCase(ctx, &closed); err != nil {
		t.Fatal(err)
	}
	opts := queue.Options{Now: func() time.Time { return now }}
	tests := []struct {
		name string
		f    queue.Filter
		want []string
	}{
		{"all open by priority", queue.Filter{}, []string{"strategic-late", "key-blocked", "standard-old", "standard-fresh"}},
		{"class", queue.Filter{Class: "credit_hold"}, []string{"standard-old", "standard-fresh"}},
		{"status awaiting", queue.Filter{Status: queue.StatusAwaiting}, []string{"strategic-late", "standard-fresh"}},
		{"status blocked", queue.Filter{Status: queue.StatusBlocked}, []string{"key-blocked"}},
		{"role", queue.Filter{Role: "finance_supervisor"}, []string{"standard-fresh"}},
		{"site", queue.Filter{Site: "dc-dal"}, []string{"strategic-late", "key-blocked"}},
		{"customer by name", queue.Filter{Customer: "customer c-3"}, []string{"standard-old"}},
		{"waiting on me", queue.Filter{WaitingOn: []string{"finance_supervisor", "planner"}}, []string{"standard-fresh"}},
		{"waiting on no role", queue.Filter{WaitingOn: []string{}}, nil},
		{"limit", queue.Filter{Limit: 1}, []string{"strategic-late"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, err := queue.Rank(ctx, st, tc.f, opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range items {
				got = append(got, it.Case.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Rank(%+v) = %v, want %v", tc.f, got, tc.want)
			}
		})
	}
	items, _ := queue.Rank(ctx, st, queue.Filter{Limit: 1}, opts)
	if why := items[0].Why(); why != "strategic customer, $60,000 at risk, 1 day late, 1h old" {
		t.Errorf("Why = %q", why)
	}
}
