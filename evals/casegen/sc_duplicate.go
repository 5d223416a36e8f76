package main

import (
	"time"

	c "github.com/exdesk/exdesk/connectors"
)

// Duplicate-order scenarios. Duplicate = another non-cancelled order of the
// same customer with the same PO number, or with identical lines (sku, qty,
// uom, unit price) created within 48 hours inclusive; the newer order (by
// created_at, not by id) is the one to cancel: cs_supervisor, blocked once it
// has shipped or its shipment is picked up.

// dupPair builds an original order and a newer copy of it for cu. gap is the
// time between their creation; samePO keeps the PO number. Half of the time
// the newer order gets the lower order number (ids are not creation order).
func (w *world) dupPair(cu *c.Customer, gap time.Duration, samePO bool) (orig, dup *c.Order) {
	r := w.g.r
	ls := w.lines(1 + r.IntN(3))
	orig = w.order(cu, ls...)
	dup = w.order(cu, ls...)
	if r.IntN(2) == 0 {
		orig.ID, dup.ID = dup.ID, orig.ID
	}
	dup.CreatedAt = w.now.Add(-time.Duration(5+r.IntN(240)) * time.Minute).Truncate(time.Minute)
	orig.CreatedAt = dup.CreatedAt.Add(-gap)
	dup.ShipTo, dup.ShipFrom, dup.Carrier, dup.ServiceLevel = orig.ShipTo, orig.ShipFrom, orig.Carrier, orig.ServiceLevel
	dup.RequestedShipDate = orig.RequestedShipDate
	if samePO {
		dup.PONumber = orig.PONumber
	}
	if r.IntN(3) == 0 {
		orig.Status = c.StatusReleased
	}
	return orig, dup
}

func dupExpect(orig, dup *c.Order) Expected {
	return expect(clsDuplicate, acts(c.ActCancelOrder, c.ActNotifyCustomer), []string{},
		approval(c.ActCancelOrder, roleCS), dup.ID, orig.ID)
}

// duplicateSamePO: the same PO entered twice (an EDI resend, or a PO emailed
// and then keyed into the portal). Variant 3: the resend changed a quantity
// (still the same PO).
func duplicateSamePO(w *world, v int) built {
	r := w.g.r
	cu := w.customer("")
	orig, dup := w.dupPair(cu, time.Duration(2+r.IntN(70))*time.Hour, true)
	title := "EDI resend created the same PO twice"
	switch v % 3 {
	case 0:
		orig.Channel, dup.Channel = "edi", "edi"
	case 1:
		orig.Channel, dup.Channel = "email", "portal"
		title = "PO emailed and also keyed into the portal"
	case 2:
		orig.Channel, dup.Channel = "phone", "email"
		title = "PO phoned in, then the confirmation copy was entered again"
	}
	if v == 3 {
		dup.Lines[0].Qty += 10 + r.IntN(40)
		title = "Revised PO resent as a new order under the same PO number"
	}
	return built{title: title, trigger: w.trigger(dup, "order_created", "order_created", "question"), expected: dupExpect(orig, dup)}
}

// duplicateSameLines: identical lines under different POs within 48 hours.
// Variant 0: exactly 48 hours apart (inclusive).
func duplicateSameLines(w *world, v int) built {
	r := w.g.r
	cu := w.customer("")
	gap := time.Duration(30+r.IntN(47*60)) * time.Minute
	if v == 0 {
		gap = 48 * time.Hour
	}
	orig, dup := w.dupPair(cu, gap, false)
	orig.Channel = w.pick([]string{"portal", "email", "phone"})
	dup.Channel = w.pick([]string{"portal", "email", "edi"})
	return built{
		title:    "Same lines ordered twice within 48 hours under different POs",
		trigger:  w.trigger(dup, "order_created", "order_created", "question"),
		expected: dupExpect(orig, dup),
	}
}

// duplicateHeld: the ERP's own duplicate check put a DUPLICATE hold on the newer order.
func duplicateHeld(w *world, v int) built {
	r := w.g.r
	cu := w.customer("")
	orig, dup := w.dupPair(cu, time.Duration(1+r.IntN(40))*time.Hour, v%2 == 0)
	w.holdNow(dup, c.HoldDuplicate, w.pick([]string{"possible duplicate of an open order", "duplicate PO check"}))
	return built{
		title:    "ERP put a duplicate hold on a re-entered order",
		trigger:  w.trigger(dup, "hold_placed", "hold_placed", "question"),
		expected: dupExpect(orig, dup),
	}
}

// duplicateShipped: the duplicate was released and its shipment already
// picked up before anyone noticed: cancelling it is blocked; tell the customer.
func duplicateShipped(w *world, v int) built {
	r := w.g.r
	cu := w.customer("")
	orig, dup := w.dupPair(cu, time.Duration(3+r.IntN(40))*time.Hour, v%2 == 0)
	dup.CreatedAt = w.now.Add(-time.Duration(26+r.IntN(20)) * time.Hour).Truncate(time.Minute)
	orig.CreatedAt = dup.CreatedAt.Add(-time.Duration(2+r.IntN(20)) * time.Hour)
	orig.Status = c.StatusOpen
	cr := w.carrier(dup.Carrier)
	s, _ := cr.Service(dup.ServiceLevel)
	pickup := w.now.Add(-time.Duration(2+r.IntN(12)) * time.Hour).Truncate(time.Minute)
	dup.Status, dup.RequestedShipDate = c.StatusShipped, c.NewDate(pickup)
	promised := pickup.AddDate(0, 0, s.TransitDays)
	status := []string{c.ShipPickedUp, c.ShipInTransit}[v%2]
	sh := w.shipment(dup, status, promised, promised, w.ev(pickup, "AF", "NS", "picked up", dup.ShipFrom))
	_ = sh
	return built{
		title:   "Duplicate order already picked up by the carrier",
		trigger: w.question(dup),
		expected: expect(clsDuplicate, acts(c.ActNotifyCustomer, c.ActEscalate), []string{},
			blocked(c.ActCancelOrder), dup.ID, orig.ID),
	}
}
