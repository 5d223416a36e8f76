package tools

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// startSpan starts the span of one tool call (GenAI semantic conventions:
// execute_tool). Without a configured tracer provider it costs nothing.
func startSpan(ctx context.Context, name string) (context.Context, trace.Span) {
	return otel.Tracer("github.com/exdesk/exdesk/tools").Start(ctx, "execute_tool "+name,
		trace.WithAttributes(attribute.String("gen_ai.operation.name", "execute_tool"), attribute.String("gen_ai.tool.name", name)))
}

// endSpan ends a tool call's span with its call id and error.
func endSpan(span trace.Span, id string, err error) {
	if !span.IsRecording() {
		span.End()
		return
	}
	span.SetAttributes(attribute.String("gen_ai.tool.call.id", id))
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}
