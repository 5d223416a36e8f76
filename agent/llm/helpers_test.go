package llm

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/evals"
	"github.com/exdesk/exdesk/policy"
)

// reply is one scripted HTTP answer of the fake model server.
type reply struct {
	status int
	header map[string]string
	body   any // marshalled as JSON; a string is sent raw
	delay  time.Duration
}

// turn answers one request; it may inspect (and assert on) the request.
type turn func(t *testing.T, req openai.ChatCompletionRequest) reply

// script is a local OpenAI-compatible server that plays turns in order.
type script struct {
	t     *testing.T
	mu    sync.Mutex
	turns []turn
	reqs  []openai.ChatCompletionRequest
	srv   *httptest.Server
}

func newScript(t *testing.T, turns ...turn) *script {
	t.Helper()
	s := &script{t: t, turns: turns}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *script) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var req openai.ChatCompletionRequest
	if err := json.Unmarshal(b, &req); err != nil {
		s.t.Errorf("server: bad request body: %v", err)
	}
	s.mu.Lock()
	n := len(s.reqs)
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	if n >= len(s.turns) {
		s.t.Errorf("server: request %d beyond the script's %d turns", n+1, len(s.turns))
		http.Error(w, `{"error":{"message":"script exhausted"}}`, http.StatusBadRequest)
		return
	}
	rep := s.turns[n](s.t, req)
	write(w, r, rep)
}

func write(w http.ResponseWriter, r *http.Request, rep reply) {
	if rep.delay > 0 {
		select {
		case <-time.After(rep.delay):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.status == 0 {
		rep.status = http.StatusOK
	}
	w.WriteHeader(rep.status)
	if s, ok := rep.body.(string); ok {
		io.WriteString(w, s)
		return
	}
	json.NewEncoder(w).Encode(rep.body)
}

func (s *script) requests() []openai.ChatCompletionRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]openai.ChatCompletionRequest(nil), s.reqs...)
}

// fn is a tool call the scripted model makes.
type fn struct{ id, name, args string }

func calls(fns ...fn) turn {
	return func(*testing.T, openai.ChatCompletionRequest) reply { return reply{body: callsBody(fns...)} }
}

func callsBody(fns ...fn) openai.ChatCompletionResponse {
	msg := openai.ChatCompletionMessage{Role: "assistant"}
	for _, f := range fns {
		msg.ToolCalls = append(msg.ToolCalls, openai.ToolCall{ID: f.id, Type: "function", Function: openai.FunctionCall{Name: f.name, Arguments: f.args}})
	}
	return openai.ChatCompletionResponse{ID: "cmpl", Object: "chat.completion", Model: "scripted",
		Choices: []openai.ChatCompletionChoice{{Message: msg, FinishReason: openai.FinishReasonToolCalls}},
		Usage:   openai.Usage{PromptTokens: 90, CompletionTokens: 10, TotalTokens: 100}}
}

func text(content string) turn {
	return func(*testing.T, openai.ChatCompletionRequest) reply {
		return reply{body: openai.ChatCompletionResponse{Choices: []openai.ChatCompletionChoice{{Message: openai.ChatCompletionMessage{Role: "assistant", Content: content}, FinishReason: "stop"}},
			Usage: openai.Usage{TotalTokens: 50}}}
	}
}

func status(code int, header map[string]string) turn {
	return func(*testing.T, openai.ChatCompletionRequest) reply {
		return reply{status: code, header: header, body: map[string]any{"error": map[string]any{"message": http.StatusText(code), "type": "server_error"}}}
	}
}

// submitArgs renders submit_case arguments.
func submitArgs(class, summary string, actions ...map[string]any) string {
	if actions == nil {
		actions = []map[string]any{}
	}
	b, _ := json.Marshal(map[string]any{"exception_class": class, "severity": "high", "also_detected": []string{}, "summary": summary, "actions": actions})
	return string(b)
}

func act(typ string, args map[string]any, conf float64) map[string]any {
	return map[string]any{"type": typ, "args": args, "rationale": "scripted", "confidence": conf}
}

func submit(id, args string) turn { return calls(fn{id, SubmitTool, args}) }

// toolMessages returns the tool messages at the end of a request.
func toolMessages(req openai.ChatCompletionRequest) []openai.ChatCompletionMessage {
	var out []openai.ChatCompletionMessage
	for i := len(req.Messages) - 1; i >= 0 && req.Messages[i].Role == "tool"; i-- {
		out = append([]openai.ChatCompletionMessage{req.Messages[i]}, out...)
	}
	return out
}

func loadCase(t testing.TB, name string) *evals.Case {
	t.Helper()
	c, err := evals.LoadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fixture is a case's systems, guard and investigator.
type fixture struct {
	c      *evals.Case
	conn   *recorded.Connector
	sys    connectors.Systems
	engine *policy.Engine
	inv    *agent.Investigator
}

func newFixture(t testing.TB, name string, p agent.Planner, edit func(*evals.Case)) *fixture {
	t.Helper()
	c := loadCase(t, name)
	if edit != nil {
		edit(c)
	}
	engine, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	conn := recorded.New(c.Snapshot)
	sys := conn.Systems()
	f := &fixture{c: c, conn: conn, sys: sys, engine: engine}
	f.inv = &agent.Investigator{Planner: p, Fallback: agent.Playbook{}, Systems: sys, Guard: policy.NewGuard(engine, sys),
		NewID: func(string) string { return c.ID }}
	return f
}

// freshDecision is the guard's decision on a fresh connector from the
// case file, independent of the investigation.
func (f *fixture) freshDecision(t *testing.T, a connectors.Action, conf float64) policy.Decision {
	t.Helper()
	sys := recorded.New(f.c.Snapshot).Systems()
	d, err := policy.NewGuard(f.engine, sys).Check(context.Background(), a, conf)
	if err != nil {
		t.Fatalf("fresh guard on %s: %v", a, err)
	}
	return d
}

// sleeps records the planner's backoff waits instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func newPlanner(t testing.TB, url string, edit func(*Config)) *Planner {
	t.Helper()
	cfg := Config{BaseURL: url, APIKey: "test-key", Model: "scripted-model", Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}
	if edit != nil {
		edit(&cfg)
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// cassetteReq builds a recorded request for matcher tests.
type cassetteReq struct{ Method, URL, Body string }

func (c cassetteReq) toCassette() cassette.Request {
	return cassette.Request{Method: c.Method, URL: c.URL, Body: c.Body}
}
