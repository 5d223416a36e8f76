package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/sim"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/sqlite"
	"github.com/spf13/cobra"
)

func demoCmd(e *env) *cobra.Command {
	c, fs := newCommand(e, "demo", "demo [flags]",
		`Runs a simulated business day on embedded defaults (no keys, no servers): the
seeded simulated distributor's orders and ERP/WMS/TMS events flow through
detection, investigation with the typed tools, the policy guard, and execution
of auto actions on the simulated systems. The first cases print as their
threads would read; approval actions wait in a list; a KPI table closes the run.`,
		`  exdesk demo
  exdesk demo --orders 5000 --seed 7 --threads 3
  exdesk demo --threads 0 --quiet
  exdesk demo --orders 200 --interactive --as finance_supervisor,cs_supervisor`)
	orders := fs.Int("orders", 2000, "orders in the simulated day")
	seed := fs.Int64("seed", 1, "simulation seed: the same seed gives the same day")
	threads := fs.Int("threads", 4, "print this many case threads in full")
	quiet := fs.Bool("quiet", false, "no progress bar")
	plannerName := fs.String("planner", e.cfg.Planner, "planner: playbook, or llm (OPENAI_API_KEY / OPENAI_BASE_URL, EXDESK_MODEL)")
	policyFile := fs.String("policy", "", "policy file (default: $EXDESK_POLICY, else the shipped policy)")
	interactive := fs.Bool("interactive", false, "after the day, approve or reject the waiting actions at a prompt")
	as := fs.String("as", "", "with --interactive: the roles you hold, comma-separated (default: every role of the policy)")
	source := fs.String("connectors", e.cfg.Connectors, connectorsHelp+"; other than sim, the simulated day's events are investigated through them (serve it with exdesk connectors serve --from sim)")
	c.RunE = runE(func(ctx context.Context, args []string) int {
		if *orders <= 0 {
			fmt.Fprintln(e.stderr, "exdesk demo: --orders must be positive")
			return exitUsage
		}
		engine, err := e.cfg.policy(*policyFile)
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk demo: %v\n", err)
			return exitHarness
		}
		// --as is checked before the day runs, not after it.
		roles, err := approverRoles(*as, engine.Roles())
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk demo: %v\n", err)
			return exitUsage
		}
		planner, err := e.cfg.planner(*plannerName)
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk demo: %v\n", err)
			return exitUsage
		}
		s := sim.New(sim.Options{Seed: *seed, Orders: *orders})
		began := time.Now()
		sys := s.Systems()
		apply := s.Apply
		if *source != "sim" {
			set, err := openConnectors(ctx, e, *source, *seed, *orders)
			if err != nil {
				fmt.Fprintf(e.stderr, "exdesk demo: %v\n", err)
				return exitHarness
			}
			// The day's events come from the simulator; the systems that
			// answer are the ones named, which hold the day already.
			sys, apply = set.Systems, func(connectors.Event) {}
		}
		// The day runs through the same case lifecycle as serve and worker,
		// on an in-memory store: cases, proposals, executions, audit.
		st, err := sqlite.Open(ctx, ":memory:", sqlite.Options{})
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk demo: %v\n", err)
			return exitHarness
		}
		defer func() { _ = st.Close() }()
		desk, _, err := newDesk(deskConfig{Store: st, Systems: sys, Engine: engine, Planner: planner})
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk demo: %v\n", err)
			return exitHarness
		}
		events := s.Events()
		fmt.Fprintf(e.stdout, "exdesk demo · simulated distributor (seed %d): %d orders, %d events on %s\n\n",
			*seed, *orders, len(events), s.Options().Day)
		var bar *progress
		if !*quiet {
			bar = newProgress(e, e.stderr, "day")
		}
		ui := e.style(e.stdout)
		k := newKPIs()
		printed := 0
		var out strings.Builder
		// processed counts the events handled, ordersSeen the orders whose
		// order_created event was, for the figures of an interrupted day.
		processed, ordersSeen := 0, 0
		for i, ev := range events {
			if ctx.Err() != nil {
				break
			}
			apply(ev)
			t0 := time.Now()
			res, err := desk.HandleEvent(ctx, ev)
			took := time.Since(t0)
			if err != nil && ctx.Err() != nil {
				break // cut short by the interrupt: not counted
			}
			processed = i + 1
			if ev.Type == connectors.EventOrderCreated {
				ordersSeen++
			}
			bar.set(i+1, len(events))
			if err != nil {
				k.errors++
				if !errors.Is(err, agent.ErrUnknownOrder) {
					fmt.Fprintf(e.stderr, "exdesk demo: %v\n", err)
				}
				continue
			}
			k.investigations++
			switch res.Outcome {
			case casework.OutcomeOpened:
				k.record(res, took, injectedFor(s, ev.OrderID))
				if printed < *threads {
					printThread(&out, ui, res.Case, res.Executed, res.ExecErr)
					printed++
				}
			case casework.OutcomeCorrelated:
				k.updates++
				if res.Executed != nil {
					k.executed++
				}
			}
		}
		bar.finish()
		fmt.Fprint(e.stdout, out.String())
		k.elapsed = time.Since(began)
		k.orders = *orders
		interrupted := ctx.Err() != nil
		figures := ctx // the store is read for the figures even after an interrupt
		if interrupted {
			figures = context.WithoutCancel(ctx)
			k.partial = fmt.Sprintf("partial: %s of %s orders (%s of %s events) processed before the interrupt; the figures below cover those only.",
				thousands(ordersSeen), thousands(*orders), thousands(processed), thousands(len(events)))
			k.orders = ordersSeen
		}
		if err := k.loadPending(figures, st); err != nil {
			fmt.Fprintf(e.stderr, "exdesk demo: %v\n", err)
			return exitHarness
		}
		k.print(e.stdout, ui)
		if interrupted {
			return exitInterrupted
		}
		if *interactive {
			approvals := newTerminalApprovals(desk, e.stdin, e.stdout, ui, roles, k.pending)
			if err := approvals.run(ctx); err != nil {
				if ctx.Err() != nil {
					return exitInterrupted
				}
				fmt.Fprintf(e.stderr, "exdesk demo: %v\n", err)
				return exitHarness
			}
		}
		return exitOK
	})
	return c
}

