package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/agent/llm"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/ingest"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/tools"
	"github.com/jackc/pgx/v5/pgconn"
)

// config is exdesk's configuration from the environment, read once when the
// command line runs (run, before any command is built). Commands read it
// here and pass what a package needs down as plain values: nothing below
// cmd reads the environment. The one pass-through is Getenv, given to the
// connector set (connectors/compose) because each connector kind names its
// own variables (EXDESK_REST_URL, SAP_*), documented in `exdesk connectors
// --help`.
type config struct {
	// Store and queues.
	DatabaseURL     string // DATABASE_URL: PostgreSQL; empty: the SQLite file (--db)
	DBAppRole       string // EXDESK_DB_APP_ROLE: the role `migrate` grants the application
	RedisURL        string // REDIS_URL: empty: in-process Redis (serve) or an error (ingest, worker)
	Stream          string // EXDESK_STREAM: the ingest stream (default ingest.DefaultStream)
	AuditKey        string // EXDESK_AUDIT_KEY: hex secret keying the audit chain
	AuditKeyFile    string // EXDESK_AUDIT_KEY_FILE: or a file holding it
	AuditCheckpoint string // EXDESK_AUDIT_CHECKPOINT: file the chain head is checkpointed to

	// Decisions.
	Policy     string // EXDESK_POLICY: the policy file; empty: the shipped policy
	Planner    string // EXDESK_PLANNER: playbook (default) or llm
	Connectors string // EXDESK_CONNECTORS: the systems of record (default sim)
	// OrderIDHint is EXDESK_ORDER_ID_HINT: a regular expression of the usual
	// shape of order ids, tried first in questions (a hint, not a gate).
	OrderIDHint string
	// LLM is the model endpoint (OPENAI_API_KEY, OPENAI_BASE_URL,
	// EXDESK_MODEL); LLMErr says what is missing when it is not configured.
	LLM            llm.Config
	LLMErr         error
	Model          string // EXDESK_MODEL as set (LLM.Model holds the default when unset)
	EmbeddingModel string // EXDESK_EMBEDDING_MODEL: case memory's embedder; empty: local hashing

	// Slack and the listeners.
	SlackBotToken      string // SLACK_BOT_TOKEN
	SlackSigningSecret string // SLACK_SIGNING_SECRET (HTTP mode)
	SlackAppToken      string // SLACK_APP_TOKEN (Socket Mode)
	SlackAPIURL        string // SLACK_API_URL: another Slack Web API base (tests, proxies)
	SlackConfig        string // EXDESK_CONFIG: routing and roles YAML
	HTTPAddr           string // EXDESK_HTTP_ADDR (default 127.0.0.1:8080)
	AdminAddr          string // EXDESK_ADMIN_ADDR (default 127.0.0.1:9090)
	ServeToken         string // EXDESK_SERVE_TOKEN: bearer token of `connectors serve`

	// The console (all three of the first to turn it on).
	ConsoleURL        string // EXDESK_CONSOLE_URL: the console's external base URL
	SlackClientID     string // SLACK_CLIENT_ID: Sign in with Slack (OIDC)
	SlackClientSecret string // SLACK_CLIENT_SECRET
	ConsoleSecret     string // EXDESK_CONSOLE_SECRET: seals session cookies (default: derived from the client secret)
	OIDCIssuer        string // EXDESK_OIDC_ISSUER: another OpenID provider than Slack (tests, proxies)

	// Traces.
	OTLPEndpoint       string // OTEL_EXPORTER_OTLP_ENDPOINT: turns tracing on
	OTLPTracesEndpoint string // OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: the traces URL (default ENDPOINT/v1/traces)
	OTelServiceName    string // OTEL_SERVICE_NAME (default exdesk)
	IngestToken        string // EXDESK_INGEST_TOKEN: bearer token of the source endpoints

	// Source formats.
	X12InboundSenders []string // EXDESK_X12_INBOUND_SENDERS, comma-separated
	X12Timezone       string   // EXDESK_X12_TIMEZONE
	EasyPostSecret    string   // EXDESK_EASYPOST_WEBHOOK_SECRET
	AfterShipSecret   string   // EXDESK_AFTERSHIP_WEBHOOK_SECRET

	// The terminal.
	NoColor bool   // NO_COLOR set to anything but "" (https://no-color.org): no colour
	Term    string // TERM: "dumb" takes no colour or control sequences
	Columns int    // COLUMNS: the width of a terminal whose size cannot be read

	// Getenv is the environment, for the connector set only (see above).
	Getenv func(string) string
}

