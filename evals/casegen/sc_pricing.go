package main

import (
	c "github.com/exdesk/exdesk/connectors"
)

// Pricing scenarios. Mismatch = a line price ≠ the active contract price
// (valid_from ≤ today ≤ valid_to), or a price below unit cost.
// correct_price to the contract price is auto when |delta| × qty ≤ 500.00,
// else pricing_manager; blocked when the new price is not the active
// contract price (no active contract at all).

var pricingTriggers = []string{"hold_placed", "hold_placed", "question", "order_created"}

func (w *world) pricingTrigger(o *c.Order, reason string) Trigger {
	t := w.trigger(o, pricingTriggers...)
	if t.Event == "hold_placed" {
		w.holdNow(o, c.HoldPrice, reason)
	}
	return t
}

// priceOff gives line n of the order a price that differs from the
// customer's active contract price by deltaCents (up or down), and adds the
// contract. The contract price is a discount off list, so both stay above cost.
// It returns the sku.
func (w *world) priceOff(cu *c.Customer, o *c.Order, n int, deltaCents int64, up bool) string {
	l := &o.Lines[n-1]
	it := w.itemBySKU(l.SKU)
	contract := c.Cents(it.ListPrice) * int64(88+w.g.r.IntN(10)) / 100
	price := contract + deltaCents
	if !up {
		price = contract - deltaCents
	}
	if price <= c.Cents(it.UnitCost) {
		panic("priceOff: price below cost on " + o.ID)
	}
	l.UnitPrice = f(price)
	w.activeContract(cu, l.SKU, contract)
	return l.SKU
}

// contractOthers gives some of the other lines a contract at exactly their price.
func (w *world) contractOthers(cu *c.Customer, o *c.Order, except int) {
	for _, l := range o.Lines {
		if l.Line != except && w.g.r.IntN(2) == 0 {
			w.activeContract(cu, l.SKU, c.Cents(l.UnitPrice))
		}
	}
}

// smallDelta picks a per-unit delta (cents) so that delta × qty ≤ 500.00
// and the delta stays a small share of the price.
func (w *world) smallDelta(qty int, priceCents int64) int64 {
	hi := min(int64(50000/qty), priceCents*6/100)
	if hi < 1 {
		hi = 1
	}
	return 1 + w.g.r.Int64N(hi)
}

// pricingAuto: |delta| × qty ≤ 500. Variant 0: exactly 500.00 (200 × 2.50).
// Variant 1: the contract ends today (still active). Variant 2: the old
// contract ended yesterday at the line's price, a new one started today.
func pricingAuto(w *world, v int) built {
	r := w.g.r
	cu := w.customer("")
	ls := w.lines(1 + r.IntN(3))
	k := 1 + r.IntN(len(ls))
	if v == 0 {
		ls[k-1].qty = 200
	}
	o := w.order(cu, ls...)
	l := o.Lines[k-1]
	delta, up := w.smallDelta(l.Qty, c.Cents(l.UnitPrice)), r.IntN(2) == 0
	if v == 0 {
		delta, up = 250, true // 200 × 2.50 = 500.00
	}
	sku := w.priceOff(cu, o, k, delta, up)
	w.contractOthers(cu, o, k)
	w.adjustContractWindow(cu, o, k, v)
	return built{
		title:    "Order price differs from contract price",
		trigger:  w.pricingTrigger(o, "price differs from contract"),
		expected: expect(clsPricing, acts(c.ActCorrectPrice), noCancel, auto(c.ActCorrectPrice), o.ID, sku),
	}
}

// adjustContractWindow applies the contract-window variants of pricing cases.
func (w *world) adjustContractWindow(cu *c.Customer, o *c.Order, k, v int) {
	l := o.Lines[k-1]
	for i := range w.contracts {
		ct := &w.contracts[i]
		if ct.SKU != l.SKU || ct.CustomerID != cu.ID {
			continue
		}
		switch v {
		case 1:
			ct.ValidTo = w.today
		case 2:
			old := *ct
			ct.ValidFrom = w.today
			ct.ValidTo = w.today.AddDays(365)
			old.ValidTo = w.today.AddDays(-1)
			old.Price = l.UnitPrice
			w.contracts = append(w.contracts, old)
			return
		}
	}
}

