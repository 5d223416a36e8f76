package main

import (
	"time"

	c "github.com/exdesk/exdesk/connectors"
)

// Shipment-delay scenarios. Delay = a not-delivered shipment whose ETA is
// after the promised delivery, or a carrier exception event (SD, A9, A7, AP)
// or status exception. Not yet picked up with a faster service of the same
// carrier that meets the promise: expedite_shipment, auto only for a
// strategic customer and an expedite cost ≤ 250, else logistics_supervisor.
// Already moving: notify_customer (auto).

var delayTriggers = []string{"shipment_status", "shipment_status", "question"}

func (w *world) siteCity(site string) string { return w.conv.siteCity[site] }

var enRoute = []string{"Indianapolis, IN", "Memphis, TN", "Omaha, NE", "Kansas City, MO", "Nashville, TN",
	"Columbus, OH", "Oklahoma City, OK", "Denver, CO", "Little Rock, AR", "Harrisburg, PA", "Salt Lake City, UT"}

var missedPickups = []struct{ reason, desc string }{
	{"AM", "missed pickup, shipper dock not ready"},
	{"AJ", "missed pickup, driver out of hours"},
	{"AX", "missed pickup, insufficient pickup time"},
	{"AM", "missed pickup, rescheduled"},
}

// expediteSetup builds a released order whose tendered shipment missed its
// pickup: the shipment's standard service no longer meets the promise, and
// the carrier's express service (1 day) does at addedCents over the current
// freight cost.
func (w *world) expediteSetup(cu *c.Customer, addedCents int64) (*c.Order, *c.Shipment) {
	r := w.g.r
	o := w.order(cu, w.lines(1+r.IntN(3))...)
	o.Status, o.ServiceLevel, o.RequestedShipDate = c.StatusReleased, "LTL-STD", w.today
	cr := w.carrier(o.Carrier)
	days := 2 + r.IntN(2)
	setService(cr, "LTL-STD", days, serviceCost(cr, "LTL-STD"))
	setService(cr, "LTL-EXP", 1, serviceCost(cr, "LTL-STD")+addedCents)
	promised := w.now.AddDate(0, 0, days)
	eta := promised.AddDate(0, 0, 1+r.IntN(2))
	mp := missedPickups[r.IntN(len(missedPickups))]
	at := w.now.Add(-time.Duration(1+r.IntN(4)) * time.Hour)
	sh := w.shipment(o, c.ShipTendered, promised, eta, w.ev(at, "SD", mp.reason, mp.desc, o.ShipFrom))
	return o, sh
}

// delayExpediteAuto: strategic customer, expedite cost ≤ 250. Variant 0: exactly 250.00.
func delayExpediteAuto(w *world, v int) built {
	added := money(w.g.r, 40, 249.99)
	if v == 0 {
		added = 25000
	}
	o, sh := w.expediteSetup(w.customer(c.TierStrategic), added)
	return built{
		title:   "Missed pickup puts promised delivery at risk, strategic account",
		trigger: w.trigger(o, delayTriggers...),
		expected: expect(clsDelay, acts(c.ActExpediteShipment), noCancel,
			auto(c.ActExpediteShipment), o.ID, sh.ID),
	}
}

// delayExpediteApproval: expedite needs logistics approval: a strategic
// customer over 250 (variant 0: 250.01), or any cost for key/standard.
func delayExpediteApproval(w *world, v int) built {
	r := w.g.r
	var cu *c.Customer
	var added int64
	switch {
	case v == 0:
		cu, added = w.customer(c.TierStrategic), 25001
	case v%3 == 1:
		cu, added = w.customer(c.TierStrategic), money(r, 250.02, 480)
	default:
		cu, added = w.customer(w.pick([]string{c.TierKey, c.TierStandard})), money(r, 40, 420)
	}
	o, sh := w.expediteSetup(cu, added)
	return built{
		title:   "Missed pickup puts promised delivery at risk",
		trigger: w.trigger(o, delayTriggers...),
		expected: expect(clsDelay, acts(c.ActExpediteShipment), noCancel,
			approval(c.ActExpediteShipment, roleLogistic), o.ID, sh.ID),
	}
}

