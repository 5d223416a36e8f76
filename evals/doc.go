// Package evals runs offline evaluation suites on recorded cases.
//
// It loads exdesk.case/v1 files (a malformed file is an error naming the
// file and the JSON path, and the run goes on with the other cases),
// investigates each case against the recorded connector with a planner and
// the policy guard, scores the result against the case's expected block as
// FORMAT.md specifies, and writes the exdesk.report/v1 report, a JUnit XML
// file for CI, a scorecard table and the flips against a baseline report.
// The planner never sees a case's expected block.
//
// Diagnose says, for each failed check, what the expected block asks for
// and what the case shows ("decision: want release_hold approval by
// finance_director, got release_hold auto (rule credit.release.auto)");
// reports keep it per case (an extra "failures" field), and the FAIL
// lines and JUnit failures print it. Errored cases are counted apart from
// failed ones. Select and FailingIn pick a subset to rerun; CompareWith
// compares a run with a baseline, warning instead of listing every case
// when the baseline is another suite's.
//
// DiffPolicies is the policy what-if: it investigates every case under two
// policies on the same snapshot and lists each proposed action whose
// verdict flips, with tallies by rule and by outcome.
package evals
