package main

import (
	"time"

	c "github.com/exdesk/exdesk/connectors"
)

// Scenarios on other data conventions (conventions.go): ids of other
// shapes, regions outside the US, and carriers that name their services
// their own way. The carrier scenarios are designed around DESIGN.md's
// rebook rule: a target is the cheapest carrier with capacity on the lane
// (and hazmat certification for hazmat goods), priced at its cheapest
// service whose transit_days is no more than the current service's; a
// carrier with no such service is not a target. Each one places a trap
// that a rule leaning on service names or on the cheapest service would
// fall into: the cheapest carrier or service is slower than the current
// one, or the carrier that is no slower is not certified.

// shapeServices sets a carrier's services (slowest first, as the
// convention lists them) around the current service's transit days.
//
//	slower: every service slower than days, at cheap prices.
//	target: its slowest service slower than days and cheap (when it has
//	        more than one), then a service no slower at price (as fast as
//	        days exactly when edge), then faster ones dearer.
func (w *world) shapeServices(cr *c.Carrier, days int, slower, edge bool, price int64) {
	r := w.g.r
	n := len(cr.Services)
	for i := range cr.Services {
		s := &cr.Services[i]
		switch {
		case slower:
			s.TransitDays = days + n - i
			s.CostPerOrder = f(max(price-int64(90+10*i)*100-money(r, 0, 50), price/4))
		case n > 1 && i == 0:
			s.TransitDays = days + 1 + r.IntN(2)
			s.CostPerOrder = f(price - money(r, 30, 60))
		default:
			k := i
			if n > 1 {
				k = i - 1
			}
			s.TransitDays = max(days-k-1-r.IntN(2), 1)
			if edge {
				s.TransitDays = max(days-k, 1)
			}
			s.CostPerOrder = f(price + int64(k)*money(r, 120, 260))
		}
	}
}

// convCarrierSetup books o (released, with a planned shipment) on carrier
// cur, whose standard service takes days, and shapes the other carriers
// around it: target is the cheapest eligible one, the others are traps or
// dearer. eligible says which carriers may carry the goods (hazmat).
// With edge, the target's service takes exactly as long as the current one.
func (w *world) convCarrierSetup(o *c.Order, cur string, edge bool, eligible func(*c.Carrier) bool) (target string) {
	r := w.g.r
	o.Carrier = cur
	o.ServiceLevel = w.conv.standardService(cur)
	o.Status = c.StatusReleased
	days := 4 + r.IntN(2)
	cr := w.carrier(cur)
	base := money(r, 160, 320)
	setService(cr, o.ServiceLevel, days, base)
	var others []*c.Carrier
	for _, x := range w.carriers {
		if x.Code != cur {
			others = append(others, x)
		}
	}
	r.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
	// The eligible ones: the first is only slower (a trap for the cheapest
	// carrier), the second is the target, the rest dearer. Ineligible ones
	// are cheap and fast: a trap for hazmat certification.
	var ok []*c.Carrier
	for _, x := range others {
		if eligible(x) {
			ok = append(ok, x)
			continue
		}
		w.shapeServices(x, days, false, true, base-money(r, 40, 90))
	}
	price := base + money(r, 10, 140)
	switch len(ok) {
	case 0:
		panic("convCarrierSetup: no eligible carrier")
	case 1:
		w.shapeServices(ok[0], days, false, edge, price)
		return ok[0].Code
	}
	w.shapeServices(ok[0], days, true, false, price)
	w.shapeServices(ok[1], days, false, edge, price)
	for _, x := range ok[2:] {
		w.shapeServices(x, days, false, false, price+money(r, 25, 150))
	}
	return ok[1].Code
}

func anyCarrier(*c.Carrier) bool      { return true }
func certifiedOnly(x *c.Carrier) bool { return x.HazmatCertified }

// convCarrierCapacity: the booked carrier has no capacity on the lane; the
// cheapest other carrier only offers slower services, so the target is the
// next one, priced at its own service no slower than the current one.
// Odd variants carry a hazmat line: only certified carriers are eligible.
// Variants 0 and 1: the target's service is exactly as fast as the current.
func convCarrierCapacity(w *world, v int) built {
	cu := w.customer("")
	ls := w.lines(1 + w.g.r.IntN(2))
	eligible := anyCarrier
	if v%2 == 1 {
		ls = append(ls, ln{it: w.hazmatItem(), qty: w.qty()})
		eligible = certifiedOnly
	}
	o := w.order(cu, ls...)
	cur := w.pick(w.conv.carrierCodes(v%2 == 0, true))
	target := w.convCarrierSetup(o, cur, v < 2, eligible)
	cr := w.carrier(cur)
	cr.LanesWithoutCapacity = append(cr.LanesWithoutCapacity, o.ShipTo.Region)
	w.plannedShipment(o)
	return built{
		title:   "Booked carrier has no capacity on the lane; carriers name their services differently",
		trigger: w.trigger(o, carrierTriggers...),
		expected: expect(clsCarrier, acts(c.ActRebookCarrier), noCancel,
			approval(c.ActRebookCarrier, roleLogistic), o.ID, cur, target),
	}
}

// convCarrierHazmat: a hazmat line on a carrier without certification; an
// uncertified carrier is cheaper and as fast (not eligible), a certified
// one only slower (not a target). Variant 0: the target's service takes
// exactly as long as the current one (no slower is not faster).
func convCarrierHazmat(w *world, v int) built {
	cu := w.customer("")
	ls := append([]ln{{it: w.hazmatItem(), qty: w.qty()}}, w.lines(w.g.r.IntN(2))...)
	o := w.order(cu, ls...)
	cur := w.pick(w.conv.carrierCodes(false, false))
	target := w.convCarrierSetup(o, cur, v == 0, certifiedOnly)
	sh := w.plannedShipment(o)
	if v%2 == 1 {
		sh.Status = c.ShipTendered
	}
	return built{
		title:   "Hazmat goods booked on a carrier without hazmat certification, other carriers' own service names",
		trigger: w.trigger(o, carrierTriggers...),
		expected: expect(clsCarrier, acts(c.ActRebookCarrier), noCancel,
			approval(c.ActRebookCarrier, roleLogistic), o.ID, cur, target),
	}
}

