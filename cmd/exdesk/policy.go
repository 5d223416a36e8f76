package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/evals"
	"github.com/exdesk/exdesk/policy"
	"github.com/spf13/cobra"
)

const policyHelp = `Works with the policy guard's rules file (YAML with CEL conditions).

  test FILE...        runs policy test cases (input facts, proposed action,
                      expected decision) against the policy, like "opa test";
                      -v lists every case with its decision; exit 3 on a failure
  check [FILE]        compiles a rules file (default: --policy, $EXDESK_POLICY or
                      the shipped policy) and lists its parameters and rules
                      (name, actions, outcome and role, condition); a rule that
                      does not compile is named at file:line:column with the CEL
                      error and a "did you mean"; exit 3 then
  eval --case FILE --action JSON
                      decides one action on a recorded case's snapshot and
                      prints the decision with the facts it read, like "opa eval"
  diff OLD NEW --cases DIR
                      runs both policies over the same recorded cases (the
                      playbook's proposals, each decided by both guards on the
                      same snapshot) and prints every decision that flips, with
                      counts by rule and outcome; exit 3 with --fail-on-flip
                      when anything flips
  show                prints the shipped default policy

Each subcommand takes --format text|json (json: one object on stdout).
Exit status: 0 ok, 3 a test failed, a policy does not compile or (with
--fail-on-flip) a decision flips, 1 a harness or usage error.`

func policyCmd(e *env) *cobra.Command {
	c, _ := newCommand(e, "policy", "policy [--policy FILE] test|check|eval|diff|show [flags] [args]", policyHelp,
		`  exdesk policy test policy/default_test.yaml
  exdesk policy test -v --format json policy/default_test.yaml
  exdesk policy --policy my-policy.yaml test policy/default_test.yaml
  exdesk policy check my-policy.yaml
  exdesk policy eval --case ../shared/evals/examples/credit-supervisor-01.json --action '{"type":"release_hold","args":{"hold_code":"CREDIT"}}'
  exdesk policy diff policy/default.yaml my-policy.yaml --cases evals/cases`)
	policyFile := c.PersistentFlags().String("policy", "", "policy file (default: $EXDESK_POLICY, else the shipped policy)")
	format := c.PersistentFlags().String("format", "text", "output: text or json")

	test := &cobra.Command{Use: "test [-v] [--format text|json] FILE...", Short: "run policy test cases against the policy, like opa test",
		Args: argsHint(cobra.MinimumNArgs(1), "name at least one policy test file")}
	verbose := test.Flags().BoolP("verbose", "v", false, "list every test case with its result and decision")
	test.RunE = runE(func(_ context.Context, files []string) int {
		return policyTest(e, *policyFile, files, *verbose, *format)
	})

	check := &cobra.Command{Use: "check [--format text|json] [FILE]", Short: "compile a rules file and list its parameters and rules",
		Args: argsHint(cobra.MaximumNArgs(1), "name at most one policy file (or none, with --policy)"),
		RunE: runE(func(_ context.Context, files []string) int {
			file := *policyFile
			if len(files) == 1 {
				file = files[0]
			}
			return policyCheck(e, file, *format)
		})}

	eval := &cobra.Command{Use: "eval --case FILE --action JSON [--confidence N]", Short: "decide one action on a recorded case's snapshot, like opa eval",
		Args: cobra.NoArgs}
	caseFile := eval.Flags().String("case", "", "recorded case (exdesk.case/v1) whose snapshot the guard reads")
	action := eval.Flags().String("action", "", `the proposed action as JSON: {"type":"release_hold","args":{"hold_code":"CREDIT"}} (order_id: the case's order when absent)`)
	confidence := eval.Flags().Float64("confidence", 0.9, "the planner's confidence in the action, 0 to 1 (0.9: the playbook's)")
	eval.RunE = runE(func(ctx context.Context, _ []string) int {
		return policyEval(ctx, e, *policyFile, *caseFile, *action, *confidence, *format)
	})

	diff := &cobra.Command{Use: "diff OLD.yaml NEW.yaml --cases DIR [--fail-on-flip]", Short: "show every decision that flips between two policies over recorded cases",
		Args: argsHint(cobra.ExactArgs(2), "name two policy files, OLD and NEW")}
	cases := diff.Flags().String("cases", "", "directory of recorded cases (exdesk.case/v1)")
	failOnFlip := diff.Flags().Bool("fail-on-flip", false, "exit 3 when any decision flips")
	diff.RunE = runE(func(ctx context.Context, files []string) int {
		return policyDiff(ctx, e, files[0], files[1], *cases, *failOnFlip, *format)
	})

	show := &cobra.Command{Use: "show", Short: "print the shipped default policy", Args: cobra.NoArgs,
		RunE: runE(func(context.Context, []string) int {
			if _, err := e.stdout.Write(policy.DefaultSource()); err != nil {
				return exitHarness
			}
			return exitOK
		})}
	c.AddCommand(test, check, eval, diff, show)
	return c
}

