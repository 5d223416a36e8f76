package policy

import (
	"strings"
	"testing"
)

// TestReasonsFollowThresholds changes a threshold where the policy names it
// and checks that the decisions and every reason citing it follow: no reason
// may still state the old amount.
func TestReasonsFollowThresholds(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		mod      func(f *Facts)
		rule     string
		want     []string // reason substrings
		stale    string   // the old amount, which no reason may state
	}{
		{"credit auto at the raised limit", "usd(2500)", "usd(3000)",
			func(f *Facts) { f.Order.Total, f.Credit.Exposure = MoneyOf(2800), MoneyOf(2800) },
			"credit.release.auto", []string{"order total $2,800.00 is within $3,000.00"}, "$2,500.00"},
		{"credit supervisor over the raised limit", "usd(2500)", "usd(3000)",
			func(f *Facts) { f.Order.Total, f.Credit.Exposure = MoneyOf(3000.01), MoneyOf(3000.01) },
			"credit.release.supervisor", []string{"order total $3,000.01 is over $3,000.00"}, "$2,500.00"},
		{"credit supervisor share of the limit", "credit_supervisor_max_exposure_pct: 125", "credit_supervisor_max_exposure_pct: 150",
			func(f *Facts) { f.Credit.Exposure = MoneyOf(70000) },
			"credit.release.supervisor", []string{"within 1.5× ($75,000.00)"}, "1.25"},
		{"credit director over the share", "credit_supervisor_max_exposure_pct: 125", "credit_supervisor_max_exposure_pct: 110",
			func(f *Facts) { f.Credit.Exposure = MoneyOf(56000) },
			"credit.release.director", []string{"over 1.1× the $50,000.00 credit limit ($55,000.00)"}, "1.25"},
		{"days past due", "credit_block_days_past_due: 90", "credit_block_days_past_due: 60",
			func(f *Facts) { f.Customer.PastDue, f.Customer.MaxDaysPastDue = MoneyOf(10), 61 },
			"credit.release.blocked", []string{"61 days past due, over the 60-day limit"}, "90"},
		{"price delta", "usd(500)", "usd(750)",
			func(f *Facts) {
				f.Action = ActionFacts{Type: "correct_price", Line: 1, Price: 500}
				f.Price = PriceFacts{SKU: "S", Qty: 100, Current: 1200, ContractActive: true, Contract: 500, DeltaQty: 70000}
			},
			"price.correct.auto", []string{"$700.00", "within $750.00"}, "$500.00"},
		{"added freight", "usd(150)", "usd(100)",
			func(f *Facts) {
				f.Action = ActionFacts{Type: "allocate_from_site", Site: "DC-E", Lines: []int{1}}
				f.Allocation = AllocationFacts{Site: "DC-E", Covers: true, HasLane: true, AddedFreight: MoneyOf(120)}
			},
			"allocate.approval", []string{"adds $120.00 freight, over $100.00"}, "$150.00"},
		{"expedite cost", "usd(250)", "usd(400)",
			func(f *Facts) {
				f.Action = ActionFacts{Type: "expedite_shipment", ShipmentID: "SH-1", ServiceLevel: "express"}
				f.Shipment.ID, f.Expedite.ServiceLevel = "SH-1", "express"
				f.Customer.Tier, f.Expedite.Cost = "strategic", MoneyOf(300)
			},
			"expedite.auto", []string{"costs $300.00 more, within $400.00 for strategic customer"}, "$250.00"},
		{"expedite tier", `expedite_auto_tier: "strategic"`, `expedite_auto_tier: "key"`,
			func(f *Facts) {
				f.Action = ActionFacts{Type: "expedite_shipment", ShipmentID: "SH-1", ServiceLevel: "express"}
				f.Customer.Tier, f.Expedite.Cost = "standard", MoneyOf(100)
			},
			"expedite.approval", []string{"is standard, not key"}, "strategic"},
		{"confidence", "min_confidence: 0.7", "min_confidence: 0.8",
			func(f *Facts) { f.Confidence = 0.75 },
			"global.low_confidence", []string{"confidence 0.75 is below 0.8"}, "0.7,"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := string(DefaultSource())
			if n := strings.Count(src, tc.old); n != 1 {
				t.Fatalf("default.yaml states %q %d times; a threshold is named once", tc.old, n)
			}
			e, err := Load("changed.yaml", []byte(strings.ReplaceAll(src, tc.old, tc.new)))
			if err != nil {
				t.Fatal(err)
			}
			f := baseFacts()
			tc.mod(&f)
			d := e.Decide(f)
			if d.Rule != tc.rule {
				t.Fatalf("rule %s, want %s (%s)", d.Rule, tc.rule, d.Reason)
			}
			for _, w := range tc.want {
				if !strings.Contains(d.Reason, w) {
					t.Errorf("reason %q lacks %q", d.Reason, w)
				}
			}
			if strings.Contains(d.Reason, tc.stale) {
				t.Errorf("reason %q still states the old threshold %s", d.Reason, tc.stale)
			}
		})
	}
}

func TestDefaultReasonsStateNoThreshold(t *testing.T) {
	if w := mustDefault(t).Warnings(); len(w) > 0 {
		t.Fatalf("default.yaml reasons state thresholds literally: %v", w)
	}
}

