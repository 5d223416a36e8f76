package agent

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
)

func tracer() trace.Tracer { return otel.Tracer("github.com/exdesk/exdesk/agent") }

// GuardSpan starts the span of one guard decision; EndGuardSpan records
// its rule and outcome. casework uses them for its fresh decisions too.
func GuardSpan(ctx context.Context, a connectors.Action) (context.Context, trace.Span) {
	return tracer().Start(ctx, "guard.decide "+a.Type, trace.WithAttributes(
		attribute.String("exdesk.action.type", a.Type), attribute.String("exdesk.order_id", a.OrderID)))
}

// EndGuardSpan ends a guard decision's span.
func EndGuardSpan(span trace.Span, d policy.Decision, err error) {
	if span.IsRecording() {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		} else {
			span.SetAttributes(attribute.String("exdesk.policy.rule", d.Rule), attribute.String("exdesk.policy.outcome", string(d.Outcome)),
				attribute.String("exdesk.policy.role", d.Role))
		}
	}
	span.End()
}
