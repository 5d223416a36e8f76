package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/exdesk/exdesk/agent"
	"github.com/spf13/cobra"
)

func askCmd(e *env) *cobra.Command {
	c, fs := newCommand(e, "ask", `ask [flags] "question about an order"`,
		`Answers a question about an order with its case: what is wrong, the evidence
and where it came from, and the ranked actions with the policy guard's
decisions. Nothing is executed. By default it asks the simulated distributor
(orders SO-100001 onwards); --connectors recorded:PATH asks recorded cases,
rest:URL a distributor's systems (exdesk.systems/v1). Order ids of any shape
(SO-10042, 0004471958, SO/2026/0390) are looked up in the ERP; each order the
question names is answered, and an id written without its prefix or
separators is suggested.`,
		`  exdesk ask "why is SO-100004 blocked?"
  exdesk ask "what can we do about SO-100031?"
  exdesk ask --connectors recorded:../shared/evals/examples "why is SO-10047 on hold?"
  EXDESK_ERP_TOKEN=… exdesk ask --connectors rest:https://mw.example.com/exdesk "why is SO/2026/0390 blocked?"
  exdesk ask "what about SO-100004 and SO-100031?"
  exdesk ask --json "SO-100004" > case.json`)
	source := fs.String("connectors", e.cfg.Connectors, connectorsHelp)
	seed := fs.Int64("seed", 1, "simulation seed (with --connectors sim)")
	orders := fs.Int("orders", 2000, "orders in the simulated day (with --connectors sim)")
	asJSON := fs.Bool("json", false, "print the case as JSON")
	plannerName := fs.String("planner", e.cfg.Planner, "planner: playbook, or llm (OPENAI_API_KEY / OPENAI_BASE_URL, EXDESK_MODEL)")
	policyFile := fs.String("policy", "", "policy file (default: $EXDESK_POLICY, else the shipped policy)")
	orderHint := fs.String("order-id-hint", e.cfg.OrderIDHint, "regular expression of the usual shape of order ids, e.g. 'SO-\\d+'; env EXDESK_ORDER_ID_HINT (a hint: other tokens are still looked up in the ERP)")
	c.RunE = runE(func(ctx context.Context, args []string) int {
		r := reporter{e: e, name: "ask", json: *asJSON}
		hint, err := e.cfg.orderHint(*orderHint)
		if err != nil {
			return r.fail(exitUsage, "%v", err)
		}
		question := strings.TrimSpace(strings.Join(args, " "))
		if question == "" {
			return r.fail(exitUsage, `ask a question about an order, e.g. exdesk ask "why is SO-100004 blocked?"`)
		}
		engine, err := e.cfg.policy(*policyFile)
		if err != nil {
			return r.fail(exitHarness, "%v", err)
		}
		planner, err := e.cfg.planner(*plannerName)
		if err != nil {
			return r.fail(exitUsage, "%v", err)
		}
		set, err := openConnectors(ctx, e, *source, *seed, *orders)
		if err != nil {
			return r.fail(exitHarness, "%v", err)
		}
		sys := set.Systems
		inv := newInvestigator(investigatorConfig{Systems: sys, Engine: engine, Planner: planner, OrderHint: hint})
		// Every order the question names is answered; ids of any shape are
		// confirmed in the ERP, and near misses suggested.
		found, err := inv.FindOrders(ctx, question)
		if err != nil {
			return r.fail(exitHarness, "%v", err)
		}
		if err := found.Err(); err != nil {
			msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), agent.ErrUnknownOrder.Error()+": "), agent.ErrNoOrder.Error()+": ")
			if *asJSON {
				return r.fail(exitHarness, "I can't answer that: %s", msg)
			}
			fmt.Fprintln(e.stdout, e.style(e.stdout).wrap("I can't answer that: "+msg, "", ""))
			return exitHarness
		}
		var cases []*agent.Case
		for _, id := range found.OrderIDs {
			c, err := inv.Investigate(ctx, agent.Trigger{Type: agent.TriggerQuestion, Question: question, OrderID: id})
			if err != nil {
				return r.fail(exitHarness, "%v", err)
			}
			cases = append(cases, c)
		}
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			var v any = cases // several orders: an array of cases
			if len(cases) == 1 {
				v = cases[0]
			}
			if err := enc.Encode(v); err != nil {
				return exitHarness
			}
			return exitOK
		}
		st := e.style(e.stdout)
		for _, c := range cases {
			printThread(e.stdout, st, c, nil, nil)
		}
		for _, s := range found.Suggestions {
			fmt.Fprintln(e.stdout, st.wrap(fmt.Sprintf("%s is not an order id; did you mean %s?", s.Token, s.OrderID), "", ""))
		}
		return exitOK
	})
	return c
}
