package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/tools"
)

// Investigator turns a trigger into a case: it runs the planner with the
// tools, sends every proposed action through the policy guard, and ranks the
// actions (those that can proceed first, blocked ones after with the reason).
type Investigator struct {
	// Planner drafts the case. Required.
	Planner Planner
	// Fallback drafts the case when Planner fails for a reason other than
	// the order itself (a model outage, an exhausted budget). Nil means no
	// fallback: the error is returned.
	Fallback Planner
	// Systems are the ERP, inventory and carrier connectors. Required.
	Systems connectors.Systems
	// Guard decides every proposed action. Required.
	Guard *policy.Guard
	// Tools are extra tools offered to the planner beside the built-in ones
	// (for example case memory search).
	Tools []tools.Handle
	// NewID returns a fresh case id; nil uses a random one.
	NewID func(orderID string) string
	// OrderHint, when set, is the shape the ERP's order ids usually have:
	// a hint for finding them in questions, never a gate (OrderFinder).
	OrderHint *regexp.Regexp
	// OrderExamples are a few real order ids, for "orders look like …" and
	// for suggesting ids written without their prefix or separators; nil
	// asks the ERP for some when it can list them (connectors.OrderSampler).
	OrderExamples []string
	// Learning, when set, ranks the proposals by how people decided on
	// them in similar past cases (before the guard decides them).
	Learning *Learning
}

// maxOrderExamples is how many real ids a finder learns the shapes from.
const maxOrderExamples = 5

// FindOrders finds the orders a question names, each confirmed in the ERP
// (OrderFinder): ids of any shape, the hint's matches first.
func (inv *Investigator) FindOrders(ctx context.Context, text string) (Found, error) {
	return inv.finder(ctx).Find(ctx, text)
}

func (inv *Investigator) finder(ctx context.Context) OrderFinder {
	examples := inv.OrderExamples
	if examples == nil {
		if s, ok := inv.Systems.ERP.(connectors.OrderSampler); ok {
			examples, _ = s.SampleOrderIDs(ctx, maxOrderExamples)
		}
	}
	return OrderFinder{ERP: inv.Systems.ERP, Hint: inv.OrderHint, Examples: examples}
}

