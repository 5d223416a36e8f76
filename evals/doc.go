// Package evals runs offline evaluation suites on recorded cases.
//
// It loads exdesk.case/v1 files (a malformed file is an error naming the
// file and the JSON path, and the run goes on with the other cases),
// investigates each case against the recorded connector with a planner and
// the policy guard, scores the result against the case's expected block as
// FORMAT.md specifies, and writes the exdesk.report/v1 report, a JUnit XML
// file for CI, a scorecard table and the flips against a baseline report.
// The planner never sees a case's expected block.
package evals
