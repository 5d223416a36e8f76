// Command exdesk takes order exceptions off distributors' hands: it detects
// them, investigates each with typed tools over the ERP, inventory and
// carrier systems, drafts a case with ranked actions, gates every action
// through a deterministic policy guard, and runs offline evals.
//
// Usage:
//
//	exdesk <command> [flags]
//
// Commands: demo, ask, eval, policy. Run "exdesk <command> --help" for each.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// Exit codes.
const (
	exitOK      = 0
	exitHarness = 1 // a harness or configuration error
	exitUsage   = 2
	exitFailed  = 3 // an eval case or policy test failed
)

// env is what a command gets from the process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

type command struct {
	name, summary string
	run           func(ctx context.Context, e *env, args []string) int
}

func commands() []command {
	return []command{
		{"demo", "run a simulated business day through detection, investigation, the guard and execution", runDemo},
		{"ask", "answer a question about an order, with the case and its evidence", runAsk},
		{"eval", "run an offline eval suite on recorded cases and write a report", runEval},
		{"policy", "check a policy file or run policy tests (policy test FILE)", runPolicy},
		{"ingest", "backfill source-system events from a JSON Lines file into the ingest stream", runIngest},
		{"worker", "run ingest workers only: stream → cases, several replicas sharing Redis and the store", runWorker},
		{"migrate", "apply the store's migrations to DATABASE_URL or the SQLite file", runMigrate},
		{"audit", "verify the keyed audit chain (audit verify), checkpoint its head, or print a case's trail", runAudit},
		{"serve", "run the Slack app: questions in threads, case posts, in-thread approvals", runServe},
		{"prompts", "show the LLM planner's rendered system prompt (prompts show)", runPrompts},
		{"cases", "list open cases by priority, as the console's queue and /exdesk queue rank them", runCases},
		{"report", "compute the KPIs over a window (text, JSON, HTML) or post the weekly digest to Slack", runReport},
		{"connectors", "serve the exdesk.systems/v1 contract (connectors serve) or check an implementation (connectors check rest:URL)", runConnectors},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// go-redis prints connection-pool chatter on its own; it belongs in the
	// debug log, not on a user's terminal.
	redis.SetLogger(redisLog{})
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	os.Exit(run(ctx, e, os.Args[1:]))
}

func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "exdesk: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `exdesk takes order exceptions off distributors' hands.

Usage:
  exdesk <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "exdesk <command> --help" for a command's flags and examples.
With no configuration every command runs on embedded defaults: the simulated
distributor, the deterministic playbook planner and the shipped policy.
`)
}

// newFlags returns a flag set whose --help prints the synopsis, the
// description and the examples before the flags.
func newFlags(e *env, name, synopsis, description, examples string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: exdesk %s\n\n%s\n\nFlags:\n", synopsis, description)
		fs.PrintDefaults()
		if examples != "" {
			fmt.Fprintf(w, "\nExamples:\n%s\n", examples)
		}
	}
	return fs
}

// parse parses flags; it returns ok=false with the exit code when the
// command should stop (help asked for, or bad flags).
func parse(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return 0, true
}

// redisLog sends go-redis's internal messages to the debug log.
type redisLog struct{}

func (redisLog) Printf(ctx context.Context, format string, v ...any) {
	slog.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
