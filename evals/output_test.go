package evals_test

import (
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/evals"
	"github.com/exdesk/exdesk/policy"
)

// mixedReport runs a pass, a failing case (wrong decision expected), a
// malformed file and an unlabeled case.
func mixedReport(t *testing.T) *evals.Report {
	t.Helper()
	dir := t.TempDir()
	good := readExample(t, "credit-supervisor-01.json")
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a-pass.json", string(good))
	wrong := strings.Replace(string(good), `"role": "finance_supervisor"`, `"role": "finance_director"`, 1)
	write("b-fail.json", strings.Replace(wrong, `"credit-supervisor-01"`, `"wrong-role-01"`, 1))
	write("c-bad.json", string(good[:80]))
	unlabeled := strings.Replace(string(good), `"expected"`, `"expected_by_hand"`, 1)
	write("d-unlabeled.json", strings.Replace(unlabeled, `"credit-supervisor-01"`, `"unlabeled-01"`, 1))
	return runDir(t, dir)
}

func TestFailuresShowExpectedAgainstActual(t *testing.T) {
	rep := mixedReport(t)
	var out strings.Builder
	evals.WriteFailures(&out, rep)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a FAIL line, its decision line and an ERROR line:\n%s", out.String())
	}
	if !strings.HasPrefix(lines[0], "FAIL  wrong-role-01 — ") {
		t.Errorf("FAIL line: %q", lines[0])
	}
	if want := "      decision: want release_hold approval by finance_director, got release_hold approval by finance_supervisor (rule credit.release.supervisor)"; lines[1] != want {
		t.Errorf("decision line:\n%q\nwant\n%q", lines[1], want)
	}
	if !strings.HasPrefix(lines[2], "ERROR c-bad: ") || !strings.Contains(lines[2], "c-bad.json") {
		t.Errorf("ERROR line: %q", lines[2])
	}
	if got := evals.Summary(rep); got != "1 passed, 1 failed, 1 errored, 1 unlabeled (reported, not scored)" {
		t.Errorf("summary %q", got)
	}
	if rep.Metrics.Failed != 1 || rep.Metrics.Errored != 1 || !evals.Failing(rep) {
		t.Errorf("metrics %+v", rep.Metrics)
	}

	path := filepath.Join(t.TempDir(), "j.xml")
	if err := evals.WriteJUnit(path, rep); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	var suites struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Errors   int `xml:"errors,attr"`
			Skipped  int `xml:"skipped,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Body    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &suites); err != nil {
		t.Fatal(err)
	}
	s := suites.Suites[0]
	if s.Tests != 4 || s.Failures != 1 || s.Errors != 1 || s.Skipped != 1 {
		t.Errorf("junit counts %+v", s)
	}
	for _, c := range s.Cases {
		if c.Name == "wrong-role-01" && (c.Failure == nil ||
			c.Failure.Message != "decision: want release_hold approval by finance_director, got release_hold approval by finance_supervisor (rule credit.release.supervisor)" ||
			!strings.Contains(c.Failure.Body, "summary: ")) {
			t.Errorf("junit failure of wrong-role-01: %+v", c.Failure)
		}
	}
}

func TestScorecardColumnsAreNamedOnce(t *testing.T) {
	rep := mixedReport(t)
	var out strings.Builder
	if err := evals.WriteScorecard(&out, rep); err != nil {
		t.Fatal(err)
	}
	header := strings.Split(out.String(), "\n")[0]
	cols := regexp.MustCompile(`\S+(?: \S+)*`).FindAllString(header, -1)
	if len(cols) != 10 {
		t.Fatalf("header %q has %d columns: %q", header, len(cols), cols)
	}
	seen := map[string]bool{}
	for _, c := range cols {
		if seen[c] {
			t.Errorf("column %q named twice in %q", c, header)
		}
		seen[c] = true
	}
	if !strings.Contains(out.String(), "1 passed, 1 failed, 1 errored") {
		t.Errorf("scorecard:\n%s", out.String())
	}
}

func report(ids map[string]string) *evals.Report {
	r := &evals.Report{Format: evals.ReportFormat}
	keys := make([]string, 0, len(ids))
	for id := range ids {
		keys = append(keys, id)
	}
	slices.Sort(keys)
	for _, id := range keys {
		c := evals.CaseResult{ID: id, Scored: true}
		switch ids[id] {
		case "pass":
			c.Pass = true
		case "error":
			c.Error = "boom"
		}
		r.Cases = append(r.Cases, c)
	}
	return r
}

func TestCompareWith(t *testing.T) {
	base := report(map[string]string{"a": "pass", "b": "pass", "c": "fail", "d": "pass"})
	tests := []struct {
		name    string
		run     *evals.Report
		subset  bool
		flips   []evals.Flip
		warning bool
	}{
		{"same suite", report(map[string]string{"a": "pass", "b": "fail", "c": "pass", "e": "pass"}), false,
			[]evals.Flip{{"b", "pass", "fail"}, {"c", "fail", "pass"}, {"d", "pass", "absent"}, {"e", "absent", "pass"}}, false},
		{"subset rerun", report(map[string]string{"c": "pass"}), true,
			[]evals.Flip{{"c", "fail", "pass"}}, false},
		{"another suite", report(map[string]string{"x": "pass", "y": "fail", "z": "pass", "a": "fail"}), false,
			[]evals.Flip{{"a", "pass", "fail"}}, true},
		{"no overlap", report(map[string]string{"x": "pass", "y": "fail"}), false, []evals.Flip{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := evals.CompareWith(base, tc.run, tc.subset)
			if !slices.Equal(c.Flips, tc.flips) {
				t.Errorf("flips %v, want %v", c.Flips, tc.flips)
			}
			if (c.Warning != "") != tc.warning {
				t.Errorf("warning %q", c.Warning)
			}
			var out strings.Builder
			evals.WriteComparison(&out, c)
			if strings.Contains(out.String(), "removed (") && tc.warning {
				t.Errorf("another suite's cases listed as removed:\n%s", out.String())
			}
		})
	}
}

func TestSelectAndFailingIn(t *testing.T) {
	loaded, err := evals.LoadDir(examples)
	if err != nil {
		t.Skip(err)
	}
	ids := func(ls []evals.Loaded) []string {
		var out []string
		for _, l := range ls {
			out = append(out, l.Case.ID)
		}
		return out
	}
	if got := ids(evals.Select(loaded, regexp.MustCompile(`^credit-(supervisor|director)`))); !slices.Equal(got, []string{"credit-director-01", "credit-supervisor-01"}) {
		t.Errorf("by id: %v", got)
	}
	var title string
	for _, l := range loaded {
		if l.Case.ID == "pricing-auto-01" {
			title = l.Case.Title
		}
	}
	if got := ids(evals.Select(loaded, regexp.MustCompile(regexp.QuoteMeta(title)))); !slices.Contains(got, "pricing-auto-01") {
		t.Errorf("by title %q: %v", title, got)
	}
	base := report(map[string]string{"carrier-hazmat-01": "fail", "credit-stale-01": "error", "pricing-auto-01": "pass", "gone-01": "fail"})
	if got := ids(evals.FailingIn(loaded, base)); !slices.Equal(got, []string{"carrier-hazmat-01", "credit-stale-01"}) {
		t.Errorf("failing: %v", got)
	}
}

// TestDiffPoliciesRaisedCreditLimit raises the automatic credit release
// limit from $2,500 to $3,000 and checks the flips against what the
// snapshots say: exactly the proposed CREDIT releases of orders over $2,500
// and up to $3,000 (no past due, within the limit, not stopped) go from a
// finance supervisor's approval to auto, with a reason citing $3,000.00.
func TestDiffPoliciesRaisedCreditLimit(t *testing.T) {
	old := mustPolicy(t)
	src := string(policy.DefaultSource())
	raised, err := policy.Load("raised.yaml", []byte(strings.ReplaceAll(src, "usd(2500)", "usd(3000)")))
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := evals.LoadDir("cases")
	if err != nil {
		t.Fatal(err)
	}
	// The oracle: from each snapshot, which proposed CREDIT release should flip.
	rep := runDir(t, "cases")
	want := map[string]bool{}
	for i, l := range loaded {
		proposed := slices.ContainsFunc(rep.Cases[i].Actions, func(a evals.ActionResult) bool {
			return a.Type == "release_hold" && a.Args["hold_code"] == "CREDIT"
		})
		if !proposed {
			continue
		}
		id, _ := l.Case.Trigger.ResolveOrderID()
		for _, o := range l.Case.Snapshot.Orders {
			if o.ID != id {
				continue
			}
			total := connectors.OrderTotal(o)
			for _, cu := range l.Case.Snapshot.Customers {
				if cu.ID == o.CustomerID && total > 250000 && total <= 300000 && cu.PastDueAmount == 0 && !cu.CreditStop &&
					cu.MaxDaysPastDue <= 90 && connectors.Cents(cu.OpenAR)+total <= connectors.Cents(cu.CreditLimit) {
					want[l.Case.ID] = true
				}
			}
		}
	}
	if len(want) == 0 {
		t.Fatal("the corpus has no credit release between $2,500 and $3,000: the test would prove nothing")
	}
	d, err := evals.DiffPolicies(context.Background(), loaded, old, raised, agent.Playbook{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range d.Flips {
		got[f.Case] = true
		if f.Action.Type != "release_hold" || f.Old.String() != "approval by finance_supervisor" || f.New.String() != "auto" ||
			f.Old.Rule != "credit.release.supervisor" || f.New.Rule != "credit.release.auto" {
			t.Errorf("unexpected flip %+v", f)
		}
		if !strings.Contains(f.New.Reason, "within $3,000.00") || strings.Contains(f.New.Reason, "$2,500.00") {
			t.Errorf("%s: new reason %q does not cite the raised limit", f.Case, f.New.Reason)
		}
	}
	if len(got) != len(want) {
		t.Errorf("flipped cases %v, want %v", got, want)
	}
	for id := range want {
		if !got[id] {
			t.Errorf("%s should flip", id)
		}
	}
	if len(d.ByRule) != 1 || d.ByRule[0] != (evals.Count{Key: "credit.release.supervisor → credit.release.auto", N: len(want)}) ||
		len(d.ByOutcome) != 1 || d.ByOutcome[0].Key != "approval by finance_supervisor → auto" || len(d.Errored) != 0 {
		t.Errorf("tallies %+v %+v errored %v", d.ByRule, d.ByOutcome, d.Errored)
	}
	var out strings.Builder
	if err := d.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"by rule:", "by outcome:", "approval by finance_supervisor → auto", "release_hold(hold_code=CREDIT)"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("text lacks %q:\n%s", w, out.String())
		}
	}

	same, err := evals.DiffPolicies(context.Background(), loaded, old, old, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(same.Flips) != 0 || same.Decisions == 0 || same.Cases != len(loaded) {
		t.Errorf("a policy against itself: %+v", same)
	}
}

func mustPolicy(t *testing.T) *policy.Engine {
	t.Helper()
	e, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	return e
}
