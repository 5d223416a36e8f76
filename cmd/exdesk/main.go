// Command exdesk takes order exceptions off distributors' hands: it detects
// them, investigates each with typed tools over the ERP, inventory and
// carrier systems, drafts a case with ranked actions, gates every action
// through a deterministic policy guard, and runs offline evals.
//
// Usage:
//
//	exdesk <command> [flags]
//
// Run "exdesk --help" for the commands and "exdesk <command> --help" for
// each one's flags and examples; "exdesk completion bash|zsh|fish|powershell"
// writes a shell completion script.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes, the same for every command.
const (
	exitOK          = 0
	exitHarness     = 1   // a harness or configuration error
	exitUsage       = 1   // bad flags or arguments: the same status as a harness error
	exitFailed      = 3   // a check failed: an eval case, a policy test, the audit chain, a connector check
	exitInterrupted = 130 // SIGINT or SIGTERM stopped the command
)

// env is what a command gets from the process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// terminal reports whether w is a terminal and its width in columns
	// (0 when unknown); nil: nothing is (tests pretend with a func).
	terminal func(w io.Writer) (width int, ok bool)
	// cfg is the configuration read from getenv once (newEnv, or run).
	cfg *config
}

// newEnv returns the environment of a run, its configuration read from
// getenv.
func newEnv(stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *env {
	return &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, cfg: loadConfig(getenv)}
}

// Short descriptions, shared by the command list and each command's help.
const (
	shortDemo       = "run a simulated business day through detection, investigation, the guard and execution"
	shortAsk        = "answer a question about an order, with the case and its evidence"
	shortEval       = "run an offline eval suite on recorded cases and write a report"
	shortPolicy     = "check, test, evaluate or diff policy files"
	shortIngest     = "backfill source-system events (JSON Lines or X12) into the ingest stream"
	shortWorker     = "run ingest workers only: stream → cases, several replicas sharing Redis and the store"
	shortMigrate    = "apply the store's migrations to DATABASE_URL or the SQLite file"
	shortAudit      = "verify the keyed audit chain, checkpoint its head, or print a case's trail"
	shortServe      = "run the Slack app: questions in threads, case posts, in-thread approvals"
	shortPrompts    = "show the LLM planner's rendered system prompt"
	shortConnectors = "serve the exdesk.systems/v1 contract or check an implementation"
	shortCases      = "list open cases by priority, as the console's queue and /exdesk queue rank them"
	shortReport     = "compute the KPIs over a window (text, JSON, HTML) or post the weekly digest to Slack"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// go-redis prints connection-pool chatter on its own; it belongs in the
	// debug log, not on a user's terminal.
	redis.SetLogger(redisLog{})
	e := newEnv(os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	e.terminal = fdTerminal
	os.Exit(run(ctx, e, os.Args[1:]))
}

// run runs the command line args and returns the exit status.
func run(ctx context.Context, e *env, args []string) int {
	if e.cfg == nil {
		e.cfg = loadConfig(e.getenv)
	}
	root := rootCmd(e)
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	err := root.ExecuteContext(ctx)
	var code exitCode
	switch {
	case errors.As(err, &code):
		if int(code) == exitOK {
			return exitOK
		}
		if ctx.Err() != nil {
			fmt.Fprintln(e.stderr, "interrupted")
			return exitInterrupted
		}
		return int(code)
	case err != nil:
		// A usage error cobra found (unknown command or flag, bad args):
		// one line, and where to read more.
		help := "exdesk --help"
		name := "exdesk"
		if cmd, _, ferr := root.Find(args); ferr == nil && cmd != root {
			name = strings.TrimPrefix(cmd.CommandPath(), "exdesk ")
			help = "exdesk " + name + " --help"
		}
		if wantsJSON(args) {
			return reporter{e: e, name: name, json: true}.fail(exitUsage, "%v (see '%s')", err, help)
		}
		fmt.Fprintf(e.stderr, "exdesk: %v\nsee '%s'\n", err, help)
		return exitUsage
	}
	if ctx.Err() != nil {
		fmt.Fprintln(e.stderr, "interrupted")
		return exitInterrupted
	}
	return exitOK
}

// rootCmd is the command tree.
func rootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "exdesk",
		Short: "exdesk takes order exceptions off distributors' hands",
		Long: `exdesk takes order exceptions off distributors' hands: it detects them,
investigates each with typed tools over the ERP, inventory and carrier
systems, drafts a case with ranked actions, gates every action through a
deterministic policy guard, and runs offline evals.

With no configuration every command runs on embedded defaults: the simulated
distributor, the deterministic playbook planner and the shipped policy.

Exit status: 0 ok; 3 a check failed (eval, policy test/check/diff, audit
verify, connectors check); 1 a harness or usage error; 130 interrupted.`,
		Version:       versionString(e),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return err })
	root.AddCommand(demoCmd(e), askCmd(e), evalCmd(e), policyCmd(e), ingestCmd(e), workerCmd(e), migrateCmd(e),
		auditCmd(e), serveCmd(e), promptsCmd(e), casesCmd(e), reportCmd(e), connectorsCmd(e), versionCmd(e))
	shorts := map[string]string{"demo": shortDemo, "ask": shortAsk, "eval": shortEval, "policy": shortPolicy, "ingest": shortIngest,
		"worker": shortWorker, "migrate": shortMigrate, "audit": shortAudit, "serve": shortServe, "prompts": shortPrompts,
		"connectors": shortConnectors, "cases": shortCases, "report": shortReport}
	for _, c := range root.Commands() {
		if s, ok := shorts[c.Name()]; ok && c.Short == "" {
			c.Short = s
		}
	}
	return root
}

