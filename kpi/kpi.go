package kpi

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/exdesk/exdesk/store"
)

// Store is what Compute reads; store.Store implements it.
type Store interface {
	WindowCases(ctx context.Context, since, until time.Time) ([]store.Case, error)
	CaseProposals(ctx context.Context, caseIDs []string) ([]store.Proposal, error)
	CaseExecutions(ctx context.Context, caseIDs []string) ([]store.Execution, error)
}

// Format names the JSON report.
const Format = "exdesk.kpi/v1"

// Report is the KPIs over one window.
type Report struct {
	Format string    `json:"format"`
	Since  time.Time `json:"since"`
	Until  time.Time `json:"until"`

	// Opened is the number of cases created in the window.
	Opened int `json:"opened"`
	// Days are the window's days (UTC, YYYY-MM-DD) and Classes the classes
	// seen; ByDay[d][c] counts the cases of class c opened on day d.
	Days    []string         `json:"days"`
	Classes []string         `json:"classes"`
	ByDay   []map[string]int `json:"by_day"`
	// ByClass counts the cases opened per class, most first.
	ByClass []Count `json:"by_class"`

	Resolved  int `json:"resolved"`
	Touchless int `json:"touchless"`
	// TouchlessRate is Touchless / Resolved (0 when none resolved).
	TouchlessRate float64 `json:"touchless_rate"`

	CycleTime       []Percentiles `json:"cycle_time_hours"`         // per class, detection → resolved
	ApprovalLatency []Percentiles `json:"approval_latency_minutes"` // per role, proposed → decided

	Backlog Backlog `json:"backlog"`

	Decisions []RuleDecisions `json:"decisions"` // per rule and class
	Blocked   []Count         `json:"blocked"`   // blocked proposals per rule

	Expedites        int     `json:"expedites"`
	ExpediteSpend    float64 `json:"expedite_spend"`
	PriceCorrections int     `json:"price_corrections"`
	MarginProtected  float64 `json:"margin_protected"`

	LLM LLM `json:"llm"`
}

// Count is a labelled count.
type Count struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// Percentiles summarise durations of one group.
type Percentiles struct {
	Key string  `json:"key"`
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
}

// Backlog is the open cases at the end of the window by age.
type Backlog struct {
	Open    int     `json:"open"`
	Buckets []Count `json:"buckets"` // <4h, 4-24h, 1-3d, >3d
}

// RuleDecisions are people's decisions on one rule's proposals in one class.
type RuleDecisions struct {
	Rule          string  `json:"rule"`
	Class         string  `json:"class"`
	Decided       int     `json:"decided"`
	Rejected      int     `json:"rejected"`
	Overridden    int     `json:"overridden"`
	RejectionRate float64 `json:"rejection_rate"`
	OverrideRate  float64 `json:"override_rate"`
}

// LLM is what the model planner cost, over the cases it planned.
type LLM struct {
	Cases         int     `json:"cases"`
	Tokens        int     `json:"tokens"`
	TokensPerCase float64 `json:"tokens_per_case"`
}

// Aging buckets of the backlog.
var bucketLabels = [...]string{"< 4h", "4–24h", "1–3d", "> 3d"}

// caseDoc is the part of a case document the KPIs read.
type caseDoc struct {
	Usage struct {
		Tokens int `json:"tokens"`
	} `json:"usage"`
}

// effect is the money recorded beside an execution (casework.Effect).
type effect struct {
	Effect struct {
		ExpediteCost    float64 `json:"expedite_cost"`
		MarginProtected float64 `json:"margin_protected"`
	} `json:"effect"`
}

