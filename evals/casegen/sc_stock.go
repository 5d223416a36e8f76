package main

import (
	c "github.com/exdesk/exdesk/connectors"
)

// Inventory-shortage scenarios. Shortage = available by the requested ship
// date at the ship-from site below a line's quantity (inbound counts only when
// its ETA is on or before that date). Playbook order: allocate_from_site when
// one alternate site covers every short line (auto when added freight ≤ 150,
// else logistics_supervisor); else substitute_item (cs_supervisor) when a
// listed substitute covers the quantity at the ship-from site and the
// customer allows substitution; else partial_ship (planner) when allowed;
// else reschedule_order / notify_customer with partial_ship blocked.

var shortageTriggers = []string{"order_created", "order_created", "question", "inventory_changed", "hold_placed"}

// otherSites returns the two sites that are not from, in random order.
func (w *world) otherSites(from string) (string, string) {
	var out []string
	for _, s := range w.conv.sites {
		if s != from {
			out = append(out, s)
		}
	}
	if w.g.r.IntN(2) == 0 {
		out[0], out[1] = out[1], out[0]
	}
	return out[0], out[1]
}

// shortAt makes sku short at site for qty: available now well below qty,
// and any inbound arrives after the requested ship date.
func (w *world) shortAt(o *c.Order, sku, site string, qty int, withLateInbound bool) {
	avail := qty * (5 + w.g.r.IntN(55)) / 100
	if withLateInbound {
		w.scarce(sku, site, avail, w.inbound(qty+w.g.r.IntN(200), o.RequestedShipDate.AddDays(1+w.g.r.IntN(6))))
		return
	}
	w.scarce(sku, site, avail)
}

// plenty gives sku at site more than qty available now.
func (w *world) plenty(sku, site string, qty int) {
	alloc := w.g.r.IntN(60)
	w.setStock(sku, site, qty+alloc+40+w.g.r.IntN(900), alloc)
}

// shortWithAlternate makes the lines short at the order's site and covered
// at one alternate site whose lane to the ship-to region costs added (cents)
// more. With both, the second alternate also covers but costs more; with
// onDate, the alternate covers only thanks to an inbound due exactly on the
// requested ship date. It returns the alternate that should be chosen.
func (w *world) shortWithAlternate(o *c.Order, lines []int, added int64, both, onDate bool) string {
	r := w.g.r
	from, region := o.ShipFrom, o.ShipTo.Region
	alt, other := w.otherSites(from)
	fromCost := money(r, 110, 200)
	w.setLane(from, region, fromCost)
	w.setLane(alt, region, fromCost+added)
	if both {
		w.setLane(other, region, fromCost+added+money(r, 15, 120))
	}
	for _, n := range lines {
		l, _ := o.Line(n)
		w.shortAt(o, l.SKU, from, l.Qty, r.IntN(3) == 0)
		if onDate {
			now := l.Qty / 3
			w.scarce(l.SKU, alt, now, w.inbound(l.Qty-now+r.IntN(100), o.RequestedShipDate))
		} else {
			w.plenty(l.SKU, alt, l.Qty)
		}
		if both {
			w.plenty(l.SKU, other, l.Qty)
		} else {
			w.shortAt(o, l.SKU, other, l.Qty, false)
		}
	}
	return alt
}

// shortEverywhere makes sku short at all three sites.
func (w *world) shortEverywhere(o *c.Order, sku string, qty int, lateInboundAtFrom bool) {
	for _, s := range w.conv.sites {
		w.shortAt(o, sku, s, qty, lateInboundAtFrom && s == o.ShipFrom)
	}
}

func (w *world) shortageTrigger(o *c.Order) Trigger {
	t := w.trigger(o, shortageTriggers...)
	if t.Event == "hold_placed" {
		w.holdNow(o, c.HoldStock, w.pick([]string{"insufficient stock at ship-from", "ATP check failed"}))
	}
	return t
}

