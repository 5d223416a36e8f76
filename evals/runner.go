package evals

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/tools"
)

// Options configure a run. Planner and Policy are required.
type Options struct {
	Planner agent.Planner
	// Fallback drafts a case when Planner fails (nil: the case errors).
	Fallback agent.Planner
	Policy   *policy.Engine
	// Workers is how many cases run at once; 0 means GOMAXPROCS.
	Workers int
	// Epochs runs every case that many times (0 or 1: once).
	Epochs int
	// Progress, when set, is called after each case run.
	Progress func(done, total int)
	// Tools, when set, returns extra tools for a case's systems.
	Tools func(connectors.Systems) []tools.Handle
	// Fatal, when set, marks planner errors that abort the run as a harness
	// failure (a cassette replay miss) rather than failing one case.
	Fatal func(error) bool
}

// ErrAborted wraps the error that stopped a run.
var ErrAborted = errors.New("eval run aborted")

// Run investigates and scores every loaded case. A malformed case is
// reported as errored; the run goes on. Run fails only when a planner error
// is fatal (Options.Fatal) or ctx ends. When ctx ends, Run returns, with
// the error (which wraps ErrAborted and ctx's error), a partial report of
// the cases that finished before it ended — fewer than were loaded — for
// the caller to show as partial; it is not a report of the suite.
func Run(ctx context.Context, cases []Loaded, opts Options) (*Report, error) {
	if opts.Planner == nil || opts.Policy == nil {
		return nil, errors.New("evals: Options.Planner and Options.Policy are required")
	}
	epochs := max(opts.Epochs, 1)
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	began := time.Now()
	results := make([][]CaseResult, len(cases))
	// finished marks the runs that ended on their own, not cut short by
	// ctx's end.
	finished := make([][]bool, len(cases))
	for i := range results {
		results[i] = make([]CaseResult, epochs)
		finished[i] = make([]bool, epochs)
	}
	parent := ctx
	type job struct{ i, epoch int }
	jobs := make(chan job)
	var (
		wg      sync.WaitGroup
		done    atomic.Int64
		fatalMu sync.Mutex
		fatal   error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	total := len(cases) * epochs
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				r, err := runOne(ctx, cases[j.i], opts)
				if err != nil {
					fatalMu.Lock()
					if fatal == nil {
						fatal = err
					}
					fatalMu.Unlock()
					cancel()
				}
				results[j.i][j.epoch] = r
				finished[j.i][j.epoch] = err == nil && (r.Error == "" || parent.Err() == nil)
				if opts.Progress != nil {
					opts.Progress(int(done.Add(1)), total)
				}
			}
		})
	}
feed:
	for e := range epochs {
		for i := range cases {
			if ctx.Err() != nil {
				break feed // no more once ctx ended, though a worker is free
			}
			select {
			case jobs <- job{i, e}:
			case <-ctx.Done():
				break feed
			}
		}
	}
	close(jobs)
	wg.Wait()
	if fatal != nil {
		return nil, fmt.Errorf("%w: %w", ErrAborted, fatal)
	}
	rep := &Report{Format: ReportFormat, Planner: opts.Planner.Name(), PolicyVersion: opts.Policy.Version()}
	if epochs > 1 {
		rep.Epochs = epochs
	}
	for i, rs := range results {
		// A case counts when its first run finished; of the others, the
		// runs that finished.
		if !finished[i][0] {
			continue
		}
		r := rs[0]
		if epochs > 1 {
			for e, x := range rs {
				if finished[i][e] {
					r.EpochPasses = append(r.EpochPasses, x.Pass)
				}
			}
		}
		rep.Cases = append(rep.Cases, r)
	}
	rep.Metrics = metrics(rep.Cases, epochs)
	rep.Metrics.DurationMS = float64(time.Since(began).Microseconds()) / 1000
	if err := parent.Err(); err != nil {
		return rep, fmt.Errorf("%w: %w", ErrAborted, err)
	}
	return rep, nil
}

