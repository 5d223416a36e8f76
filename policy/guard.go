package policy

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/exdesk/exdesk/connectors"
)

// Guard checks proposed actions against a policy using facts it reads from
// the connectors itself. It is safe for concurrent use when the connectors are.
type Guard struct {
	engine *Engine
	sys    connectors.Systems
}

// NewGuard returns a guard applying e to the systems sys.
func NewGuard(e *Engine, sys connectors.Systems) *Guard { return &Guard{engine: e, sys: sys} }

// Engine returns the guard's policy.
func (g *Guard) Engine() *Engine { return g.engine }

// Check decides a proposed action on fresh data: it checks the arguments
// (a bad one is an error wrapping ErrInvalidAction), computes the Facts from
// the connectors (an action that does not fit the order is an
// *InvalidActionError; an unknown order wraps connectors.ErrNotFound), and
// applies the policy. confidence is the planner's confidence in the action.
func (g *Guard) Check(ctx context.Context, a connectors.Action, confidence float64) (Decision, error) {
	f, err := g.Facts(ctx, a, confidence)
	if err != nil {
		return Decision{}, err
	}
	return g.engine.Decide(f), nil
}

func invalidf(format string, args ...any) error {
	return &InvalidActionError{Reason: fmt.Sprintf(format, args...)}
}

// Facts computes everything the policy may read about action a on its order
// (a.OrderID), from the connectors and the connectors' clock. From the
// proposal it takes only the action's type, order and arguments, and the
// planner's confidence. It returns an *InvalidActionError when the action
// does not fit the order, and an error wrapping connectors.ErrNotFound when
// the order (or its customer or an item on it) is unknown.
func (g *Guard) Facts(ctx context.Context, a connectors.Action, confidence float64) (Facts, error) {
	a.Args = maps.Clone(a.Args) // CheckArgs normalises in place; leave the caller's map alone
	if err := a.CheckArgs(); err != nil {
		return Facts{}, &InvalidActionError{Reason: fmt.Sprintf("order %s: %v", a.OrderID, err), err: err}
	}
	o, err := g.sys.ERP.Order(ctx, a.OrderID)
	if err != nil {
		return Facts{}, fmt.Errorf("policy guard: %w", err)
	}
	cust, err := g.sys.ERP.Customer(ctx, o.CustomerID)
	if err != nil {
		return Facts{}, fmt.Errorf("policy guard: customer of order %s: %w", o.ID, err)
	}
	now := g.sys.Clock.Now()
	today := connectors.Today(now)
	f := Facts{
		Action:     actionFacts(a),
		Confidence: confidence,
		Today:      today.String(),
	}
	if o.Status == connectors.StatusCancelled {
		if a.Type == connectors.ActCancelOrder {
			return Facts{}, invalidf("order %s is already cancelled", o.ID)
		}
		if a.Type != connectors.ActNotifyCustomer {
			return Facts{}, invalidf("order %s is cancelled; only notify_customer applies to it, not %s", o.ID, a.Type)
		}
	}

	// Order, customer, credit.
	total := connectors.OrderTotal(o)
	f.Order = OrderFacts{
		ID: o.ID, Status: o.Status, Total: Money(total), LineCount: len(o.Lines),
		RequestedShipDate: o.RequestedShipDate.String(), ShipFrom: o.ShipFrom, Region: o.ShipTo.Region,
		Holds: make([]string, 0, len(o.Holds)),
	}
	for _, h := range o.Holds {
		f.Order.Holds = append(f.Order.Holds, h.Code)
	}
	f.Customer = CustomerFacts{
		ID: cust.ID, Tier: cust.Tier,
		CreditLimit: MoneyOf(cust.CreditLimit), OpenAR: MoneyOf(cust.OpenAR), PastDue: MoneyOf(cust.PastDueAmount),
		MaxDaysPastDue: cust.MaxDaysPastDue, CreditStop: cust.CreditStop,
		AllowsSubstitution: cust.AllowsSubstitution, AllowsPartialShipment: cust.AllowsPartialShipment,
	}
	f.Credit.Exposure = f.Customer.OpenAR + Money(total)

	// Items on the order: hazmat goods and required documents.
	items := make(map[string]connectors.Item, len(o.Lines))
	for _, l := range o.Lines {
		if _, ok := items[l.SKU]; ok {
			continue
		}
		it, err := g.sys.ERP.Item(ctx, l.SKU)
		if err != nil {
			return Facts{}, fmt.Errorf("policy guard: line %d of order %s: %w", l.Line, o.ID, err)
		}
		items[l.SKU] = it
		f.Order.Hazmat = f.Order.Hazmat || it.Hazmat
		if doc := it.RequiredDocument; doc != "" && !slices.Contains(f.Compliance.RequiredDocuments, doc) {
			f.Compliance.RequiredDocuments = append(f.Compliance.RequiredDocuments, doc)
		}
	}
	slices.Sort(f.Compliance.RequiredDocuments)
	for _, typ := range f.Compliance.RequiredDocuments {
		d, ok := cust.Document(typ)
		switch {
		case !ok:
			f.Compliance.MissingDocuments = append(f.Compliance.MissingDocuments, typ)
		case !d.ValidOn(today):
			f.Compliance.ExpiredDocuments = append(f.Compliance.ExpiredDocuments, typ)
		}
	}

	shipments, err := g.sys.Carriers.OrderShipments(ctx, o.ID)
	if err != nil {
		return Facts{}, fmt.Errorf("policy guard: shipments of order %s: %w", o.ID, err)
	}
	for _, s := range shipments {
		f.Order.ShipmentStarted = f.Order.ShipmentStarted || s.Started()
	}

	if err := g.actionFacts(ctx, &f, a, o, cust, items, shipments); err != nil {
		return Facts{}, err
	}
	return f, nil
}