// exitCode is a command's exit status carried as an error through cobra.
type exitCode int

func (c exitCode) Error() string { return fmt.Sprintf("exit status %d", int(c)) }

// runE adapts a command body that returns an exit status to cobra.
func runE(body func(ctx context.Context, args []string) int) func(*cobra.Command, []string) error {
	return func(c *cobra.Command, args []string) error {
		return exitCode(body(c.Context(), args))
	}
}

// newCommand returns a command whose --help prints the description, the
// examples and the flags; flags may come before, between or after the
// arguments. name is the command's path below exdesk ("connectors serve").
func newCommand(_ *env, name, synopsis, description, examples string) (*cobra.Command, *pflag.FlagSet) {
	use := synopsis
	if parent, _, ok := strings.Cut(name, " "); ok {
		use = strings.TrimPrefix(strings.TrimPrefix(synopsis, parent), " ")
	}
	c := &cobra.Command{Use: use, Long: description, Example: examples}
	return c, c.Flags()
}

// argsHint wraps an argument check so a wrong count says what to pass
// ("name two policy files: OLD and NEW") rather than "accepts 2 arg(s)".
func argsHint(check cobra.PositionalArgs, hint string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := check(c, args); err != nil {
			return fmt.Errorf("%s %s: %s (got %d)", c.Parent().Name(), c.Name(), hint, len(args))
		}
		return nil
	}
}

// redisLog sends go-redis's internal messages to the debug log.
type redisLog struct{}

func (redisLog) Printf(ctx context.Context, format string, v ...any) {
	slog.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// reporter writes a command's errors: "exdesk <command>: <message>" on
// stderr, or, when the command's output is JSON (ask --json, eval -o json,
// policy --format json), one object on stdout that a script can read:
//
//	{"error": {"command": "ask", "message": "…", "exit_code": 1}}
//
// Either way the exit status is non-zero.
type reporter struct {
	e    *env
	name string // the command path below exdesk: "ask", "policy test"
	json bool
}

// jsonError is the object reporter writes in JSON mode.
type jsonError struct {
	Error struct {
		Command  string `json:"command"`
		Message  string `json:"message"`
		ExitCode int    `json:"exit_code"`
	} `json:"error"`
}

// fail reports the error formatted from format and a and returns code.
func (r reporter) fail(code int, format string, a ...any) int {
	msg := fmt.Sprintf(format, a...)
	if !r.json {
		fmt.Fprintf(r.e.stderr, "exdesk %s: %s\n", r.name, msg)
		return code
	}
	var je jsonError
	je.Error.Command, je.Error.Message, je.Error.ExitCode = r.name, msg, code
	b, _ := json.Marshal(je)
	fmt.Fprintf(r.e.stdout, "%s\n", b)
	return code
}

// wantsJSON reports whether args ask for JSON output, for errors found
// before the command's own flags are parsed (an unknown flag).
func wantsJSON(args []string) bool {
	for i, a := range args {
		switch a {
		case "--json", "--json=true", "-o=json", "--output=json", "--format=json", "-ojson":
			return true
		case "-o", "--output", "--format":
			if i+1 < len(args) && args[i+1] == "json" {
				return true
			}
		}
	}
	return false
}
