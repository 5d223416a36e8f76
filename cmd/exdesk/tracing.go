package main

import (
	"context"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

const tracingHelp = `
  OTEL_EXPORTER_OTLP_ENDPOINT  export traces over OTLP/HTTP to this collector (e.g.
                        http://otel-collector:4318): one trace per case with spans for
                        tool calls, model calls, guard decisions and Slack and connector
                        writes; unset: tracing is off and costs nothing
  OTEL_SERVICE_NAME     the service name on the traces (default exdesk)`

// setupTracing installs the OTLP trace exporter when
// OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise tracing stays the global
// no-op provider. The returned function flushes and stops the exporter.
func setupTracing(ctx context.Context, e *env, log *slog.Logger, command string) func() {
	ep := e.cfg.OTLPEndpoint
	if ep == "" {
		return func() {}
	}
	url := e.cfg.OTLPTracesEndpoint
	if url == "" {
		url = ep + "/v1/traces"
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(url))
	if err != nil {
		log.Error("tracing off: OTLP exporter not created", "endpoint", url, "err", err)
		return func() {}
	}
	name := e.cfg.OTelServiceName
	res := resource.NewSchemaless(attribute.String("service.name", name), attribute.String("exdesk.command", command))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	log.Info("tracing on", "endpoint", url)
	return func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := tp.Shutdown(sctx); err != nil {
			log.Warn("traces not all exported", "err", err)
		}
	}
}
