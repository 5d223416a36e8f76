package ingest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/exdesk/exdesk/ingest/webhook"
)

func TestWebhookHandler(t *testing.T) {
	ctx := context.Background()
	rdb := miniRedis(t)
	names := testNames(t, rdb)
	m := NewMetrics(nil)
	h := WebhookHandler(NewPublisher(rdb, PublisherOptions{Names: names, Metrics: m}), WebhookOptions{Metrics: m,
		Sources: []webhook.Source{webhook.EasyPost{Secret: "ep-secret"}, webhook.AfterShip{}}})
	ep, err := os.ReadFile("webhook/testdata/easypost-tracker-updated.json")
	if err != nil {
		t.Fatal(err)
	}
	other := `{"id":"evt_9","description":"batch.created","result":{}}`
	tests := []struct {
		name       string
		path       string
		sig        string
		body       string
		wantStatus int
		wantBody   string
		wantLen    int64
	}{
		{"unsigned", "/v1/webhooks/easypost", "", string(ep), 401, "signature missing or wrong", 0},
		{"wrong signature", "/v1/webhooks/easypost", webhook.SignEasyPost("nope", ep), string(ep), 401, "signature", 0},
		{"signed", "/v1/webhooks/easypost", webhook.SignEasyPost("ep-secret", ep), string(ep), 202, `"accepted":1`, 1},
		{"redelivered", "/v1/webhooks/easypost", webhook.SignEasyPost("ep-secret", ep), string(ep), 202, `"duplicates":["easypost:evt_0a1b2c3d4e5f11ef9a3b6f1d2c3b4a59"]`, 1},
		{"another event type", "/v1/webhooks/easypost", webhook.SignEasyPost("ep-secret", []byte(other)), other, 202, `"accepted":0`, 1},
		{"signed garbage", "/v1/webhooks/easypost", webhook.SignEasyPost("ep-secret", []byte("[1]")), "[1]", 400, "not an EasyPost event", 1},
		{"source without a secret", "/v1/webhooks/aftership", "x", "{}", 503, "secret is not set", 1},
		{"unknown source", "/v1/webhooks/fedex", "x", "{}", 404, "no webhook source", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(tt.body))
			if tt.sig != "" {
				r.Header.Set(webhook.EasyPostSignatureHeader, tt.sig)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.wantStatus || !strings.Contains(w.Body.String(), tt.wantBody) {
				t.Fatalf("status %d %s, want %d %q", w.Code, w.Body, tt.wantStatus, tt.wantBody)
			}
			if n, _ := rdb.XLen(ctx, names.Stream).Result(); n != tt.wantLen {
				t.Fatalf("stream length %d, want %d", n, tt.wantLen)
			}
		})
	}
}
