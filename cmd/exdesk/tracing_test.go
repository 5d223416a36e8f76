package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel"
)

// With OTEL_EXPORTER_OTLP_ENDPOINT set, spans reach the collector over
// OTLP/HTTP; without it, nothing is installed.
func TestTracingExportsOverOTLP(t *testing.T) {
	var posts atomic.Int64
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/traces" && r.Method == http.MethodPost && r.Header.Get("Content-Type") == "application/x-protobuf" {
			b, _ := io.ReadAll(r.Body)
			if len(b) > 0 {
				posts.Add(1)
			}
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer collector.Close()
	prev := otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	log := slog.New(slog.DiscardHandler)

	off := newEnv(nil, io.Discard, io.Discard, func(string) string { return "" })
	setupTracing(context.Background(), off, log, "test")()
	if otel.GetTracerProvider() != prev {
		t.Fatal("tracing installed without an endpoint")
	}
	on := newEnv(nil, io.Discard, io.Discard, func(k string) string {
		return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL}[k]
	})
	stop := setupTracing(context.Background(), on, log, "test")
	_, span := otel.Tracer("test").Start(context.Background(), "exdesk.case.event hold_placed")
	span.End()
	stop()
	if posts.Load() == 0 {
		t.Fatal("no span reached the collector")
	}
}