func injectedFor(s *sim.Sim, orderID string) []string { return s.Injected(orderID) }

type kpis struct {
	orders, investigations, errors, updates int
	byClass                                 map[string]int
	outcomes                                map[policy.Outcome]int
	executed, blocked                       int
	pending                                 []pendingApproval
	durations                               []time.Duration
	elapsed                                 time.Duration
	agree, labelled                         int
	// partial, when the day was interrupted, says how much of it ran.
	partial string
}

// pendingApproval is an action waiting for a person at the end of the day.
type pendingApproval struct {
	proposal store.Proposal
	what     string
}

func newKPIs() *kpis {
	return &kpis{byClass: map[string]int{}, outcomes: map[policy.Outcome]int{}}
}

// record counts a case an event opened.
func (k *kpis) record(res casework.EventResult, took time.Duration, injected []string) {
	c := res.Case
	k.byClass[c.Class]++
	k.durations = append(k.durations, took)
	if len(injected) > 0 {
		k.labelled++
		if slices.Contains(injected, c.Class) {
			k.agree++
		}
	}
	if top, ok := c.Top(); ok {
		k.outcomes[top.Decision.Outcome]++
	}
	if slices.ContainsFunc(c.Actions, func(p agent.Proposal) bool { return p.Decision.Outcome == policy.Blocked }) {
		k.blocked++
	}
	if res.Executed != nil {
		k.executed++
	}
}

// plural says n things, in the singular for one.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// loadPending lists the approvals still waiting in the store.
func (k *kpis) loadPending(ctx context.Context, st store.Store) error {
	ps, err := st.ListPendingProposals(ctx)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.Outcome == string(policy.Approval) {
			k.pending = append(k.pending, pendingApproval{proposal: p, what: agent.Describe(p.Action)})
		}
	}
	return nil
}

func (k *kpis) cases() int {
	n := 0
	for _, v := range k.byClass {
		n += v
	}
	return n
}