// delayNoExpedite: the tender missed the cut-off and even the express
// service cannot make tomorrow's promise: tell the customer.
func delayNoExpedite(w *world, v int) built {
	r := w.g.r
	cu := w.customer("")
	o := w.order(cu, w.lines(1+r.IntN(2))...)
	o.Status, o.RequestedShipDate = c.StatusReleased, w.today
	cr := w.carrier(o.Carrier)
	setService(cr, "LTL-STD", 3+r.IntN(2), serviceCost(cr, "LTL-STD"))
	setService(cr, "LTL-EXP", 2, serviceCost(cr, "LTL-EXP"))
	s, _ := cr.Service(o.ServiceLevel)
	promised := w.now.AddDate(0, 0, 1)
	eta := w.now.AddDate(0, 0, s.TransitDays+1)
	at := w.now.Add(-time.Duration(1+r.IntN(3)) * time.Hour)
	sh := w.shipment(o, c.ShipTendered, promised, eta, w.ev(at, "SD", "AW", "tender past cut-off time, pickup moved to next day", o.ShipFrom))
	return built{
		title:   "Tender missed the cut-off, no service can make the promised date",
		trigger: w.trigger(o, delayTriggers...),
		expected: expect(clsDelay, acts(c.ActNotifyCustomer, c.ActRescheduleOrder), noCancel,
			auto(c.ActNotifyCustomer), o.ID, sh.ID),
	}
}

type transitProblem struct {
	title, code, reason, desc string
	status                    string
	late                      bool
}

var transitProblems = []transitProblem{
	{"In-transit shipment delayed by weather", "SD", "AO", "weather delay", c.ShipInTransit, true},
	{"In-transit shipment delayed by a breakdown", "SD", "AI", "tractor mechanical breakdown", c.ShipInTransit, true},
	{"Carrier reports freight damaged in transit", "A9", "AJ", "shipment damaged, pallet inspection pending", c.ShipInTransit, false},
	{"Delivery attempt failed, consignee closed", "AP", "B1", "delivery not completed, consignee closed", c.ShipException, true},
	{"Consignee refused part of the delivery", "A7", "AG", "refused by consignee, wrong dock appointment", c.ShipException, false},
	{"In-transit shipment missed its linehaul connection", "SD", "AJ", "missed linehaul connection at terminal", c.ShipInTransit, true},
	{"Carrier pushed the delivery estimate past the promise", "SD", "AN", "terminal closed for holiday", c.ShipInTransit, true},
}

// transitShipment adds a picked-up shipment of a shipped order with the
// given problem (the first event is the pickup, then en route, then the
// problem). A problem reported with status exception happened at the
// delivery attempt: the promised time has passed, so no faster service can
// make it any more.
func (w *world) transitShipment(o *c.Order, p transitProblem) *c.Shipment {
	r := w.g.r
	cr := w.carrier(o.Carrier)
	s, _ := cr.Service(o.ServiceLevel)
	var pickup, promised, problemAt time.Time
	loc := w.conv.enRoute[r.IntN(len(w.conv.enRoute))]
	if p.status == c.ShipException {
		promised = w.now.Add(-time.Duration(2+r.IntN(5)) * time.Hour).Truncate(time.Minute)
		pickup = promised.AddDate(0, 0, -s.TransitDays)
		problemAt = promised.Add(time.Duration(10+r.IntN(50)) * time.Minute)
		loc = o.ShipTo.City
	} else {
		pickup = w.now.Add(-time.Duration(20+r.IntN(30)) * time.Hour).Truncate(time.Minute)
		promised = pickup.AddDate(0, 0, s.TransitDays)
		if !promised.After(w.now) {
			promised = w.now.Add(time.Duration(6+r.IntN(30)) * time.Hour).Truncate(time.Minute)
		}
		problemAt = w.now.Add(-time.Duration(1+r.IntN(4)) * time.Hour).Truncate(time.Minute)
	}
	o.Status, o.RequestedShipDate = c.StatusShipped, c.NewDate(pickup)
	o.CreatedAt = pickup.Add(-time.Duration(20+r.IntN(60)) * time.Hour)
	eta := promised
	if p.late {
		eta = w.now.AddDate(0, 0, 1+r.IntN(2)).Truncate(time.Hour)
		if !eta.After(promised) {
			eta = promised.AddDate(0, 0, 1)
		}
	}
	mid := pickup.Add(problemAt.Sub(pickup) / 2).Truncate(time.Minute)
	events := []c.ShipmentEvent{
		w.ev(pickup, "AF", "NS", "picked up", o.ShipFrom),
		w.ev(mid, "X6", "NS", "en route", w.conv.enRoute[r.IntN(len(w.conv.enRoute))]),
		w.ev(problemAt, p.code, p.reason, p.desc, loc),
	}
	return w.shipment(o, p.status, promised, eta, events...)
}

// delayInTransit: the goods are moving; the only thing to do is tell the
// customer (auto). The problems rotate through the catalogue above.
func delayInTransit(w *world, v int) built {
	cu := w.customer("")
	o := w.order(cu, w.lines(1+w.g.r.IntN(3))...)
	p := transitProblems[v%len(transitProblems)]
	sh := w.transitShipment(o, p)
	return built{
		title:   p.title,
		trigger: w.trigger(o, delayTriggers...),
		expected: expect(clsDelay, acts(c.ActNotifyCustomer, c.ActRescheduleOrder), noCancel,
			auto(c.ActNotifyCustomer), o.ID, sh.ID),
	}
}
