package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/exdesk/exdesk/agent/llm"
	"github.com/exdesk/exdesk/prompts"
)

func runPrompts(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "prompts", "prompts show [--version V] | prompts versions",
		`Shows the LLM planner's versioned prompt templates (embedded in the binary).
"show" prints the rendered system prompt: the taxonomy, the action vocabulary,
the rule that source text is data, and that the policy guard decides.`,
		`  exdesk prompts show
  exdesk prompts show --version v1
  exdesk prompts versions`)
	version := fs.String("version", prompts.Current, "prompt version")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	sub := fs.Arg(0)
	if sub != "" {
		// flags may follow the subcommand: exdesk prompts show --version v1
		if code, ok := parse(fs, fs.Args()[1:]); !ok {
			return code
		}
	}
	switch sub {
	case "show", "":
		s, err := llm.SystemPrompt(*version)
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk prompts: %v\n", err)
			return exitUsage
		}
		fmt.Fprint(e.stdout, s)
		if !strings.HasSuffix(s, "\n") {
			fmt.Fprintln(e.stdout)
		}
		return exitOK
	case "versions":
		for _, v := range prompts.Versions() {
			mark := ""
			if v == prompts.Current {
				mark = " (current)"
			}
			fmt.Fprintf(e.stdout, "%s%s\n", v, mark)
		}
		return exitOK
	}
	fmt.Fprintf(e.stderr, "exdesk prompts: unknown subcommand %q (show, versions)\n", sub)
	return exitUsage
}
