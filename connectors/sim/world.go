package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/exdesk/exdesk/connectors"
)

// regions are the ship-to regions every site has a lane to.
func regions() []string { return []string{"US-MW", "US-SE", "US-SW", "US-NE", "US-W"} }

// homeSite is the site that serves a region by default.
func homeSite(region string) string {
	switch region {
	case "US-SE":
		return "DC-ATL"
	case "US-SW", "US-W":
		return "DC-DAL"
	}
	return "DC-CHI"
}

// Stock levels. Clean orders never ask for more than maxCleanQty of a line;
// a plentiful sku/site has at least minPlentiful available now, so clean
// orders are always covered. A tight sku/site has at most maxTight available
// and its inbound arrives after the latest requested ship date.
const (
	maxCleanQty   = 300
	minPlentiful  = 520
	maxTight      = 35
	maxShipDays   = 5 // requested ship dates are day .. day+maxShipDays
	tightInbound0 = 8 // tight inbound arrives day+tightInbound0 or later
)

// credit profiles of customers
const (
	creditGood      = "good"
	creditStop      = "credit_stop"
	creditPD90      = "past_due_over_90"
	creditPastDue   = "past_due"
	creditNear      = "near_limit"
	creditOver      = "over_limit"
	docValid        = "valid"
	docExpired      = "expired"
	docMissing      = "missing"
	tightNone       = 0
	tightSite       = 1 // short at one site, plentiful at the others
	tightEverywhere = 2 // short at every site; has substitutes
)

type itemInfo struct {
	connectors.Item
	cat        string
	tight      int
	scarceSite string // for tightSite
	bad        bool   // hazmat without a UN number: master-data error
}

type custInfo struct {
	connectors.Customer
	seg      string
	region   string
	home     string
	addr     connectors.Address
	credit   string
	doc      string // document type its regulated purchases need
	docState string // valid / expired / missing
}

type world struct {
	day       connectors.Date
	sites     []connectors.Site
	carriers  []connectors.Carrier
	items     []*itemInfo
	bySKU     map[string]*itemInfo
	customers []*custInfo
	contracts []connectors.Contract
	active    map[string]float64  // customer|sku -> active contract price
	activeFor map[string][]string // customer -> plain plentiful skus with an active contract
	segPool   map[string][]int    // segment -> plain items its customers buy
	stock     []connectors.Stock
	stockIdx  map[string]int // sku|site -> index in stock

	// pools of item indexes
	clean        map[string][]int // category -> plain items (not tight, bad or regulated)
	hazClean     map[string][]int // category -> hazmat items with a UN number, not tight or regulated
	regulated    map[string][]int // document -> regulated items
	tightAt      map[string][]int // site -> items short there only
	tightAll     []int
	badItems     []int
	custByCredit map[string][]int
}

func key(a, b string) string { return a + "|" + b }

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func between(r *rand.Rand, lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }

