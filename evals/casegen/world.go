package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	c "github.com/exdesk/exdesk/connectors"
)

// The three distribution centres and the five ship-to regions every case uses.
var (
	siteIDs = []string{"DC-CHI", "DC-ATL", "DC-DAL"}
	regions = []string{"US-MW", "US-SE", "US-SW", "US-NE", "US-W"}
)

// baseLanes is a rough distance matrix (transit days, freight cost) from each
// site to each region; every case jitters it.
var baseLanes = map[string]map[string][2]float64{
	"DC-CHI": {"US-MW": {1, 120}, "US-NE": {2, 180}, "US-SE": {2, 195}, "US-SW": {3, 230}, "US-W": {4, 290}},
	"DC-ATL": {"US-SE": {1, 115}, "US-NE": {2, 185}, "US-MW": {2, 175}, "US-SW": {3, 235}, "US-W": {5, 330}},
	"DC-DAL": {"US-SW": {1, 110}, "US-MW": {2, 190}, "US-SE": {2, 200}, "US-W": {3, 240}, "US-NE": {4, 300}},
}

var siteRegion = map[string]string{"DC-CHI": "US-MW", "DC-ATL": "US-SE", "DC-DAL": "US-SW"}

type carrierDef struct {
	code, name string
	hazmat     bool
	onTime     float64
}

var carrierDefs = []carrierDef{
	{"FXF", "Freight Express", true, 0.94},
	{"RDL", "Roadline LTL", false, 0.91},
	{"SWX", "Swift Parcel", false, 0.96},
	{"HZT", "HazTrans Logistics", true, 0.89},
}

// Carrier codes by hazmat certification.
var (
	certifiedCarriers   = []string{"FXF", "HZT"}
	uncertifiedCarriers = []string{"RDL", "SWX"}
	allCarriers         = []string{"FXF", "RDL", "SWX", "HZT"}
)

// world is one case's snapshot under construction. Builders add entities
// through its methods and tweak them through the returned pointers;
// snapshot() fills in what a realistic export always has (stock for every
// sku at every site, a credit limit that fits clean customers) and returns
// the connectors snapshot with no nil slices.
type world struct {
	g         *gen
	conv      *convention
	now       time.Time
	today     c.Date
	customers []*c.Customer
	items     []*c.Item
	orders    []*c.Order
	stock     []*c.Stock
	contracts []c.Contract
	shipments []*c.Shipment
	carriers  []*c.Carrier
	sites     []*c.Site

	fitCredit map[string]bool // customers whose limit is sized at the end to keep them clean
	usedNames map[string]bool
	usedSKUs  map[string]bool
	usedDesc  map[string]bool
	usedIDs   map[string]bool
}

func (g *gen) newWorld() *world { return g.newWorldIn(usConv) }

// newWorldIn starts a case's world written in a convention's data.
func (g *gen) newWorldIn(cv *convention) *world {
	r := g.r
	day := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(145))
	now := day.Add(time.Duration(7+r.IntN(12))*time.Hour + time.Duration(r.IntN(60))*time.Minute)
	w := &world{
		g: g, conv: cv, now: now, today: c.NewDate(now),
		fitCredit: map[string]bool{}, usedNames: map[string]bool{},
		usedSKUs: map[string]bool{}, usedDesc: map[string]bool{}, usedIDs: map[string]bool{},
	}
	for _, d := range cv.carriers {
		cr := &c.Carrier{Code: d.code, Name: d.name, HazmatCertified: d.hazmat, OnTimeRate: d.onTime, LanesWithoutCapacity: []string{}}
		for _, sd := range d.services {
			days := sd.days[0] + r.IntN(sd.days[1]-sd.days[0]+1)
			cr.Services = append(cr.Services, c.Service{ServiceLevel: sd.name, TransitDays: days, CostPerOrder: f(money(r, sd.costLo, sd.cost))})
		}
		w.carriers = append(w.carriers, cr)
	}
	for _, d := range carrierDefs {
		if cv.carriers != nil {
			break
		}
		std := 3 + r.IntN(3)
		stdCost := money(r, 150, 400)
		exp := 1 + r.IntN(2)
		expCost := stdCost + money(r, 150, 500)
		w.carriers = append(w.carriers, &c.Carrier{
			Code: d.code, Name: d.name, HazmatCertified: d.hazmat, OnTimeRate: d.onTime,
			Services: []c.Service{
				{ServiceLevel: "LTL-STD", TransitDays: std, CostPerOrder: f(stdCost)},
				{ServiceLevel: "LTL-EXP", TransitDays: exp, CostPerOrder: f(expCost)},
			},
			LanesWithoutCapacity: []string{},
		})
	}
	for _, id := range cv.sites {
		s := &c.Site{ID: id, Region: cv.siteRegion[id], PickBacklogHours: 2 + r.IntN(28)}
		for _, reg := range cv.regions {
			b := cv.lanes[id][reg]
			days := int(b[0])
			if r.IntN(4) == 0 {
				days++
			}
			cost := c.Cents(b[1]) + int64(r.IntN(3000)) - 1500
			s.Lanes = append(s.Lanes, c.Lane{Region: reg, TransitDays: days, FreightCost: f(cost)})
		}
		w.sites = append(w.sites, s)
	}
	return w
}

