package rest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/connectors/rest"
)

const examples = "../../../shared/evals/examples"

// loadExample loads a shared example case, skipping when shared/ is absent
// outside CI.
func loadExample(t testing.TB, name string) *recorded.Connector {
	t.Helper()
	c, err := recorded.Load(examples + "/" + name)
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	return c
}

// validating is a transport that checks every request the client sends and
// every answer the server gives against the contract.
type validating struct {
	t        testing.TB
	contract *rest.Contract
	next     http.RoundTripper

	mu       sync.Mutex
	requests []*http.Request
}

func newValidating(t testing.TB) *validating {
	t.Helper()
	c, err := rest.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	return &validating{t: t, contract: c, next: rest.NewTransport()}
}

func (v *validating) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := context.Background()
	if err := v.contract.ValidateRequest(ctx, req, ""); err != nil {
		v.t.Errorf("client: %v", err)
	}
	v.mu.Lock()
	v.requests = append(v.requests, req)
	v.mu.Unlock()
	res, err := v.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	if err := v.contract.ValidateResponse(ctx, req, "", res.StatusCode, res.Header, body); err != nil {
		v.t.Errorf("server: %v", err)
	}
	return res, nil
}

func (v *validating) paths() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]string, len(v.requests))
	for i, r := range v.requests {
		out[i] = r.Method + " " + r.URL.EscapedPath()
	}
	return out
}

// serve runs the reference server over sys and returns a client of it whose
// traffic is validated against the contract.
func serve(t testing.TB, sys connectors.Systems, opts rest.Options) (*rest.Client, *validating, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(rest.NewServer(sys, rest.ServerOptions{}))
	t.Cleanup(srv.Close)
	v := newValidating(t)
	opts.HTTPClient = &http.Client{Transport: v}
	if opts.System == "" {
		opts.System = "erp"
	}
	c, err := rest.New(srv.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, v, srv
}

// fast are options for fault tests: short timeouts and backoffs.
func fast() rest.Options {
	return rest.Options{System: "erp", RequestTimeout: 100 * time.Millisecond, Attempts: 3,
		Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func ctxWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
