package main

import (
	c "github.com/exdesk/exdesk/connectors"
)

// Credit scenarios. The policy row (DESIGN.md): release_hold(CREDIT) is
// blocked on credit stop or max days past due > 90; auto when total ≤ 2,500,
// no past due and open AR + total ≤ limit; else finance_supervisor when open
// AR + total ≤ 1.25 × limit, else finance_director. Each builder fixes the
// limit and open AR so the exposure lands in its band.

var creditLimits = []int64{25000, 40000, 50000, 75000, 100000, 150000, 200000, 250000}

// limitFor picks a round credit limit (cents) comfortably above an order total.
func (w *world) limitFor(total int64) int64 {
	var ok []int64
	for _, l := range creditLimits {
		if l*100 >= total*3 {
			ok = append(ok, l*100)
		}
	}
	if len(ok) == 0 {
		return (total*3/100/5000 + 1) * 5000 * 100
	}
	if len(ok) > 4 {
		ok = ok[:4]
	}
	return ok[w.g.r.IntN(len(ok))]
}

// setCredit fixes the customer's limit and open AR so that open AR + the
// order's total equals exposure (all cents).
func (w *world) setCredit(cu *c.Customer, o *c.Order, limit, exposure int64) {
	ar := exposure - c.OrderTotal(*o)
	if ar < 0 {
		panic("setCredit: negative open AR for " + o.ID)
	}
	cu.CreditLimit, cu.OpenAR = f(limit), f(ar)
	w.fitCredit[cu.ID] = false
}

// exposureIn returns an exposure (cents) of limit × a random ratio in [lo, hi]‰.
func (w *world) exposureIn(limit int64, lo, hi int) int64 {
	return limit * int64(lo+w.g.r.IntN(hi-lo+1)) / 1000
}

// smallOrder is an order whose total is at most 2,500.00.
func (w *world) smallOrder(cu *c.Customer) *c.Order {
	ls := w.lines(1 + w.g.r.IntN(2))
	for i := range ls {
		ls[i].qty = []int{1, 2, 3, 4, 5, 6, 8, 10, 12}[w.g.r.IntN(9)]
	}
	o := w.order(cu, ls...)
	for c.OrderTotal(*o) > 250000 {
		for i := range o.Lines {
			o.Lines[i].Qty = max(1, o.Lines[i].Qty/2)
		}
	}
	return o
}

// bigOrder is an order whose total is above 2,500.00.
func (w *world) bigOrder(cu *c.Customer) *c.Order {
	o := w.order(cu, w.lines(1+w.g.r.IntN(3))...)
	for c.OrderTotal(*o) <= 250000 {
		for i := range o.Lines {
			o.Lines[i].Qty *= 2
		}
	}
	return o
}

var creditQuestionOrHold = []string{"hold_placed", "hold_placed", "question"}

func creditExpect(o *c.Order, d Decision) Expected {
	acc := acts(c.ActReleaseHold, c.ActRequestCreditReview, c.ActRequestPrepayment)
	if d.Outcome == "auto" {
		acc = acts(c.ActReleaseHold)
	}
	return expect(clsCredit, acc, noCancel, d, o.ID)
}

// creditStale: a credit hold on a small order well within the limit (the
// check failed at entry on an invoice since paid): auto release.
// Variant 0: total exactly 2,500.00. Variant 1: open AR + total exactly the limit.
func creditStale(w *world, v int) built {
	cu := w.customer("")
	var o *c.Order
	if v == 0 {
		it := w.itemPriced(31250)
		o = w.order(cu, ln{it: it, qty: 8}) // 8 × 312.50 = 2,500.00
	} else {
		o = w.smallOrder(cu)
	}
	limit := w.limitFor(c.OrderTotal(*o) * 10)
	exposure := w.exposureIn(limit, 300, 900)
	if v == 1 {
		exposure = limit
	}
	w.setCredit(cu, o, limit, exposure)
	w.holdNow(o, c.HoldCredit, w.pick([]string{"credit check failed", "credit check failed at order entry", "auto credit check: invoice pending"}))
	return built{
		title:    "Stale credit hold on a small order within limit",
		trigger:  w.trigger(o, creditQuestionOrHold...),
		expected: creditExpect(o, auto(c.ActReleaseHold)),
	}
}

