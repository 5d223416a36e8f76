package storetest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/embed"
)

func appendAudit(t *testing.T, s store.Store, n int, caseOf func(i int) string) []store.AuditEntry {
	t.Helper()
	ctx := ctxFor(t)
	var out []store.AuditEntry
	for i := range n {
		e := store.AuditEntry{
			Actor: "policy", Kind: "proposal.decided", CaseID: caseOf(i), ProposalID: fmt.Sprintf("p_%d", i),
			Rule: "release_hold.credit", Outcome: "approval",
			Data: json.RawMessage(fmt.Sprintf(`{"total": 1234.50, "i": %d, "note": "<a&b>", "z": {"y": 1, "x": 2}}`, i)),
		}
		if err := s.AppendAudit(ctx, &e); err != nil {
			t.Fatalf("AppendAudit %d: %v", i, err)
		}
		out = append(out, e)
	}
	return out
}

func testAuditChain(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	if b, err := s.VerifyAudit(ctx); err != nil || b != nil {
		t.Fatalf("VerifyAudit of an empty log = %v, %v", b, err)
	}
	entries := appendAudit(t, s, 6, func(i int) string { return []string{"c_a", "c_b"}[i%2] })
	for i, e := range entries {
		if e.Seq != int64(i+1) || e.Hash == "" || e.At.IsZero() {
			t.Fatalf("entry %d not sealed: %+v", i, e)
		}
		if i > 0 && e.PrevHash != entries[i-1].Hash {
			t.Fatalf("entry %d does not link to entry %d", i, i-1)
		}
	}
	if entries[0].PrevHash != "" {
		t.Errorf("first entry links to %q", entries[0].PrevHash)
	}
	if b, err := s.VerifyAudit(ctx); err != nil || b != nil {
		t.Fatalf("VerifyAudit of an intact log = %v, %v", b, err)
	}
	trail, err := s.AuditTrail(ctx, "c_b")
	if err != nil {
		t.Fatalf("AuditTrail: %v", err)
	}
	if len(trail) != 3 {
		t.Fatalf("AuditTrail(c_b) has %d entries, want 3", len(trail))
	}
	for i, e := range trail {
		want := entries[2*i+1]
		if e.Seq != want.Seq || e.Hash != want.Hash || e.PrevHash != want.PrevHash || !e.At.Equal(want.At) ||
			string(e.Data) != string(want.Data) || e.ProposalID != want.ProposalID {
			t.Errorf("trail entry %d =\n%+v\nwant\n%+v", i, e, want)
		}
	}
	all, err := s.AuditTrail(ctx, "")
	if err != nil || len(all) != 6 {
		t.Errorf("AuditTrail(all) = %d entries, %v; want 6", len(all), err)
	}
	bad := store.AuditEntry{Actor: "x", Kind: "y", Data: json.RawMessage(`{"oops"`)}
	wantErr(t, "AppendAudit with malformed data", s.AppendAudit(ctx, &bad), store.ErrInvalid)
}

func testAuditConcurrent(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	const n = 24
	var wg sync.WaitGroup
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := store.AuditEntry{Actor: fmt.Sprintf("replica-%d", g), Kind: "action.executed", CaseID: "c_1"}
			if err := s.AppendAudit(ctx, &e); err != nil {
				t.Errorf("AppendAudit: %v", err)
			}
		}()
	}
	wg.Wait()
	all, err := s.AuditTrail(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != n {
		t.Fatalf("%d entries after %d concurrent appends", len(all), n)
	}
	if b, err := s.VerifyAudit(ctx); err != nil || b != nil {
		t.Fatalf("VerifyAudit after concurrent appends = %v, %v", b, err)
	}
}

func testAuditTampering(t *testing.T, open func(*testing.T) store.Store) {
	tests := []struct {
		name   string
		tamper func(AuditTamperer) error
		kind   store.BreakKind
		seq    int64
	}{
		{"update data", func(a AuditTamperer) error {
			return a.TamperAuditData(ctxFor(t), 4, `{"total": 1.00}`)
		}, store.BreakChanged, 4},
		{"delete middle row", func(a AuditTamperer) error { return a.DeleteAuditRow(ctxFor(t), 3) }, store.BreakDeleted, 3},
		{"delete first row", func(a AuditTamperer) error { return a.DeleteAuditRow(ctxFor(t), 1) }, store.BreakDeleted, 1},
		{"delete last row", func(a AuditTamperer) error { return a.DeleteAuditRow(ctxFor(t), 6) }, store.BreakDeleted, 6},
		{"swap two rows", func(a AuditTamperer) error { return a.SwapAuditSeq(ctxFor(t), 2, 5) }, store.BreakReordered, 2},
		{"swap adjacent rows", func(a AuditTamperer) error { return a.SwapAuditSeq(ctxFor(t), 4, 5) }, store.BreakReordered, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			tam, ok := s.(AuditTamperer)
			if !ok {
				t.Skip("the harness's store does not implement storetest.AuditTamperer")
			}
			appendAudit(t, s, 6, func(int) string { return "c_1" })
			if err := tc.tamper(tam); err != nil {
				t.Fatalf("tamper: %v", err)
			}
			b, err := s.VerifyAudit(ctxFor(t))
			if err != nil {
				t.Fatalf("VerifyAudit: %v", err)
			}
			if b == nil {
				t.Fatal("VerifyAudit found nothing")
			}
			if b.Kind != tc.kind || b.Seq != tc.seq {
				t.Errorf("VerifyAudit = %s, want %s at row %d", b, tc.kind, tc.seq)
			}
		})
	}
}