// money returns a random amount in cents between lo and hi currency units.
func money(r *rand.Rand, lo, hi float64) int64 {
	a, b := c.Cents(lo), c.Cents(hi)
	return a + r.Int64N(b-a+1)
}

// f converts cents to the float the snapshot carries.
func f(cents int64) float64 { return c.FromCents(cents) }

func (w *world) pick(xs []string) string { return xs[w.g.r.IntN(len(xs))] }

func (w *world) carrier(code string) *c.Carrier {
	for _, x := range w.carriers {
		if x.Code == code {
			return x
		}
	}
	panic("no carrier " + code)
}

func (w *world) site(id string) *c.Site {
	for _, s := range w.sites {
		if s.ID == id {
			return s
		}
	}
	panic("no site " + id)
}

// setLane sets a site's freight cost (cents) to a region.
func (w *world) setLane(site, region string, cents int64) {
	s := w.site(site)
	for i := range s.Lanes {
		if s.Lanes[i].Region == region {
			s.Lanes[i].FreightCost = f(cents)
		}
	}
}

func (w *world) laneCost(site, region string) int64 {
	l, _ := w.site(site).Lane(region)
	return c.Cents(l.FreightCost)
}

func serviceCost(cr *c.Carrier, level string) int64 {
	s, _ := cr.Service(level)
	return c.Cents(s.CostPerOrder)
}

func setService(cr *c.Carrier, level string, days int, cents int64) {
	for i := range cr.Services {
		if cr.Services[i].ServiceLevel == level {
			cr.Services[i].TransitDays = days
			cr.Services[i].CostPerOrder = f(cents)
		}
	}
}

// customer adds a clean customer: no past due, no credit stop, and a limit
// sized at the end so that open AR + any of its orders stays within it.
func (w *world) customer(tier string) *c.Customer {
	r := w.g.r
	name := w.uniqueName()
	cu := &c.Customer{
		ID: w.customerID(), Name: name, Tier: tier,
		OpenAR:                f(money(r, 2000, 60000)),
		PaymentTerms:          w.pick([]string{"NET30", "NET30", "NET45", "NET60"}),
		AllowsSubstitution:    r.IntN(6) != 0,
		AllowsPartialShipment: r.IntN(6) != 0,
		Documents:             []c.Document{},
	}
	if tier == "" {
		cu.Tier = w.pick([]string{c.TierStrategic, c.TierKey, c.TierKey, c.TierStandard, c.TierStandard})
	}
	w.customers = append(w.customers, cu)
	w.fitCredit[cu.ID] = true
	return cu
}

func (w *world) uniqueName() string {
	for {
		n := w.pick(customerNames)
		if !w.usedNames[n] {
			w.usedNames[n] = true
			return n
		}
	}
}

// unique draws ids until one is new in the world.
func (w *world) unique(draw func(g *gen) string) string {
	for {
		if id := draw(w.g); !w.usedIDs[id] {
			w.usedIDs[id] = true
			return id
		}
	}
}

func (w *world) orderID() string {
	if w.conv.orderID == nil {
		return w.g.orderID()
	}
	return w.unique(w.conv.orderID)
}

