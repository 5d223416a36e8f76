package ingest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Replayer keeps an in-process simulator in step with the stream when
// several processes share the work: each process applies every entry up to
// the one it is about to process, whichever process handles those entries,
// so an order created through another replica exists here too. The
// Applier must be idempotent per event id (sim.Sim.Apply is).
//
// Actions a replica executes change only its own simulator; that is the
// limit of simulated connectors shared by replicas.
type Replayer struct {
	rdb     *redis.Client
	stream  string
	applier Applier

	mu     sync.Mutex
	cursor streamID
}

// NewReplayer returns a replayer of names' stream into a.
func NewReplayer(rdb *redis.Client, names Names, a Applier) *Replayer {
	return &Replayer{rdb: rdb, stream: names.withDefaults().Stream, applier: a}
}

// SyncTo applies every entry after the last one applied, up to and
// including entryID.
func (r *Replayer) SyncTo(ctx context.Context, entryID string) error {
	target, err := parseStreamID(entryID)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.cursor.less(target) {
		start := "-"
		if !r.cursor.zero() {
			start = "(" + r.cursor.String()
		}
		msgs, err := r.rdb.XRangeN(ctx, r.stream, start, entryID, 1000).Result()
		if err != nil {
			return fmt.Errorf("replaying %s: %w", r.stream, err)
		}
		if len(msgs) == 0 {
			r.cursor = target
			break
		}
		for _, m := range msgs {
			if ev, err := decodeEntry(m); err == nil {
				r.applier.Apply(ev)
			}
			id, err := parseStreamID(m.ID)
			if err != nil {
				return err
			}
			r.cursor = id
		}
	}
	return nil
}

// streamID is a parsed stream entry id.
type streamID struct{ ms, seq uint64 }

func parseStreamID(s string) (streamID, error) {
	msPart, seqPart, ok := strings.Cut(s, "-")
	ms, err1 := strconv.ParseUint(msPart, 10, 64)
	seq, err2 := strconv.ParseUint(seqPart, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return streamID{}, fmt.Errorf("bad stream entry id %q", s)
	}
	return streamID{ms, seq}, nil
}

func (a streamID) less(b streamID) bool {
	return a.ms < b.ms || a.ms == b.ms && a.seq < b.seq
}

func (a streamID) zero() bool { return a.ms == 0 && a.seq == 0 }

func (a streamID) String() string { return fmt.Sprintf("%d-%d", a.ms, a.seq) }
