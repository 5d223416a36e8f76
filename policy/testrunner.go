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
	Outcome        Outcome  `yaml:"outcome"`
	Role           string   `yaml:"role"`
	Rule           string   `yaml:"rule"`
	ReasonContains []string `yaml:"reason_contains"`
}

// RunTests runs the policy test cases in the YAML file at path against e,
// writes one line for each failing case and a closing summary line
// "N passed, M failed" to w, and returns the counts. A file that cannot be
// read or parsed, or a case that is malformed, is an error.
func RunTests(e *Engine, path string, w io.Writer) (passed, failed int, err error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, fmt.Errorf("policy tests: %w", err)
	}
	return runTests(e, path, src, w)
}

func runTests(e *Engine, path string, src []byte, w io.Writer) (passed, failed int, err error) {
	var tf TestFile
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&tf); err != nil {
		return 0, 0, fmt.Errorf("policy tests %s: %w", path, err)
	}
	if len(tf.Tests) == 0 {
		return 0, 0, fmt.Errorf("policy tests %s: no tests", path)
	}
	defConf := 1.0
	if tf.Confidence != nil {
		defConf = *tf.Confidence
	}
	for i, tc := range tf.Tests {
		f, err := tc.facts(&tf.Defaults, defConf)
		if err != nil {
			return passed, failed, fmt.Errorf("policy tests %s: tests[%d] %q: %w", path, i, tc.Name, err)
		}
		got := e.Decide(f)
		if problem := tc.Expect.mismatch(got); problem != "" {
			failed++
			fmt.Fprintf(w, "FAIL %s: %s\n", tc.Name, problem)
			continue
		}
		passed++
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", passed, failed)
	return passed, failed, nil
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
