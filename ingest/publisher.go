package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/exdesk/exdesk/connectors"
)

// Defaults of Names and PublisherOptions.
const (
	DefaultStream    = "exdesk:events"
	DefaultGroup     = "exdesk-workers"
	DefaultDedupeTTL = 7 * 24 * time.Hour
	// DefaultMaxLen bounds the stream (approximately, XADD MAXLEN ~).
	DefaultMaxLen = 1_000_000
	// publishChunk is the number of events sent in one script call.
	publishChunk = 500
)

// Names are the Redis keys of one ingest stream. The zero value means the
// defaults; tests give each run its own Stream.
type Names struct {
	// Stream is the events stream (default exdesk:events). The other keys
	// are derived from it.
	Stream string
	// Group is the consumer group (default exdesk-workers).
	Group string
}

func (n Names) withDefaults() Names {
	if n.Stream == "" {
		n.Stream = DefaultStream
	}
	if n.Group == "" {
		n.Group = DefaultGroup
	}
	return n
}

// DeadLetter is the dead-letter stream: entries with the event, its last
// error and its delivery count.
func (n Names) DeadLetter() string { return n.withDefaults().Stream + ":dead" }

// errorsKey is the hash of the last error per pending entry id.
func (n Names) errorsKey() string { return n.withDefaults().Stream + ":errors" }

// seenKey is the dedupe key of an event id.
func (n Names) seenKey(eventID string) string { return n.withDefaults().Stream + ":seen:" + eventID }

// lockKey is the per-order lock.
func (n Names) lockKey(orderID string) string { return n.withDefaults().Stream + ":lock:" + orderID }

// PublisherOptions tune a Publisher.
type PublisherOptions struct {
	Names Names
	// DedupeTTL is how long an event id is remembered (default 7 days).
	DedupeTTL time.Duration
	// MaxLen trims the stream approximately (default 1,000,000; negative:
	// never trim).
	MaxLen int64
	// Metrics; nil records nothing.
	Metrics *Metrics
}

// Publisher adds events to the stream, each event id once.
type Publisher struct {
	rdb    *redis.Client
	names  Names
	ttl    time.Duration
	maxLen int64
	m      *Metrics
}

// NewPublisher returns a publisher writing to rdb.
func NewPublisher(rdb *redis.Client, o PublisherOptions) *Publisher {
	if o.DedupeTTL <= 0 {
		o.DedupeTTL = DefaultDedupeTTL
	}
	if o.MaxLen == 0 {
		o.MaxLen = DefaultMaxLen
	}
	return &Publisher{rdb: rdb, names: o.Names.withDefaults(), ttl: o.DedupeTTL, maxLen: o.MaxLen, m: o.Metrics}
}

// Names returns the keys the publisher writes.
func (p *Publisher) Names() Names { return p.names }

// Result says what a Publish did.
type Result struct {
	// Accepted is the number of events added to the stream.
	Accepted int `json:"accepted"`
	// Duplicates lists the ids of events seen before (accepted, not added).
	Duplicates []string `json:"duplicates"`
}

// publishScript claims each event id (SET NX PX) and adds the event to the
// stream only when the claim is new, atomically: a concurrent or repeated
// delivery of the same id is never added twice, and a claim is never left
// without its entry. It returns the 0-based indexes of the duplicates.
//
// KEYS[1] stream, KEYS[1+i] the seen key of event i; ARGV[1] TTL in ms,
// ARGV[2] MAXLEN (0: no trim), ARGV[2+i] event i as JSON.
var publishScript = redis.NewScript(`
local dups = {}
local maxlen = tonumber(ARGV[2])
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'NX', 'PX', ARGV[1]) then
    if maxlen > 0 then
      redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'event', ARGV[i+1])
    else
      redis.call('XADD', KEYS[1], '*', 'event', ARGV[i+1])
    end
  else
    table.insert(dups, i - 2)
  end
end
return dups
`)

// Publish adds the events to the stream in order. Events whose id was
// published before (within DedupeTTL) are reported as duplicates and not
// added again. Events are sent in chunks of 500, each chunk atomically; the
// caller validates the whole batch first (ParseEvents) so a bad event
// never leaves half a batch behind.
func (p *Publisher) Publish(ctx context.Context, events []connectors.Event) (Result, error) {
	res := Result{Duplicates: []string{}}
	for start := 0; start < len(events); start += publishChunk {
		chunk := events[start:min(start+publishChunk, len(events))]
		keys := make([]string, 0, len(chunk)+1)
		args := make([]any, 0, len(chunk)+2)
		keys = append(keys, p.names.Stream)
		maxLen := max(p.maxLen, 0)
		args = append(args, p.ttl.Milliseconds(), maxLen)
		for _, ev := range chunk {
			if ev.ID == "" {
				return res, fmt.Errorf("publish: %w: an event without an id", ErrInvalid)
			}
			b, err := json.Marshal(ev)
			if err != nil {
				return res, fmt.Errorf("publish: encoding event %s: %w", ev.ID, err)
			}
			keys = append(keys, p.names.seenKey(ev.ID))
			args = append(args, b)
		}
		dups, err := publishScript.Run(ctx, p.rdb, keys, args...).Int64Slice()
		if err != nil && !errors.Is(err, redis.Nil) {
			return res, fmt.Errorf("publish to %s: %w", p.names.Stream, err)
		}
		for _, i := range dups {
			res.Duplicates = append(res.Duplicates, chunk[i].ID)
		}
		res.Accepted += len(chunk) - len(dups)
	}
	if p.m != nil {
		p.m.Received.WithLabelValues("accepted").Add(float64(res.Accepted))
		p.m.Received.WithLabelValues("duplicate").Add(float64(len(res.Duplicates)))
	}
	return res, nil
}