func TestLiteralAmountInReasonWarns(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"amount", "within {{ dollars(params.price_auto_max_delta) }}", "within $500.00",
			"rule price.correct.auto: the reason states the amount $500.00"},
		{"threshold", "over the {{ params.credit_block_days_past_due }}-day limit", "over the 90-day limit",
			"rule credit.release.blocked: the reason states 90, a threshold"},
		{"ratio", "{{ double(params.credit_supervisor_max_exposure_pct) / 100.0 }}× the", "125% of the",
			"rule credit.release.director: the reason states 125, a threshold"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := replaceIn(t, tc.old, tc.new)
			e, err := Load("p.yaml", src)
			if err != nil {
				t.Fatal(err)
			}
			ws := e.Warnings()
			if len(ws) != 1 || !strings.Contains(ws[0].String(), tc.want) {
				t.Fatalf("warnings %v, want one with %q", ws, tc.want)
			}
			line, col := at(t, src, tc.new)
			if ws[0].Line != line || ws[0].Col < col {
				t.Errorf("warning at %d:%d, want line %d from column %d", ws[0].Line, ws[0].Col, line, col)
			}
		})
	}
}

func TestParamsRejects(t *testing.T) {
	tests := []struct{ name, old, new, want string }{
		{"reads a fact", "min_confidence: 0.7", "min_confidence: order.total", "a parameter is a constant; it cannot read the fact order.total"},
		{"bad name", "min_confidence: 0.7", "Min-Confidence: 0.7", "params.Min-Confidence: a parameter name is lower-case"},
		{"used twice", "credit_block_days_past_due: 90", "min_confidence: 90", "params.min_confidence: the name is used twice"},
		{"not a constant", "min_confidence: 0.7", "min_confidence: [1, 2]", "want a constant"},
		{"syntax", "credit_block_days_past_due: 90", "credit_block_days_past_due: 90 +", "params.credit_block_days_past_due: Syntax error"},
		{"wrong type for the condition", "credit_block_days_past_due: 90", "credit_block_days_past_due: \"ninety\"", "rule credit.release.blocked: when:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("p.yaml", replaceIn(t, tc.old, tc.new))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestRulesAndParamsListing(t *testing.T) {
	e := mustDefault(t)
	rules := e.Rules()
	byName := map[string]RuleInfo{}
	for _, r := range rules {
		byName[r.Name] = r
	}
	if len(byName) != len(rules) || rules[0].Name != "global.low_confidence" || !rules[0].Global {
		t.Fatalf("rules: %+v", rules)
	}
	auto := byName["credit.release.auto"]
	if strings.Join(auto.Actions, ",") != "release_hold" || auto.Outcome != Auto || auto.Approver != "finance_supervisor" ||
		!strings.HasPrefix(auto.When, `action.hold_code == "CREDIT" && order.total <= params.credit_auto_max_total`) || auto.Line == 0 {
		t.Errorf("credit.release.auto: %+v", auto)
	}
	if r := byName["partial.approval"]; r.Outcome != Approval || r.Role != "planner" || r.When != "" {
		t.Errorf("partial.approval: %+v", r)
	}
	if r := byName["tasks.auto"]; len(r.Actions) != 6 {
		t.Errorf("tasks.auto: %+v", r)
	}
	var found bool
	for _, p := range e.Params() {
		if p.Name == "params.credit_auto_max_total" {
			found = p.Expr == "usd(2500)" && p.Value == int64(250000)
		}
	}
	if !found {
		t.Errorf("params: %+v", e.Params())
	}
}

func TestExplainNamesTheFactsRead(t *testing.T) {
	e := mustDefault(t)
	tests := []struct {
		name   string
		mod    func(f *Facts)
		rule   string
		want   []string // facts that must be listed
		absent []string // facts the decision did not need
	}{
		{"credit auto", func(f *Facts) {}, "credit.release.auto",
			[]string{"action.hold_code", "customer.credit_stop", "order.total", "customer.past_due", "credit.exposure", "customer.credit_limit", "confidence"},
			[]string{"price.delta_qty", "expedite.cost"}},
		{"credit stop", func(f *Facts) { f.Customer.CreditStop = true }, "credit.release.blocked",
			[]string{"action.hold_code", "customer.credit_stop", "customer.id", "order.id"},
			[]string{"order.total", "confidence"}},
		{"partial", func(f *Facts) { f.Action = ActionFacts{Type: "partial_ship"} }, "partial.approval",
			[]string{"customer.allows_partial_shipment"}, []string{"action.hold_code"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := baseFacts()
			tc.mod(&f)
			d, used := e.Explain(f)
			if want := e.Decide(f); d != want || d.Rule != tc.rule {
				t.Fatalf("Explain decided %+v, Decide %+v, want rule %s", d, want, tc.rule)
			}
			names := map[string]FactValue{}
			for _, u := range used {
				names[u.Name] = u
			}
			for _, n := range tc.want {
				if _, ok := names[n]; !ok {
					t.Errorf("facts used %v lack %s", used, n)
				}
			}
			for _, n := range tc.absent {
				if _, ok := names[n]; ok {
					t.Errorf("facts used %v list %s, which the decision did not read", used, n)
				}
			}
		})
	}
	_, used := e.Explain(baseFacts())
	for _, u := range used {
		if u.Name == "order.total" && u.String() != "order.total = $1,000.00" {
			t.Errorf("money fact prints as %q", u.String())
		}
	}
}
