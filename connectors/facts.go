package connectors

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Cents converts an amount in currency units to integer cents, rounding half
// away from zero, so that boundaries such as "≤ 500" hold at exactly 500.00.
func Cents(x float64) int64 { return int64(math.Round(x * 100)) }

// FromCents converts cents back to currency units.
func FromCents(c int64) float64 { return float64(c) / 100 }

// FormatUSD writes cents as $1,234.56 (with a leading minus when negative).
func FormatUSD(c int64) string {
	neg := c < 0
	if neg {
		c = -c
	}
	whole := strconv.FormatInt(c/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteByte('$')
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	b.WriteByte('.')
	frac := c % 100
	if frac < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.FormatInt(frac, 10))
	return b.String()
}

// LineAmount is qty × unit price of one line, in cents.
func LineAmount(l Line) int64 { return Cents(float64(l.Qty) * l.UnitPrice) }

// OrderTotal is Σ qty × unit price over the order's lines, in cents.
func OrderTotal(o Order) int64 {
	var t int64
	for _, l := range o.Lines {
		t += LineAmount(l)
	}
	return t
}

// Today is the calendar date of a business time, in UTC.
func Today(now time.Time) Date { return NewDate(now.UTC()) }

// HasHold reports whether the order carries a hold with that code.
func (o Order) HasHold(code string) bool {
	for _, h := range o.Holds {
		if h.Code == code {
			return true
		}
	}
	return false
}

// Line returns the order line with that number.
func (o Order) Line(n int) (Line, bool) {
	for _, l := range o.Lines {
		if l.Line == n {
			return l, true
		}
	}
	return Line{}, false
}

// ActiveOn reports whether valid_from ≤ day ≤ valid_to (inclusive).
func (c Contract) ActiveOn(day Date) bool {
	return !day.Before(c.ValidFrom) && !day.After(c.ValidTo)
}

// ValidOn reports whether the document is valid on day: it is valid through
// its expires date, inclusive.
func (d Document) ValidOn(day Date) bool {
	return !d.Expires.IsZero() && !day.After(d.Expires)
}

// Document returns the customer's document of that type with the latest
// expiry, if any.
func (c Customer) Document(typ string) (Document, bool) {
	var best Document
	found := false
	for _, d := range c.Documents {
		if d.Type == typ && (!found || d.Expires.After(best.Expires)) {
			best, found = d, true
		}
	}
	return best, found
}

// AvailableNow is on hand − allocated (never below zero).
func (s Stock) AvailableNow() int { return max(s.OnHand-s.Allocated, 0) }

// AvailableBy is available now plus inbound whose ETA is on or before day.
func (s Stock) AvailableBy(day Date) int {
	n := s.AvailableNow()
	for _, in := range s.Inbound {
		if !in.ETA.IsZero() && !in.ETA.After(day) {
			n += in.Qty
		}
	}
	return n
}

// NextInbound returns the earliest inbound receipt after day, if any.
func (s Stock) NextInbound(after Date) (Inbound, bool) {
	var best Inbound
	found := false
	for _, in := range s.Inbound {
		if in.ETA.After(after) && (!found || in.ETA.Before(best.ETA)) {
			best, found = in, true
		}
	}
	return best, found
}

// Lane returns the site's lane to a region.
func (s Site) Lane(region string) (Lane, bool) {
	for _, l := range s.Lanes {
		if l.Region == region {
			return l, true
		}
	}
	return Lane{}, false
}

// Service returns the carrier's service of that level.
func (c Carrier) Service(level string) (Service, bool) {
	for _, s := range c.Services {
		if s.ServiceLevel == level {
			return s, true
		}
	}
	return Service{}, false
}

// HasCapacity reports whether the carrier has capacity on the lane to region.
func (c Carrier) HasCapacity(region string) bool {
	for _, r := range c.LanesWithoutCapacity {
		if r == region {
			return false
		}
	}
	return true
}

