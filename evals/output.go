package evals

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
)

// scorecardColumns are the scorecard's headers, each named once: the
// expected class a row groups, the case counts, then the share of cases
// passing each check (and the share with a forbidden action, where lower
// is better).
var scorecardColumns = []string{"expected class", "cases", "passed", "failed", "errored",
	"class ok", "top action ok", "forbidden", "decision ok", "mentions ok"}

// WriteScorecard prints a table of results per expected class and overall,
// then the summary line: passed, failed and errored cases counted apart.
func WriteScorecard(w io.Writer, r *Report) error {
	rows, total := scorecard(r)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\t\n", strings.Join(scorecardColumns, "\t"))
	line := func(x classRow) {
		pct := func(n int) string {
			if x.Cases == 0 {
				return "-"
			}
			return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(x.Cases))
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t\n", x.Class, x.Cases, x.Passed, x.Failed, x.Errored,
			pct(x.ClassOK), pct(x.Top), pct(x.Forbidden), pct(x.Dec), pct(x.Ment))
	}
	for _, x := range rows {
		line(x)
	}
	line(total)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s", Summary(r))
	fmt.Fprintf(w, "  planner=%s  %.0f ms", r.Planner, r.Metrics.DurationMS)
	if r.Metrics.Tokens > 0 {
		fmt.Fprintf(w, "  tokens=%d  median round trips=%.1f", r.Metrics.Tokens, r.Metrics.MedianRoundTrips)
	}
	if r.Epochs > 1 {
		fmt.Fprintf(w, "  pass@1=%.3f pass^%d=%.3f", r.Metrics.PassAt1, r.Epochs, r.Metrics.PassHatK)
	}
	_, err := fmt.Fprintln(w)
	return err
}

// Summary reads "21 passed, 1 failed, 1 errored" (and the unlabeled
// cases, reported but not scored, when there are any).
func Summary(r *Report) string {
	var unlabeled, errored int
	for _, c := range r.Cases {
		switch {
		case c.Error != "":
			errored++
		case !c.Scored:
			unlabeled++
		}
	}
	s := fmt.Sprintf("%d passed, %d failed, %d errored", r.Metrics.Passed, r.Metrics.Failed, errored)
	if unlabeled > 0 {
		s += fmt.Sprintf(", %d unlabeled (reported, not scored)", unlabeled)
	}
	return s
}

// Failing reports whether a case failed or errored: the run's exit status
// is then 3.
func Failing(r *Report) bool {
	for _, c := range r.Cases {
		if c.Error != "" || (c.Scored && !c.Pass) {
			return true
		}
	}
	return false
}

// WriteFailures lists each failing case with expected against actual for
// every failed check, and each errored case with its error.
func WriteFailures(w io.Writer, r *Report) {
	for _, c := range r.Cases {
		switch {
		case c.Error != "":
			fmt.Fprintf(w, "ERROR %s: %s\n", c.ID, c.Error)
		case c.Scored && !c.Pass:
			fmt.Fprintf(w, "FAIL  %s", c.ID)
			if c.Title != "" {
				fmt.Fprintf(w, " — %s", c.Title)
			}
			fmt.Fprintln(w)
			for _, m := range failureLines(c) {
				fmt.Fprintf(w, "      %s\n", m)
			}
		}
	}
}

