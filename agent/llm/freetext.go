package llm

import (
	"fmt"
	"strings"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
)

// TemplateFreeText replaces the free text a model wrote into actions that
// reach people without a decision — the customer's message of
// notify_customer, the note of escalate and request_credit_review — with
// text built from facts exdesk holds (the order, the class, the action).
// Those actions run automatically, so what the model wrote (perhaps
// steered by text in an order note, perhaps quoting another customer's
// data) never leaves exdesk: it is kept in the proposal's rationale, which
// only the desk's people see, escaped.
func TemplateFreeText(ps []agent.Proposed, class, orderID string) {
	what := strings.ReplaceAll(class, "_", " ")
	for i := range ps {
		a := &ps[i].Action
		order := a.OrderID
		if order == "" {
			order = orderID
		}
		var field, text string
		switch a.Type {
		case connectors.ActNotifyCustomer:
			field, text = "message", fmt.Sprintf("Order %s: we are looking into an issue with your order (%s) and will confirm the next steps shortly.", order, what)
		case connectors.ActEscalate:
			field, text = "note", fmt.Sprintf("%s on %s needs a decision by %s; see the case in exdesk.", what, order, strings.ReplaceAll(a.Str("role"), "_", " "))
		case connectors.ActRequestCreditReview:
			field, text = "note", fmt.Sprintf("Please review the credit position of the customer of %s (%s).", order, what)
		default:
			continue
		}
		if wrote := strings.TrimSpace(a.Str(field)); wrote != "" && wrote != text {
			ps[i].Rationale = strings.TrimSpace(ps[i].Rationale + " (model's draft " + field + ": " + clipText(wrote, 300) + ")")
		}
		args := connectors.Args{}
		for k, v := range a.Args {
			args[k] = v
		}
		args[field] = text
		a.Args = args
	}
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
