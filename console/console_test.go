package console_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/console"
	"github.com/exdesk/exdesk/console/oidctest"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/slackbot"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/sqlite"
)

const rolesConfig = `
roles:
  finance_supervisor:
    users: [U0SUP]
  finance_director:
    users: [U0DIR]
    includes: [finance_supervisor]
  logistics_supervisor:
    users: [U0LOG]
`

// countingExecutor counts executions that reached the connector.
type countingExecutor struct {
	inner   connectors.Executor
	applied atomic.Int64
}

func (c *countingExecutor) Execute(ctx context.Context, a connectors.Action) (connectors.Execution, error) {
	e, err := c.inner.Execute(ctx, a)
	if err == nil && !e.Replayed {
		c.applied.Add(1)
	}
	return e, err
}

// env is a console over a real SQLite store and the case lifecycle, with
// an OIDC provider stand-in.
type env struct {
	srv    *httptest.Server
	idp    *oidctest.Provider
	st     *sqlite.Store
	desk   *casework.Desk
	exec   *countingExecutor
	caseID string
	propID string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	conn, err := recorded.Load("../evals/cases/credit-supervisor-01.json")
	if err != nil {
		t.Fatal(err)
	}
	engine, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	sys := conn.Systems()
	exec := &countingExecutor{inner: sys.Executor}
	sys.Executor = exec
	st, err := sqlite.Open(ctx, "", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	guard := policy.NewGuard(engine, sys)
	desk, err := casework.New(casework.Options{Store: st, Investigator: &agent.Investigator{Planner: agent.Playbook{}, Systems: sys, Guard: guard},
		Systems: sys, Guard: guard})
	if err != nil {
		t.Fatal(err)
	}
	res, err := desk.HandleEvent(ctx, connectors.Event{ID: "ev-1", Source: "erp", Type: connectors.EventHoldPlaced, OrderID: "SO-20035", At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, desk: desk, exec: exec}
	v, err := desk.OpenCase(ctx, "SO-20035")
	if err != nil || v == nil {
		t.Fatalf("no open case after %+v: %v", res, err)
	}
	e.caseID = v.Record.ID
	for _, a := range v.Actions {
		if a.Pending() {
			e.propID = a.Stored.ID
		}
	}
	if e.propID == "" {
		t.Fatal("no pending approval")
	}
	// The Slack thread, as slackbot records it.
	if err := st.AppendCaseEvent(ctx, &store.CaseEvent{CaseID: e.caseID, Kind: "slack.thread", Actor: "slack",
		Data: []byte(`{"channel":"C0FIN","ts":"1700000000.000100"}`)}); err != nil {
		t.Fatal(err)
	}
	cfg, err := slackbot.ParseConfig([]byte(rolesConfig))
	if err != nil {
		t.Fatal(err)
	}
	e.idp, err = oidctest.New("client-1", "client-secret-1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.idp.Close)
	e.srv = httptest.NewServer(nil)
	t.Cleanup(e.srv.Close)
	c, err := console.New(console.Options{Desk: desk, Store: st, Roles: slackbot.NewAuthorizer(cfg, nil, 0),
		URL: e.srv.URL, Issuer: e.idp.URL, ClientID: "client-1", ClientSecret: "client-secret-1",
		Secret: []byte("0123456789abcdef0123456789abcdef"), SlackURL: "https://acme.slack.com",
		Log: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Config.Handler = c.Handler()
	return e
}

// signIn signs user in through the provider and returns a browser-like
// client holding the session cookie.
func (e *env) signIn(t *testing.T, user string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar}
	e.idp.SignInAs(oidctest.User{ID: user, Name: "Person " + user, Team: "T0ACME"})
	res, body := get(t, cl, e.srv.URL+"/")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Queue") || !strings.Contains(body, user) {
		t.Fatalf("sign-in ended on %d %s:\n%.500s", res.StatusCode, res.Request.URL, body)
	}
	return cl
}

func get(t *testing.T, cl *http.Client, u string) (*http.Response, string) {
	t.Helper()
	res, err := cl.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func post(t *testing.T, cl *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	res, err := cl.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token on the page")
	}
	return m[1]
}

// No page or JSON endpoint answers without a session.
func TestRefusesWithoutSession(t *testing.T) {
	e := newEnv(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		method, path string
		want         int
	}{
		{"GET", "/", http.StatusSeeOther},
		{"GET", "/?mine=1", http.StatusSeeOther},
		{"GET", "/cases/" + e.caseID, http.StatusSeeOther},
		{"GET", "/kpi", http.StatusSeeOther},
		{"GET", "/api/queue", http.StatusUnauthorized},
		{"GET", "/api/kpi", http.StatusUnauthorized},
		{"POST", "/cases/" + e.caseID + "/proposals/" + e.propID + "/approve", http.StatusUnauthorized},
		{"POST", "/logout", http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, e.srv.URL+tc.path, strings.NewReader("csrf=x"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			// A forged cookie is no session either.
			req.AddCookie(&http.Cookie{Name: "exdesk_session", Value: "forged"})
			res, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Fatalf("%s %s = %d, want %d", tc.method, tc.path, res.StatusCode, tc.want)
			}
			if strings.Contains(string(b), "Evidence") || strings.Contains(string(b), "release the") {
				t.Fatal("case data answered without a session")
			}
			if tc.want == http.StatusSeeOther && !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
				t.Fatalf("redirect to %q, want sign-in", res.Header.Get("Location"))
			}
		})
	}
	if n := e.exec.applied.Load(); n != 0 {
		t.Fatalf("%d actions executed without a session", n)
	}
}

func TestSignInQueueCaseApproveOnce(t *testing.T) {
	e := newEnv(t)
	cl := e.signIn(t, "U0SUP")
	_, queuePage := get(t, cl, e.srv.URL+"/?mine=1")
	for _, want := range []string{"SO-20035", "finance_supervisor", "awaiting approval", `id="queue-count">1<`} {
		if !strings.Contains(queuePage, want) {
			t.Errorf("queue lacks %q", want)
		}
	}
	_, casePage := get(t, cl, e.srv.URL+"/cases/"+e.caseID)
	for _, want := range []string{"Evidence", "from <code>t", "Approve", "State history", "https://acme.slack.com/archives/C0FIN/p1700000000000100",
		"in the verified chain", "whole audit chain was verified intact", "Similar past cases"} {
		if !strings.Contains(casePage, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	token := csrfOf(t, casePage)
	approve := e.srv.URL + "/cases/" + e.caseID + "/proposals/" + e.propID + "/approve"
	if res, _ := post(t, cl, approve, url.Values{"csrf": {"wrong"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("approve with a wrong CSRF token = %d, want 403", res.StatusCode)
	}
	// Double clicks and a second tab: the action executes once.
	var wg sync.WaitGroup
	pages := make([]string, 4)
	for i := range pages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := cl.PostForm(approve, url.Values{"csrf": {token}})
			if err != nil {
				t.Error(err)
				return
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			pages[i] = string(b)
		}()
	}
	wg.Wait()
	if n := e.exec.applied.Load(); n != 1 {
		t.Fatalf("executed %d times, want once", n)
	}
	executed := 0
	for _, p := range pages {
		if strings.Contains(p, "Approved, re-checked on fresh data, and executed.") {
			executed++
		}
	}
	if executed != 1 {
		t.Errorf("%d answers say executed, want 1", executed)
	}
	p, err := e.st.GetProposal(context.Background(), e.propID)
	if err != nil || p.State != store.Executed || p.DecidedBy != "U0SUP" {
		t.Fatalf("proposal = %+v, %v; want executed by U0SUP", p, err)
	}
	trail, _ := e.st.AuditTrail(context.Background(), e.caseID)
	found := false
	for _, a := range trail {
		found = found || (a.Kind == "proposal.approved" && strings.Contains(string(a.Data), `"surface":"console"`))
	}
	if !found {
		t.Error("the audit trail does not record the console approval")
	}
	if res, body := get(t, cl, e.srv.URL+"/kpi?window=1d"); res.StatusCode != http.StatusOK || !strings.Contains(body, "<svg") {
		t.Errorf("KPI page = %d, charts present %v", res.StatusCode, strings.Contains(body, "<svg"))
	}
	if res, body := get(t, cl, e.srv.URL+"/api/queue"); res.StatusCode != http.StatusOK || !strings.Contains(body, `"roles"`) {
		t.Errorf("queue JSON = %d %s", res.StatusCode, body)
	}
	res, _ := post(t, cl, e.srv.URL+"/logout", url.Values{"csrf": {token}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign out = %d", res.StatusCode)
	}
	noRedirect := &http.Client{Jar: cl.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if res, _ := get(t, noRedirect, e.srv.URL+"/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after sign-out / = %d, want a redirect to sign in", res.StatusCode)
	}
}

// A user without the role sees no buttons, and a forged approval is
// denied by the lifecycle (and audited): nothing executes.
func TestNoRoleCannotApprove(t *testing.T) {
	e := newEnv(t)
	for _, user := range []string{"U0LOG", "U0NOBODY"} {
		t.Run(user, func(t *testing.T) {
			cl := e.signIn(t, user)
			_, page := get(t, cl, e.srv.URL+"/cases/"+e.caseID)
			if strings.Contains(page, ">Approve<") {
				t.Error("the page offers Approve to someone without the role")
			}
			token := csrfOf(t, page)
			for _, verb := range []string{"approve", "reject"} {
				_, body := post(t, cl, e.srv.URL+"/cases/"+e.caseID+"/proposals/"+e.propID+"/"+verb, url.Values{"csrf": {token}, "reason": {"no"}})
				if !strings.Contains(body, "You do not hold the role") {
					t.Errorf("%s by %s: answer does not say denied", verb, user)
				}
			}
		})
	}
	if n := e.exec.applied.Load(); n != 0 {
		t.Fatalf("%d executions by people without the role", n)
	}
	p, _ := e.st.GetProposal(context.Background(), e.propID)
	if p.State != store.Pending {
		t.Fatalf("proposal %s, want still pending", p.State)
	}
	trail, _ := e.st.AuditTrail(context.Background(), e.caseID)
	denied := 0
	for _, a := range trail {
		if a.Kind == "approval.denied" {
			denied++
		}
	}
	if denied != 4 {
		t.Errorf("%d denials audited, want 4", denied)
	}
}

func TestSignInRejectsTamperedState(t *testing.T) {
	e := newEnv(t)
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, _ := get(t, cl, e.srv.URL+"/login?next=//evil.example/x")
	auth, _ := url.Parse(res.Header.Get("Location"))
	res, _ = get(t, cl, auth.String())
	back, _ := url.Parse(res.Header.Get("Location"))
	q := back.Query()
	q.Set("state", "forged")
	back.RawQuery = q.Encode()
	if res, _ := get(t, cl, back.String()); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("callback with a forged state = %d, want 400", res.StatusCode)
	}
	// The real sign-in lands on /, never on another host.
	res, _ = get(t, cl, e.srv.URL+"/login?next=//evil.example/x")
	auth, _ = url.Parse(res.Header.Get("Location"))
	res, _ = get(t, cl, auth.String())
	res, _ = get(t, cl, res.Header.Get("Location"))
	if loc := res.Header.Get("Location"); loc != "/" {
		t.Fatalf("after sign-in, redirect to %q, want /", loc)
	}
}

func TestDisabled(t *testing.T) {
	srv := httptest.NewServer(console.Disabled([]string{"SLACK_CLIENT_ID"}))
	defer srv.Close()
	res, body := get(t, http.DefaultClient, srv.URL+"/")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "EXDESK_CONSOLE_URL") || !strings.Contains(body, "Not set: SLACK_CLIENT_ID") {
		t.Fatalf("disabled console = %d %s", res.StatusCode, body)
	}
}

func Example() {
	fmt.Println("see TestSignInQueueCaseApproveOnce")
	// Output: see TestSignInQueueCaseApproveOnce
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