// Investigate investigates the trigger's order. An unknown order id is an
// error wrapping ErrUnknownOrder; a trigger naming no order wraps ErrNoOrder.
func (inv *Investigator) Investigate(ctx context.Context, t Trigger) (*Case, error) {
	began := time.Now()
	orderID, err := inv.resolve(ctx, t)
	if err != nil {
		return nil, err
	}
	ctx, span := tracer().Start(ctx, "exdesk.investigate", trace.WithAttributes(
		attribute.String("exdesk.order_id", orderID), attribute.String("exdesk.trigger", t.Type)))
	defer span.End()
	// One read-through view per investigation: the planner's tools and the
	// guard's decisions never fetch the same entity twice. Execute keeps
	// reading inv.Systems, so its re-check before executing sees fresh data.
	sys := connectors.Cache(inv.Systems)
	guard := policy.NewGuard(inv.Guard.Engine(), sys)
	o, err := sys.ERP.Order(ctx, orderID)
	if err != nil {
		if errors.Is(err, connectors.ErrNotFound) {
			// The explicit id may differ from the ERP's in letter case,
			// prefix or separators: the finder says what it may have meant.
			found, ferr := inv.FindOrders(ctx, orderID)
			switch {
			case ferr != nil:
				return nil, fmt.Errorf("looking up %s: %w", orderID, ferr)
			case len(found.OrderIDs) == 1 && strings.EqualFold(found.OrderIDs[0], orderID):
				orderID = found.OrderIDs[0]
				o, err = sys.ERP.Order(ctx, orderID)
			default:
				found.Unknown = []string{orderID}
				found.OrderIDs = nil
				return nil, found.Err()
			}
		}
		if err != nil {
			return nil, fmt.Errorf("looking up %s: %w", orderID, err)
		}
	}
	cust, err := sys.ERP.Customer(ctx, o.CustomerID)
	if err != nil {
		return nil, fmt.Errorf("looking up customer %s of %s: %w", o.CustomerID, orderID, err)
	}
	calls := &tools.Calls{}
	// The tools read only this case's order and its customer's data.
	scoped := connectors.Scope(sys, orderID, o.CustomerID)
	req := Request{Trigger: t, OrderID: orderID, Tools: tools.NewToolbox(scoped, scopeTools(inv.Tools, scoped)...), Calls: calls}
	draft, err := inv.Planner.Plan(ctx, req)
	if err != nil {
		if inv.Fallback == nil || ctx.Err() != nil || errors.Is(err, ErrHarness) {
			return nil, fmt.Errorf("planner %s on %s: %w", inv.Planner.Name(), orderID, err)
		}
		fb, fbErr := inv.Fallback.Plan(ctx, req)
		if fbErr != nil {
			return nil, fmt.Errorf("planner %s on %s: %w (fallback %s: %v)", inv.Planner.Name(), orderID, err, inv.Fallback.Name(), fbErr)
		}
		fb.Planner = fmt.Sprintf("%s (fallback from %s: %v)", fb.Planner, inv.Planner.Name(), err)
		fb.Usage = draft.usageOrZero()
		if draft != nil {
			fb.Model, fb.PromptVersion = draft.Model, draft.PromptVersion
		}
		draft = fb
	}
	c := &Case{
		OrderID: orderID, CustomerID: o.CustomerID, CustomerName: cust.Name, Trigger: t,
		Class: draft.Class, AlsoDetected: draft.AlsoDetected, Summary: draft.Summary, Facts: draft.Facts,
		Planner: draft.Planner, Model: draft.Model, PromptVersion: draft.PromptVersion,
		PolicyVersion: inv.Guard.Engine().Version(), Usage: draft.Usage, OpenedAt: sys.Clock.Now(),
	}
	if c.AlsoDetected == nil {
		c.AlsoDetected = []string{}
	}
	if sc := span.SpanContext(); sc.IsValid() {
		c.TraceID = sc.TraceID().String()
	}
	span.SetAttributes(attribute.String("exdesk.class", c.Class), attribute.String("exdesk.planner", c.Planner))
	if inv.NewID != nil {
		c.ID = inv.NewID(orderID)
	} else {
		c.ID = randomID(orderID)
	}
	props := draft.Proposals
	if inv.Learning != nil {
		learned, notes, err := inv.Learning.Apply(ctx, o, c.Class, props)
		if err != nil {
			// Past decisions only rank; without them the case is decided as drafted.
			c.Learned = []Learned{{Note: "past decisions not read: " + err.Error()}}
		} else {
			props, c.Learned = learned, notes
		}
	}
	if err := decide(ctx, sys, guard, c, o, props); err != nil {
		return nil, err
	}
	c.Severity, c.Revenue, c.SLARisk = severity(o, cust, c.OpenedAt)
	c.CustomerTier, c.Site = string(cust.Tier), o.ShipFrom
	if !o.RequestedShipDate.IsZero() {
		c.PromisedDate = o.RequestedShipDate.String()
	}
	c.Summary = strings.TrimSpace(c.Summary + " " + recommendation(c))
	c.Calls = calls.List()
	c.Duration = time.Since(began)
	return c, nil
}

// resolve returns the trigger's order: its explicit id, or the first order
// its question names that the ERP knows.
func (inv *Investigator) resolve(ctx context.Context, t Trigger) (string, error) {
	if strings.TrimSpace(t.OrderID) != "" || t.Type != TriggerQuestion {
		return t.ResolveOrderID()
	}
	found, err := inv.FindOrders(ctx, t.Question)
	if err != nil {
		return "", err
	}
	if err := found.Err(); err != nil {
		return "", err
	}
	return found.OrderIDs[0], nil
}

// ErrHarness is wrapped by planner errors that are the harness's fault, not
// the planner's or the model's (a recorded model run that has no matching
// exchange). The Investigator does not fall back on them: the error is
// returned so that an eval run can stop as a harness failure.
var ErrHarness = errors.New("harness error")

func (d *Draft) usageOrZero() Usage {
	if d == nil {
		return Usage{}
	}
	return d.Usage
}

