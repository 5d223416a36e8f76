package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func mustDefault(t testing.TB) *Engine {
	t.Helper()
	e, err := Default()
	if err != nil {
		t.Fatalf("Default(): %v", err)
	}
	return e
}

func TestDefaultTestFilePasses(t *testing.T) {
	e := mustDefault(t)
	var out bytes.Buffer
	passed, failed, err := RunTests(e, "default_test.yaml", &out)
	if err != nil {
		t.Fatalf("RunTests: %v", err)
	}
	if failed != 0 || passed == 0 {
		t.Fatalf("%d passed, %d failed:\n%s", passed, failed, out.String())
	}
	if !strings.HasSuffix(out.String(), "passed, 0 failed\n") {
		t.Errorf("summary line missing: %q", out.String())
	}
}

// baseFacts is a small credit-hold order well inside every limit.
func baseFacts() Facts {
	return Facts{
		Action:     ActionFacts{Type: "release_hold", HoldCode: "CREDIT"},
		Confidence: 0.9,
		Today:      "2026-05-14",
		Order:      OrderFacts{ID: "SO-1", Status: "on_hold", Total: MoneyOf(1000)},
		Customer: CustomerFacts{ID: "C-1", Tier: "key", CreditLimit: MoneyOf(50000),
			AllowsSubstitution: true, AllowsPartialShipment: true},
		Credit: CreditFacts{Exposure: MoneyOf(1000)},
	}
}

