package casework

import (
	"context"
	"crypto/sha256"
	"encoding/json"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

func tracer() trace.Tracer { return otel.Tracer("github.com/exdesk/exdesk/casework") }

// caseTrace starts a span in the case's trace: one trace per case. The
// first investigation of an order starts the trace (its id is kept in the
// case document); later events, approvals and executions of the case
// continue it under a parent derived from the case id. Without a
// configured tracer provider this costs nothing.
func (d *Desk) caseTrace(ctx context.Context, name, caseID, traceID string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	opts := []trace.SpanStartOption{trace.WithAttributes(append(attrs, attribute.String("exdesk.case_id", caseID))...)}
	if tid, err := trace.TraceIDFromHex(traceID); err == nil && traceID != "" {
		sum := sha256.Sum256([]byte(caseID))
		var sid trace.SpanID
		copy(sid[:], sum[:8])
		parent := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, Remote: true})
		ctx = trace.ContextWithRemoteSpanContext(ctx, parent)
	} else {
		opts = append(opts, trace.WithNewRoot())
	}
	return tracer().Start(ctx, name, opts...)
}

// traceOf reads the trace id a stored case document keeps.
func (d *Desk) traceOf(ctx context.Context, caseID string) string {
	sc, err := d.st.GetCase(ctx, caseID)
	if err != nil {
		return ""
	}
	return documentTrace(sc.Document)
}

// documentTrace returns the trace id a case document keeps ("" when it
// keeps none).
func documentTrace(doc json.RawMessage) string {
	var d struct {
		TraceID string `json:"trace_id"`
	}
	_ = json.Unmarshal(doc, &d)
	return d.TraceID
}

// TraceID returns the trace id of ctx's span, for logs ("" when not traced).
func TraceID(ctx context.Context) string {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		return sc.TraceID().String()
	}
	return ""
}

func endSpan(span trace.Span, err error) {
	if err != nil && span.IsRecording() {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}
