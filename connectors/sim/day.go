package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// Classes returns the eight exception classes in taxonomy order (the
// order of classRates).
func Classes() []string {
	return []string{connectors.ClassCreditHold, connectors.ClassInventoryShortage, connectors.ClassPricingMismatch, connectors.ClassShipmentDelay,
		connectors.ClassDuplicateOrder, connectors.ClassMasterDataError, connectors.ClassComplianceHold, connectors.ClassCarrierConflict}
}

// classRates is the share of orders that carry each class as their primary
// class; dualRate is the share that carry a second class as well.
func classRates() []float64 { return []float64{0.09, 0.10, 0.08, 0.09, 0.06, 0.07, 0.06, 0.07} }

const dualRate = 0.02

type orderRec struct {
	o        connectors.Order
	cust     *custInfo
	classes  []string
	scenario string
	clean    bool // no class: may be the original of a duplicate
	used     bool // already has a duplicate
}

// pending is an event before it gets its final time, id and payload bytes.
type pending struct {
	at      time.Time
	seq     int
	typ     string
	source  string
	order   string
	payload any
	stamp   func(time.Time) // writes the final event time into the payload
}

type dayGen struct {
	r        *rand.Rand
	w        *world
	orders   []*orderRec
	byID     map[string]*orderRec
	lineKeys map[string][]*orderRec // customer|lines -> orders
	pend     []pending
	seq      int
	shipSeq  int
	poSeq    int
	poBase   int
}

// stockOf returns the generator's view of a sku at a site.
func (g *dayGen) stockOf(sku, site string) *connectors.Stock {
	return &g.w.stock[g.w.stockIdx[key(sku, site)]]
}

func (g *dayGen) nextPO() string {
	g.poSeq++
	return fmt.Sprintf("PO-%06d", 100000+(g.poBase+g.poSeq*7919)%900000)
}

// draft is an order being built, with its events.
type draft struct {
	o           connectors.Order
	c           *custInfo
	classes     []string
	scenario    []string
	events      []pending
	stock       []InventoryChanged // changes to the generator's stock on acceptance
	checkCredit bool
}

func (d *draft) add(g *dayGen, at time.Time, typ, source string, payload any, stamp func(time.Time)) {
	g.seq++
	d.events = append(d.events, pending{at: at, seq: g.seq, typ: typ, source: source, order: d.o.ID, payload: payload, stamp: stamp})
}

func (g *dayGen) run(n int, day connectors.Date) {
	// Creation times through the business day, most in office hours.
	times := make([]time.Time, n)
	base := day.Time()
	for i := range times {
		var sec int
		if g.r.IntN(100) < 72 {
			sec = intBetween(g.r, 7*3600, 17*3600)
		} else {
			sec = intBetween(g.r, 5*3600, 20*3600)
		}
		times[i] = base.Add(time.Duration(sec) * time.Second)
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })

	// Class quotas, shuffled over the orders.
	slots := make([]string, n)
	k := 0
	for ci, rate := range classRates() {
		for j := 0; j < int(math.Round(rate*float64(n))) && k < n; j++ {
			slots[k] = Classes()[ci]
			k++
		}
	}
	g.r.Shuffle(n, func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
	duals := map[int]bool{}
	candidates := []int{}
	for i, s := range slots {
		switch s {
		case connectors.ClassCreditHold, connectors.ClassInventoryShortage, connectors.ClassShipmentDelay, connectors.ClassComplianceHold, connectors.ClassCarrierConflict:
			candidates = append(candidates, i)
		}
	}
	g.r.Shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
	for _, i := range candidates[:min(len(candidates), int(math.Round(dualRate*float64(n))))] {
		duals[i] = true
	}

	for i := 0; i < n; i++ {
		id := fmt.Sprintf("SO-%d", 100001+i)
		primary := slots[i]
		second := ""
		if duals[i] {
			second = []string{connectors.ClassPricingMismatch, connectors.ClassPricingMismatch, connectors.ClassMasterDataError}[g.r.IntN(3)]
		}
		var d *draft
		if primary == connectors.ClassDuplicateOrder {
			d = g.duplicate(id, times[i])
			if d == nil { // nothing to duplicate yet: a clean order takes the slot
				primary = ""
			}
		}
		for tries := 0; d == nil; tries++ {
			if tries == 40 { // give up on the class rather than loop
				primary, second = "", ""
			}
			d = g.order(id, times[i], primary, second)
			if d != nil && !g.accept(d) {
				d = nil
			}
		}
		g.commit(d)
	}
}