// memoryTexts are past cases; the query below is planted next to one.
var memoryTexts = []struct{ class, customer, text string }{
	{"credit_hold", "C-1", "order on credit hold customer over credit limit open AR high"},
	{"credit_hold", "C-2", "credit hold past due balance ninety days customer on credit stop"},
	{"inventory_shortage", "C-1", "stock shortage at DC1 available to promise below line quantity allocate from DC2"},
	{"inventory_shortage", "C-3", "item backordered inbound PO arrives after requested ship date partial ship"},
	{"pricing_mismatch", "C-2", "line price differs from active contract price correct price"},
	{"shipment_delay", "C-4", "carrier exception weather delay ETA after promised delivery expedite"},
	{"duplicate_order", "C-5", "same PO number entered twice duplicate order cancel newer"},
	{"master_data_error", "C-6", "ship-to postal code missing data fix requested"},
	{"compliance_hold", "C-7", "compliance hold SDS document expired request documents"},
	{"carrier_conflict", "C-8", "hazmat goods carrier not hazmat certified rebook carrier"},
}

func putMemories(t *testing.T, s store.Store, resolvedAt func(i int) time.Time) []store.Memory {
	t.Helper()
	ctx := ctxFor(t)
	e := embed.NewHashing(0)
	var out []store.Memory
	for i, m := range memoryTexts {
		v, err := e.Embed(ctx, m.text)
		if err != nil {
			t.Fatal(err)
		}
		mem := store.Memory{CaseID: fmt.Sprintf("c_mem_%02d", i), Class: m.class, CustomerID: m.customer,
			OrderID: fmt.Sprintf("SO-%d", 100+i), Text: m.text, Embedding: v,
			Resolution: "resolved " + m.class, ResolvedBy: "finance", ResolvedAt: resolvedAt(i)}
		if err := s.PutMemory(ctx, mem); err != nil {
			t.Fatalf("PutMemory %d: %v", i, err)
		}
		out = append(out, mem)
	}
	return out
}

