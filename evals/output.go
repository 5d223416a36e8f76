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

// WriteScorecard prints a table of results per expected class and overall.
func WriteScorecard(w io.Writer, r *Report) error {
	type row struct{ cases, passed, errored, class, top, forb, dec, ment int }
	rows := map[string]*row{}
	var total row
	for _, c := range r.Cases {
		if !c.Scored {
			continue
		}
		k := c.Class
		if k == "" {
			k = "(malformed)"
		}
		x := rows[k]
		if x == nil {
			x = &row{}
			rows[k] = x
		}
		for _, y := range []*row{x, &total} {
			y.cases++
			if c.Pass {
				y.passed++
			}
			if c.Error != "" {
				y.errored++
				continue
			}
			y.class += b2i(c.Checks.Class)
			y.top += b2i(c.Checks.TopAction)
			y.forb += b2i(!c.Checks.NoForbidden)
			y.dec += b2i(c.Checks.Decision)
			y.ment += b2i(c.Checks.Mentions)
		}
	}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "class\tcases\tpassed\terrored\tclass\ttop action\tforbidden\tdecision\tmentions\t\n")
	line := func(name string, x *row) {
		pct := func(n int) string {
			if x.cases == 0 {
				return "-"
			}
			return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(x.cases))
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t\n", name, x.cases, x.passed, x.errored,
			pct(x.class), pct(x.top), pct(x.forb), pct(x.dec), pct(x.ment))
	}
	for _, k := range keys {
		line(k, rows[k])
	}
	line("overall", &total)
	if err := tw.Flush(); err != nil {
		return err
	}
	unscored := len(r.Cases) - r.Metrics.Scored
	fmt.Fprintf(w, "\n%d passed, %d failed", r.Metrics.Passed, r.Metrics.Scored-r.Metrics.Passed)
	if unscored > 0 {
		fmt.Fprintf(w, ", %d unlabeled (reported, not scored)", unscored)
	}
	fmt.Fprintf(w, "  planner=%s  %.0f ms", r.Planner, r.Metrics.DurationMS)
	if r.Metrics.Tokens > 0 {
		fmt.Fprintf(w, "  tokens=%d  median round trips=%.1f", r.Metrics.Tokens, r.Metrics.MedianRoundTrips)
	}
	if r.Epochs > 1 {
		fmt.Fprintf(w, "  pass@1=%.3f pass^%d=%.3f", r.Metrics.PassAt1, r.Epochs, r.Metrics.PassHatK)
	}
	fmt.Fprintln(w)
	return nil
}

// WriteFailures lists each failing case with its failed checks or error.
func WriteFailures(w io.Writer, r *Report) {
	for _, c := range r.Cases {
		if !c.Scored || c.Pass {
			continue
		}
		if c.Error != "" {
			fmt.Fprintf(w, "ERROR %s: %s\n", c.ID, c.Error)
			continue
		}
		top := "(none)"
		if len(c.Actions) > 0 {
			top = c.Actions[0].Type + "/" + string(c.Actions[0].Decision.Outcome)
		}
		fmt.Fprintf(w, "FAIL  %s: %s (class %s, expected %s; top %s)\n", c.ID, strings.Join(c.Checks.Failed(), ", "),
			c.ExceptionClass, c.Class, top)
	}
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
			tc.Failure = &junitMessage{Message: "failed checks: " + strings.Join(c.Checks.Failed(), ", "),
				Body: fmt.Sprintf("class=%s expected=%s\nsummary: %s", c.ExceptionClass, c.Class, c.Summary)}
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
	ID     string
	Before string // pass, fail, error, absent
	After  string
}

// Compare lists the cases whose result differs between base and r.
func Compare(base, r *Report) []Flip {
	state := func(c CaseResult) string {
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
	before := map[string]string{}
	for _, c := range base.Cases {
		before[c.ID] = state(c)
	}
	var flips []Flip
	seen := map[string]bool{}
	for _, c := range r.Cases {
		seen[c.ID] = true
		b, ok := before[c.ID]
		if !ok {
			b = "absent"
		}
		if a := state(c); a != b {
			flips = append(flips, Flip{c.ID, b, a})
		}
	}
	for _, c := range base.Cases {
		if !seen[c.ID] {
			flips = append(flips, Flip{c.ID, state(c), "absent"})
		}
	}
	sort.Slice(flips, func(i, j int) bool { return flips[i].ID < flips[j].ID })
	return flips
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