// Started reports whether the carrier already has the goods: picked up, in
// transit or delivered, or in exception after an event that shows the goods
// moving (X12 214 AF departed pick-up, P1 departed terminal, X6 en route,
// X1 arrived at delivery location, and the later stages; see x12.go).
func (s Shipment) Started() bool {
	switch s.Status {
	case ShipPickedUp, ShipInTransit, ShipDelivered:
		return true
	case ShipException:
		for _, e := range s.Events {
			if movingEvent(e) {
				return true
			}
		}
	}
	return false
}

// Late reports whether the shipment's ETA is after its promised delivery.
func (s Shipment) Late() bool { return s.ETA.After(s.PromisedDelivery) }

// ExpediteOption is the cheapest faster service that meets a promise.
type ExpediteOption struct {
	Carrier      string
	ServiceLevel string
	TransitDays  int
	Cost         int64 // the service's cost, cents
	AddedCost    int64 // Cost − the shipment's current freight cost, cents
}

// CheapestExpedite returns the cheapest service of the shipment's carrier that
// is faster than its current service and, leaving at now, arrives no later
// than the promised delivery. Expedite cost = that service's cost − the
// shipment's current freight cost.
func CheapestExpedite(now time.Time, sh Shipment, carriers []Carrier) (ExpediteOption, bool) {
	var c Carrier
	found := false
	for _, x := range carriers {
		if x.Code == sh.Carrier {
			c, found = x, true
			break
		}
	}
	if !found {
		return ExpediteOption{}, false
	}
	current, ok := c.Service(sh.ServiceLevel)
	var best ExpediteOption
	have := false
	for _, s := range c.Services {
		if s.ServiceLevel == sh.ServiceLevel || (ok && s.TransitDays >= current.TransitDays) {
			continue
		}
		if now.AddDate(0, 0, s.TransitDays).After(sh.PromisedDelivery) {
			continue
		}
		cost := Cents(s.CostPerOrder)
		if !have || cost < best.Cost {
			best = ExpediteOption{c.Code, s.ServiceLevel, s.TransitDays, cost, cost - Cents(sh.FreightCost)}
			have = true
		}
	}
	return best, have
}

// RebookOption is a carrier a shipment can move to, priced at its rebook
// service.
type RebookOption struct {
	Carrier         string
	ServiceLevel    string // the target's own name of the service
	TransitDays     int
	Cost            int64 // cents
	HazmatCertified bool
}

// FindCarrier returns the carrier with that code.
func FindCarrier(carriers []Carrier, code string) (Carrier, bool) {
	for _, c := range carriers {
		if c.Code == code {
			return c, true
		}
	}
	return Carrier{}, false
}

// RebookService returns the service a rebook target is priced at
// (DESIGN.md): carriers name their services differently (GROUND, ECON,
// 2DAY…), so it is the target's cheapest service whose transit_days is no
// more than that of the current service (the current carrier's service of
// that level), the faster one on equal cost. A target with no such
// service is not a target. When the current service is not known (the
// current carrier or its service is missing from carriers), nothing is
// known to be as fast but a service of the same name, so that one is used.
func RebookService(carriers []Carrier, target Carrier, current, level string) (Service, bool) {
	days, known := currentTransit(carriers, current, level)
	if !known {
		return target.Service(level)
	}
	var best Service
	have := false
	for _, s := range target.Services {
		if s.TransitDays > days {
			continue
		}
		cost := Cents(s.CostPerOrder)
		if !have || cost < Cents(best.CostPerOrder) ||
			(cost == Cents(best.CostPerOrder) && (s.TransitDays < best.TransitDays ||
				(s.TransitDays == best.TransitDays && s.ServiceLevel < best.ServiceLevel))) {
			best, have = s, true
		}
	}
	return best, have
}

// currentTransit is the transit days of the current carrier's service of
// that level.
func currentTransit(carriers []Carrier, current, level string) (int, bool) {
	c, ok := FindCarrier(carriers, current)
	if !ok {
		return 0, false
	}
	s, ok := c.Service(level)
	return s.TransitDays, ok
}

