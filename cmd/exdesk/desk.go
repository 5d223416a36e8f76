package main

import (
	"log/slog"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/tools"
)

// deskConfig is what every command that runs the case lifecycle builds it
// from: serve, worker, demo.
type deskConfig struct {
	Store   store.Store
	Systems connectors.Systems
	Engine  *policy.Engine
	Planner agent.Planner
	// Memory, when set, is searched by find_similar_cases and keeps
	// resolved cases.
	Memory *casework.MemorySearch
	// EffectWindow: see casework.Options (0: the default).
	EffectWindow time.Duration
	Notify       func()
	Log          *slog.Logger
}

// newInvestigator is the one investigator every command uses: the planner,
// the playbook as its fallback, the guard over the same systems, and case
// memory when configured.
func newInvestigator(sys connectors.Systems, engine *policy.Engine, planner agent.Planner, mem *casework.MemorySearch) *agent.Investigator {
	inv := &agent.Investigator{Planner: planner, Fallback: agent.Playbook{}, Systems: sys, Guard: policy.NewGuard(engine, sys)}
	if mem != nil {
		inv.Tools = []tools.Handle{tools.SimilarCases(sys, mem)}
		if mem.Decisions != nil {
			// Human decisions in similar past cases rank the proposals.
			inv.Learning = &agent.Learning{Memory: mem}
		}
	}
	return inv
}

// newDesk builds the case lifecycle over the investigator of c.
func newDesk(c deskConfig) (*casework.Desk, *agent.Investigator, error) {
	inv := newInvestigator(c.Systems, c.Engine, c.Planner, c.Memory)
	o := casework.Options{Store: c.Store, Investigator: inv, Systems: c.Systems, Guard: inv.Guard,
		EffectWindow: c.EffectWindow, Notify: c.Notify, Log: c.Log}
	if c.Memory != nil {
		o.Memory = c.Memory
	}
	d, err := casework.New(o)
	return d, inv, err
}