// convCarrierNoTarget: the booked carrier has no capacity on the lane and
// every other carrier either has none either or only slower services: no
// carrier is a rebook target, so the case goes to a logistics supervisor.
func convCarrierNoTarget(w *world, v int) built {
	r := w.g.r
	cu := w.customer("")
	o := w.order(cu, w.lines(1+r.IntN(2))...)
	cur := w.pick(w.conv.carrierCodes(true, false))
	w.convCarrierSetup(o, cur, false, anyCarrier)
	s, _ := w.carrier(cur).Service(o.ServiceLevel)
	for i, x := range w.carriers {
		switch {
		case x.Code == cur || (i+v)%2 == 0:
			x.LanesWithoutCapacity = append(x.LanesWithoutCapacity, o.ShipTo.Region)
		default:
			w.shapeServices(x, s.TransitDays, true, false, c.Cents(s.CostPerOrder))
		}
	}
	w.plannedShipment(o)
	return built{
		title:   "No carrier with capacity on the lane is as fast as the booked service",
		trigger: w.trigger(o, carrierTriggers...),
		expected: expect(clsCarrier, acts(c.ActEscalate), acts(c.ActCancelOrder, c.ActRebookCarrier),
			auto(c.ActEscalate), o.ID, cur),
	}
}

// convMissedPickups are carrier events of a tender that missed its pick-up
// (X12 214 AT7: SD shipment delayed with a reason).
var convMissedPickups = []struct{ reason, desc string }{
	{"AY", "missed pick-up, trailer arrived after dock close"},
	{"AW", "tendered after cut-off"},
	{"T3", "no trailer available at origin terminal"},
	{"AM", "shipper dock not ready, pick-up rebooked"},
}

// convDelayExpedite: a tendered shipment missed its pick-up; the booked
// service no longer meets the promise, a faster service of the same
// carrier (named its own way) does. Auto for a strategic customer at an
// added cost ≤ 250, else a logistics supervisor.
func convDelayExpedite(isAuto bool) func(w *world, v int) built {
	return func(w *world, v int) built {
		r := w.g.r
		tier := w.pick([]string{c.TierKey, c.TierStandard})
		if isAuto || v%2 == 0 {
			tier = c.TierStrategic
		}
		cu := w.customer(tier)
		o := w.order(cu, w.lines(1+r.IntN(2))...)
		o.Status, o.RequestedShipDate = c.StatusReleased, w.today
		cr := w.carrier(o.Carrier)
		days := 3 + r.IntN(2)
		base := money(r, 180, 320)
		added := money(r, 60, 249.99)
		if !isAuto {
			added = money(r, 250.01, 480)
			if tier != c.TierStrategic {
				added = money(r, 60, 420)
			}
		}
		// Slowest first: the booked service, then faster ones. The
		// cheapest faster one that meets the promise is the second.
		for i := range cr.Services {
			s := &cr.Services[i]
			switch i {
			case 0:
				s.TransitDays, s.CostPerOrder = days, f(base)
			case 1:
				s.TransitDays, s.CostPerOrder = 2, f(base+added)
			default:
				s.TransitDays, s.CostPerOrder = 1, f(base+added+money(r, 90, 300))
			}
		}
		faster := cr.Services[1].ServiceLevel
		promised := w.now.AddDate(0, 0, days-1).Add(time.Duration(r.IntN(5)) * time.Hour)
		eta := promised.AddDate(0, 0, 1+r.IntN(2))
		mp := convMissedPickups[v%len(convMissedPickups)]
		at := w.now.Add(-time.Duration(1+r.IntN(4)) * time.Hour)
		sh := w.shipment(o, c.ShipTendered, promised, eta, w.ev(at, "SD", mp.reason, mp.desc, w.siteCity(o.ShipFrom)))
		d := approval(c.ActExpediteShipment, roleLogistic)
		if isAuto {
			d = auto(c.ActExpediteShipment)
		}
		return built{
			title:    "Missed pick-up puts the promised delivery at risk; the carrier's faster service has its own name",
			trigger:  w.trigger(o, delayTriggers...),
			expected: expect(clsDelay, acts(c.ActExpediteShipment), noCancel, d, o.ID, sh.ID, faster),
		}
	}
}

// convDelayInTransit: goods on their way, delayed by a reason said in X12
// codes (a breakdown, road conditions, a border): tell the customer.
var convTransitReasons = []struct{ code, reason, desc string }{
	{"SD", "AI", "tractor breakdown"},
	{"SD", "BE", "road closed, detour"},
	{"SD", "BD", "held at border crossing"},
	{"SD", "AO", "snow storm"},
}

func convDelayInTransit(w *world, v int) built {
	cu := w.customer("")
	o := w.order(cu, w.lines(1+w.g.r.IntN(2))...)
	p := convTransitReasons[v%len(convTransitReasons)]
	sh := w.transitShipment(o, transitProblem{"", p.code, p.reason, p.desc, c.ShipInTransit, true})
	return built{
		title:   "Goods in transit delayed",
		trigger: w.trigger(o, delayTriggers...),
		expected: expect(clsDelay, acts(c.ActNotifyCustomer, c.ActRescheduleOrder), noCancel,
			auto(c.ActNotifyCustomer), o.ID, sh.ID),
	}
}
