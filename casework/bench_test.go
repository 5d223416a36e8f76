package casework_test

import (
	"context"
	"testing"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors/sim"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store/sqlite"
)

// BenchmarkPipelineSim measures the playbook pipeline on embedded stores:
// the simulated day's events through the whole case lifecycle
// (investigation with the tools, the guard on every proposal, the case,
// its proposals, audit entries and outbox message in one SQLite
// transaction, and the execution of the top auto action). It reports
// cases opened per second and events per second.
//
//	go test ./casework -run '^$' -bench PipelineSim -benchtime 1x
func BenchmarkPipelineSim(b *testing.B) {
	ctx := context.Background()
	engine, err := policy.Default()
	if err != nil {
		b.Fatal(err)
	}
	var cases, events int
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		s := sim.New(sim.Options{Seed: 1, Orders: 2000})
		sys := s.Systems()
		st, err := sqlite.Open(ctx, ":memory:", sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		guard := policy.NewGuard(engine, sys)
		desk, err := casework.New(casework.Options{Store: st, Investigator: &agent.Investigator{Planner: agent.Playbook{}, Systems: sys, Guard: guard},
			Systems: sys, Guard: guard})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for _, ev := range s.Events() {
			s.Apply(ev)
			res, err := desk.HandleEvent(ctx, ev)
			if err != nil {
				continue
			}
			events++
			if res.Outcome == casework.OutcomeOpened {
				cases++
			}
		}
		b.StopTimer()
		_ = st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(cases)/b.Elapsed().Seconds(), "cases/s")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
