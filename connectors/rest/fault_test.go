package rest_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/rest"
)

const orderJSON = `{"id":"SO-1","customer_id":"C-1","status":"open","ship_from":"DC-1","ship_to":{},"lines":[]}`

// faulty answers with fault for the first n requests, then with ok.
func faulty(n int, fault, ok http.HandlerFunc) (http.Handler, *atomic.Int32) {
	var calls atomic.Int32
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if int(calls.Add(1)) <= n {
			fault(w, r)
			return
		}
		ok(w, r)
	}), &calls
}

func okOrder(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(orderJSON))
}

func status(code int, retryAfter string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = fmt.Fprintf(w, `{"error":{"code":"e%d","message":"fault %d"}}`, code, code)
	}
}

// hangUpAfter sends headers announcing a body of n bytes, writes part of
// it, and closes the connection.
func hangUpAfter(part string, n int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", n, part)
		_ = buf.Flush()
		conn.Close()
	}
}

func client(t *testing.T, h http.Handler, opts rest.Options) *rest.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := rest.New(srv.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestReadFaults(t *testing.T) {
	tests := []struct {
		name        string
		handler     http.Handler
		opts        func(*rest.Options)
		wantErr     []string // substrings; nil means success
		unavailable bool
		maxTook     time.Duration
	}{
		{name: "500 then success", handler: first(2, status(500, ""))},
		{name: "500 always", handler: first(99, status(500, "")), wantErr: []string{"erp", "GET /v1/orders/SO-1", "500", "fault 500", "after 3 attempts"}, unavailable: true},
		{name: "503 always", handler: first(99, status(503, "0")), wantErr: []string{"503", "e503"}, unavailable: true},
		{name: "429 Retry-After 0 then success", handler: first(1, status(429, "0"))},
		{name: "429 asks for an hour", handler: first(99, status(429, "3600")), wantErr: []string{"429", "asked to retry after 1h0m0s"}, unavailable: true, maxTook: time.Second},
		{name: "stall", handler: first(99, stall(2*time.Second)), wantErr: []string{"no complete answer within 100ms"}, unavailable: true, maxTook: 1500 * time.Millisecond},
		{name: "stall then success", handler: first(1, stall(2*time.Second))},
		{name: "connection cut mid-body, then success", handler: first(1, hangUpAfter(orderJSON[:20], len(orderJSON)))},
		{name: "connection cut mid-body always", handler: first(99, hangUpAfter(orderJSON[:20], len(orderJSON))), wantErr: []string{"reading the body"}, unavailable: true},
		{name: "truncated JSON", handler: first(99, body(orderJSON[:25])), wantErr: []string{"200", "not the JSON the contract describes", "unexpected end of JSON"}},
		{name: "wrong types", handler: first(99, body(`{"id":"SO-1","lines":"many"}`)), wantErr: []string{"not the JSON", "lines"}},
		{name: "another order", handler: first(99, body(strings.Replace(orderJSON, "SO-1", "SO-2", 1))), wantErr: []string{`asked for order "SO-1"`, `"SO-2"`}},
		{name: "50 MB announced", handler: first(99, huge(50<<20, true)), opts: func(o *rest.Options) { o.MaxBodyBytes = 1 << 20 }, wantErr: []string{"too large", "52428800 bytes announced"}},
		{name: "50 MB streamed", handler: first(99, huge(50<<20, false)), opts: func(o *rest.Options) { o.MaxBodyBytes = 1 << 20 }, wantErr: []string{"too large"}, maxTook: 5 * time.Second},
		{name: "404", handler: first(99, status(404, "")), wantErr: []string{`unknown order "SO-1"`}},
		{name: "HTML error page", handler: first(99, htmlPage(502)), wantErr: []string{"502"}, unavailable: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := fast()
			if tt.opts != nil {
				tt.opts(&opts)
			}
			c := client(t, tt.handler, opts)
			began := time.Now()
			o, err := c.Order(ctxT(t), "SO-1")
			took := time.Since(began)
			if tt.maxTook > 0 && took > tt.maxTook {
				t.Errorf("took %s, want under %s", took, tt.maxTook)
			}
			if tt.wantErr == nil {
				if err != nil || o.ID != "SO-1" {
					t.Fatalf("want the order, got %+v, %v", o, err)
				}
				return
			}
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if got := errors.Is(err, connectors.ErrUnavailable); got != tt.unavailable {
				t.Errorf("errors.Is(ErrUnavailable) = %v, want %v: %v", got, tt.unavailable, err)
			}
		})
	}
}

func first(n int, fault http.HandlerFunc) http.Handler {
	h, _ := faulty(n, fault, okOrder)
	return h
}

func stall(d time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
		}
	}
}

func body(s string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(s))
	}
}

func htmlPage(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(code)
		_, _ = w.Write([]byte("<html><body>Bad Gateway</body></html>"))
	}
}