// accept checks what construction cannot guarantee on its own: orders that
// are not credit holds fit their customer's credit, and no order repeats
// another's lines by chance.
func (g *dayGen) accept(d *draft) bool {
	if d.checkCredit && connectors.Cents(d.c.OpenAR)+connectors.OrderTotal(d.o) > connectors.Cents(d.c.CreditLimit) {
		return false
	}
	return len(g.lineKeys[key(d.c.ID, lineKey(d.o.Lines))]) == 0
}

func lineKey(lines []connectors.Line) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = fmt.Sprintf("%s:%d:%s:%d", l.SKU, l.Qty, l.UOM, connectors.Cents(l.UnitPrice))
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

func (g *dayGen) commit(d *draft) {
	rec := &orderRec{o: d.o, cust: d.c, classes: d.classes, scenario: strings.Join(d.scenario, "+"), clean: len(d.classes) == 0}
	g.orders = append(g.orders, rec)
	g.byID[d.o.ID] = rec
	k := key(d.c.ID, lineKey(d.o.Lines))
	g.lineKeys[k] = append(g.lineKeys[k], rec)
	g.pend = append(g.pend, d.events...)
	for _, ch := range d.stock {
		changeStock(g.stockOf(ch.SKU, ch.Site), ch)
	}
}

func (g *dayGen) goodCustomer() *custInfo {
	return g.w.customers[pick(g.r, g.w.custByCredit[creditGood])]
}

// lines builds plain lines for a customer: items it buys, plentiful at
// every site, priced at the active contract price or the list price.
type lineOpts struct {
	maxLines   int
	smallTotal bool // total at most 2,500
	noHazmat   bool
}

func (g *dayGen) lines(c *custInfo, o lineOpts) []connectors.Line {
	pool := g.w.custItems(c)
	n := []int{1, 2, 3, 4, 5}[weighted(g.r, []int{30, 30, 22, 12, 6})]
	if o.maxLines > 0 {
		n = min(n, o.maxLines)
	}
	if o.smallTotal {
		n = min(n, 2)
	}
	var out []connectors.Line
	add := func(it *itemInfo) {
		for _, l := range out {
			if l.SKU == it.SKU {
				return
			}
		}
		price, _ := g.w.price(c, it)
		target := math.Exp(math.Log(1100) + 0.9*g.r.NormFloat64())
		if o.smallTotal {
			target = between(g.r, 80, 1200)
		}
		qty := max(1, min(maxCleanQty, int(math.Round(target/price))))
		if o.smallTotal {
			qty = max(1, min(qty, int(1200/price)))
		}
		out = append(out, connectors.Line{Line: len(out) + 1, SKU: it.SKU, Qty: qty, UOM: it.UOM, UnitPrice: price})
	}
	for tries := 0; len(out) < n && tries < 4*n; tries++ {
		it := g.w.items[pick(g.r, pool)]
		if o.noHazmat && it.Hazmat {
			continue
		}
		add(it)
	}
	// Customers holding a valid licence sometimes buy regulated items.
	if c.docState == docValid && !o.smallTotal && g.r.IntN(100) < 20 && len(g.w.regulated[c.doc]) > 0 {
		it := g.w.items[pick(g.r, g.w.regulated[c.doc])]
		if !(o.noHazmat && it.Hazmat) {
			add(it)
		}
	}
	return out
}

