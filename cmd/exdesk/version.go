package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/exdesk/exdesk/prompts"
)

// versionString says what this binary is: its module version and commit,
// the Go version it was built with, and the versions of the policy and the
// prompts it would use.
func versionString(e *env) string {
	version, commit := "(devel)", "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
				if len(commit) > 12 {
					commit = commit[:12]
				}
			case "vcs.modified":
				if s.Value == "true" {
					commit += " (modified)"
				}
			}
		}
	}
	pol := "shipped default"
	if engine, err := e.cfg.policy(""); err == nil {
		pol = engine.Version()
	} else {
		pol = "unreadable: " + err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "exdesk %s\n", version)
	fmt.Fprintf(&b, "  commit   %s\n", commit)
	fmt.Fprintf(&b, "  go       %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&b, "  policy   %s\n", pol)
	fmt.Fprintf(&b, "  prompts  %s", prompts.Current)
	return b.String()
}

func versionCmd(e *env) *cobra.Command {
	return &cobra.Command{Use: "version", Short: "print the version, commit, Go version, and the policy and prompt versions",
		Args: cobra.NoArgs,
		RunE: runE(func(_ context.Context, _ []string) int {
			fmt.Fprintln(e.stdout, versionString(e))
			return exitOK
		})}
}
