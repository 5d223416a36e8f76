package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/tools"
)

// PlaybookConfidence is the confidence of the playbook's deterministic
// findings (DESIGN.md: ≥ 0.9).
const PlaybookConfidence = 0.95

// Playbook is the deterministic planner: it investigates every class of the
// taxonomy with the tools, picks the primary class, and proposes the
// playbook's actions for each detected class. It needs no model and is the
// fallback when a model fails. Order notes and other source text are data:
// it reads none of them.
type Playbook struct{}

// Name implements Planner.
func (Playbook) Name() string { return "playbook" }

// findings is everything the playbook learned from the tools, with the id
// of the call each part came from.
type findings struct {
	order         tools.OrderInfo
	orderRef      string
	credit        tools.CreditPosition
	creditRef     string
	avail         tools.AvailabilityReport
	availRef      string
	prices        tools.PriceReport
	pricesRef     string
	dups          tools.DuplicateReport
	dupsRef       string
	ships         tools.ShipmentReport
	shipsRef      string
	carriers      tools.CarrierReport
	carriersRef   string
	compliance    tools.ComplianceReport
	complianceRef string
	master        tools.MasterDataReport
	masterRef     string
}

// Plan implements Planner.
func (p Playbook) Plan(ctx context.Context, req Request) (*Draft, error) {
	f, err := gather(ctx, req)
	if err != nil {
		return nil, err
	}
	detected := detect(f)
	primary := primaryClass(req.Trigger, f, detected)
	d := &Draft{Class: primary, Planner: p.Name(), AlsoDetected: []string{}}
	b := &builder{f: f, draft: d, req: req, ctx: ctx, primary: primary}
	if primary == connectors.ClassNone {
		b.noException()
		return d, nil
	}
	b.plan(primary)
	for _, c := range connectors.Classes() {
		if c != primary && detected[c] {
			d.AlsoDetected = append(d.AlsoDetected, c)
			b.plan(c)
		}
	}
	b.memory(ctx)
	b.summarise(detected)
	return d, nil
}

// memory cites how past cases like this one were resolved, when case
// memory is configured.
func (b *builder) memory(ctx context.Context) {
	h, ok := b.req.Tools.Extra(tools.SimilarCasesName)
	if !ok {
		return
	}
	args, _ := json.Marshal(map[string]any{"order_id": b.f.order.OrderID, "exception_class": b.primary, "limit": 3})
	id, out, err := b.req.Tools.Call(ctx, b.req.Calls, h, args)
	rep, _ := out.(tools.SimilarReport)
	if err != nil || len(rep.Cases) == 0 {
		return
	}
	var same []tools.PastCase
	for _, c := range rep.Cases {
		if c.SameClass {
			same = append(same, c)
		}
	}
	if len(same) == 0 {
		return
	}
	var parts []string
	for _, c := range same {
		who := ""
		if c.ResolvedBy != "" {
			who = " by " + c.ResolvedBy
		}
		parts = append(parts, fmt.Sprintf("%s (%s): %s%s on %s", c.OrderID, c.CustomerID, c.Resolution, who, c.ResolvedAt.Format("2006-01-02")))
	}
	b.point(b.primary, id, tools.SimilarCasesName, "similar past %s cases: %s", strings.ReplaceAll(b.primary, "_", " "), strings.Join(parts, "; "))
}

