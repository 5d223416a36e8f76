package main

import (
	"time"

	c "github.com/exdesk/exdesk/connectors"
)

// Several exceptions on one order. The primary class follows the playbook:
// a hold_placed trigger points at the class of the most recent hold, a
// shipment_status trigger at shipment_delay, an inventory_changed trigger at
// inventory_shortage; otherwise precedence duplicate_order > compliance_hold
// > credit_hold > master_data_error > pricing_mismatch > carrier_conflict >
// inventory_shortage > shipment_delay, with a credit signal that has no
// CREDIT hold ranked last. The others go in also_detected.

func also(e Expected, classes ...string) Expected {
	e.AlsoDetected = classes
	return e
}

// multiCreditShortage: a CREDIT hold (over limit, supervisor band) on an
// order that is also short at its site.
func multiCreditShortage(w *world, v int) built {
	cu := w.customer("")
	o := w.bigOrder(cu)
	limit := w.limitFor(c.OrderTotal(*o))
	w.setCredit(cu, o, limit, w.exposureIn(limit, 1020, 1230))
	w.shortWithAlternate(o, []int{1}, money(w.g.r, 10, 140), false, false)
	w.holdNow(o, c.HoldCredit, "credit limit exceeded")
	return built{
		title:    "Credit hold over limit on an order that is also short at its site",
		trigger:  w.trigger(o, "hold_placed"),
		expected: also(creditExpect(o, approval(c.ActReleaseHold, roleFinSup)), clsShortage),
	}
}

// multiPriceAfterCredit: a CREDIT hold first, then a PRICE hold; the
// hold_placed event is the price hold, so the case is about pricing.
func multiPriceAfterCredit(w *world, v int) built {
	r := w.g.r
	cu := w.customer("")
	o := w.bigOrder(cu)
	k := 1 + r.IntN(len(o.Lines))
	l := o.Lines[k-1]
	sku := w.priceOff(cu, o, k, w.smallDelta(l.Qty, c.Cents(l.UnitPrice)), true)
	limit := w.limitFor(c.OrderTotal(*o))
	w.setCredit(cu, o, limit, w.exposureIn(limit, 1010, 1200))
	span := w.now.Sub(o.CreatedAt)
	w.hold(o, c.HoldCredit, "credit limit exceeded", o.CreatedAt.Add(span/5).Truncate(time.Minute))
	w.hold(o, c.HoldPrice, "price differs from contract", o.CreatedAt.Add(span*3/5).Truncate(time.Minute))
	return built{
		title:   "Price hold placed on an order already on credit hold",
		trigger: w.trigger(o, "hold_placed"),
		expected: also(expect(clsPricing, acts(c.ActCorrectPrice), noCancel,
			auto(c.ActCorrectPrice), o.ID, sku), clsCredit),
	}
}

// multiComplianceCredit: a COMPLIANCE hold with the document missing, and
// the customer is over its credit limit (no credit hold).
func multiComplianceCredit(w *world, v int) built {
	cu := w.customer("")
	o, reg := w.regulatedOrder(cu)
	limit := w.limitFor(c.OrderTotal(*o))
	w.setCredit(cu, o, limit, w.exposureIn(limit, 1030, 1200))
	w.holdNow(o, c.HoldCompliance, "regulated item review")
	return built{
		title:   "Regulated item without a license, customer also over its credit limit",
		trigger: w.question(o),
		expected: also(expect(clsCompliance, acts(c.ActRequestDocuments), complianceForbidden,
			blocked(c.ActReleaseHold), o.ID, reg.RequiredDocument), clsCredit),
	}
}

// multiDuplicatePricing: an EDI resend of a PO whose price is off contract.
func multiDuplicatePricing(w *world, v int) built {
	r := w.g.r
	cu := w.customer("")
	orig, dup := w.dupPair(cu, time.Duration(1+r.IntN(20))*time.Hour, true)
	l := orig.Lines[0]
	w.priceOff(cu, orig, 1, w.smallDelta(l.Qty, c.Cents(l.UnitPrice)), true)
	dup.Lines[0].UnitPrice = orig.Lines[0].UnitPrice
	return built{
		title:    "EDI resend of a PO priced off contract",
		trigger:  w.trigger(dup, "order_created"),
		expected: also(dupExpect(orig, dup), clsPricing),
	}
}

// multiDelayHazmat: a late in-transit shipment of hazmat goods on a carrier
// without hazmat certification; the shipment_status event is about the delay.
func multiDelayHazmat(w *world, v int) built {
	cu := w.customer("")
	ls := append([]ln{{it: w.hazmatItem(), qty: w.qty()}}, w.lines(w.g.r.IntN(2))...)
	o := w.order(cu, ls...)
	o.Carrier = w.pick(w.conv.carrierCodes(false, false))
	o.ServiceLevel = w.conv.standardService(o.Carrier)
	sh := w.transitShipment(o, transitProblems[v%2])
	return built{
		title:   "Late hazmat shipment moving on a carrier without hazmat certification",
		trigger: w.trigger(o, "shipment_status"),
		expected: also(expect(clsDelay, acts(c.ActNotifyCustomer, c.ActRescheduleOrder), noCancel,
			auto(c.ActNotifyCustomer), o.ID, sh.ID), clsCarrier),
	}
}

