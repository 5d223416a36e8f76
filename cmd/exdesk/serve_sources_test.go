package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/connectors/rest"
	"github.com/exdesk/exdesk/ingest/webhook"
)

// A delayed-shipment 214 on a recorded order opens one shipment_delay case
// whose summary names the carrier event, however often it is delivered; a
// broken interchange and an unsigned webhook change nothing; a webhook for
// a shipment no system knows opens no case.
func TestServeTakesX12AndWebhooks(t *testing.T) {
	const snapshot = "testdata/recorded-shipment.json"
	t.Run("recorded", func(t *testing.T) { serveSources(t, "recorded:"+snapshot) })
	t.Run("rest", func(t *testing.T) {
		rec, err := recorded.Load(snapshot)
		if err != nil {
			t.Fatal(err)
		}
		ref := httptest.NewServer(rest.NewServer(rec.Systems(), rest.ServerOptions{}))
		defer ref.Close()
		serveSources(t, "rest:"+ref.URL)
	})
}

func serveSources(t *testing.T, connectorsSpec string) {
	t.Helper()
	stub := &slackStub{}
	srv := httptest.NewServer(stub)
	defer srv.Close()
	api := srv.URL
	dir := t.TempDir()
	cfg := filepath.Join(dir, "slack.yaml")
	if err := os.WriteFile(cfg, []byte("channels: {default: C0ALL}\nroles:\n  logistics_supervisor: [U0LOG]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr, adminAddr := freeAddr(t), freeAddr(t)
	vars := map[string]string{"EXDESK_ADMIN_ADDR": adminAddr, "SLACK_BOT_TOKEN": "xoxb-t", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": api + "/api/",
		"EXDESK_HTTP_ADDR": addr, "EXDESK_CONFIG": cfg, "EXDESK_INGEST_TOKEN": "ingest-secret", "EXDESK_EASYPOST_WEBHOOK_SECRET": "ep-secret"}
	e, _, errb := serveEnv(vars)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, e, []string{"serve", "--connectors", connectorsSpec, "--db", filepath.Join(dir, "x.db")})
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
	waitUp(t, base, errb)
	post := func(path string, headers map[string]string, body []byte) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	bearer := map[string]string{"Authorization": "Bearer ingest-secret"}
	interchange, err := os.ReadFile("../../ingest/x12/testdata/214-delay.x12")
	if err != nil {
		t.Fatal(err)
	}
	if code, body := post("/v1/edi/x12", bearer, interchange[:300]); code != http.StatusBadRequest || !strings.Contains(body, "segment") {
		t.Fatalf("truncated interchange: %d %s", code, body)
	}
	if code, body := post("/v1/edi/x12", bearer, interchange); code != http.StatusAccepted || !strings.Contains(body, `"accepted":2`) {
		t.Fatalf("interchange: %d %s", code, body)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !stub.postedTo("C0ALL", "SD/AO") {
		if time.Now().After(deadline) {
			t.Fatalf("no shipment_delay case naming the carrier event SD/AO; logs:\n%s", errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !stub.postedTo("C0ALL", "SO-10180") {
		t.Fatal("the case does not name the order")
	}
	if code, body := post("/v1/edi/x12?ack=997", bearer, interchange); code != http.StatusAccepted || !strings.Contains(body, "AK9*A*2*2*2") {
		t.Fatalf("redelivered interchange with a 997: %d %s", code, body)
	}
	hook, err := os.ReadFile("../../ingest/webhook/testdata/easypost-tracker-updated.json")
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := post("/v1/webhooks/easypost", nil, hook); code != http.StatusUnauthorized {
		t.Fatalf("unsigned webhook answered %d", code)
	}
	unknown := bytes.ReplaceAll(hook, []byte("1Z999AA10123456784"), []byte("9400UNKNOWN"))
	unknown = bytes.ReplaceAll(unknown, []byte("evt_0a1b"), []byte("evt_ffff"))
	sig := map[string]string{webhook.EasyPostSignatureHeader: webhook.SignEasyPost("ep-secret", unknown)}
	// The 214's second set names a shipment no system knows: one unmatched; the
	// webhook another.
	if code, body := post("/v1/webhooks/easypost", sig, unknown); code != http.StatusAccepted || !strings.Contains(body, `"accepted":1`) {
		t.Fatalf("signed webhook: %d %s", code, body)
	}
	deadline = time.Now().Add(10 * time.Second)
	admin := "http://" + adminAddr
	for !strings.Contains(metrics(t, admin), "exdesk_ingest_unmatched_shipments_total 2") {
		if time.Now().After(deadline) {
			t.Fatalf("the unknown shipment was not counted:\n%s", metrics(t, admin))
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // anything a duplicate would post
	if n := stub.count("C0ALL", "SO-10180"); n != 1 {
		t.Fatalf("%d case posts for SO-10180, want exactly 1", n)
	}
}

func (s *slackStub) count(channel, text string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.posts {
		if p.Get("channel") == channel && p.Get("thread_ts") == "" && (strings.Contains(p.Get("text"), text) || strings.Contains(p.Get("blocks"), text)) {
			n++
		}
	}
	return n
}

func metrics(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func waitUp(t *testing.T, base string, errb *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not come up: %s", errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
