package ingest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrLockBusy is returned when an order's lock stays held by another
// worker for longer than the wait.
var ErrLockBusy = errors.New("order lock busy")

// releaseScript deletes the lock only when it still holds our token, so a
// worker whose lock expired never releases the next holder's lock.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// refreshScript extends the lock only while it holds our token.
var refreshScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)

// orderLocks serialise the work on one order across every worker of every
// replica: SET key token NX PX ttl, refreshed while held, released with a
// compare-and-delete. A worker killed while holding one blocks the order
// for at most ttl.
type orderLocks struct {
	rdb   *redis.Client
	names Names
	ttl   time.Duration
	wait  time.Duration
}

// acquire takes the order's lock, waiting up to l.wait. The returned
// release func stops the refresher and deletes the lock if still ours.
func (l *orderLocks) acquire(ctx context.Context, orderID string) (func(), error) {
	key := l.names.lockKey(orderID)
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	deadline := time.Now().Add(l.wait)
	backoff := 2 * time.Millisecond
	for {
		ok, err := l.rdb.SetNX(ctx, key, token, l.ttl).Result()
		if err != nil {
			return nil, fmt.Errorf("locking order %s: %w", orderID, err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: %s held for more than %s", ErrLockBusy, orderID, l.wait)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("locking order %s: %w", orderID, ctx.Err())
		case <-t.C:
		}
		backoff = min(backoff*2, 100*time.Millisecond)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(l.ttl / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				rctx, cancel := context.WithTimeout(context.Background(), l.ttl/3)
				_ = refreshScript.Run(rctx, l.rdb, []string{key}, token, l.ttl.Milliseconds()).Err()
				cancel()
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = releaseScript.Run(rctx, l.rdb, []string{key}, token).Err()
	}, nil
}
