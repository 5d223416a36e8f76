package policy

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// decideMix is a spread of decisions across the matrix.
func decideMix() []Facts {
	var out []Facts
	add := func(mod func(f *Facts)) {
		f := baseFacts()
		mod(&f)
		out = append(out, f)
	}
	add(func(f *Facts) {})                                     // credit auto
	add(func(f *Facts) { f.Credit.Exposure = MoneyOf(55000) }) // supervisor
	add(func(f *Facts) { f.Credit.Exposure = MoneyOf(90000) }) // director
	add(func(f *Facts) { f.Customer.CreditStop = true })       // blocked
	add(func(f *Facts) { f.Confidence = 0.5 })                 // demoted
	add(func(f *Facts) { f.Action.HoldCode = "PRICE" })        // cs_supervisor
	add(func(f *Facts) { f.Action = ActionFacts{Type: "partial_ship"} })
	add(func(f *Facts) {
		f.Action = ActionFacts{Type: "correct_price", Line: 1, Price: 500}
		f.Price = PriceFacts{SKU: "S", Qty: 100, Current: 1000, ContractActive: true, Contract: 500, DeltaQty: 50000}
	})
	add(func(f *Facts) {
		f.Action = ActionFacts{Type: "allocate_from_site", Site: "DC-E", Lines: []int{1, 2}}
		f.Allocation = AllocationFacts{Site: "DC-E", Covers: true, HasLane: true, AddedFreight: 20000}
	})
	add(func(f *Facts) {
		f.Action = ActionFacts{Type: "expedite_shipment", ShipmentID: "SH-1", ServiceLevel: "express"}
		f.Customer.Tier, f.Expedite.Cost = "strategic", MoneyOf(100)
	})
	add(func(f *Facts) { f.Action = ActionFacts{Type: "notify_customer"} })
	return out
}

// BenchmarkDecide measures one decision over a mix of matrix rows and
// reports the p99 latency of single decisions ("p99-ns").
func BenchmarkDecide(b *testing.B) {
	e := mustDefault(b)
	mix := decideMix()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_ = e.Decide(mix[i%len(mix)])
	}
	b.StopTimer()
	b.ReportMetric(float64(decideP99(e, mix, 100_000)), "p99-ns")
}

// decideP99 times n single decisions and returns the 99th percentile in ns.
func decideP99(e *Engine, mix []Facts, n int) int64 {
	lat := make([]int64, n)
	for i := range n {
		start := time.Now()
		_ = e.Decide(mix[i%len(mix)])
		lat[i] = time.Since(start).Nanoseconds()
	}
	slices.Sort(lat)
	return lat[n*99/100]
}

// BenchmarkGuardCheck measures a full check: argument check, facts from the
// recorded connector, and the decision.
func BenchmarkGuardCheck(b *testing.B) {
	g, _ := newGuard(b, snapshot())
	ctx := context.Background()
	actions := []struct {
		typ string
		kv  []any
	}{
		{"release_hold", []any{"hold_code", "CREDIT"}},
		{"allocate_from_site", []any{"site", "DC-E", "lines", []int{1, 2}}},
		{"expedite_shipment", []any{"shipment_id", "SH-1", "service_level", "express"}},
		{"correct_price", []any{"line", 3, "price", 9.5}},
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a := actions[i%len(actions)]
		if _, err := g.Check(ctx, act(a.typ, "SO-1", a.kv...), 0.9); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzLoad feeds arbitrary policy files to the loader: it must return an
// engine or an error, never panic, and an engine it returns must decide.
func FuzzLoad(f *testing.F) {
	f.Add(DefaultSource())
	f.Add([]byte("roles: [a]\nactions: []\n"))
	f.Add([]byte("roles: [a]\nglobal:\n  - {name: g, outcome: approval, when: 'confidence < 0.7', reason: x}\n"))
	f.Add([]byte(strings.Replace(string(DefaultSource()), "usd(2500)", "usd(", 1)))
	f.Add([]byte("{{{"))
	f.Add([]byte("roles: [a]\nactions:\n  - types: [notify_customer]\n    approver: a\n    rules:\n      - {name: r, outcome: auto, reason: '{{ order.total'}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		e, err := Load("fuzz.yaml", src)
		if err != nil {
			if e != nil {
				t.Fatal("engine and error both returned")
			}
			return
		}
		for _, f := range decideMix() {
			d := e.Decide(f)
			if d.Outcome != Auto && d.Outcome != Approval && d.Outcome != Blocked {
				t.Fatalf("decision without an outcome: %+v", d)
			}
		}
	})
}

// FuzzRunTestSource feeds arbitrary policy test files to the test runner:
// results or an error, never a panic, and a result for every case.
func FuzzRunTestSource(f *testing.F) {
	if b, err := os.ReadFile("default_test.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("tests:\n  - name: x\n    action: {type: partial_ship}\n    expect: {outcome: auto}\n"))
	f.Add([]byte("defaults: {order: {total: 1}}\ntests: []\n"))
	f.Add([]byte("tests: [{name: a, action: {type: release_hold, args: {hold_code: CREDIT}}, facts: {order: {total: abc}}, expect: {outcome: auto}}]"))
	e := mustDefault(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		rs, err := runTestSource(e, "fuzz.yaml", src)
		if err != nil {
			return
		}
		for _, r := range rs {
			if r.Pass != (r.Problem == "") {
				t.Fatalf("result %+v: pass and problem disagree", r)
			}
		}
	})
}
