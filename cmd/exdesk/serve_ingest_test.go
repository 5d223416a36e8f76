package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// slackStub speaks enough of Slack's Web API for serve to post cases.
type slackStub struct {
	mu    sync.Mutex
	posts []url.Values
	n     int
}

func (s *slackStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	w.Header().Set("Content-Type", "application/json")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
		s.posts = append(s.posts, r.PostForm)
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.%06d"}`, r.PostForm.Get("channel"), s.n)
		return
	}
	io.WriteString(w, `{"ok":true}`)
}

func (s *slackStub) postedTo(channel, text string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.posts {
		if p.Get("channel") == channel && (strings.Contains(p.Get("text"), text) || strings.Contains(p.Get("blocks"), text)) {
			return true
		}
	}
	return false
}

// An event POSTed to /v1/events becomes a case posted to its class's
// channel; a bad token or a malformed event is refused and changes nothing.
func TestServeIngestsEventsIntoCases(t *testing.T) {
	stub := &slackStub{}
	api := httptest.NewServer(stub)
	defer api.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "slack.yaml")
	os.WriteFile(cfg, []byte("channels: {default: C0ALL, credit_hold: C0FIN}\nroles:\n  finance_supervisor: [U0SUP]\n"), 0o644)
	addr := freeAddr(t)
	vars := map[string]string{"SLACK_BOT_TOKEN": "xoxb-t", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": api.URL + "/api/",
		"EXDESK_HTTP_ADDR": addr, "EXDESK_ADMIN_ADDR": freeAddr(t), "EXDESK_CONFIG": cfg, "EXDESK_INGEST_TOKEN": "ingest-secret"}
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
			t.Error("serve did not shut down")
		}
	}()
	base := "http://" + addr
	deadline := time.Now().Add(15 * time.Second)
	for {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not come up: %s", errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	post := func(token, body string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+"/v1/events", bytes.NewReader([]byte(body)))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	event := `{"id":"EV-1","source":"erp","type":"hold_placed","order_id":"SO-10047","at":"2026-07-03T10:01:00Z"}`
	if code := post("wrong", event); code != http.StatusUnauthorized {
		t.Fatalf("bad token answered %d", code)
	}
	if code := post("ingest-secret", `{"id":"EV-2","source":"erp","type":"hold_placed","at":"2026-07-03T10:01:00Z"}`); code != http.StatusBadRequest {
		t.Fatalf("an event without order_id answered %d", code)
	}
	if code := post("ingest-secret", event); code/100 != 2 {
		t.Fatalf("event answered %d", code)
	}
	deadline = time.Now().Add(20 * time.Second)
	for !stub.postedTo("C0FIN", "SO-10047") {
		if time.Now().After(deadline) {
			t.Fatalf("no case posted to C0FIN; logs:\n%s", errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if stub.postedTo("C0ALL", "SO-10047") {
		t.Fatal("the credit case went to the default channel too")
	}
}
