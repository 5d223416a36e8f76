package main

import (
	"log/slog"
	"regexp"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
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
	// OrderHint: see investigatorConfig.
	OrderHint *regexp.Regexp
	// EffectWindow: see casework.Options (0: the default).
	EffectWindow time.Duration
	Notify       func()
	Log          *slog.Logger
}

// newDesk builds the case lifecycle over the investigator of c.
func newDesk(c deskConfig) (*casework.Desk, *agent.Investigator, error) {
	inv := newInvestigator(investigatorConfig{Systems: c.Systems, Engine: c.Engine, Planner: c.Planner, Memory: c.Memory, OrderHint: c.OrderHint})
	o := casework.Options{Store: c.Store, Investigator: inv, Systems: c.Systems, Guard: inv.Guard,
		EffectWindow: c.EffectWindow, Notify: c.Notify, Log: c.Log}
	if c.Memory != nil {
		o.Memory = c.Memory
	}
	d, err := casework.New(o)
	return d, inv, err
}
