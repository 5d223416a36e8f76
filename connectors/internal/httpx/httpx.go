package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/exdesk/exdesk/connectors"
)

// Defaults of Options; a zero field takes its default.
const (
	DefaultRequestTimeout = 5 * time.Second
	DefaultAttempts       = 3
	DefaultBackoff        = 100 * time.Millisecond
	DefaultMaxBackoff     = 2 * time.Second
	DefaultMaxRetryAfter  = 10 * time.Second
	DefaultMaxBodyBytes   = 8 << 20
	DefaultBreakAfter     = 5
	DefaultBreakFor       = 30 * time.Second
)

// Options configures a Caller. The zero value of every field is its default.
type Options struct {
	// System names the system in errors and in the breaker.
	System string
	// HTTPClient sends the requests (nil: a client on NewTransport).
	HTTPClient *http.Client
	// RequestTimeout bounds one attempt, headers and body.
	RequestTimeout time.Duration
	// Attempts is how many times a retryable request is tried in all.
	Attempts int
	// Backoff is the first retry's base wait, doubled per retry up to
	// MaxBackoff, plus a random jitter of up to the wait.
	Backoff, MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After honoured; a system asking
	// for more is reported unavailable at once.
	MaxRetryAfter time.Duration
	// MaxBodyBytes bounds a response body.
	MaxBodyBytes int64
	// BreakAfter consecutive failed attempts open the breaker for BreakFor.
	BreakAfter uint32
	BreakFor   time.Duration
}

func (o Options) withDefaults() Options {
	if o.System == "" {
		o.System = "systems"
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Transport: NewTransport()}
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.Attempts <= 0 {
		o.Attempts = DefaultAttempts
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.BreakAfter == 0 {
		o.BreakAfter = DefaultBreakAfter
	}
	if o.BreakFor <= 0 {
		o.BreakFor = DefaultBreakFor
	}
	return o
}

// NewTransport returns a transport tuned for many small requests to a few
// hosts: kept-alive connections are reused, up to 64 idle per host.
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 64
	t.IdleConnTimeout = 90 * time.Second
	return t
}

// Caller sends one system's requests. It is safe for concurrent use.
type Caller struct {
	opts    Options
	breaker *gobreaker.CircuitBreaker[*Response]
}

// New returns a Caller.
func New(opts Options) *Caller {
	opts = opts.withDefaults()
	c := &Caller{opts: opts}
	c.breaker = gobreaker.NewCircuitBreaker[*Response](gobreaker.Settings{
		Name:        opts.System,
		MaxRequests: 1,
		Timeout:     opts.BreakFor,
		ReadyToTrip: func(n gobreaker.Counts) bool { return n.ConsecutiveFailures >= opts.BreakAfter },
		IsExcluded: func(err error) bool {
			var cg *callerGone
			return errors.As(err, &cg)
		},
	})
	return c
}

// Options returns the caller's options, defaults filled in.
func (c *Caller) Options() Options { return c.opts }

// Request is one call.
type Request struct {
	Method string
	URL    *url.URL // absolute; an escaped path goes in RawPath
	Header http.Header
	Body   []byte
	// Retry allows retrying a failed attempt: reads, and writes that carry
	// an idempotency key.
	Retry bool
}