func huge(n int, announce bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if announce {
			w.Header().Set("Content-Length", fmt.Sprint(n))
		}
		chunk := []byte(strings.Repeat(" ", 64<<10))
		for sent := 0; sent < n; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil || r.Context().Err() != nil {
				return
			}
		}
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	c := client(t, first(1, status(503, "1")), fast())
	began := time.Now()
	if _, err := c.Order(ctxT(t), "SO-1"); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took < time.Second {
		t.Fatalf("retried after %s, before the 1 s the server asked for", took)
	}
}

func TestBreakerStopsCallingADeadSystem(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: every call fails at once
	opts := fast()
	opts.BreakAfter, opts.BreakFor = 4, time.Minute
	c, err := rest.New("http://"+addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxT(t)
	for range 2 { // 2 reads × 3 attempts ≥ 4 failures: the breaker opens
		if _, err := c.Customer(ctx, "C-1"); !errors.Is(err, connectors.ErrUnavailable) {
			t.Fatalf("want unavailable, got %v", err)
		}
	}
	began := time.Now()
	_, err = c.Item(ctx, "SKU-1")
	var ue *connectors.UnavailableError
	if !errors.As(err, &ue) || ue.System != "erp" || !strings.Contains(err.Error(), "circuit breaker open") {
		t.Fatalf("want the open breaker named, got %v", err)
	}
	if took := time.Since(began); took > 50*time.Millisecond {
		t.Fatalf("an open breaker must fail at once, took %s", took)
	}
}

func TestCallerCancellationDoesNotOpenTheBreaker(t *testing.T) {
	opts := fast()
	opts.BreakAfter, opts.RequestTimeout = 2, 5*time.Second
	c := client(t, first(99, stall(5*time.Second)), opts)
	for range 4 {
		ctx, cancel := ctxWithTimeout(20 * time.Millisecond)
		_, err := c.Order(ctx, "SO-1")
		cancel()
		if errors.Is(err, connectors.ErrUnavailable) {
			t.Fatalf("the caller gave up; the system is not unavailable: %v", err)
		}
	}
}

// TestApprovedActionReachesTheSystemOnce: the first try answers 503, or
// times out after the system executed it; either way the action is
// executed once, and every try carried the action id as Idempotency-Key.
func TestApprovedActionReachesTheSystemOnce(t *testing.T) {
	tests := []struct {
		name   string
		fault  func(ref http.Handler) http.HandlerFunc
		replay bool
	}{
		{"first try 503", func(http.Handler) http.HandlerFunc { return status(503, "0") }, false},
		{"first try 500", func(http.Handler) http.HandlerFunc { return status(500, "") }, false},
		{"first try times out after executing", func(ref http.Handler) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				rec := &discard{h: http.Header{}}
				ref.ServeHTTP(rec, r)              // the system executes it…
				time.Sleep(300 * time.Millisecond) // …but answers too late
			}
		}, true},
		{"first try cut off", func(ref http.Handler) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				ref.ServeHTTP(&discard{h: http.Header{}}, r)
				hangUpAfter(`{"id":`, 90)(w, r)
			}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := loadExample(t, "compliance-valid-01.json")
			ref := rest.NewServer(rec.Systems(), rest.ServerOptions{})
			var mu sync.Mutex
			var keys []string
			var calls atomic.Int32
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/v1/actions" {
					mu.Lock()
					keys = append(keys, r.Header.Get("Idempotency-Key"))
					mu.Unlock()
					if calls.Add(1) == 1 {
						tt.fault(ref)(w, r)
						return
					}
				}
				ref.ServeHTTP(w, r)
			})
			opts := fast()
			c := client(t, h, opts)
			a := connectors.Action{ID: "case-SO-10089-a1", Type: connectors.ActReleaseHold, OrderID: "SO-10089",
				Args: connectors.Args{"hold_code": "COMPLIANCE"}}
			e, err := c.Execute(ctxT(t), a)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(rec.Executions()); n != 1 {
				t.Fatalf("executed %d times, want exactly once", n)
			}
			if e.Replayed != tt.replay {
				t.Errorf("replayed = %v, want %v", e.Replayed, tt.replay)
			}
			if len(keys) != 2 || keys[0] != a.ID || keys[1] != a.ID {
				t.Fatalf("Idempotency-Keys sent = %v, want the action id twice", keys)
			}
		})
	}
}

func TestWritesAreNotRetriedPastRefusals(t *testing.T) {
	var calls atomic.Int32
	c := client(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		status(409, "")(w, r)
	}), fast())
	_, err := c.Execute(ctxT(t), connectors.Action{ID: "a1", Type: connectors.ActPartialShip, OrderID: "SO-1"})
	if !errors.Is(err, connectors.ErrConflict) || calls.Load() != 1 {
		t.Fatalf("409: want one call and ErrConflict, got %d calls, %v", calls.Load(), err)
	}
}

type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
