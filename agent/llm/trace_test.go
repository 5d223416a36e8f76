package llm

import (
	"context"
	"testing"

	openai "github.com/sashabaranov/go-openai"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// A model call's span follows the GenAI semantic conventions.
func TestModelCallSpan(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	_, span := startSpan(context.Background(), "gpt-test")
	endSpan(span, openai.ChatCompletionResponse{ID: "chatcmpl-1", Model: "gpt-test-2026",
		Usage:   openai.Usage{PromptTokens: 1200, CompletionTokens: 80},
		Choices: []openai.ChatCompletionChoice{{FinishReason: openai.FinishReasonToolCalls}}}, nil)
	spans := rec.Ended()
	if len(spans) != 1 || spans[0].Name() != "chat gpt-test" {
		t.Fatalf("spans = %v", spans)
	}
	got := map[string]string{}
	for _, kv := range spans[0].Attributes() {
		got[string(kv.Key)] = kv.Value.Emit()
	}
	want := map[string]string{"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-test", "gen_ai.response.model": "gpt-test-2026",
		"gen_ai.usage.input_tokens": "1200", "gen_ai.usage.output_tokens": "80", "gen_ai.response.finish_reasons": `["tool_calls"]`}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}
