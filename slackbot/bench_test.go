package slackbot

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkAck measures the acknowledgement latency of signed app_mention
// events through the HTTP handler (signature, parse, Redis dedupe, queue),
// 200 at a time, with the investigations running behind. It reports p50
// and p99 per batch; the target is p99 < 50ms.
//
//	go test ./slackbot -run '^$' -bench Ack -benchtime 20x
func BenchmarkAck(b *testing.B) {
	const concurrent = 200
	t := &testing.T{}
	w := newWorld(t, creditCase)
	w.slack.setStatus = true
	in := w.start("bench", func(o *Options) { o.QueueSize = 1 << 16 })
	defer in.stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrent, MaxConnsPerHost: 0}}
	var seq atomic.Int64
	var all []time.Duration
	var mu sync.Mutex
	b.ResetTimer()
	for range b.N {
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range concurrent {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n := seq.Add(1)
				ts := fmt.Sprintf("1710000000.%06d", n)
				body, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": fmt.Sprintf("EvB%d", n),
					"event": mention(fmt.Sprintf("C%d", n%20), ts, "", "U0ASK", "why is SO-10047 blocked?")})
				req := signedRequest(b, in.srv.URL, "/slack/events", "application/json", body, testSecret, time.Now().Unix())
				<-start
				began := time.Now()
				resp, err := client.Do(req)
				d := time.Since(began)
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Errorf("ack failed: %v %v", err, resp)
					return
				}
				resp.Body.Close()
				mu.Lock()
				all = append(all, d)
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
	}
	b.StopTimer()
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50_ms")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99_ms")
		b.ReportMetric(float64(all[len(all)-1].Microseconds())/1000, "max_ms")
	}
}