// pricingApproval: |delta| × qty > 500. Variant 0: 500.01 (3 × 166.67).
func pricingApproval(w *world, v int) built {
	r := w.g.r
	cu := w.customer("")
	ls := w.lines(1 + r.IntN(3))
	k := 1 + r.IntN(len(ls))
	if v == 0 {
		ls[k-1] = ln{it: w.newItem(w.desc(priceyItems[7:])), qty: 3}
	}
	o := w.order(cu, ls...)
	l := &o.Lines[k-1]
	up := r.IntN(3) != 0
	var delta int64
	if v == 0 {
		delta, up = 16667, true
	} else {
		it := w.itemBySKU(l.SKU)
		list := c.Cents(it.ListPrice)
		if up {
			delta = list * int64(4+r.IntN(10)) / 100
		} else {
			delta = list * int64(2+r.IntN(4)) / 100
		}
		delta = max(delta, 1)
		if need := int(50000/delta) + 1; l.Qty < need {
			l.Qty = need + r.IntN(need/2+1)
		}
	}
	sku := w.priceOff(cu, o, k, delta, up)
	w.contractOthers(cu, o, k)
	w.adjustContractWindow(cu, o, k, v)
	return built{
		title:    "Order price differs from contract price by more than the auto-correct limit",
		trigger:  w.pricingTrigger(o, "price differs from contract"),
		expected: expect(clsPricing, acts(c.ActCorrectPrice), noCancel, approval(c.ActCorrectPrice, rolePricing), o.ID, sku),
	}
}

// pricingBelowCost: no active contract and a line priced below unit cost.
// Even variants: a per-each price keyed on a case item, or a lapsed promo;
// nothing to correct to, so escalate (auto). Odd variants: the customer's
// contract expired last month; the obvious correction to that old contract
// price is blocked (it is not an active contract price), so escalate.
func pricingBelowCost(w *world, v int) built {
	r := w.g.r
	cu := w.customer("")
	ls := w.lines(1 + r.IntN(3))
	k := 1 + r.IntN(len(ls))
	o := w.order(cu, ls...)
	l := &o.Lines[k-1]
	it := w.itemBySKU(l.SKU)
	cost := c.Cents(it.UnitCost)
	var title string
	d := auto(c.ActEscalate)
	switch {
	case v%2 == 1:
		l.UnitPrice = f(cost * int64(85+r.IntN(10)) / 100)
		w.contract(cu, l.SKU, c.Cents(it.ListPrice)*95/100, w.today.AddDays(-400), w.today.AddDays(-20-r.IntN(60)))
		title = "Line priced below cost, customer's contract has expired"
		d = blocked(c.ActCorrectPrice)
	case v%4 == 0:
		l.UnitPrice = f(cost * int64(20+r.IntN(40)) / 100)
		title = "Line priced far below cost (unit keyed wrong), no contract"
	default:
		l.UnitPrice = f(cost * int64(80+r.IntN(15)) / 100)
		title = "Lapsed promo price below cost, no contract"
	}
	return built{
		title:    title,
		trigger:  w.pricingTrigger(o, "price below cost"),
		expected: expect(clsPricing, acts(c.ActEscalate), noCancel, d, o.ID, l.SKU),
	}
}

// pricingHoldRelease: a PRICE hold on a small contract mismatch. The price
// correction is auto; releasing the PRICE hold after it is a hold other than
// CREDIT/COMPLIANCE, which needs cs_supervisor.
func pricingHoldRelease(w *world, v int) built {
	r := w.g.r
	cu := w.customer("")
	o := w.order(cu, w.lines(1+r.IntN(2))...)
	k := 1 + r.IntN(len(o.Lines))
	l := o.Lines[k-1]
	sku := w.priceOff(cu, o, k, w.smallDelta(l.Qty, c.Cents(l.UnitPrice)), r.IntN(2) == 0)
	w.holdNow(o, c.HoldPrice, "price differs from contract")
	return built{
		title:    "Price hold on a small contract mismatch",
		trigger:  w.trigger(o, "hold_placed", "question"),
		expected: expect(clsPricing, acts(c.ActCorrectPrice), noCancel, approval(c.ActReleaseHold, roleCS), o.ID, sku),
	}
}
