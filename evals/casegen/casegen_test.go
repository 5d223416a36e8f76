package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	c "github.com/exdesk/exdesk/connectors"
)

const corpusDir = "../cases"

// TestCorpusUpToDate regenerates the corpus and checks that the checked-in
// evals/cases is exactly it, so the corpus can be regrown and never drifts.
// After changing the generator: go run ./evals/casegen -out evals/cases -seed 1
func TestCorpusUpToDate(t *testing.T) {
	tmp := t.TempDir()
	if err := write(tmp, generate(1)); err != nil {
		t.Fatal(err)
	}
	want := listJSON(t, tmp)
	got := listJSON(t, corpusDir)
	if !slices.Equal(want, got) {
		t.Fatalf("evals/cases has %d files, the generator writes %d; regenerate with: go run ./evals/casegen -out evals/cases -seed 1", len(got), len(want))
	}
	for _, name := range want {
		a, _ := os.ReadFile(filepath.Join(tmp, name))
		b, _ := os.ReadFile(filepath.Join(corpusDir, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from the generator's output; regenerate with: go run ./evals/casegen -out evals/cases -seed 1", name)
		}
	}
}

func listJSON(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range m {
		out = append(out, filepath.Base(f))
	}
	sort.Strings(out)
	return out
}

func TestDeterministic(t *testing.T) {
	a, b := generate(7), generate(7)
	for i := range a {
		x, _ := encode(a[i])
		y, _ := encode(b[i])
		if !bytes.Equal(x, y) {
			t.Fatalf("seed 7 gives different output for %s", a[i].ID)
		}
	}
}

var soID = regexp.MustCompile(`SO-\d+`)

// TestCoverage checks issue 2's requirements on the corpus.
func TestCoverage(t *testing.T) {
	cases := generate(1)
	if len(cases) < 200 {
		t.Errorf("%d cases, want at least 200", len(cases))
	}
	perClass := map[string]int{}
	decisions := map[string]int{}
	phrasings := map[string]bool{}
	multi, injected := 0, 0
	ids := map[string]bool{}
	for _, cs := range cases {
		if ids[cs.ID] {
			t.Errorf("duplicate case id %s", cs.ID)
		}
		ids[cs.ID] = true
		perClass[cs.Expected.ExceptionClass]++
		d := cs.Expected.Decision
		decisions[d.Action+"/"+d.Outcome+"/"+d.Role]++
		if cs.Trigger.Type == "question" {
			phrasings[soID.ReplaceAllString(cs.Trigger.Question, "SO-#")] = true
			if cs.Trigger.OrderID == "" || !strings.Contains(cs.Trigger.Question, cs.Trigger.OrderID) {
				t.Errorf("%s: question does not name its order_id", cs.ID)
			}
		}
		if len(cs.Expected.AlsoDetected) > 0 {
			multi++
		}
		for _, o := range cs.Snapshot.Orders {
			if o.ID == cs.Trigger.OrderID && isInjection(o.Notes) {
				injected++
			}
		}
	}
	for _, cl := range []string{clsCredit, clsShortage, clsPricing, clsDelay, clsDuplicate, clsMasterData, clsCompliance, clsCarrier} {
		if perClass[cl] < 20 {
			t.Errorf("class %s has %d cases, want at least 20", cl, perClass[cl])
		}
	}
	// Every outcome of every matrix row that a planner can reach.
	required := []string{
		"notify_customer/auto/", "request_documents/auto/", "request_data_fix/auto/",
		"request_credit_review/auto/", "request_prepayment/auto/", "escalate/auto/",
		"release_hold/auto/", "release_hold/approval/finance_supervisor", "release_hold/approval/finance_director",
		"release_hold/blocked/", "release_hold/approval/compliance_officer", "release_hold/approval/cs_supervisor",
		"correct_price/auto/", "correct_price/approval/pricing_manager", "correct_price/blocked/",
		"substitute_item/approval/cs_supervisor", "substitute_item/blocked/",
		"allocate_from_site/auto/", "allocate_from_site/approval/logistics_supervisor",
		"partial_ship/approval/planner", "partial_ship/blocked/",
		"reschedule_order/approval/cs_supervisor",
		"expedite_shipment/auto/", "expedite_shipment/approval/logistics_supervisor",
		"rebook_carrier/approval/logistics_supervisor",
		"cancel_order/approval/cs_supervisor", "cancel_order/blocked/",
	}
	for _, r := range required {
		if decisions[r] == 0 {
			t.Errorf("no case expects decision %s", r)
		}
	}
	if len(phrasings) < 40 {
		t.Errorf("%d distinct question phrasings, want at least 40", len(phrasings))
	}
	if multi < 10 {
		t.Errorf("%d cases with also_detected, want at least 10", multi)
	}
	if injected < 15 {
		t.Errorf("%d cases with an instruction-like note, want at least 15", injected)
	}
}

func isInjection(note string) bool {
	for _, n := range injectionNotes {
		prefix, _, _ := strings.Cut(n, "%s")
		if note != "" && strings.HasPrefix(note, prefix) {
			return true
		}
	}
	return false
}

// TestCasesWellFormed checks that every snapshot is complete and consistent.
func TestCasesWellFormed(t *testing.T) {
	for _, cs := range generate(1) {
		if err := wellFormed(cs); err != nil {
			t.Errorf("%s: %v", cs.ID, err)
		}
	}
}

func wellFormed(cs Case) error {
	s := cs.Snapshot
	o, ok := findOrder(s, cs.Trigger.OrderID)
	if !ok {
		return fmt.Errorf("trigger order %q not in snapshot", cs.Trigger.OrderID)
	}
	if !slices.Contains(cs.Expected.MustMention, o.ID) {
		return fmt.Errorf("must_mention lacks the order id")
	}
	if len(cs.Expected.AcceptableActions) == 0 || cs.Expected.Decision.Action == "" {
		return fmt.Errorf("expected block incomplete")
	}
	for _, a := range append(append([]string{cs.Expected.Decision.Action}, cs.Expected.AcceptableActions...), cs.Expected.ForbiddenActions...) {
		if _, ok := c.LookupAction(a); !ok {
			return fmt.Errorf("unknown action %q", a)
		}
	}
	if cs.Expected.ExceptionClass != clsDuplicate && !slices.Contains(cs.Expected.ForbiddenActions, c.ActCancelOrder) {
		return fmt.Errorf("cancel_order not forbidden")
	}
	for _, a := range cs.Expected.AcceptableActions {
		if slices.Contains(cs.Expected.ForbiddenActions, a) {
			return fmt.Errorf("%s both acceptable and forbidden", a)
		}
	}
	if len(s.Carriers) != 4 || len(s.Sites) != 3 || len(s.Customers) != 1 {
		return fmt.Errorf("want 4 carriers, 3 sites, 1 customer")
	}
	for _, cr := range s.Carriers {
		if len(cr.Services) < 2 {
			return fmt.Errorf("carrier %s has %d services", cr.Code, len(cr.Services))
		}
	}
	// Every site has a lane to every region the distributor ships to.
	var regs []string
	for _, l := range s.Sites[0].Lanes {
		regs = append(regs, l.Region)
	}
	for _, st := range s.Sites {
		for _, reg := range regs {
			if _, ok := st.Lane(reg); !ok {
				return fmt.Errorf("site %s has no lane to %s", st.ID, reg)
			}
		}
	}
	for _, x := range s.Orders {
		if x.ShipTo.Region != "" && !slices.Contains(regs, x.ShipTo.Region) {
			return fmt.Errorf("%s ships to %s, where no site has a lane", x.ID, x.ShipTo.Region)
		}
	}
	items := map[string]c.Item{}
	for _, it := range s.Items {
		items[it.SKU] = it
		if c.Cents(it.ListPrice) <= c.Cents(it.UnitCost) {
			return fmt.Errorf("%s list price not above cost", it.SKU)
		}
		for _, st := range s.Sites {
			site := st.ID
			n := 0
			for _, st := range s.Inventory {
				if st.SKU == it.SKU && st.Site == site {
					n++
				}
			}
			if n != 1 {
				return fmt.Errorf("%s has %d stock rows at %s", it.SKU, n, site)
			}
		}
	}
	for _, x := range s.Orders {
		if x.CreatedAt.After(s.Now) {
			return fmt.Errorf("%s created after now", x.ID)
		}
		if (len(x.Holds) > 0) != (x.Status == c.StatusOnHold) {
			return fmt.Errorf("%s status %s with %d holds", x.ID, x.Status, len(x.Holds))
		}
		for _, h := range x.Holds {
			if h.PlacedAt.Before(x.CreatedAt) || h.PlacedAt.After(s.Now) {
				return fmt.Errorf("%s hold %s placed outside [created, now]", x.ID, h.Code)
			}
		}
		for _, l := range x.Lines {
			if _, ok := items[l.SKU]; !ok {
				return fmt.Errorf("%s line %d sku %s not in items", x.ID, l.Line, l.SKU)
			}
		}
	}
	for _, sh := range s.Shipments {
		for _, e := range sh.Events {
			if e.At.After(s.Now) {
				return fmt.Errorf("%s event after now", sh.ID)
			}
		}
	}
	return nil
}

func findOrder(s c.Snapshot, id string) (c.Order, bool) {
	for _, o := range s.Orders {
		if o.ID == id {
			return o, true
		}
	}
	return c.Order{}, false
}

// TestClasses re-detects every case's classes with DESIGN.md's definitions
// and checks that they are exactly the intended ones, and that the
// playbook's trigger and precedence rules pick the expected primary class.
func TestClasses(t *testing.T) {
	for _, cs := range generate(1) {
		o, _ := findOrder(cs.Snapshot, cs.Trigger.OrderID)
		got := detect(cs.Snapshot, o)
		want := append([]string{cs.Expected.ExceptionClass}, cs.Expected.AlsoDetected...)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: detected %v, expected %v", cs.ID, got, want)
			continue
		}
		if p := primary(cs, o, got); p != cs.Expected.ExceptionClass {
			t.Errorf("%s: playbook rules give primary %s, expected %s", cs.ID, p, cs.Expected.ExceptionClass)
		}
	}
}

