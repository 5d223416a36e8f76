package slackbot

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// slackSpan starts the span of one Slack write.
func slackSpan(ctx context.Context, method, channel string) (context.Context, trace.Span) {
	return otel.Tracer("github.com/exdesk/exdesk/slackbot").Start(ctx, "slack "+method, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("rpc.method", method), attribute.String("slack.channel", channel)))
}

func endSlackSpan(span trace.Span, err error) {
	if err != nil && span.IsRecording() {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}
