package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/exdesk/exdesk/connectors"
)

// Processor does the work of one delivery; *CaseProcessor implements it.
// It returns the outcome (a metric label) or an error, after which the
// entry stays pending and is retried.
type Processor interface {
	Process(ctx context.Context, d Delivery) (string, error)
}

// WorkerOptions tune RunWorkers. The zero value (with a Consumer name
// made up) is the production default.
type WorkerOptions struct {
	Names Names
	// Consumer names this process in the group (default host-pid-random).
	Consumer string
	// Concurrency is the number of events processed at once (default 8).
	Concurrency int
	// Batch is the number of entries read at once (default 2×Concurrency).
	Batch int
	// Block is how long a read waits for new entries (default 2s).
	Block time.Duration
	// ClaimAfter is how long an entry stays pending with a consumer that
	// does not acknowledge it (dead, or failed on it) before another claims
	// it (default 30s). In-flight entries are kept fresh, so a slow event is
	// not claimed from a live worker.
	ClaimAfter time.Duration
	// MaxDeliveries is how many times an event is tried before it goes to
	// the dead-letter stream (default 5).
	MaxDeliveries int
	// LockTTL bounds how long a dead worker's order lock blocks the order
	// (default 15s; refreshed while the work runs).
	LockTTL time.Duration
	// LockWait is how long a worker waits for an order's lock (default
	// LockTTL + 5s, so a dead worker's lock expires before the wait ends).
	LockWait time.Duration
	// ProcessTimeout bounds the work on one event (default 60s). In-flight
	// work is not cancelled by shutdown, only by this timeout.
	ProcessTimeout time.Duration
	// StatsEvery is how often the lag and pending gauges are sampled
	// (default 5s).
	StatsEvery time.Duration
	// Resolver, when set, sees every event before its order is locked: it
	// keeps the state the event carries and finds the order of an event
	// that names only a shipment (*StateKeeper).
	Resolver Resolver
	// Log receives JSON logs; nil discards.
	Log *slog.Logger
	// Metrics; nil records nothing.
	Metrics *Metrics
}

func (o WorkerOptions) withDefaults() WorkerOptions {
	o.Names = o.Names.withDefaults()
	if o.Consumer == "" {
		host, _ := os.Hostname()
		var b [3]byte
		_, _ = rand.Read(b[:])
		o.Consumer = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Batch <= 0 {
		o.Batch = 2 * o.Concurrency
	}
	if o.Block <= 0 {
		o.Block = 2 * time.Second
	}
	if o.ClaimAfter <= 0 {
		o.ClaimAfter = 30 * time.Second
	}
	if o.MaxDeliveries <= 0 {
		o.MaxDeliveries = 5
	}
	if o.LockTTL <= 0 {
		o.LockTTL = 15 * time.Second
	}
	if o.LockWait <= 0 {
		o.LockWait = o.LockTTL + 5*time.Second
	}
	if o.ProcessTimeout <= 0 {
		o.ProcessTimeout = 60 * time.Second
	}
	if o.StatsEvery <= 0 {
		o.StatsEvery = 5 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics(nil)
	}
	return o
}

// job is one entry to process, with its delivery count.
type job struct {
	msg        redis.XMessage
	deliveries int64
}

type workers struct {
	rdb   *redis.Client
	proc  Processor
	o     WorkerOptions
	locks *orderLocks
	log   *slog.Logger
	m     *Metrics

	mu       sync.Mutex
	inflight map[string]bool
}

// EnsureGroup creates the stream and its consumer group if missing.
func EnsureGroup(ctx context.Context, rdb *redis.Client, names Names) error {
	names = names.withDefaults()
	err := rdb.XGroupCreateMkStream(ctx, names.Stream, names.Group, "0").Err()
	if err != nil && !strings.Contains(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("creating consumer group %s on %s: %w", names.Group, names.Stream, err)
	}
	return nil
}

// RunWorkers reads the stream in the consumer group and processes each
// entry with proc, serialised per order, until ctx is done; then it
// finishes the entries it holds and returns. Entries are acknowledged only
// after proc returns without error. Pending entries of dead consumers are
// claimed after ClaimAfter; an entry delivered more than MaxDeliveries
// times, or one that is not an event, goes to the dead-letter stream.
func RunWorkers(ctx context.Context, rdb *redis.Client, proc Processor, o WorkerOptions) error {
	o = o.withDefaults()
	if err := EnsureGroup(ctx, rdb, o.Names); err != nil {
		return err
	}
	w := &workers{rdb: rdb, proc: proc, o: o, log: o.Log.With("consumer", o.Consumer), m: o.Metrics,
		locks:    &orderLocks{rdb: rdb, names: o.Names, ttl: o.LockTTL, wait: o.LockWait},
		inflight: map[string]bool{}}
	w.log.Info("ingest workers started", "stream", o.Names.Stream, "group", o.Names.Group, "concurrency", o.Concurrency,
		"claim_after", o.ClaimAfter.String(), "max_deliveries", o.MaxDeliveries)

	jobs := make(chan job, o.Concurrency)
	var feeders, doers sync.WaitGroup
	feeders.Add(3)
	go func() { defer feeders.Done(); w.read(ctx, jobs) }()
	go func() { defer feeders.Done(); w.claimLoop(ctx, jobs) }()
	go func() { defer feeders.Done(); w.statsLoop(ctx) }()
	for range o.Concurrency {
		doers.Add(1)
		go func() {
			defer doers.Done()
			for j := range jobs {
				w.handle(ctx, j)
			}
		}()
	}
	feeders.Wait()
	close(jobs)
	doers.Wait()
	w.log.Info("ingest workers stopped")
	return nil
}

// track marks an entry in flight; it reports false when it already is.
func (w *workers) track(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.inflight[id] {
		return false
	}
	w.inflight[id] = true
	return true
}

func (w *workers) untrack(id string) {
	w.mu.Lock()
	delete(w.inflight, id)
	w.mu.Unlock()
}

func (w *workers) inflightIDs() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	ids := make([]string, 0, len(w.inflight))
	for id := range w.inflight {
		ids = append(ids, id)
	}
	return ids
}

