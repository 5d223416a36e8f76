package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/agent/llm"
	"github.com/exdesk/exdesk/evals"
	"github.com/spf13/cobra"
)

// Bounds of eval's numeric flags.
const (
	maxWorkers = 1024
	maxEpochs  = 1000
)

// evalParams are eval's settings, one field per flag, so the command's
// logic (evalCommand) does not depend on how flags are parsed.
type evalParams struct {
	Cases, Report, JUnit, HTML, Compare string
	Planner, Record, Replay             string
	Policy, Filter, OnlyFailing         string
	Output                              string // text or json
	Workers, Epochs                     int
	Quiet                               bool
}

func evalCmd(e *env) *cobra.Command {
	c, fs := newCommand(e, "eval", "eval --cases DIR [--report FILE] [flags]",
		`Investigates every recorded case (exdesk.case/v1) in DIR against the recorded
connector, scores it against its expected block, prints each failing case with
expected against actual for every failed check, a scorecard per class and a
summary (passed, failed and errored counted apart), and with --report writes
the exdesk.report/v1 report. A malformed case file is reported as errored with
the file and JSON path; the run goes on.

Exit status: 0 when every scored case passes, 3 when a case fails or errors,
1 on a harness or usage error (unreadable directory, unwritable report, replay
miss, a bad flag value).`,
		`  exdesk eval --cases evals/cases
  exdesk eval --cases ../shared/evals/examples --report r.json --junit junit.xml
  exdesk eval --cases evals/cases --report new.json --compare baseline.json
  exdesk eval --cases evals/cases --filter '^credit-'
  exdesk eval --cases evals/cases --only-failing baseline.json --compare baseline.json
  exdesk eval --cases evals/cases -o json > result.json
  exdesk eval --planner llm --record testdata/llm-run --cases evals/cases --report llm.json
  exdesk eval --planner llm --replay testdata/llm-run --cases evals/cases --report llm.json`)
	var p evalParams
	fs.StringVar(&p.Cases, "cases", "", "directory of *.json case files (or one file)")
	fs.StringVar(&p.Report, "report", "", "write the exdesk.report/v1 report to this file (optional)")
	fs.StringVar(&p.JUnit, "junit", "", "also write JUnit XML for CI to this file")
	fs.StringVar(&p.HTML, "html", "", "also write a static, self-contained HTML report (scorecard per class, failing cases, flips against --compare) to this file")
	fs.StringVar(&p.Compare, "compare", "", "baseline report: print cases whose result flipped")
	fs.StringVar(&p.Filter, "filter", "", "run only the cases whose id or title matches this regular expression")
	fs.StringVar(&p.OnlyFailing, "only-failing", "", "baseline report: rerun only the cases that failed or errored in it")
	fs.StringVarP(&p.Output, "output", "o", "text", "output: text (failures and scorecard) or json (the report, on stdout)")
	fs.StringVar(&p.Planner, "planner", "playbook", "planner: playbook, or llm (OPENAI_API_KEY / OPENAI_BASE_URL, EXDESK_MODEL)")
	fs.StringVar(&p.Record, "record", "", "with --planner llm: record every model exchange as a cassette in DIR")
	fs.StringVar(&p.Replay, "replay", "", "with --planner llm: replay the model exchanges recorded in DIR, with no network")
	fs.IntVar(&p.Workers, "workers", runtime.GOMAXPROCS(0), fmt.Sprintf("cases investigated at once (1 to %d)", maxWorkers))
	fs.IntVar(&p.Epochs, "epochs", 1, fmt.Sprintf("run each case N times and report pass^k (1 to %d)", maxEpochs))
	fs.BoolVar(&p.Quiet, "quiet", false, "no progress bar")
	fs.StringVar(&p.Policy, "policy", "", "policy file (default: $EXDESK_POLICY, else the shipped policy)")
	c.RunE = runE(func(ctx context.Context, args []string) int {
		r := reporter{e: e, name: "eval", json: p.Output == "json"}
		if len(args) > 0 {
			return r.fail(exitUsage, "unexpected argument %q; name the cases with --cases DIR", args[0])
		}
		return evalCommand(ctx, e, p)
	})
	return c
}

