package evals

import (
	"bytes"
	"strings"
	"testing"
)

func TestWriteHTML(t *testing.T) {
	r := &Report{Format: "exdesk.report/v1", Planner: "playbook", PolicyVersion: "v1", Cases: []CaseResult{
		{ID: "ok-1", Class: "credit_hold", Scored: true, Pass: true, ExceptionClass: "credit_hold", Checks: Checks{true, true, true, true, true}},
		{ID: "bad-<script>", Class: "pricing_mismatch", Scored: true, ExceptionClass: "credit_hold", Summary: "<img src=x onerror=alert(1)>",
			Checks: Checks{Class: false, TopAction: false, NoForbidden: true}, Actions: []ActionResult{{Type: "release_hold", Rank: 1}}},
	}, Metrics: Metrics{Cases: 2, Scored: 2, Passed: 1}}
	base := &Report{Cases: []CaseResult{{ID: "ok-1", Scored: true, Pass: true}, {ID: "bad-<script>", Scored: true, Pass: true}}}
	var b bytes.Buffer
	if err := WriteHTML(&b, r, base); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{"1 passed, 1 failed", "Scorecard per class", "credit_hold", "pricing_mismatch", "overall",
		"expected <code>pricing_mismatch</code>, got <code>credit_hold</code>", "release_hold", "Flips against the baseline (1)", `class="fail">fail`} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, bad := range []string{"<script>", "<img src=x", "http://", "https://"} {
		if strings.Contains(page, bad) {
			t.Errorf("report contains %q: not escaped or not self-contained", bad)
		}
	}
}