// addLine appends a line of the item, or returns the existing line's index.
func (g *dayGen) addLine(d *draft, it *itemInfo, qty int) int {
	for i, l := range d.o.Lines {
		if l.SKU == it.SKU {
			d.o.Lines[i].Qty = qty
			return i
		}
	}
	price, _ := g.w.price(d.c, it)
	d.o.Lines = append(d.o.Lines, connectors.Line{Line: len(d.o.Lines) + 1, SKU: it.SKU, Qty: qty, UOM: it.UOM, UnitPrice: price})
	return len(d.o.Lines) - 1
}

func hasHazmat(w *world, lines []connectors.Line) bool {
	for _, l := range lines {
		if w.bySKU[l.SKU].Hazmat {
			return true
		}
	}
	return false
}

// cleanCarrier picks a carrier with capacity on the region and, for hazmat
// goods, hazmat certification.
func (g *dayGen) cleanCarrier(region string, hazmat bool) string {
	codes := []string{"RDL", "SWX", "FXF", "HZT"}
	wts := []int{35, 25, 25, 15}
	for {
		c := g.w.carrier(codes[weighted(g.r, wts)])
		if c.HasCapacity(region) && (!hazmat || c.HazmatCertified) {
			return c.Code
		}
	}
}

func (g *dayGen) service() string {
	if g.r.IntN(100) < 15 {
		return "LTL-EXP"
	}
	return "LTL-STD"
}

func (g *dayGen) shipDate() connectors.Date {
	return g.w.day.AddDays([]int{0, 1, 2, 3, 4, 5}[weighted(g.r, []int{15, 35, 25, 13, 7, 5})])
}

func channel(r *rand.Rand) string {
	return []string{"edi", "portal", "email", "phone"}[weighted(r, []int{40, 30, 18, 12})]
}

func sourceOf(o connectors.Order) string {
	if o.Channel == "edi" {
		return "edi"
	}
	return "erp"
}

