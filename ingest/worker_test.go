package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/sim"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/sqlite"
)

// fastOptions are worker options for tests: quick claims and lock expiry.
func fastOptions(t *testing.T, names Names, consumer string) WorkerOptions {
	return WorkerOptions{Names: names, Consumer: consumer, Concurrency: 8, Block: 50 * time.Millisecond,
		ClaimAfter: 400 * time.Millisecond, MaxDeliveries: 3, LockTTL: 2 * time.Second, LockWait: 5 * time.Second,
		StatsEvery: 50 * time.Millisecond, Metrics: NewMetrics(nil), Log: testLog(t)}
}

func events(n, orders int) []connectors.Event {
	base := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	out := make([]connectors.Event, n)
	for i := range out {
		out[i] = connectors.Event{ID: fmt.Sprintf("ev-%05d", i), Source: "erp", Type: "order_changed",
			OrderID: fmt.Sprintf("SO-%d", 10000+i%orders), At: base.Add(time.Duration(i) * time.Second)}
	}
	return out
}

// runUntil runs the workers until done reports true, then stops them.
func runUntil(t *testing.T, rdb *redis.Client, p Processor, o WorkerOptions, done func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- RunWorkers(ctx, rdb, p, o) }()
	deadline := time.Now().Add(30 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			cancel()
			<-errc
			t.Fatal("workers did not finish in 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("RunWorkers: %v", err)
	}
}

// countingProcessor records how many events of one order run at once.
type countingProcessor struct {
	mu        sync.Mutex
	running   map[string]int
	overlap   int
	processed map[string]int
	fail      func(ev connectors.Event) error
	hold      time.Duration
}

func newCounting() *countingProcessor {
	return &countingProcessor{running: map[string]int{}, processed: map[string]int{}}
}

func (c *countingProcessor) Process(_ context.Context, d Delivery) (string, error) {
	c.mu.Lock()
	c.running[d.Event.OrderID]++
	if c.running[d.Event.OrderID] > 1 {
		c.overlap++
	}
	c.mu.Unlock()
	time.Sleep(c.hold)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.running[d.Event.OrderID]--
	if c.fail != nil {
		if err := c.fail(d.Event); err != nil {
			return "", err
		}
	}
	c.processed[d.Event.ID]++
	return "opened", nil
}

func (c *countingProcessor) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.processed)
}

func TestPerOrderSerialisation(t *testing.T) {
	for _, server := range []string{"miniredis", "redis"} {
		t.Run(server, func(t *testing.T) {
			rdb := miniRedis(t)
			if server == "redis" {
				rdb = realRedis(t)
			}
			names := testNames(t, rdb)
			if _, err := NewPublisher(rdb, PublisherOptions{Names: names}).Publish(context.Background(), events(200, 5)); err != nil {
				t.Fatal(err)
			}
			// Two consumers (two replicas) on the same stream, 8 workers each.
			p := newCounting()
			p.hold = time.Millisecond
			var wg sync.WaitGroup
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					o := fastOptions(t, names, fmt.Sprint("c", i))
					// No worker dies here: a claim could only come from a
					// heartbeat starved on a loaded machine, and the counting
					// processor (unlike the store) does not deduplicate.
					o.ClaimAfter = 5 * time.Second
					runUntil(t, rdb, p, o, func() bool { return p.count() == 200 })
				}()
			}
			wg.Wait()
			if p.overlap != 0 {
				t.Errorf("%d times two events of one order ran at once", p.overlap)
			}
			for id, n := range p.processed {
				if n != 1 {
					t.Errorf("event %s processed %d times", id, n)
				}
			}
		})
	}
}

func TestDeadLetterAfterNFailures(t *testing.T) {
	ctx := context.Background()
	rdb := miniRedis(t)
	names := testNames(t, rdb)
	evs := events(20, 20)
	if _, err := NewPublisher(rdb, PublisherOptions{Names: names}).Publish(ctx, evs); err != nil {
		t.Fatal(err)
	}
	p := newCounting()
	var attempts atomic.Int32
	p.fail = func(ev connectors.Event) error {
		if ev.ID == "ev-00007" {
			attempts.Add(1)
			return errors.New("connector said no")
		}
		return nil
	}
	o := fastOptions(t, names, "c1")
	dead := func() int64 { n, _ := rdb.XLen(ctx, names.DeadLetter()).Result(); return n }
	runUntil(t, rdb, p, o, func() bool { return p.count() == 19 && dead() == 1 })
	// Each retry is a delivery. On a starved machine a delivery can also be
	// counted while an attempt runs (its heartbeat late), never more.
	if got := attempts.Load(); got < 2 || got > int32(o.MaxDeliveries) {
		t.Errorf("the failing event was tried %d times, want 2 to %d", got, o.MaxDeliveries)
	}
	msgs, err := rdb.XRange(ctx, names.DeadLetter(), "-", "+").Result()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("dead letters %v, %v", msgs, err)
	}
	v := msgs[0].Values
	if v["error"] != "connector said no" || v["deliveries"] != "3" {
		t.Errorf("dead letter %v, want the error and 3 deliveries", v)
	}
	if ev, err := decodeEntry(redis.XMessage{ID: "x", Values: v}); err != nil || ev.ID != "ev-00007" {
		t.Errorf("dead letter event %v, %v", ev, err)
	}
	if pend, _ := rdb.XPending(ctx, names.Stream, names.Group).Result(); pend.Count != 0 {
		t.Errorf("%d entries still pending", pend.Count)
	}
}

