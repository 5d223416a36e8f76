package kpi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/kpi"
	"github.com/exdesk/exdesk/queue"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/sqlite"
)

// fill stores n cases over the last week: a third resolved by the policy,
// a third approved, a third open and waiting, each with two proposals.
func fill(b *testing.B, st store.Store, n int) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	classes := []string{"credit_hold", "inventory_shortage", "pricing_mismatch", "shipment_delay"}
	doc, _ := json.Marshal(map[string]any{"customer_tier": "key", "revenue_exposure": 12000, "promised_date": now.Format(time.DateOnly), "site": "DC-DAL"})
	for i := range n {
		c := store.Case{OrderID: fmt.Sprintf("SO-%d", i), CustomerID: fmt.Sprintf("C-%d", i%50), Class: classes[i%4], Document: doc,
			CreatedAt: now.Add(-time.Duration(i%(7*24)) * time.Hour)}
		if err := st.CreateCase(ctx, &c); err != nil {
			b.Fatal(err)
		}
		for r := 1; r <= 2; r++ {
			p := store.Proposal{CaseID: c.ID, OrderID: c.OrderID, Rank: r, Action: connectors.Action{Type: "release_hold", Args: connectors.Args{"hold_code": fmt.Sprint(r)}},
				Outcome: "approval", Role: "finance_supervisor", Rule: "credit.release.supervisor"}
			if err := st.CreateProposal(ctx, &p); err != nil {
				b.Fatal(err)
			}
			if r == 1 && i%3 != 2 {
				by := "policy"
				if i%3 == 1 {
					by = "U0SUP"
				}
				_ = st.Transition(ctx, p.ID, store.Pending, store.Approved, by, "")
				_ = st.RecordExecution(ctx, &store.Execution{ProposalID: p.ID, CaseID: c.ID, Action: p.Action, By: by})
				_ = st.FinishExecution(ctx, p.ID, store.ExecSucceeded, json.RawMessage(`{}`), "")
				_ = st.ResolveCase(ctx, c.ID, store.Resolution{Resolution: "released", By: by})
			}
		}
	}
}

// BenchmarkCompute: the KPIs over a week of n cases (SQLite).
func BenchmarkCompute(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("cases=%d", n), func(b *testing.B) {
			st, err := sqlite.Open(context.Background(), "", sqlite.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			fill(b, st, n)
			now := time.Now()
			b.ResetTimer()
			for b.Loop() {
				if _, err := kpi.Compute(context.Background(), st, now.AddDate(0, 0, -7), now.Add(time.Minute)); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			items, _ := queue.Rank(context.Background(), st, queue.Filter{}, queue.Options{})
			began := time.Now()
			for range 10 {
				_, _ = queue.Rank(context.Background(), st, queue.Filter{WaitingOn: []string{"finance_supervisor"}, Limit: 10}, queue.Options{})
			}
			b.ReportMetric(float64(time.Since(began).Microseconds())/10/1000, "queue-ms")
			b.ReportMetric(float64(len(items)), "open")
		})
	}
}
