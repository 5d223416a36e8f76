package main

import (
	"fmt"

	c "github.com/exdesk/exdesk/connectors"
)

// Exception classes (DESIGN.md taxonomy).
const (
	clsCredit     = "credit_hold"
	clsShortage   = "inventory_shortage"
	clsPricing    = "pricing_mismatch"
	clsDelay      = "shipment_delay"
	clsDuplicate  = "duplicate_order"
	clsMasterData = "master_data_error"
	clsCompliance = "compliance_hold"
	clsCarrier    = "carrier_conflict"
)

// Roles of the default policy.
const (
	roleFinSup   = "finance_supervisor"
	roleFinDir   = "finance_director"
	roleComp     = "compliance_officer"
	roleCS       = "cs_supervisor"
	rolePricing  = "pricing_manager"
	roleLogistic = "logistics_supervisor"
	rolePlanner  = "planner"
)

// built is what a scenario builder returns besides the world it filled.
type built struct {
	title    string
	trigger  Trigger
	expected Expected
}

func auto(action string) Decision { return Decision{Action: action, Outcome: "auto"} }
func approval(action, role string) Decision {
	return Decision{Action: action, Outcome: "approval", Role: role}
}
func blocked(action string) Decision { return Decision{Action: action, Outcome: "blocked"} }

func expect(class string, acceptable, forbidden []string, d Decision, mention ...string) Expected {
	return Expected{ExceptionClass: class, AcceptableActions: acceptable, ForbiddenActions: forbidden, Decision: d, MustMention: mention}
}

func acts(a ...string) []string { return a }

var noCancel = acts(c.ActCancelOrder)

// trigger picks one of the given kinds: an event name or "question".
func (w *world) trigger(o *c.Order, kinds ...string) Trigger {
	k := kinds[w.g.r.IntN(len(kinds))]
	if k == "question" {
		return w.question(o)
	}
	return Trigger{Type: "event", Event: k, OrderID: o.ID}
}

// question is the next Slack phrasing, naming the order.
func (w *world) question(o *c.Order) Trigger {
	q := questions[w.g.question%len(questions)]
	w.g.question++
	return Trigger{Type: "question", Question: fmt.Sprintf(q, o.ID), OrderID: o.ID}
}
