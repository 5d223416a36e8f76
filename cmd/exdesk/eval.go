package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/agent/llm"
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
  exdesk eval --cases evals/cases --report new.json --compare baseline.json
  exdesk eval --planner llm --record testdata/llm-run --cases evals/cases --report llm.json
  exdesk eval --planner llm --replay testdata/llm-run --cases evals/cases --report llm.json`)
	cases := fs.String("cases", "", "directory of *.json case files (or one file)")
	report := fs.String("report", "", "write the exdesk.report/v1 report to this file")
	junit := fs.String("junit", "", "also write JUnit XML for CI to this file")
	htmlOut := fs.String("html", "", "also write a static, self-contained HTML report (scorecard per class, failing cases, flips against --compare) to this file")
	compare := fs.String("compare", "", "baseline report: print cases whose result flipped")
	plannerName := fs.String("planner", "playbook", "planner: playbook, or llm (OPENAI_API_KEY / OPENAI_BASE_URL, EXDESK_MODEL)")
	record := fs.String("record", "", "with --planner llm: record every model exchange as a cassette in DIR")
	replay := fs.String("replay", "", "with --planner llm: replay the model exchanges recorded in DIR, with no network")
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
	if (*record != "" || *replay != "") && *plannerName != "llm" {
		fmt.Fprintln(e.stderr, "exdesk eval: --record and --replay need --planner llm")
		return exitUsage
	}
	if *record != "" && *replay != "" {
		fmt.Fprintln(e.stderr, "exdesk eval: use one of --record and --replay")
		return exitUsage
	}
	var (
		planner agent.Planner
		lp      *llmSetup
	)
	if *plannerName == "llm" {
		lp, err = newLLMSetup(e, *record, *replay)
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk eval: %v\n", err)
			return exitHarness
		}
		defer func() {
			if err := lp.stop(); err != nil {
				fmt.Fprintf(e.stderr, "exdesk eval: %v\n", err)
			}
		}()
		planner = lp.planner
	} else if planner, err = plannerFor(*plannerName); err != nil {
		fmt.Fprintf(e.stderr, "exdesk eval: %v\n", err)
		return exitUsage
	}
	// The baseline is read before anything is written: --report may name
	// the same file, to compare against the previous run and replace it.
	var base *evals.Report
	if *compare != "" {
		if base, err = evals.ReadReport(*compare); err != nil {
			fmt.Fprintf(e.stderr, "exdesk eval: --compare: %v\n", err)
			return exitHarness
		}
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
	opts := evals.Options{Planner: planner, Fallback: agent.Playbook{}, Policy: engine, Workers: *workers, Epochs: *epochs,
		Fatal: func(err error) bool { return errors.Is(err, llm.ErrReplayMiss) }}
	if bar != nil {
		opts.Progress = bar.set
	}
	rep, err := evals.Run(ctx, loaded, opts)
	bar.finish()
	if err != nil {
		fmt.Fprintf(e.stderr, "exdesk eval: %v\n", err)
		return exitHarness
	}
	if lp != nil {
		rep.Model, rep.PromptVersion = lp.planner.Model(), lp.planner.PromptVersion()
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
	if *htmlOut != "" {
		if err := evals.WriteHTMLFile(*htmlOut, rep, base); err != nil {
			fmt.Fprintf(e.stderr, "exdesk eval: --html: %v\n", err)
			return exitHarness
		}
	}
	evals.WriteFailures(e.stdout, rep)
	if err := evals.WriteScorecard(e.stdout, rep); err != nil {
		return exitHarness
	}
	if base != nil {
		fmt.Fprintln(e.stdout)
		evals.WriteFlips(e.stdout, evals.Compare(base, rep))
	}
	if rep.Metrics.Passed < rep.Metrics.Scored {
		return exitFailed
	}
	return exitOK
}

// plannerFor returns the named planner. The llm planner reads
// OPENAI_API_KEY, OPENAI_BASE_URL and EXDESK_MODEL from the process.
func plannerFor(name string) (agent.Planner, error) {
	switch name {
	case "playbook", "":
		return agent.Playbook{}, nil
	case "llm":
		cfg, err := llm.ConfigFromEnv(os.Getenv)
		if err != nil {
			return nil, err
		}
		return llm.New(cfg)
	}
	return nil, fmt.Errorf("unknown planner %q; use playbook or llm", name)
}

// llmSetup is the llm planner of an eval run, recording or replaying.
type llmSetup struct {
	planner *llm.Planner
	rec     *llm.Recorder
}

// newLLMSetup configures the llm planner from the environment. Replaying
// needs no endpoint or key: the model defaults to the recorded one.
func newLLMSetup(e *env, record, replay string) (*llmSetup, error) {
	cfg, err := llm.ConfigFromEnv(e.getenv)
	if err != nil && (replay == "" || !errors.Is(err, llm.ErrNotConfigured)) {
		return nil, err
	}
	cfg.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s := &llmSetup{}
	switch {
	case record != "":
		if s.rec, err = llm.NewRecorder(llm.ModeRecord, record, nil); err != nil {
			return nil, err
		}
	case replay != "":
		if s.rec, err = llm.NewRecorder(llm.ModeReplay, replay, nil); err != nil {
			return nil, err
		}
		if meta, err := llm.ReadMeta(replay); err == nil {
			if e.getenv("EXDESK_MODEL") == "" && meta.Model != "" {
				cfg.Model = meta.Model
			}
			if meta.PromptVersion != "" {
				cfg.PromptVersion = meta.PromptVersion
			}
		}
		// recorded 429s replay at once
		cfg.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	}
	if s.rec != nil {
		cfg.HTTPClient = s.rec.Client()
	}
	if s.planner, err = llm.New(cfg); err != nil {
		return nil, err
	}
	if record != "" {
		if err := s.rec.WriteMeta(llm.Meta{Model: s.planner.Model(), PromptVersion: s.planner.PromptVersion()}); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// stop saves the recording, if any.
func (s *llmSetup) stop() error {
	if s == nil || s.rec == nil {
		return nil
	}
	return s.rec.Stop()
}