// shortageAlt: one alternate site covers the short lines. Auto: added freight
// ≤ 150 (variant 0 exactly 150.00; variant 3 both alternates cover, the cheaper
// is chosen; variant 2 the alternate covers thanks to an inbound due on the
// requested ship date). Approval: added freight > 150 (variant 0: 150.01).
func shortageAlt(isAuto bool) func(w *world, v int) built {
	return func(w *world, v int) built {
		r := w.g.r
		cu := w.customer("")
		n := 1 + r.IntN(3)
		if v%3 == 1 {
			n = 2 + r.IntN(2)
		}
		o := w.order(cu, w.lines(n)...)
		short := []int{1}
		if v%3 == 1 {
			short = []int{1, 2}
		}
		var added int64
		switch {
		case isAuto && v == 0:
			added = 15000
		case isAuto:
			added = money(r, -40, 149.99)
		case v == 0:
			added = 15001
		default:
			added = money(r, 150.02, 320)
		}
		alt := w.shortWithAlternate(o, short, added, isAuto && v == 3, v == 2)
		l1, _ := o.Line(1)
		t := w.shortageTrigger(o)
		if isAuto {
			return built{
				title:   "Stock short at ship-from site, another site can cover",
				trigger: t,
				expected: expect(clsShortage, acts(c.ActAllocateFromSite), noCancel,
					auto(c.ActAllocateFromSite), o.ID, l1.SKU, alt),
			}
		}
		acc := acts(c.ActAllocateFromSite)
		if cu.AllowsPartialShipment {
			acc = append(acc, c.ActPartialShip)
		}
		return built{
			title:   "Stock short at ship-from site, another site can cover at extra freight",
			trigger: t,
			expected: expect(clsShortage, acc, noCancel,
				approval(c.ActAllocateFromSite, roleLogistic), o.ID, l1.SKU, alt),
		}
	}
}

// shortageSubstitute: short everywhere, an approved substitute is in stock at
// the ship-from site and the customer allows substitution.
func shortageSubstitute(w *world, v int) built {
	cu := w.customer("")
	cu.AllowsSubstitution = true
	o := w.order(cu, w.lines(1+w.g.r.IntN(2))...)
	l1, _ := o.Line(1)
	it := w.itemBySKU(l1.SKU)
	sub := w.substituteFor(it)
	w.shortEverywhere(o, it.SKU, l1.Qty, v%2 == 1)
	w.plenty(sub.SKU, o.ShipFrom, l1.Qty)
	acc := acts(c.ActSubstituteItem, c.ActRescheduleOrder)
	if cu.AllowsPartialShipment {
		acc = acts(c.ActSubstituteItem, c.ActPartialShip, c.ActRescheduleOrder)
	}
	return built{
		title:    "Stock short everywhere, approved substitute in stock",
		trigger:  w.shortageTrigger(o),
		expected: expect(clsShortage, acc, noCancel, approval(c.ActSubstituteItem, roleCS), o.ID, it.SKU, sub.SKU),
	}
}

// regulatedSubs are substitutes that are regulated while the original is not.
var regulatedSubs = []struct{ orig, sub, doc string }{
	{"cold and sinus tabs PE 10mg (bottle of 100)", "cold and sinus tabs PSE 30mg (bottle of 100)", "dea_registration"},
	{"weed and feed granular 40lb", "weed and feed with atrazine 40lb", "epa_pesticide_license"},
	{"topical anesthetic gel 1oz", "lidocaine 4% cream 1oz", "state_pharmacy_license"},
}

