package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/exdesk/exdesk/console/oidctest"
)

// chromiumPath finds headless Chromium (scripts/browser.sh installs it).
// Under CI=true a missing browser fails the test; elsewhere it skips.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, c := range []string{os.Getenv("EXDESK_CHROMIUM"), "chromium", "chromium-browser"} {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is missing: run scripts/browser.sh install (make test does)")
	}
	t.Skip("chromium is not installed (scripts/browser.sh install)")
	return ""
}

// The console in a real browser against exdesk serve, with an OIDC
// provider stand-in: sign in, the queue (laptop and phone), the case page,
// one approval, the KPI page with its charts. Screenshots go to
// testdata/out (ignored by git).
func TestConsoleInABrowser(t *testing.T) {
	chromium := chromiumPath(t)
	idp, err := oidctest.New("exdesk-console", "console-secret")
	if err != nil {
		t.Fatal(err)
	}
	defer idp.Close()
	idp.SignInAs(oidctest.User{ID: "U0SUP", Name: "Sam Supervisor", Team: "T0ACME"})
	stub := &slackStub{}
	api := httptest.NewServer(stub)
	defer api.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "slack.yaml")
	if err := os.WriteFile(cfg, []byte("channels: {default: C0ALL, credit_hold: C0FIN}\nroles:\n  finance_supervisor: [U0SUP]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	base := "http://" + addr
	vars := map[string]string{"SLACK_BOT_TOKEN": "xoxb-t", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": api.URL + "/api/",
		"EXDESK_HTTP_ADDR": addr, "EXDESK_ADMIN_ADDR": freeAddr(t), "EXDESK_CONFIG": cfg, "EXDESK_INGEST_TOKEN": "ingest-secret",
		"EXDESK_CONSOLE_URL": base, "SLACK_CLIENT_ID": "exdesk-console", "SLACK_CLIENT_SECRET": "console-secret", "EXDESK_OIDC_ISSUER": idp.URL}
	e, _, errb := serveEnv(vars)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, e, []string{"serve", "--connectors", "recorded:../../slackbot/testdata", "--db", filepath.Join(dir, "x.db")})
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	waitHTTP(t, base+"/healthz")
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/events",
		bytes.NewReader([]byte(`{"id":"EV-B1","source":"erp","type":"hold_placed","order_id":"SO-10047","at":"2026-07-03T10:01:00Z"}`)))
	req.Header.Set("Authorization", "Bearer ingest-secret")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode/100 != 2 {
		t.Fatalf("event not accepted: %v %v", res, err)
	}

	out := filepath.Join("testdata", "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("headless", true), chromedp.Flag("disable-quic", true), chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000))
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	bctx, tcancel := context.WithTimeout(bctx, 90*time.Second)
	defer tcancel()
	shot := func(name string) error {
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			return err
		}
		p := filepath.Join(out, name)
		t.Logf("screenshot %s", p)
		return os.WriteFile(p, png, 0o644)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("browser: %v\n%.2000s", err, errb.String())
		}
	}

	// Sign in: / → /login → the provider → /auth/callback → the queue.
	began := time.Now()
	do(chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`#signed-in-as`)))
	if who := text(`#signed-in-as`); !strings.Contains(who, "U0SUP") {
		t.Fatalf("signed in as %q", who)
	}
	// The queue, once the worker has opened the case.
	var queueText string
	deadline := time.Now().Add(30 * time.Second)
	for {
		do(chromedp.Navigate(base+"/?mine=1"), chromedp.WaitVisible(chromedp.CSS(`table.queue`)))
		queueText = text(`table.queue`)
		if strings.Contains(queueText, "SO-10047") || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(queueText, "SO-10047") || !strings.Contains(queueText, "finance_supervisor") {
		t.Fatalf("the queue does not show SO-10047 waiting on finance_supervisor:\n%s", queueText)
	}
	if err := shot("queue.png"); err != nil {
		t.Fatal(err)
	}
	do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`table.queue`)))
	if err := shot("queue-phone.png"); err != nil {
		t.Fatal(err)
	}
	do(chromedp.EmulateViewport(1280, 1000))
	// The case page, then one approval.
	loadStart := time.Now()
	do(chromedp.Click(chromedp.CSS(`table.queue a[href^="/cases/"]`)), chromedp.WaitVisible(chromedp.CSS(`#h-evidence`)))
	t.Logf("case page loaded in the browser in %s", time.Since(loadStart).Round(time.Millisecond))
	caseText := text(`main`)
	for _, want := range []string{"Evidence", "Actions", "State history", "Audit trail", "in the verified chain", "Similar past cases", "Approve"} {
		if !strings.Contains(caseText, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	if err := shot("case.png"); err != nil {
		t.Fatal(err)
	}
	do(chromedp.Click(chromedp.CSS(`button.approve`)), chromedp.WaitVisible(chromedp.CSS(`#flash`)))
	flash, status := text(`#flash`), text(`#case-status`)
	if err := shot("case-approved.png"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(flash, "executed") || !strings.Contains(status, "resolved") {
		t.Fatalf("after Approve: flash %q, status %q", flash, status)
	}
	do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#h-actions`)))
	buttons, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("button.approve").length`))
	if err != nil {
		t.Fatal(err)
	}
	if buttons != 0 {
		t.Errorf("%d Approve buttons after the approval; the action is decided", buttons)
	}
	// The KPI page with its charts.
	do(chromedp.Navigate(base+"/kpi?window=7d"), chromedp.WaitVisible(chromedp.CSS(`#chart-by-class svg`)))
	charts, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll("figure svg[role=img]").length`))
	if err != nil {
		t.Fatal(err)
	}
	if err := shot("kpi.png"); err != nil {
		t.Fatal(err)
	}
	if charts < 5 {
		t.Errorf("%d charts on the KPI page", charts)
	}
	t.Logf("browser walk-through in %s", time.Since(began).Round(time.Millisecond))
}

func waitHTTP(t *testing.T, u string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(u); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not answer", u)
}
