package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/exdesk/exdesk/connectors"
)

// TestFile is a file of policy test cases, the way `opa test` runs rego
// tests: each case gives facts, a proposed action and a confidence, and the
// decision the policy must reach.
//
//	defaults:            # facts every case starts from (optional)
//	  customer: {id: C-1, tier: key, credit_limit: 50000}
//	confidence: 0.9      # default confidence (optional; 1.0 when absent)
//	tests:
//	  - name: credit release auto at exactly $2,500.00
//	    action: {type: release_hold, args: {hold_code: CREDIT}}
//	    facts:             # merged over defaults; money in currency units
//	      order: {total: 2500.00}
//	      credit: {exposure: 2500.00}
//	    expect: {outcome: auto, rule: credit.release.auto}
type TestFile struct {
	Defaults   yaml.Node  `yaml:"defaults"`
	Confidence *float64   `yaml:"confidence"`
	Tests      []TestCase `yaml:"tests"`
}

// TestCase is one policy test case.
type TestCase struct {
	// Name names the case in failure lines.
	Name string `yaml:"name"`
	// Action is the proposed action; its arguments fill Facts.Action.
	Action TestAction `yaml:"action"`
	// Confidence overrides the file's default confidence.
	Confidence *float64 `yaml:"confidence"`
	// Facts are merged over the file's defaults (fields given replace them).
	Facts yaml.Node `yaml:"facts"`
	// Expect is the decision the policy must reach.
	Expect TestExpect `yaml:"expect"`
}

// TestAction is a proposed action in a test case.
type TestAction struct {
	Type string         `yaml:"type"`
	Args map[string]any `yaml:"args"`
}

// TestExpect is the expected decision. Role is compared always (it is empty
// for auto and blocked); Rule only when given; every ReasonContains string
// must occur in the reason.
type TestExpect struct {
	Outcome        Outcome  `yaml:"outcome" json:"outcome"`
	Role           string   `yaml:"role" json:"role,omitempty"`
	Rule           string   `yaml:"rule" json:"rule,omitempty"`
	ReasonContains []string `yaml:"reason_contains" json:"reason_contains,omitempty"`
}

// TestResult is the outcome of one policy test case.
type TestResult struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"` // where the case is written
	Name string `json:"name"`
	Pass bool   `json:"pass"`
	// Problem says how the decision differs from the expected one.
	Problem  string     `json:"problem,omitempty"`
	Decision Decision   `json:"decision"`
	Expect   TestExpect `json:"expect"`
}

// RunTests runs the policy test cases in the YAML file at path against e,
// writes one line for each failing case and a closing summary line
// "N passed, M failed" to w, and returns the counts. A file that cannot be
// read or parsed, or a case that is malformed, is an error.
func RunTests(e *Engine, path string, w io.Writer) (passed, failed int, err error) {
	rs, err := RunTestFile(e, path)
	if err != nil {
		return 0, 0, err
	}
	passed, failed = WriteTestResults(w, rs, false)
	return passed, failed, nil
}

// RunTestFile runs the policy test cases in the YAML file at path against
// e and returns each case's result, in file order.
func RunTestFile(e *Engine, path string) ([]TestResult, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy tests: %w", err)
	}
	return runTestSource(e, path, src)
}

func runTests(e *Engine, path string, src []byte, w io.Writer) (passed, failed int, err error) {
	rs, err := runTestSource(e, path, src)
	if err != nil {
		return 0, 0, err
	}
	passed, failed = WriteTestResults(w, rs, false)
	return passed, failed, nil
}

func runTestSource(e *Engine, path string, src []byte) (out []TestResult, err error) {
	defer func() { // the YAML decoder is fed outside input; never let it take the process down
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("policy tests %s: malformed file: %v", path, r)
		}
	}()
	var tf TestFile
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&tf); err != nil {
		return nil, fmt.Errorf("policy tests %s: %w", path, err)
	}
	if len(tf.Tests) == 0 {
		return nil, fmt.Errorf("policy tests %s: no tests", path)
	}
	lines := testLines(src)
	defConf := 1.0
	if tf.Confidence != nil {
		defConf = *tf.Confidence
	}
	out = make([]TestResult, 0, len(tf.Tests))
	for i, tc := range tf.Tests {
		r := TestResult{File: path, Name: tc.Name, Expect: tc.Expect}
		where := path
		if i < len(lines) {
			r.Line = lines[i]
			where = fmt.Sprintf("%s:%d", path, r.Line)
		}
		f, err := tc.facts(&tf.Defaults, defConf)
		if err != nil {
			return nil, fmt.Errorf("policy tests %s: tests[%d] %q: %w", where, i, tc.Name, err)
		}
		r.Decision = e.Decide(f)
		r.Problem = tc.Expect.mismatch(r.Decision)
		r.Pass = r.Problem == ""
		out = append(out, r)
	}
	return out, nil
}