// check refuses flag values the run cannot use, with one line naming the
// flag and what it accepts.
func (p evalParams) check() error {
	switch {
	case p.Cases == "":
		return errors.New("--cases is required: the directory of recorded cases, e.g. --cases evals/cases")
	case p.Workers < 1 || p.Workers > maxWorkers:
		return fmt.Errorf("--workers must be between 1 and %d, got %d", maxWorkers, p.Workers)
	case p.Epochs < 1 || p.Epochs > maxEpochs:
		return fmt.Errorf("--epochs must be between 1 and %d, got %d", maxEpochs, p.Epochs)
	case p.Output != "text" && p.Output != "json":
		return fmt.Errorf("-o must be text or json, got %q", p.Output)
	case (p.Record != "" || p.Replay != "") && p.Planner != "llm":
		return errors.New("--record and --replay need --planner llm")
	case p.Record != "" && p.Replay != "":
		return errors.New("use one of --record and --replay")
	}
	if p.Filter != "" {
		if _, err := regexp.Compile(p.Filter); err != nil {
			return fmt.Errorf("--filter %q is not a regular expression: %w", p.Filter, err)
		}
	}
	return nil
}

// evalCommand runs an eval with settings p.
func evalCommand(ctx context.Context, e *env, p evalParams) int {
	r := reporter{e: e, name: "eval", json: p.Output == "json"}
	if err := p.check(); err != nil {
		return r.fail(exitUsage, "%v", err)
	}
	engine, err := e.cfg.policy(p.Policy)
	if err != nil {
		return r.fail(exitHarness, "%v", err)
	}
	var (
		planner agent.Planner
		lp      *llmSetup
	)
	if p.Planner == "llm" {
		lp, err = newLLMSetup(e, p.Record, p.Replay)
		if err != nil {
			return r.fail(exitHarness, "%v", err)
		}
		defer func() {
			if err := lp.stop(); err != nil {
				fmt.Fprintf(e.stderr, "exdesk eval: %v\n", err)
			}
		}()
		planner = lp.planner
	} else if planner, err = e.cfg.planner(p.Planner); err != nil {
		return r.fail(exitUsage, "%v", err)
	}
	// Baselines are read before anything is written: --report may name
	// the same file, to compare against the previous run and replace it.
	var base, rerun *evals.Report
	if p.Compare != "" {
		if base, err = evals.ReadReport(p.Compare); err != nil {
			return r.fail(exitHarness, "--compare: %v", err)
		}
	}
	if p.OnlyFailing != "" {
		if rerun, err = evals.ReadReport(p.OnlyFailing); err != nil {
			return r.fail(exitHarness, "--only-failing: %v", err)
		}
	}
	loaded, err := evals.LoadDir(p.Cases)
	if err != nil {
		return r.fail(exitHarness, "%v", err)
	}
	all := len(loaded)
	if p.Filter != "" {
		if loaded = evals.Select(loaded, regexp.MustCompile(p.Filter)); len(loaded) == 0 {
			return r.fail(exitUsage, "--filter %q matches no case id or title of the %d cases in %s", p.Filter, all, p.Cases)
		}
	}
	if rerun != nil {
		if loaded = evals.FailingIn(loaded, rerun); len(loaded) == 0 {
			return r.fail(exitOK, "nothing to rerun: no case of %s failed or errored in %s", p.Cases, p.OnlyFailing)
		}
	}
	var bar *progress
	if !p.Quiet {
		bar = newProgress(e, e.stderr, "eval")
	}
	opts := evals.Options{Planner: planner, Fallback: agent.Playbook{}, Policy: engine, Workers: p.Workers, Epochs: p.Epochs,
		Fatal: func(err error) bool { return errors.Is(err, llm.ErrReplayMiss) }}
	if bar != nil {
		opts.Progress = bar.set
	}
	rep, err := evals.Run(ctx, loaded, opts)
	bar.finish()
	if err != nil && ctx.Err() != nil && rep != nil {
		return evalInterrupted(e, r, p, rep, len(loaded)*p.Epochs)
	}
	if err != nil {
		return r.fail(exitHarness, "%v", err)
	}
	if lp != nil {
		rep.Model, rep.PromptVersion = lp.planner.Model(), lp.planner.PromptVersion()
	}
	if base != nil {
		cmp := evals.CompareWith(base, rep, len(loaded) < all)
		rep.Comparison = &cmp
	}
	if p.Report != "" {
		if err := rep.WriteFile(p.Report); err != nil {
			return r.fail(exitHarness, "%v", err)
		}
	}
	if p.JUnit != "" {
		if err := evals.WriteJUnit(p.JUnit, rep); err != nil {
			return r.fail(exitHarness, "%v", err)
		}
	}
	if p.HTML != "" {
		if err := evals.WriteHTMLFile(p.HTML, rep, base); err != nil {
			return r.fail(exitHarness, "--html: %v", err)
		}
	}
	if p.Output == "json" {
		if rep.Comparison != nil && rep.Comparison.Warning != "" {
			fmt.Fprintf(e.stderr, "exdesk eval: --compare: %s\n", rep.Comparison.Warning)
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return r.fail(exitHarness, "%v", err)
		}
	} else if err := writeEvalText(e.stdout, e.style(e.stdout), rep); err != nil {
		return exitHarness
	}
	if evals.Failing(rep) {
		return exitFailed
	}
	return exitOK
}

