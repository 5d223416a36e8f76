package evals_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/evals"
	"github.com/exdesk/exdesk/policy"
)

func runDir(t testing.TB, dir string) *evals.Report {
	t.Helper()
	loaded, err := evals.LoadDir(dir)
	if err != nil {
		if os.Getenv("CI") == "" && strings.Contains(dir, "shared") {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	engine, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := evals.Run(context.Background(), loaded, evals.Options{Planner: agent.Playbook{}, Policy: engine})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func requireAllPass(t *testing.T, rep *evals.Report) {
	t.Helper()
	for _, c := range rep.Cases {
		if !c.Pass {
			t.Errorf("%s: error=%q failed=%v class=%s summary=%s", c.ID, c.Error, c.Checks.Failed(), c.ExceptionClass, c.Summary)
		}
	}
}

func TestPlaybookPassesSharedExamples(t *testing.T) {
	rep := runDir(t, examples)
	requireAllPass(t, rep)
	if rep.Metrics.Passed != len(rep.Cases) || rep.Metrics.ClassAccuracy != 1 {
		t.Fatalf("metrics %+v", rep.Metrics)
	}
}

func TestPlaybookPassesCorpus(t *testing.T) {
	rep := runDir(t, "cases")
	if len(rep.Cases) < 200 {
		t.Fatalf("corpus has %d cases, want ≥ 200", len(rep.Cases))
	}
	requireAllPass(t, rep)
}

func TestMalformedCaseIsErroredAndRunGoesOn(t *testing.T) {
	dir := t.TempDir()
	good := readExample(t, "credit-supervisor-01.json")
	if err := os.WriteFile(filepath.Join(dir, "a-good.json"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "b-bad.json"), good[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	unlabeled := strings.Replace(string(good), `"expected"`, `"expected_by_hand"`, 1)
	if err := os.WriteFile(filepath.Join(dir, "c-unlabeled.json"), []byte(strings.Replace(unlabeled, `"credit-supervisor-01"`, `"unlabeled-01"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := runDir(t, dir)
	if len(rep.Cases) != 3 {
		t.Fatalf("want 3 results, got %d", len(rep.Cases))
	}
	byID := map[string]evals.CaseResult{}
	for _, c := range rep.Cases {
		byID[c.ID] = c
	}
	if c := byID["credit-supervisor-01"]; !c.Pass {
		t.Errorf("good case failed: %+v", c)
	}
	if c := byID["b-bad"]; c.Pass || c.Error == "" || !strings.Contains(c.Error, "b-bad.json") {
		t.Errorf("malformed case must error naming its file: %+v", c)
	}
	if c := byID["unlabeled-01"]; c.Scored || c.Summary == "" {
		t.Errorf("unlabeled case must be reported, not scored: %+v", c)
	}
	if rep.Metrics.Scored != 2 || rep.Metrics.Passed != 1 || rep.Metrics.Errored != 1 {
		t.Errorf("metrics %+v", rep.Metrics)
	}
}

func TestReportRoundTripAndCompare(t *testing.T) {
	rep := runDir(t, examples)
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	if err := rep.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	base, err := evals.ReadReport(path)
	if err != nil {
		t.Fatal(err)
	}
	if flips := evals.Compare(base, rep); len(flips) != 0 {
		t.Fatalf("same run must not flip: %v", flips)
	}
	base.Cases[0].Pass = false
	flips := evals.Compare(base, rep)
	if len(flips) != 1 || flips[0].Before != "fail" || flips[0].After != "pass" {
		t.Fatalf("flips = %+v", flips)
	}
	if err := evals.WriteJUnit(filepath.Join(dir, "j.xml"), rep); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "j.xml"))
	if !strings.Contains(string(b), `<testcase name="credit-supervisor-01"`) {
		t.Fatalf("junit lacks test cases:\n%s", b)
	}
	var sb strings.Builder
	if err := evals.WriteScorecard(&sb, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sb.String(), "overall") || !strings.Contains(sb.String(), "23 passed, 0 failed") {
		t.Fatalf("scorecard:\n%s", sb.String())
	}
}

func BenchmarkEval1000(b *testing.B) {
	loaded, err := evals.LoadDir(examples)
	if err != nil {
		b.Skip(err)
	}
	var many []evals.Loaded
	for len(many) < 1000 {
		many = append(many, loaded...)
	}
	many = many[:1000]
	engine, _ := policy.Default()
	for b.Loop() {
		if _, err := evals.Run(context.Background(), many, evals.Options{Planner: agent.Playbook{}, Policy: engine}); err != nil {
			b.Fatal(err)
		}
	}
}

// A run that ctx ends returns the cases that finished as a partial report,
// with an error saying it was aborted; cases cut short are not in it.
func TestRunInterruptedReturnsPartialReport(t *testing.T) {
	loaded, err := evals.LoadDir("cases")
	if err != nil {
		t.Fatal(err)
	}
	engine, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, epochs := range []int{1, 3} {
		ctx, cancel := context.WithCancel(context.Background())
		rep, err := evals.Run(ctx, loaded, evals.Options{Planner: agent.Playbook{}, Policy: engine, Workers: 2, Epochs: epochs,
			Progress: func(done, _ int) {
				if done == 3 {
					cancel()
				}
			}})
		cancel()
		if !errors.Is(err, evals.ErrAborted) || !errors.Is(err, context.Canceled) {
			t.Fatalf("epochs %d: err = %v, want ErrAborted and context.Canceled", epochs, err)
		}
		if rep == nil || len(rep.Cases) == 0 || len(rep.Cases) >= len(loaded) {
			t.Fatalf("epochs %d: partial report of %v cases, want some of %d", epochs, rep, len(loaded))
		}
		if rep.Metrics.Cases != len(rep.Cases) {
			t.Errorf("epochs %d: metrics count %d cases, the report has %d", epochs, rep.Metrics.Cases, len(rep.Cases))
		}
		for _, c := range rep.Cases {
			if strings.Contains(c.Error, "context canceled") {
				t.Errorf("epochs %d: %s was cut short but reported: %s", epochs, c.ID, c.Error)
			}
		}
	}
}