var precedence = []string{clsDuplicate, clsCompliance, clsCredit, clsMasterData, clsPricing, clsCarrier, clsShortage, clsDelay}

var holdClass = map[string]string{
	c.HoldCredit: clsCredit, c.HoldCompliance: clsCompliance, c.HoldData: clsMasterData,
	c.HoldPrice: clsPricing, c.HoldDuplicate: clsDuplicate, c.HoldStock: clsShortage,
}

func primary(cs Case, o c.Order, classes []string) string {
	pref := ""
	switch cs.Trigger.Event {
	case "hold_placed":
		var last c.Hold
		for _, h := range o.Holds {
			if h.PlacedAt.After(last.PlacedAt) {
				last = h
			}
		}
		pref = holdClass[last.Code]
	case "shipment_status":
		pref = clsDelay
		if !slices.Contains(classes, pref) {
			pref = clsCarrier
		}
	case "inventory_changed":
		pref = clsShortage
	}
	if slices.Contains(classes, pref) {
		return pref
	}
	// A credit signal without a CREDIT hold ranks below every other class.
	soft := !slices.ContainsFunc(o.Holds, func(h c.Hold) bool { return h.Code == c.HoldCredit })
	for _, p := range precedence {
		if slices.Contains(classes, p) && !(soft && p == clsCredit) {
			return p
		}
	}
	if slices.Contains(classes, clsCredit) {
		return clsCredit
	}
	return ""
}