// order builds one order of the given classes (none for a clean order).
func (g *dayGen) order(id string, t time.Time, primary, second string) *draft {
	r := g.r
	d := &draft{checkCredit: primary != connectors.ClassCreditHold}
	if primary != "" {
		d.classes = append(d.classes, primary)
	}
	lo := lineOpts{}
	// 1. The customer, and the lines the class needs.
	var forced func()
	hazConflict := false
	var holds []connectors.Hold
	hold := func(code, reason string) { holds = append(holds, connectors.Hold{Code: code, Reason: reason}) }
	switch primary {
	case connectors.ClassCreditHold:
		if r.IntN(100) < 25 {
			d.c = g.goodCustomer()
			lo.smallTotal = true
			d.checkCredit = true
			d.scenario = append(d.scenario, "credit:stale_hold")
			hold(connectors.HoldCredit, "credit check failed")
		} else {
			d.c = g.w.customers[pick(r, g.w.custByCredit["risk"])]
			d.scenario = append(d.scenario, "credit:"+d.c.credit)
			if d.c.credit == creditNear || r.IntN(100) < 85 {
				hold(connectors.HoldCredit, "credit check failed")
			}
		}
	case connectors.ClassComplianceHold:
		state := []string{docMissing, docExpired, docValid}[weighted(r, []int{35, 35, 30})]
		var cands []*custInfo
		for _, i := range g.w.custByCredit[creditGood] {
			c := g.w.customers[i]
			if c.docState == state && (c.doc != "" || state == docMissing) {
				cands = append(cands, c)
			}
		}
		d.c = pick(r, cands)
		doc := d.c.doc
		if doc == "" {
			doc = docDEA
			if r.IntN(2) == 0 {
				doc = docEPA
			}
		}
		d.scenario = append(d.scenario, "compliance:"+state+"_"+doc)
		if state == docValid || r.IntN(100) < 85 {
			hold(connectors.HoldCompliance, "regulated item review")
		}
		forced = func() {
			it := g.w.items[pick(r, g.w.regulated[doc])]
			g.addLine(d, it, intBetween(r, 2, 60))
		}
	default:
		d.c = g.goodCustomer()
	}
	if primary == connectors.ClassCarrierConflict {
		if r.IntN(100) < 55 {
			hazConflict = true
			d.scenario = append(d.scenario, "carrier:hazmat_not_certified")
			forced = func() {
				pool := []int{}
				for _, cat := range segmentCats(d.c.seg) {
					pool = append(pool, g.w.hazClean[cat]...)
				}
				if len(pool) == 0 {
					pool = g.w.hazClean[catMRO]
				}
				g.addLine(d, g.w.items[pick(r, pool)], intBetween(r, 2, 80))
			}
		} else {
			d.scenario = append(d.scenario, "carrier:no_capacity")
			lo.noHazmat = true
		}
	}
	d.o = connectors.Order{ID: id, CustomerID: d.c.ID, PONumber: g.nextPO(), Channel: channel(r), CreatedAt: t,
		RequestedShipDate: g.shipDate(), Status: connectors.StatusOpen, Holds: []connectors.Hold{},
		ShipFrom: d.c.home, ShipTo: d.c.addr}
	if r.IntN(100) < 6 { // now and then a far site ships
		d.o.ShipFrom = pick(r, g.w.sites).ID
	}
	d.o.Lines = g.lines(d.c, lo)
	if forced != nil {
		forced()
	}

	// 2. Class-specific changes to the lines.
	var priceChange *OrderChanged
	shortSKU := ""
	switch primary {
	case connectors.ClassInventoryShortage:
		var it *itemInfo
		if pool := g.w.tightAt[d.o.ShipFrom]; len(pool) > 0 && r.IntN(100) < 60 {
			it = g.w.items[pick(r, pool)]
			d.scenario = append(d.scenario, "shortage:other_site_covers")
		} else {
			it = g.w.items[pick(r, g.w.tightAll)]
			d.scenario = append(d.scenario, "shortage:short_everywhere")
		}
		st := g.stockOf(it.SKU, d.o.ShipFrom)
		avail := st.AvailableBy(d.o.RequestedShipDate)
		g.addLine(d, it, intBetween(r, max(avail+1, 40), maxCleanQty))
		shortSKU = it.SKU
		if r.IntN(100) < 25 {
			hold(connectors.HoldStock, "insufficient stock to allocate")
		}
	case connectors.ClassMasterDataError:
		g.masterData(d, "", &holds)
	}
	if primary == connectors.ClassPricingMismatch || second == connectors.ClassPricingMismatch {
		priceChange = g.pricing(d, shortSKU)
		if priceChange == nil {
			return nil // no contract to break: try another customer
		}
		if primary != connectors.ClassPricingMismatch {
			d.classes = append(d.classes, connectors.ClassPricingMismatch)
		}
		if g.r.IntN(100) < 60 {
			hold(connectors.HoldPrice, "price differs from contract")
		}
	}
	if second == connectors.ClassMasterDataError {
		g.masterData(d, "dual", &holds)
	}

	// 3. Carrier and service.
	haz := hasHazmat(g.w, d.o.Lines)
	d.o.ServiceLevel = g.service()
	switch {
	case hazConflict:
		var cands []string
		for _, c := range g.w.carriers {
			if !c.HazmatCertified && c.HasCapacity(d.c.region) {
				cands = append(cands, c.Code)
			}
		}
		d.o.Carrier = pick(r, cands)
	case primary == connectors.ClassCarrierConflict:
		var cands []string
		for _, c := range g.w.carriers {
			if !c.HasCapacity(d.c.region) && (!haz || c.HazmatCertified) {
				cands = append(cands, c.Code)
			}
		}
		if len(cands) == 0 {
			return nil
		}
		d.o.Carrier = pick(r, cands)
	default:
		d.o.Carrier = g.cleanCarrier(d.c.region, haz)
	}
	delay := ""
	tender := false
	switch {
	case primary == connectors.ClassShipmentDelay:
		delay = []string{"missed_pickup", "weather_in_transit", "carrier_exception"}[weighted(r, []int{45, 35, 20})]
		d.scenario = append([]string{"delay:" + delay}, d.scenario...)
		d.o.RequestedShipDate = g.w.day
		if delay == "missed_pickup" {
			d.o.RequestedShipDate = g.w.day.AddDays(r.IntN(2))
		}
		d.o.Status = connectors.StatusReleased
	case len(d.classes) == 0 && r.IntN(100) < 12:
		tender = true
		d.o.Status = connectors.StatusReleased
	}
	g.notes(d)

	// 4. Events.
	created := d.o
	if priceChange != nil && priceChange.Reason != "" {
		// The order came in right; a rep changed the price later.
		created.Lines = slices.Clone(d.o.Lines)
		for _, ch := range priceChange.Lines {
			created.Lines[ch.Line-1].UnitPrice = ch.PreviousPrice
		}
	}
	oc := &OrderCreated{Order: created}
	d.add(g, t, connectors.EventOrderCreated, sourceOf(d.o), oc, func(at time.Time) { oc.Order.CreatedAt = at })
	cursor := t
	after := func(lo, hi int) time.Time {
		cursor = cursor.Add(time.Duration(intBetween(r, lo, hi)) * time.Minute)
		return cursor
	}
	if priceChange != nil && priceChange.Reason != "" {
		pc := priceChange
		d.add(g, after(10, 90), connectors.EventOrderChanged, "erp", pc, nil)
	}
	for _, h := range holds {
		hp := &HoldPlaced{Hold: h}
		d.add(g, after(1, 45), connectors.EventHoldPlaced, "erp", hp, func(at time.Time) { hp.Hold.PlacedAt = at })
		d.o.Holds = append(d.o.Holds, h)
	}
	if len(holds) > 0 {
		d.o.Status = connectors.StatusOnHold
	}
	g.shipment(d, delay, tender, t)
	if primary == connectors.ClassInventoryShortage && r.IntN(100) < 35 {
		g.stockEvent(d, shortSKU, after(10, 150))
	}
	if len(d.classes) == 0 && r.IntN(100) < 5 {
		g.receipt(d, after(20, 200))
	}
	if len(d.classes) == 0 && r.IntN(100) < 4 {
		note := pick(r, plainNotes())
		ch := &OrderChanged{Reason: "notes updated by customer service", Notes: &note}
		d.add(g, after(15, 180), connectors.EventOrderChanged, "erp", ch, nil)
		d.o.Notes = note
	}
	return d
}