// multiDataShortage: a DATA hold for a missing postal code or city on an
// order that is also short at its site.
func multiDataShortage(w *world, v int) built {
	cu := w.customer("")
	o := w.order(cu, w.lines(2+w.g.r.IntN(2))...)
	mention := "postal"
	if v%2 == 0 {
		o.ShipTo.PostalCode = ""
	} else {
		o.ShipTo.City, mention = "", "city"
	}
	w.shortWithAlternate(o, []int{2}, money(w.g.r, 10, 140), false, false)
	w.holdNow(o, c.HoldData, "ship-to address failed validation")
	return built{
		title:   "Ship-to address incomplete on an order that is also short at its site",
		trigger: w.trigger(o, "hold_placed"),
		expected: also(expect(clsMasterData, acts(c.ActRequestDataFix), dataForbidden,
			auto(c.ActRequestDataFix), o.ID, mention), clsShortage),
	}
}

// multiCarrierShortage: the carrier has no capacity on the lane and a line
// is short at the ship-from site (the shipment is only planned).
func multiCarrierShortage(w *world, v int) built {
	cu := w.customer("")
	o := w.order(cu, w.lines(1+w.g.r.IntN(3))...)
	o.Status = c.StatusReleased
	cr := w.carrier(o.Carrier)
	cr.LanesWithoutCapacity = append(cr.LanesWithoutCapacity, o.ShipTo.Region)
	w.plannedShipment(o)
	w.shortWithAlternate(o, []int{1}, money(w.g.r, 10, 140), false, false)
	return built{
		title:    "Carrier without capacity on the lane, and a line short at the ship-from site",
		trigger:  w.trigger(o, "order_changed"),
		expected: also(carrierExpect(o, o.Carrier), clsShortage),
	}
}

// multiShortagePricing: an inventory update leaves a line short (another
// site covers at ≤ 150 added freight) on an order with a line off contract.
func multiShortagePricing(w *world, v int) built {
	cu := w.customer("")
	o := w.order(cu, w.lines(2+w.g.r.IntN(2))...)
	alt := w.shortWithAlternate(o, []int{1}, money(w.g.r, -30, 140), false, false)
	l2 := o.Lines[1]
	w.priceOff(cu, o, 2, w.smallDelta(l2.Qty, c.Cents(l2.UnitPrice)), w.g.r.IntN(2) == 0)
	return built{
		title:   "Stock short at ship-from after an inventory update, price also off contract",
		trigger: w.trigger(o, "inventory_changed"),
		expected: also(expect(clsShortage, acts(c.ActAllocateFromSite), noCancel,
			auto(c.ActAllocateFromSite), o.ID, o.Lines[0].SKU, alt), clsPricing),
	}
}

// multiDuplicateCredit: the same lines ordered twice by a customer with a
// past-due balance.
func multiDuplicateCredit(w *world, v int) built {
	r := w.g.r
	cu := w.customer("")
	orig, dup := w.dupPair(cu, time.Duration(2+r.IntN(40))*time.Hour, false)
	cu.MaxDaysPastDue = 15 + r.IntN(60)
	cu.PastDueAmount = f(c.Cents(cu.OpenAR) * int64(10+r.IntN(30)) / 100)
	return built{
		title:    "Same lines ordered twice by a customer with a past-due balance",
		trigger:  w.trigger(dup, "order_created", "question"),
		expected: also(dupExpect(orig, dup), clsCredit),
	}
}

// multiShortagePastDue: a line short at the ship-from site (another site
// covers within 150 added freight) for a customer with a small past-due
// balance and no credit hold. The ERP did not stop the order for credit, so
// the shortage is the case and the past-due balance is background.
func multiShortagePastDue(w *world, v int) built {
	r := w.g.r
	cu := w.customer("")
	o := w.order(cu, w.lines(1+r.IntN(2))...)
	alt := w.shortWithAlternate(o, []int{1}, money(r, 10, 140), false, false)
	cu.MaxDaysPastDue = 5 + r.IntN(40)
	cu.PastDueAmount = f(money(r, 150, 1800))
	return built{
		title:   "Stock short at ship-from for a customer with a small past-due balance and no credit hold",
		trigger: w.trigger(o, "order_created", "question"),
		expected: also(expect(clsShortage, acts(c.ActAllocateFromSite, c.ActPartialShip), noCancel,
			auto(c.ActAllocateFromSite), o.ID, o.Lines[0].SKU, alt), clsCredit),
	}
}