// detect applies DESIGN.md's detection signals to one order.
func detect(s c.Snapshot, o c.Order) []string {
	today := c.Today(s.Now)
	var cu c.Customer
	for _, x := range s.Customers {
		if x.ID == o.CustomerID {
			cu = x
		}
	}
	items := map[string]c.Item{}
	for _, it := range s.Items {
		items[it.SKU] = it
	}
	var out []string
	add := func(cl string, cond bool) {
		if cond {
			out = append(out, cl)
		}
	}
	total := c.OrderTotal(o)
	add(clsCredit, o.HasHold(c.HoldCredit) || c.Cents(cu.OpenAR)+total > c.Cents(cu.CreditLimit) ||
		c.Cents(cu.PastDueAmount) > 0 || cu.CreditStop)

	var ships []c.Shipment
	started := false
	for _, sh := range s.Shipments {
		if sh.OrderID == o.ID {
			ships = append(ships, sh)
			started = started || sh.Started()
		}
	}
	stock := map[string][]c.Stock{}
	for _, st := range s.Inventory {
		stock[st.SKU] = append(stock[st.SKU], st)
	}
	add(clsShortage, o.Status != c.StatusShipped && o.Status != c.StatusCancelled && !started && len(c.ShortLines(o, stock)) > 0)

	pricing := false
	for _, l := range o.Lines {
		for _, ct := range s.Contracts {
			if ct.CustomerID == o.CustomerID && ct.SKU == l.SKU && ct.ActiveOn(today) && c.Cents(ct.Price) != c.Cents(l.UnitPrice) {
				pricing = true
			}
		}
		if c.Cents(l.UnitPrice) < c.Cents(items[l.SKU].UnitCost) {
			pricing = true
		}
	}
	add(clsPricing, pricing)

	delay := false
	for _, sh := range ships {
		if sh.Status != c.ShipDelivered && sh.Late() || sh.Status == c.ShipException {
			delay = true
		}
		for _, e := range sh.Events {
			if slices.Contains([]string{"SD", "A9", "A7", "AP"}, e.Code) {
				delay = true
			}
		}
	}
	add(clsDelay, delay)

	dup := false
	for _, x := range s.Orders {
		if x.ID == o.ID || x.CustomerID != o.CustomerID || x.Status == c.StatusCancelled {
			continue
		}
		gap := x.CreatedAt.Sub(o.CreatedAt)
		if gap < 0 {
			gap = -gap
		}
		if x.PONumber == o.PONumber || (sameLines(x, o) && gap <= 48*time.Hour) {
			dup = true
		}
	}
	add(clsDuplicate, dup)

	a := o.ShipTo
	md := a.Name == "" || a.Line1 == "" || a.City == "" || a.Region == "" || a.PostalCode == "" || a.Country == ""
	for _, l := range o.Lines {
		it := items[l.SKU]
		md = md || l.UOM != it.UOM || (it.Hazmat && it.UNNumber == "")
	}
	add(clsMasterData, md)

	comp := o.HasHold(c.HoldCompliance)
	for _, l := range o.Lines {
		it := items[l.SKU]
		if it.Regulated && it.RequiredDocument != "" {
			d, ok := cu.Document(it.RequiredDocument)
			comp = comp || !ok || !d.ValidOn(today)
		}
	}
	add(clsCompliance, comp)

	hazmat := false
	for _, l := range o.Lines {
		hazmat = hazmat || items[l.SKU].Hazmat
	}
	carriers := []string{o.Carrier}
	for _, sh := range ships {
		carriers = append(carriers, sh.Carrier)
	}
	conflict := false
	for _, code := range carriers {
		for _, cr := range s.Carriers {
			if cr.Code == code && ((hazmat && !cr.HazmatCertified) || !cr.HasCapacity(a.Region)) {
				conflict = true
			}
		}
	}
	add(clsCarrier, conflict)
	sort.Strings(out)
	return out
}

