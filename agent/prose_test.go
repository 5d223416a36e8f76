package agent_test

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/evals"
	"github.com/exdesk/exdesk/policy"
)

// proseRules are what a planner reading threads all day must not meet in
// what the playbook writes (the policy's reasons are the policy's).
var proseRules = []struct {
	name string
	re   *regexp.Regexp
}{
	{"a role's internal name", regexp.MustCompile(`\b(cs|finance|logistics|compliance|pricing)_(supervisor|director|officer|manager)\b`)},
	{"action syntax", regexp.MustCompile(`\w+\(\w+=`)},
	{"a boolean field", regexp.MustCompile(`(?i)\b[a-z ]+: (true|false)\b`)},
	{"a class's internal name", regexp.MustCompile(`(?i)also detected: [^.]*\b[a-z]+_[a-z]+`)},
	{"a status's internal name", regexp.MustCompile(`\b(in_transit|picked_up|on_hold)\b`)},
	{"an X12 code pair", regexp.MustCompile(`\b[A-Z][A-Z0-9]/[A-Z][A-Z0-9]\b`)},
	{"a negative amount", regexp.MustCompile(`-\$\d`)},
	{"an amount without currency", regexp.MustCompile(`(?i)(amount|price|cost)=?\s*\d+\.\d`)},
}

func corpus(t *testing.T) []evals.Loaded {
	t.Helper()
	var all []evals.Loaded
	for _, dir := range []string{"../evals/cases", "../../shared/evals/examples"} {
		ls, err := evals.LoadDir(dir)
		if err != nil {
			if os.Getenv("CI") == "" && strings.Contains(dir, "shared") {
				continue
			}
			t.Fatal(err)
		}
		all = append(all, ls...)
	}
	if len(all) == 0 {
		t.Fatal("no recorded cases")
	}
	return all
}

// Every summary of the recorded corpus reads as prose: each sentence said
// once, no internal names, codes in the evidence and words in the summary.
func TestSummariesReadAsProse(t *testing.T) {
	engine, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range corpus(t) {
		if l.Err != nil {
			t.Errorf("%s: %v", l.File, l.Err)
			continue
		}
		conn := recorded.New(l.Case.Snapshot)
		sys := conn.Systems()
		inv := &agent.Investigator{Planner: agent.Playbook{}, Systems: sys, Guard: policy.NewGuard(engine, sys)}
		c, err := inv.Investigate(context.Background(), l.Case.Trigger)
		if err != nil {
			t.Errorf("%s: %v", l.Case.ID, err)
			continue
		}
		ours := c.Summary
		for _, p := range c.Actions {
			ours = strings.ReplaceAll(ours, p.Decision.Reason, "")
		}
		texts := []string{ours}
		for _, p := range c.Actions {
			texts = append(texts, agent.Describe(p.Action))
			if spec, _ := connectors.LookupAction(p.Action.Type); spec.System == "tasks" {
				texts = append(texts, connectors.TaskDetail(p.Action))
			}
		}
		for _, f := range c.Facts {
			texts = append(texts, f.Text)
		}
		for _, text := range texts {
			for _, r := range proseRules {
				if r.name == "an X12 code pair" && strings.Contains(text, "X12 214") {
					continue // the evidence keeps the codes
				}
				if m := r.re.FindString(text); m != "" {
					t.Errorf("%s: %s (%q) in %q", l.Case.ID, r.name, m, text)
				}
			}
		}
		seen := map[string]bool{}
		for _, s := range strings.Split(ours, ". ") {
			s = strings.ToLower(strings.TrimSpace(strings.TrimSuffix(s, ".")))
			if s != "" && seen[s] {
				t.Errorf("%s: %q is said twice in %q", l.Case.ID, s, c.Summary)
			}
			seen[s] = true
		}
		if n := strings.Count(c.Summary, "no capacity"); n > 1 {
			t.Errorf("%s: the missing capacity is said %d times: %q", l.Case.ID, n, c.Summary)
		}
	}
}
