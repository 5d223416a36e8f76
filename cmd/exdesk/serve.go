package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/slack-go/slack"
	"github.com/spf13/cobra"

	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/ingest"
	"github.com/exdesk/exdesk/slackbot"
)

func serveCmd(e *env) *cobra.Command {
	c, fs := newCommand(e, "serve", "serve [flags]",
		`Runs exdesk as a Slack app. People ask about orders (@exdesk in a channel,
a direct message, or /exdesk SO-10042); exdesk answers in the thread with the
case, its evidence and the ranked actions with the policy guard's decisions.
Supervisors approve or reject actions with the buttons; an approved action is
re-checked on fresh data and executed exactly once.

Modes: Socket Mode when SLACK_APP_TOKEN is set; otherwise HTTP mode, serving
POST /slack/events, /slack/interactivity and /slack/commands (request URLs for
the Slack app) on EXDESK_HTTP_ADDR. Source systems POST events to /v1/events
(exdesk JSON or CloudEvents), X12 interchanges to /v1/edi/x12 and carrier
tracking webhooks to /v1/webhooks/easypost or /v1/webhooks/aftership;
workers in every replica read them from a Redis stream (consumer group) and
open or update one case per order; cases and their updates are posted to the
channel of their class from the store's outbox, by whichever replica drains
it. /healthz, /readyz (Redis and the store reachable; only a status) and
/metrics (Prometheus) are served on EXDESK_ADMIN_ADDR, loopback by default.

A question never executes anything: it shows the order's open case, or a
fresh investigation stored as a question-driven case whose approvals wait in
its thread. Only source events and approvals execute actions.

Environment:
  SLACK_BOT_TOKEN       bot token (xoxb-…) for Web API calls (required)
  SLACK_SIGNING_SECRET  verifies HTTP requests from Slack (required in HTTP mode)
  SLACK_APP_TOKEN       app-level token (xapp-…, connections:write): use Socket Mode
  SLACK_API_URL         Slack Web API base URL (default https://slack.com/api/), for tests and proxies
  EXDESK_HTTP_ADDR      public listen address (default 127.0.0.1:8080; --addr overrides)
  EXDESK_ADMIN_ADDR     admin listen address (default 127.0.0.1:9090)
  EXDESK_CONFIG         YAML routing and roles file (see below; --config overrides)
  EXDESK_POLICY         policy file (default: the shipped policy)
  EXDESK_CONNECTORS     the systems (--connectors overrides; see exdesk connectors)
  EXDESK_<SYSTEM>_TOKEN bearer token of a system (ERP, INVENTORY, CARRIERS, TASKS), or
                        _CLIENT_ID/_CLIENT_SECRET/_TOKEN_URL for OAuth client credentials
  REDIS_URL             redis://host:6379/0 for dedupe and thread memory
                        (default: an in-process Redis-protocol server)
  DATABASE_URL          postgres://… for the store (default: SQLite file --db)
  EXDESK_INGEST_TOKEN   bearer token for POST /v1/events (exdesk JSON or CloudEvents)
                        and POST /v1/edi/x12 (X12 interchanges); unset: they answer 503
`+sourcesHelp+`
  EXDESK_EMBEDDING_MODEL  embeddings model for case memory on the OpenAI-compatible
                        endpoint (OPENAI_BASE_URL, OPENAI_API_KEY); default: a
                        deterministic local embedder that works offline`+consoleHelp+tracingHelp+`

Config file (EXDESK_CONFIG):
  channels:                  # where detected cases are posted, by class
    default: C0EXCEPTIONS
    credit_hold: C0FINANCE
  roles:                     # who may approve what the policy routes to a role
    finance_supervisor:
      users: [U012AB3CD]     # Slack user ids
      groups: [S0FINSUP]     # Slack user-group ids
    finance_director:
      users: [U045EF6GH]
      includes: [finance_supervisor]
    planner: [U0PLANNER, S0PLANNERS]   # shorthand: ids (U…/W… users, S… groups) and roles

Logs are JSON on stderr and never contain tokens or secrets. SIGINT/SIGTERM
stop taking requests and finish in-flight work (--shutdown-timeout).`,
		`  SLACK_BOT_TOKEN=xoxb-… SLACK_SIGNING_SECRET=… EXDESK_CONFIG=slack.yaml exdesk serve
  SLACK_BOT_TOKEN=xoxb-… SLACK_APP_TOKEN=xapp-… exdesk serve --config slack.yaml
  SLACK_API_URL=http://127.0.0.1:9999/api/ exdesk serve --connectors recorded:../shared/evals/examples --addr 127.0.0.1:8080`)
	addr := fs.String("addr", e.cfg.HTTPAddr, "public listen address for Slack and source systems (env EXDESK_HTTP_ADDR; :8080 for every interface)")
	adminAddr := fs.String("admin-addr", e.cfg.AdminAddr, "admin listen address for /healthz, /readyz and /metrics (env EXDESK_ADMIN_ADDR)")
	source := fs.String("connectors", e.cfg.Connectors, connectorsHelp)
	seed := fs.Int64("seed", 1, "simulation seed (with --connectors sim)")
	orders := fs.Int("orders", 2000, "orders in the simulated day (with --connectors sim)")
	configFile := fs.String("config", e.cfg.SlackConfig, "routing and roles YAML file (env EXDESK_CONFIG)")
	policyFile := fs.String("policy", "", "policy file (default: $EXDESK_POLICY, else the shipped policy)")
	dbPath := fs.String("db", "exdesk.db", "SQLite store file when DATABASE_URL is not set")
	workers := fs.Int("workers", 16, "Slack work items handled at once")
	shutdown := fs.Duration("shutdown-timeout", 30*time.Second, "how long shutdown waits for in-flight work")
	plannerName := fs.String("planner", e.cfg.Planner, "planner: playbook, or llm (OPENAI_API_KEY / OPENAI_BASE_URL, EXDESK_MODEL)")
	retention := fs.Duration("memory-retention", 180*24*time.Hour, "resolved cases older than this are pruned from case memory (never from the audit log)")
	c.RunE = runE(func(ctx context.Context, args []string) int {
		log := slog.New(slog.NewJSONHandler(e.stderr, nil))
		defer setupTracing(ctx, e, log, "serve")()
		// A start-up error is reported once: as a plain line to a person at
		// a terminal, as a JSON log record to a log collector.
		fail := func(code int, msg string, err error) int {
			if e.style(e.stderr).tty {
				fmt.Fprintf(e.stderr, "exdesk serve: %s: %v\n", msg, err)
			} else {
				log.Error("exdesk serve: "+msg, "err", err)
			}
			return code
		}

		botToken, signing, appToken := e.cfg.SlackBotToken, e.cfg.SlackSigningSecret, e.cfg.SlackAppToken
		switch {
		case botToken == "":
			return fail(exitUsage, "configuration", errors.New("SLACK_BOT_TOKEN is not set (see exdesk serve --help)"))
		case appToken == "" && signing == "":
			return fail(exitUsage, "configuration", errors.New("SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)"))
		}
		cfg := &slackbot.Config{}
		if *configFile != "" {
			c, err := slackbot.LoadConfig(*configFile)
			if err != nil {
				return fail(exitUsage, "config", err)
			}
			cfg = c
		} else {
			log.Warn("no EXDESK_CONFIG: no one can approve actions and detected cases have no channel")
		}
		engine, err := e.cfg.policy(*policyFile)
		if err != nil {
			return fail(exitHarness, "policy", err)
		}
		cfg.CheckRoles(log, engine.Roles())
		set, err := openConnectors(ctx, e, *source, *seed, *orders)
		if err != nil {
			return fail(exitHarness, "connectors", err)
		}
		base := set.Systems
		planner, err := e.cfg.planner(*plannerName)
		if err != nil {
			return fail(exitUsage, "planner", err)
		}
		hint, err := e.cfg.orderHint("")
		if err != nil {
			return fail(exitUsage, "configuration", err)
		}
		st, err := openDurableStore(ctx, e, *dbPath)
		if err != nil {
			return fail(exitHarness, "store", err)
		}
		defer func() { _ = st.Close() }()
		sys := connectors.WithState(base, st) // what carriers and suppliers reported, newest first
		mem := &casework.MemorySearch{Store: st, Embedder: embedderFor(e), Decisions: st}
		go pruneMemory(ctx, log, st, *retention)
		rdb, closeRedis, err := slackbot.OpenRedis(ctx, e.cfg.RedisURL)
		if err != nil {
			return fail(exitHarness, "redis", err)
		}
		defer func() { _ = closeRedis() }()

		opts := []slack.Option{}
		if u := e.cfg.SlackAPIURL; u != "" {
			if !strings.HasSuffix(u, "/") {
				u += "/"
			}
			opts = append(opts, slack.OptionAPIURL(u))
		}
		if appToken != "" {
			opts = append(opts, slack.OptionAppLevelToken(appToken))
		}
		api := slack.New(botToken, opts...)
		host, _ := os.Hostname()
		instance := fmt.Sprintf("%s-%d", host, os.Getpid())
		var wake func() // set once the bot exists, before anything runs
		desk, _, err := newDesk(deskConfig{Store: st, Systems: sys, Engine: engine, Planner: planner, Memory: mem, OrderHint: hint,
			Notify: func() { wake() }, Log: log})
		if err != nil {
			return fail(exitHarness, "case lifecycle", err)
		}
		bot, err := slackbot.New(slackbot.Options{Slack: api, Store: st, Redis: rdb, Desk: desk, Config: cfg,
			SigningSecret: signing, Log: log, Workers: *workers, Instance: instance,
			Queue: st, Today: sys.Clock.Now, ConsoleURL: e.cfg.ConsoleURL})
		if err != nil {
			return fail(exitHarness, "slack bot", err)
		}
		wake = bot.Wake
		if n, err := bot.Resume(ctx); err != nil {
			log.Error("interrupted approvals not finished", "err", err)
		} else {
			log.Info("interrupted approvals finished", "count", n)
		}
		go recoverLoop(ctx, log, desk)

		// The public listener: what Slack and source systems call.
		mux := http.NewServeMux()
		mux.Handle("/slack/", bot.Handler())
		mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
		// Source-system events: POST /v1/events onto the Redis stream, and
		// workers that turn each event into exactly one case (posted to Slack
		// through the outbox, never under the order lock).
		im := ingest.NewMetrics(bot.Metrics().Registry)
		pub := ingest.NewPublisher(rdb, ingest.PublisherOptions{Metrics: im})
		mux.Handle("/v1/events", ingest.Handler(pub, ingest.HandlerOptions{Token: e.cfg.IngestToken, Log: log, Metrics: im}))
		mountSources(mux, e, pub, log, im)
		// The supervisor's console at / (or how to turn it on).
		if err := mountConsole(mux, e, consoleDeps{Store: st, Desk: desk, Roles: bot.Authorizer(), Systems: sys, Memory: mem, Log: log}); err != nil {
			return fail(exitUsage, "console", err)
		}

		// The admin listener (loopback by default): health, readiness and
		// metrics, which the public never sees.
		admin := http.NewServeMux()
		admin.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
		admin.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
			rctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			if err := bot.Ready(rctx); err != nil {
				log.Warn("not ready", "err", err)
				http.Error(w, "not ready", http.StatusServiceUnavailable)
				return
			}
			fmt.Fprintln(w, "ready")
		})
		admin.Handle("GET /metrics", promhttp.HandlerFor(bot.Metrics().Registry, promhttp.HandlerOpts{}))

		wctx, stopWorkers := context.WithCancel(ctx)
		defer stopWorkers()
		wdone := make(chan error, 1)
		go func() {
			wdone <- ingest.RunWorkers(wctx, rdb, &ingest.CaseProcessor{Desk: desk, Log: log},
				ingest.WorkerOptions{Log: log, Metrics: im, Consumer: instance,
					Resolver: &ingest.StateKeeper{Store: st, Systems: base, Log: log, Metrics: im}})
		}()
		odone := make(chan struct{})
		go func() { defer close(odone); _ = bot.RunOutbox(wctx) }()
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return fail(exitHarness, "listen", err)
		}
		adminSrv := &http.Server{Handler: admin, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
		adminLn, err := net.Listen("tcp", *adminAddr)
		if err != nil {
			_ = ln.Close()
			return fail(exitHarness, "admin listen", err)
		}
		mode := "http"
		if appToken != "" {
			mode = "socket"
		}
		log.Info("exdesk serving", "addr", ln.Addr().String(), "admin_addr", adminLn.Addr().String(), "mode", mode, "connectors", *source, "policy", engine.Version(),
			"redis", redisKind(e), "store", storeKind(e))

		errc := make(chan error, 3)
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("http: %w", err)
			}
		}()
		go func() {
			if err := adminSrv.Serve(adminLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("admin http: %w", err)
			}
		}()
		if appToken != "" {
			go func() {
				if err := bot.RunSocketMode(ctx, api); err != nil {
					errc <- err
				}
			}()
		}
		code := exitOK
		select {
		case <-ctx.Done():
			log.Info("shutting down: finishing in-flight work", "timeout", shutdown.String())
		case err := <-errc:
			log.Error("serving failed", "err", err)
			code = exitHarness
		}
		sctx, cancel := context.WithTimeout(context.Background(), *shutdown)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			log.Warn("http shutdown", "err", err)
		}
		defer func() { _ = adminSrv.Shutdown(sctx) }()
		stopWorkers()
		select {
		case err := <-wdone:
			if err != nil && !errors.Is(err, context.Canceled) {
				log.Warn("ingest workers stopped", "err", err)
			}
		case <-sctx.Done():
			log.Warn("ingest workers did not stop in time; their pending events will be claimed by another replica")
		}
		<-odone
		if err := bot.Close(sctx); err != nil {
			log.Warn("slack work cancelled at shutdown", "err", err)
		}
		log.Info("stopped")
		return code
	})
	return c
}

func redisKind(e *env) string {
	if e.cfg.RedisURL != "" {
		return "REDIS_URL"
	}
	return "in-process"
}

func storeKind(e *env) string {
	if e.cfg.DatabaseURL != "" {
		return "postgres"
	}
	return "sqlite"
}

// recoverLoop finishes approvals a crashed replica left half done, every
// minute, until ctx ends.
func recoverLoop(ctx context.Context, log *slog.Logger, desk *casework.Desk) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := desk.Recover(ctx); err != nil {
			if ctx.Err() == nil {
				log.Error("interrupted approvals not finished", "err", err)
			}
		} else if n > 0 {
			log.Info("interrupted approvals finished", "count", n)
		}
	}
}
