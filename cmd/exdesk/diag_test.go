package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sharedExamples returns the shared examples directory, skipping outside CI
// when it is not there.
func sharedExamples(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.Abs("../../../shared/evals/examples")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return dir
}

// casesDir writes cases into a temporary directory and returns it: each
// file named by a key is the shared example named first in its value,
// edited by the old → new pairs that follow.
func casesDir(t *testing.T, files map[string][]string) string {
	t.Helper()
	examples := sharedExamples(t)
	dir := t.TempDir()
	for name, spec := range files {
		b, err := os.ReadFile(filepath.Join(examples, spec[0]))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for i := 1; i+1 < len(spec); i += 2 {
			if !strings.Contains(s, spec[i]) {
				t.Fatalf("%s lacks %q", spec[0], spec[i])
			}
			s = strings.Replace(s, spec[i], spec[i+1], 1)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestEvalRefusesBadFlagValues(t *testing.T) {
	examples := sharedExamples(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--workers", "0"}, "exdesk eval: --workers must be between 1 and 1024, got 0"},
		{[]string{"--workers", "-2"}, "exdesk eval: --workers must be between 1 and 1024, got -2"},
		{[]string{"--workers", "5000"}, "exdesk eval: --workers must be between 1 and 1024, got 5000"},
		{[]string{"--epochs", "0"}, "exdesk eval: --epochs must be between 1 and 1000, got 0"},
		{[]string{"--epochs", "-1"}, "exdesk eval: --epochs must be between 1 and 1000, got -1"},
		{[]string{"-o", "yaml"}, `exdesk eval: -o must be text or json, got "yaml"`},
		{[]string{"--filter", "("}, `exdesk eval: --filter "(" is not a regular expression`},
		{[]string{"--filter", "^no-such-case$"}, `exdesk eval: --filter "^no-such-case$" matches no case id or title of the 23 cases in`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := runWithInput(t, "", append([]string{"eval", "--cases", examples, "--quiet"}, tc.args...)...)
			if code != exitUsage || out != "" {
				t.Errorf("exit %d (want %d), stdout %q", code, exitUsage, out)
			}
			if !strings.HasPrefix(errOut, tc.want) || strings.Count(errOut, "\n") != 1 {
				t.Errorf("stderr %q, want one line starting %q", errOut, tc.want)
			}
		})
	}
}

func TestEvalDiagnostics(t *testing.T) {
	dir := casesDir(t, map[string][]string{
		"credit-supervisor-01.json": {"credit-supervisor-01.json"},
		// The expected role is wrong on purpose: the case fails its decision check.
		"credit-director-01.json": {"credit-director-01.json", `"role": "finance_director"`, `"role": "finance_supervisor"`},
		"pricing-auto-01.json":    {"pricing-auto-01.json", `"format"`, `"format" "broken"`},
	})
	report := filepath.Join(t.TempDir(), "r.json")
	code, out, errOut := runWithInput(t, "", "eval", "--cases", dir, "--quiet", "--report", report, "--junit", filepath.Join(t.TempDir(), "j.xml"))
	if code != exitFailed {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitFailed, out, errOut)
	}
	for _, want := range []string{
		"FAIL  credit-director-01",
		"      decision: want release_hold approval by finance_supervisor, got release_hold approval by finance_director (rule credit.release.director)",
		"ERROR pricing-auto-01: ",
		"1 passed, 1 failed, 1 errored",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// -o json: the report on stdout, nothing else.
	code, out, _ = runWithInput(t, "", "eval", "--cases", dir, "--quiet", "-o", "json")
	var rep struct {
		Format  string
		Metrics struct{ Passed, Failed, Errored int }
		Cases   []struct {
			ID       string
			Failures []struct{ Check, Want, Got string }
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitFailed {
		t.Fatalf("-o json: exit %d, %v:\n%s", code, err, out)
	}
	if rep.Format != "exdesk.report/v1" || rep.Metrics.Passed != 1 || rep.Metrics.Failed != 1 || rep.Metrics.Errored != 1 {
		t.Errorf("-o json report: %+v", rep)
	}

	// --only-failing reruns the failed and errored cases; --filter picks by id.
	for _, tc := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"--only-failing", report}, "0 passed, 1 failed, 1 errored", exitFailed},
		{[]string{"--filter", "supervisor"}, "1 passed, 0 failed, 0 errored", exitOK},
		{[]string{"--filter", "director", "--compare", report}, "no flips against the baseline", exitFailed},
	} {
		code, out, errOut := runWithInput(t, "", append([]string{"eval", "--cases", dir, "--quiet"}, tc.args...)...)
		if code != tc.code || !strings.Contains(out, tc.want) || strings.Contains(out, "removed") {
			t.Errorf("%v: exit %d, want %d and %q:\n%s%s", tc.args, code, tc.code, tc.want, out, errOut)
		}
	}
}

func TestEvalBaselineFromAnotherSuiteWarns(t *testing.T) {
	examples := sharedExamples(t)
	base := filepath.Join(t.TempDir(), "examples.json")
	if code, out, errOut := runWithInput(t, "", "eval", "--cases", examples, "--quiet", "--report", base); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	other := casesDir(t, map[string][]string{
		"other-suite-01.json": {"credit-supervisor-01.json", `"id": "credit-supervisor-01"`, `"id": "other-suite-01"`},
		"other-suite-02.json": {"pricing-auto-01.json", `"id": "pricing-auto-01"`, `"id": "other-suite-02"`},
	})
	code, out, errOut := runWithInput(t, "", "eval", "--cases", other, "--quiet", "--compare", base)
	if code != exitOK || !strings.Contains(out, "warning: the baseline shares 0 of this run's 2 case ids (it has 23)") ||
		strings.Contains(out, "removed") || strings.Contains(out, "added") {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
}

func TestPolicyTestVerboseAndJSON(t *testing.T) {
	code, out, errOut := runWithInput(t, "", "policy", "test", "-v", "../../policy/default_test.yaml")
	if code != exitOK || !strings.Contains(out, "  PASS  credit release auto at total exactly 2,500.00 → auto (credit.release.auto)") ||
		!strings.HasSuffix(out, " passed, 0 failed\n") {
		t.Errorf("policy test -v: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runWithInput(t, "", "policy", "test", "../../policy/default_test.yaml", "--format", "json")
	var rep struct {
		Passed, Failed int
		Results        []struct {
			Name     string
			Pass     bool
			Decision struct{ Outcome, Rule string }
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitOK || rep.Failed != 0 || rep.Passed != len(rep.Results) || rep.Passed < 50 {
		t.Errorf("policy test --format json: exit %d, %v, %+v", code, err, rep)
	}
	failing := filepath.Join(t.TempDir(), "t.yaml")
	os.WriteFile(failing, []byte("tests:\n  - name: wrong\n    action: {type: partial_ship}\n    facts: {customer: {allows_partial_shipment: true}}\n    expect: {outcome: auto}\n"), 0o644)
	code, out, _ = runWithInput(t, "", "policy", "test", "-v", failing)
	if code != exitFailed || !strings.Contains(out, "  FAIL  wrong → approval by planner (partial.approval)") || !strings.Contains(out, "t.yaml:2: got approval by planner, want auto") {
		t.Errorf("failing test: exit %d\n%s", code, out)
	}
}

func TestPolicyCheckListsRulesAndPointsAtErrors(t *testing.T) {
	code, out, errOut := runWithInput(t, "", "policy", "check")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"compiles: 26 rules, 8 parameters", "params.credit_auto_max_total", "usd(2500)", "release_hold:",
		"credit.release.auto", "approval by finance_director", `when action.hold_code == "CREDIT" && order.total <= params.credit_auto_max_total`} {
		if !strings.Contains(out, want) {
			t.Errorf("policy check lacks %q:\n%s", want, out)
		}
	}
	src, _ := os.ReadFile("../../policy/default.yaml")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	broken := strings.Replace(string(src), "order.total <= params", "order.totl <= params", 1)
	os.WriteFile(bad, []byte(broken), 0o644)
	line := strings.Count(broken[:strings.Index(broken, "order.totl")], "\n") + 1
	col := strings.Index(broken, "order.totl") - strings.LastIndex(broken[:strings.Index(broken, "order.totl")], "\n")
	code, _, errOut = runWithInput(t, "", "policy", "check", bad)
	want := "exdesk policy check: policy " + bad + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col) +
		`: rule credit.release.auto: when: undeclared reference to "order.totl"; did you mean order.total?` + "\n"
	if code != exitFailed || errOut != want {
		t.Errorf("broken policy: exit %d\n%q\nwant\n%q", code, errOut, want)
	}
	code, out, _ = runWithInput(t, "", "policy", "check", "--format", "json", bad)
	var ce struct {
		Compiles  bool
		Line, Col int
		Suggest   string
	}
	if err := json.Unmarshal([]byte(out), &ce); err != nil || code != exitFailed || ce.Compiles || ce.Line != line || ce.Col != col || ce.Suggest != "order.total" {
		t.Errorf("broken policy, json: exit %d %v %s", code, err, out)
	}
}

func TestPolicyEvalPrintsDecisionAndFacts(t *testing.T) {
	examples := sharedExamples(t)
	file := filepath.Join(examples, "credit-supervisor-01.json")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{"credit release", []string{"--action", `{"type":"release_hold","args":{"hold_code":"CREDIT"}}`}, exitOK,
			[]string{"decision: approval by finance_supervisor (rule credit.release.supervisor)", "reason:   open AR + order total $55,000.00",
				"facts used:", "  credit.exposure ", "$55,000.00", "  customer.credit_limit ", "$50,000.00"}, ""},
		{"low confidence", []string{"--action", `{"type":"notify_customer","args":{"message":"hi"}}`, "--confidence", "0.5"}, exitOK,
			[]string{"decision: approval by cs_supervisor (rule global.low_confidence)", "  confidence ", "0.5"}, ""},
		{"action that does not fit", []string{"--action", `{"type":"release_hold","args":{"hold_code":"PRICE"}}`}, exitHarness,
			nil, "does not fit the order, so no rule runs: order SO-10047 has no PRICE hold"},
		{"bad JSON", []string{"--action", `{"type":"release_hold","arg":{}}`}, exitUsage, nil, `unknown field "arg"`},
		{"no action", nil, exitUsage, nil, "give --case FILE and --action JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runWithInput(t, "", append([]string{"policy", "eval", "--case", file}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.stderr) {
				t.Fatalf("exit %d (want %d)\n%s%s", code, tc.code, out, errOut)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	code, out, _ := runWithInput(t, "", "policy", "eval", "--format", "json", "--case", file, "--action", `{"type":"release_hold","args":{"hold_code":"CREDIT"}}`)
	var res struct {
		Decision  struct{ Outcome, Role, Rule string }
		FactsUsed []struct {
			Name  string
			Value any
		} `json:"facts_used"`
		Facts struct{ Order struct{ ID string } }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitOK || res.Decision.Role != "finance_supervisor" ||
		len(res.FactsUsed) == 0 || res.Facts.Order.ID != "SO-10047" {
		t.Errorf("json: exit %d %v\n%s", code, err, out)
	}
}

func TestPolicyDiffCommand(t *testing.T) {
	src, err := os.ReadFile("../../policy/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	raised := filepath.Join(dir, "raised.yaml")
	os.WriteFile(raised, []byte(strings.ReplaceAll(string(src), "usd(2500)", "usd(3000)")), 0o644)
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"flips, exit 0", []string{"../../policy/default.yaml", raised, "--cases", "../../evals/cases"}, exitOK,
			[]string{"credit-over-auto-total-01", "approval by finance_supervisor → auto", "credit.release.supervisor → credit.release.auto",
				"by rule:", "by outcome:", "2 decisions flip in 2 cases"}},
		{"flips, --fail-on-flip", []string{"--fail-on-flip", "../../policy/default.yaml", raised, "--cases", "../../evals/cases"}, exitFailed,
			[]string{"2 decisions flip"}},
		{"nothing flips", []string{"--fail-on-flip", "../../policy/default.yaml", "../../policy/default.yaml", "--cases", "../../evals/cases"}, exitOK,
			[]string{"0 decisions flip in 0 cases"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runWithInput(t, "", append([]string{"policy", "diff"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	if code, _, errOut := runWithInput(t, "", "policy", "diff", raised, "--cases", "../../evals/cases"); code != exitUsage || !strings.Contains(errOut, "name two policy files") {
		t.Errorf("one file: exit %d %q", code, errOut)
	}
}

// FuzzParseAction: any --action text gives an action with a type or an
// error, never a panic.
func FuzzParseAction(f *testing.F) {
	f.Add(`{"type":"release_hold","args":{"hold_code":"CREDIT"}}`)
	f.Add(`{"type":"correct_price","order_id":"SO-1","args":{"line":1,"price":12.5}}`)
	f.Add(`{"type":""}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseAction(s)
		if err == nil && (a.Type == "" || a.Args == nil) {
			t.Fatalf("parseAction(%q) = %+v without an error", s, a)
		}
	})
}
