package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/console"
	"github.com/exdesk/exdesk/slackbot"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/tools"
)

const consoleHelp = `
  EXDESK_CONSOLE_URL    the console's public URL (e.g. https://exdesk.example.com); with
  SLACK_CLIENT_ID       the Slack app's client id and
  SLACK_CLIENT_SECRET   client secret ("Sign in with Slack", OpenID Connect; redirect URL
                        <EXDESK_CONSOLE_URL>/auth/callback), the console is served at / on
                        EXDESK_HTTP_ADDR; without them / says how to turn it on
  EXDESK_CONSOLE_SECRET at least 16 bytes keying the console's session cookies, the same
                        on every replica (default: derived from SLACK_CLIENT_SECRET)
  EXDESK_OIDC_ISSUER    the OpenID Connect issuer (default https://slack.com)`

// consoleDeps is what the console is built from in serve.
type consoleDeps struct {
	Store   store.Store
	Desk    *casework.Desk
	Roles   *slackbot.Authorizer
	Systems connectors.Systems
	Memory  *casework.MemorySearch
	Log     *slog.Logger
}

// mountConsole serves the console at / of the public listener, or, when
// it is not configured, a page saying how to turn it on.
func mountConsole(mux *http.ServeMux, e *env, d consoleDeps) error {
	u, id, secret := e.cfg.ConsoleURL, e.cfg.SlackClientID, e.cfg.SlackClientSecret
	var missing []string
	for k, v := range map[string]string{"EXDESK_CONSOLE_URL": u, "SLACK_CLIENT_ID": id, "SLACK_CLIENT_SECRET": secret} {
		if v == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		d.Log.Info("console off", "missing", missing)
		mux.Handle("/", console.Disabled(missing))
		return nil
	}
	key := []byte(e.cfg.ConsoleSecret)
	if len(key) == 0 {
		sum := sha256.Sum256([]byte("exdesk console session key\x00" + secret))
		key = sum[:]
	}
	c, err := console.New(console.Options{Desk: d.Desk, Store: d.Store, Roles: d.Roles, URL: u, ClientID: id, ClientSecret: secret,
		Issuer: e.cfg.OIDCIssuer, Secret: key, Today: d.Systems.Clock.Now, Log: d.Log,
		Similar: similarFor(d.Systems, d.Memory)})
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	mux.Handle("/", c.Handler())
	d.Log.Info("console on", "url", u)
	return nil
}

// similarFor finds past cases like a case from case memory, by the same
// text the find_similar_cases tool searches with.
func similarFor(sys connectors.Systems, mem *casework.MemorySearch) func(ctx context.Context, c *agent.Case) ([]tools.PastCase, error) {
	if mem == nil {
		return nil
	}
	return func(ctx context.Context, c *agent.Case) ([]tools.PastCase, error) {
		o, err := sys.ERP.Order(ctx, c.OrderID)
		if err != nil {
			return nil, err
		}
		return mem.Similar(ctx, tools.MemoryText(o, c.Class), c.Class, c.CustomerID, 5)
	}
}
