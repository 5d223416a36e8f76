package ingest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func post(t *testing.T, h http.Handler, token, body string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/v1/events", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var out map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &out)
	return w, out
}

func TestHandler(t *testing.T) {
	ctx := context.Background()
	rdb := miniRedis(t)
	names := testNames(t, rdb)
	m := NewMetrics(nil)
	pub := NewPublisher(rdb, PublisherOptions{Names: names, Metrics: m})
	h := Handler(pub, HandlerOptions{Token: "s3cret", Metrics: m})
	xlen := func() int64 {
		t.Helper()
		n, err := rdb.XLen(ctx, names.Stream).Result()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	ev := func(id, order string) string {
		return `{"id":"` + id + `","source":"erp","type":"hold_placed","order_id":"` + order + `","at":"2026-11-26T09:30:00Z"}`
	}

	tests := []struct {
		name       string
		token      string
		body       string
		wantStatus int
		wantError  string // substring of the error
		wantLen    int64  // stream length after
	}{
		{name: "no token", body: ev("a", "SO-1"), wantStatus: 401, wantError: "bearer token"},
		{name: "wrong token", token: "s3cret!", body: ev("a", "SO-1"), wantStatus: 401},
		{name: "bad third event: nothing enqueued", token: "s3cret",
			body:       "[" + ev("a", "SO-1") + "," + ev("b", "SO-2") + `,{"id":"c","source":"erp","type":"hold_placed","at":"2026-11-26T09:30:00Z"}]`,
			wantStatus: 400, wantError: "events[2].order_id: required"},
		{name: "malformed json", token: "s3cret", body: `[{"id":`, wantStatus: 400, wantError: "not a JSON array"},
		{name: "good batch", token: "s3cret", body: "[" + ev("a", "SO-1") + "," + ev("b", "SO-2") + "]", wantStatus: 202, wantLen: 2},
		{name: "duplicate accepted, not enqueued", token: "s3cret", body: "[" + ev("a", "SO-1") + "," + ev("c", "SO-3") + "]", wantStatus: 202, wantLen: 3},
		{name: "duplicate within a batch", token: "s3cret", body: "[" + ev("d", "SO-1") + "," + ev("d", "SO-1") + "]", wantStatus: 202, wantLen: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := xlen()
			w, out := post(t, h, tt.token, tt.body)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.wantStatus, w.Body)
			}
			if tt.wantError != "" && !strings.Contains(w.Body.String(), tt.wantError) {
				t.Errorf("body %s does not name %q", w.Body, tt.wantError)
			}
			want := tt.wantLen
			if w.Code != 202 {
				want = before
			}
			if got := xlen(); got != want {
				t.Errorf("stream length %d, want %d", got, want)
			}
			if tt.name == "duplicate accepted, not enqueued" {
				if d, _ := out["duplicates"].([]any); len(d) != 1 || d[0] != "a" || out["accepted"] != float64(1) {
					t.Errorf("response %v, want accepted 1 and duplicate a", out)
				}
			}
		})
	}

	t.Run("disabled without a token", func(t *testing.T) {
		w, _ := post(t, Handler(pub, HandlerOptions{}), "", ev("z", "SO-9"))
		if w.Code != http.StatusServiceUnavailable {
			t.Errorf("status %d, want 503", w.Code)
		}
	})
	t.Run("GET is refused", func(t *testing.T) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v1/events", nil))
		if w.Code != http.StatusMethodNotAllowed {
			t.Errorf("status %d, want 405", w.Code)
		}
	})
}
