package console

import (
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/kpi"
	"github.com/exdesk/exdesk/queue"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/tools"
)

// Desk is the case lifecycle the console drives; *casework.Desk
// implements it.
type Desk interface {
	View(ctx context.Context, caseID string) (*casework.CaseView, error)
	Proposal(ctx context.Context, id string) (*store.Proposal, error)
	Approve(ctx context.Context, proposalID string, who casework.Approver) (casework.Result, error)
	Reject(ctx context.Context, proposalID string, who casework.Approver, reason string) (casework.Result, error)
}

var _ Desk = (*casework.Desk)(nil)

// Store is what the console reads; store.Store implements it.
type Store interface {
	queue.Store
	kpi.Store
	ListCaseEvents(ctx context.Context, caseID string) ([]store.CaseEvent, error)
	AuditTrail(ctx context.Context, caseID string) ([]store.AuditEntry, error)
	VerifyAudit(ctx context.Context) (*store.AuditBreak, error)
}

var _ Store = (store.Store)(nil)

// Roles is the role check every surface shares (*slackbot.Authorizer):
// the exdesk config says who holds which role.
type Roles interface {
	Allowed(ctx context.Context, user, role string) (bool, error)
	RolesOf(ctx context.Context, user string) ([]string, error)
}

// Options configure the console. Desk, Store, Roles, URL, ClientID,
// ClientSecret and Secret are required.
type Options struct {
	Desk  Desk
	Store Store
	Roles Roles
	// Similar finds resolved past cases like a case (optional).
	Similar func(ctx context.Context, c *agent.Case) ([]tools.PastCase, error)

	// URL is the console's public base URL (EXDESK_CONSOLE_URL); the
	// sign-in callback is URL + "/auth/callback". https makes cookies Secure.
	URL string
	// Issuer is the OpenID Connect issuer (default https://slack.com).
	Issuer       string
	ClientID     string
	ClientSecret string
	// Secret keys the session cookies (at least 16 bytes); every replica
	// must share it.
	Secret []byte
	// HTTPClient talks to the provider (default http.DefaultClient).
	HTTPClient *http.Client
	// SlackURL is the base of links to Slack threads (default
	// https://slack.com: /archives/C…/p… opens the message in its workspace).
	SlackURL string
	// SessionTTL is how long a sign-in lasts (default 12h).
	SessionTTL time.Duration
	// Now is the wall clock (default time.Now); Today the business date
	// the queue counts promised dates from (default Now).
	Now   func() time.Time
	Today func() time.Time
	// Log receives JSON logs; nil discards.
	Log *slog.Logger
}

// Console serves the supervisor's console.
type Console struct {
	desk    Desk
	st      Store
	roles   Roles
	similar func(ctx context.Context, c *agent.Case) ([]tools.PastCase, error)
	base    *url.URL
	secure  bool
	seal    *sealer
	oidc    *provider
	slack   string
	ttl     time.Duration
	now     func() time.Time
	today   func() time.Time
	log     *slog.Logger
	pages   *template.Template

	chainMu sync.Mutex
	chain   chainCheck
}

// chainCheck caches the whole-chain verification for a short while: it
// reads every audit row.
type chainCheck struct {
	at   time.Time
	brk  *store.AuditBreak
	err  error
	rows time.Duration
}

//go:embed templates/*.tmpl
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// ErrConfig is wrapped by configuration errors.
var ErrConfig = errors.New("console config")

