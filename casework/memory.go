package casework

import (
	"context"
	"fmt"
	"time"

	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/tools"
)

// MemorySearch is case memory as the find_similar_cases tool reads it and as
// the service writes it when a case resolves: texts are embedded with an
// Embedder and searched in a CaseMemory store.
type MemorySearch struct {
	Store    store.CaseMemory
	Embedder store.Embedder
}

var (
	_ tools.CaseMemory = (*MemorySearch)(nil)
	_ Rememberer       = (*MemorySearch)(nil)
)

// Similar implements tools.CaseMemory.
func (m *MemorySearch) Similar(ctx context.Context, text, class, customerID string, k int) ([]tools.PastCase, error) {
	emb, err := m.Embedder.Embed(ctx, text)
	if err != nil {
		return nil, fmt.Errorf("case memory: embedding the query: %w", err)
	}
	found, err := m.Store.SimilarCases(ctx, emb, class, customerID, k)
	if err != nil {
		return nil, fmt.Errorf("case memory: %w", err)
	}
	out := make([]tools.PastCase, 0, len(found))
	for _, s := range found {
		out = append(out, tools.PastCase{
			CaseID: s.CaseID, OrderID: s.OrderID, CustomerID: s.CustomerID, Class: s.Class,
			Resolution: s.Resolution, ResolvedBy: s.ResolvedBy, ResolvedAt: s.ResolvedAt,
			Similarity: max(0, 1-s.Distance), SameClass: s.SameClass, SameCustomer: s.SameCustomer,
		})
	}
	return out, nil
}

// Remember stores a resolved case so later cases can find it.
func (m *MemorySearch) Remember(ctx context.Context, mem store.Memory) error {
	if mem.ResolvedAt.IsZero() {
		mem.ResolvedAt = time.Now().UTC()
	}
	emb, err := m.Embedder.Embed(ctx, mem.Text)
	if err != nil {
		return fmt.Errorf("case memory: embedding case %s: %w", mem.CaseID, err)
	}
	mem.Embedding = emb
	if err := m.Store.PutMemory(ctx, mem); err != nil {
		return fmt.Errorf("case memory: %w", err)
	}
	return nil
}
