package main

import (
	"context"
	"fmt"

	"github.com/exdesk/exdesk/policy"
)

// loadPolicy loads the --policy file, else $EXDESK_POLICY, else the
// shipped default.
func loadPolicy(e *env, file string) (*policy.Engine, error) {
	if file == "" {
		file = e.getenv("EXDESK_POLICY")
	}
	if file == "" {
		return policy.Default()
	}
	return policy.LoadFile(file)
}

func runPolicy(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "policy", "policy test FILE... | policy check [FILE] | policy show",
		`Works with the policy guard's rules file (YAML with CEL conditions).

  test FILE...  runs policy test cases (input facts, proposed action, expected
                decision) against the policy, like "opa test"; exit 3 on a failure
  check [FILE]  compiles a rules file (default: $EXDESK_POLICY or the shipped
                policy) and lists its rules; a rule that does not compile is
                named with the CEL error
  show          prints the shipped default policy`,
		`  exdesk policy test policy/default_test.yaml
  exdesk policy --policy my-policy.yaml test policy/default_test.yaml
  exdesk policy check my-policy.yaml`)
	policyFile := fs.String("policy", "", "policy file to test against (default: $EXDESK_POLICY, else the shipped policy)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fs.Usage()
		return exitUsage
	}
	switch rest[0] {
	case "test":
		if len(rest) < 2 {
			fmt.Fprintln(e.stderr, "exdesk policy test: name at least one test file, e.g. policy/default_test.yaml")
			return exitUsage
		}
		engine, err := loadPolicy(e, *policyFile)
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk policy: %v\n", err)
			return exitHarness
		}
		failedAny := false
		for _, f := range rest[1:] {
			_, failed, err := policy.RunTests(engine, f, e.stdout)
			if err != nil {
				fmt.Fprintf(e.stderr, "exdesk policy test: %v\n", err)
				return exitHarness
			}
			failedAny = failedAny || failed > 0
		}
		if failedAny {
			return exitFailed
		}
		return exitOK
	case "check":
		file := *policyFile
		if len(rest) > 1 {
			file = rest[1]
		}
		engine, err := loadPolicy(e, file)
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk policy check: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(e.stdout, "policy %s compiles; roles: %v\n", engine.Version(), engine.Roles())
		return exitOK
	case "show":
		_, err := e.stdout.Write(policy.DefaultSource())
		if err != nil {
			return exitHarness
		}
		return exitOK
	}
	fmt.Fprintf(e.stderr, "exdesk policy: unknown subcommand %q (test, check, show)\n", rest[0])
	return exitUsage
}