// print writes the day's figures: tables, and prose wrapped at st's
// width; an interrupted day's figures are marked partial.
func (k *kpis) print(w io.Writer, st style) {
	if k.partial != "" {
		fmt.Fprintf(w, "%s\n\n", st.wrap(st.yellow(k.partial), "", ""))
	}
	fmt.Fprintln(w, "Exceptions by class")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "class\tcases\t%% of orders\t\n")
	classes := connectors.Classes()
	sort.Strings(classes)
	for _, c := range classes {
		fmt.Fprintf(tw, "%s\t%d\t%.1f%%\t\n", c, k.byClass[c], 100*float64(k.byClass[c])/float64(max(k.orders, 1)))
	}
	fmt.Fprintf(tw, "all\t%d\t%.1f%%\t\n", k.cases(), 100*float64(k.cases())/float64(max(k.orders, 1)))
	tw.Flush()

	fmt.Fprintln(w, "\nTop action by guard outcome")
	var table strings.Builder
	tw = tabwriter.NewWriter(&table, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "outcome\tcases\t\n")
	fmt.Fprintf(tw, "auto\t%d\t  (executed %d)\n", k.outcomes[policy.Auto], k.executed)
	fmt.Fprintf(tw, "approval\t%d\t\n", k.outcomes[policy.Approval])
	fmt.Fprintf(tw, "blocked\t%d\t\n", k.outcomes[policy.Blocked])
	tw.Flush()
	fmt.Fprint(w, paintOutcomes(table.String(), st))
	fmt.Fprintln(w, st.wrap(fmt.Sprintf("%s had an action the guard blocked (shown with its reason, below the ones that can proceed).",
		plural(k.blocked, "case", "cases")), "", ""))

	roles := map[string]int{}
	for _, p := range k.pending {
		roles[p.proposal.Role]++
	}
	names := make([]string, 0, len(roles))
	for r := range roles {
		names = append(names, r)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, r := range names {
		parts[i] = fmt.Sprintf("%s %d", strings.ReplaceAll(r, "_", " "), roles[r])
	}
	waiting := fmt.Sprintf("Approvals waiting: %d", len(k.pending))
	if len(parts) > 0 {
		waiting += fmt.Sprintf(" (%s)", strings.Join(parts, " · "))
	}
	fmt.Fprintf(w, "\n%s\n", st.wrap(waiting, "", "  "))
	for i, p := range k.pending {
		if i == 5 {
			fmt.Fprintf(w, "  … and %d more\n", len(k.pending)-5)
			break
		}
		fmt.Fprintln(w, st.wrap(fmt.Sprintf("%s: %s (%s)", p.proposal.CaseID, p.what, p.proposal.Role), "  ", "    "))
	}

	d := slices.Clone(k.durations)
	slices.Sort(d)
	pct := func(p float64) time.Duration {
		if len(d) == 0 {
			return 0
		}
		return d[min(int(p*float64(len(d))), len(d)-1)]
	}
	fmt.Fprintln(w, "\nThroughput")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "orders\t%d\t\n", k.orders)
	fmt.Fprintf(tw, "events\t%d\t  (joined an open case %d)\n", k.investigations, k.updates)
	fmt.Fprintf(tw, "median processing latency, event to stored case\t%s\t\n", pct(0.5).Round(time.Microsecond))
	fmt.Fprintf(tw, "p95 processing latency, event to stored case\t%s\t\n", pct(0.95).Round(time.Microsecond))
	fmt.Fprintf(tw, "cases per second\t%.0f\t  (investigations %.0f/s, wall %s)\n",
		float64(k.cases())/k.elapsed.Seconds(), float64(k.investigations)/k.elapsed.Seconds(), k.elapsed.Round(time.Millisecond))
	if k.labelled > 0 {
		fmt.Fprintf(tw, "class agrees with the simulator\t%.1f%%\t  (%d of %d cases)\n", 100*float64(k.agree)/float64(k.labelled), k.agree, k.labelled)
	}
	tw.Flush()
}

// paintOutcomes colours the outcome that starts each row of a table (the
// tabwriter has aligned it already: colour codes would count as width).
func paintOutcomes(table string, st style) string {
	lines := strings.SplitAfter(table, "\n")
	for i, line := range lines {
		cell := strings.TrimLeft(line, " ")
		for _, o := range []policy.Outcome{policy.Auto, policy.Approval, policy.Blocked} {
			if strings.HasPrefix(cell, string(o)+" ") {
				pad := line[:len(line)-len(cell)]
				lines[i] = pad + st.outcome(o, string(o)) + cell[len(o):]
			}
		}
	}
	return strings.Join(lines, "")
}