// send queues a job unless ctx ends first (the entry then stays pending).
func (w *workers) send(ctx context.Context, jobs chan<- job, j job) bool {
	if !w.track(j.msg.ID) {
		return true
	}
	select {
	case jobs <- j:
		return true
	case <-ctx.Done():
		w.untrack(j.msg.ID)
		return false
	}
}

// read delivers new entries (XREADGROUP >).
func (w *workers) read(ctx context.Context, jobs chan<- job) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		res, err := w.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: w.o.Names.Group, Consumer: w.o.Consumer,
			Streams: []string{w.o.Names.Stream, ">"}, Count: int64(w.o.Batch), Block: w.o.Block}).Result()
		if err != nil {
			if errors.Is(err, redis.Nil) || ctx.Err() != nil {
				continue
			}
			if strings.Contains(err.Error(), "NOGROUP") {
				_ = EnsureGroup(ctx, w.rdb, w.o.Names)
			}
			w.log.Error("reading the stream", "err", err)
			sleep(ctx, backoff)
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		for _, s := range res {
			for _, m := range s.Messages {
				if !w.send(ctx, jobs, job{msg: m, deliveries: 1}) {
					return
				}
			}
		}
	}
}

// claimLoop claims entries idle for ClaimAfter and keeps this process's
// in-flight entries fresh so no one claims them from a live worker.
func (w *workers) claimLoop(ctx context.Context, jobs chan<- job) {
	every := max(w.o.ClaimAfter/3, 20*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		w.heartbeat(ctx)
		if err := w.claim(ctx, jobs); err != nil && ctx.Err() == nil {
			w.log.Error("claiming pending entries", "err", err)
		}
	}
}

// heartbeat resets the idle time of in-flight entries (XCLAIM JUSTID does
// not count a delivery).
func (w *workers) heartbeat(ctx context.Context) {
	ids := w.inflightIDs()
	if len(ids) == 0 {
		return
	}
	err := w.rdb.XClaimJustID(ctx, &redis.XClaimArgs{Stream: w.o.Names.Stream, Group: w.o.Names.Group,
		Consumer: w.o.Consumer, MinIdle: 0, Messages: ids}).Err()
	if err != nil && ctx.Err() == nil {
		w.log.Warn("in-flight entries not refreshed", "err", err)
	}
}