// shortageSubBlocked: short everywhere, a substitute covers at the ship-from
// site, but the guard blocks substitute_item: the customer does not allow
// substitution (even variants) or the substitute is regulated and the
// original is not (odd variants). Partial shipment is allowed.
func shortageSubBlocked(w *world, v int) built {
	cu := w.customer("")
	cu.AllowsPartialShipment = true
	cu.AllowsSubstitution = v%2 == 1
	var it, sub *c.Item
	if v%2 == 0 {
		it = w.item()
		sub = w.substituteFor(it)
	} else {
		p := regulatedSubs[(v/2)%len(regulatedSubs)]
		it = w.newItem(itemDef{p.orig, "EA", 6, 20, "", ""})
		sub = w.substituteFor(it)
		sub.Description, sub.Regulated, sub.RequiredDocument = p.sub, true, p.doc
	}
	ls := append([]ln{{it: it, qty: w.qty()}}, w.lines(w.g.r.IntN(2))...)
	o := w.order(cu, ls...)
	w.shortEverywhere(o, it.SKU, ls[0].qty, false)
	w.plenty(sub.SKU, o.ShipFrom, ls[0].qty)
	title := "Stock short everywhere, substitute in stock but customer refuses substitutes"
	if v%2 == 1 {
		title = "Stock short everywhere, only substitute is a regulated item"
	}
	return built{
		title:   title,
		trigger: w.shortageTrigger(o),
		expected: expect(clsShortage, acts(c.ActPartialShip, c.ActRescheduleOrder), noCancel,
			blocked(c.ActSubstituteItem), o.ID, it.SKU),
	}
}

// shortagePartial: no site covers, no substitute, partial shipments allowed.
// Variant 1 mod 3: two short lines, each covered at a different alternate
// site but no single site covers both. Variant 2 mod 3: the ship-from inbound
// lands one day after the requested ship date (does not count).
func shortagePartial(w *world, v int) built {
	r := w.g.r
	cu := w.customer("")
	cu.AllowsPartialShipment = true
	n := 1 + r.IntN(3)
	if v%3 == 1 {
		n = 2 + r.IntN(2)
	}
	o := w.order(cu, w.lines(n)...)
	l1, _ := o.Line(1)
	switch v % 3 {
	case 1:
		l2, _ := o.Line(2)
		a, b := w.otherSites(o.ShipFrom)
		w.shortAt(o, l1.SKU, o.ShipFrom, l1.Qty, false)
		w.plenty(l1.SKU, a, l1.Qty)
		w.shortAt(o, l1.SKU, b, l1.Qty, false)
		w.shortAt(o, l2.SKU, o.ShipFrom, l2.Qty, false)
		w.shortAt(o, l2.SKU, a, l2.Qty, false)
		w.plenty(l2.SKU, b, l2.Qty)
	case 2:
		w.shortEverywhere(o, l1.SKU, l1.Qty, false)
		w.scarce(l1.SKU, o.ShipFrom, l1.Qty/4, w.inbound(l1.Qty*2, o.RequestedShipDate.AddDays(1)))
	default:
		w.shortEverywhere(o, l1.SKU, l1.Qty, r.IntN(2) == 0)
	}
	return built{
		title:   "Stock short everywhere, customer accepts partial shipments",
		trigger: w.shortageTrigger(o),
		expected: expect(clsShortage, acts(c.ActPartialShip, c.ActRescheduleOrder), noCancel,
			approval(c.ActPartialShip, rolePlanner), o.ID, l1.SKU),
	}
}

// shortageNoPartial: short everywhere, no substitute, the customer refuses
// partial shipments, an inbound PO lands after the requested date. With
// reschedule the expected decision is the reschedule (cs_supervisor);
// otherwise it is the blocked partial shipment.
func shortageNoPartial(reschedule bool) func(w *world, v int) built {
	return func(w *world, v int) built {
		cu := w.customer("")
		cu.AllowsPartialShipment = false
		o := w.order(cu, w.lines(1+w.g.r.IntN(3))...)
		l1, _ := o.Line(1)
		w.shortEverywhere(o, l1.SKU, l1.Qty, true)
		d := blocked(c.ActPartialShip)
		if reschedule {
			d = approval(c.ActRescheduleOrder, roleCS)
		}
		return built{
			title:    "Stock short everywhere, customer refuses partial shipments, inbound PO due",
			trigger:  w.shortageTrigger(o),
			expected: expect(clsShortage, acts(c.ActRescheduleOrder, c.ActNotifyCustomer), noCancel, d, o.ID, l1.SKU),
		}
	}
}
