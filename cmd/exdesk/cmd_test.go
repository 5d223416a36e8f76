package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runWithInput(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := newEnv(strings.NewReader(stdin), &out, &errOut, func(string) string { return "" })
	code := run(context.Background(), e, args)
	return code, out.String(), errOut.String()
}

func TestDemoPrintsThreadsAndKPIs(t *testing.T) {
	code, out, errOut := runWithInput(t, "", "demo", "--orders", "150", "--threads", "2")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"┌─ case-", "evidence:", "Exceptions by class", "Top action by guard outcome",
		"median processing latency", "p95 processing latency", "cases per second", "Approvals waiting", "had an action the guard blocked"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
}

func TestDemoInteractiveApprovals(t *testing.T) {
	code, out, errOut := runWithInput(t, "a 1\na 1\na 999\nr 2 not today\nhelp\nq\n", "demo", "--orders", "150", "--threads", "0", "--interactive")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"\nApprovals\nYou hold:", "1 was already decided", "no approval number \"999\"", "rejected", "commands:"} {
		if !strings.Contains(out, want) {
			t.Errorf("interactive output lacks %q:\n%s", want, out[max(0, len(out)-2000):])
		}
	}
	if !strings.Contains(out, "approved, executed") && !strings.Contains(out, "blocked on fresh data") {
		t.Errorf("approving 1 neither executed nor reported a fresh-data block")
	}
	// A role the policy does not name is refused before the day runs.
	code, _, errOut = runWithInput(t, "a 1\nq\n", "demo", "--orders", "150", "--threads", "0", "--interactive", "--as", "nobody")
	if code != exitUsage || !strings.Contains(errOut, "not a role of the policy") {
		t.Errorf("unknown --as role: exit %d, %s", code, errOut)
	}
}

func TestAsk(t *testing.T) {
	code, out, _ := runWithInput(t, "", "ask", "--orders", "150", "why is SO-424242 blocked?")
	if code != exitHarness || !strings.Contains(out, "SO-424242 is not an order") {
		t.Errorf("unknown order: exit %d, %q", code, out)
	}
	code, out, _ = runWithInput(t, "", "ask", "--orders", "150", "what is blocked today?")
	if code != exitHarness || !strings.Contains(out, "names no order") {
		t.Errorf("no order: exit %d, %q", code, out)
	}
	code, _, errOut := runWithInput(t, "", "ask")
	if code != exitUsage || !strings.Contains(errOut, "ask a question") {
		t.Errorf("no question: exit %d, %q", code, errOut)
	}
	examples, _ := filepath.Abs("../../../shared/evals/examples")
	if _, err := os.Stat(examples); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	code, out, errOut = runWithInput(t, "", "ask", "--connectors", "recorded:"+examples, "why is SO-10047 on hold?")
	if code != exitOK || !strings.Contains(out, "needs approval by a finance supervisor") {
		t.Errorf("recorded ask: exit %d, %s %s", code, out, errOut)
	}
	// Several orders in one question are each answered; an id written
	// without its separator is suggested from the ERP's real ids.
	code, out, errOut = runWithInput(t, "", "ask", "--connectors", "recorded:"+examples, "what about SO-10047 and so-10061, and SO10068?")
	if code != exitOK || strings.Count(out, "┌─") != 2 || !strings.Contains(out, "SO-10061") || !strings.Contains(out, "did you mean SO-10068?") {
		t.Errorf("several orders: exit %d, %s %s", code, out, errOut)
	}
}