// testLines returns the line of each entry of the file's tests list.
func testLines(src []byte) []int {
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "tests" {
			var out []int
			for _, c := range m.Content[i+1].Content {
				out = append(out, c.Line)
			}
			return out
		}
	}
	return nil
}

// WriteTestResults writes a line for each failing case (with verbose, a
// line for every case: its name, result and decision, as `opa test -v`
// does) and a closing summary line "N passed, M failed", and returns the
// counts.
func WriteTestResults(w io.Writer, rs []TestResult, verbose bool) (passed, failed int) {
	file := ""
	for _, r := range rs {
		if r.Pass {
			passed++
		} else {
			failed++
		}
		if !verbose {
			if !r.Pass {
				fmt.Fprintf(w, "FAIL %s: %s\n", r.Name, r.Problem)
			}
			continue
		}
		if r.File != file {
			file = r.File
			fmt.Fprintf(w, "%s:\n", file)
		}
		result := "PASS"
		if !r.Pass {
			result = "FAIL"
		}
		fmt.Fprintf(w, "  %s  %s → %s (%s)\n", result, r.Name, outcomeRole(r.Decision.Outcome, r.Decision.Role), r.Decision.Rule)
		if !r.Pass {
			fmt.Fprintf(w, "        %s:%d: %s\n", r.File, r.Line, r.Problem)
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", passed, failed)
	return passed, failed
}

// TestReport is the result of policy test files as `policy test --format
// json` writes it.
type TestReport struct {
	Policy  string       `json:"policy"`
	Passed  int          `json:"passed"`
	Failed  int          `json:"failed"`
	Results []TestResult `json:"results"`
}

// NewTestReport gathers results run against e.
func NewTestReport(e *Engine, rs []TestResult) TestReport {
	rep := TestReport{Policy: e.Version(), Results: rs}
	if rep.Results == nil {
		rep.Results = []TestResult{}
	}
	for _, r := range rs {
		if r.Pass {
			rep.Passed++
		} else {
			rep.Failed++
		}
	}
	return rep
}

// facts builds the case's Facts: defaults, then the case's facts over them,
// then the action and confidence.
func (tc TestCase) facts(defaults *yaml.Node, defConf float64) (Facts, error) {
	if tc.Name == "" {
		return Facts{}, errors.New("the case has no name")
	}
	if tc.Expect.Outcome != Auto && tc.Expect.Outcome != Approval && tc.Expect.Outcome != Blocked {
		return Facts{}, fmt.Errorf("expect.outcome %q is not auto, approval or blocked", tc.Expect.Outcome)
	}
	var f Facts
	for _, n := range []*yaml.Node{defaults, &tc.Facts} {
		if n.Kind == 0 {
			continue
		}
		if err := decodeStrict(n, &f); err != nil {
			return Facts{}, err
		}
	}
	a := connectors.Action{Type: tc.Action.Type, Args: connectors.Args{}}
	for k, v := range tc.Action.Args {
		if t, ok := v.(time.Time); ok { // YAML reads an unquoted 2026-06-01 as a timestamp
			v = t.Format(connectors.DateLayout)
		}
		a.Args[k] = v
	}
	if err := a.CheckArgs(); err != nil {
		return Facts{}, fmt.Errorf("action: %w", err)
	}
	f.Action = actionFacts(a)
	f.Confidence = defConf
	if tc.Confidence != nil {
		f.Confidence = *tc.Confidence
	}
	return f, nil
}

// decodeStrict decodes a YAML node into v, rejecting unknown fields.
func decodeStrict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("facts: %w", err)
	}
	return nil
}

func (x TestExpect) mismatch(d Decision) string {
	var probs []string
	if d.Outcome != x.Outcome || d.Role != x.Role {
		probs = append(probs, fmt.Sprintf("got %s, want %s", outcomeRole(d.Outcome, d.Role), outcomeRole(x.Outcome, x.Role)))
	}
	if x.Rule != "" && d.Rule != x.Rule {
		probs = append(probs, fmt.Sprintf("got rule %s, want %s", d.Rule, x.Rule))
	}
	for _, s := range x.ReasonContains {
		if !strings.Contains(d.Reason, s) {
			probs = append(probs, fmt.Sprintf("reason lacks %q", s))
		}
	}
	if len(probs) == 0 {
		return ""
	}
	return strings.Join(probs, "; ") + fmt.Sprintf(" (decision: %s)", d)
}

func outcomeRole(o Outcome, role string) string {
	if role == "" {
		return string(o)
	}
	return string(o) + " by " + role
}