func TestDecide(t *testing.T) {
	e := mustDefault(t)
	tests := []struct {
		name    string
		mod     func(f *Facts)
		outcome Outcome
		role    string
		rule    string
		reason  string // substring
	}{
		{"credit auto", func(f *Facts) {}, Auto, "", "credit.release.auto", "$1,000.00"},
		{"credit total 2500.00", func(f *Facts) { f.Order.Total, f.Credit.Exposure = 250000, 250000 }, Auto, "", "credit.release.auto", ""},
		{"credit total 2500.01", func(f *Facts) { f.Order.Total, f.Credit.Exposure = 250001, 250001 }, Approval, "finance_supervisor", "credit.release.supervisor", "$2,500.01 is over $2,500.00"},
		{"exposure = limit", func(f *Facts) { f.Credit.Exposure = MoneyOf(50000) }, Auto, "", "credit.release.auto", ""},
		{"exposure = limit+0.01", func(f *Facts) { f.Credit.Exposure = MoneyOf(50000.01) }, Approval, "finance_supervisor", "credit.release.supervisor",
			"open AR + order total $50,000.01 is over the $50,000.00 credit limit but within 1.25× ($62,500.00)"},
		{"exposure = 1.25x", func(f *Facts) { f.Credit.Exposure = MoneyOf(62500) }, Approval, "finance_supervisor", "credit.release.supervisor", ""},
		{"exposure = 1.25x+0.01", func(f *Facts) { f.Credit.Exposure = MoneyOf(62500.01) }, Approval, "finance_director", "credit.release.director", "$62,500.01"},
		{"past due", func(f *Facts) { f.Customer.PastDue = 1 }, Approval, "finance_supervisor", "credit.release.supervisor", "$0.01 past due"},
		{"90 days", func(f *Facts) { f.Customer.MaxDaysPastDue = 90 }, Auto, "", "credit.release.auto", ""},
		{"91 days", func(f *Facts) { f.Customer.MaxDaysPastDue = 91 }, Blocked, "", "credit.release.blocked", "91 days past due"},
		{"credit stop", func(f *Facts) { f.Customer.CreditStop = true }, Blocked, "", "credit.release.blocked", "credit stop"},
		{"confidence 0.69", func(f *Facts) { f.Confidence = 0.69 }, Approval, "finance_supervisor", "global.low_confidence", "confidence 0.69 is below 0.7"},
		{"confidence 0.70", func(f *Facts) { f.Confidence = 0.70 }, Auto, "", "credit.release.auto", ""},
		{"confidence NaN", func(f *Facts) { f.Confidence = math.NaN() }, Approval, "finance_supervisor", "global.low_confidence", "confidence 0 is below"},
		{"compliance missing", func(f *Facts) {
			f.Action.HoldCode = "COMPLIANCE"
			f.Compliance = ComplianceFacts{RequiredDocuments: []string{"DEA"}, MissingDocuments: []string{"DEA"}}
		}, Blocked, "", "compliance.release.blocked", "holds no DEA document"},
		{"compliance ok", func(f *Facts) { f.Action.HoldCode = "COMPLIANCE" }, Approval, "compliance_officer", "compliance.release.approval", ""},
		{"price hold", func(f *Facts) { f.Action.HoldCode = "PRICE" }, Approval, "cs_supervisor", "hold.release.approval", "PRICE hold on SO-1"},
		{"price auto 500", func(f *Facts) {
			f.Action = ActionFacts{Type: "correct_price", Line: 1, Price: 500}
			f.Price = PriceFacts{SKU: "S", Qty: 100, Current: 1000, ContractActive: true, Contract: 500, DeltaQty: 50000}
		}, Auto, "", "price.correct.auto", "$500.00"},
		{"price 500.01", func(f *Facts) {
			f.Action = ActionFacts{Type: "correct_price", Line: 1, Price: 500}
			f.Price = PriceFacts{SKU: "S", Qty: 100, Current: 1000, ContractActive: true, Contract: 500, DeltaQty: 50001}
		}, Approval, "pricing_manager", "price.correct.approval", "$500.01"},
		{"price not contract", func(f *Facts) {
			f.Action = ActionFacts{Type: "correct_price", Line: 1, Price: 501}
			f.Price = PriceFacts{SKU: "S", Qty: 1, ContractActive: true, Contract: 500}
		}, Blocked, "", "price.correct.blocked", "not the active contract price $5.00"},
		{"expedite strategic 250", func(f *Facts) {
			f.Action = ActionFacts{Type: "expedite_shipment", ShipmentID: "SH-1", ServiceLevel: "express"}
			f.Customer.Tier, f.Expedite.Cost = "strategic", MoneyOf(250)
		}, Auto, "", "expedite.auto", ""},
		{"expedite key 250", func(f *Facts) {
			f.Action = ActionFacts{Type: "expedite_shipment", ShipmentID: "SH-1", ServiceLevel: "express"}
			f.Expedite.Cost = MoneyOf(250)
		}, Approval, "logistics_supervisor", "expedite.approval", "not strategic"},
		{"unknown action type", func(f *Facts) { f.Action.Type = "launch_rocket" }, Blocked, "", "policy.unknown_action", "launch_rocket"},
		// A placeholder that reads facts is evaluated per decision, never frozen at load.
		{"allocate one line", func(f *Facts) {
			f.Action = ActionFacts{Type: "allocate_from_site", Site: "DC-E", Lines: []int{1}}
			f.Allocation = AllocationFacts{Site: "DC-E", Covers: true, HasLane: true, AddedFreight: MoneyOf(20)}
		}, Auto, "", "allocate.auto", "covers line 1 of SO-1 with added freight $20.00, within $150.00"},
		{"allocate two lines", func(f *Facts) {
			f.Action = ActionFacts{Type: "allocate_from_site", Site: "DC-E", Lines: []int{1, 2}}
			f.Allocation = AllocationFacts{Site: "DC-E", Covers: true, HasLane: true, AddedFreight: MoneyOf(20)}
		}, Auto, "", "allocate.auto", "covers lines 1, 2 of SO-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := baseFacts()
			tc.mod(&f)
			d := e.Decide(f)
			checkDecision(t, d, tc.outcome, tc.role, tc.rule, tc.reason)
		})
	}
}

func checkDecision(t *testing.T, d Decision, outcome Outcome, role, rule, reason string) {
	t.Helper()
	if d.Outcome != outcome || d.Role != role || d.Rule != rule {
		t.Errorf("got %s/%s/%s, want %s/%s/%s (%s)", d.Outcome, d.Role, d.Rule, outcome, role, rule, d.Reason)
	}
	if !strings.Contains(d.Reason, reason) {
		t.Errorf("reason %q lacks %q", d.Reason, reason)
	}
	if strings.Contains(d.Reason, "unavailable") {
		t.Errorf("reason has a failed placeholder: %q", d.Reason)
	}
}

