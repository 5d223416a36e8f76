package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/exdesk/exdesk/evals"
)

// fakeModel is a local OpenAI-compatible server: it asks for the order,
// then submits a credit case releasing the CREDIT hold.
func fakeModel(t *testing.T) *httptest.Server {
	t.Helper()
	orderRE := regexp.MustCompile(`SO-\d+`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req struct {
			Messages []struct{ Role, Content string } `json:"messages"`
		}
		if err := json.Unmarshal(body, &req); err != nil || len(req.Messages) < 2 {
			http.Error(w, "bad request", 400)
			return
		}
		order := orderRE.FindString(req.Messages[1].Content)
		call := map[string]any{"id": "c1", "type": "function", "function": map[string]any{"name": "get_order", "arguments": `{"order_id":"` + order + `"}`}}
		if bytes.Contains(body, []byte(`"role":"tool"`)) {
			args, _ := json.Marshal(map[string]any{"exception_class": "credit_hold", "severity": "high", "also_detected": []string{},
				"summary": order + " is on credit hold", "actions": []any{map[string]any{"type": "release_hold", "args": map[string]any{"hold_code": "CREDIT"}, "rationale": "r", "confidence": 0.9}}})
			call = map[string]any{"id": "c2", "type": "function", "function": map[string]any{"name": "submit_case", "arguments": string(args)}}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "model": "fake",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "tool_calls", "message": map[string]any{"role": "assistant", "tool_calls": []any{call}}}},
			"usage":   map[string]any{"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func runCmd(t *testing.T, envs map[string]string, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := newEnv(strings.NewReader(""), &out, &errOut, func(k string) string { return envs[k] })
	code := run(context.Background(), e, args)
	return code, out.String() + errOut.String()
}

func TestEvalLLMRecordReplay(t *testing.T) {
	cases := t.TempDir()
	for _, name := range []string{"credit-supervisor-01.json", "credit-blocked-01.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "agent", "llm", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(cases, name), b, 0o644)
	}
	dir, tmp := filepath.Join(t.TempDir(), "run"), t.TempDir()
	srv := fakeModel(t)
	envs := map[string]string{"OPENAI_BASE_URL": srv.URL + "/v1", "OPENAI_API_KEY": "sk-test", "EXDESK_MODEL": "fake-1"}
	recReport, repReport := filepath.Join(tmp, "rec.json"), filepath.Join(tmp, "rep.json")

	tests := []struct {
		name     string
		envs     map[string]string
		args     []string
		wantCode []int
		wantOut  string
	}{
		{"not configured", map[string]string{}, []string{"eval", "--planner", "llm", "--cases", cases, "--report", recReport}, []int{exitHarness}, "OPENAI_BASE_URL"},
		{"record needs llm", envs, []string{"eval", "--record", dir, "--cases", cases, "--report", recReport}, []int{exitUsage}, "--planner llm"},
		{"record", envs, []string{"eval", "--quiet", "--planner", "llm", "--record", dir, "--cases", cases, "--report", recReport}, []int{exitOK, exitFailed}, ""},
		{"replay without network or key", map[string]string{}, []string{"eval", "--quiet", "--planner", "llm", "--replay", dir, "--cases", cases, "--report", repReport}, []int{exitOK, exitFailed}, ""},
		{"replay miss is a harness error", map[string]string{"EXDESK_MODEL": "other"}, []string{"eval", "--quiet", "--planner", "llm", "--replay", dir, "--cases", cases, "--report", filepath.Join(tmp, "miss.json")}, []int{exitHarness}, "replay miss"},
		{"prompts show", nil, []string{"prompts", "show"}, []int{exitOK}, "submit_case"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := runCmd(t, tt.envs, tt.args...)
			ok := false
			for _, c := range tt.wantCode {
				ok = ok || c == code
			}
			if !ok || !strings.Contains(out, tt.wantOut) {
				t.Fatalf("exit %d, want %v; output:\n%s", code, tt.wantCode, out)
			}
		})
	}
	a, err := evals.ReadReport(recReport)
	if err != nil {
		t.Fatal(err)
	}
	b, err := evals.ReadReport(repReport)
	if err != nil {
		t.Fatal(err)
	}
	if a.Model != "fake-1" || b.Model != "fake-1" || a.PromptVersion == "" || a.Planner != "llm" {
		t.Errorf("report heads: %q %q %q %q", a.Model, b.Model, a.PromptVersion, a.Planner)
	}
	for i := range a.Cases {
		x, y := a.Cases[i], b.Cases[i]
		x.DurationMS, y.DurationMS = 0, 0
		xj, _ := json.Marshal(x)
		yj, _ := json.Marshal(y)
		if !bytes.Equal(xj, yj) {
			t.Errorf("case %s differs on replay:\n%s\n%s", x.ID, xj, yj)
		}
		if x.RoundTrips != 2 || x.Tokens != 30 {
			t.Errorf("case %s: %d round trips, %d tokens", x.ID, x.RoundTrips, x.Tokens)
		}
	}
	cassette, _ := os.ReadFile(filepath.Join(dir, "model-exchanges.yaml"))
	if bytes.Contains(cassette, []byte("sk-test")) {
		t.Error("the cassette holds the API key")
	}
}