// notes gives some orders a note; a few try to instruct the system.
func (g *dayGen) notes(d *draft) {
	switch v := g.r.IntN(1000); {
	case v < 10:
		d.o.Notes = pick(g.r, instructionNotes())
	case v < 110:
		d.o.Notes = pick(g.r, plainNotes())
	}
}

// pricing breaks the price of a line that has an active contract (adding
// such a line when needed). It returns the change; a change with a Reason
// is applied by a later order_changed event.
func (g *dayGen) pricing(d *draft, avoid string) *OrderChanged {
	r := g.r
	idx := -1
	for i, l := range d.o.Lines {
		if _, ok := g.w.active[key(d.c.ID, l.SKU)]; ok && avoid != l.SKU {
			idx = i
			break
		}
	}
	if idx < 0 {
		skus := g.w.activeFor[d.c.ID]
		if len(skus) == 0 {
			return nil
		}
		it := g.w.bySKU[pick(r, skus)]
		idx = g.addLine(d, it, max(1, min(maxCleanQty, int(math.Round(between(r, 300, 4000)/it.ListPrice)))))
	}
	l := &d.o.Lines[idx]
	it := g.w.bySKU[l.SKU]
	contract := g.w.active[key(d.c.ID, l.SKU)]
	var price float64
	var kind string
	switch v := r.IntN(100); {
	case v < 40: // small: delta x qty at most 500
		kind = "small_delta"
		if r.IntN(10) == 0 {
			l.Qty = pick(r, []int{20, 50, 100, 125, 250})
			price = contract - 500/float64(l.Qty) // exactly 500.00 in total
		} else {
			maxDelta := math.Max(0.01, math.Floor(50000/float64(l.Qty))/100)
			delta := math.Max(0.01, round2(between(r, 0.01, maxDelta)))
			if r.IntN(2) == 0 {
				delta = -delta
			}
			price = contract + delta
		}
	case v < 80:
		kind = "large_delta"
		if it.ListPrice != contract && math.Abs(it.ListPrice-contract)*float64(l.Qty) > 500 && r.IntN(100) < 40 {
			price = it.ListPrice // the contract was not applied
		} else {
			delta := round2(contract * between(r, 0.05, 0.25))
			if delta*float64(l.Qty) <= 500 {
				delta = round2(500/float64(l.Qty) + between(r, 0.5, 8))
			}
			price = contract - delta
			if r.IntN(3) == 0 {
				price = contract + delta
			}
		}
	default:
		kind = "below_cost"
		price = it.UnitCost * between(r, 0.7, 0.97)
	}
	price = round2(math.Max(price, 0.01))
	if connectors.Cents(price) == connectors.Cents(contract) {
		price = contract + 0.01
	}
	d.scenario = append(d.scenario, "pricing:"+kind)
	ch := &OrderChanged{Lines: []LineChange{{Line: l.Line, UnitPrice: price, PreviousPrice: l.UnitPrice}}}
	if r.IntN(100) < 40 {
		ch.Reason = "unit price overridden by sales rep"
	}
	l.UnitPrice = price
	return ch
}