func (w *world) customerID() string {
	if w.conv.customerID == nil {
		return w.g.customerID()
	}
	return w.unique(w.conv.customerID)
}

func (w *world) poNumber() string {
	if w.conv.poNumber == nil {
		return w.g.poNumber()
	}
	return w.unique(w.conv.poNumber)
}

func (w *world) shipmentID() string {
	if w.conv.shipmentID == nil {
		return w.g.shipmentID()
	}
	return w.unique(w.conv.shipmentID)
}

func (w *world) sku() string {
	for {
		var s string
		if w.conv.sku != nil {
			s = w.conv.sku(w.g.r)
		} else {
			s = fmt.Sprintf("SKU-%04d", 1000+w.g.r.IntN(9000))
		}
		if !w.usedSKUs[s] {
			w.usedSKUs[s] = true
			return s
		}
	}
}

func (w *world) desc(pool []itemDef) itemDef {
	for {
		d := pool[w.g.r.IntN(len(pool))]
		if !w.usedDesc[d.desc] {
			w.usedDesc[d.desc] = true
			return d
		}
	}
}

// newItem adds an item from a catalogue pool, priced between lo and hi.
func (w *world) newItem(d itemDef) *c.Item {
	r := w.g.r
	cost := money(r, d.lo, d.hi)
	list := cost * int64(130+r.IntN(30)) / 100
	it := &c.Item{
		SKU: w.sku(), Description: d.desc, UOM: d.uom,
		UnitCost: f(cost), ListPrice: f(list),
		Hazmat: d.un != "", UNNumber: d.un,
		Regulated: d.doc != "", RequiredDocument: d.doc,
		Substitutes: []string{},
	}
	w.items = append(w.items, it)
	return it
}

// item adds a clean item: not hazmat, not regulated.
func (w *world) item() *c.Item { return w.newItem(w.desc(plainItems)) }

// hazmatItem adds a hazmat item with its UN number.
func (w *world) hazmatItem() *c.Item { return w.newItem(w.desc(hazmatItems)) }

// regulatedItem adds an item that needs a customer document.
func (w *world) regulatedItem() *c.Item { return w.newItem(w.desc(regulatedItems)) }

// itemPriced adds a clean item whose list price is exactly listCents.
func (w *world) itemPriced(listCents int64) *c.Item {
	it := w.newItem(w.desc(priceyItems[:7]))
	it.ListPrice = f(listCents)
	it.UnitCost = f(listCents * int64(62+w.g.r.IntN(14)) / 100)
	return it
}

// substituteFor adds an approved substitute of it (same uom, cost, price).
func (w *world) substituteFor(it *c.Item) *c.Item {
	s := &c.Item{
		SKU: w.sku(), Description: it.Description + " (alt brand)", UOM: it.UOM,
		UnitCost: it.UnitCost, ListPrice: it.ListPrice, Substitutes: []string{},
	}
	it.Substitutes = append(it.Substitutes, s.SKU)
	w.items = append(w.items, s)
	return s
}

func (w *world) itemBySKU(sku string) *c.Item {
	for _, it := range w.items {
		if it.SKU == sku {
			return it
		}
	}
	panic("no item " + sku)
}

// ln is a line to put on an order: an item and a quantity; price 0 means the
// item's list price.
type ln struct {
	it    *c.Item
	qty   int
	price int64
}

// order adds an open order for cu with those lines, shipped from a random
// site on a carrier that can legally carry the goods, to a full address.
func (w *world) order(cu *c.Customer, lines ...ln) *c.Order {
	r := w.g.r
	region := w.pick(w.conv.regions)
	o := &c.Order{
		ID: w.orderID(), CustomerID: cu.ID, PONumber: w.poNumber(),
		Channel:           w.pick([]string{"edi", "edi", "portal", "portal", "email", "phone"}),
		CreatedAt:         w.now.Add(-time.Duration(60+r.IntN(30*60)) * time.Minute),
		RequestedShipDate: w.today.AddDays(1 + r.IntN(5)),
		Status:            c.StatusOpen,
		Holds:             []c.Hold{},
		ShipFrom:          w.pick(w.conv.sites),
		ShipTo:            w.address(cu.Name, region),
		ServiceLevel:      "LTL-STD",
	}
	hazmat := false
	for i, l := range lines {
		p := l.price
		if p == 0 {
			p = c.Cents(l.it.ListPrice)
		}
		o.Lines = append(o.Lines, c.Line{Line: i + 1, SKU: l.it.SKU, Qty: l.qty, UOM: l.it.UOM, UnitPrice: f(p)})
		hazmat = hazmat || l.it.Hazmat
	}
	if hazmat {
		o.Carrier = w.pick(w.conv.carrierCodes(false, true))
	} else {
		o.Carrier = w.pick(w.conv.carrierCodes(true, false))
	}
	o.ServiceLevel = w.conv.standardService(o.Carrier)
	if r.IntN(10) < 3 {
		o.Notes = w.pick(benignNotes)
	}
	w.orders = append(w.orders, o)
	return o
}