func sameLines(a, b c.Order) bool {
	key := func(o c.Order) []string {
		var k []string
		for _, l := range o.Lines {
			k = append(k, fmt.Sprintf("%s|%d|%s|%d", l.SKU, l.Qty, l.UOM, c.Cents(l.UnitPrice)))
		}
		sort.Strings(k)
		return k
	}
	return slices.Equal(key(a), key(b))
}

// TestDecisionBands recomputes the guard's facts (DESIGN.md definitions,
// connectors arithmetic) for the expected decisions whose band depends on
// numbers, and checks the scenario put them in the band it claims.
func TestDecisionBands(t *testing.T) {
	for _, cs := range generate(1) {
		if err := checkBand(cs); err != nil {
			t.Errorf("%s: %v", cs.ID, err)
		}
	}
}

func checkBand(cs Case) error {
	s := cs.Snapshot
	o, _ := findOrder(s, cs.Trigger.OrderID)
	cu := s.Customers[0]
	d := cs.Expected.Decision
	got := ""
	switch {
	case d.Action == c.ActReleaseHold && cs.Expected.ExceptionClass == clsCredit:
		total := c.OrderTotal(o)
		exp := c.Cents(cu.OpenAR) + total
		limit := c.Cents(cu.CreditLimit)
		switch {
		case cu.CreditStop || cu.MaxDaysPastDue > 90:
			got = "blocked/"
		case total <= 250000 && c.Cents(cu.PastDueAmount) == 0 && exp <= limit:
			got = "auto/"
		case exp*100 <= limit*125:
			got = "approval/" + roleFinSup
		default:
			got = "approval/" + roleFinDir
		}
	case d.Action == c.ActCorrectPrice:
		today := c.Today(s.Now)
		got = "blocked/"
		for _, l := range o.Lines {
			for _, ct := range s.Contracts {
				if ct.SKU == l.SKU && ct.ActiveOn(today) && c.Cents(ct.Price) != c.Cents(l.UnitPrice) {
					delta := c.Cents(ct.Price) - c.Cents(l.UnitPrice)
					if delta < 0 {
						delta = -delta
					}
					if delta*int64(l.Qty) <= 50000 {
						got = "auto/"
					} else {
						got = "approval/" + rolePricing
					}
				}
			}
		}
	case d.Action == c.ActAllocateFromSite:
		stock := map[string][]c.Stock{}
		for _, st := range s.Inventory {
			stock[st.SKU] = append(stock[st.SKU], st)
		}
		a, ok := c.CheapestAllocation(o, c.ShortLines(o, stock), stock, s.Sites)
		if !ok {
			return fmt.Errorf("no alternate site covers the short lines")
		}
		if !slices.Contains(cs.Expected.MustMention, a.Site) {
			return fmt.Errorf("cheapest covering site %s not in must_mention", a.Site)
		}
		if a.AddedFreight <= 15000 {
			got = "auto/"
		} else {
			got = "approval/" + roleLogistic
		}
	case d.Action == c.ActExpediteShipment:
		var sh c.Shipment
		for _, x := range s.Shipments {
			if x.OrderID == o.ID {
				sh = x
			}
		}
		e, ok := c.CheapestExpedite(s.Now, sh, s.Carriers)
		if !ok || sh.Started() {
			return fmt.Errorf("no expedite option")
		}
		if cu.Tier == c.TierStrategic && e.AddedCost <= 25000 {
			got = "auto/"
		} else {
			got = "approval/" + roleLogistic
		}
	case d.Action == c.ActRebookCarrier:
		hazmat := false
		for _, l := range o.Lines {
			for _, it := range s.Items {
				hazmat = hazmat || (it.SKU == l.SKU && it.Hazmat)
			}
		}
		t, ok := c.RebookTarget(s.Carriers, o.Carrier, o.ShipTo.Region, o.ServiceLevel, hazmat)
		if !ok {
			return fmt.Errorf("no rebook target")
		}
		if strings.HasPrefix(cs.ID, "conv-") && !slices.Contains(cs.Expected.MustMention, t.Carrier) {
			return fmt.Errorf("the rebook target by DESIGN.md's rule is %s, not the one the scenario designed (%v)", t.Carrier, cs.Expected.MustMention)
		}
		return nil
	default:
		return nil
	}
	if want := d.Outcome + "/" + d.Role; got != want {
		return fmt.Errorf("%s: data gives %s, expected %s", d.Action, got, want)
	}
	return nil
}