func TestUndecodableEntryIsDeadLettered(t *testing.T) {
	ctx := context.Background()
	rdb := miniRedis(t)
	names := testNames(t, rdb)
	if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: names.Stream, Values: []string{"event", "{not json"}}).Err(); err != nil {
		t.Fatal(err)
	}
	p := newCounting()
	runUntil(t, rdb, p, fastOptions(t, names, "c1"), func() bool { n, _ := rdb.XLen(ctx, names.DeadLetter()).Result(); return n == 1 })
	if p.count() != 0 {
		t.Errorf("processed %d", p.count())
	}
}

// simPipeline is a real processor: the simulated distributor, the
// playbook, the shipped policy and an SQLite store.
type simPipeline struct {
	sim   *sim.Sim
	store *sqlite.Store
	proc  *CaseProcessor
}

func newSimPipeline(t *testing.T, orders int) *simPipeline {
	t.Helper()
	s := sim.New(sim.Options{Seed: 3, Orders: orders})
	engine, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	sys := s.Systems()
	inv := &agent.Investigator{Planner: agent.Playbook{}, Systems: sys, Guard: policy.NewGuard(engine, sys)}
	st, err := sqlite.Open(context.Background(), t.TempDir()+"/exdesk.db", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	desk, err := casework.New(casework.Options{Store: st, Investigator: inv, Systems: sys, Guard: policy.NewGuard(engine, sys)})
	if err != nil {
		t.Fatal(err)
	}
	return &simPipeline{sim: s, store: st, proc: &CaseProcessor{Desk: desk, Log: testLog(t), Applier: s}}
}

// recorded counts the case events carrying each event id.
func (p *simPipeline) recorded(t *testing.T) map[string]int {
	t.Helper()
	rows, err := p.store.DB().Query(`SELECT event_id, count(*) FROM case_events WHERE event_id IS NOT NULL GROUP BY event_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		out[id] = n
	}
	return out
}

func TestDuplicateEventsProcessedOnce(t *testing.T) {
	ctx := context.Background()
	rdb := miniRedis(t)
	names := testNames(t, rdb)
	p := newSimPipeline(t, 40)
	evs := p.sim.Events()
	pub := NewPublisher(rdb, PublisherOptions{Names: names})
	if _, err := pub.Publish(ctx, evs); err != nil {
		t.Fatal(err)
	}
	// The source sends everything again: accepted, not enqueued.
	res, err := pub.Publish(ctx, evs)
	if err != nil || res.Accepted != 0 || len(res.Duplicates) != len(evs) {
		t.Fatalf("second publish = %+v, %v", res, err)
	}
	// And a redelivery past the dedupe (an entry added twice to the stream).
	for _, ev := range evs[:10] {
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: names.Stream, Values: map[string]any{"event": string(eventJSON(t, ev))}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	o := fastOptions(t, names, "c1")
	o.Concurrency = 1 // the sim is applied in stream order
	total := int64(len(evs) + 10)
	runUntil(t, rdb, p.proc, o, func() bool { return processedTotal(o.Metrics) == total })
	got := p.recorded(t)
	for _, ev := range evs {
		if got[ev.ID] != 1 {
			t.Errorf("event %s in %d cases, want 1", ev.ID, got[ev.ID])
		}
	}
	if n := o.Metrics.Processed.WithLabelValues(OutcomeDuplicate); testutilValue(n) != 10 {
		t.Errorf("duplicates processed = %v, want 10", testutilValue(n))
	}
	checkExecutionsOnce(t, p.store)
}

// checkExecutionsOnce checks that no action was executed twice: one
// execution per proposal (the store's key), no two executions on one case,
// and never the same business effect (type, order, arguments — not the
// JSON of the action, which carries the proposal id) twice on an order.
func checkExecutionsOnce(t *testing.T, st *sqlite.Store) {
	t.Helper()
	var n, dup, twice int
	if err := st.DB().QueryRow(`SELECT count(*) FROM executions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().QueryRow(`SELECT count(*) FROM (SELECT case_id FROM executions WHERE status <> 'failed' GROUP BY case_id HAVING count(*) > 1)`).Scan(&dup); err != nil {
		t.Fatal(err)
	}
	rows, err := st.DB().Query(`SELECT action FROM executions WHERE status <> 'failed'`)
	if err != nil {
		t.Fatal(err)
	}
	effects := map[string]int{}
	for rows.Next() {
		var raw string
		var a connectors.Action
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			t.Fatal(err)
		}
		if effects[a.Key()]++; effects[a.Key()] == 2 {
			twice++
			t.Errorf("the same action executed twice: %s", a.Key())
		}
	}
	rows.Close()
	if n == 0 {
		t.Error("no action executed at all")
	}
	if dup != 0 {
		t.Errorf("%d cases with more than one execution", dup)
	}
	if b, err := st.VerifyAudit(context.Background()); err != nil || b != nil {
		t.Errorf("audit chain: %v %v", b, err)
	}
}

func TestKilledWorkerEntriesAreClaimed(t *testing.T) {
	ctx := context.Background()
	rdb, mr := miniRedisServer(t)
	names := testNames(t, rdb)
	p := newSimPipeline(t, 30)
	evs := p.sim.Events()
	if _, err := NewPublisher(rdb, PublisherOptions{Names: names}).Publish(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := EnsureGroup(ctx, rdb, names); err != nil {
		t.Fatal(err)
	}
	// A worker reads ten entries and dies before acknowledging them.
	got, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: names.Group, Consumer: "dead", Streams: []string{names.Stream, ">"}, Count: 10}).Result()
	if err != nil || len(got[0].Messages) != 10 {
		t.Fatalf("dead worker read %v, %v", got, err)
	}
	// It held the lock of the order it was working on.
	if err := rdb.Set(ctx, names.lockKey(evs[0].OrderID), "dead-token", time.Second).Err(); err != nil {
		t.Fatal(err)
	}
	go func() { time.Sleep(500 * time.Millisecond); mr.FastForward(2 * time.Second) }() // the lock expires
	o := fastOptions(t, names, "alive")
	o.Concurrency = 1
	// The replay keeps the simulator in stream order whatever is claimed.
	p.proc.Applier, p.proc.Sync = nil, NewReplayer(rdb, names, p.sim)
	runUntil(t, rdb, p.proc, o, func() bool { return len(p.recorded(t)) == len(evs) })
	pend, err := rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: names.Stream, Group: names.Group, Start: "-", End: "+", Count: 100}).Result()
	if err != nil || len(pend) != 0 {
		t.Errorf("pending after the run: %v, %v", pend, err)
	}
	if c := testutilValue(o.Metrics.Claimed); c < 10 {
		t.Errorf("claimed %v entries, want the dead worker's 10", c)
	}
	for id, n := range p.recorded(t) {
		if n != 1 {
			t.Errorf("event %s in %d cases", id, n)
		}
	}
	checkExecutionsOnce(t, p.store)
}