// masterData injects a master-data error: a missing ship-to field, a line
// whose unit of measure is not the item's, or a hazmat item without a UN
// number. The order gets a DATA hold.
func (g *dayGen) masterData(d *draft, mode string, holds *[]connectors.Hold) {
	r := g.r
	if mode == "" || r.IntN(100) < 40 {
		v := r.IntN(100)
		switch {
		case mode == "" && v < 20:
			pool := g.w.badItems
			g.addLine(d, g.w.items[pick(r, pool)], intBetween(r, 2, 60))
			d.scenario = append(d.scenario, "master_data:hazmat_without_un")
		case v < 50:
			l := &d.o.Lines[r.IntN(len(d.o.Lines))]
			for _, u := range []string{"CS", "EA", "BX", "PK"}[r.IntN(4):] {
				if u != l.UOM {
					l.UOM = u
					break
				}
			}
			if l.UOM == g.w.bySKU[l.SKU].UOM {
				l.UOM = "DZ"
			}
			d.scenario = append(d.scenario, "master_data:uom_mismatch")
		default:
			g.blankField(d, mode != "")
		}
	} else {
		g.blankField(d, true)
	}
	if mode != "" {
		d.classes = append(d.classes, connectors.ClassMasterDataError)
	}
	*holds = append(*holds, connectors.Hold{Code: connectors.HoldData, Reason: "order failed validation"})
}

func (g *dayGen) blankField(d *draft, keepRegion bool) {
	fields := []string{"postal_code", "line1", "city", "country", "name", "region"}
	wts := []int{30, 22, 18, 14, 8, 8}
	if keepRegion {
		wts[5] = 0
	}
	f := fields[weighted(g.r, wts)]
	a := &d.o.ShipTo
	switch f {
	case "postal_code":
		a.PostalCode = ""
	case "line1":
		a.Line1 = ""
	case "city":
		a.City = ""
	case "country":
		a.Country = ""
	case "name":
		a.Name = ""
	case "region":
		a.Region = ""
	}
	d.scenario = append(d.scenario, "master_data:missing_"+f)
}

