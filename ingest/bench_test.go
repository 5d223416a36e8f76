package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkIngestHTTP measures POST /v1/events → validated → deduped →
// XADD on real Redis, in batches of 500 events (events/s reported).
func BenchmarkIngestHTTP(b *testing.B) {
	rdb := realRedis(b)
	names := Names{Stream: "exdesk:bench:" + fmt.Sprint(time.Now().UnixNano())}
	defer rdb.Del(context.Background(), names.Stream)
	h := Handler(NewPublisher(rdb, PublisherOptions{Names: names, DedupeTTL: time.Minute}), HandlerOptions{Token: "t"})
	const batch = 500
	n := 0
	for i := 0; b.Loop(); i++ {
		evs := events(batch, 100)
		for j := range evs {
			evs[j].ID = fmt.Sprintf("bench-%d-%d-%d", time.Now().UnixNano(), i, j)
		}
		body, _ := json.Marshal(evs)
		r := httptest.NewRequest(http.MethodPost, "/v1/events", bytes.NewReader(body))
		r.Header.Set("Authorization", "Bearer t")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusAccepted {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
		n += batch
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(0, "ns/op")
}

type nopProcessor struct{}

func (nopProcessor) Process(context.Context, Delivery) (string, error) { return OutcomeOpened, nil }

// BenchmarkWorkers measures stream → consumer group → per-order lock →
// ack on real Redis with a processor that does nothing (the ingest
// machinery's own cost; case work is measured by the kill test).
func BenchmarkWorkers(b *testing.B) {
	rdb := realRedis(b)
	names := Names{Stream: "exdesk:bench:w:" + fmt.Sprint(time.Now().UnixNano()), Group: "g"}
	defer rdb.Del(context.Background(), names.Stream, names.DeadLetter())
	const total = 20000
	for b.Loop() {
		b.StopTimer()
		_ = rdb.Del(context.Background(), names.Stream).Err()
		evs := events(total, 4000)
		for j := range evs {
			evs[j].ID = fmt.Sprintf("bw-%d-%d", time.Now().UnixNano(), j)
		}
		if _, err := NewPublisher(rdb, PublisherOptions{Names: names, DedupeTTL: time.Minute}).Publish(context.Background(), evs); err != nil {
			b.Fatal(err)
		}
		m := NewMetrics(nil)
		b.StartTimer()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			_ = RunWorkers(ctx, rdb, nopProcessor{}, WorkerOptions{Names: names, Consumer: "b", Concurrency: 32, Batch: 256, Block: 20 * time.Millisecond, Metrics: m})
			close(done)
		}()
		for processedTotal(m) < total {
			time.Sleep(time.Millisecond)
		}
		cancel()
		<-done
	}
	b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "events/s")
}
