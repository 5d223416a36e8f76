package main

import (
	"encoding/json"
	"errors"
	"go/parser"
	"go/token"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/exdesk/exdesk/agent/llm"
	"github.com/exdesk/exdesk/ingest"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name  string
		vars  map[string]string
		check func(t *testing.T, c *config)
	}{
		{name: "defaults", vars: nil, check: func(t *testing.T, c *config) {
			if c.Planner != "playbook" || c.Connectors != "sim" || c.Stream != ingest.DefaultStream ||
				c.HTTPAddr != "127.0.0.1:8080" || c.AdminAddr != "127.0.0.1:9090" {
				t.Errorf("defaults: %+v", c)
			}
			if !errors.Is(c.LLMErr, llm.ErrNotConfigured) {
				t.Errorf("no model endpoint: LLMErr = %v, want ErrNotConfigured", c.LLMErr)
			}
			if _, err := c.planner("llm"); err == nil || !strings.Contains(err.Error(), "OPENAI_API_KEY") {
				t.Errorf("llm planner without endpoint: %v", err)
			}
		}},
		{name: "values trimmed and split", vars: map[string]string{
			"EXDESK_PLANNER": " llm ", "OPENAI_BASE_URL": "http://127.0.0.1:11434/v1/", "EXDESK_MODEL": "qwen",
			"EXDESK_X12_INBOUND_SENDERS": " ACME, ,GLOBEX ", "EXDESK_STREAM": "s2", "DATABASE_URL": "postgres://x@db/exdesk",
		}, check: func(t *testing.T, c *config) {
			if c.Planner != "llm" || c.Stream != "s2" || c.DatabaseURL != "postgres://x@db/exdesk" {
				t.Errorf("values: %+v", c)
			}
			if got := strings.Join(c.X12InboundSenders, "|"); got != "ACME|GLOBEX" {
				t.Errorf("X12 senders %q", got)
			}
			if c.LLMErr != nil || c.LLM.Model != "qwen" || c.LLM.BaseURL != "http://127.0.0.1:11434/v1" || c.Model != "qwen" {
				t.Errorf("llm: %+v %v", c.LLM, c.LLMErr)
			}
			if p, err := c.planner(c.Planner); err != nil || p == nil {
				t.Errorf("llm planner: %v", err)
			}
		}},
		{name: "bad order id hint named", vars: map[string]string{"EXDESK_ORDER_ID_HINT": "SO-("}, check: func(t *testing.T, c *config) {
			if _, err := c.orderHint(""); err == nil || !strings.Contains(err.Error(), "EXDESK_ORDER_ID_HINT") {
				t.Errorf("bad hint: %v", err)
			}
		}},
		{name: "missing policy file named with its variable", vars: map[string]string{"EXDESK_POLICY": "/nonexistent/p.yaml"},
			check: func(t *testing.T, c *config) {
				if _, err := c.policy(""); err == nil || !strings.Contains(err.Error(), "EXDESK_POLICY=/nonexistent/p.yaml") {
					t.Errorf("missing policy: %v", err)
				}
				if _, err := c.policy("../../policy/default.yaml"); err != nil {
					t.Errorf("--policy wins over EXDESK_POLICY: %v", err)
				}
			}},
		{name: "unknown planner", check: func(t *testing.T, c *config) {
			if _, err := c.planner("oracle"); err == nil || !strings.Contains(err.Error(), "playbook or llm") {
				t.Errorf("unknown planner: %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, loadConfig(func(k string) string { return tt.vars[k] }))
		})
	}
}

// TestNothingBelowCmdReadsTheEnvironment: the configuration is read once,
// here; packages get values. Test-support packages (…test) may read the
// servers a test runs against.
func TestNothingBelowCmdReadsTheEnvironment(t *testing.T) {
	root := filepath.Join("..", "..")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if path == root {
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") || rel == "cmd" || d.Name() == "testdata" || strings.HasSuffix(d.Name(), "test") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if imp.Path.Value != `"os"` {
				continue
			}
			for _, call := range []string{"os.Getenv(", "os.LookupEnv(", "os.Environ("} {
				if strings.Contains(string(src), call) {
					t.Errorf("%s calls %s: read it in cmd/exdesk/config.go and pass the value down", rel, strings.TrimSuffix(call, "("))
				}
			}
		}
		checked++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("only %d Go files checked: the walk does not see the module", checked)
	}
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return "127.0.0.1:" + strconv.Itoa(port)
}

