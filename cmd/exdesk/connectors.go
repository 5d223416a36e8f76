package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/exdesk/exdesk/connectors/compose"
	"github.com/exdesk/exdesk/connectors/rest"
	"github.com/spf13/cobra"
)

// connectorsHelp describes --connectors for every command that reads systems.
const connectorsHelp = "systems to read: sim, recorded:PATH, rest:URL, or per system erp=sap:URL,inventory=rest:URL,carriers=rest:URL[,tasks=…][,erp-extra=rest:URL] (env EXDESK_CONNECTORS; secrets from EXDESK_<SYSTEM>_TOKEN or _CLIENT_ID/_CLIENT_SECRET/_TOKEN_URL, SAP also EXDESK_ERP_USER/_PASSWORD)"

// openConnectors opens the systems a command reads and prints
// composition's warnings.
func openConnectors(ctx context.Context, e *env, spec string, seed int64, orders int) (*compose.Set, error) {
	set, err := compose.Open(ctx, spec, compose.Options{Getenv: e.cfg.Getenv, Seed: seed, Orders: orders})
	if err != nil {
		return nil, err
	}
	for _, w := range set.Warnings {
		fmt.Fprintf(e.stderr, "exdesk: warning: %s\n", w)
	}
	return set, nil
}

func connectorsCmd(e *env) *cobra.Command {
	c := &cobra.Command{Use: "connectors", Short: shortConnectors,
		Long: `Works with the exdesk.systems/v1 contract (../shared/connectors/REST.md):
  serve  serve the contract over sim or recorded snapshots (a reference implementation)
  check  check an implementation of the contract: exdesk connectors check rest:URL --order SO-1`}
	c.AddCommand(connectorsServeCmd(e), connectorsCheckCmd(e))
	return c
}

func connectorsServeCmd(e *env) *cobra.Command {
	c, fs := newCommand(e, "connectors serve", "connectors serve [flags]",
		`Serves the exdesk.systems/v1 contract (../shared/connectors/REST.md;
exdesk's connectors/rest/openapi.yaml) over recorded snapshots or the
simulated distributor: a reference implementation integrators compare theirs
with, and a server the rest connector can run every recorded case against.
POST /v1/actions executes on the in-memory state and replays a repeated
Idempotency-Key. When EXDESK_SERVE_TOKEN is set, requests need it as a bearer
token. SIGINT/SIGTERM stop it.`,
		`  exdesk connectors serve --from recorded:../shared/evals/examples --addr 127.0.0.1:8090
  exdesk ask --connectors rest:http://127.0.0.1:8090 "why is SO-10047 on hold?"`)
	from := fs.String("from", "sim", "what to serve: sim or recorded:PATH (a case file or directory)")
	addr := fs.String("addr", "127.0.0.1:8090", "listen address")
	seed := fs.Int64("seed", 1, "simulation seed (with --from sim)")
	orders := fs.Int("orders", 2000, "orders in the simulated day (with --from sim)")
	c.RunE = runE(func(ctx context.Context, args []string) int {
		spec, err := compose.Parse(*from)
		if err != nil || !spec.Single || (spec.ERP.Kind != compose.KindSim && spec.ERP.Kind != compose.KindRecorded) {
			fmt.Fprintf(e.stderr, "exdesk connectors serve: --from must be sim or recorded:PATH, got %q\n", *from)
			return exitUsage
		}
		set, err := openConnectors(ctx, e, *from, *seed, *orders)
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk connectors serve: %v\n", err)
			return exitHarness
		}
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk connectors serve: %v\n", err)
			return exitHarness
		}
		log := slog.New(slog.NewJSONHandler(e.stderr, nil))
		srv := &http.Server{Handler: rest.NewServer(set.Systems, rest.ServerOptions{Token: e.cfg.ServeToken}),
			ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
		log.Info("serving exdesk.systems/v1", "addr", ln.Addr().String(), "from", *from, "auth", e.cfg.ServeToken != "")
		errc := make(chan error, 1)
		go func() { errc <- srv.Serve(ln) }()
		select {
		case <-ctx.Done():
		case err := <-errc:
			if !errors.Is(err, http.ErrServerClosed) {
				fmt.Fprintf(e.stderr, "exdesk connectors serve: %v\n", err)
				return exitHarness
			}
		}
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		return exitOK
	})
	return c
}

