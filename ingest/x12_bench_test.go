package ingest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/sim"
	"github.com/exdesk/exdesk/ingest/x12"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/postgres"
	"github.com/exdesk/exdesk/store/sqlite"
	"github.com/exdesk/exdesk/store/storetest"
)

// delays214 is one interchange with a delayed-shipment 214 for each
// shipment of the simulated day, and the number of sets.
func delays214(tb testing.TB, sys connectors.Systems, orders []string) (string, int) {
	tb.Helper()
	var b strings.Builder
	b.WriteString("ISA*00*          *00*          *ZZ*BENCHCARRIER   *ZZ*EXDESK         *261126*1430*U*00401*000000777*0*P*>~\n")
	b.WriteString("GS*QM*BENCHCARRIER*EXDESK*20261126*1430*777*X*004010~\n")
	n := 0
	for _, id := range orders {
		shs, err := sys.Carriers.OrderShipments(context.Background(), id)
		if err != nil {
			tb.Fatal(err)
		}
		if len(shs) == 0 {
			continue
		}
		sh := shs[0]
		at := sh.PromisedDelivery.Add(-36 * time.Hour)
		eta := sh.PromisedDelivery.Add(48 * time.Hour)
		n++
		fmt.Fprintf(&b, "ST*214*%04d~\nB10*PRO%d*%s*%s~\nL11*%s*SO~\nLX*1~\nAT7*SD*AO***%s*%s*UT~\nMS1*OMAHA*NE*US~\nAT7*AG*NS***%s*%s*UT~\nSE*8*%04d~\n",
			n, n, sh.ID, sh.Carrier, id, at.Format("20060102"), at.Format("1504"), eta.Format("20060102"), eta.Format("1504"), n)
	}
	fmt.Fprintf(&b, "GE*%d*777~\nIEA*1*000000777~\n", n)
	return b.String(), n
}

// BenchmarkX12ToCases measures events/s end to end: one 214 interchange
// (a delayed shipment per order of a simulated day) is mapped, published
// to real Redis and processed by the workers — state kept, order found,
// investigated by the playbook on the connectors merged with the reported
// state, a shipment_delay case stored in SQLite — until every event is
// done:
//
//	go test -run XXX -bench X12ToCases -benchtime 3x ./ingest
func BenchmarkX12ToCases(b *testing.B) {
	rdb := realRedis(b)
	s := sim.New(sim.Options{Seed: 3, Orders: 400})
	s.ApplyAll()
	base := s.Systems()
	interchange, n := delays214(b, base, s.OrderIDs())
	engine, err := policy.Default()
	if err != nil {
		b.Fatal(err)
	}
	total := 0
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		names := Names{Stream: fmt.Sprintf("exdesk:bench:x12:%d:%d", time.Now().UnixNano(), i), Group: "g"}
		st := openBenchStore(b, i)
		sys := connectors.WithState(base, st)
		inv := &agent.Investigator{Planner: agent.Playbook{}, Systems: sys, Guard: policy.NewGuard(engine, sys)}
		desk, err := casework.New(casework.Options{Store: st, Investigator: inv, Systems: sys, Guard: inv.Guard})
		if err != nil {
			b.Fatal(err)
		}
		proc := &CaseProcessor{Desk: desk}
		m := NewMetrics(nil)
		pub := NewPublisher(rdb, PublisherOptions{Names: names, DedupeTTL: time.Minute})
		b.StartTimer()

		batch, err := X12Events([]byte(interchange), x12.Options{})
		if err != nil || len(batch.Events) != n {
			b.Fatalf("%d events of %d, %v", len(batch.Events), n, err)
		}
		if _, err := pub.Publish(context.Background(), batch.Events); err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- RunWorkers(ctx, rdb, proc, WorkerOptions{Names: names, Consumer: "b", Concurrency: benchConcurrency(), Block: 20 * time.Millisecond,
				Metrics: m, Resolver: &StateKeeper{Store: st, Systems: base, Metrics: m}})
		}()
		for processedTotal(m) < int64(n) {
			time.Sleep(time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		total += n

		b.StopTimer()
		if opened := testutilValue(m.Processed.WithLabelValues(OutcomeOpened)) + testutilValue(m.Processed.WithLabelValues(OutcomeCorrelated)); opened < float64(n)*0.9 {
			b.Fatalf("only %.0f of %d events opened or joined a case", opened, n)
		}
		var keys []string
		iter := rdb.Scan(context.Background(), 0, names.Stream+"*", 10000).Iterator()
		for iter.Next(context.Background()) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(0, "ns/op")
}

// benchStore is what the end-to-end benchmark needs of a store.
type benchStore interface {
	store.Store
}

// openBenchStore opens SQLite, or Postgres (DATABASE_URL, a schema of its
// own) with EXDESK_BENCH_STORE=postgres.
func openBenchStore(b *testing.B, i int) benchStore {
	b.Helper()
	ctx := context.Background()
	if os.Getenv("EXDESK_BENCH_STORE") == "postgres" {
		url := os.Getenv("DATABASE_URL")
		if url == "" {
			b.Fatal("EXDESK_BENCH_STORE=postgres needs DATABASE_URL")
		}
		schema := fmt.Sprintf("exdesk_bench_%d_%d", time.Now().UnixNano(), i)
		st, err := postgres.Open(ctx, url, postgres.Options{Schema: schema, AuditKey: storetest.NewAuditKey(b)})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			_, _ = st.Pool().Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			_ = st.Close()
		})
		return st
	}
	st, err := sqlite.Open(ctx, b.TempDir()+"/exdesk.db", sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// benchConcurrency is EXDESK_BENCH_CONCURRENCY, default 2 (SQLite has one
// writer; more workers wait on its lock; Postgres takes more).
func benchConcurrency() int {
	var n int
	if _, err := fmt.Sscan(os.Getenv("EXDESK_BENCH_CONCURRENCY"), &n); err == nil && n > 0 {
		return n
	}
	return 2
}
