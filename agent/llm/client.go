package llm

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Errors Plan wraps, so callers can tell why a case fell back.
var (
	// ErrBudget is wrapped when a per-case budget runs out.
	ErrBudget = errors.New("budget exhausted")
	// ErrEndpoint is wrapped when the model endpoint keeps failing or
	// refuses the request.
	ErrEndpoint = errors.New("model endpoint failed")
	// ErrNoAnswer is wrapped when the model answers without a tool call
	// (empty or refused) even after a reminder.
	ErrNoAnswer = errors.New("model gave no usable answer")
)

// completer is the one call the planner makes to a model.
type completer interface {
	CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error)
}

// complete sends one request, retrying 429s, 5xx, timeouts and network
// errors with exponential backoff (honouring Retry-After) up to
// cfg.MaxRetries times, within ctx.
func (p *Planner) complete(ctx context.Context, req openai.ChatCompletionRequest) (resp openai.ChatCompletionResponse, err error) {
	ctx, span := startSpan(ctx, req.Model)
	defer func() { endSpan(span, resp, err) }()
	return p.completeRetrying(ctx, req)
}

func (p *Planner) completeRetrying(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	var lastErr error
	for attempt := 0; ; attempt++ {
		rctx, cancel := context.WithTimeout(ctx, p.cfg.RequestTimeout)
		resp, err := p.client.CreateChatCompletion(rctx, req)
		cancel()
		if err == nil {
			return resp, nil
		}
		if errors.Is(err, ErrReplayMiss) {
			return resp, err
		}
		if ctx.Err() != nil {
			return resp, fmt.Errorf("%w: wall time %s spent (last error: %v)", ErrBudget, p.cfg.Timeout, err)
		}
		retry, status := retryable(err)
		lastErr = err
		if !retry {
			return resp, fmt.Errorf("%w: %w", ErrEndpoint, err)
		}
		if attempt >= p.cfg.MaxRetries {
			return resp, fmt.Errorf("%w after %d attempts: %w", ErrEndpoint, attempt+1, lastErr)
		}
		wait, fromServer := backoff(attempt, resp.Header().Get("Retry-After"), time.Now())
		if wait > p.cfg.MaxBackoff {
			if fromServer {
				return resp, fmt.Errorf("%w: the server asks to retry after %s, more than the %s allowed: %w", ErrEndpoint, wait, p.cfg.MaxBackoff, err)
			}
			wait = p.cfg.MaxBackoff
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return resp, fmt.Errorf("%w: wall time would run out waiting %s to retry: %w", ErrBudget, wait, err)
		}
		p.cfg.Logger.Warn("llm: retrying model request", "status", status, "attempt", attempt+1, "wait", wait, "err", err)
		if err := p.cfg.Sleep(ctx, wait); err != nil {
			return resp, fmt.Errorf("%w: wall time spent waiting to retry: %w", ErrBudget, lastErr)
		}
	}
}

// retryable reports whether err is worth retrying, with its HTTP status.
func retryable(err error) (bool, int) {
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	status := 0
	switch {
	case errors.As(err, &apiErr):
		status = apiErr.HTTPStatusCode
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
	}
	if status != 0 {
		return status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500, status
	}
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
		return true, 0
	}
	// A connection refused or reset, or a response that is not JSON.
	return true, 0
}

// backoff returns how long to wait before retry attempt+1: the server's
// Retry-After (seconds or an HTTP date) when given, else exponential from
// 250 ms with jitter.
func backoff(attempt int, retryAfter string, now time.Time) (time.Duration, bool) {
	if ra := strings.TrimSpace(retryAfter); ra != "" {
		if secs, err := strconv.ParseFloat(ra, 64); err == nil && secs >= 0 {
			return time.Duration(secs * float64(time.Second)), true
		}
		if t, err := http.ParseTime(ra); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	base := 250 * time.Millisecond << min(attempt, 6)
	return base/2 + rand.N(base/2+1), false
}