// actionFacts checks that a fits the order and fills the action's own facts.
func (g *Guard) actionFacts(ctx context.Context, f *Facts, a connectors.Action, o connectors.Order, cust connectors.Customer,
	items map[string]connectors.Item, shipments []connectors.Shipment) error {
	today := connectors.Today(g.sys.Clock.Now())
	switch a.Type {
	case connectors.ActReleaseHold:
		if code := a.Str("hold_code"); !o.HasHold(code) {
			return invalidf("order %s has no %s hold", o.ID, code)
		}

	case connectors.ActAllocateFromSite:
		return g.allocation(ctx, f, a, o)

	case connectors.ActSubstituteItem:
		n, sku := a.Int("line"), a.Str("sku")
		l, ok := o.Line(n)
		if !ok {
			return invalidf("order %s has no line %d", o.ID, n)
		}
		orig := items[l.SKU]
		if !slices.Contains(orig.Substitutes, sku) {
			return invalidf("%s is not a listed substitute for %s on line %d of order %s", sku, l.SKU, n, o.ID)
		}
		sub, err := g.sys.ERP.Item(ctx, sku)
		if errors.Is(err, connectors.ErrNotFound) {
			return invalidf("substitute %s for line %d of order %s is not a known item", sku, n, o.ID)
		} else if err != nil {
			return fmt.Errorf("policy guard: substitute %s: %w", sku, err)
		}
		f.Substitute = SubstituteFacts{OriginalSKU: l.SKU, SKU: sku, OriginalRegulated: orig.Regulated, Regulated: sub.Regulated}

	case connectors.ActRescheduleOrder:
		d, _ := connectors.ParseDate(a.Str("new_ship_date"))
		if d.Before(today) {
			return invalidf("the new ship date %s for order %s is before today (%s)", d, o.ID, today)
		}

	case connectors.ActExpediteShipment, connectors.ActRebookCarrier:
		return g.shipment(ctx, f, a, o)

	case connectors.ActCorrectPrice:
		n := a.Int("line")
		l, ok := o.Line(n)
		if !ok {
			return invalidf("order %s has no line %d", o.ID, n)
		}
		price := a.Money("price")
		if MoneyOf(price) <= 0 {
			return invalidf("the new price %s for line %d of order %s is not above zero", MoneyOf(price), n, o.ID)
		}
		contracts, err := g.sys.ERP.Contracts(ctx, cust.ID)
		if err != nil {
			return fmt.Errorf("policy guard: contracts of customer %s: %w", cust.ID, err)
		}
		f.Price = PriceFacts{SKU: l.SKU, Qty: l.Qty, Current: MoneyOf(l.UnitPrice)}
		ref := price
		if c, ok := connectors.ActiveContract(contracts, l.SKU, today); ok {
			f.Price.ContractActive, f.Price.Contract = true, MoneyOf(c.Price)
			ref = c.Price
		}
		f.Price.DeltaQty = MoneyOf(math.Abs(l.UnitPrice-ref) * float64(l.Qty))

	case connectors.ActCancelOrder:
		// A cancelled order was rejected above; shipped orders are blocked by rule.

	case connectors.ActRequestPrepayment:
		if f.Action.Amount <= 0 {
			return invalidf("the prepayment requested for order %s (%s) is not above zero", o.ID, f.Action.Amount)
		}

	case connectors.ActEscalate:
		if role := a.Str("role"); !g.engine.HasRole(role) {
			return invalidf("escalating order %s to %q names a role the policy does not know (known: %s)",
				o.ID, role, strings.Join(g.engine.Roles(), ", "))
		}
	}
	return nil
}

