package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/policy"
)

func runAsk(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "ask", `ask [flags] "question about an order"`,
		`Answers a question about an order with its case: what is wrong, the evidence
and where it came from, and the ranked actions with the policy guard's
decisions. Nothing is executed. By default it asks the simulated distributor
(orders SO-100001 onwards); --connectors recorded:PATH asks recorded cases,
rest:URL a distributor's systems (exdesk.systems/v1).`,
		`  exdesk ask "why is SO-100004 blocked?"
  exdesk ask "what can we do about SO-100031?"
  exdesk ask --connectors recorded:../shared/evals/examples "why is SO-10047 on hold?"
  EXDESK_ERP_TOKEN=… exdesk ask --connectors rest:https://mw.example.com/exdesk "why is SO/2026/0390 blocked?"
  exdesk ask --json "SO-100004" > case.json`)
	source := fs.String("connectors", envOr(e, "EXDESK_CONNECTORS", "sim"), connectorsHelp)
	seed := fs.Int64("seed", 1, "simulation seed (with --connectors sim)")
	orders := fs.Int("orders", 2000, "orders in the simulated day (with --connectors sim)")
	asJSON := fs.Bool("json", false, "print the case as JSON")
	plannerName := fs.String("planner", "playbook", "planner: playbook, or llm (OPENAI_API_KEY / OPENAI_BASE_URL, EXDESK_MODEL)")
	policyFile := fs.String("policy", "", "policy file (default: $EXDESK_POLICY, else the shipped policy)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	question := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if question == "" {
		fmt.Fprintln(e.stderr, `exdesk ask: ask a question about an order, e.g. exdesk ask "why is SO-100004 blocked?"`)
		return exitUsage
	}
	engine, err := loadPolicy(e, *policyFile)
	if err != nil {
		fmt.Fprintf(e.stderr, "exdesk ask: %v\n", err)
		return exitHarness
	}
	planner, err := plannerFor(*plannerName)
	if err != nil {
		fmt.Fprintf(e.stderr, "exdesk ask: %v\n", err)
		return exitUsage
	}
	set, err := openConnectors(ctx, e, *source, *seed, *orders)
	if err != nil {
		fmt.Fprintf(e.stderr, "exdesk ask: %v\n", err)
		return exitHarness
	}
	sys := set.Systems
	inv := &agent.Investigator{Planner: planner, Fallback: agent.Playbook{}, Systems: sys, Guard: policy.NewGuard(engine, sys)}
	c, err := inv.Investigate(ctx, agent.Trigger{Type: agent.TriggerQuestion, Question: question})
	switch {
	case errors.Is(err, agent.ErrNoOrder), errors.Is(err, agent.ErrUnknownOrder):
		fmt.Fprintf(e.stdout, "I can't answer that: %v\n", err)
		return exitHarness
	case err != nil:
		fmt.Fprintf(e.stderr, "exdesk ask: %v\n", err)
		return exitHarness
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(c); err != nil {
			return exitHarness
		}
		return exitOK
	}
	printThread(e.stdout, c, nil, nil)
	return exitOK
}
