package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/exdesk/exdesk/queue"
)

func casesCmd(e *env) *cobra.Command {
	c, fs := newCommand(e, "cases", "cases [flags]",
		`Lists the open cases by priority, the ranking the console's queue and Slack's
"/exdesk queue" show: points for the customer's tier, the revenue exposed, the
days to the promised date and the case's age. Reads the store (DATABASE_URL, or
the SQLite file --db).`,
		`  exdesk cases
  exdesk cases --waiting-on finance_supervisor,finance_director --limit 10
  exdesk cases --class credit_hold --site DC-DAL --json`)
	dbPath := fs.String("db", "exdesk.db", "SQLite store file when DATABASE_URL is not set")
	class := fs.String("class", "", "only this exception class")
	status := fs.String("status", "", "only this status: awaiting_approval, blocked or open")
	role := fs.String("role", "", "only cases waiting on this role")
	site := fs.String("site", "", "only this ship-from site")
	customer := fs.String("customer", "", "only this customer (id, or part of the name)")
	waiting := fs.String("waiting-on", "", "comma-separated roles: only cases waiting on any of them (\"waiting on me\")")
	limit := fs.Int("limit", 20, "at most this many cases (0: all)")
	asJSON := fs.Bool("json", false, "print JSON")
	c.RunE = runE(func(ctx context.Context, args []string) int {
		st, err := openDurableStore(ctx, e, *dbPath)
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk cases: %v\n", err)
			return exitHarness
		}
		defer func() { _ = st.Close() }()
		f := queue.Filter{Class: *class, Status: *status, Role: *role, Site: *site, Customer: *customer, Limit: max(0, *limit)}
		if *waiting != "" {
			f.WaitingOn = []string{}
			for _, r := range strings.Split(*waiting, ",") {
				if r = strings.TrimSpace(r); r != "" {
					f.WaitingOn = append(f.WaitingOn, r)
				}
			}
		}
		began := time.Now()
		items, err := queue.Rank(ctx, st, f, queue.Options{})
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk cases: %v\n", err)
			return exitHarness
		}
		took := time.Since(began)
		if *asJSON {
			type row struct {
				Rank       int      `json:"rank"`
				CaseID     string   `json:"case_id"`
				OrderID    string   `json:"order_id"`
				Class      string   `json:"class"`
				Status     string   `json:"status"`
				CustomerID string   `json:"customer_id"`
				Site       string   `json:"site"`
				Priority   float64  `json:"priority"`
				WaitingOn  []string `json:"waiting_on"`
				Why        string   `json:"why"`
			}
			out := make([]row, 0, len(items))
			for i, it := range items {
				out = append(out, row{i + 1, it.Case.ID, it.Case.OrderID, it.Case.Class, it.Status, it.Case.CustomerID, it.Site, it.Priority, it.Roles, it.Why()})
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(out); err != nil {
				return exitHarness
			}
			return exitOK
		}
		if len(items) == 0 {
			fmt.Fprintln(e.stdout, "No open case matches.")
			return exitOK
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "#\tpriority\torder\tclass\tstatus\twaiting on\tcustomer\tsite\twhy\tcase")
		for i, it := range items {
			fmt.Fprintf(tw, "%d\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, it.Priority, it.Case.OrderID, it.Case.Class, it.Status,
				strings.Join(it.Roles, ","), it.Case.CustomerID, it.Site, it.Why(), it.Case.ID)
		}
		if err := tw.Flush(); err != nil {
			return exitHarness
		}
		fmt.Fprintf(e.stderr, "%d cases ranked in %s\n", len(items), took.Round(time.Microsecond))
		return exitOK
	})
	return c
}