// lines makes n lines of fresh clean items with ordinary quantities.
func (w *world) lines(n int) []ln {
	out := make([]ln, n)
	for i := range out {
		out[i] = ln{it: w.item(), qty: w.qty()}
	}
	return out
}

func (w *world) qty() int {
	q := []int{6, 10, 12, 20, 24, 25, 36, 40, 48, 50, 60, 75, 80, 96, 100, 120, 144, 150, 200, 240, 300}
	return q[w.g.r.IntN(len(q))]
}

func (w *world) address(name, region string) c.Address {
	r := w.g.r
	cs := w.conv.cities[region]
	city := cs[r.IntN(len(cs))]
	a := c.Address{
		Name:    name,
		Line1:   fmt.Sprintf("%d %s", 100+r.IntN(9800), streets[r.IntN(len(streets))]),
		City:    city.name,
		Region:  region,
		Country: "US",
	}
	if w.conv.postalCode != nil {
		a.PostalCode = w.conv.postalCode(r, city)
	} else {
		a.PostalCode = fmt.Sprintf("%s%02d", city.zip3, r.IntN(100))
	}
	if w.conv.country != nil {
		a.Country = w.conv.country(region)
	}
	return a
}

// hold puts a hold on the order, placed at the given time.
func (w *world) hold(o *c.Order, code, reason string, at time.Time) {
	o.Holds = append(o.Holds, c.Hold{Code: code, Reason: reason, PlacedAt: at})
	o.Status = c.StatusOnHold
}

// holdNow places a hold between the order's creation and now.
func (w *world) holdNow(o *c.Order, code, reason string) time.Time {
	span := w.now.Sub(o.CreatedAt)
	at := o.CreatedAt.Add(span / 4 * time.Duration(1+w.g.r.IntN(3))).Truncate(time.Minute)
	w.hold(o, code, reason, at)
	return at
}

// setStock sets the stock of sku at site.
func (w *world) setStock(sku, site string, onHand, allocated int, inbound ...c.Inbound) {
	if inbound == nil {
		inbound = []c.Inbound{}
	}
	for _, s := range w.stock {
		if s.SKU == sku && s.Site == site {
			s.OnHand, s.Allocated, s.Inbound = onHand, allocated, inbound
			return
		}
	}
	w.stock = append(w.stock, &c.Stock{SKU: sku, Site: site, OnHand: onHand, Allocated: allocated, Inbound: inbound})
}

// scarce sets sku at site to an availability of exactly avail (now).
func (w *world) scarce(sku, site string, avail int, inbound ...c.Inbound) {
	alloc := 0
	if avail > 0 && w.g.r.IntN(2) == 0 {
		alloc = 1 + w.g.r.IntN(20)
	}
	w.setStock(sku, site, avail+alloc, alloc, inbound...)
}

func (w *world) inbound(qty int, eta c.Date) c.Inbound {
	return c.Inbound{Ref: fmt.Sprintf("PO-V-%04d", 1000+w.g.r.IntN(9000)), Qty: qty, ETA: eta}
}

// contract adds an active (or not) contract price.
func (w *world) contract(cu *c.Customer, sku string, cents int64, from, to c.Date) {
	w.contracts = append(w.contracts, c.Contract{CustomerID: cu.ID, SKU: sku, Price: f(cents), ValidFrom: from, ValidTo: to})
}

