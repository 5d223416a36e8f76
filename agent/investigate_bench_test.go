package agent_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors/sim"
	"github.com/exdesk/exdesk/policy"
)

// BenchmarkInvestigateSim measures investigation alone on the simulated
// day's orders, on every core (b.RunParallel): the playbook with the typed
// tools over the in-memory connectors and the guard on every proposal. It
// stores nothing and executes nothing; casework's BenchmarkPipelineSim
// measures the whole case lifecycle with its store.
func BenchmarkInvestigateSim(b *testing.B) {
	s := sim.New(sim.Options{Seed: 1, Orders: 2000})
	s.ApplyAll()
	sys := s.Systems()
	engine, err := policy.Default()
	if err != nil {
		b.Fatal(err)
	}
	inv := &agent.Investigator{Planner: agent.Playbook{}, Systems: sys, Guard: policy.NewGuard(engine, sys),
		NewID: func(id string) string { return "case-" + id }}
	ids := s.OrderIDs()
	var next atomic.Int64
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := ids[int(next.Add(1))%len(ids)]
			if _, err := inv.Investigate(ctx, agent.Trigger{Type: agent.TriggerEvent, Event: "order_changed", OrderID: id}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cases/s")
}
