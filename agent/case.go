package agent

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/tools"
)

// Trigger types.
const (
	TriggerEvent    = "event"
	TriggerQuestion = "question"
)

// Trigger is what started an investigation.
type Trigger struct {
	Type     string `json:"type"`
	Event    string `json:"event,omitempty"`
	OrderID  string `json:"order_id,omitempty"`
	Question string `json:"question,omitempty"`
}

// ErrNoOrder is returned when a trigger names no order.
var ErrNoOrder = errors.New("no order named")

// ErrUnknownOrder is wrapped when the trigger's order does not exist.
var ErrUnknownOrder = errors.New("unknown order")

// ResolveOrderID returns the trigger's explicit order id, as written
// (trimmed). A question's text is not read here: order ids come in every
// shape, so the orders a question names are found by confirming its tokens
// in the ERP (OrderFinder, Investigator.FindOrders).
func (t Trigger) ResolveOrderID() (string, error) {
	if id := strings.TrimSpace(t.OrderID); id != "" {
		return id, nil
	}
	if t.Type == TriggerQuestion {
		return "", fmt.Errorf("%w: the question %q carries no order_id; find the orders it names with an OrderFinder", ErrNoOrder, t.Question)
	}
	return "", fmt.Errorf("%w: the %s event carries no order_id", ErrNoOrder, t.Event)
}

// Fact is one finding with the tool call it came from.
type Fact struct {
	Text   string `json:"text"`
	Source string `json:"source"` // the tool call id, e.g. "t3"
	Tool   string `json:"tool"`
}

// Proposed is an action a planner proposes, before the guard.
type Proposed struct {
	Action     connectors.Action `json:"action"`
	Rationale  string            `json:"rationale"`
	Confidence float64           `json:"confidence"`
}

// Usage counts what a model-driven plan cost.
type Usage struct {
	RoundTrips int `json:"llm_round_trips"`
	Tokens     int `json:"tokens"`
}

// Draft is a planner's result: its reading of the case and its proposals,
// best first. It carries no decisions: the guard makes those.
type Draft struct {
	Class        string     `json:"exception_class"`
	AlsoDetected []string   `json:"also_detected"`
	Summary      string     `json:"summary"`
	Facts        []Fact     `json:"facts"`
	Proposals    []Proposed `json:"proposals"`
	Usage        Usage      `json:"usage"`
	// Planner names the planner that produced the draft, with a fallback
	// note such as "playbook (fallback: round-trip budget exhausted)".
	Planner       string `json:"planner"`
	Model         string `json:"model,omitempty"`
	PromptVersion string `json:"prompt_version,omitempty"`
}

// Request is what a planner gets.
type Request struct {
	Trigger Trigger
	OrderID string
	Tools   *tools.Toolbox
	Calls   *tools.Calls
}

// Planner investigates one case with the tools and drafts it.
type Planner interface {
	Name() string
	Plan(ctx context.Context, req Request) (*Draft, error)
}

// Proposal is a proposed action with the guard's decision, as a case lists it.
type Proposal struct {
	Rank       int               `json:"rank"`
	Action     connectors.Action `json:"action"`
	Rationale  string            `json:"rationale"`
	Confidence float64           `json:"confidence"`
	Decision   policy.Decision   `json:"decision"`
}

// Rejected is a proposal that did not fit the order.
type Rejected struct {
	Action connectors.Action `json:"action"`
	Reason string            `json:"reason"`
}

// Severity levels.
const (
	SeverityLow      = "low"
	SeverityMedium   = "medium"
	SeverityHigh     = "high"
	SeverityCritical = "critical"
)

// Case is an investigated exception.
type Case struct {
	ID           string   `json:"id"`
	OrderID      string   `json:"order_id"`
	CustomerID   string   `json:"customer_id"`
	CustomerName string   `json:"customer_name"`
	Trigger      Trigger  `json:"trigger"`
	Class        string   `json:"exception_class"`
	AlsoDetected []string `json:"also_detected"`
	Severity     string   `json:"severity"`
	Revenue      float64  `json:"revenue_exposure"`
	SLARisk      string   `json:"sla_risk"`
	// CustomerTier, Site (ship-from) and PromisedDate (the requested ship
	// date, YYYY-MM-DD) are what the supervisor's queue ranks and filters by.
	CustomerTier string `json:"customer_tier,omitempty"`
	Site         string `json:"site,omitempty"`
	PromisedDate string `json:"promised_date,omitempty"`
	// Learned is what people's decisions in similar past cases said about
	// the proposed actions (see Learning).
	Learned []Learned `json:"learned,omitempty"`
	// TraceID is the OpenTelemetry trace of the investigation, when traced.
	TraceID       string        `json:"trace_id,omitempty"`
	Summary       string        `json:"summary"`
	Facts         []Fact        `json:"facts"`
	Calls         []tools.Call  `json:"tool_calls"`
	Actions       []Proposal    `json:"actions"`
	Rejected      []Rejected    `json:"rejected_actions"`
	Planner       string        `json:"planner"`
	Model         string        `json:"model,omitempty"`
	PromptVersion string        `json:"prompt_version,omitempty"`
	PolicyVersion string        `json:"policy_version"`
	Usage         Usage         `json:"usage"`
	OpenedAt      time.Time     `json:"opened_at"`
	Duration      time.Duration `json:"duration_ns"`
}

// Top returns the top-ranked action, if any.
func (c *Case) Top() (Proposal, bool) {
	if len(c.Actions) == 0 {
		return Proposal{}, false
	}
	return c.Actions[0], true
}
