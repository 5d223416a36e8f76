package rest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/rest"
)

type canned struct {
	status int
	header http.Header
	body   []byte
}

func (c canned) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: c.status, Header: c.header, Body: io.NopCloser(bytes.NewReader(c.body)),
		ContentLength: int64(len(c.body)), Request: req}, nil
}

// FuzzResponses feeds the client whatever a system might answer: no status,
// header or body may make it panic, and every failure is an error.
func FuzzResponses(f *testing.F) {
	f.Add(200, "", []byte(orderJSON))
	f.Add(200, "", []byte(`{"id":"SO-1","lines":[{"qty":1e400}]}`))
	f.Add(404, "", []byte(`{"error":{"code":"not_found"}}`))
	f.Add(429, "Wed, 21 Oct 2015 07:28:00 GMT", []byte(``))
	f.Add(503, "-1", []byte(`{"error":`))
	f.Add(409, "", []byte(`{"error":{"code":"conflict","message":"`+string(bytes.Repeat([]byte("x"), 2000))+`"}}`))
	f.Add(200, "", []byte(`{"id":"a1","status":"executed","system":"erp","detail":"ok"}`))
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		if status < 100 || status > 999 {
			status = 200
		}
		opts := rest.Options{System: "erp", Attempts: 2, Backoff: time.Microsecond, MaxBackoff: time.Microsecond,
			MaxRetryAfter: time.Millisecond, MaxBodyBytes: 1 << 16, RequestTimeout: time.Second,
			HTTPClient: &http.Client{Transport: canned{status, http.Header{"Retry-After": {retryAfter}}, body}}}
		c, err := rest.New("http://systems.invalid", opts)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		o, err := c.Order(ctx, "SO-1")
		if err == nil && o.ID != "SO-1" {
			t.Fatalf("no error, but order %q", o.ID)
		}
		_, _ = c.Stock(ctx, "SKU-1")
		_, _ = c.Carriers(ctx)
		_, _ = c.Execute(ctx, connectors.Action{ID: "a1", Type: connectors.ActNotifyCustomer, OrderID: "SO-1", Args: connectors.Args{"message": "hi"}})
		_ = c.Now()
	})
}