func TestEngineAccessors(t *testing.T) {
	e := mustDefault(t)
	if got := e.Approver("release_hold"); got != "finance_supervisor" {
		t.Errorf("Approver(release_hold) = %q", got)
	}
	if got := e.Approver("notify_customer"); got != "cs_supervisor" {
		t.Errorf("Approver(notify_customer) = %q", got)
	}
	if got := e.Approver("nope"); got != "" {
		t.Errorf("Approver(nope) = %q", got)
	}
	if !strings.HasPrefix(e.Version(), "default.yaml@") || len(e.Version()) != len("default.yaml@")+12 {
		t.Errorf("Version() = %q", e.Version())
	}
	want := []string{"compliance_officer", "cs_supervisor", "finance_director", "finance_supervisor", "logistics_supervisor", "planner", "pricing_manager"}
	if got := e.Roles(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Roles() = %v", got)
	}
}

// replaceIn returns the default policy with old replaced by new (once).
func replaceIn(t *testing.T, old, new string) []byte {
	t.Helper()
	src := string(DefaultSource())
	if !strings.Contains(src, old) {
		t.Fatalf("default.yaml lacks %q", old)
	}
	return []byte(strings.Replace(src, old, new, 1))
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name string
		src  []byte
		want []string // substrings of the error
	}{
		{"broken CEL names the rule",
			replaceIn(t, "when: order.hazmat && !rebook.hazmat_certified", "when: order.hazmat && !rebook.hazmat_certifed"),
			[]string{"rule rebook.blocked", "hazmat_certifed"}},
		{"syntax error names the rule",
			replaceIn(t, "when: expedite.cost <= params", "when: expedite.cost <= = params"),
			[]string{"rule expedite.auto", "Syntax error"}},
		{"non-bool condition",
			replaceIn(t, `when: action.hold_code == "CREDIT"`+"\n", "when: order.total\n"),
			[]string{"rule credit.release.director", "want bool"}},
		{"broken reason placeholder",
			replaceIn(t, "{{ dollars(rebook.cost) }}", "{{ dollars(rebook.costs) }}"),
			[]string{"rule rebook.approval", "rebook.costs"}},
		{"unknown role", replaceIn(t, "role: planner", "role: plannr"), []string{"rule partial.approval", "plannr"}},
		{"missing fallback", replaceIn(t, "      - name: reschedule.approval\n        outcome: approval\n        role: cs_supervisor\n",
			"      - name: reschedule.approval\n        outcome: approval\n        role: cs_supervisor\n        when: order.total > 0\n"),
			[]string{"reschedule_order", "unconditional"}},
		{"action type without rules", replaceIn(t, "types: [partial_ship]", "types: [partial_shipment]"), []string{"partial_shipment"}},
		{"duplicate rule name", replaceIn(t, "name: rebook.approval", "name: rebook.blocked"), []string{"rebook.blocked", "twice"}},
		{"unknown field", replaceIn(t, "    approver: planner\n", "    aprover: planner\n"), []string{"aprover"}},
		{"empty file", nil, []string{"empty"}},
		{"not yaml", []byte("{{{"), []string{"policy x.yaml"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load("x.yaml", tc.src)
			if err == nil {
				t.Fatal("Load accepted a broken policy")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestRunTestsReportsFailures(t *testing.T) {
	e := mustDefault(t)
	src := []byte(`tests:
  - name: wrong on purpose
    action: {type: partial_ship}
    facts: {customer: {allows_partial_shipment: true}}
    expect: {outcome: auto}
  - name: right
    action: {type: partial_ship}
    facts: {customer: {allows_partial_shipment: false}}
    expect: {outcome: blocked, rule: partial.blocked}
`)
	var out bytes.Buffer
	p, f, err := runTests(e, "t.yaml", src, &out)
	if err != nil || p != 1 || f != 1 {
		t.Fatalf("got %d passed, %d failed, %v", p, f, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "FAIL wrong on purpose: got approval by planner, want auto") || lines[1] != "1 passed, 1 failed" {
		t.Errorf("output:\n%s", out.String())
	}
	bad := []byte("tests:\n  - name: x\n    action: {type: partial_ship}\n    facts: {ordr: {}}\n    expect: {outcome: auto}\n")
	if _, _, err := runTests(e, "t.yaml", bad, &out); err == nil || !strings.Contains(err.Error(), "ordr") {
		t.Errorf("unknown facts field: %v", err)
	}
	if _, _, err := RunTests(e, "no-such-file.yaml", &out); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestFactVariables(t *testing.T) {
	vars, err := factVariables()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, v := range vars {
		names[v.name] = true
	}
	for _, n := range []string{"confidence", "today", "order.total", "customer.credit_limit", "credit.exposure",
		"compliance.missing_documents", "price.delta_qty", "allocation.added_freight", "expedite.cost",
		"rebook.hazmat_certified", "order.shipment_started", "action.lines", "substitute.regulated"} {
		if !names[n] {
			t.Errorf("no CEL variable %s", n)
		}
	}
	for n := range names {
		if strings.Contains(n, "note") || strings.Contains(n, "message") || strings.Contains(n, "description") {
			t.Errorf("free text %s must not be a fact", n)
		}
	}
}

func TestMoneyYAMLAndJSON(t *testing.T) {
	for _, s := range []string{"2500.01", "\"2500.01\"", "2500.010"} {
		var m Money
		if err := m.UnmarshalJSON([]byte(s)); err != nil || m != 250001 {
			t.Errorf("UnmarshalJSON(%s) = %d, %v", s, m, err)
		}
	}
	b, _ := Money(-250001).MarshalJSON()
	if string(b) != "-2500.01" {
		t.Errorf("MarshalJSON = %s", b)
	}
	var m Money
	if err := m.UnmarshalJSON([]byte(`"abc"`)); err == nil {
		t.Error("UnmarshalJSON accepted abc")
	}
}

// at returns the 1-based line and column of the first occurrence of mark
// in src, the place a CompileError must point at.
func at(t *testing.T, src []byte, mark string) (line, col int) {
	t.Helper()
	i := strings.Index(string(src), mark)
	if i < 0 {
		t.Fatalf("fixture lacks %q", mark)
	}
	before := string(src[:i])
	line = 1 + strings.Count(before, "\n")
	return line, 1 + utf8.RuneCountInString(before[strings.LastIndex(before, "\n")+1:])
}

func TestCompileErrorPosition(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		mark     string // where the error must point (first occurrence in the new source)
		rule     string
		field    string
		suggest  string
		msg      string
	}{
		{"misspelt fact in a folded condition", "order.total <= params.credit_auto_max_total", "order.totl <= params.credit_auto_max_total",
			"order.totl", "credit.release.auto", "when", "order.total", `undeclared reference to "order.totl"`},
		{"misspelt fact in a plain condition", "when: order.hazmat && !rebook.hazmat_certified", "when: order.hazmat && !rebook.hazmat_certifed",
			"rebook.hazmat_certifed", "rebook.blocked", "when", "rebook.hazmat_certified", "undeclared"},
		{"misspelt fact in a quoted condition", `"!price.contract_active || action.price != price.contract"`, `"!price.contract_active || action.price != price.contrct"`,
			"price.contrct", "price.correct.blocked", "when", "price.contract", "undeclared"},
		{"misspelt parameter", "when: confidence < params.min_confidence", "when: confidence < params.min_confidense",
			"params.min_confidense", "global.low_confidence", "when", "params.min_confidence", "undeclared"},
		{"misspelt function in a reason", "within {{ dollars(params.price_auto_max_delta) }}", "within {{ dollar(params.price_auto_max_delta) }}",
			"dollar(", "price.correct.auto", "reason", "dollars", "placeholder"},
		{"misspelt fact in a reason alternative", "{{ customer.max_days_past_due }} days", "{{ customer.max_day_past_due }} days",
			"customer.max_day_past_due", "credit.release.blocked", "reason[1].text", "customer.max_days_past_due", "undeclared"},
		{"syntax error", "when: expedite.cost <= params", "when: expedite.cost <= = params",
			"= params.expedite_auto_max_cost &&", "expedite.auto", "when", "", "Syntax error"},
		{"misspelt role", "role: planner", "role: plannr", "plannr", "partial.approval", "role", "planner", "not one of the roles"},
		{"misspelt outcome", "name: partial.blocked\n        outcome: blocked", "name: partial.blocked\n        outcome: blokced",
			"blokced", "partial.blocked", "outcome", "blocked", "is not blocked, auto or approval"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := replaceIn(t, tc.old, tc.new)
			_, err := Load("p.yaml", src)
			var ce *CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("want a *CompileError, got %v", err)
			}
			line, col := at(t, src, tc.mark)
			if ce.File != "p.yaml" || ce.Line != line || ce.Col != col || ce.Rule != tc.rule || ce.Field != tc.field || ce.Suggest != tc.suggest {
				t.Errorf("got %s:%d:%d rule %q field %q suggest %q, want p.yaml:%d:%d rule %q field %q suggest %q\n%v",
					ce.File, ce.Line, ce.Col, ce.Rule, ce.Field, ce.Suggest, line, col, tc.rule, tc.field, tc.suggest, err)
			}
			if !strings.Contains(ce.Msg, tc.msg) {
				t.Errorf("message %q lacks %q", ce.Msg, tc.msg)
			}
			prefix := fmt.Sprintf("policy p.yaml:%d:%d: rule %s: ", line, col, tc.rule)
			if !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q does not start with %q", err, prefix)
			}
			if tc.suggest != "" && !strings.HasSuffix(err.Error(), "; did you mean "+tc.suggest+"?") {
				t.Errorf("error %q lacks the suggestion", err)
			}
		})
	}
}

func TestUnknownFieldSuggests(t *testing.T) {
	src := replaceIn(t, "    approver: planner\n", "    aprover: planner\n")
	_, err := Load("p.yaml", src)
	line, _ := at(t, src, "aprover")
	want := fmt.Sprintf(`policy p.yaml:%d: unknown field "aprover" in an actions entry; did you mean approver?`, line)
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestNearest(t *testing.T) {
	known := []string{"order.total", "order.status", "customer.tier", "params.credit_auto_max_total"}
	tests := []struct{ in, want string }{
		{"order.totl", "order.total"},
		{"ordr.total", "order.total"},
		{"order.stats", "order.status"},
		{"customer.teir", "customer.tier"},
		{"params.credit_auto_max_totl", "params.credit_auto_max_total"},
		{"shipment.weight", ""}, // nothing close: no guess
		{"order.total", ""},     // known: nothing to suggest
	}
	for _, tc := range tests {
		if got := nearest(tc.in, known); got != tc.want {
			t.Errorf("nearest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTestResultsVerboseAndJSON(t *testing.T) {
	e := mustDefault(t)
	src := []byte(`tests:
  - name: wrong on purpose
    action: {type: partial_ship}
    facts: {order: {id: SO-1}, customer: {id: C-1, allows_partial_shipment: true}}
    expect: {outcome: auto}

  - name: right
    action: {type: partial_ship}
    facts: {customer: {allows_partial_shipment: false}}
    expect: {outcome: blocked, rule: partial.blocked}
`)
	rs, err := runTestSource(e, "t.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		verbose bool
		want    []string
	}{
		{false, []string{
			"FAIL wrong on purpose: got approval by planner, want auto (decision: needs approval by planner (partial.approval): customer C-1 accepts partial shipments; a planner approves shipping SO-1 in part)",
			"1 passed, 1 failed"}},
		{true, []string{
			"t.yaml:",
			"  FAIL  wrong on purpose → approval by planner (partial.approval)",
			"        t.yaml:2: got approval by planner, want auto (decision: needs approval by planner (partial.approval): customer C-1 accepts partial shipments; a planner approves shipping SO-1 in part)",
			"  PASS  right → blocked (partial.blocked)",
			"1 passed, 1 failed"}},
	}
	for _, tc := range tests {
		var out bytes.Buffer
		if p, f := WriteTestResults(&out, rs, tc.verbose); p != 1 || f != 1 {
			t.Errorf("counts %d, %d", p, f)
		}
		if got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"); !slices.Equal(got, tc.want) {
			t.Errorf("verbose=%v:\n%s\nwant:\n%s", tc.verbose, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
	b, err := json.Marshal(NewTestReport(e, rs))
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Policy         string
		Passed, Failed int
		Results        []struct {
			Name     string
			Line     int
			Pass     bool
			Problem  string
			Decision struct{ Outcome, Role, Rule string }
		}
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Policy != e.Version() || back.Passed != 1 || back.Failed != 1 || len(back.Results) != 2 ||
		back.Results[0].Pass || back.Results[0].Line != 2 || back.Results[0].Decision.Role != "planner" ||
		!back.Results[1].Pass || back.Results[1].Line != 7 || back.Results[1].Decision.Rule != "partial.blocked" {
		t.Errorf("json: %s", b)
	}
}