// creditOverAutoTotal: within limit, no past due, but the order is over the
// 2,500 auto-release ceiling: finance supervisor. Variant 0: 2,500.01.
func creditOverAutoTotal(w *world, v int) built {
	cu := w.customer("")
	var o *c.Order
	if v == 0 {
		a, b := w.itemPriced(24000), w.itemPriced(10001)
		o = w.order(cu, ln{it: a, qty: 10}, ln{it: b, qty: 1}) // 2,400.00 + 100.01
	} else {
		o = w.bigOrder(cu)
	}
	limit := w.limitFor(c.OrderTotal(*o))
	w.setCredit(cu, o, limit, w.exposureIn(limit, 550, 980))
	w.holdNow(o, c.HoldCredit, w.pick([]string{"order above auto-release amount", "credit check failed", "manual credit review"}))
	return built{
		title:    "Credit hold on an order above the auto-release amount, customer within limit",
		trigger:  w.trigger(o, creditQuestionOrHold...),
		expected: creditExpect(o, approval(c.ActReleaseHold, roleFinSup)),
	}
}

// creditSupervisor: open AR + total over the limit but within 1.25 × limit.
// Variant 0: exactly 1.25 × limit. Variant 1: limit + 0.01 on a small order.
func creditSupervisor(w *world, v int) built {
	cu := w.customer("")
	var o *c.Order
	if v == 1 {
		o = w.smallOrder(cu)
	} else {
		o = w.bigOrder(cu)
	}
	limit := w.limitFor(c.OrderTotal(*o))
	exposure := w.exposureIn(limit, 1010, 1240)
	switch v {
	case 0:
		exposure = limit * 125 / 100
	case 1:
		exposure = limit + 1
	}
	w.setCredit(cu, o, limit, exposure)
	w.holdNow(o, c.HoldCredit, w.pick([]string{"credit limit exceeded", "order exceeds available credit"}))
	return built{
		title:    "Credit hold slightly over limit",
		trigger:  w.trigger(o, creditQuestionOrHold...),
		expected: creditExpect(o, approval(c.ActReleaseHold, roleFinSup)),
	}
}

// creditPastDue: a past-due balance up to 90 days (not blocked, never auto),
// exposure within 1.25 × limit. Variant 0: exactly 90 days.
func creditPastDue(w *world, v int) built {
	cu := w.customer("")
	var o *c.Order
	if v%2 == 1 {
		o = w.smallOrder(cu) // small and within limit: only the past due stops auto
	} else {
		o = w.bigOrder(cu)
	}
	limit := w.limitFor(c.OrderTotal(*o))
	exposure := w.exposureIn(limit, 500, 950)
	if v == 2 {
		exposure = w.exposureIn(limit, 1010, 1200)
	}
	w.setCredit(cu, o, limit, exposure)
	days := 31 + w.g.r.IntN(55)
	if v == 0 {
		days = 90
	}
	cu.MaxDaysPastDue = days
	cu.PastDueAmount = f(c.Cents(cu.OpenAR) * int64(5+w.g.r.IntN(25)) / 100)
	w.holdNow(o, c.HoldCredit, "past-due balance on account")
	return built{
		title:    "Credit hold for a past-due balance under 90 days",
		trigger:  w.trigger(o, creditQuestionOrHold...),
		expected: creditExpect(o, approval(c.ActReleaseHold, roleFinSup)),
	}
}

// creditDirector: open AR + total above 1.25 × limit. Variant 0: 1.25 × limit + 0.01.
func creditDirector(w *world, v int) built {
	cu := w.customer(w.pick([]string{c.TierStrategic, c.TierKey, c.TierStandard}))
	o := w.bigOrder(cu)
	limit := w.limitFor(c.OrderTotal(*o))
	exposure := w.exposureIn(limit, 1270, 1600)
	if v == 0 {
		exposure = limit*125/100 + 1
	}
	w.setCredit(cu, o, limit, exposure)
	w.holdNow(o, c.HoldCredit, w.pick([]string{"credit limit exceeded", "credit check failed"}))
	return built{
		title:    "Credit hold far over limit",
		trigger:  w.trigger(o, creditQuestionOrHold...),
		expected: creditExpect(o, approval(c.ActReleaseHold, roleFinDir)),
	}
}