// RebookTarget returns the cheapest carrier other than current with
// capacity on the lane to region and, when hazmat is true, hazmat
// certification, each priced at its RebookService against the current
// service level; a carrier without such a service is not a target. On
// equal cost the carrier code decides, so the answer is stable.
func RebookTarget(carriers []Carrier, current, region, level string, hazmat bool) (RebookOption, bool) {
	var best RebookOption
	have := false
	for _, c := range carriers {
		if c.Code == current || !c.HasCapacity(region) || (hazmat && !c.HazmatCertified) {
			continue
		}
		s, ok := RebookService(carriers, c, current, level)
		if !ok {
			continue
		}
		cost := Cents(s.CostPerOrder)
		if !have || cost < best.Cost || (cost == best.Cost && c.Code < best.Carrier) {
			best = RebookOption{c.Code, s.ServiceLevel, s.TransitDays, cost, c.HazmatCertified}
			have = true
		}
	}
	return best, have
}

// Allocation is an alternate site that can ship some of an order's lines.
type Allocation struct {
	Site         string
	Lines        []int
	FreightCost  int64 // the alternate site's lane cost to the ship-to region, cents
	AddedFreight int64 // FreightCost − the ship-from site's lane cost, cents
}

// CheapestAllocation returns the cheapest site other than the order's
// ship-from whose availability by the requested ship date covers every one
// of lines, with the added freight to the ship-to region. stock maps sku to
// that sku's stock at every site.
func CheapestAllocation(o Order, lines []int, stock map[string][]Stock, sites []Site) (Allocation, bool) {
	var from Site
	for _, s := range sites {
		if s.ID == o.ShipFrom {
			from = s
		}
	}
	fromLane, fromOK := from.Lane(o.ShipTo.Region)
	cands := make([]Allocation, 0, len(sites))
	for _, s := range sites {
		if s.ID == o.ShipFrom {
			continue
		}
		lane, ok := s.Lane(o.ShipTo.Region)
		if !ok || !SiteCovers(o, lines, s.ID, stock) {
			continue
		}
		a := Allocation{Site: s.ID, Lines: append([]int(nil), lines...), FreightCost: Cents(lane.FreightCost)}
		if fromOK {
			a.AddedFreight = a.FreightCost - Cents(fromLane.FreightCost)
		} else {
			a.AddedFreight = a.FreightCost
		}
		cands = append(cands, a)
	}
	if len(cands) == 0 {
		return Allocation{}, false
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].FreightCost != cands[j].FreightCost {
			return cands[i].FreightCost < cands[j].FreightCost
		}
		return cands[i].Site < cands[j].Site
	})
	return cands[0], true
}

// SiteCovers reports whether site's availability by the order's requested
// ship date covers the quantity of every one of lines.
func SiteCovers(o Order, lines []int, site string, stock map[string][]Stock) bool {
	need := map[string]int{}
	for _, n := range lines {
		l, ok := o.Line(n)
		if !ok {
			return false
		}
		need[l.SKU] += l.Qty
	}
	for sku, q := range need {
		avail := 0
		for _, s := range stock[sku] {
			if s.Site == site {
				avail += s.AvailableBy(o.RequestedShipDate)
			}
		}
		if avail < q {
			return false
		}
	}
	return len(need) > 0
}

// ShortLines returns the lines whose quantity the ship-from site cannot
// cover by the requested ship date, counting each sku's demand across lines.
func ShortLines(o Order, stock map[string][]Stock) []int {
	avail := map[string]int{}
	for sku, ss := range stock {
		for _, s := range ss {
			if s.Site == o.ShipFrom {
				avail[sku] += s.AvailableBy(o.RequestedShipDate)
			}
		}
	}
	var short []int
	for _, l := range o.Lines {
		if avail[l.SKU] < l.Qty {
			short = append(short, l.Line)
			avail[l.SKU] = 0
			continue
		}
		avail[l.SKU] -= l.Qty
	}
	return short
}

// ActiveContract returns the customer's contract for sku that is active on
// day; when several are, the one that started last.
func ActiveContract(cs []Contract, sku string, day Date) (Contract, bool) {
	var best Contract
	found := false
	for _, c := range cs {
		if c.SKU == sku && c.ActiveOn(day) && (!found || c.ValidFrom.After(best.ValidFrom)) {
			best, found = c, true
		}
	}
	return best, found
}
