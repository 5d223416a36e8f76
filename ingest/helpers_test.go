package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// miniRedis returns a client of a fresh in-process Redis-protocol server.
func miniRedis(t *testing.T) *redis.Client {
	t.Helper()
	c, _ := miniRedisServer(t)
	return c
}

// miniRedisServer also returns the server, to move its clock.
func miniRedisServer(t *testing.T) (*redis.Client, *miniredis.Miniredis) {
	t.Helper()
	m := miniredis.RunT(t)
	c := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { _ = c.Close() })
	return c, m
}

// realRedis returns a client of REDIS_URL. Without it the test is skipped,
// or fails under CI=true.
func realRedis(t testing.TB) *redis.Client {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("REDIS_URL is not set: run `scripts/services.sh start; export $(scripts/services.sh env)`")
		}
		t.Skip("REDIS_URL is not set (scripts/services.sh start; export $(scripts/services.sh env))")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	c := redis.NewClient(opt)
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis at REDIS_URL: %v (run scripts/services.sh start)", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// testNames gives a test its own stream, deleted at the end.
func testNames(t *testing.T, c *redis.Client) Names {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	n := Names{Stream: "exdesk:test:" + hex.EncodeToString(b[:]), Group: "g"}
	t.Cleanup(func() {
		ctx := context.Background()
		var keys []string
		iter := c.Scan(ctx, 0, n.Stream+"*", 1000).Iterator()
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			_ = c.Del(ctx, keys...).Err()
		}
	})
	return n
}

// testLog logs JSON to the test output when -v is given.
func testLog(t *testing.T) *slog.Logger {
	t.Helper()
	if !testing.Verbose() {
		return nil
	}
	return slog.New(slog.NewJSONHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}