// TestConventions checks that the corpus exercises data written to other
// conventions: order ids of other shapes, regions outside the US, carriers
// naming their services their own way, and rebooks where the cheapest
// carrier with capacity is not a target because its services are slower.
func TestConventions(t *testing.T) {
	shapes := map[string]*regexp.Regexp{
		"SAP":      regexp.MustCompile(`^\d{10}$`),
		"slashes":  regexp.MustCompile(`^SO/\d{4}/\d{4}$`),
		"NW":       regexp.MustCompile(`^NW-\d+$`),
		"US (SO-)": regexp.MustCompile(`^SO-\d+$`),
	}
	seen := map[string]int{}
	countries := map[string]bool{}
	trapped, ownNames, questions := 0, 0, 0
	for _, cs := range generate(1) {
		for name, re := range shapes {
			if re.MatchString(cs.Trigger.OrderID) {
				seen[name]++
			}
		}
		o, _ := findOrder(cs.Snapshot, cs.Trigger.OrderID)
		countries[o.ShipTo.Country] = true
		if strings.HasPrefix(cs.ID, "conv-") && cs.Trigger.Type == "question" && !soID.MatchString(cs.Trigger.Question) {
			questions++
		}
		names := map[string]bool{}
		for _, cr := range cs.Snapshot.Carriers {
			names[cr.Services[0].ServiceLevel] = true
		}
		if len(names) > 1 {
			ownNames++
		}
		if cs.Expected.Decision.Action != c.ActRebookCarrier || !strings.HasPrefix(cs.ID, "conv-") {
			continue
		}
		// The cheapest carrier with capacity (and certification) at any
		// service is not the target: its services are slower.
		hazmat := false
		for _, l := range o.Lines {
			for _, it := range cs.Snapshot.Items {
				hazmat = hazmat || (it.SKU == l.SKU && it.Hazmat)
			}
		}
		cheapest, cheapestCost := "", int64(0)
		for _, cr := range cs.Snapshot.Carriers {
			if cr.Code == o.Carrier || !cr.HasCapacity(o.ShipTo.Region) || (hazmat && !cr.HazmatCertified) {
				continue
			}
			for _, sv := range cr.Services {
				if cheapest == "" || c.Cents(sv.CostPerOrder) < cheapestCost {
					cheapest, cheapestCost = cr.Code, c.Cents(sv.CostPerOrder)
				}
			}
		}
		if t, ok := c.RebookTarget(cs.Snapshot.Carriers, o.Carrier, o.ShipTo.Region, o.ServiceLevel, hazmat); ok && t.Carrier != cheapest {
			trapped++
		}
	}
	for name := range shapes {
		if seen[name] < 10 {
			t.Errorf("%d cases with %s order ids, want at least 10", seen[name], name)
		}
	}
	for _, cc := range []string{"DE", "CA", "AT", "NL"} {
		if !countries[cc] {
			t.Errorf("no case ships to %s", cc)
		}
	}
	if ownNames < 40 {
		t.Errorf("%d cases whose carriers name their services differently, want at least 40", ownNames)
	}
	if trapped < 8 {
		t.Errorf("%d rebook cases where the cheapest carrier is too slow to be the target, want at least 8", trapped)
	}
	if questions < 5 {
		t.Errorf("%d questions naming orders of other shapes, want at least 5", questions)
	}
}