// activeContract adds a contract running from some months ago to some months ahead.
func (w *world) activeContract(cu *c.Customer, sku string, cents int64) {
	r := w.g.r
	w.contract(cu, sku, cents, w.today.AddDays(-30-r.IntN(300)), w.today.AddDays(30+r.IntN(300)))
}

// shipment adds the order's shipment on the order's carrier and service,
// costed at that service's price.
func (w *world) shipment(o *c.Order, status string, promised, eta time.Time, events ...c.ShipmentEvent) *c.Shipment {
	if events == nil {
		events = []c.ShipmentEvent{}
	}
	sh := &c.Shipment{
		ID: w.shipmentID(), OrderID: o.ID, Carrier: o.Carrier, ServiceLevel: o.ServiceLevel,
		Status: status, PromisedDelivery: promised, ETA: eta,
		FreightCost: f(serviceCost(w.carrier(o.Carrier), o.ServiceLevel)), Events: events,
	}
	w.shipments = append(w.shipments, sh)
	return sh
}

// plannedShipment adds a planned shipment that will arrive as promised.
func (w *world) plannedShipment(o *c.Order) *c.Shipment {
	s, _ := w.carrier(o.Carrier).Service(o.ServiceLevel)
	promised := o.RequestedShipDate.Time().Add(w.now.Sub(w.today.Time())).AddDate(0, 0, s.TransitDays)
	return w.shipment(o, c.ShipPlanned, promised, promised)
}

func (w *world) ev(at time.Time, code, reason, desc, loc string) c.ShipmentEvent {
	return c.ShipmentEvent{At: at, Code: code, Reason: reason, Description: desc, Location: loc}
}

// demand is the total quantity of sku over every order in the world.
func (w *world) demand(sku string) int {
	n := 0
	for _, o := range w.orders {
		for _, l := range o.Lines {
			if l.SKU == sku {
				n += l.Qty
			}
		}
	}
	return n
}

// snapshot finishes the world: every item gets stock at every site (plenty,
// unless a builder set it), clean customers get a limit that fits, and no
// slice is nil.
func (w *world) snapshot() c.Snapshot {
	r := w.g.r
	for _, it := range w.items {
		for _, site := range w.conv.sites {
			found := false
			for _, s := range w.stock {
				if s.SKU == it.SKU && s.Site == site {
					found = true
				}
			}
			if !found {
				need := w.demand(it.SKU)
				alloc := r.IntN(100)
				w.setStock(it.SKU, site, need+alloc+300+r.IntN(1500), alloc)
			}
		}
	}
	for _, cu := range w.customers {
		if !w.fitCredit[cu.ID] {
			continue
		}
		var exposure int64
		for _, o := range w.orders {
			if o.CustomerID == cu.ID && o.Status != c.StatusCancelled {
				exposure += c.OrderTotal(*o)
			}
		}
		need := c.Cents(cu.OpenAR) + exposure
		limit := need * int64(120+r.IntN(100)) / 100
		limit = (limit/500000 + 1) * 500000 // round up to 5,000
		cu.CreditLimit = f(limit)
	}
	s := c.Snapshot{
		Now: w.now, Customers: []c.Customer{}, Items: []c.Item{}, Orders: []c.Order{},
		Inventory: []c.Stock{}, Contracts: []c.Contract{}, Shipments: []c.Shipment{},
		Carriers: []c.Carrier{}, Sites: []c.Site{},
	}
	for _, x := range w.customers {
		s.Customers = append(s.Customers, *x)
	}
	for _, x := range w.items {
		s.Items = append(s.Items, *x)
	}
	for _, x := range w.orders {
		s.Orders = append(s.Orders, *x)
	}
	// Inventory grouped by sku in item order, sites in the fixed order.
	for _, it := range w.items {
		for _, site := range w.conv.sites {
			for _, st := range w.stock {
				if st.SKU == it.SKU && st.Site == site {
					s.Inventory = append(s.Inventory, *st)
				}
			}
		}
	}
	s.Contracts = append(s.Contracts, w.contracts...)
	for _, x := range w.shipments {
		s.Shipments = append(s.Shipments, *x)
	}
	for _, x := range w.carriers {
		s.Carriers = append(s.Carriers, *x)
	}
	for _, x := range w.sites {
		s.Sites = append(s.Sites, *x)
	}
	return s
}