func gather(ctx context.Context, req Request) (*findings, error) {
	tb, calls, q := req.Tools, req.Calls, tools.OrderQuery{OrderID: req.OrderID}
	f := &findings{}
	var err error
	if f.order, f.orderRef, err = tools.Run(ctx, calls, tb.GetOrder, q); err != nil {
		return nil, err
	}
	steps := []func() error{
		func() (err error) { f.credit, f.creditRef, err = tools.Run(ctx, calls, tb.CreditPosition, q); return },
		func() (err error) { f.avail, f.availRef, err = tools.Run(ctx, calls, tb.Availability, q); return },
		func() (err error) { f.prices, f.pricesRef, err = tools.Run(ctx, calls, tb.ContractPrices, q); return },
		func() (err error) { f.dups, f.dupsRef, err = tools.Run(ctx, calls, tb.DuplicateOrders, q); return },
		func() (err error) { f.ships, f.shipsRef, err = tools.Run(ctx, calls, tb.TrackShipments, q); return },
		func() (err error) {
			f.carriers, f.carriersRef, err = tools.Run(ctx, calls, tb.CarrierOptions, tools.CarrierQuery{OrderID: req.OrderID})
			return
		},
		func() (err error) {
			f.compliance, f.complianceRef, err = tools.Run(ctx, calls, tb.ComplianceDocs, q)
			return
		},
		func() (err error) { f.master, f.masterRef, err = tools.Run(ctx, calls, tb.ValidateMaster, q); return },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// closed reports whether the order is past the point where stock, carrier
// and price problems matter: shipped, cancelled, or with a shipment the
// carrier already has.
func (f *findings) shippedOrGone() bool {
	if f.order.Status == connectors.StatusShipped || f.order.Status == connectors.StatusCancelled {
		return true
	}
	for _, s := range f.ships.Shipments {
		if s.Started {
			return true
		}
	}
	return false
}

func (f *findings) hasHold(code string) bool {
	for _, h := range f.order.Holds {
		if h.Code == code {
			return true
		}
	}
	return false
}

func holdClass(code string) string {
	switch code {
	case connectors.HoldCredit:
		return connectors.ClassCreditHold
	case connectors.HoldCompliance:
		return connectors.ClassComplianceHold
	case connectors.HoldData:
		return connectors.ClassMasterDataError
	case connectors.HoldPrice:
		return connectors.ClassPricingMismatch
	case connectors.HoldDuplicate:
		return connectors.ClassDuplicateOrder
	case connectors.HoldStock:
		return connectors.ClassInventoryShortage
	}
	return ""
}

// detect applies DESIGN.md's detection signals. A hold the ERP placed is a
// signal of its class even when the data no longer shows the problem (a
// stale hold), so that the case proposes releasing it.
func detect(f *findings) map[string]bool {
	d := map[string]bool{}
	if f.order.Status == connectors.StatusCancelled {
		return d
	}
	for _, h := range f.order.Holds {
		if c := holdClass(h.Code); c != "" {
			d[c] = true
		}
	}
	c := f.credit
	if c.OverLimit || c.PastDueAmount > 0 || c.CreditStop {
		d[connectors.ClassCreditHold] = true
	}
	gone := f.shippedOrGone()
	if !gone && len(f.avail.ShortLines) > 0 {
		d[connectors.ClassInventoryShortage] = true
	}
	if !gone {
		for _, l := range f.prices.Lines {
			if l.Mismatch || l.BelowCost {
				d[connectors.ClassPricingMismatch] = true
			}
		}
	}
	for _, s := range f.ships.Shipments {
		if s.Status != connectors.ShipDelivered && (s.Late || s.Exception) {
			d[connectors.ClassShipmentDelay] = true
		}
	}
	if len(f.dups.Candidates) > 0 {
		d[connectors.ClassDuplicateOrder] = true
	}
	if len(f.master.Issues) > 0 {
		d[connectors.ClassMasterDataError] = true
	}
	if !f.compliance.AllValid {
		d[connectors.ClassComplianceHold] = true
	}
	if !gone && f.carrierConflict() {
		d[connectors.ClassCarrierConflict] = true
	}
	return d
}

func (f *findings) carrierKnown() bool {
	for _, o := range f.carriers.Options {
		if o.Carrier == f.carriers.CurrentCarrier {
			return true
		}
	}
	return false
}

// currentTransit is the transit days of the current carrier's service.
func (f *findings) currentTransit() (int, bool) {
	for _, o := range f.carriers.Options {
		if o.Carrier != f.carriers.CurrentCarrier {
			continue
		}
		for _, s := range o.Services {
			if s.ServiceLevel == f.carriers.ServiceLevel {
				return s.TransitDays, true
			}
		}
	}
	return 0, false
}

func (f *findings) carrierConflict() bool {
	if !f.carrierKnown() {
		return false
	}
	return (f.carriers.HazmatGoods && !f.carriers.CurrentCertified) || !f.carriers.CurrentHasCapacity
}

// primaryClass picks the case's class: the one the trigger points at when
// it is present, otherwise the first detected in precedence order.
func primaryClass(t Trigger, f *findings, detected map[string]bool) string {
	if len(detected) == 0 {
		return connectors.ClassNone
	}
	switch t.Event {
	case connectors.EventHoldPlaced:
		holds := slices.Clone(f.order.Holds)
		slices.SortStableFunc(holds, func(a, b connectors.Hold) int { return b.PlacedAt.Compare(a.PlacedAt) })
		for _, h := range holds {
			if c := holdClass(h.Code); detected[c] {
				return c
			}
		}
	case connectors.EventShipmentStatus:
		for _, c := range []string{connectors.ClassShipmentDelay, connectors.ClassCarrierConflict} {
			if detected[c] {
				return c
			}
		}
	case connectors.EventInventoryChanged:
		if detected[connectors.ClassInventoryShortage] {
			return connectors.ClassInventoryShortage
		}
	}
	// Without a CREDIT hold the ERP has not stopped the order for credit: a
	// credit signal alone (over limit, past due) then ranks below every other
	// detected problem.
	softCredit := detected[connectors.ClassCreditHold] && !f.hasHold(connectors.HoldCredit)
	for _, c := range connectors.Classes() {
		if detected[c] && !(softCredit && c == connectors.ClassCreditHold) {
			return c
		}
	}
	if detected[connectors.ClassCreditHold] {
		return connectors.ClassCreditHold
	}
	return connectors.ClassNone
}

// builder accumulates a draft's facts and proposals.
type builder struct {
	ctx      context.Context
	req      Request
	f        *findings
	draft    *Draft
	primary  string
	headline string
	points   []string // key facts of the primary class, for the summary
}

func (b *builder) fact(ref, tool, format string, args ...any) string {
	text := fmt.Sprintf(format, args...)
	b.draft.Facts = append(b.draft.Facts, Fact{Text: text, Source: ref, Tool: tool})
	return text
}

// point records a fact and, for the primary class, keeps it for the summary.
func (b *builder) point(class, ref, tool, format string, args ...any) {
	text := b.fact(ref, tool, format, args...)
	if class == b.primary {
		b.points = append(b.points, text)
	}
}

// note records evidence and, for the primary class, says it in the
// summary in its own words: said is the summary's sentence (empty: the
// evidence is not repeated in the summary), evidence the fact as the
// evidence lists it, with its codes and identifiers.
func (b *builder) note(class, ref, tool, said, evidence string) {
	b.draft.Facts = append(b.draft.Facts, Fact{Text: evidence, Source: ref, Tool: tool})
	if class == b.primary && said != "" {
		b.points = append(b.points, said)
	}
}

func (b *builder) propose(class string, a connectors.Action, rationale string) {
	if a.OrderID == "" {
		a.OrderID = b.f.order.OrderID
	}
	// Actions a secondary class would add that work against the primary
	// class's resolution are left out: no hold release while master data is
	// being fixed, no substitution of regulated goods under compliance review,
	// and no cancellation unless the order is a duplicate.
	if class != b.primary {
		switch {
		case b.primary == connectors.ClassMasterDataError && a.Type == connectors.ActReleaseHold,
			b.primary == connectors.ClassComplianceHold && a.Type == connectors.ActSubstituteItem:
			return
		}
	}
	if a.Type == connectors.ActCancelOrder && class != connectors.ClassDuplicateOrder {
		return
	}
	for _, p := range b.draft.Proposals {
		if p.Action.Type == a.Type && p.Action.OrderID == a.OrderID && p.Action.String() == a.String() {
			return
		}
	}
	b.draft.Proposals = append(b.draft.Proposals, Proposed{Action: a, Rationale: rationale, Confidence: PlaybookConfidence})
}

func act(typ string, args connectors.Args) connectors.Action {
	if args == nil {
		args = connectors.Args{}
	}
	return connectors.Action{Type: typ, Args: args}
}

func usd(x float64) string { return connectors.FormatUSD(connectors.Cents(x)) }

// freightDelta says an added freight cost against the ship-from site's:
// "$45.29 more than from DC-ATL", "$26.42 less than from DC-CHI".
func freightDelta(added float64, from string) string {
	switch c := connectors.Cents(added); {
	case c > 0:
		return fmt.Sprintf("%s more than from %s", usd(added), from)
	case c < 0:
		return fmt.Sprintf("%s less than from %s", usd(-added), from)
	}
	return "the same as from " + from
}

func (b *builder) plan(class string) {
	switch class {
	case connectors.ClassCreditHold:
		b.credit()
	case connectors.ClassInventoryShortage:
		b.shortage()
	case connectors.ClassPricingMismatch:
		b.pricing()
	case connectors.ClassShipmentDelay:
		b.delay()
	case connectors.ClassDuplicateOrder:
		b.duplicate()
	case connectors.ClassMasterDataError:
		b.masterData()
	case connectors.ClassComplianceHold:
		b.compliance()
	case connectors.ClassCarrierConflict:
		b.carrier()
	}
}

// headlineFor sets the summary's first sentence for the primary class,
// once; it reports whether text became the headline.
func (b *builder) headlineFor(class, text string) bool {
	if class == b.primary && b.headline == "" {
		b.headline = text
		return true
	}
	return false
}

func (b *builder) credit() {
	const cls = connectors.ClassCreditHold
	f, c := b.f, b.f.credit
	id := f.order.OrderID
	if c.CreditHold {
		b.headlineFor(cls, fmt.Sprintf("%s is on credit hold", id))
	} else {
		b.headlineFor(cls, fmt.Sprintf("%s is at credit risk", id))
	}
	pct := c.ExposureRatio * 100
	b.point(cls, f.creditRef, "get_credit_position",
		"%s (%s, %s tier): open AR %s + order %s = exposure %s against a %s credit limit (%.1f%%)",
		c.CustomerID, c.CustomerName, c.Tier, usd(c.OpenAR), usd(c.OrderTotal), usd(c.Exposure), usd(c.CreditLimit), pct)
	if c.PastDueAmount > 0 {
		b.point(cls, f.creditRef, "get_credit_position", "%s is past due, the oldest by %d days", usd(c.PastDueAmount), c.MaxDaysPastDue)
	}
	if c.CreditStop {
		b.point(cls, f.creditRef, "get_credit_position", "%s is on credit stop", c.CustomerID)
	}
	stop := c.CreditStop || c.MaxDaysPastDue > 90
	reviewNote := fmt.Sprintf("%s (%s): exposure %s against a %s limit with order %s", c.CustomerID, c.CustomerName,
		usd(c.Exposure), usd(c.CreditLimit), id)
	if c.PastDueAmount > 0 {
		reviewNote += fmt.Sprintf("; %s past due, the oldest by %d days", usd(c.PastDueAmount), c.MaxDaysPastDue)
	}
	if c.CreditStop {
		reviewNote += "; on credit stop"
	}
	review := act(connectors.ActRequestCreditReview, connectors.Args{"note": reviewNote})
	prepay := act(connectors.ActRequestPrepayment, connectors.Args{"amount": c.OrderTotal})
	if c.CreditHold {
		b.propose(cls, act(connectors.ActReleaseHold, connectors.Args{"hold_code": connectors.HoldCredit}),
			"releasing the credit hold lets the order ship; the guard sets who must approve from the credit position")
	}
	switch {
	case stop:
		b.propose(cls, prepay, "the account cannot be extended more credit; prepayment lets the order ship")
		b.propose(cls, review, "credit should review the account before any release")
	case c.OverLimit || c.PastDueAmount > 0:
		b.propose(cls, review, "the order takes the customer over its limit or the account has past-due items")
		b.propose(cls, prepay, "prepayment removes the credit exposure of this order")
	}
}

func (b *builder) shortage() {
	const cls = connectors.ClassInventoryShortage
	f, a := b.f, b.f.avail
	id := f.order.OrderID
	var shortSKUs []string
	for _, l := range a.Lines {
		if !l.Short {
			continue
		}
		shortSKUs = append(shortSKUs, l.SKU)
		var from tools.SiteAvailability
		for _, s := range l.Sites {
			if s.Site == a.ShipFrom {
				from = s
			}
		}
		b.point(cls, f.availRef, "check_availability", "line %d needs %d × %s but %s has %d available by %s (%d now)",
			l.Line, l.Qty, l.SKU, a.ShipFrom, from.AvailableByDate, a.RequestedShipDate, from.AvailableNow)
	}
	if len(a.ShortLines) == 0 { // a STOCK hold the data no longer explains
		b.headlineFor(cls, fmt.Sprintf("%s has a STOCK hold but %s now covers every line", id, a.ShipFrom))
		b.propose(cls, act(connectors.ActReleaseHold, connectors.Args{"hold_code": connectors.HoldStock}),
			"stock now covers the order, so the STOCK hold is stale")
		return
	}
	b.headlineFor(cls, fmt.Sprintf("%s is short of %s at %s", id, strings.Join(shortSKUs, ", "), a.ShipFrom))
	if alt := a.Alternate; alt != nil {
		b.point(cls, f.availRef, "check_availability", "%s covers line%s %s; its freight to %s is %s, %s",
			alt.Site, plural(len(alt.Lines)), joinInts(alt.Lines), f.order.ShipTo.Region, usd(alt.FreightCost), freightDelta(alt.AddedFreight, a.ShipFrom))
		b.propose(cls, act(connectors.ActAllocateFromSite, connectors.Args{"site": alt.Site, "lines": slices.Clone(alt.Lines)}),
			fmt.Sprintf("%s is the cheapest site that covers the short lines", alt.Site))
	} else {
		for _, n := range a.ShortLines {
			b.substitute(n)
		}
	}
	if a.FillableNow {
		b.propose(cls, act(connectors.ActPartialShip, nil), "part of the order can ship now; the rest would be backordered")
	}
	if a.CoveredBy != "" {
		b.point(cls, f.availRef, "check_availability", "inbound receipts at %s cover the short lines by %s", a.ShipFrom, a.CoveredBy)
		b.propose(cls, act(connectors.ActRescheduleOrder, connectors.Args{"new_ship_date": a.CoveredBy}),
			"inbound stock covers the order on that date")
	}
	b.propose(cls, act(connectors.ActNotifyCustomer, connectors.Args{"message": fmt.Sprintf(
		"Order %s: %s is short at our shipping site; we are arranging the best option and will confirm the ship date.", id, strings.Join(shortSKUs, ", "))}),
		"the customer should hear about the shortage before the ship date")
}

func (b *builder) substitute(line int) {
	const cls = connectors.ClassInventoryShortage
	rep, ref, err := tools.Run(b.ctx, b.req.Calls, b.req.Tools.Substitutes, tools.LineQuery{OrderID: b.f.order.OrderID, Line: line})
	if err != nil {
		return
	}
	for _, s := range rep.Substitutes {
		if !s.Covers {
			continue
		}
		b.point(cls, ref, "find_substitutes", "approved substitute %s for %s on line %d has %d available at %s",
			s.SKU, rep.SKU, line, s.AvailableByDate, b.f.avail.ShipFrom)
		if !rep.AllowsSubstitution {
			b.point(cls, ref, "find_substitutes", "the customer does not accept substitutes")
		}
		b.propose(cls, act(connectors.ActSubstituteItem, connectors.Args{"line": line, "sku": s.SKU}),
			fmt.Sprintf("%s is an approved substitute in stock", s.SKU))
		return
	}
}

func (b *builder) pricing() {
	const cls = connectors.ClassPricingMismatch
	f := b.f
	id := f.order.OrderID
	var skus []string
	for _, l := range f.prices.Lines {
		switch {
		case l.Mismatch && l.ContractPrice != nil:
			skus = append(skus, l.SKU)
			b.point(cls, f.pricesRef, "check_contract_prices",
				"line %d %s is priced %s but the active contract price is %s (contract valid %s); the difference × %d is %s",
				l.Line, l.SKU, usd(l.UnitPrice), usd(*l.ContractPrice), validWords(l.ContractValid), l.Qty, usd(l.DeltaTimesQty))
			b.propose(cls, act(connectors.ActCorrectPrice, connectors.Args{"line": l.Line, "price": *l.ContractPrice}),
				"the active contract sets the price")
		case l.BelowCost:
			skus = append(skus, l.SKU)
			b.point(cls, f.pricesRef, "check_contract_prices", "line %d %s sells at %s, below its cost of %s, with no active contract",
				l.Line, l.SKU, usd(l.UnitPrice), usd(l.UnitCost))
			b.propose(cls, act(connectors.ActEscalate, connectors.Args{"role": "pricing_manager",
				"note": fmt.Sprintf("line %d of %s sells %s below cost at %s", l.Line, id, l.SKU, usd(l.UnitPrice))}),
				"a below-cost price without a contract needs a pricing decision")
			if l.ListPrice > 0 {
				b.propose(cls, act(connectors.ActCorrectPrice, connectors.Args{"line": l.Line, "price": l.ListPrice}),
					"the list price is the natural correction; the guard allows only contract prices")
			}
		}
	}
	if len(skus) == 0 {
		b.headlineFor(cls, fmt.Sprintf("%s has a PRICE hold but every line matches its active contract price", id))
		b.propose(cls, act(connectors.ActReleaseHold, connectors.Args{"hold_code": connectors.HoldPrice}),
			"the prices now check out, so the PRICE hold is stale")
		return
	}
	b.headlineFor(cls, fmt.Sprintf("%s has a price mismatch on %s", id, strings.Join(skus, ", ")))
	if f.hasHold(connectors.HoldPrice) {
		b.propose(cls, act(connectors.ActReleaseHold, connectors.Args{"hold_code": connectors.HoldPrice}),
			"once the price is corrected the PRICE hold can be released")
	}
}

// validWords says a contract's validity "from..to" as "from to to".
func validWords(r string) string {
	from, to, ok := strings.Cut(r, "..")
	if !ok {
		return r
	}
	return from + " to " + to
}

func (b *builder) delay() {
	const cls = connectors.ClassShipmentDelay
	f := b.f
	id := f.order.OrderID
	for _, s := range f.ships.Shipments {
		if s.Status == connectors.ShipDelivered || !(s.Late || s.Exception) {
			continue
		}
		b.headlineFor(cls, fmt.Sprintf("%s's shipment %s (%s %s) is at risk", id, s.ID, s.Carrier, s.ServiceLevel))
		if s.Late {
			b.point(cls, f.shipsRef, "track_shipments", "shipment %s is %s with ETA %s, %.0f hours after the promised %s",
				s.ID, connectors.StatusWords(s.Status), s.ETA.Format("2006-01-02 15:04"), s.HoursLate, s.PromisedDelivery.Format("2006-01-02 15:04"))
		}
		for _, e := range s.Events {
			if !connectors.IsExceptionEvent(e) {
				continue
			}
			at := e.At.Format("2006-01-02 15:04")
			words := connectors.EventWords(e)
			evidence := fmt.Sprintf("carrier event on %s: %s (X12 214 %s", at, words, e.Code)
			if e.Reason != "" {
				evidence += "/" + e.Reason
			}
			if d := strings.TrimSpace(e.Description); d != "" {
				evidence += fmt.Sprintf(", carrier's note %q", d)
			}
			b.note(cls, f.shipsRef, "track_shipments", fmt.Sprintf("the carrier reported on %s: %s", at, words), evidence+")")
		}
		notify := act(connectors.ActNotifyCustomer, connectors.Args{"message": fmt.Sprintf(
			"Order %s: shipment %s is delayed; new estimated delivery %s. We will keep you posted.", id, s.ID, s.ETA.Format("2006-01-02"))})
		if x := s.Expedite; x != nil && s.Late {
			b.point(cls, f.shipsRef, "track_shipments", "%s %s (%d day%s) meets the promise for %s more than the current %s",
				s.Carrier, x.ServiceLevel, x.TransitDays, plural(x.TransitDays), usd(x.AddedCost), usd(s.FreightCost))
			b.propose(cls, act(connectors.ActExpediteShipment, connectors.Args{"shipment_id": s.ID, "service_level": x.ServiceLevel}),
				"a faster service of the same carrier still meets the promised delivery")
			b.propose(cls, notify, "the customer should know about the delay")
		} else {
			b.propose(cls, notify, "the goods are on their way; the customer should know the new ETA")
			if !s.Started {
				b.propose(cls, act(connectors.ActEscalate, connectors.Args{"role": "logistics_supervisor",
					"note": fmt.Sprintf("no faster %s service meets the promise for shipment %s of %s", s.Carrier, s.ID, id)}),
					"no expedite option meets the promise")
			}
		}
		return
	}
}

func (b *builder) duplicate() {
	const cls = connectors.ClassDuplicateOrder
	f := b.f
	id := f.order.OrderID
	if len(f.dups.Candidates) == 0 {
		b.headlineFor(cls, fmt.Sprintf("%s has a DUPLICATE hold but no other open order matches it", id))
		b.propose(cls, act(connectors.ActReleaseHold, connectors.Args{"hold_code": connectors.HoldDuplicate}),
			"no matching order exists, so the DUPLICATE hold is stale")
		return
	}
	c := f.dups.Candidates[0]
	why := "the same PO " + c.PONumber
	if !c.SamePO {
		why = "identical lines"
	}
	b.headlineFor(cls, fmt.Sprintf("%s and %s look like the same order", id, c.OrderID))
	b.note(cls, f.dupsRef, "find_duplicate_orders",
		fmt.Sprintf("they have %s and were created %.1f hours apart; %s is the newer", why, c.HoursApart, c.Newer),
		fmt.Sprintf("%s and %s have %s, created %.1f hours apart; %s is the newer", id, c.OrderID, why, c.HoursApart, c.Newer))
	a := act(connectors.ActCancelOrder, connectors.Args{"reason": "duplicate of " + c.Older + " (" + why + ")", "duplicate_of": c.Older})
	a.OrderID = c.Newer
	b.propose(cls, a, fmt.Sprintf("%s is the newer of the two, so it is the duplicate", c.Newer))
	b.propose(cls, act(connectors.ActNotifyCustomer, connectors.Args{"message": fmt.Sprintf(
		"We received %s and %s with %s. Please confirm whether both are intended; otherwise we will cancel %s.", c.Older, c.Newer, why, c.Newer)}),
		"the customer can confirm whether both orders are intended")
}

func (b *builder) masterData() {
	const cls = connectors.ClassMasterDataError
	f := b.f
	id := f.order.OrderID
	if len(f.master.Issues) == 0 {
		b.headlineFor(cls, fmt.Sprintf("%s has a DATA hold but its master data now validates", id))
		b.propose(cls, act(connectors.ActReleaseHold, connectors.Args{"hold_code": connectors.HoldData}),
			"the data now validates, so the DATA hold is stale")
		return
	}
	for _, is := range f.master.Issues {
		b.point(cls, f.masterRef, "validate_master_data", "%s", is.Problem)
		b.propose(cls, act(connectors.ActRequestDataFix, connectors.Args{"entity": is.Entity, "field": is.Field}),
			"the order cannot ship on incomplete or inconsistent master data")
	}
	b.headlineFor(cls, fmt.Sprintf("%s fails master-data validation", id))
}

func (b *builder) compliance() {
	const cls = connectors.ClassComplianceHold
	f, c := b.f, b.f.compliance
	id := f.order.OrderID
	var missing, expired []string
	for _, r := range c.Requirements {
		needs := fmt.Sprintf("line %d (%s) requires %s %s", r.Line, r.SKU, article(r.DocumentType), r.DocumentType)
		switch r.Status {
		case "valid":
			b.point(cls, f.complianceRef, "get_compliance_documents", "%s; the customer's, %s, is valid through %s", needs, r.Number, r.Expires)
		case "expired":
			expired = append(expired, r.DocumentType)
			b.point(cls, f.complianceRef, "get_compliance_documents", "%s; the customer's, %s, expired on %s", needs, r.Number, r.Expires)
		default:
			missing = append(missing, r.DocumentType)
			b.point(cls, f.complianceRef, "get_compliance_documents", "%s; %s has none on file", needs, c.CustomerID)
		}
	}
	missing, expired = compactSorted(missing), compactSorted(expired)
	for _, doc := range compactSorted(append(slices.Clone(missing), expired...)) {
		b.propose(cls, act(connectors.ActRequestDocuments, connectors.Args{"document_type": doc}),
			fmt.Sprintf("a current %s must be on file before regulated goods ship", doc))
	}
	var why []string
	if len(missing) > 0 {
		why = append(why, "no "+strings.Join(missing, " or ")+" on file")
	}
	if len(expired) > 0 {
		why = append(why, "the "+strings.Join(expired, " and ")+" expired")
	}
	switch {
	case len(why) > 0:
		b.headlineFor(cls, fmt.Sprintf("%s cannot ship: %s", id, strings.Join(why, ", and ")))
	case len(c.Requirements) > 0:
		b.headlineFor(cls, fmt.Sprintf("%s is under compliance review and the required documents are valid", id))
	default:
		b.headlineFor(cls, fmt.Sprintf("%s is under compliance review; no line requires a document", id))
	}
	if c.ComplianceHold {
		b.propose(cls, act(connectors.ActReleaseHold, connectors.Args{"hold_code": connectors.HoldCompliance}),
			"the compliance hold can be released once the required documents are valid")
	}
}

// compactSorted sorts and deduplicates.
func compactSorted(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

func (b *builder) carrier() {
	const cls = connectors.ClassCarrierConflict
	f, c := b.f, b.f.carriers
	id := f.order.OrderID
	hazmat := c.HazmatGoods && !c.CurrentCertified
	if hazmat {
		evidence := fmt.Sprintf("%s carries hazmat item%s %s but carrier %s is not hazmat certified",
			id, plural(len(c.HazmatSKUs)), strings.Join(c.HazmatSKUs, ", "), c.CurrentCarrier)
		said := ""
		if !b.headlineFor(cls, fmt.Sprintf("%s ships hazmat goods (%s) with %s, which is not hazmat certified", id, strings.Join(c.HazmatSKUs, ", "), c.CurrentCarrier)) {
			said = evidence
		}
		b.note(cls, f.carriersRef, "carrier_options", said, evidence)
	}
	if !c.CurrentHasCapacity {
		evidence := fmt.Sprintf("carrier %s has no capacity on the lane to %s", c.CurrentCarrier, c.Region)
		said := ""
		if !b.headlineFor(cls, fmt.Sprintf("%s's carrier %s has no capacity on the lane to %s", id, c.CurrentCarrier, c.Region)) {
			said = evidence
		}
		b.note(cls, f.carriersRef, "carrier_options", said, evidence)
	}
	eligible := "with capacity to " + c.Region
	if c.HazmatGoods {
		eligible = "hazmat certified and with capacity to " + c.Region
	}
	t := c.RebookTarget
	if t != nil {
		text := fmt.Sprintf("%s is the cheapest carrier %s: its %s service costs %s and takes %d day%s",
			t.Carrier, eligible, t.ServiceLevel, usd(t.Cost), t.TransitDays, plural(t.TransitDays))
		if days, ok := f.currentTransit(); ok && t.ServiceLevel != c.ServiceLevel {
			text += fmt.Sprintf(", no longer than the current %s %s (%d day%s)", c.CurrentCarrier, c.ServiceLevel, days, plural(days))
		}
		b.point(cls, f.carriersRef, "carrier_options", "%s", text)
	}
	switch {
	case t != nil && c.ShipmentID != "":
		b.propose(cls, act(connectors.ActRebookCarrier, connectors.Args{"shipment_id": c.ShipmentID, "carrier": t.Carrier}),
			fmt.Sprintf("%s is the cheapest carrier %s", t.Carrier, eligible))
	case t != nil:
		b.propose(cls, act(connectors.ActEscalate, connectors.Args{"role": "logistics_supervisor",
			"note": fmt.Sprintf("assign carrier %s instead of %s to %s before its shipment is tendered", t.Carrier, c.CurrentCarrier, id)}),
			"the carrier must change before a shipment is tendered")
	default:
		current := c.CurrentCarrier + " " + c.ServiceLevel
		if days, ok := f.currentTransit(); ok {
			current += fmt.Sprintf(" (%d day%s)", days, plural(days))
		}
		b.point(cls, f.carriersRef, "carrier_options", "no other carrier %s offers a service as fast as the current %s", eligible, current)
		b.propose(cls, act(connectors.ActEscalate, connectors.Args{"role": "logistics_supervisor",
			"note": fmt.Sprintf("find a carrier for %s: no other carrier %s offers a service as fast as %s %s", id, eligible, c.CurrentCarrier, c.ServiceLevel)}),
			"no carrier is eligible for this lane")
	}
}

func (b *builder) noException() {
	f := b.f
	b.draft.Summary = fmt.Sprintf("%s (%s) shows no exception: it is %s, with no holds, and its stock, prices, carrier and documents check out.",
		f.order.OrderID, f.order.CustomerName, connectors.StatusWords(f.order.Status))
	b.fact(f.orderRef, "get_order", "%s is %s with %d line%s totalling %s", f.order.OrderID, connectors.StatusWords(f.order.Status),
		len(f.order.Lines), plural(len(f.order.Lines)), usd(f.order.Total))
}

func (b *builder) summarise(detected map[string]bool) {
	var s strings.Builder
	said := map[string]bool{}
	sentence := func(text string) {
		text = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), "."))
		if text == "" || said[strings.ToLower(text)] {
			return // a sentence is said once
		}
		said[strings.ToLower(text)] = true
		r, n := utf8.DecodeRuneInString(text)
		s.WriteString(string(unicode.ToUpper(r)) + text[n:])
		s.WriteString(". ")
	}
	sentence(b.headline)
	for _, p := range b.points {
		sentence(p)
	}
	if len(b.draft.AlsoDetected) > 0 {
		sentence("also detected: " + strings.ReplaceAll(strings.Join(b.draft.AlsoDetected, ", "), "_", " "))
	}
	b.draft.Summary = strings.TrimSpace(s.String())
}