// claim takes over entries idle for ClaimAfter (XAUTOCLAIM) and queues
// them, or dead-letters those delivered too often.
func (w *workers) claim(ctx context.Context, jobs chan<- job) error {
	start := "0-0"
	for ctx.Err() == nil {
		msgs, next, err := w.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: w.o.Names.Stream, Group: w.o.Names.Group,
			Consumer: w.o.Consumer, MinIdle: w.o.ClaimAfter, Start: start, Count: int64(w.o.Batch)}).Result()
		if err != nil {
			return fmt.Errorf("XAUTOCLAIM: %w", err)
		}
		if len(msgs) > 0 {
			w.m.Claimed.Add(float64(len(msgs)))
			counts, err := w.deliveryCounts(ctx, msgs)
			if err != nil {
				return err
			}
			for _, m := range msgs {
				n := counts[m.ID]
				if n == 0 {
					n = 1
				}
				if n > int64(w.o.MaxDeliveries) {
					w.deadLetter(ctx, m, n, "")
					continue
				}
				w.log.Info("claimed a pending entry", "entry", m.ID, "deliveries", n)
				if !w.send(ctx, jobs, job{msg: m, deliveries: n}) {
					return nil
				}
			}
		}
		if next == "0-0" || next == "" || len(msgs) == 0 && next == start {
			return nil
		}
		start = next
	}
	return nil
}

// deliveryCounts reads the delivery counts of claimed entries.
func (w *workers) deliveryCounts(ctx context.Context, msgs []redis.XMessage) (map[string]int64, error) {
	lo, hi := msgs[0].ID, msgs[0].ID
	for _, m := range msgs[1:] {
		a, _ := parseStreamID(m.ID)
		if l, _ := parseStreamID(lo); a.less(l) {
			lo = m.ID
		}
		if h, _ := parseStreamID(hi); h.less(a) {
			hi = m.ID
		}
	}
	pend, err := w.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: w.o.Names.Stream, Group: w.o.Names.Group,
		Start: lo, End: hi, Count: int64(len(msgs) + 4*w.o.Batch + 100), Consumer: w.o.Consumer}).Result()
	if err != nil {
		return nil, fmt.Errorf("XPENDING: %w", err)
	}
	out := make(map[string]int64, len(pend))
	for _, p := range pend {
		out[p.ID] = p.RetryCount
	}
	return out, nil
}

// handle processes one entry and acknowledges it, or leaves it pending
// with its error.
func (w *workers) handle(ctx context.Context, j job) {
	defer w.untrack(j.msg.ID)
	began := time.Now()
	ev, err := decodeEntry(j.msg)
	if err != nil {
		w.deadLetter(ctx, j.msg, j.deliveries, err.Error())
		return
	}
	// In-flight work finishes even when the workers are asked to stop.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.o.ProcessTimeout)
	defer cancel()
	outcome, err := w.resolveAndProcess(pctx, j.msg.ID, &ev)
	if err != nil {
		w.m.Failures.Inc()
		w.log.Warn("event failed", "entry", j.msg.ID, "event", ev.ID, "order", ev.OrderID, "deliveries", j.deliveries, "err", err)
		if j.deliveries >= int64(w.o.MaxDeliveries) {
			w.deadLetter(pctx, j.msg, j.deliveries, err.Error())
			return
		}
		if herr := w.rdb.HSet(pctx, w.o.Names.errorsKey(), j.msg.ID, err.Error()).Err(); herr != nil {
			w.log.Error("failure not recorded", "entry", j.msg.ID, "err", herr)
		}
		return
	}
	pipe := w.rdb.Pipeline()
	pipe.XAck(pctx, w.o.Names.Stream, w.o.Names.Group, j.msg.ID)
	pipe.HDel(pctx, w.o.Names.errorsKey(), j.msg.ID)
	if _, err := pipe.Exec(pctx); err != nil {
		// The work is durable; a redelivery will find it done.
		w.log.Error("entry not acknowledged", "entry", j.msg.ID, "err", err)
	}
	w.m.Processed.WithLabelValues(outcome).Inc()
	w.m.Latency.Observe(time.Since(began).Seconds())
	w.log.Debug("event processed", "entry", j.msg.ID, "event", ev.ID, "order", ev.OrderID, "outcome", outcome)
}