func TestEvalExitCodes(t *testing.T) {
	examples, _ := filepath.Abs("../../../shared/evals/examples")
	if _, err := os.Stat(examples); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	dir := t.TempDir()
	report := filepath.Join(dir, "r.json")
	if code, out, errOut := runWithInput(t, "", "eval", "--cases", examples, "--report", report, "--junit", filepath.Join(dir, "j.xml")); code != exitOK {
		t.Fatalf("examples: exit %d\n%s%s", code, out, errOut)
	}
	// A failing case: expect a class the data does not show.
	b, err := os.ReadFile(filepath.Join(examples, "credit-supervisor-01.json"))
	if err != nil {
		t.Fatal(err)
	}
	cases := filepath.Join(dir, "cases")
	os.Mkdir(cases, 0o755)
	os.WriteFile(filepath.Join(cases, "wrong.json"), bytes.Replace(b, []byte(`"exception_class": "credit_hold"`), []byte(`"exception_class": "pricing_mismatch"`), 1), 0o644)
	code, out, _ := runWithInput(t, "", "eval", "--cases", cases, "--report", report, "--compare", filepath.Join(dir, "r.json"))
	if code != exitFailed || !strings.Contains(out, "FAIL  credit-supervisor-01") || !strings.Contains(out, "regressions (1)") {
		t.Errorf("failing case: exit %d\n%s", code, out)
	}
	if code, _, _ := runWithInput(t, "", "eval", "--cases", filepath.Join(dir, "missing"), "--report", report); code != exitHarness {
		t.Errorf("missing directory: exit %d, want %d", code, exitHarness)
	}
	if code, _, _ := runWithInput(t, "", "eval", "--report", report); code != exitUsage {
		t.Errorf("no --cases: exit %d, want %d", code, exitUsage)
	}
}

func TestPolicyCommand(t *testing.T) {
	if code, out, errOut := runWithInput(t, "", "policy", "test", "../../policy/default_test.yaml"); code != exitOK || !strings.Contains(out, "0 failed") {
		t.Errorf("policy test: exit %d %s %s", code, out, errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("rules: [{name: broken, action: release_hold, when: 'order.total >', outcome: auto}]\n"), 0o644)
	if code, _, errOut := runWithInput(t, "", "policy", "check", bad); code != exitFailed || errOut == "" {
		t.Errorf("broken policy: exit %d %q", code, errOut)
	}
}

func TestHelpAndUnknownCommand(t *testing.T) {
	for _, cmd := range []string{"demo", "ask", "eval", "policy", "serve", "prompts", "audit", "connectors", "worker", "ingest", "migrate"} {
		code, out, _ := runWithInput(t, "", cmd, "--help")
		if code != exitOK || !strings.Contains(out, "Usage:\n  exdesk "+cmd) || !strings.Contains(out, "Flags:") {
			t.Errorf("%s --help: exit %d\n%s", cmd, code, out)
		}
	}
	// A misspelt command gets a suggestion; an unknown flag one line and
	// where to read more, not the whole usage.
	code, _, errOut := runWithInput(t, "", "dmeo")
	if code != exitUsage || !strings.Contains(errOut, "unknown command") || !strings.Contains(errOut, "demo") {
		t.Errorf("misspelt command: exit %d %q", code, errOut)
	}
	code, _, errOut = runWithInput(t, "", "ask", "SO-1", "--frobnicate")
	if lines := strings.Split(strings.TrimSpace(errOut), "\n"); code != exitUsage || len(lines) != 2 ||
		!strings.Contains(lines[0], "--frobnicate") || lines[1] != "see 'exdesk ask --help'" {
		t.Errorf("unknown flag: exit %d %q", code, errOut)
	}
}

// Flags may follow the arguments, as in kubectl and gh.
func TestFlagsAnywhere(t *testing.T) {
	code, out, errOut := runWithInput(t, "", "ask", "SO-100004", "--json", "--orders", "150")
	if code != exitOK || !strings.HasPrefix(strings.TrimSpace(out), "{") {
		t.Fatalf("ask with flags after the question: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestVersionAndCompletion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, _ := runWithInput(t, "", args...)
		for _, want := range []string{"exdesk ", "commit", "go1.", "policy   default.yaml@", "prompts  v"} {
			if code != exitOK || !strings.Contains(out, want) {
				t.Errorf("%v: exit %d, lacks %q:\n%s", args, code, want, out)
			}
		}
	}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		code, out, _ := runWithInput(t, "", "completion", shell)
		if code != exitOK || !strings.Contains(out, "exdesk") || len(out) < 500 {
			t.Errorf("completion %s: exit %d, %d bytes", shell, code, len(out))
		}
	}
}