func creditBlockedExpect(o *c.Order) Expected {
	return expect(clsCredit,
		acts(c.ActRequestPrepayment, c.ActRequestCreditReview, c.ActEscalate, c.ActNotifyCustomer),
		noCancel, blocked(c.ActReleaseHold), o.ID)
}

// creditStop: the customer is on credit stop; release is blocked whatever
// the amounts (variant 0 is a small order within limit).
func creditStop(w *world, v int) built {
	cu := w.customer("")
	var o *c.Order
	if v == 0 {
		o = w.smallOrder(cu)
	} else {
		o = w.bigOrder(cu)
	}
	limit := w.limitFor(c.OrderTotal(*o))
	w.setCredit(cu, o, limit, w.exposureIn(limit, 400, 1300))
	cu.CreditStop = true
	w.holdNow(o, c.HoldCredit, "account on credit stop")
	return built{
		title:    "Credit hold on a customer on credit stop",
		trigger:  w.trigger(o, creditQuestionOrHold...),
		expected: creditBlockedExpect(o),
	}
}

// creditLongPastDue: more than 90 days past due blocks release. Variant 0: 91 days.
func creditLongPastDue(w *world, v int) built {
	cu := w.customer("")
	var o *c.Order
	if v == 1 {
		o = w.smallOrder(cu)
	} else {
		o = w.bigOrder(cu)
	}
	limit := w.limitFor(c.OrderTotal(*o))
	w.setCredit(cu, o, limit, w.exposureIn(limit, 400, 1100))
	cu.MaxDaysPastDue = 91 + w.g.r.IntN(60)
	if v == 0 {
		cu.MaxDaysPastDue = 91
	}
	cu.PastDueAmount = f(c.Cents(cu.OpenAR) * int64(10+w.g.r.IntN(40)) / 100)
	w.holdNow(o, c.HoldCredit, "past-due balance on account")
	return built{
		title:    "Credit hold on a customer more than 90 days past due",
		trigger:  w.trigger(o, creditQuestionOrHold...),
		expected: creditBlockedExpect(o),
	}
}

// creditOverLimitNoHold: no hold yet, but the new order takes the customer
// over its limit: a credit review task (always auto).
func creditOverLimitNoHold(w *world, v int) built {
	cu := w.customer("")
	o := w.bigOrder(cu)
	limit := w.limitFor(c.OrderTotal(*o))
	w.setCredit(cu, o, limit, w.exposureIn(limit, 1020, 1400))
	return built{
		title:   "New order takes the customer over its credit limit, no hold placed",
		trigger: w.trigger(o, "order_created", "question"),
		expected: expect(clsCredit, acts(c.ActRequestCreditReview, c.ActRequestPrepayment),
			noCancel, auto(c.ActRequestCreditReview), o.ID),
	}
}

// creditPastDueNoHold: no hold, within limit, but a past-due balance: ask
// for prepayment (always auto).
func creditPastDueNoHold(w *world, v int) built {
	cu := w.customer("")
	o := w.order(cu, w.lines(1+w.g.r.IntN(2))...)
	limit := w.limitFor(c.OrderTotal(*o))
	w.setCredit(cu, o, limit, w.exposureIn(limit, 400, 900))
	cu.MaxDaysPastDue = 20 + w.g.r.IntN(60)
	cu.PastDueAmount = f(c.Cents(cu.OpenAR) * int64(10+w.g.r.IntN(30)) / 100)
	return built{
		title:   "New order from a customer with a past-due balance, no hold placed",
		trigger: w.trigger(o, "order_created", "question"),
		expected: expect(clsCredit, acts(c.ActRequestCreditReview, c.ActRequestPrepayment),
			noCancel, auto(c.ActRequestPrepayment), o.ID),
	}
}
