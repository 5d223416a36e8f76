package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/sim"
	"github.com/exdesk/exdesk/ingest"
)

func workerCmd(e *env) *cobra.Command {
	c, fs := newCommand(e, "worker", "worker [flags]",
		`Runs ingest workers only (no HTTP, no Slack): reads the event stream on
REDIS_URL in the consumer group, serialises each order's events with a lock
in Redis, correlates an event into its order's open case or investigates and
opens one, and stores cases, proposals and the one execution of each auto
action in DATABASE_URL (else the SQLite file). Posts to Slack are left in the
store's outbox for the serve replicas to deliver. Run several, on several
machines: a killed worker's entries are claimed by the others after
--claim-after; an event failing --max-deliveries times goes to the
dead-letter stream (<stream>:dead). Logs are JSON on stderr.

With --connectors sim every worker builds the same simulated distributor
(--seed, --orders) and replays the stream into it, so orders created through
another worker exist here too.`,
		`  REDIS_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgres://exdesk@db/exdesk exdesk worker
  exdesk worker --concurrency 16 --claim-after 10s --metrics-addr :9102
  exdesk worker --connectors recorded:systems.json`)
	concurrency := fs.Int("concurrency", 8, "events processed at once")
	consumer := fs.String("consumer", "", "consumer name in the group (default host-pid-random)")
	stream := fs.String("stream", e.cfg.Stream, "the ingest stream (EXDESK_STREAM)")
	group := fs.String("group", ingest.DefaultGroup, "the consumer group")
	claimAfter := fs.Duration("claim-after", 30*time.Second, "claim entries a consumer left unacknowledged this long")
	maxDeliveries := fs.Int("max-deliveries", 5, "dead-letter an event after this many failed deliveries")
	lockTTL := fs.Duration("lock-ttl", 15*time.Second, "per-order lock lifetime (refreshed while held)")
	source := fs.String("connectors", e.cfg.Connectors, connectorsHelp)
	seed := fs.Int64("seed", 1, "simulation seed (--connectors sim)")
	orders := fs.Int("orders", 2000, "orders in the simulated day (--connectors sim)")
	plannerName := fs.String("planner", e.cfg.Planner, "planner: playbook, or llm (OPENAI_API_KEY / OPENAI_BASE_URL, EXDESK_MODEL; env EXDESK_PLANNER)")
	policyFile := fs.String("policy", "", "policy file (default: $EXDESK_POLICY, else the shipped policy)")
	dbPath := fs.String("db", "exdesk.db", "SQLite store file when DATABASE_URL is not set")
	metricsAddr := fs.String("metrics-addr", "", "serve /metrics on this address (e.g. 127.0.0.1:9102)")
	effectWindow := fs.Duration("effect-window", 24*time.Hour, "an action executed on an order counts as done this long: the same action is not executed again")
	c.RunE = runE(func(ctx context.Context, args []string) int {
		log := slog.New(slog.NewJSONHandler(e.stderr, nil)).With("component", "ingest-worker")
		defer setupTracing(ctx, e, log, "worker")()
		fail := func(what string, err error) int {
			log.Error("exdesk worker: "+what, "err", err)
			return exitHarness
		}
		engine, err := e.cfg.policy(*policyFile)
		if err != nil {
			return fail("policy", err)
		}
		planner, err := e.cfg.planner(*plannerName)
		if err != nil {
			return fail("planner", err)
		}
		st, err := openDurableStore(ctx, e, *dbPath)
		if err != nil {
			return fail("store", err)
		}
		defer func() { _ = st.Close() }()
		rdb, err := ingestRedis(ctx, e)
		if err != nil {
			return fail("redis", err)
		}
		defer func() { _ = rdb.Close() }()
		names := ingest.Names{Stream: *stream, Group: *group}

		var (
			sys  connectors.Systems
			sync ingest.Syncer
		)
		if *source == "sim" {
			s := sim.New(sim.Options{Seed: *seed, Orders: *orders})
			sys, sync = s.Systems(), ingest.NewReplayer(rdb, names, s)
		} else {
			set, err := openConnectors(ctx, e, *source, *seed, *orders)
			if err != nil {
				return fail("connectors", err)
			}
			sys = set.Systems
		}
		base := sys
		sys = connectors.WithState(base, st) // what carriers and suppliers reported, newest first
		mem := &casework.MemorySearch{Store: st, Embedder: embedderFor(e), Decisions: st}
		desk, _, err := newDesk(deskConfig{Store: st, Systems: sys, Engine: engine, Planner: planner, Memory: mem,
			EffectWindow: *effectWindow, Log: log})
		if err != nil {
			return fail("case lifecycle", err)
		}
		proc := &ingest.CaseProcessor{Desk: desk, Sync: sync, Log: log}
		go recoverLoop(ctx, log, desk)

		reg := prometheus.NewRegistry()
		metrics := ingest.NewMetrics(reg)
		if *metricsAddr != "" {
			ln, err := net.Listen("tcp", *metricsAddr)
			if err != nil {
				return fail("metrics listener", err)
			}
			srv := &http.Server{Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), ReadHeaderTimeout: 5 * time.Second}
			go func() {
				if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
					log.Error("metrics server", "err", err)
				}
			}()
			defer func() { _ = srv.Close() }()
		}
		if *consumer == "" {
			host, _ := os.Hostname()
			*consumer = fmt.Sprintf("%s-%d", host, os.Getpid())
		}
		err = ingest.RunWorkers(ctx, rdb, proc, ingest.WorkerOptions{Names: names, Consumer: *consumer, Concurrency: *concurrency,
			ClaimAfter: *claimAfter, MaxDeliveries: *maxDeliveries, LockTTL: *lockTTL, Log: log, Metrics: metrics,
			Resolver: &ingest.StateKeeper{Store: st, Systems: base, Log: log, Metrics: metrics}})
		if err != nil {
			return fail("workers", err)
		}
		return exitOK
	})
	return c
}