func checkFormat(e *env, cmd, format string) bool {
	if format == "text" || format == "json" {
		return true
	}
	fmt.Fprintf(e.stderr, "exdesk %s: --format must be text or json, got %q\n", cmd, format)
	return false
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// policyTest runs policy test files against the policy in policyFile.
func policyTest(e *env, policyFile string, files []string, verbose bool, format string) int {
	r := reporter{e: e, name: "policy test", json: format == "json"}
	if !checkFormat(e, "policy test", format) {
		return exitUsage
	}
	if len(files) == 0 {
		return r.fail(exitUsage, "name at least one test file, e.g. policy/default_test.yaml")
	}
	engine, err := e.cfg.policy(policyFile)
	if err != nil {
		return r.fail(exitHarness, "%v", err)
	}
	var results []policy.TestResult
	for _, f := range files {
		rs, err := policy.RunTestFile(engine, f)
		if err != nil {
			return r.fail(exitHarness, "%v", err)
		}
		results = append(results, rs...)
	}
	var failed int
	if format == "json" {
		rep := policy.NewTestReport(engine, results)
		if err := writeJSON(e.stdout, rep); err != nil {
			return exitHarness
		}
		failed = rep.Failed
	} else {
		_, failed = policy.WriteTestResults(e.stdout, results, verbose)
	}
	if failed > 0 {
		return exitFailed
	}
	return exitOK
}

// policyCheck compiles the policy in file (or the default) and lists its
// parameters and rules.
func policyCheck(e *env, file, format string) int {
	r := reporter{e: e, name: "policy check", json: format == "json"}
	if !checkFormat(e, "policy check", format) {
		return exitUsage
	}
	engine, err := e.cfg.policy(file)
	if err != nil {
		var ce *policy.CompileError
		if format == "json" && errors.As(err, &ce) {
			// The compile error as fields, in place of the generic error object.
			_ = writeJSON(e.stdout, map[string]any{"compiles": false, "error": ce.Error(), "file": ce.File,
				"line": ce.Line, "col": ce.Col, "rule": ce.Rule, "field": ce.Field, "message": ce.Msg, "suggest": ce.Suggest})
			fmt.Fprintf(e.stderr, "exdesk policy check: %v\n", err)
			return exitFailed
		}
		return r.fail(exitFailed, "%v", err)
	}
	rules, params := engine.Rules(), engine.Params()
	if format == "json" {
		if err := writeJSON(e.stdout, map[string]any{"compiles": true, "policy": engine.Version(), "roles": engine.Roles(),
			"params": params, "rules": rules, "warnings": engine.Warnings()}); err != nil {
			return exitHarness
		}
		return exitOK
	}
	writePolicyListing(e.stdout, engine, rules, params)
	return exitOK
}

// writePolicyListing prints a compiled policy: a summary line, the
// parameters, then the rules of each action group in evaluation order.
func writePolicyListing(w io.Writer, engine *policy.Engine, rules []policy.RuleInfo, params []policy.Param) {
	fmt.Fprintf(w, "policy %s compiles: %d rules, %d parameters; roles: %s\n", engine.Version(), len(rules), len(params),
		strings.Join(engine.Roles(), ", "))
	if len(params) > 0 {
		fmt.Fprintln(w, "\nparams:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, p := range params {
			fmt.Fprintf(tw, "  %s\t%s\n", p.Name, p.Expr)
		}
		_ = tw.Flush()
	}
	group := "\x00"
	var tw *tabwriter.Writer
	for _, r := range rules {
		g := "global (turns an auto decision into approval by the action's approver)"
		if !r.Global {
			g = strings.Join(r.Actions, ", ")
		}
		if g != group {
			if tw != nil {
				_ = tw.Flush()
			}
			group = g
			fmt.Fprintf(w, "\n%s:\n", g)
			tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		}
		outcome := string(r.Outcome)
		switch {
		case r.Outcome == policy.Approval && r.Role != "":
			outcome += " by " + r.Role
		case r.Outcome == policy.Approval:
			outcome += " by the action's approver"
		}
		when := "always"
		if r.When != "" {
			when = "when " + r.When
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.Name, outcome, when)
	}
	if tw != nil {
		_ = tw.Flush()
	}
	if ws := engine.Warnings(); len(ws) > 0 {
		fmt.Fprintln(w)
		for _, x := range ws {
			fmt.Fprintln(w, x)
		}
	}
}

// policyEvalResult is what `policy eval --format json` prints.
type policyEvalResult struct {
	Policy     string             `json:"policy"`
	Case       string             `json:"case"`
	Action     connectors.Action  `json:"action"`
	Confidence float64            `json:"confidence"`
	Decision   policy.Decision    `json:"decision"`
	FactsUsed  []policy.FactValue `json:"facts_used"`
	Facts      policy.Facts       `json:"facts"`
}

// policyEval decides one action on a recorded case's snapshot.
func policyEval(ctx context.Context, e *env, policyFile, caseFile, actionJSON string, confidence float64, format string) int {
	r := reporter{e: e, name: "policy eval", json: format == "json"}
	switch {
	case !checkFormat(e, "policy eval", format):
		return exitUsage
	case caseFile == "" || actionJSON == "":
		return r.fail(exitUsage, `give --case FILE and --action JSON, e.g. --action '{"type":"release_hold","args":{"hold_code":"CREDIT"}}'`)
	case confidence < 0 || confidence > 1:
		return r.fail(exitUsage, "--confidence must be between 0 and 1, got %v", confidence)
	}
	engine, err := e.cfg.policy(policyFile)
	if err != nil {
		return r.fail(exitHarness, "%v", err)
	}
	c, err := evals.LoadFile(caseFile)
	if err != nil {
		return r.fail(exitHarness, "%v", err)
	}
	a, err := parseAction(actionJSON)
	if err != nil {
		return r.fail(exitUsage, "--action: %v", err)
	}
	if a.OrderID == "" {
		if a.OrderID, err = c.Trigger.ResolveOrderID(); err != nil {
			return r.fail(exitUsage, "the case names no order; give order_id in --action (%v)", err)
		}
	}
	sys := recorded.New(c.Snapshot).Systems()
	facts, err := policy.NewGuard(engine, sys).Facts(ctx, a, confidence)
	if err != nil {
		if errors.Is(err, policy.ErrInvalidAction) {
			fmt.Fprintf(e.stderr, "exdesk policy eval: the action does not fit the order, so no rule runs: %v\n", err)
		} else {
			fmt.Fprintf(e.stderr, "exdesk policy eval: %v\n", err)
		}
		return exitHarness
	}
	d, used := engine.Explain(facts)
	if format == "json" {
		if err := writeJSON(e.stdout, policyEvalResult{Policy: engine.Version(), Case: c.ID, Action: a, Confidence: confidence,
			Decision: d, FactsUsed: used, Facts: facts}); err != nil {
			return exitHarness
		}
		return exitOK
	}
	w := e.stdout
	outcome := string(d.Outcome)
	if d.Outcome == policy.Approval {
		outcome += " by " + d.Role
	}
	fmt.Fprintf(w, "decision: %s (rule %s)\n", outcome, d.Rule)
	fmt.Fprintf(w, "reason:   %s\n", d.Reason)
	fmt.Fprintf(w, "action:   %s on %s at confidence %v\n", a, a.OrderID, confidence)
	fmt.Fprintf(w, "case:     %s (%s)\n", c.ID, caseFile)
	fmt.Fprintf(w, "policy:   %s\n", engine.Version())
	fmt.Fprintln(w, "facts used:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range used {
		name, value, _ := strings.Cut(f.String(), " = ")
		fmt.Fprintf(tw, "  %s\t%s\n", name, value)
	}
	if err := tw.Flush(); err != nil {
		return exitHarness
	}
	return exitOK
}

// parseAction reads a proposed action given as JSON.
func parseAction(s string) (connectors.Action, error) {
	var a connectors.Action
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return a, fmt.Errorf(`want {"type": ..., "args": {...}}: %w`, err)
	}
	if dec.More() {
		return a, errors.New("trailing data after the action object")
	}
	if a.Type == "" {
		return a, errors.New(`the action has no "type"`)
	}
	if a.Args == nil {
		a.Args = connectors.Args{}
	}
	return a, nil
}