// decide runs the guard on each proposal and ranks them. An action on an
// order of another customer is rejected before the guard.
func decide(ctx context.Context, sys connectors.Systems, guard *policy.Guard, c *Case, o connectors.Order, props []Proposed) error {
	orderID := o.ID
	var ok, blocked []Proposal
	for _, p := range props {
		a := p.Action
		if a.OrderID == "" {
			a.OrderID = orderID
		}
		if a.OrderID != orderID {
			other, err := sys.ERP.Order(ctx, a.OrderID)
			if err == nil && other.CustomerID != o.CustomerID {
				c.Rejected = append(c.Rejected, Rejected{Action: a, Reason: fmt.Sprintf(
					"order %s belongs to customer %s, not to %s's customer %s", a.OrderID, other.CustomerID, orderID, o.CustomerID)})
				continue
			}
		}
		gctx, gspan := GuardSpan(ctx, a)
		d, err := guard.Check(gctx, a, p.Confidence)
		EndGuardSpan(gspan, d, err)
		if err != nil {
			var nf *connectors.NotFoundError
			switch {
			case errors.Is(err, policy.ErrInvalidAction):
				c.Rejected = append(c.Rejected, Rejected{Action: a, Reason: err.Error()})
				continue
			case errors.As(err, &nf):
				c.Rejected = append(c.Rejected, Rejected{Action: a, Reason: nf.Error()})
				continue
			}
			return fmt.Errorf("guard on %s for %s: %w", a, orderID, err)
		}
		prop := Proposal{Action: a, Rationale: p.Rationale, Confidence: p.Confidence, Decision: d}
		if d.Outcome == policy.Blocked {
			blocked = append(blocked, prop)
		} else {
			ok = append(ok, prop)
		}
	}
	c.Actions = append(ok, blocked...)
	for i := range c.Actions {
		c.Actions[i].Rank = i + 1
	}
	if c.Rejected == nil {
		c.Rejected = []Rejected{}
	}
	return nil
}

// recommendation says what the case recommends and what it cannot do.
func recommendation(c *Case) string {
	var s strings.Builder
	top, ok := c.Top()
	switch {
	case !ok:
		return "No action proposed."
	case top.Decision.Outcome == policy.Auto:
		fmt.Fprintf(&s, "Recommended: %s, allowed automatically (%s).", Describe(top.Action), top.Decision.Reason)
	case top.Decision.Outcome == policy.Approval:
		fmt.Fprintf(&s, "Recommended: %s, pending approval by %s (%s).", Describe(top.Action), RoleWords(top.Decision.Role), top.Decision.Reason)
	default:
		fmt.Fprintf(&s, "No action can proceed: %s is blocked (%s).", Describe(top.Action), top.Decision.Reason)
		return s.String()
	}
	for _, p := range c.Actions[1:] {
		if p.Decision.Outcome == policy.Blocked {
			fmt.Fprintf(&s, " Not possible: %s (%s).", Describe(p.Action), p.Decision.Reason)
			break
		}
	}
	return s.String()
}

// severity scores the case from the customer's tier, the revenue exposed
// and the risk to the ship or delivery date.
func severity(o connectors.Order, c connectors.Customer, now time.Time) (string, float64, string) {
	score := 0
	switch c.Tier {
	case connectors.TierStrategic:
		score += 3
	case connectors.TierKey:
		score += 2
	default:
		score++
	}
	total := connectors.OrderTotal(o)
	switch {
	case total >= connectors.Cents(50000):
		score += 2
	case total >= connectors.Cents(10000):
		score++
	}
	risk := "low"
	if !o.RequestedShipDate.IsZero() {
		days := o.RequestedShipDate.Time().Sub(connectors.Today(now).Time()).Hours() / 24
		switch {
		case days <= 1:
			risk, score = "high", score+2
		case days <= 3:
			risk, score = "medium", score+1
		}
	}
	switch {
	case score >= 6:
		return SeverityCritical, connectors.FromCents(total), risk
	case score >= 4:
		return SeverityHigh, connectors.FromCents(total), risk
	case score >= 2:
		return SeverityMedium, connectors.FromCents(total), risk
	}
	return SeverityLow, connectors.FromCents(total), risk
}

func randomID(orderID string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "case-" + orderID + "-" + hex.EncodeToString(b[:])
}

// scopeTools binds extra tools that read the systems (tools.Rebinder) to
// the case's scoped view; others are used as they are.
func scopeTools(hs []tools.Handle, sys connectors.Systems) []tools.Handle {
	out := make([]tools.Handle, len(hs))
	for i, h := range hs {
		if r, ok := h.(tools.Rebinder); ok {
			h = r.Rebind(sys)
		}
		out[i] = h
	}
	return out
}