// failureLines says what each failed check expected and got; a report
// written before failures were recorded names the checks only.
func failureLines(c CaseResult) []string {
	if len(c.Failures) > 0 {
		out := make([]string, len(c.Failures))
		for i, f := range c.Failures {
			out[i] = f.String()
		}
		return out
	}
	return []string{"failed checks: " + strings.Join(c.Checks.Failed(), ", ")}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Body    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML for CI.
func WriteJUnit(path string, r *Report) error {
	s := junitSuite{Name: "exdesk eval (" + r.Planner + ")", Time: fmt.Sprintf("%.3f", r.Metrics.DurationMS/1000)}
	for _, c := range r.Cases {
		tc := junitCase{Name: c.ID, Classname: "exdesk.eval." + nonEmpty(c.Class, "unlabeled"), Time: fmt.Sprintf("%.4f", c.DurationMS/1000)}
		switch {
		case !c.Scored:
			tc.Skipped = &junitMessage{Message: "unlabeled case: reported, not scored"}
			s.Skipped++
		case c.Error != "":
			tc.Error = &junitMessage{Message: c.Error}
			s.Errors++
		case !c.Pass:
			lines := failureLines(c)
			tc.Failure = &junitMessage{Message: strings.Join(lines, "; "),
				Body: strings.Join(lines, "\n") + "\nsummary: " + c.Summary}
			s.Failures++
		}
		s.Tests++
		s.Cases = append(s.Cases, tc)
	}
	b, err := xml.MarshalIndent(junitSuites{Suites: []junitSuite{s}}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append([]byte(xml.Header), append(b, '\n')...), 0o644); err != nil {
		return fmt.Errorf("writing junit: %w", err)
	}
	return nil
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Flip is a case whose result changed against a baseline.
type Flip struct {
	ID     string `json:"id"`
	Before string `json:"before"` // pass, fail, error, unscored, absent
	After  string `json:"after"`
}

// Compare lists the cases whose result differs between base and r,
// including cases added to or removed from the suite.
func Compare(base, r *Report) []Flip { return compare(base, r, nil) }

// compare lists flips; when only is set, cases outside it are not
// compared (neither added nor removed).
func compare(base, r *Report, only map[string]bool) []Flip {
	before := map[string]string{}
	for _, c := range base.Cases {
		before[c.ID] = caseState(c)
	}
	var flips []Flip
	seen := map[string]bool{}
	for _, c := range r.Cases {
		seen[c.ID] = true
		if only != nil && !only[c.ID] {
			continue
		}
		b, ok := before[c.ID]
		if !ok {
			b = "absent"
		}
		if a := caseState(c); a != b {
			flips = append(flips, Flip{c.ID, b, a})
		}
	}
	for _, c := range base.Cases {
		if !seen[c.ID] && (only == nil || only[c.ID]) {
			flips = append(flips, Flip{c.ID, caseState(c), "absent"})
		}
	}
	sort.Slice(flips, func(i, j int) bool { return flips[i].ID < flips[j].ID })
	return flips
}

func caseState(c CaseResult) string {
	switch {
	case c.Error != "":
		return "error"
	case !c.Scored:
		return "unscored"
	case c.Pass:
		return "pass"
	}
	return "fail"
}

// Comparison is a run compared with a baseline report.
type Comparison struct {
	Flips []Flip `json:"flips"`
	// Shared counts the case ids in both reports.
	Shared int `json:"shared"`
	// Warning is set when the baseline shares few case ids with the run:
	// it looks like another suite's report, and only the shared cases are
	// compared.
	Warning string `json:"warning,omitempty"`
}

// CompareWith compares r with base. A subset run (rerunning some cases) is
// compared on its own cases only, so the baseline's other cases are not
// listed as removed. When under half the cases of the smaller report are
// in the other, the baseline looks like another suite's: the comparison
// warns and lists flips of the shared cases only, instead of every case as
// added or removed.
func CompareWith(base, r *Report, subset bool) Comparison {
	inBase := map[string]bool{}
	for _, c := range base.Cases {
		inBase[c.ID] = true
	}
	shared := map[string]bool{}
	for _, c := range r.Cases {
		if inBase[c.ID] {
			shared[c.ID] = true
		}
	}
	cmp := Comparison{Shared: len(shared)}
	var only map[string]bool
	if subset {
		only = map[string]bool{}
		for _, c := range r.Cases {
			only[c.ID] = true
		}
	}
	if smaller := min(len(base.Cases), len(r.Cases)); smaller > 0 && 2*len(shared) < smaller {
		cmp.Warning = fmt.Sprintf("the baseline shares %d of this run's %d case ids (it has %d): it looks like another suite's report; only shared cases are compared",
			len(shared), len(r.Cases), len(base.Cases))
		only = shared
	}
	cmp.Flips = compare(base, r, only)
	if cmp.Flips == nil {
		cmp.Flips = []Flip{}
	}
	return cmp
}

// WriteComparison prints the comparison's warning, if any, and its flips.
func WriteComparison(w io.Writer, c Comparison) {
	if c.Warning != "" {
		fmt.Fprintf(w, "warning: %s\n", c.Warning)
	}
	WriteFlips(w, c.Flips)
}

// WriteFlips prints flips, regressions first, then fixes, then cases added
// to or removed from the suite.
func WriteFlips(w io.Writer, flips []Flip) {
	if len(flips) == 0 {
		fmt.Fprintln(w, "no flips against the baseline")
		return
	}
	groups := []struct {
		title string
		in    func(Flip) bool
	}{
		{"regressions", func(f Flip) bool { return f.Before == "pass" && (f.After == "fail" || f.After == "error") }},
		{"fixed", func(f Flip) bool { return f.After == "pass" && f.Before != "absent" }},
		{"added", func(f Flip) bool { return f.Before == "absent" }},
		{"removed", func(f Flip) bool { return f.After == "absent" }},
	}
	placed := make([]bool, len(flips))
	for _, g := range groups {
		var rows []Flip
		for i, f := range flips {
			if !placed[i] && g.in(f) {
				rows, placed[i] = append(rows, f), true
			}
		}
		writeGroup(w, g.title, rows)
	}
	var rest []Flip
	for i, f := range flips {
		if !placed[i] {
			rest = append(rest, f)
		}
	}
	writeGroup(w, "other changes", rest)
}

func writeGroup(w io.Writer, title string, fs []Flip) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintf(w, "%s (%d):\n", title, len(fs))
	for _, f := range fs {
		fmt.Fprintf(w, "  %-40s %s → %s\n", f.ID, f.Before, f.After)
	}
}

// classRow is one row of a scorecard: the scored cases of one expected
// class (or all of them), and how many passed each check.
type classRow struct {
	Class                                                              string
	Cases, Passed, Failed, Errored, ClassOK, Top, Forbidden, Dec, Ment int
}

// scorecard tallies r's scored cases per expected class, in class order,
// and overall.
func scorecard(r *Report) ([]classRow, classRow) {
	byClass := map[string]*classRow{}
	total := classRow{Class: "overall"}
	for _, c := range r.Cases {
		if !c.Scored {
			continue
		}
		k := c.Class
		if k == "" {
			k = "(malformed)"
		}
		x := byClass[k]
		if x == nil {
			x = &classRow{Class: k}
			byClass[k] = x
		}
		for _, y := range []*classRow{x, &total} {
			y.Cases++
			y.Passed += b2i(c.Pass)
			if c.Error != "" {
				y.Errored++
				continue
			}
			y.Failed += b2i(!c.Pass)
			y.ClassOK += b2i(c.Checks.Class)
			y.Top += b2i(c.Checks.TopAction)
			y.Forbidden += b2i(!c.Checks.NoForbidden)
			y.Dec += b2i(c.Checks.Decision)
			y.Ment += b2i(c.Checks.Mentions)
		}
	}
	rows := make([]classRow, 0, len(byClass))
	for _, x := range byClass {
		rows = append(rows, *x)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Class < rows[j].Class })
	return rows, total
}