// runOne investigates one case. Its error is non-nil only when fatal.
func runOne(ctx context.Context, l Loaded, opts Options) (CaseResult, error) {
	r := CaseResult{ID: idOf(l), File: l.File, AlsoDetected: []string{}, Actions: []ActionResult{}, Rejected: []Rejection{}}
	if l.Err != nil {
		r.Error = l.Err.Error()
		r.Scored = true
		return r, nil
	}
	c := l.Case
	r.Title = c.Title
	if c.Expected != nil {
		r.Class, r.Scored = c.Expected.ExceptionClass, true
	}
	conn := recorded.New(c.Snapshot)
	sys := conn.Systems()
	inv := &agent.Investigator{
		Planner: opts.Planner, Fallback: opts.Fallback, Systems: sys,
		Guard: policy.NewGuard(opts.Policy, sys),
		NewID: func(string) string { return c.ID },
	}
	if opts.Tools != nil {
		inv.Tools = opts.Tools(sys)
	}
	began := time.Now()
	// The planner sees the trigger only: never the expected block.
	ac, err := inv.Investigate(ctx, c.Trigger)
	r.DurationMS = float64(time.Since(began).Microseconds()) / 1000
	if err != nil {
		if opts.Fatal != nil && opts.Fatal(err) {
			return r, fmt.Errorf("case %s: %w", r.ID, err)
		}
		r.Error = err.Error()
		return r, nil
	}
	fill(&r, ac)
	if c.Expected != nil {
		r.Checks, r.Failures = Diagnose(c.Expected, ac)
		r.Pass = r.Checks.All()
	}
	return r, nil
}

func idOf(l Loaded) string {
	if l.Case != nil && l.Case.ID != "" {
		return l.Case.ID
	}
	base := filepath.Base(l.File)
	return base[:len(base)-len(filepath.Ext(base))]
}

func fill(r *CaseResult, c *agent.Case) {
	r.ExceptionClass = c.Class
	r.AlsoDetected = append([]string{}, c.AlsoDetected...)
	r.Summary = c.Summary
	r.Planner = c.Planner
	for _, p := range c.Actions {
		r.Actions = append(r.Actions, ActionResult{Type: p.Action.Type, OrderID: p.Action.OrderID, Args: p.Action.Args, Rank: p.Rank, Decision: p.Decision})
	}
	for _, x := range c.Rejected {
		r.Rejected = append(r.Rejected, Rejection{Type: x.Action.Type, Args: x.Action.Args, Reason: x.Reason})
	}
	r.ToolCalls = len(c.Calls)
	r.RoundTrips = c.Usage.RoundTrips
	r.Tokens = c.Usage.Tokens
}

func metrics(cs []CaseResult, epochs int) Metrics {
	m := Metrics{Cases: len(cs)}
	var class, top, forb, dec, decN, ment, passRuns, allRuns int
	var trips []int
	for _, c := range cs {
		m.Tokens += c.Tokens
		trips = append(trips, c.RoundTrips)
		if c.Error != "" {
			m.Errored++
		}
		if !c.Scored {
			continue
		}
		m.Scored++
		if c.Pass {
			m.Passed++
		}
		if c.Error != "" {
			decN++ // an errored case counts against every rate
			continue
		}
		if !c.Pass {
			m.Failed++
		}
		if c.Checks.Class {
			class++
		}
		if c.Checks.TopAction {
			top++
		}
		if !c.Checks.NoForbidden {
			forb++
		}
		decN++
		if c.Checks.Decision {
			dec++
		}
		if c.Checks.Mentions {
			ment++
		}
		if len(c.EpochPasses) > 0 {
			all := true
			for _, p := range c.EpochPasses {
				allRuns++
				if p {
					passRuns++
				} else {
					all = false
				}
			}
			if all {
				m.PassHatK++
			}
		}
	}
	if m.Scored > 0 {
		n := float64(m.Scored)
		m.ClassAccuracy, m.TopActionAccuracy = float64(class)/n, float64(top)/n
		m.ForbiddenRate, m.MentionRate = float64(forb)/n, float64(ment)/n
		m.DecisionAccuracy = float64(dec) / float64(max(decN, 1))
		m.PassAt1 = float64(m.Passed) / n
		if epochs > 1 && allRuns > 0 {
			m.PassAt1 = float64(passRuns) / float64(allRuns)
			m.PassHatK /= n
		}
	}
	if len(trips) > 0 {
		sort.Ints(trips)
		mid := len(trips) / 2
		m.MedianRoundTrips = float64(trips[mid])
		if len(trips)%2 == 0 {
			m.MedianRoundTrips = float64(trips[mid-1]+trips[mid]) / 2
		}
	}
	return m
}
