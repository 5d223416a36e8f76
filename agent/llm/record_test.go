package llm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	openai "github.com/sashabaranov/go-openai"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/evals"
	"github.com/exdesk/exdesk/policy"
)

var orderRE = regexp.MustCompile(`SO-\d+`)

// modelServer is a deterministic zero-latency model: on a case's first
// turn it asks for the order and the credit position in parallel, then
// submits a credit case releasing the CREDIT hold. It answers the very
// first request of its life with a 429 when limit429 is set.
func modelServer(t testing.TB, limit429 bool) *httptest.Server {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 && limit429 {
			write(w, r, status(429, map[string]string{"Retry-After": "1"})(nil, openai.ChatCompletionRequest{}))
			return
		}
		b, _ := io.ReadAll(r.Body)
		var req openai.ChatCompletionRequest
		if err := json.Unmarshal(b, &req); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		order := orderRE.FindString(req.Messages[1].Content)
		args := `{"order_id":"` + order + `"}`
		if len(toolMessages(req)) == 0 {
			write(w, r, reply{body: callsBody(fn{"o", "get_order", args}, fn{"c", "get_credit_position", args})})
			return
		}
		write(w, r, reply{body: callsBody(fn{"s", SubmitTool, submitArgs("credit_hold", order+" is on credit hold", releaseCredit)})})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func runEvals(t *testing.T, p agent.Planner) (*evals.Report, error) {
	t.Helper()
	loaded, err := evals.LoadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	engine, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	return evals.Run(context.Background(), loaded, evals.Options{
		Planner: p, Fallback: agent.Playbook{}, Policy: engine, Workers: 2,
		Fatal: func(err error) bool { return errors.Is(err, ErrReplayMiss) },
	})
}

func stable(r *evals.Report) *evals.Report {
	c := *r
	c.Cases = append([]evals.CaseResult(nil), r.Cases...)
	for i := range c.Cases {
		c.Cases[i].DurationMS = 0
	}
	c.Metrics.DurationMS = 0
	return &c
}

func TestRecordThenReplayGivesTheSameReport(t *testing.T) {
	dir := t.TempDir()
	srv := modelServer(t, true)
	rec, err := NewRecorder(ModeRecord, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	recorded, err := runEvals(t, newPlanner(t, srv.URL, func(c *Config) { c.HTTPClient = rec.Client(); c.APIKey = "sk-secret-test" }))
	if err != nil {
		t.Fatal(err)
	}
	if err := rec.Stop(); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	cassette, err := os.ReadFile(filepath.Join(dir, CassetteName+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(cassette), "sk-secret-test") || strings.Contains(strings.ToLower(string(cassette)), "authorization") {
		t.Error("the cassette keeps the authorization header")
	}
	for _, c := range recorded.Cases {
		if c.Planner != "llm" || c.RoundTrips != 2 || c.Error != "" {
			t.Errorf("recorded case %s: planner %q, %d round trips, error %q", c.ID, c.Planner, c.RoundTrips, c.Error)
		}
	}

	t.Run("replay", func(t *testing.T) {
		rep, err := NewRecorder(ModeReplay, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		replayed, err := runEvals(t, newPlanner(t, "http://127.0.0.1:9/v1", func(c *Config) { c.HTTPClient = rep.Client(); c.APIKey = "" }))
		if err != nil {
			t.Fatal(err)
		}
		if a, b := stable(recorded), stable(replayed); !reflect.DeepEqual(a, b) {
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			t.Errorf("replayed report differs:\n%s\n%s", ja, jb)
		}
	})
	t.Run("miss is a harness error", func(t *testing.T) {
		rep, err := NewRecorder(ModeReplay, dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = runEvals(t, newPlanner(t, "http://127.0.0.1:9/v1", func(c *Config) { c.HTTPClient = rep.Client(); c.Model = "another-model" }))
		if !errors.Is(err, ErrReplayMiss) || !errors.Is(err, evals.ErrAborted) || !errors.Is(err, agent.ErrHarness) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("no cassette", func(t *testing.T) {
		if _, err := NewRecorder(ModeReplay, t.TempDir(), nil); err == nil {
			t.Error("replaying an empty directory succeeded")
		}
	})
}

func TestMatchCanonical(t *testing.T) {
	mk := func(body string) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, "http://other-host:1234/v1/chat/completions", strings.NewReader(body))
		return r
	}
	rec := func(body string) cassetteReq {
		return cassetteReq{Method: "POST", URL: "https://api.example.com/v1/chat/completions", Body: body}
	}
	tests := []struct {
		name string
		req  *http.Request
		rec  cassetteReq
		want bool
	}{
		{"key order and spacing", mk(`{"b":1,"a":[1,2]}`), rec(`{ "a": [1, 2], "b": 1 }`), true},
		{"different value", mk(`{"a":1}`), rec(`{"a":2}`), false},
		{"different endpoint", mk(`{}`), cassetteReq{Method: "POST", URL: "https://api.example.com/v1/embeddings", Body: `{}`}, false},
		{"other base path", mk(`{}`), cassetteReq{Method: "POST", URL: "http://localhost:11434/chat/completions", Body: `{}`}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matchCanonical(tt.req, tt.rec.toCassette()); got != tt.want {
				t.Errorf("match = %v", got)
			}
		})
	}
}
