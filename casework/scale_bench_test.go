package casework_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors/sim"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store/sqlite"
)

// scaleOrders are the day sizes BenchmarkDemoScale measures: the demo's
// default, the sizes issue 11 re-measures, and 50,000 orders.
var scaleOrders = []int{2000, 8000, 32000, 50000}

// BenchmarkDemoScale measures how the cost of a simulated day grows with
// its size, on what `exdesk demo` runs: the day's events through the whole
// case lifecycle on the embedded SQLite store opened as the demo opens it
// (":memory:"), the playbook planner with the playbook as its fallback,
// the shipped policy. ns/op is the day's events (building the simulated
// day is not timed, as the demo does not time it). Each size reports
//
//   - cases/s and events/s over the day;
//   - x2000: cases/s at this size ÷ cases/s at 2,000 orders in the same
//     run, so that a loaded machine moves both (the target is ≥ 0.8);
//   - cpu-µs/case: CPU time of the process per case (Unix), steadier than
//     wall time when other processes share the cores;
//   - heapB/order: Go heap still held at the end of the day (simulator,
//     connector, desk) per order, after a collection;
//   - rssB/order: resident memory grown over the day per order (Linux),
//     which also counts SQLite's page cache outside the Go heap (not the
//     pages it spilled to its temporary file);
//   - dbB/order: the size of the store's database per order, most of it
//     in that temporary file.
//
// It takes minutes at 50,000 orders, so make bench runs it apart (make
// bench-scale); -short stops at 8,000 orders:
//
//	go test ./casework -run '^$' -bench DemoScale -benchtime 1x -timeout 60m
func BenchmarkDemoScale(b *testing.B) {
	engine, err := policy.Default()
	if err != nil {
		b.Fatal(err)
	}
	var base float64 // cases/s at scaleOrders[0] in this run
	for _, n := range scaleOrders {
		if testing.Short() && n > 8000 {
			break
		}
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			var d dayFigures
			for b.Loop() {
				d = runDay(b, engine, n)
			}
			rate := float64(d.cases) / d.took.Seconds()
			if n == scaleOrders[0] {
				base = rate
			}
			b.ReportMetric(rate, "cases/s")
			b.ReportMetric(float64(d.events)/d.took.Seconds(), "events/s")
			if base > 0 {
				b.ReportMetric(rate/base, "x2000")
			}
			if d.cpu > 0 {
				b.ReportMetric(float64(d.cpu.Microseconds())/float64(d.cases), "cpu-µs/case")
			}
			b.ReportMetric(float64(d.heap)/float64(n), "heapB/order")
			if d.rss > 0 {
				b.ReportMetric(float64(d.rss)/float64(n), "rssB/order")
			}
			b.ReportMetric(float64(d.db)/float64(n), "dbB/order")
		})
	}
}

// dayFigures is what one simulated day measured.
type dayFigures struct {
	cases, events int
	took, cpu     time.Duration
	heap, rss, db int64
}

// runDay plays one day of n orders as the demo does and measures it; only
// the day's events run on b's timer.
func runDay(b *testing.B, engine *policy.Engine, n int) dayFigures {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	ctx := context.Background()
	heap0, rss0 := retained()
	s := sim.New(sim.Options{Seed: 1, Orders: n})
	sys := s.Systems()
	st, err := sqlite.Open(ctx, ":memory:", sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	guard := policy.NewGuard(engine, sys)
	desk, err := casework.New(casework.Options{Store: st, Systems: sys, Guard: guard,
		Investigator: &agent.Investigator{Planner: agent.Playbook{}, Fallback: agent.Playbook{}, Systems: sys, Guard: guard}})
	if err != nil {
		b.Fatal(err)
	}
	events := s.Events()
	var d dayFigures
	cpu0 := cpuTime()
	began := time.Now()
	b.StartTimer()
	for _, ev := range events {
		s.Apply(ev)
		res, err := desk.HandleEvent(ctx, ev)
		if err != nil {
			continue
		}
		d.events++
		if res.Outcome == casework.OutcomeOpened {
			d.cases++
		}
	}
	if _, err := st.ListPendingProposals(ctx); err != nil { // the demo's closing list
		b.Fatal(err)
	}
	b.StopTimer()
	d.took = time.Since(began)
	if c := cpuTime(); c > 0 {
		d.cpu = c - cpu0
	}
	if err := st.DB().QueryRowContext(ctx, `SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&d.db); err != nil {
		b.Fatal(err)
	}
	heap1, rss1 := retained()
	d.heap, d.rss = heap1-heap0, rss1-rss0
	runtime.KeepAlive(s)
	runtime.KeepAlive(desk)
	return d
}

// retained returns the live Go heap after a collection and the resident
// set size (0 when /proc/self/statm cannot be read), both in bytes.
func retained() (heap, rss int64) {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	heap = int64(m.HeapAlloc)
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 1 {
			if pages, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				rss = pages * int64(os.Getpagesize())
			}
		}
	}
	return heap, rss
}