func intBetween(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// weighted returns an index drawn with the given weights.
func weighted(r *rand.Rand, w []int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	n := r.IntN(total)
	for i, x := range w {
		if n < x {
			return i
		}
		n -= x
	}
	return len(w) - 1
}

func buildSites(r *rand.Rand) []connectors.Site {
	type lane struct {
		days int
		cost float64
	}
	table := []struct {
		id, region string
		lanes      [5]lane // MW SE SW NE W
	}{
		{"DC-CHI", "US-MW", [5]lane{{1, 95}, {2, 250}, {3, 240}, {2, 150}, {4, 340}}},
		{"DC-ATL", "US-SE", [5]lane{{2, 240}, {1, 90}, {3, 330}, {2, 210}, {4, 420}}},
		{"DC-DAL", "US-SW", [5]lane{{2, 260}, {2, 275}, {1, 85}, {4, 330}, {2, 230}}},
	}
	out := make([]connectors.Site, 0, len(table))
	for _, t := range table {
		s := connectors.Site{ID: t.id, Region: t.region, PickBacklogHours: intBetween(r, 2, 30)}
		for i, reg := range regions() {
			s.Lanes = append(s.Lanes, connectors.Lane{Region: reg, TransitDays: t.lanes[i].days,
				FreightCost: round2(t.lanes[i].cost + between(r, -4, 4))})
		}
		out = append(out, s)
	}
	return out
}

func buildCarriers() []connectors.Carrier {
	return []connectors.Carrier{
		{Code: "FXF", Name: "Freight Express", HazmatCertified: true, OnTimeRate: 0.94,
			Services:             []connectors.Service{{ServiceLevel: "LTL-STD", TransitDays: 5, CostPerOrder: 310}, {ServiceLevel: "LTL-EXP", TransitDays: 2, CostPerOrder: 520}},
			LanesWithoutCapacity: []string{}},
		{Code: "RDL", Name: "Roadline LTL", HazmatCertified: false, OnTimeRate: 0.91,
			Services:             []connectors.Service{{ServiceLevel: "LTL-STD", TransitDays: 3, CostPerOrder: 265}, {ServiceLevel: "LTL-EXP", TransitDays: 1, CostPerOrder: 560}},
			LanesWithoutCapacity: []string{"US-NE", "US-W"}},
		{Code: "SWX", Name: "Swift Freight", HazmatCertified: false, OnTimeRate: 0.96,
			Services:             []connectors.Service{{ServiceLevel: "LTL-STD", TransitDays: 4, CostPerOrder: 240}, {ServiceLevel: "LTL-EXP", TransitDays: 2, CostPerOrder: 410}},
			LanesWithoutCapacity: []string{"US-SE", "US-MW"}},
		{Code: "HZT", Name: "HazTrans Logistics", HazmatCertified: true, OnTimeRate: 0.89,
			Services:             []connectors.Service{{ServiceLevel: "LTL-STD", TransitDays: 4, CostPerOrder: 345}, {ServiceLevel: "LTL-EXP", TransitDays: 2, CostPerOrder: 690}},
			LanesWithoutCapacity: []string{"US-SW"}},
	}
}

func (w *world) carrier(code string) connectors.Carrier {
	for _, c := range w.carriers {
		if c.Code == code {
			return c
		}
	}
	return connectors.Carrier{}
}

func buildWorld(r *rand.Rand, day connectors.Date, nCustomers int) *world {
	w := &world{
		day:          day,
		sites:        buildSites(r),
		carriers:     buildCarriers(),
		bySKU:        map[string]*itemInfo{},
		active:       map[string]float64{},
		activeFor:    map[string][]string{},
		segPool:      map[string][]int{},
		stockIdx:     map[string]int{},
		clean:        map[string][]int{},
		hazClean:     map[string][]int{},
		regulated:    map[string][]int{},
		tightAt:      map[string][]int{},
		custByCredit: map[string][]int{},
	}
	w.buildItems(r)
	w.buildStock(r)
	w.buildCustomers(r, nCustomers)
	w.buildContracts(r)
	return w
}

func (w *world) buildItems(r *rand.Rand) {
	skus := r.Perm(9000) // SKU-1000 .. SKU-9999, unique
	n := 0
	for _, b := range itemBases() {
		for _, v := range b.variants {
			cost := round2(between(r, b.cost[0], b.cost[1]))
			it := &itemInfo{cat: b.cat, Item: connectors.Item{
				SKU:              fmt.Sprintf("SKU-%d", 1000+skus[n]),
				Description:      fmt.Sprintf(b.desc, v),
				UOM:              b.uom,
				UnitCost:         cost,
				ListPrice:        round2(cost * between(r, 1.35, 1.9)),
				Hazmat:           b.un != "",
				UNNumber:         b.un,
				Regulated:        b.doc != "",
				RequiredDocument: b.doc,
				Substitutes:      []string{},
			}}
			n++
			w.items = append(w.items, it)
			w.bySKU[it.SKU] = it
			// Cheap goods also sell by the case, as a sku of their own.
			if b.uom != "CS" && b.cost[1] < 150 && b.cat != catRx {
				pack := []int{6, 10, 12, 24}[weighted(r, []int{2, 4, 3, 1})]
				cs := *it
				cs.SKU = fmt.Sprintf("SKU-%d", 1000+skus[n])
				cs.Description = fmt.Sprintf("%s, case of %d", it.Description, pack)
				cs.UOM = "CS"
				cs.UnitCost = round2(it.UnitCost * float64(pack) * between(r, 0.9, 0.97))
				cs.ListPrice = round2(cs.UnitCost * between(r, 1.3, 1.75))
				cs.Substitutes = []string{}
				n++
				w.items = append(w.items, &cs)
				w.bySKU[cs.SKU] = &cs
			}
		}
	}
	// Tight items: plain, non-hazmat, non-regulated products that are short.
	var plain []int
	for i, it := range w.items {
		if !it.Hazmat && !it.Regulated {
			plain = append(plain, i)
		}
	}
	r.Shuffle(len(plain), func(i, j int) { plain[i], plain[j] = plain[j], plain[i] })
	nSite, nAll := len(w.items)*8/100, len(w.items)*5/100
	for k, i := range plain[:nSite+nAll] {
		it := w.items[i]
		if k < nSite {
			it.tight, it.scarceSite = tightSite, w.sites[k%len(w.sites)].ID
			w.tightAt[it.scarceSite] = append(w.tightAt[it.scarceSite], i)
		} else {
			it.tight = tightEverywhere
			w.tightAll = append(w.tightAll, i)
		}
	}
	// A few hazmat items were set up without their UN number.
	var haz []int
	for i, it := range w.items {
		if it.Hazmat && !it.Regulated {
			haz = append(haz, i)
		}
	}
	r.Shuffle(len(haz), func(i, j int) { haz[i], haz[j] = haz[j], haz[i] })
	for _, i := range haz[:4] {
		w.items[i].bad, w.items[i].UNNumber = true, ""
		w.badItems = append(w.badItems, i)
	}
	slices.Sort(w.badItems)
	// Pools.
	for i, it := range w.items {
		switch {
		case it.bad, it.tight != tightNone:
		case it.Regulated:
			w.regulated[it.RequiredDocument] = append(w.regulated[it.RequiredDocument], i)
		case it.Hazmat:
			w.hazClean[it.cat] = append(w.hazClean[it.cat], i)
			w.clean[it.cat] = append(w.clean[it.cat], i)
		default:
			w.clean[it.cat] = append(w.clean[it.cat], i)
		}
	}
	// Substitutes: plain items of the same family or category. Items short
	// everywhere always have one or two that are plentiful.
	for i, it := range w.items {
		pool := w.plainPool(it.cat)
		want := 0
		switch {
		case it.tight == tightEverywhere:
			want = intBetween(r, 1, 2)
		case r.IntN(100) < 25:
			want = 1
		}
		for tries := 0; len(it.Substitutes) < want && tries < 20; tries++ {
			j := pick(r, pool)
			if j == i || slices.Contains(it.Substitutes, w.items[j].SKU) {
				continue
			}
			it.Substitutes = append(it.Substitutes, w.items[j].SKU)
		}
	}
	// A couple of regulated substitutes, so that a substitution can be
	// blocked for bringing a regulated item into a plain order.
	if rx := w.regulated[docDEA]; len(rx) > 1 {
		for _, i := range w.tightAll[:min(2, len(w.tightAll))] {
			if w.items[i].cat == catMedical {
				w.items[i].Substitutes = append(w.items[i].Substitutes, w.items[rx[0]].SKU)
			}
		}
	}
}

// plainPool returns non-hazmat, non-regulated, plentiful items of a category.
func (w *world) plainPool(cat string) []int {
	var out []int
	for _, i := range w.clean[cat] {
		if !w.items[i].Hazmat {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		out = w.clean[catMRO]
	}
	return out
}

func (w *world) buildStock(r *rand.Rand) {
	ref := 40000 + r.IntN(10000)
	for _, it := range w.items {
		for _, s := range w.sites {
			st := connectors.Stock{SKU: it.SKU, Site: s.ID, Inbound: []connectors.Inbound{}}
			short := it.tight == tightEverywhere || (it.tight == tightSite && it.scarceSite == s.ID)
			if short {
				st.OnHand = r.IntN(maxTight + 1)
				st.Allocated = min(st.OnHand, r.IntN(8))
				if r.IntN(100) < 65 {
					ref++
					st.Inbound = append(st.Inbound, connectors.Inbound{Ref: fmt.Sprintf("PO-V-%d", ref),
						Qty: intBetween(r, 150, 900), ETA: w.day.AddDays(intBetween(r, tightInbound0, 24))})
				}
			} else {
				st.OnHand = intBetween(r, minPlentiful+100, 2600)
				st.Allocated = r.IntN(90)
				for k := r.IntN(3); k > 0; k-- {
					ref++
					st.Inbound = append(st.Inbound, connectors.Inbound{Ref: fmt.Sprintf("PO-V-%d", ref),
						Qty: intBetween(r, 100, 1500), ETA: w.day.AddDays(intBetween(r, 0, 21))})
				}
			}
			w.stockIdx[key(it.SKU, s.ID)] = len(w.stock)
			w.stock = append(w.stock, st)
		}
	}
}

func (w *world) buildCustomers(r *rand.Rand, n int) {
	places := namePlaces()
	used := map[string]bool{}
	segs := []string{segMedical, segIndustrial, segFacilities, segAgri}
	segW := []int{38, 32, 18, 12}
	regW := []int{28, 22, 20, 18, 12}
	// Credit profiles: most customers are in good standing; a risk pool of
	// about 15 % places only credit-hold orders.
	profiles := make([]string, n)
	for i := range profiles {
		profiles[i] = creditGood
	}
	risk := []struct {
		p   string
		per int // per 300 customers
	}{{creditStop, 6}, {creditPD90, 6}, {creditPastDue, 10}, {creditNear, 12}, {creditOver, 11}}
	perm := r.Perm(n)
	k := 0
	for _, x := range risk {
		for j := 0; j < max(1, x.per*n/300) && k < n; j++ {
			profiles[perm[k]] = x.p
			k++
		}
	}
	for i := 0; i < n; i++ {
		seg := segs[weighted(r, segW)]
		var name string
		for tries := 0; ; tries++ {
			name = pick(r, places) + " " + pick(r, nameSuffixes(seg))
			if !used[name] || tries > 50 {
				break
			}
		}
		if used[name] {
			name = fmt.Sprintf("%s %d", name, i)
		}
		used[name] = true
		region := regions()[weighted(r, regW)]
		city := pick(r, regionCities(region))
		c := &custInfo{seg: seg, region: region, home: homeSite(region), credit: profiles[i], doc: segmentDoc(seg)}
		c.addr = connectors.Address{Name: name, Line1: fmt.Sprintf("%d %s", intBetween(r, 10, 9900), pick(r, streets())),
			City: city[0], Region: region, PostalCode: fmt.Sprintf("%s%02d", city[1], r.IntN(100)), Country: "US"}
		tier := []string{connectors.TierStrategic, connectors.TierKey, connectors.TierStandard}[weighted(r, []int{8, 27, 65})]
		var limit float64
		switch tier {
		case connectors.TierStrategic:
			limit = float64(intBetween(r, 80, 240)) * 5000
		case connectors.TierKey:
			limit = float64(intBetween(r, 30, 90)) * 5000
		default:
			limit = float64(intBetween(r, 10, 32)) * 5000
		}
		c.Customer = connectors.Customer{
			ID: fmt.Sprintf("C-%d", 1001+i), Name: name, Tier: tier, CreditLimit: limit,
			PaymentTerms:          []string{"NET30", "NET45", "NET60", "2%10 NET30"}[weighted(r, []int{60, 20, 15, 5})],
			AllowsSubstitution:    r.IntN(100) < 75,
			AllowsPartialShipment: r.IntN(100) < 80,
			Documents:             []connectors.Document{},
		}
		switch c.credit {
		case creditGood:
			c.OpenAR = round2(limit * between(r, 0.02, 0.4))
		case creditStop:
			c.CreditStop = true
			c.OpenAR = round2(limit * between(r, 0.5, 1.1))
			if r.IntN(2) == 0 {
				c.PastDueAmount, c.MaxDaysPastDue = round2(c.OpenAR*between(r, 0.2, 0.6)), intBetween(r, 45, 160)
			}
		case creditPD90:
			c.OpenAR = round2(limit * between(r, 0.3, 0.9))
			c.PastDueAmount, c.MaxDaysPastDue = round2(c.OpenAR*between(r, 0.1, 0.5)), intBetween(r, 91, 180)
		case creditPastDue:
			c.OpenAR = round2(limit * between(r, 0.2, 0.8))
			c.PastDueAmount, c.MaxDaysPastDue = round2(c.OpenAR*between(r, 0.03, 0.3)), intBetween(r, 5, 90)
		case creditNear:
			c.OpenAR = round2(limit * between(r, 0.9, 0.995))
		case creditOver:
			c.OpenAR = round2(limit * between(r, 1.0, 1.3))
		}
		// Compliance documents.
		if c.doc != "" {
			c.docState = []string{docValid, docExpired, docMissing}[weighted(r, []int{70, 15, 15})]
		} else {
			c.docState = docMissing
			if r.IntN(100) < 8 { // an industrial lab with a DEA registration
				c.doc, c.docState = docDEA, docValid
			}
		}
		if c.doc != "" && c.docState != docMissing {
			prefix := map[string]string{docDEA: "B", docEPA: "EPA-"}[c.doc]
			d := connectors.Document{Type: c.doc, Number: fmt.Sprintf("%s%s%07d", prefix, strings.ToUpper(name[:1]), r.IntN(10000000))}
			switch {
			case c.docState == docExpired && r.IntN(5) == 0:
				d.Expires = w.day.AddDays(-1) // expired yesterday
			case c.docState == docExpired:
				d.Expires = w.day.AddDays(-intBetween(r, 2, 400))
			case r.IntN(20) == 0:
				d.Expires = w.day // valid through today, inclusive
			default:
				d.Expires = w.day.AddDays(intBetween(r, 1, 900))
			}
			c.Documents = append(c.Documents, d)
		}
		if c.credit == creditGood {
			w.custByCredit[creditGood] = append(w.custByCredit[creditGood], i)
		} else {
			w.custByCredit["risk"] = append(w.custByCredit["risk"], i)
		}
		w.customers = append(w.customers, c)
	}
}

// custItems returns the pool a customer's plain lines come from.
func (w *world) custItems(c *custInfo) []int {
	if p, ok := w.segPool[c.seg]; ok {
		return p
	}
	var out []int
	for _, cat := range segmentCats(c.seg) {
		out = append(out, w.clean[cat]...)
	}
	w.segPool[c.seg] = out
	return out
}

func (w *world) buildContracts(r *rand.Rand) {
	pools := map[string][]int{}
	for _, c := range w.customers {
		pool, ok := pools[c.seg]
		if !ok {
			for _, cat := range segmentCats(c.seg) {
				for i, it := range w.items {
					if it.cat == cat && !it.bad && !it.Regulated {
						pool = append(pool, i)
					}
				}
			}
			slices.Sort(pool)
			pool = slices.Compact(pool)
			pools[c.seg] = pool
		}
		n := intBetween(r, 6, 16)
		if c.Tier == connectors.TierStrategic {
			n = intBetween(r, 18, 36)
		}
		chosen := map[int]bool{}
		for k := 0; k < n && len(chosen) < len(pool); k++ {
			i := pick(r, pool)
			if chosen[i] {
				continue
			}
			chosen[i] = true
			it := w.items[i]
			price := round2(max(it.ListPrice*between(r, 0.8, 0.95), it.UnitCost*1.08))
			from := w.day.AddDays(-intBetween(r, 20, 330))
			to := w.day.AddDays(intBetween(r, 15, 400))
			switch roll := r.IntN(100); {
			case roll < 3: // ends today: still active, inclusive
				to = w.day
			case roll < 6: // starts today
				from = w.day
			case roll < 10: // not active yet: a future contract only
				from = w.day.AddDays(intBetween(r, 1, 30))
			}
			if roll := r.IntN(100); roll < 15 && !from.After(w.day) { // the renewed contract's predecessor
				w.contracts = append(w.contracts, connectors.Contract{CustomerID: c.ID, SKU: it.SKU,
					Price: round2(price * between(r, 0.94, 1.04)), ValidFrom: from.AddDays(-365), ValidTo: from.AddDays(-1)})
			}
			ct := connectors.Contract{CustomerID: c.ID, SKU: it.SKU, Price: price, ValidFrom: from, ValidTo: to}
			w.contracts = append(w.contracts, ct)
			if ct.ActiveOn(w.day) {
				w.active[key(c.ID, it.SKU)] = price
				if it.tight == tightNone && !it.bad && !it.Regulated {
					w.activeFor[c.ID] = append(w.activeFor[c.ID], it.SKU)
				}
			}
		}
	}
}

// price is the price a line of sku gets for the customer: the active
// contract price, or the list price when no contract is active.
func (w *world) price(c *custInfo, it *itemInfo) (float64, bool) {
	if p, ok := w.active[key(c.ID, it.SKU)]; ok {
		return p, true
	}
	return it.ListPrice, false
}

func (w *world) snapshot(now connectors.Date) connectors.Snapshot {
	s := connectors.Snapshot{Now: now.Time().Add(4 * 60 * 60 * 1e9), Sites: w.sites, Carriers: w.carriers, Contracts: w.contracts, Inventory: w.stock}
	for _, it := range w.items {
		s.Items = append(s.Items, it.Item)
	}
	for _, c := range w.customers {
		s.Customers = append(s.Customers, c.Customer)
	}
	return s
}