// policyDiff compares two policies over the recorded cases in dir.
func policyDiff(ctx context.Context, e *env, oldFile, newFile, dir string, failOnFlip bool, format string) int {
	r := reporter{e: e, name: "policy diff", json: format == "json"}
	if !checkFormat(e, "policy diff", format) {
		return exitUsage
	}
	if dir == "" {
		return r.fail(exitUsage, "--cases DIR is required: the recorded cases to decide, e.g. --cases evals/cases")
	}
	var engines [2]*policy.Engine
	for i, f := range []string{oldFile, newFile} {
		eng, err := policy.LoadFile(f)
		if err != nil {
			return r.fail(exitHarness, "%v", err)
		}
		engines[i] = eng
	}
	loaded, err := evals.LoadDir(dir)
	if err != nil {
		return r.fail(exitHarness, "%v", err)
	}
	d, err := evals.DiffPolicies(ctx, loaded, engines[0], engines[1], nil)
	if err != nil {
		return r.fail(exitHarness, "%v", err)
	}
	if format == "json" {
		err = writeJSON(e.stdout, d)
	} else {
		err = d.WriteText(e.stdout)
	}
	if err != nil {
		return exitHarness
	}
	if failOnFlip && len(d.Flips) > 0 {
		return exitFailed
	}
	return exitOK
}