// New validates o and returns a Console.
func New(o Options) (*Console, error) {
	switch {
	case o.Desk == nil || o.Store == nil || o.Roles == nil:
		return nil, fmt.Errorf("%w: Desk, Store and Roles are required", ErrConfig)
	case o.URL == "" || o.ClientID == "" || o.ClientSecret == "":
		return nil, fmt.Errorf("%w: URL, ClientID and ClientSecret are required", ErrConfig)
	}
	base, err := url.Parse(strings.TrimRight(o.URL, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("%w: URL %q is not an http(s) URL", ErrConfig, o.URL)
	}
	seal, err := newSealer(o.Secret)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if o.Issuer == "" {
		o.Issuer = "https://slack.com"
	}
	if o.SlackURL == "" {
		o.SlackURL = "https://slack.com"
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Today == nil {
		o.Today = o.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	pages, err := template.New("pages").Funcs(funcs).ParseFS(templateFS, "templates/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("console: templates: %w", err)
	}
	return &Console{desk: o.Desk, st: o.Store, roles: o.Roles, similar: o.Similar, base: base, secure: base.Scheme == "https",
		seal: seal, slack: strings.TrimRight(o.SlackURL, "/"), ttl: o.SessionTTL, now: o.Now, today: o.Today, log: o.Log, pages: pages,
		oidc: &provider{issuer: o.Issuer, clientID: o.ClientID, clientSecret: o.ClientSecret, redirect: base.String() + "/auth/callback", client: o.HTTPClient},
	}, nil
}

// Handler serves the console. Mount it at / of the public listener.
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", c.login)
	mux.HandleFunc("GET /auth/callback", c.callback)
	mux.Handle("GET /static/", http.FileServerFS(staticFS))
	mux.Handle("GET /{$}", c.authed(c.queuePage))
	mux.Handle("GET /api/queue", c.authed(c.queueJSON))
	mux.Handle("GET /cases/{id}", c.authed(c.casePage))
	mux.Handle("POST /cases/{id}/proposals/{pid}/{verb}", c.authed(c.decide))
	mux.Handle("GET /kpi", c.authed(c.kpiPage))
	mux.Handle("GET /api/kpi", c.authed(c.kpiJSON))
	mux.Handle("POST /logout", c.authed(c.logout))
	return headers(mux)
}

// headers sets the security headers of every answer.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

type authedFunc func(w http.ResponseWriter, r *http.Request, s *session)

// authed refuses a request without a valid session (pages redirect to
// sign-in, JSON and forms answer 401), and a POST without the session's
// CSRF token or from another origin (403).
func (c *Console) authed(h authedFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := c.sessionOf(r)
		if s == nil {
			if r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/") {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"sign in first"}` + "\n"))
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
			if origin := r.Header.Get("Origin"); origin != "" && origin != c.base.Scheme+"://"+c.base.Host {
				c.plain(w, http.StatusForbidden, "This form was not sent from the console.")
				return
			}
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(s.CSRF)) != 1 {
				c.plain(w, http.StatusForbidden, "This form has expired. Go back, reload the page and try again.")
				return
			}
		}
		h(w, r, s)
	})
}

func (c *Console) logout(w http.ResponseWriter, _ *http.Request, s *session) {
	c.clearCookie(w, cookieSession)
	c.log.Info("console sign-out", "user", s.User)
	c.plain(w, http.StatusOK, "You are signed out of the exdesk console.")
}

// plain answers with a short text page.
func (c *Console) plain(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = fmt.Fprintln(w, msg)
}

func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	c.log.Error("console request failed", "path", r.URL.Path, "err", err)
	c.plain(w, http.StatusInternalServerError, "Something went wrong; it has been logged. Try again shortly.")
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	var b strings.Builder
	if err := c.pages.ExecuteTemplate(&b, name, data); err != nil {
		c.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// Disabled is what / answers when the console is not configured: how to
// turn it on. It shows no data.
func Disabled(missing []string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, `The exdesk console is off.

To turn it on, create a Slack app with "Sign in with Slack" (OpenID Connect,
scopes openid and profile), add <console URL>/auth/callback as its redirect
URL, and start exdesk serve with:

  EXDESK_CONSOLE_URL     the console's public URL, e.g. https://exdesk.example.com
  SLACK_CLIENT_ID        the Slack app's client id
  SLACK_CLIENT_SECRET    the Slack app's client secret
  EXDESK_CONSOLE_SECRET  optional: at least 16 bytes keying session cookies
                         (default: derived from SLACK_CLIENT_SECRET)

Not set: %s
`, strings.Join(missing, ", "))
	})
}
