package slackbot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Redis key prefixes and lifetimes.
const (
	keyPrefix = "exdesk:slack:"
	// DedupeTTL outlives Slack's retry schedule (immediately, 1 min, 5 min).
	DedupeTTL = 2 * time.Hour
	// ThreadTTL is how long a thread's order and history are remembered.
	ThreadTTL = 7 * 24 * time.Hour
	// historyMax bounds the turns kept per thread.
	historyMax = 50
)

// OpenRedis connects to url, or, when url is empty, starts an in-process
// Redis-protocol server (miniredis) so the one go-redis code path serves
// both. The in-process server listens on loopback and requires a random
// password that only this process knows, so no other local user can read
// or write exdesk's state through it. The returned close func stops both.
func OpenRedis(ctx context.Context, url string) (*redis.Client, func() error, error) {
	if url == "" {
		m := miniredis.NewMiniRedis()
		var pw [24]byte
		_, _ = rand.Read(pw[:])
		password := hex.EncodeToString(pw[:])
		m.RequireAuth(password)
		if err := m.StartAddr("127.0.0.1:0"); err != nil {
			return nil, nil, fmt.Errorf("starting in-process redis: %w", err)
		}
		c := redis.NewClient(&redis.Options{Addr: m.Addr(), Password: password})
		return c, func() error { err := c.Close(); m.Close(); return err }, nil
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	c := redis.NewClient(opt)
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		return nil, nil, fmt.Errorf("redis %s: %w", opt.Addr, err)
	}
	return c, c.Close, nil
}

// Memory is the bot's short-lived shared state in Redis: delivery dedupe
// and thread context. Every replica sharing the Redis sees the same.
type Memory struct {
	R *redis.Client
}

// Claim records key as seen and reports whether this call was the first
// (SET NX with DedupeTTL).
func (m Memory) Claim(ctx context.Context, kind, id string) (bool, error) {
	ok, err := m.R.SetNX(ctx, keyPrefix+"seen:"+kind+":"+id, time.Now().UTC().Format(time.RFC3339Nano), DedupeTTL).Result()
	if err != nil {
		return false, fmt.Errorf("dedupe %s %s: %w", kind, id, err)
	}
	return ok, nil
}

// Unclaim forgets a claim, so a redelivery is processed (used when the
// work could not be queued).
func (m Memory) Unclaim(ctx context.Context, kind, id string) error {
	return m.R.Del(ctx, keyPrefix+"seen:"+kind+":"+id).Err()
}

// Thread is what the bot remembers of a thread.
type Thread struct {
	Channel  string `json:"channel"`
	TS       string `json:"ts"`
	OrderID  string `json:"order_id"`
	CaseID   string `json:"case_id"`
	Turns    []Turn `json:"turns,omitempty"`
	Detected bool   `json:"detected,omitempty"` // opened by detection
}

// Turn is one question or answer in a thread.
type Turn struct {
	Who  string    `json:"who"` // a Slack user id, or "exdesk"
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

func threadKey(channel, ts string) string { return keyPrefix + "thread:" + channel + ":" + ts }

// ErrNoThread is returned by LoadThread for a thread the bot does not know.
var ErrNoThread = errors.New("unknown thread")

// SaveThread stores the thread's order and case (not its turns), with ThreadTTL.
func (m Memory) SaveThread(ctx context.Context, t Thread) error {
	k := threadKey(t.Channel, t.TS)
	head := t
	head.Turns = nil
	b, err := json.Marshal(head)
	if err != nil {
		return err
	}
	pipe := m.R.TxPipeline()
	pipe.Set(ctx, k, b, ThreadTTL)
	pipe.Expire(ctx, k+":turns", ThreadTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("saving thread %s/%s: %w", t.Channel, t.TS, err)
	}
	return nil
}

// AddTurn appends a turn to the thread's history (bounded, with ThreadTTL).
func (m Memory) AddTurn(ctx context.Context, channel, ts string, turn Turn) error {
	b, err := json.Marshal(turn)
	if err != nil {
		return err
	}
	k := threadKey(channel, ts) + ":turns"
	pipe := m.R.TxPipeline()
	pipe.RPush(ctx, k, b)
	pipe.LTrim(ctx, k, -historyMax, -1)
	pipe.Expire(ctx, k, ThreadTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("adding turn to thread %s/%s: %w", channel, ts, err)
	}
	return nil
}

// LoadThread returns the thread with its history, or ErrNoThread.
func (m Memory) LoadThread(ctx context.Context, channel, ts string) (Thread, error) {
	k := threadKey(channel, ts)
	b, err := m.R.Get(ctx, k).Bytes()
	if errors.Is(err, redis.Nil) {
		return Thread{}, fmt.Errorf("%w %s/%s", ErrNoThread, channel, ts)
	}
	if err != nil {
		return Thread{}, fmt.Errorf("loading thread %s/%s: %w", channel, ts, err)
	}
	var t Thread
	if err := json.Unmarshal(b, &t); err != nil {
		return Thread{}, fmt.Errorf("thread %s/%s: %w", channel, ts, err)
	}
	raw, err := m.R.LRange(ctx, k+":turns", 0, -1).Result()
	if err != nil {
		return Thread{}, fmt.Errorf("loading thread history %s/%s: %w", channel, ts, err)
	}
	for _, r := range raw {
		var turn Turn
		if json.Unmarshal([]byte(r), &turn) == nil {
			t.Turns = append(t.Turns, turn)
		}
	}
	return t, nil
}

// Ping checks Redis.
func (m Memory) Ping(ctx context.Context) error { return m.R.Ping(ctx).Err() }
