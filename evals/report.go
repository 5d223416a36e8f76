package evals

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
)

// ReportFormat is the format tag of eval reports.
const ReportFormat = "exdesk.report/v1"

// Report is an eval run's report (exdesk.report/v1).
type Report struct {
	Format        string       `json:"format"`
	Planner       string       `json:"planner"`
	Model         string       `json:"model,omitempty"`
	PromptVersion string       `json:"prompt_version,omitempty"`
	PolicyVersion string       `json:"policy_version"`
	Epochs        int          `json:"epochs,omitempty"`
	Cases         []CaseResult `json:"cases"`
	Metrics       Metrics      `json:"metrics"`
	// Comparison is the run against a baseline report, when one was given.
	Comparison *Comparison `json:"comparison,omitempty"`
}

// CaseResult is one case's outcome in a report.
type CaseResult struct {
	ID             string         `json:"id"`
	File           string         `json:"file,omitempty"`
	Title          string         `json:"title,omitempty"`
	Class          string         `json:"expected_class,omitempty"`
	Scored         bool           `json:"scored"`
	Pass           bool           `json:"pass"`
	Error          string         `json:"error"`
	ExceptionClass string         `json:"exception_class"`
	AlsoDetected   []string       `json:"also_detected"`
	Summary        string         `json:"summary"`
	Actions        []ActionResult `json:"actions"`
	Rejected       []Rejection    `json:"rejected_actions"`
	Checks         Checks         `json:"checks"`
	// Failures say, for each failed check, what was expected and what
	// the case shows.
	Failures   []CheckFailure `json:"failures,omitempty"`
	ToolCalls  int            `json:"tool_calls"`
	RoundTrips int            `json:"llm_round_trips"`
	Tokens     int            `json:"tokens"`
	DurationMS float64        `json:"duration_ms"`
	Planner    string         `json:"planner,omitempty"`
	// Epochs holds per-run pass results when the case ran several times.
	EpochPasses []bool `json:"epoch_passes,omitempty"`
}

// ActionResult is a ranked action with the guard's decision.
type ActionResult struct {
	Type     string          `json:"type"`
	OrderID  string          `json:"order_id,omitempty"`
	Args     connectors.Args `json:"args"`
	Rank     int             `json:"rank"`
	Decision policy.Decision `json:"decision"`
}

// Rejection is a proposal that did not fit the order.
type Rejection struct {
	Type   string          `json:"type"`
	Args   connectors.Args `json:"args"`
	Reason string          `json:"reason"`
}

// Checks are the scored checks of one case (FORMAT.md).
type Checks struct {
	Class       bool `json:"class"`
	TopAction   bool `json:"top_action"`
	NoForbidden bool `json:"no_forbidden"`
	Decision    bool `json:"decision"`
	Mentions    bool `json:"mentions"`
}

// Metrics aggregate a run.
type Metrics struct {
	Cases  int `json:"cases"`
	Scored int `json:"scored"`
	Passed int `json:"passed"`
	// Failed counts scored cases that ran and failed a check; errored
	// cases are counted apart.
	Failed            int     `json:"failed"`
	Errored           int     `json:"errored"`
	ClassAccuracy     float64 `json:"class_accuracy"`
	TopActionAccuracy float64 `json:"top_action_accuracy"`
	ForbiddenRate     float64 `json:"forbidden_rate"`
	DecisionAccuracy  float64 `json:"decision_accuracy"`
	MentionRate       float64 `json:"mention_rate"`
	// PassAt1 is the mean pass rate of single runs; PassHatK the share of
	// cases that passed all k runs (τ-bench's pass^k), when epochs > 1.
	PassAt1  float64 `json:"pass_at_1"`
	PassHatK float64 `json:"pass_hat_k,omitempty"`
	Tokens   int     `json:"tokens"`
	// MedianRoundTrips is the median model round trips a case.
	MedianRoundTrips float64 `json:"median_llm_round_trips"`
	DurationMS       float64 `json:"duration_ms"`
}

// WriteFile writes the report as indented JSON.
func (r *Report) WriteFile(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	return nil
}

// ReadReport reads a report written by WriteFile.
func ReadReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading report: %w", err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("reading report %s: %w", path, err)
	}
	if r.Format != ReportFormat {
		return nil, fmt.Errorf("reading report %s: format %q is not %s", path, r.Format, ReportFormat)
	}
	return &r, nil
}