func (g *Guard) allocation(ctx context.Context, f *Facts, a connectors.Action, o connectors.Order) error {
	site, lines := a.Str("site"), a.Ints("lines")
	sites, err := g.sys.Inventory.Sites(ctx)
	if err != nil {
		return fmt.Errorf("policy guard: sites: %w", err)
	}
	var alt, from connectors.Site
	known := false
	for _, s := range sites {
		if s.ID == site {
			alt, known = s, true
		}
		if s.ID == o.ShipFrom {
			from = s
		}
	}
	if !known {
		return invalidf("%s is not a known site (order %s)", site, o.ID)
	}
	if site == o.ShipFrom {
		return invalidf("order %s already ships from site %s", o.ID, site)
	}
	stock := make(map[string][]connectors.Stock, len(lines))
	for _, n := range lines {
		l, ok := o.Line(n)
		if !ok {
			return invalidf("order %s has no line %d", o.ID, n)
		}
		if _, done := stock[l.SKU]; !done {
			st, err := g.sys.Inventory.Stock(ctx, l.SKU)
			if err != nil {
				return fmt.Errorf("policy guard: stock of %s: %w", l.SKU, err)
			}
			stock[l.SKU] = st
		}
		if !slices.ContainsFunc(stock[l.SKU], func(s connectors.Stock) bool { return s.Site == site }) {
			return invalidf("site %s has no inventory of %s (line %d of order %s)", site, l.SKU, n, o.ID)
		}
	}
	f.Allocation = AllocationFacts{Site: site, Covers: connectors.SiteCovers(o, lines, site, stock)}
	if lane, ok := alt.Lane(o.ShipTo.Region); ok {
		f.Allocation.HasLane = true
		f.Allocation.FreightCost = MoneyOf(lane.FreightCost)
		f.Allocation.AddedFreight = f.Allocation.FreightCost
		if fl, ok := from.Lane(o.ShipTo.Region); ok {
			f.Allocation.AddedFreight -= MoneyOf(fl.FreightCost)
		}
	}
	return nil
}

func (g *Guard) shipment(ctx context.Context, f *Facts, a connectors.Action, o connectors.Order) error {
	id := a.Str("shipment_id")
	sh, err := g.sys.Carriers.Shipment(ctx, id)
	if errors.Is(err, connectors.ErrNotFound) || (err == nil && sh.OrderID != o.ID) {
		return invalidf("order %s has no shipment %s", o.ID, id)
	} else if err != nil {
		return fmt.Errorf("policy guard: shipment %s: %w", id, err)
	}
	carriers, err := g.sys.Carriers.Carriers(ctx)
	if err != nil {
		return fmt.Errorf("policy guard: carriers: %w", err)
	}
	find := func(code string) (connectors.Carrier, bool) {
		for _, c := range carriers {
			if c.Code == code {
				return c, true
			}
		}
		return connectors.Carrier{}, false
	}
	f.Shipment = ShipmentFacts{ID: sh.ID, Carrier: sh.Carrier, ServiceLevel: sh.ServiceLevel, Status: sh.Status,
		FreightCost: MoneyOf(sh.FreightCost), Started: sh.Started()}

	if a.Type == connectors.ActExpediteShipment {
		level := a.Str("service_level")
		c, ok := find(sh.Carrier)
		if !ok {
			return invalidf("shipment %s of order %s is with carrier %s, which is not a known carrier", sh.ID, o.ID, sh.Carrier)
		}
		if level == sh.ServiceLevel {
			return invalidf("shipment %s of order %s already ships %s", sh.ID, o.ID, level)
		}
		svc, ok := c.Service(level)
		if !ok {
			return invalidf("carrier %s has no %s service (shipment %s of order %s)", c.Code, level, sh.ID, o.ID)
		}
		f.Expedite = ExpediteFacts{
			ServiceLevel: level,
			Cost:         MoneyOf(svc.CostPerOrder) - MoneyOf(sh.FreightCost),
			MeetsPromise: !g.sys.Clock.Now().AddDate(0, 0, svc.TransitDays).After(sh.PromisedDelivery),
		}
		cur, ok := c.Service(sh.ServiceLevel)
		f.Expedite.Faster = !ok || svc.TransitDays < cur.TransitDays
		return nil
	}

	code := a.Str("carrier")
	c, ok := find(code)
	if !ok {
		return invalidf("%s is not a known carrier (shipment %s of order %s)", code, sh.ID, o.ID)
	}
	if code == sh.Carrier {
		return invalidf("shipment %s of order %s is already with carrier %s", sh.ID, o.ID, code)
	}
	// Carriers name their services differently (DESIGN.md): the target is
	// priced at its cheapest service no slower than the current one.
	svc, ok := connectors.RebookService(carriers, c, sh.Carrier, sh.ServiceLevel)
	if !ok {
		return invalidf("carrier %s has no service as fast as %s %s (shipment %s of order %s)", code, sh.Carrier, sh.ServiceLevel, sh.ID, o.ID)
	}
	f.Rebook = RebookFacts{Carrier: code, HazmatCertified: c.HazmatCertified,
		HasCapacity: c.HasCapacity(o.ShipTo.Region), Cost: MoneyOf(svc.CostPerOrder)}
	return nil
}
