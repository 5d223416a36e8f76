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
	// Decisions, when set, fills each past case's Decisions with what
	// people decided on its proposals (the outcomes the planner learns
	// from; see agent.Learning).
	Decisions DecisionReader
}

// DecisionReader reads the proposals of past cases; store.Store
// implements it.
type DecisionReader interface {
	CaseProposals(ctx context.Context, caseIDs []string) ([]store.Proposal, error)
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
	if m.Decisions != nil && len(out) > 0 {
		if err := m.fillDecisions(ctx, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fillDecisions adds what people decided on each past case's proposals:
// approvals, executions, failures and rejections by someone other than
// the policy or exdesk itself.
func (m *MemorySearch) fillDecisions(ctx context.Context, cases []tools.PastCase) error {
	ids := make([]string, len(cases))
	at := make(map[string]int, len(cases))
	for i, c := range cases {
		ids[i], at[c.CaseID] = c.CaseID, i
	}
	ps, err := m.Decisions.CaseProposals(ctx, ids)
	if err != nil {
		return fmt.Errorf("case memory: decisions: %w", err)
	}
	for _, p := range ps {
		if !store.HumanDecision(p) {
			continue
		}
		i := at[p.CaseID]
		d := tools.PastDecision{Action: p.Action.Type, State: string(p.State), Role: p.Role, By: p.DecidedBy, At: p.DecidedAt}
		if p.State == store.Rejected {
			d.Reason = p.Note
		}
		cases[i].Decisions = append(cases[i].Decisions, d)
	}
	return nil
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