// llmSetup is the llm planner of an eval run, recording or replaying.
type llmSetup struct {
	planner *llm.Planner
	rec     *llm.Recorder
}

// newLLMSetup configures the llm planner from the environment. Replaying
// needs no endpoint or key: the model defaults to the recorded one.
func newLLMSetup(e *env, record, replay string) (*llmSetup, error) {
	cfg, err := e.cfg.LLM, e.cfg.LLMErr
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
			if e.cfg.Model == "" && meta.Model != "" {
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

// evalInterrupted reports a run that Ctrl-C stopped: the cases that
// finished, as text marked partial, and on stderr how far it got. The
// report format (exdesk.report/v1) has no mark for a partial run, so no
// report, JUnit file or JSON report is written: a partial one would read
// as the whole suite's. With -o json, how far it got is the JSON error
// object on stdout. The exit status is 130.
func evalInterrupted(e *env, r reporter, p evalParams, rep *evals.Report, total int) int {
	runs := len(rep.Cases)
	if p.Epochs > 1 {
		runs = 0
		for _, c := range rep.Cases {
			runs += max(len(c.EpochPasses), 1)
		}
	}
	what := "cases"
	if p.Epochs > 1 {
		what = "case runs"
	}
	partial := fmt.Sprintf("partial: %s of %s %s finished before the interrupt", thousands(runs), thousands(total), what)
	var unwritten []string
	for _, f := range []struct{ flag, path string }{{"--report", p.Report}, {"--junit", p.JUnit}} {
		if f.path != "" {
			unwritten = append(unwritten, f.flag+" "+f.path)
		}
	}
	if p.Output == "json" {
		unwritten = append(unwritten, "-o json")
	}
	note := partial
	if len(unwritten) > 0 {
		note += "; not written (the report format has no mark for a partial run): " + strings.Join(unwritten, ", ")
	}
	if p.Output == "json" {
		return r.fail(exitInterrupted, "%s", note)
	}
	fmt.Fprintf(e.stderr, "exdesk eval: %s\n", note)
	st := e.style(e.stdout)
	if err := writeEvalText(e.stdout, st, rep); err != nil {
		return exitHarness
	}
	fmt.Fprintln(e.stdout, st.wrap(st.yellow(partial+"; the figures above cover those only."), "", ""))
	return exitInterrupted
}

// writeEvalText writes a run's text output: each failing case with
// expected against actual, the scorecard, the summary and any comparison.
// On a terminal FAIL and ERROR are red and passes green, and failure
// lines wrap under their indent.
func writeEvalText(w io.Writer, st style, rep *evals.Report) error {
	var failures strings.Builder
	evals.WriteFailures(&failures, rep)
	for _, line := range strings.Split(strings.TrimSuffix(failures.String(), "\n"), "\n") {
		if line == "" {
			continue
		}
		const indent = "      "
		switch {
		case strings.HasPrefix(line, "FAIL "), strings.HasPrefix(line, "ERROR "):
			tag, text, _ := strings.Cut(line, " ")
			line = st.wrap(st.red(tag)+" "+text, "", indent)
		case strings.HasPrefix(line, indent):
			line = st.wrap(strings.TrimPrefix(line, indent), indent, indent+"  ")
		}
		fmt.Fprintln(w, line)
	}
	var card strings.Builder
	if err := evals.WriteScorecard(&card, rep); err != nil {
		return err
	}
	summary := evals.Summary(rep)
	fmt.Fprint(w, strings.Replace(card.String(), summary, paintSummary(summary, st), 1))
	if rep.Comparison != nil {
		var cmp strings.Builder
		evals.WriteComparison(&cmp, *rep.Comparison)
		text := cmp.String()
		if st.color {
			text = regressions.ReplaceAllStringFunc(text, st.red)
			text = fixed.ReplaceAllStringFunc(text, st.green)
		}
		fmt.Fprintln(w)
		fmt.Fprint(w, text)
	}
	return nil
}

var (
	summaryCount = regexp.MustCompile(`\b(\d+) (passed|failed|errored)\b`)
	regressions  = regexp.MustCompile(`(?m)^regressions \(\d+\):`)
	fixed        = regexp.MustCompile(`(?m)^fixed \(\d+\):`)
)

// paintSummary colours "21 passed, 1 failed, 1 errored": passes green,
// failures and errors red, a zero count plain.
func paintSummary(summary string, st style) string {
	return summaryCount.ReplaceAllStringFunc(summary, func(m string) string {
		sub := summaryCount.FindStringSubmatch(m)
		n, _ := strconv.Atoi(sub[1])
		return st.count(n, sub[2], sub[2] == "passed")
	})
}