func TestProcessorIsIdempotent(t *testing.T) {
	ctx := context.Background()
	p := newSimPipeline(t, 60)
	var opened, correlated, clean int
	for _, ev := range p.sim.Events() {
		out, err := p.proc.Process(ctx, Delivery{Event: ev})
		if err != nil {
			t.Fatal(err)
		}
		switch out {
		case OutcomeOpened:
			opened++
		case OutcomeCorrelated:
			correlated++
		case OutcomeNoException:
			clean++
		}
		// Every event processed a second time changes nothing.
		again, err := p.proc.Process(ctx, Delivery{Event: ev})
		if err != nil || again != OutcomeDuplicate {
			t.Fatalf("second run of %s = %q, %v; want duplicate", ev.ID, again, err)
		}
	}
	if opened == 0 || correlated == 0 || clean == 0 {
		t.Errorf("opened %d, correlated %d, clean %d: want some of each", opened, correlated, clean)
	}
	// One open case at most per order.
	cases, err := p.store.ListCases(ctx, store.CaseFilter{OpenOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.OrderID] {
			t.Errorf("order %s has two open cases", c.OrderID)
		}
		seen[c.OrderID] = true
	}
	checkExecutionsOnce(t, p.store)
}

func eventJSON(t *testing.T, ev connectors.Event) []byte {
	t.Helper()
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