// listFlag collects repeated or comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Type names the flag's value for --help.
func (l *listFlag) Type() string { return "ids" }

func (l *listFlag) Set(v string) error {
	for x := range strings.SplitSeq(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			*l = append(*l, x)
		}
	}
	return nil
}

func connectorsCheckCmd(e *env) *cobra.Command {
	c, fs := newCommand(e, "connectors check", "connectors check rest:URL --order ID [flags]",
		`Checks an implementation of the exdesk.systems/v1 contract: calls each read
for the ids given (and those their answers name: the order's customer, items
and shipments), validates every answer against the contract's OpenAPI
document, checks that an unknown id answers 404, times each call, and prints
a table (endpoint, status, valid, latency). Exit 0 when every check passes,
3 when any fails, 1 when the check cannot run. The token comes from
EXDESK_<SYSTEM>_TOKEN or OAuth client credentials (--system picks which).`,
		`  exdesk connectors check rest:https://mw.example.com/exdesk --order SO-10042
  EXDESK_ERP_TOKEN=… exdesk connectors check rest:https://erp-gw.example.com --order SO/2026/0390 --sku SKU-1,SKU-2`)
	var ordersF, customers, skus, shipments listFlag
	fs.Var(&ordersF, "order", "order id to read (repeatable or comma-separated)")
	fs.Var(&customers, "customer", "customer id to read")
	fs.Var(&skus, "sku", "item sku to read")
	fs.Var(&shipments, "shipment", "shipment id to read")
	system := fs.String("system", "erp", "whose secrets to use: erp, inventory, carriers or tasks")
	timeout := fs.Duration("timeout", 10*time.Second, "per-call timeout")
	c.RunE = runE(func(ctx context.Context, args []string) int {
		var target string
		if len(args) > 0 {
			target = args[0]
		}
		base, ok := strings.CutPrefix(target, "rest:")
		if !ok || base == "" {
			fmt.Fprintln(e.stderr, "exdesk connectors check: name the implementation as rest:URL, e.g. exdesk connectors check rest:https://mw.example.com --order SO-1")
			return exitUsage
		}
		if len(ordersF)+len(customers)+len(skus)+len(shipments) == 0 {
			fmt.Fprintln(e.stderr, "exdesk connectors check: give at least one id to read (--order SO-1)")
			return exitUsage
		}
		hc, token, err := compose.HTTPClient(ctx, *system, compose.Options{Getenv: e.cfg.Getenv})
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk connectors check: %v\n", err)
			return exitHarness
		}
		res, err := rest.Check(ctx, rest.CheckOptions{BaseURL: base, HTTPClient: hc, Token: token, Orders: ordersF,
			Customers: customers, SKUs: skus, Shipments: shipments, Timeout: *timeout})
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk connectors check: %v\n", err)
			return exitHarness
		}
		failed := printChecks(e.stdout, base, res)
		if failed > 0 {
			fmt.Fprintf(e.stdout, "\n%d of %d checks failed.\n", failed, len(res))
			return exitFailed
		}
		fmt.Fprintf(e.stdout, "\nall %d checks pass.\n", len(res))
		return exitOK
	})
	return c
}

func printChecks(w io.Writer, base string, res []rest.CheckResult) int {
	fmt.Fprintf(w, "exdesk.systems/v1 conformance of %s\n\n", base)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ENDPOINT\tTARGET\tSTATUS\tVALID\tLATENCY\tPROBLEM")
	failed := 0
	for _, r := range res {
		valid := "yes"
		if !r.Valid {
			valid, failed = "NO", failed+1
		}
		status := "-"
		if r.Status != 0 {
			status = fmt.Sprint(r.Status)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Endpoint, r.Target, status, valid, r.Latency.Round(100*time.Microsecond), r.Problem)
	}
	_ = tw.Flush()
	return failed
}
