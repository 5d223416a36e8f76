package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/slackbot"
)

func serveEnv(vars map[string]string) (*env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return newEnv(strings.NewReader(""), &out, &errb, func(k string) string { return vars[k] }), &out, &errb
}

func TestServeHelpExplainsEveryKnob(t *testing.T) {
	e, out, _ := serveEnv(nil)
	if code := run(context.Background(), e, []string{"serve", "--help"}); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL", "EXDESK_HTTP_ADDR",
		"EXDESK_CONFIG", "REDIS_URL", "DATABASE_URL", "--connectors", "--addr", "/healthz", "/readyz", "/metrics", "Examples:", "includes:",
		"EXDESK_ADMIN_ADDR", "--admin-addr", "never executes"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func TestServeRefusesWithoutTokens(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
	}{
		{"no bot token", map[string]string{"SLACK_SIGNING_SECRET": "s"}},
		{"http mode without signing secret", map[string]string{"SLACK_BOT_TOKEN": "xoxb-secret-token"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, _, errb := serveEnv(tc.vars)
			if code := run(context.Background(), e, []string{"serve"}); code != exitUsage {
				t.Fatalf("exit %d", code)
			}
			if strings.Contains(errb.String(), "xoxb-secret-token") {
				t.Fatal("a token was logged")
			}
		})
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestServeEndToEnd(t *testing.T) {
	addr, adminAddr := freeAddr(t), freeAddr(t)
	dir := t.TempDir()
	vars := map[string]string{"SLACK_BOT_TOKEN": "xoxb-do-not-log", "SLACK_SIGNING_SECRET": "sign-me",
		"SLACK_API_URL": "http://127.0.0.1:1/api", "EXDESK_HTTP_ADDR": addr, "EXDESK_ADMIN_ADDR": adminAddr}
	e, _, errb := serveEnv(vars)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, e, []string{"serve", "--connectors", "recorded:../../slackbot/testdata", "--db", filepath.Join(dir, "x.db")})
	}()
	base := "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not come up: %s", errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, path := range []string{"/readyz", "/metrics"} {
		// Admin endpoints are on the admin listener only.
		if resp, err := http.Get(base + path); err != nil || resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s on the public listener: %v %v", path, err, resp)
		}
		resp, err := http.Get("http://" + adminAddr + path)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %v %v", path, err, resp)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if path == "/metrics" && !strings.Contains(string(b), "exdesk_slack_requests_total") && !strings.Contains(string(b), "go_goroutines") {
			t.Fatalf("metrics: %s", b)
		}
		if path == "/readyz" && strings.TrimSpace(string(b)) != "ready" {
			t.Fatalf("/readyz says more than a status: %q", b)
		}
	}
	body := []byte(`{"type":"url_verification","challenge":"c-123"}`)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req, _ := http.NewRequest(http.MethodPost, base+"/slack/events", bytes.NewReader(body))
	req.Header.Set(slackbot.HeaderTimestamp, ts)
	req.Header.Set(slackbot.HeaderSignature, slackbot.SignatureHeader([]byte("sign-me"), ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if got["challenge"] != "c-123" {
		t.Fatalf("challenge answer %v", got)
	}
	req, _ = http.NewRequest(http.MethodPost, base+"/slack/events", bytes.NewReader(body))
	req.Header.Set(slackbot.HeaderTimestamp, ts)
	req.Header.Set(slackbot.HeaderSignature, "v0=00")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad signature: %v %v", err, resp)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	logs := errb.String()
	if strings.Contains(logs, "xoxb-do-not-log") || strings.Contains(logs, "sign-me") {
		t.Fatal("a secret reached the logs")
	}
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		if !json.Valid([]byte(line)) {
			t.Fatalf("log line is not JSON: %s", line)
		}
	}
}
