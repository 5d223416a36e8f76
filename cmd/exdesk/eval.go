package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/evals"
)

func runEval(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "eval", "eval --cases DIR --report FILE [flags]",
		`Investigates every recorded case (exdesk.case/v1) in DIR against the recorded
connector, scores it against its expected block, prints a scorecard per class,
and writes the exdesk.report/v1 report. A malformed case file is reported as
errored with the file and JSON path; the run goes on.

Exit status: 0 when every scored case passes, 3 when a case fails or errors,
1 on a harness error (unreadable directory, unwritable report, replay miss).`,
		`  exdesk eval --cases evals/cases --report report.json
  exdesk eval --cases ../shared/evals/examples --report r.json --junit junit.xml
  exdesk eval --cases evals/cases --report new.json --compare baseline.json`)
	cases := fs.String("cases", "", "directory of *.json case files (or one file)")
	report := fs.String("report", "", "write the exdesk.report/v1 report to this file")
	junit := fs.String("junit", "", "also write JUnit XML for CI to this file")
	compare := fs.String("compare", "", "baseline report: print cases whose result flipped")
	plannerName := fs.String("planner", "playbook", "planner: playbook")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "cases investigated at once")
	epochs := fs.Int("epochs", 1, "run each case N times and report pass^k")
	quiet := fs.Bool("quiet", false, "no progress bar")
	policyFile := fs.String("policy", "", "policy file (default: $EXDESK_POLICY, else the shipped policy)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *cases == "" || *report == "" {
		fmt.Fprintln(e.stderr, "exdesk eval: --cases and --report are required (see exdesk eval --help)")
		return exitUsage
	}
	engine, err := loadPolicy(e, *policyFile)
	if err != nil {
		fmt.Fprintf(e.stderr, "exdesk eval: %v\n", err)
		return exitHarness
	}
	planner, err := plannerFor(*plannerName)
	if err != nil {
		fmt.Fprintf(e.stderr, "exdesk eval: %v\n", err)
		return exitUsage
	}
	loaded, err := evals.LoadDir(*cases)
	if err != nil {
		fmt.Fprintf(e.stderr, "exdesk eval: %v\n", err)
		return exitHarness
	}
	var bar *progress
	if !*quiet {
		bar = newProgress(e.stderr, "eval")
	}
	opts := evals.Options{Planner: planner, Fallback: agent.Playbook{}, Policy: engine, Workers: *workers, Epochs: *epochs}
	if bar != nil {
		opts.Progress = bar.set
	}
	rep, err := evals.Run(ctx, loaded, opts)
	bar.finish()
	if err != nil {
		fmt.Fprintf(e.stderr, "exdesk eval: %v\n", err)
		return exitHarness
	}
	if err := rep.WriteFile(*report); err != nil {
		fmt.Fprintf(e.stderr, "exdesk eval: %v\n", err)
		return exitHarness
	}
	if *junit != "" {
		if err := evals.WriteJUnit(*junit, rep); err != nil {
			fmt.Fprintf(e.stderr, "exdesk eval: %v\n", err)
			return exitHarness
		}
	}
	evals.WriteFailures(e.stdout, rep)
	if err := evals.WriteScorecard(e.stdout, rep); err != nil {
		return exitHarness
	}
	if *compare != "" {
		base, err := evals.ReadReport(*compare)
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk eval: --compare: %v\n", err)
			return exitHarness
		}
		fmt.Fprintln(e.stdout)
		evals.WriteFlips(e.stdout, evals.Compare(base, rep))
	}
	if rep.Metrics.Passed < rep.Metrics.Scored {
		return exitFailed
	}
	return exitOK
}

func plannerFor(name string) (agent.Planner, error) {
	switch name {
	case "playbook", "":
		return agent.Playbook{}, nil
	}
	return nil, errors.New("unknown planner " + fmt.Sprintf("%q", name) + "; use playbook")
}