// resolveAndProcess keeps the state the event carries and finds its order
// (Resolver), then processes it under the order's lock. An event the
// resolver says opens no case is done with that outcome.
func (w *workers) resolveAndProcess(ctx context.Context, entryID string, ev *connectors.Event) (string, error) {
	if w.o.Resolver != nil {
		if err := w.o.Resolver.Resolve(ctx, ev); err != nil {
			var skip *SkipError
			if errors.As(err, &skip) {
				w.log.Info("event opens no case", "event", ev.ID, "outcome", skip.Outcome, "reason", skip.Reason)
				return skip.Outcome, nil
			}
			return "", err
		}
	}
	if ev.OrderID == "" {
		w.log.Warn("event names no order and none was found", "event", ev.ID, "type", ev.Type)
		return OutcomeUnmatched, nil
	}
	return w.process(ctx, entryID, *ev)
}

// process runs proc under the order's lock.
func (w *workers) process(ctx context.Context, entryID string, ev connectors.Event) (string, error) {
	release, err := w.locks.acquire(ctx, ev.OrderID)
	if err != nil {
		return "", err
	}
	defer release()
	return w.proc.Process(ctx, Delivery{EntryID: entryID, Event: ev})
}

// deadLetterScript acknowledges the entry and, only if this call did,
// adds it to the dead-letter stream, so it is dead-lettered once.
//
// KEYS[1] stream, KEYS[2] dead-letter stream, KEYS[3] errors hash;
// ARGV: group, entry id, event, error (empty: use the recorded one),
// deliveries, consumer.
var deadLetterScript = redis.NewScript(`
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  local err = ARGV[4]
  if err == '' then
    err = redis.call('HGET', KEYS[3], ARGV[2])
    if not err then
      err = 'delivered ' .. ARGV[5] .. ' times without an acknowledgement: the workers handling it stopped or timed out'
    end
  end
  redis.call('XADD', KEYS[2], '*', 'entry_id', ARGV[2], 'event', ARGV[3], 'error', err, 'deliveries', ARGV[5], 'consumer', ARGV[6])
  redis.call('HDEL', KEYS[3], ARGV[2])
  return 1
end
return 0
`)

func (w *workers) deadLetter(ctx context.Context, m redis.XMessage, deliveries int64, errText string) {
	raw, _ := m.Values["event"].(string)
	n := w.o.Names
	moved, err := deadLetterScript.Run(context.WithoutCancel(ctx), w.rdb, []string{n.Stream, n.DeadLetter(), n.errorsKey()},
		n.Group, m.ID, raw, errText, strconv.FormatInt(deliveries, 10), w.o.Consumer).Int()
	if err != nil {
		w.log.Error("entry not dead-lettered", "entry", m.ID, "err", err)
		return
	}
	if moved == 1 {
		w.m.DeadLettered.Inc()
		w.log.Warn("event dead-lettered", "entry", m.ID, "deliveries", deliveries, "err", errText)
	}
}

// statsLoop samples the group's lag and pending count.
func (w *workers) statsLoop(ctx context.Context) {
	t := time.NewTicker(w.o.StatsEvery)
	defer t.Stop()
	for {
		groups, err := w.rdb.XInfoGroups(ctx, w.o.Names.Stream).Result()
		if err == nil {
			for _, g := range groups {
				if g.Name == w.o.Names.Group {
					w.m.Lag.Set(float64(max(g.Lag, 0)))
					w.m.Pending.Set(float64(g.Pending))
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// decodeEntry reads the event of a stream entry.
func decodeEntry(m redis.XMessage) (connectors.Event, error) {
	var ev connectors.Event
	raw, ok := m.Values["event"].(string)
	if !ok {
		return ev, fmt.Errorf("%w: stream entry %s has no event field", ErrInvalid, m.ID)
	}
	if err := json.Unmarshal([]byte(raw), &ev); err != nil {
		return ev, fmt.Errorf("%w: stream entry %s: %v", ErrInvalid, m.ID, err)
	}
	if ev.ID == "" || ev.OrderID == "" && !ev.CarriesState() {
		return ev, fmt.Errorf("%w: stream entry %s: an event needs an id and an order_id (or the state of a shipment or inbound supply)", ErrInvalid, m.ID)
	}
	return ev, nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
