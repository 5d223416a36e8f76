package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/embed"
	"github.com/exdesk/exdesk/tools"
)

// embedderFor is the case-memory embedder: the configured model on the
// OpenAI-compatible endpoint, or the local feature-hashing embedder.
func embedderFor(e *env) store.Embedder {
	if m := e.getenv("EXDESK_EMBEDDING_MODEL"); m != "" {
		return embed.NewOpenAI(e.getenv("OPENAI_BASE_URL"), e.getenv("OPENAI_API_KEY"), m)
	}
	return embed.NewHashing(0)
}

// resolveCase marks a case resolved by the action that executed and
// remembers it, so later cases can cite how it was resolved.
func resolveCase(ctx context.Context, log *slog.Logger, st store.Store, mem *store.MemorySearch, sys connectors.Systems,
	caseID, by string, a connectors.Action, e connectors.Execution) {
	c, err := st.GetCase(ctx, caseID)
	if err != nil {
		log.Error("resolved case not found", "case", caseID, "err", err)
		return
	}
	res := store.Resolution{Resolution: agent.Describe(a) + ": " + e.Detail, By: by}
	if err := st.ResolveCase(ctx, caseID, res); err != nil {
		log.Error("case not marked resolved", "case", caseID, "err", err)
	}
	o, err := sys.ERP.Order(ctx, c.OrderID)
	if err != nil {
		log.Warn("resolved case not remembered: order not readable", "case", caseID, "err", err)
		return
	}
	m := store.Memory{CaseID: c.ID, Class: c.Class, CustomerID: c.CustomerID, OrderID: c.OrderID,
		Text: tools.MemoryText(o, c.Class), Resolution: res.Resolution, ResolvedBy: by}
	if err := mem.Remember(ctx, m); err != nil {
		log.Error("resolved case not remembered", "case", caseID, "err", err)
	}
}

// pruneMemory drops resolved cases older than retention from case memory,
// at start and then every hour, until ctx ends. The audit log keeps them.
func pruneMemory(ctx context.Context, log *slog.Logger, st store.Store, retention time.Duration) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if n, err := st.PruneMemory(ctx, time.Now().Add(-retention)); err != nil {
			if ctx.Err() == nil {
				log.Error("case memory not pruned", "err", err)
			}
		} else if n > 0 {
			log.Info("case memory pruned", "cases", n, "retention", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
