package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exdesk/exdesk/store"
)

// BenchMemories is the number of stored memories for BenchSimilarCases:
// EXDESK_BENCH_MEMORIES, or def when unset.
func BenchMemories(b *testing.B, def int) int {
	b.Helper()
	if v := os.Getenv("EXDESK_BENCH_MEMORIES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("EXDESK_BENCH_MEMORIES=%q: want a positive integer", v)
		}
		return n
	}
	return def
}

// caseDoc is a case document of realistic size (about 2 KB).
var caseDoc = func() json.RawMessage {
	ev := make([]map[string]any, 12)
	for i := range ev {
		ev[i] = map[string]any{"tool": "get_order", "args": map[string]any{"order_id": "SO-10042"},
			"result": map[string]any{"line": i, "sku": fmt.Sprintf("SKU-%04d", i), "qty": 12, "price": 18.25}}
	}
	b, _ := json.Marshal(map[string]any{"evidence": ev, "findings": []string{"credit limit exceeded by 1,250.00"}})
	return b
}()

// BenchCaseWrites measures CreateCase throughput from parallel writers
// and reports cases/s.
func BenchCaseWrites(b *testing.B, s store.Store) {
	b.Helper()
	ctx := context.Background()
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			c := store.Case{OrderID: fmt.Sprintf("SO-%d", i), CustomerID: "C-1", Class: "credit_hold",
				Severity: "high", Planner: "playbook", Summary: "order on credit hold", Document: caseDoc}
			if err := s.CreateCase(ctx, &c); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "cases/s")
}

// BenchSimilarCases loads n memories (random unit vectors over 8 classes
// and 500 customers; loading is not timed) and measures SimilarCases with
// k=5, reporting p50 and p99 latency in milliseconds.
func BenchSimilarCases(b *testing.B, s store.Store, n int) {
	b.Helper()
	ctx := context.Background()
	classes := []string{"credit_hold", "inventory_shortage", "pricing_mismatch", "shipment_delay",
		"duplicate_order", "master_data_error", "compliance_hold", "carrier_conflict"}
	loadStart := time.Now()
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			for i := w; i < n; i += workers {
				m := store.Memory{CaseID: fmt.Sprintf("c_bench_%07d", i), Class: classes[i%len(classes)],
					CustomerID: fmt.Sprintf("C-%d", i%500), Text: "bench", Embedding: randomUnit(r),
					Resolution: "released", ResolvedBy: "finance"}
				if err := s.PutMemory(ctx, m); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatalf("load memories: %v", err)
	}
	b.Logf("loaded %d memories in %v", n, time.Since(loadStart).Round(time.Millisecond))

	r := rand.New(rand.NewPCG(99, 1))
	var lat []time.Duration
	b.ResetTimer()
	for b.Loop() {
		q := randomUnit(r)
		t0 := time.Now()
		got, err := s.SimilarCases(ctx, q, classes[r.IntN(len(classes))], fmt.Sprintf("C-%d", r.IntN(500)), 5)
		lat = append(lat, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != 5 {
			b.Fatalf("SimilarCases returned %d, want 5", len(got))
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(n), "memories")
}