// loadConfig reads the configuration from getenv. It does not fail: a value
// that is wrong is reported by the command that uses it, so `exdesk
// version` works whatever the environment holds.
func loadConfig(getenv func(string) string) *config {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	or := func(k, def string) string {
		if v := get(k); v != "" {
			return v
		}
		return def
	}
	c := &config{
		DatabaseURL:        get("DATABASE_URL"),
		DBAppRole:          get("EXDESK_DB_APP_ROLE"),
		RedisURL:           get("REDIS_URL"),
		Stream:             or("EXDESK_STREAM", ingest.DefaultStream),
		AuditKey:           get("EXDESK_AUDIT_KEY"),
		AuditKeyFile:       get("EXDESK_AUDIT_KEY_FILE"),
		AuditCheckpoint:    get("EXDESK_AUDIT_CHECKPOINT"),
		Policy:             get("EXDESK_POLICY"),
		Planner:            or("EXDESK_PLANNER", "playbook"),
		Connectors:         or("EXDESK_CONNECTORS", "sim"),
		OrderIDHint:        get("EXDESK_ORDER_ID_HINT"),
		EmbeddingModel:     get("EXDESK_EMBEDDING_MODEL"),
		Model:              get("EXDESK_MODEL"),
		SlackBotToken:      get("SLACK_BOT_TOKEN"),
		SlackSigningSecret: get("SLACK_SIGNING_SECRET"),
		SlackAppToken:      get("SLACK_APP_TOKEN"),
		SlackAPIURL:        get("SLACK_API_URL"),
		SlackConfig:        get("EXDESK_CONFIG"),
		HTTPAddr:           or("EXDESK_HTTP_ADDR", "127.0.0.1:8080"),
		AdminAddr:          or("EXDESK_ADMIN_ADDR", "127.0.0.1:9090"),
		ServeToken:         get("EXDESK_SERVE_TOKEN"),
		ConsoleURL:         get("EXDESK_CONSOLE_URL"),
		SlackClientID:      get("SLACK_CLIENT_ID"),
		SlackClientSecret:  get("SLACK_CLIENT_SECRET"),
		ConsoleSecret:      get("EXDESK_CONSOLE_SECRET"),
		OIDCIssuer:         get("EXDESK_OIDC_ISSUER"),
		OTLPEndpoint:       strings.TrimRight(get("OTEL_EXPORTER_OTLP_ENDPOINT"), "/"),
		OTLPTracesEndpoint: get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
		OTelServiceName:    or("OTEL_SERVICE_NAME", "exdesk"),
		IngestToken:        get("EXDESK_INGEST_TOKEN"),
		X12Timezone:        get("EXDESK_X12_TIMEZONE"),
		EasyPostSecret:     get("EXDESK_EASYPOST_WEBHOOK_SECRET"),
		AfterShipSecret:    get("EXDESK_AFTERSHIP_WEBHOOK_SECRET"),
		NoColor:            getenv("NO_COLOR") != "",
		Term:               get("TERM"),
		Getenv:             getenv,
	}
	if n, err := strconv.Atoi(get("COLUMNS")); err == nil && n > 0 {
		c.Columns = n
	}
	for _, s := range strings.Split(get("EXDESK_X12_INBOUND_SENDERS"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			c.X12InboundSenders = append(c.X12InboundSenders, s)
		}
	}
	c.LLM, c.LLMErr = llm.ConfigFromEnv(getenv)
	return c
}

// policy loads the --policy file, else EXDESK_POLICY, else the shipped
// policy.
func (c *config) policy(file string) (*policy.Engine, error) {
	if file == "" && c.Policy != "" {
		e, err := policy.LoadFile(c.Policy)
		if err != nil {
			return nil, fmt.Errorf("EXDESK_POLICY=%s: %w", c.Policy, err)
		}
		return e, nil
	}
	if file == "" {
		return policy.Default()
	}
	return policy.LoadFile(file)
}

// orderHint compiles pattern, or EXDESK_ORDER_ID_HINT when pattern is
// empty; nil when neither is set.
func (c *config) orderHint(pattern string) (*regexp.Regexp, error) {
	if pattern == "" {
		pattern = c.OrderIDHint
	}
	if pattern == "" {
		return nil, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("order id hint %q (--order-id-hint, EXDESK_ORDER_ID_HINT): %w", pattern, err)
	}
	return re, nil
}

// planner returns the named planner: playbook, or llm over the configured
// endpoint.
func (c *config) planner(name string) (agent.Planner, error) {
	switch name {
	case "playbook", "":
		return agent.Playbook{}, nil
	case "llm":
		if c.LLMErr != nil {
			return nil, c.LLMErr
		}
		return llm.New(c.LLM)
	}
	return nil, fmt.Errorf("unknown planner %q; use playbook or llm", name)
}

// investigatorConfig is what the one investigator of every command is
// built from.
type investigatorConfig struct {
	Systems connectors.Systems
	Engine  *policy.Engine
	Planner agent.Planner
	// Memory, when set, is searched by find_similar_cases and keeps
	// resolved cases.
	Memory *casework.MemorySearch
	// OrderHint is the id pattern questions try first (ask --order-id-hint).
	OrderHint *regexp.Regexp
}

// newInvestigator is the one investigator every command uses (ask, demo,
// serve, worker): the planner, the playbook as its fallback, the guard over
// the same systems, and case memory when configured.
func newInvestigator(c investigatorConfig) *agent.Investigator {
	inv := &agent.Investigator{Planner: c.Planner, Fallback: agent.Playbook{}, Systems: c.Systems,
		Guard: policy.NewGuard(c.Engine, c.Systems), OrderHint: c.OrderHint}
	if c.Memory != nil {
		inv.Tools = []tools.Handle{tools.SimilarCases(c.Systems, c.Memory)}
		if c.Memory.Decisions != nil {
			// Human decisions in similar past cases rank the proposals.
			inv.Learning = &agent.Learning{Memory: c.Memory}
		}
	}
	return inv
}

// unreachable reports whether err says a server did not answer (refused,
// unknown host, timed out), rather than answered with an error.
func unreachable(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	return errors.As(err, &ce) || errors.As(err, &oe) || errors.As(err, &de) ||
		(errors.As(err, &ne) && ne.Timeout()) || errors.Is(err, context.DeadlineExceeded)
}

// databaseURLHint is added to an error when DATABASE_URL does not answer.
const databaseURLHint = "the PostgreSQL server of DATABASE_URL does not answer; check the URL and that the server runs, " +
	"or unset DATABASE_URL to use the embedded SQLite store (--db)"