func TestDatabaseURLThatDoesNotAnswer(t *testing.T) {
	url := "postgres://exdesk@" + closedPort(t) + "/exdesk?connect_timeout=5"
	key := strings.Repeat("ab", 32)
	for _, args := range [][]string{{"migrate"}, {"audit", "verify"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, _, errOut := runExdesk(t, map[string]string{"DATABASE_URL": url, "EXDESK_AUDIT_KEY": key}, args...)
			if code != exitHarness {
				t.Errorf("exit %d, want %d", code, exitHarness)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if len(lines) != 1 || !strings.Contains(errOut, "DATABASE_URL") || !strings.Contains(errOut, "unset DATABASE_URL") ||
				!strings.Contains(errOut, "connection refused") {
				t.Errorf("want one line naming DATABASE_URL, the cause and the SQLite fallback:\n%s", errOut)
			}
		})
	}
}

func TestJSONErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		command string
		message string
	}{
		{"ask unknown order", []string{"ask", "--orders", "150", "--json", "why is SO-9999999 late?"}, "ask", "SO-9999999 is not an order"},
		{"ask unknown flag", []string{"ask", "SO-100001", "--json", "--frobnicate"}, "ask", "unknown flag: --frobnicate"},
		{"ask bad hint", []string{"ask", "--json", "--order-id-hint", "SO-(", "SO-100001"}, "ask", "--order-id-hint"},
		{"eval missing cases", []string{"eval", "-o", "json", "--cases", "/nonexistent/cases"}, "eval", "/nonexistent/cases"},
		{"eval bad workers", []string{"eval", "--output=json", "--cases", "../../evals/cases", "--workers", "0"}, "eval", "--workers"},
		{"policy test missing file", []string{"policy", "test", "--format", "json", "/nonexistent/t.yaml"}, "policy test", "/nonexistent/t.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runExdesk(t, nil, tt.args...)
			if code == exitOK {
				t.Fatalf("exit 0, want an error")
			}
			if errOut != "" {
				t.Errorf("stderr should be empty in JSON mode, got %q", errOut)
			}
			var je jsonError
			dec := json.NewDecoder(strings.NewReader(out))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&je); err != nil {
				t.Fatalf("stdout is not one JSON error object: %v\n%s", err, out)
			}
			if dec.More() {
				t.Errorf("more than one JSON value on stdout:\n%s", out)
			}
			if je.Error.Command != tt.command || je.Error.ExitCode != code || !strings.Contains(je.Error.Message, tt.message) {
				t.Errorf("error object %+v (exit %d), want command %q, exit_code %d, message with %q", je.Error, code, tt.command, code, tt.message)
			}
		})
	}
}

func TestWorkerPlannerFromConfig(t *testing.T) {
	// The worker takes the planner the other commands take; an llm planner
	// without an endpoint is refused before anything starts.
	for _, tt := range []struct {
		name string
		vars map[string]string
		args []string
	}{
		{"flag", nil, []string{"worker", "--planner", "llm"}},
		{"EXDESK_PLANNER", map[string]string{"EXDESK_PLANNER": "llm"}, []string{"worker"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runExdesk(t, tt.vars, tt.args...)
			if code != exitHarness || !strings.Contains(errOut, "OPENAI_API_KEY") || !strings.Contains(errOut, "planner") {
				t.Errorf("exit %d: %s", code, errOut)
			}
		})
	}
}
