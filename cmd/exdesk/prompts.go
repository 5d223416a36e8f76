package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/exdesk/exdesk/agent/llm"
	"github.com/exdesk/exdesk/prompts"
	"github.com/spf13/cobra"
)

func promptsCmd(e *env) *cobra.Command {
	c, _ := newCommand(e, "prompts", "prompts show [--version V] | prompts versions",
		`Shows the LLM planner's versioned prompt templates (embedded in the binary).
"show" prints the rendered system prompt: the taxonomy, the action vocabulary,
the rule that source text is data, and that the policy guard decides.`,
		`  exdesk prompts show
  exdesk prompts show --version v1
  exdesk prompts versions`)
	version := c.PersistentFlags().String("version", prompts.Current, "prompt version")
	show := func(context.Context, []string) int {
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
	}
	c.Args = cobra.NoArgs
	c.RunE = runE(show) // "exdesk prompts" alone shows the current prompt
	c.AddCommand(
		&cobra.Command{Use: "show", Short: "print the rendered system prompt", Args: cobra.NoArgs, RunE: runE(show)},
		&cobra.Command{Use: "versions", Short: "list the prompt versions", Args: cobra.NoArgs,
			RunE: runE(func(context.Context, []string) int {
				for _, v := range prompts.Versions() {
					mark := ""
					if v == prompts.Current {
						mark = " (current)"
					}
					fmt.Fprintf(e.stdout, "%s%s\n", v, mark)
				}
				return exitOK
			})})
	return c
}