// Response is an answer of any status below 500 other than 429.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Error is a call that failed: it names the system, the method, the
// escaped path and the status when there was one.
type Error struct {
	System, Method, Path string
	Status               int    // 0 when no answer came back
	Code, Message        string // from the answer's error body, when the caller parsed one
	Err                  error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s %s", e.System, e.Method, e.Path)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Code != "" || e.Message != "" {
		fmt.Fprintf(&b, ": %s", strings.TrimPrefix(e.Code+": "+e.Message, ": "))
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrorBody, when set on a Caller's use, extracts code and message from an
// error answer; see Caller.Fail.
type ErrorBody func(body []byte) (code, message string)

// failedStatus is an attempt answered 429 or 5xx; it counts against the
// breaker, and the answer rides along.
type failedStatus struct{ resp *Response }

func (f *failedStatus) Error() string { return fmt.Sprintf("status %d", f.resp.Status) }

// callerGone is an attempt the caller's context stopped: it says nothing
// about the system and the breaker does not count it.
type callerGone struct{ err error }

func (c *callerGone) Error() string { return c.err.Error() }
func (c *callerGone) Unwrap() error { return c.err }

// ErrTooLarge is wrapped by an answer over MaxBodyBytes.
var ErrTooLarge = errors.New("response body too large")

// Fail returns an *Error for req with status and cause; describe, when
// set, fills code and message from the answer's body.
func (c *Caller) Fail(req Request, resp *Response, describe ErrorBody, err error) *Error {
	e := &Error{System: c.opts.System, Method: req.Method, Path: req.URL.EscapedPath(), Err: err}
	if resp != nil {
		e.Status = resp.Status
		if describe != nil {
			e.Code, e.Message = describe(resp.Body)
			e.Message = Truncate(e.Message, 500)
		}
	}
	return e
}

// GetJSON sends the read req and decodes a 200 answer into out. A 404 is
// notFound (a connectors.NotFound error naming the entity); any other
// status, and a body that is not JSON of out's shape, is an *Error naming
// the system, the path and the status. format names what the body should
// have been, for that error ("the JSON the contract describes").
func (c *Caller) GetJSON(ctx context.Context, req Request, describe ErrorBody, notFound error, format string, out any) error {
	resp, err := c.Do(ctx, req, describe)
	if err != nil {
		return err
	}
	switch resp.Status {
	case http.StatusOK:
	case http.StatusNotFound:
		return c.Fail(req, resp, describe, notFound)
	default:
		return c.Fail(req, resp, describe, nil)
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return c.Fail(req, resp, nil, fmt.Errorf("the body is not %s: %w", format, err))
	}
	return nil
}

// Truncate shortens s to n bytes, marking the cut.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Do sends req with the breaker, per-attempt timeouts and, when
// req.Retry, retries. It returns the answer for any status below 500 other
// than 429; failures that mean the system is unreachable or failing wrap
// connectors.ErrUnavailable.
func (c *Caller) Do(ctx context.Context, req Request, describe ErrorBody) (*Response, error) {
	attempts := 1
	if req.Retry {
		attempts = c.opts.Attempts
	}
	for attempt := 1; ; attempt++ {
		resp, err := c.breaker.Execute(func() (*Response, error) { return c.once(ctx, req) })
		var fs *failedStatus
		switch {
		case err == nil:
			return resp, nil
		case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
			return nil, connectors.Unavailable(c.opts.System, c.Fail(req, nil, nil, fmt.Errorf(
				"not called: %d attempts in a row failed, so calls stop for %s (circuit breaker open)", c.opts.BreakAfter, c.opts.BreakFor)))
		case ctx.Err() != nil:
			return nil, c.Fail(req, nil, nil, ctx.Err())
		case errors.Is(err, ErrTooLarge):
			return nil, c.Fail(req, &Response{Status: http.StatusOK}, nil, err)
		case errors.As(err, &fs):
			resp = fs.resp
		}
		var failure error = c.Fail(req, nil, nil, err)
		if resp != nil {
			failure = c.Fail(req, resp, describe, nil)
		}
		if attempt >= attempts {
			if attempts > 1 {
				return nil, connectors.Unavailable(c.opts.System, fmt.Errorf("%w (after %d attempts)", failure, attempts))
			}
			return nil, connectors.Unavailable(c.opts.System, failure)
		}
		wait := c.backoff(attempt)
		if resp != nil {
			if ra, ok := RetryAfter(resp.Header, time.Now()); ok {
				if ra > c.opts.MaxRetryAfter {
					return nil, connectors.Unavailable(c.opts.System, fmt.Errorf("%w: asked to retry after %s, more than the %s this client waits", failure, ra, c.opts.MaxRetryAfter))
				}
				wait = max(wait, ra)
			}
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, connectors.Unavailable(c.opts.System, fmt.Errorf("%w (no time left to retry)", failure))
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, c.Fail(req, nil, nil, ctx.Err())
		}
	}
}

// backoff is base·2^(attempt−1), capped, plus a random jitter of up to
// itself, so retries from many cases do not arrive together.
func (c *Caller) backoff(attempt int) time.Duration {
	d := c.opts.Backoff << min(attempt-1, 16)
	if d <= 0 || d > c.opts.MaxBackoff {
		d = c.opts.MaxBackoff
	}
	return d + rand.N(d+1)
}

// RetryAfter reads a Retry-After header: delay-seconds or an HTTP date
// (relative to now).
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 || n > 1<<31 {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func (c *Caller) once(ctx context.Context, r Request) (*Response, error) {
	actx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(actx, r.Method, r.URL.String(), body)
	if err != nil {
		return nil, err
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	res, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, c.attemptError(ctx, err)
	}
	defer res.Body.Close()
	if res.ContentLength > c.opts.MaxBodyBytes {
		return nil, fmt.Errorf("%w: %d bytes announced, the limit is %d", ErrTooLarge, res.ContentLength, c.opts.MaxBodyBytes)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, c.opts.MaxBodyBytes+1))
	if err != nil {
		return nil, c.attemptError(ctx, fmt.Errorf("reading the body after %d bytes: %w", len(b), err))
	}
	if int64(len(b)) > c.opts.MaxBodyBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, c.opts.MaxBodyBytes)
	}
	resp := &Response{Status: res.StatusCode, Header: res.Header, Body: b}
	if res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500 {
		return nil, &failedStatus{resp}
	}
	return resp, nil
}

// attemptError names a per-attempt timeout and marks the caller's own
// cancellation, which the breaker does not count.
func (c *Caller) attemptError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return &callerGone{err}
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("no complete answer within %s: %w", c.opts.RequestTimeout, err)
	}
	return err
}
