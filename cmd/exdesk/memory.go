package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/embed"
)

// embedderFor is the case-memory embedder: the configured model on the
// OpenAI-compatible endpoint, or the local feature-hashing embedder.
func embedderFor(e *env) store.Embedder {
	if m := e.cfg.EmbeddingModel; m != "" {
		return embed.NewOpenAI(e.cfg.LLM.BaseURL, e.cfg.LLM.APIKey, m)
	}
	return embed.NewHashing(0)
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
