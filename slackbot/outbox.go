package slackbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// Outbox serialises outbound messages per channel: at most one call every
// Interval per channel, a 429's Retry-After honoured (the channel's queue
// waits, the others go on), transient failures retried with exponential
// backoff. Do returns the final error; nothing is dropped silently.
type Outbox struct {
	// Interval is the minimum spacing of calls to one channel (default 1s).
	Interval time.Duration
	// MaxAttempts bounds the attempts of one call (default 6).
	MaxAttempts int
	// Backoff is the first wait after a transient error (default 250ms),
	// doubled each attempt up to 10s.
	Backoff time.Duration
	// Log receives retries and failures; nil discards.
	Log *slog.Logger
	// OnRateLimit, when set, is told of every 429 (for metrics).
	OnRateLimit func(channel string, retryAfter time.Duration)

	mu    sync.Mutex
	lanes map[string]*lane
}

type lane struct {
	mu   sync.Mutex
	next time.Time
}

// Do runs call for channel once the channel's previous call is Interval old,
// retrying as described. call must be safe to repeat.
func (o *Outbox) Do(ctx context.Context, channel string, call func(ctx context.Context) error) error {
	l := o.lane(channel)
	l.mu.Lock()
	defer l.mu.Unlock()

	interval := o.Interval
	if interval <= 0 {
		interval = time.Second
	}
	attempts := o.MaxAttempts
	if attempts <= 0 {
		attempts = 6
	}
	backoff := o.Backoff
	if backoff <= 0 {
		backoff = 250 * time.Millisecond
	}
	var err error
	for attempt := 1; attempt <= attempts; attempt++ {
		if err := sleepUntil(ctx, l.next); err != nil {
			return fmt.Errorf("slack call to %s not sent: %w", channel, err)
		}
		err = call(ctx)
		l.next = time.Now().Add(interval)
		if err == nil {
			return nil
		}
		var rl *slack.RateLimitedError
		switch {
		case errors.As(err, &rl):
			wait := max(rl.RetryAfter, time.Second)
			l.next = time.Now().Add(wait)
			if o.OnRateLimit != nil {
				o.OnRateLimit(channel, wait)
			}
			o.log().Warn("slack rate limited; waiting Retry-After", "channel", channel, "retry_after", wait.String(), "attempt", attempt)
		case transient(err):
			l.next = time.Now().Add(max(backoff, interval))
			o.log().Warn("slack call failed; retrying", "channel", channel, "err", err, "attempt", attempt, "backoff", backoff.String())
			backoff = min(backoff*2, 10*time.Second)
		default:
			return err
		}
	}
	o.log().Error("slack call failed after retries", "channel", channel, "attempts", attempts, "err", err)
	return fmt.Errorf("slack call to %s failed after %d attempts: %w", channel, attempts, err)
}

func (o *Outbox) log() *slog.Logger {
	if o.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Log
}

// lane returns the channel's lane. Lanes are kept: a workspace has a
// bounded number of channels the bot posts to.
func (o *Outbox) lane(channel string) *lane {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.lanes == nil {
		o.lanes = map[string]*lane{}
	}
	l, ok := o.lanes[channel]
	if !ok {
		l = &lane{}
		o.lanes[channel] = l
	}
	return l
}

// transient reports whether an error is worth retrying: 5xx, network errors.
func transient(err error) bool {
	var sce slack.StatusCodeError
	if errors.As(err, &sce) {
		return sce.Code >= 500
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited":
			return true
		}
	}
	return false
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