func randomUnit(r *rand.Rand) []float32 {
	v := make([]float32, store.EmbeddingDim)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

func testMemoryNearest(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	if got, err := s.SimilarCases(ctx, randomUnit(rand.New(rand.NewPCG(1, 2))), "", "", 3); err != nil || len(got) != 0 {
		t.Fatalf("SimilarCases on empty memory = %v, %v", got, err)
	}
	at := time.Date(2026, 2, 1, 9, 30, 0, 0, time.UTC)
	mems := putMemories(t, s, func(int) time.Time { return at })
	// Noise: random vectors under other classes.
	r := rand.New(rand.NewPCG(7, 9))
	for i := range 200 {
		if err := s.PutMemory(ctx, store.Memory{CaseID: fmt.Sprintf("c_noise_%03d", i), Class: "noise",
			Embedding: randomUnit(r), ResolvedAt: at}); err != nil {
			t.Fatalf("PutMemory noise: %v", err)
		}
	}
	e := embed.NewHashing(0)
	tests := []struct {
		name, query, class, customer string
		want                         string // case id expected first
	}{
		{"credit stop", "customer on credit stop with past due balance over ninety days", "credit_hold", "C-2", "c_mem_01"},
		{"hazmat", "hazmat goods on a carrier that is not hazmat certified", "carrier_conflict", "", "c_mem_09"},
		{"no class preference", "line price differs from the contract price", "", "", "c_mem_04"},
		{"stock", "available to promise below line quantity at DC1", "inventory_shortage", "C-1", "c_mem_02"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := e.Embed(ctx, tc.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.SimilarCases(ctx, q, tc.class, tc.customer, 5)
			if err != nil {
				t.Fatalf("SimilarCases: %v", err)
			}
			if len(got) != 5 {
				t.Fatalf("SimilarCases returned %d, want 5", len(got))
			}
			if got[0].CaseID != tc.want {
				t.Fatalf("nearest = %s (%.3f), want %s", got[0].CaseID, got[0].Distance, tc.want)
			}
			var want store.Memory
			for _, m := range mems {
				if m.CaseID == tc.want {
					want = m
				}
			}
			g := got[0]
			if g.Text != want.Text || g.Resolution != want.Resolution || g.ResolvedBy != "finance" ||
				!g.ResolvedAt.Equal(at) || g.OrderID != want.OrderID || len(g.Embedding) != store.EmbeddingDim {
				t.Errorf("nearest memory fields = %+v", g.Memory)
			}
			if d := store.CosineDistance(q, want.Embedding); abs(g.Distance-d) > 1e-4 {
				t.Errorf("distance = %v, want %v", g.Distance, d)
			}
			if tc.class != "" && !g.SameClass {
				t.Errorf("nearest not flagged same class")
			}
			for i := 1; i < len(got); i++ {
				ti := store.Tier(&got[i].Memory, tc.class, tc.customer)
				tp := store.Tier(&got[i-1].Memory, tc.class, tc.customer)
				if ti < tp || (ti == tp && got[i].Distance < got[i-1].Distance-1e-6) {
					t.Errorf("results %d,%d out of order: tier %d %.4f then tier %d %.4f", i-1, i, tp, got[i-1].Distance, ti, got[i].Distance)
				}
			}
		})
	}
	wantErr(t, "PutMemory with wrong dimension", s.PutMemory(ctx, store.Memory{CaseID: "x", Embedding: []float32{1, 2}}), store.ErrInvalid)
	_, err := s.SimilarCases(ctx, []float32{1}, "", "", 1)
	wantErr(t, "SimilarCases with wrong dimension", err, store.ErrInvalid)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func testMemoryTiers(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	// A query vector and three memories: the closest is another class, then
	// a same-class memory of another customer, then a farther same-class
	// memory of the same customer.
	q := make([]float32, store.EmbeddingDim)
	q[0] = 1
	vec := func(x0, x1 float32) []float32 {
		v := make([]float32, store.EmbeddingDim)
		v[0], v[1] = x0, x1
		return v
	}
	put := func(id, class, cust string, v []float32) {
		t.Helper()
		if err := s.PutMemory(ctx, store.Memory{CaseID: id, Class: class, CustomerID: cust, Embedding: v}); err != nil {
			t.Fatalf("PutMemory %s: %v", id, err)
		}
	}
	put("other_class_near", "pricing_mismatch", "C-1", vec(1, 0.01))
	put("same_class_other_customer", "credit_hold", "C-9", vec(1, 0.3))
	put("same_class_same_customer_far", "credit_hold", "C-1", vec(1, 1))
	put("replaced", "credit_hold", "C-1", vec(0, 1))
	put("replaced", "credit_hold", "C-1", vec(1, 0.5)) // upsert: the second put wins
	tests := []struct {
		name, class, customer string
		k                     int
		want                  []string
	}{
		{"class and customer", "credit_hold", "C-1", 4, []string{"replaced", "same_class_same_customer_far", "same_class_other_customer", "other_class_near"}},
		{"class only", "credit_hold", "", 4, []string{"same_class_other_customer", "replaced", "same_class_same_customer_far", "other_class_near"}},
		{"no preference", "", "", 2, []string{"other_class_near", "same_class_other_customer"}},
		{"k limits", "pricing_mismatch", "", 1, []string{"other_class_near"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.SimilarCases(ctx, q, tc.class, tc.customer, tc.k)
			if err != nil {
				t.Fatalf("SimilarCases: %v", err)
			}
			var ids []string
			for _, g := range got {
				ids = append(ids, g.CaseID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
				t.Errorf("SimilarCases = %v, want %v", ids, tc.want)
			}
		})
	}
}

func testMemoryPrune(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	appendAudit(t, s, 3, func(int) string { return "c_mem_00" })
	old := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	recent := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	putMemories(t, s, func(i int) time.Time {
		if i%2 == 0 {
			return old
		}
		return recent
	})
	n, err := s.PruneMemory(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("PruneMemory: %v", err)
	}
	if n != len(memoryTexts)/2 {
		t.Errorf("PruneMemory deleted %d, want %d", n, len(memoryTexts)/2)
	}
	got, err := s.SimilarCases(ctx, randomUnit(rand.New(rand.NewPCG(3, 4))), "", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(memoryTexts)-n {
		t.Errorf("%d memories left, want %d", len(got), len(memoryTexts)-n)
	}
	for _, g := range got {
		if g.ResolvedAt.Before(recent) {
			t.Errorf("memory %s resolved %v survived pruning", g.CaseID, g.ResolvedAt)
		}
	}
	if n, err := s.PruneMemory(ctx, old); err != nil || n != 0 {
		t.Errorf("second PruneMemory = %d, %v; want 0", n, err)
	}
	trail, err := s.AuditTrail(ctx, "c_mem_00")
	if err != nil || len(trail) != 3 {
		t.Errorf("audit trail after pruning: %d entries, %v; want 3", len(trail), err)
	}
	if b, err := s.VerifyAudit(ctx); err != nil || b != nil {
		t.Errorf("VerifyAudit after pruning = %v, %v", b, err)
	}
}
