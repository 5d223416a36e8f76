package llm

import (
	"context"

	openai "github.com/sashabaranov/go-openai"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// startSpan starts the span of one model call, named and attributed by the
// OpenTelemetry GenAI semantic conventions ("chat {model}").
func startSpan(ctx context.Context, model string) (context.Context, trace.Span) {
	return otel.Tracer("github.com/exdesk/exdesk/agent/llm").Start(ctx, "chat "+model,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.provider.name", "openai"),
			attribute.String("gen_ai.request.model", model)))
}

// endSpan records the response's model, token usage and finish reasons.
func endSpan(span trace.Span, resp openai.ChatCompletionResponse, err error) {
	if span.IsRecording() {
		if resp.Model != "" {
			span.SetAttributes(attribute.String("gen_ai.response.model", resp.Model))
		}
		if resp.ID != "" {
			span.SetAttributes(attribute.String("gen_ai.response.id", resp.ID))
		}
		span.SetAttributes(attribute.Int("gen_ai.usage.input_tokens", resp.Usage.PromptTokens),
			attribute.Int("gen_ai.usage.output_tokens", resp.Usage.CompletionTokens))
		var reasons []string
		for _, c := range resp.Choices {
			reasons = append(reasons, string(c.FinishReason))
		}
		span.SetAttributes(attribute.StringSlice("gen_ai.response.finish_reasons", reasons))
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
	}
	span.End()
}