// shipment plans the order's shipment, tenders it when asked, and plays
// the delay story when there is one.
func (g *dayGen) shipment(d *draft, delay string, tender bool, t time.Time) {
	r := g.r
	g.shipSeq++
	c := g.w.carrier(d.o.Carrier)
	svc, _ := c.Service(d.o.ServiceLevel)
	promised := d.o.RequestedShipDate.Time().Add(17*time.Hour).AddDate(0, 0, svc.TransitDays)
	sh := connectors.Shipment{ID: fmt.Sprintf("SH-%d", 500000+g.shipSeq*7+r.IntN(7)), OrderID: d.o.ID,
		Carrier: d.o.Carrier, ServiceLevel: d.o.ServiceLevel, Status: connectors.ShipPlanned,
		PromisedDelivery: promised, ETA: promised, FreightCost: round2(svc.CostPerOrder * between(r, 0.9, 1.12)),
		Events: []connectors.ShipmentEvent{}}
	at := t.Add(time.Duration(intBetween(r, 3, 25)) * time.Minute)
	shc := sh
	d.add(g, at, connectors.EventShipmentStatus, "tms", &ShipmentStatus{ShipmentID: sh.ID, Status: sh.Status, Shipment: &shc}, nil)
	next := func(lo, hi int) time.Time {
		at = at.Add(time.Duration(intBetween(r, lo, hi)) * time.Minute)
		return at
	}
	update := func(when time.Time, status string, eta *time.Time, ev *connectors.ShipmentEvent) {
		p := &ShipmentStatus{ShipmentID: sh.ID, Status: status, ETA: eta, Event: ev}
		var stamp func(time.Time)
		if ev != nil {
			stamp = func(x time.Time) { p.Event.At = x }
		}
		d.add(g, when, connectors.EventShipmentStatus, "tms", p, stamp)
	}
	site := d.o.ShipFrom
	if tender {
		update(next(15, 90), connectors.ShipTendered, nil, nil)
	}
	late := func(lo, hi int) *time.Time {
		x := promised.AddDate(0, 0, intBetween(r, lo, hi)).Add(time.Duration(r.IntN(8)) * time.Hour)
		return &x
	}
	switch delay {
	case "missed_pickup":
		update(next(15, 60), connectors.ShipTendered, nil, nil)
		update(next(60, 180), connectors.ShipTendered, late(1, 3),
			&connectors.ShipmentEvent{Code: "SD", Reason: "AM", Description: "missed pickup, rescheduled", Location: site})
	case "weather_in_transit":
		update(next(20, 60), connectors.ShipInTransit, nil,
			&connectors.ShipmentEvent{Code: "AF", Reason: "NS", Description: "departed pickup location", Location: site})
		dest := regionCities(d.c.region)[0][0]
		update(next(60, 180), connectors.ShipInTransit, late(1, 2),
			&connectors.ShipmentEvent{Code: "SD", Reason: "AO", Description: "weather delay", Location: "near " + dest})
	case "carrier_exception":
		update(next(20, 60), connectors.ShipInTransit, nil,
			&connectors.ShipmentEvent{Code: "AF", Reason: "NS", Description: "departed pickup location", Location: site})
		update(next(60, 180), connectors.ShipException, late(0, 1),
			&connectors.ShipmentEvent{Code: "SD", Reason: "AJ", Description: "equipment failure, load transferred to another trailer", Location: site})
	}
}

// stockEvent makes a shortage worse: a cycle count finds less, or the
// supplier pushes the inbound receipt out.
func (g *dayGen) stockEvent(d *draft, sku string, at time.Time) {
	st := g.stockOf(sku, d.o.ShipFrom)
	var ch InventoryChanged
	switch {
	case len(st.Inbound) > 0:
		in := st.Inbound[0]
		ch = InventoryChanged{SKU: sku, Site: d.o.ShipFrom, Reason: "supplier moved inbound receipt", InboundRef: in.Ref, NewETA: in.ETA.AddDays(intBetween(g.r, 3, 10))}
	case st.OnHand-st.Allocated > 0:
		ch = InventoryChanged{SKU: sku, Site: d.o.ShipFrom, Reason: "cycle count adjustment", OnHandDelta: -intBetween(g.r, 1, st.OnHand-st.Allocated)}
	default:
		return
	}
	d.stock = append(d.stock, ch)
	d.add(g, at, connectors.EventInventoryChanged, "wms", &ch, nil)
}

// receipt posts an inbound receipt of one of a clean order's items.
func (g *dayGen) receipt(d *draft, at time.Time) {
	for _, l := range d.o.Lines {
		st := g.stockOf(l.SKU, d.o.ShipFrom)
		if g.w.bySKU[l.SKU].tight != tightNone || len(st.Inbound) == 0 {
			continue
		}
		ch := InventoryChanged{SKU: l.SKU, Site: d.o.ShipFrom, Reason: "inbound receipt posted", ReceivedRef: st.Inbound[0].Ref}
		d.stock = append(d.stock, ch)
		d.add(g, at, connectors.EventInventoryChanged, "wms", &ch, nil)
		return
	}
}