// Compute reads the store and computes the KPIs over [since, until).
func Compute(ctx context.Context, st Store, since, until time.Time) (*Report, error) {
	since, until = since.UTC(), until.UTC()
	if !until.After(since) {
		return nil, fmt.Errorf("kpi: empty window %s … %s", since.Format(time.RFC3339), until.Format(time.RFC3339))
	}
	cases, err := st.WindowCases(ctx, since, until)
	if err != nil {
		return nil, fmt.Errorf("kpi: %w", err)
	}
	ids := make([]string, len(cases))
	byID := make(map[string]*store.Case, len(cases))
	for i := range cases {
		ids[i] = cases[i].ID
		byID[cases[i].ID] = &cases[i]
	}
	ps, err := st.CaseProposals(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("kpi: %w", err)
	}
	es, err := st.CaseExecutions(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("kpi: %w", err)
	}
	in := func(t time.Time) bool { return !t.IsZero() && !t.Before(since) && t.Before(until) }
	r := &Report{Format: Format, Since: since, Until: until}

	for d := dayOf(since); d.Before(until); d = d.AddDate(0, 0, 1) {
		r.Days = append(r.Days, d.Format(time.DateOnly))
		r.ByDay = append(r.ByDay, map[string]int{})
	}
	classCount := map[string]int{}
	human := map[string]bool{} // case id → a person decided something
	for _, p := range ps {
		if store.HumanDecision(p) {
			human[p.CaseID] = true
		}
	}
	cycle := map[string][]float64{}
	var buckets [len(bucketLabels)]int
	for _, c := range cases {
		if in(c.CreatedAt) {
			r.Opened++
			classCount[c.Class]++
			if i := slices.Index(r.Days, c.CreatedAt.UTC().Format(time.DateOnly)); i >= 0 {
				r.ByDay[i][c.Class]++
			}
			var d caseDoc
			if json.Unmarshal(c.Document, &d) == nil && d.Usage.Tokens > 0 {
				r.LLM.Cases++
				r.LLM.Tokens += d.Usage.Tokens
			}
		}
		if c.Status == store.CaseResolved && in(c.ResolvedAt) {
			r.Resolved++
			if !human[c.ID] {
				r.Touchless++
			}
			cycle[c.Class] = append(cycle[c.Class], c.ResolvedAt.Sub(c.CreatedAt).Hours())
		}
		if c.CreatedAt.Before(until) && (c.Status == store.CaseOpen || (c.Status == store.CaseResolved && !c.ResolvedAt.Before(until))) {
			r.Backlog.Open++
			age := until.Sub(c.CreatedAt)
			switch {
			case age < 4*time.Hour:
				buckets[0]++
			case age < 24*time.Hour:
				buckets[1]++
			case age < 72*time.Hour:
				buckets[2]++
			default:
				buckets[3]++
			}
		}
	}
	for i, l := range bucketLabels {
		r.Backlog.Buckets = append(r.Backlog.Buckets, Count{Key: l, Count: buckets[i]})
	}
	r.ByClass = sortedCounts(classCount)
	for k := range classCount {
		r.Classes = append(r.Classes, k)
	}
	slices.Sort(r.Classes)
	if r.Resolved > 0 {
		r.TouchlessRate = float64(r.Touchless) / float64(r.Resolved)
	}
	r.CycleTime = percentiles(cycle)

	// Decisions, latency, blocked: proposals decided (or blocked) in the window.
	top := map[string]int{} // case id → the rank of its top proposal
	for _, p := range ps {
		if r, ok := top[p.CaseID]; !ok || p.Rank < r {
			top[p.CaseID] = p.Rank
		}
	}
	latency := map[string][]float64{}
	type rk struct{ rule, class string }
	dec := map[rk]*RuleDecisions{}
	blocked := map[string]int{}
	for _, p := range ps {
		c := byID[p.CaseID]
		if p.Outcome == "blocked" && in(p.CreatedAt) {
			blocked[p.Rule]++
		}
		if !store.HumanDecision(p) || !in(p.DecidedAt) {
			continue
		}
		latency[p.Role] = append(latency[p.Role], p.DecidedAt.Sub(p.CreatedAt).Minutes())
		k := rk{p.Rule, c.Class}
		d := dec[k]
		if d == nil {
			d = &RuleDecisions{Rule: p.Rule, Class: c.Class}
			dec[k] = d
		}
		d.Decided++
		if p.State == store.Rejected {
			d.Rejected++
		} else if p.Rank > top[p.CaseID] {
			d.Overridden++
		}
	}
	r.ApprovalLatency = percentiles(latency)
	for _, d := range dec {
		d.RejectionRate = float64(d.Rejected) / float64(d.Decided)
		d.OverrideRate = float64(d.Overridden) / float64(d.Decided)
		r.Decisions = append(r.Decisions, *d)
	}
	slices.SortFunc(r.Decisions, func(a, b RuleDecisions) int {
		return cmp.Or(cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Class, b.Class))
	})
	r.Blocked = sortedCounts(blocked)

	for _, e := range es {
		if e.Status != store.ExecSucceeded || !in(e.FinishedAt) {
			continue
		}
		var ef effect
		_ = json.Unmarshal(e.Result, &ef)
		switch e.Action.Type {
		case "expedite_shipment":
			r.Expedites++
			r.ExpediteSpend += ef.Effect.ExpediteCost
		case "correct_price":
			r.PriceCorrections++
			r.MarginProtected += ef.Effect.MarginProtected
		}
	}
	r.ExpediteSpend, r.MarginProtected = cents(r.ExpediteSpend), cents(r.MarginProtected)
	if r.LLM.Cases > 0 {
		r.LLM.TokensPerCase = math.Round(float64(r.LLM.Tokens)/float64(r.LLM.Cases)*10) / 10
	}
	return r, nil
}

func cents(x float64) float64 { return math.Round(x*100) / 100 }

func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func sortedCounts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{Key: k, Count: v})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Key, b.Key)) })
	return out
}

func percentiles(m map[string][]float64) []Percentiles {
	out := make([]Percentiles, 0, len(m))
	for k, xs := range m {
		slices.Sort(xs)
		out = append(out, Percentiles{Key: k, N: len(xs), P50: round1(quantile(xs, 0.5)), P95: round1(quantile(xs, 0.95))})
	}
	slices.SortFunc(out, func(a, b Percentiles) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// quantile is the nearest-rank quantile of sorted xs.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(xs)))) - 1
	return xs[max(0, min(i, len(xs)-1))]
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