// duplicate copies an earlier clean order of the same day: an EDI resend
// with the same PO, or the same lines entered again under another PO.
func (g *dayGen) duplicate(id string, t time.Time) *draft {
	// The original is one of the 25 latest clean, unused orders of the
	// last 10 hours: the search stops at 25, or it would read the whole
	// day for every duplicate.
	const latest = 25
	var cands []*orderRec
	for i := len(g.orders) - 1; i >= 0 && len(cands) < latest; i-- {
		o := g.orders[i]
		if t.Sub(o.o.CreatedAt) > 10*time.Hour {
			break
		}
		if o.clean && !o.used && t.After(o.o.CreatedAt) {
			cands = append(cands, o)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	orig := cands[g.r.IntN(len(cands))]
	orig.used = true
	d := &draft{c: orig.cust, classes: []string{connectors.ClassDuplicateOrder}}
	d.o = orig.o
	d.o.ID, d.o.CreatedAt, d.o.Holds, d.o.Notes = id, t, []connectors.Hold{}, ""
	d.o.Lines = slices.Clone(orig.o.Lines)
	d.o.Status = connectors.StatusOpen
	var holds []connectors.Hold
	if g.r.IntN(2) == 0 {
		d.scenario = append(d.scenario, "duplicate:same_po")
		if d.o.Channel == "edi" {
			d.scenario[0] = "duplicate:edi_resend"
		}
		if g.r.IntN(100) < 40 {
			holds = append(holds, connectors.Hold{Code: connectors.HoldDuplicate, Reason: "possible duplicate PO " + d.o.PONumber})
		}
	} else {
		d.scenario = append(d.scenario, "duplicate:same_lines")
		d.o.PONumber = g.nextPO()
		d.o.Channel = pick(g.r, []string{"email", "phone", "portal"})
		if g.r.IntN(3) == 0 {
			d.o.Notes = "Re-sending, not sure the first one went through."
		}
	}
	oc := &OrderCreated{Order: d.o}
	d.add(g, t, connectors.EventOrderCreated, sourceOf(d.o), oc, func(at time.Time) { oc.Order.CreatedAt = at })
	cursor := t
	for _, h := range holds {
		hp := &HoldPlaced{Hold: h}
		cursor = cursor.Add(time.Duration(intBetween(g.r, 1, 15)) * time.Minute)
		d.add(g, cursor, connectors.EventHoldPlaced, "erp", hp, func(at time.Time) { hp.Hold.PlacedAt = at })
		d.o.Holds = append(d.o.Holds, h)
		d.o.Status = connectors.StatusOnHold
	}
	g.shipment(d, "", false, t)
	return d
}

// finish sorts the pending events, makes their times strictly increasing,
// and turns them into connectors.Events.
func (g *dayGen) finish(day connectors.Date) []connectors.Event {
	slices.SortStableFunc(g.pend, func(a, b pending) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.seq - b.seq
	})
	out := make([]connectors.Event, len(g.pend))
	var prev time.Time
	prefix := "EV-" + strings.ReplaceAll(day.String(), "-", "") + "-"
	for i := range g.pend {
		p := &g.pend[i]
		if !p.at.After(prev) && i > 0 {
			p.at = prev.Add(time.Second)
		}
		prev = p.at
		if p.stamp != nil {
			p.stamp(p.at)
		}
		if p.typ == connectors.EventOrderCreated {
			g.byID[p.order].o.CreatedAt = p.at
		}
		b, err := marshal(p.payload)
		if err != nil {
			panic(fmt.Sprintf("sim: encoding %s payload: %v", p.typ, err))
		}
		out[i] = connectors.Event{ID: prefix + strconv.Itoa(100000+i+1), Source: p.source, Type: p.typ, OrderID: p.order, At: p.at, Data: b}
	}
	return out
}
