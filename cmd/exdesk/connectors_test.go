package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/connectors/rest"
	"github.com/exdesk/exdesk/connectors/sim"
	"github.com/exdesk/exdesk/evals"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store/sqlite"
)

// outcome is what must not change between connectors: the class, the
// ranked actions with their arguments and the guard's decisions, and the
// rejected proposals.
func outcome(t testing.TB, c *agent.Case) string {
	t.Helper()
	type act struct {
		Action   connectors.Action
		Outcome  policy.Outcome
		Role     string
		Rule     string
		Rank     int
		Rejected string
	}
	var acts []act
	for _, p := range c.Actions {
		acts = append(acts, act{Action: p.Action, Outcome: p.Decision.Outcome, Role: p.Decision.Role, Rule: p.Decision.Rule, Rank: p.Rank})
	}
	for _, r := range c.Rejected {
		acts = append(acts, act{Action: r.Action, Rejected: r.Reason})
	}
	b, err := json.Marshal(struct {
		Class string
		Also  []string
		Acts  []act
	}{c.Class, c.AlsoDetected, acts})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func restSystems(t testing.TB, sys connectors.Systems, calls *atomic.Int64) connectors.Systems {
	t.Helper()
	ref := rest.NewServer(sys, rest.ServerOptions{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls != nil {
			calls.Add(1)
		}
		ref.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := rest.New(srv.URL, rest.Options{System: "erp"})
	if err != nil {
		t.Fatal(err)
	}
	return connectors.Systems{ERP: c, Inventory: c, Carriers: c, Executor: c, Clock: c, CaseTimeout: time.Minute}
}

// TestRecordedCasesSameOverREST investigates every recorded case of the
// shared examples and the project's corpus over recorded: and over rest:
// (the reference server on the same snapshot) and wants the same class,
// actions and decisions.
func TestRecordedCasesSameOverREST(t *testing.T) {
	engine, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	var loaded []evals.Loaded
	for _, dir := range []string{"../../../shared/evals/examples", "../../evals/cases"} {
		l, err := evals.LoadDir(dir)
		if err != nil {
			if os.Getenv("CI") == "" && strings.Contains(dir, "shared") {
				t.Log(err)
				continue
			}
			t.Fatal(err)
		}
		loaded = append(loaded, l...)
	}
	if len(loaded) < 50 {
		t.Fatalf("only %d recorded cases", len(loaded))
	}
	ctx := context.Background()
	investigate := func(sys connectors.Systems, c *evals.Case) (*agent.Case, error) {
		inv := &agent.Investigator{Planner: agent.Playbook{}, Systems: sys, Guard: policy.NewGuard(engine, sys), NewID: func(string) string { return c.ID }}
		return inv.Investigate(ctx, c.Trigger)
	}
	compared := 0
	for _, l := range loaded {
		if l.Err != nil {
			continue
		}
		c := l.Case
		t.Run(c.ID, func(t *testing.T) {
			want, wantErr := investigate(recorded.New(c.Snapshot).Systems(), c)
			var calls atomic.Int64
			got, gotErr := investigate(restSystems(t, recorded.New(c.Snapshot).Systems(), &calls), c)
			if (wantErr != nil) != (gotErr != nil) {
				t.Fatalf("recorded: %v; rest: %v", wantErr, gotErr)
			}
			if wantErr != nil {
				return
			}
			if w, g := outcome(t, want), outcome(t, got); w != g {
				t.Fatalf("over rest:\n%s\nover recorded:\n%s", g, w)
			}
			if got.Summary != want.Summary {
				t.Errorf("summary over rest:\n%s\nover recorded:\n%s", got.Summary, want.Summary)
			}
			compared++
		})
	}
	t.Logf("%d recorded cases give the same outcome over rest: and recorded:", compared)
}

// TestApprovedActionOverRESTExecutesOnce runs the whole path: a case over
// rest:, its top action approved and executed, the first POST answered 503;
// the system executes it once.
func TestApprovedActionOverRESTExecutesOnce(t *testing.T) {
	c, err := evals.LoadFile("../../../shared/evals/examples/credit-supervisor-01.json")
	if err != nil {
		t.Skip(err)
	}
	engine, _ := policy.Default()
	rec := recorded.New(c.Snapshot)
	ref := rest.NewServer(rec.Systems(), rest.ServerOptions{})
	var posts atomic.Int32
	var keys []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			keys = append(keys, r.Header.Get("Idempotency-Key"))
			if posts.Add(1) == 1 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
		}
		ref.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cl, _ := rest.New(srv.URL, rest.Options{System: "erp", Backoff: time.Millisecond})
	sys := connectors.Systems{ERP: cl, Inventory: cl, Carriers: cl, Executor: cl, Clock: cl}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	desk, _, err := newDesk(deskConfig{Store: st, Systems: sys, Engine: engine, Planner: agent.Playbook{}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := desk.HandleEvent(ctx, connectors.Event{ID: "e1", Source: "erp", Type: c.Trigger.Event, OrderID: c.Trigger.OrderID, At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	top, _ := res.Case.Top()
	who := casework.Approver{Actor: casework.Actor{ID: "U0SUPERVISOR"}, Holds: func(context.Context, string) (bool, error) { return true, nil }}
	r, err := desk.Approve(ctx, top.Action.ID, who)
	if err != nil || r.Kind != casework.Executed {
		t.Fatalf("approval: %+v, %v", r, err)
	}
	if n := len(rec.Executions()); n != 1 || len(keys) != 2 || keys[0] != top.Action.ID || keys[1] != top.Action.ID {
		t.Fatalf("executions %d, Idempotency-Keys %v; want one execution and the proposal id twice", n, keys)
	}
}

func TestConnectorsCheckCommand(t *testing.T) {
	rec, err := recorded.Load("../../../shared/evals/examples")
	if err != nil {
		t.Skip(err)
	}
	good := httptest.NewServer(rest.NewServer(rec.Systems(), rest.ServerOptions{}))
	defer good.Close()
	code, out, errOut := runWithInput(t, "", "connectors", "check", "rest:"+good.URL, "--order", "SO-10047,SO-10166")
	if code != exitOK || !strings.Contains(out, "GET /v1/orders/{order_id}") || !strings.Contains(out, "all ") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id": 7}`))
	}))
	defer bad.Close()
	code, out, _ = runWithInput(t, "", "connectors", "check", "rest:"+bad.URL, "--order", "SO-1")
	if code != exitFailed || !strings.Contains(out, "NO") {
		t.Fatalf("a broken implementation: exit %d\n%s", code, out)
	}
	if code, _, _ := runWithInput(t, "", "connectors", "check", "rest:ftp://x", "--order", "SO-1"); code != exitHarness {
		t.Errorf("bad URL: exit %d, want %d", code, exitHarness)
	}
	if code, _, _ := runWithInput(t, "", "connectors", "check", "http://x"); code != exitUsage {
		t.Errorf("no rest: prefix: exit %d, want %d", code, exitUsage)
	}
}

func TestConnectorsServeCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var out, errOut strings.Builder
	e := newEnv(strings.NewReader(""), &out, &syncWriter{b: &errOut}, func(string) string { return "" })
	go func() {
		done <- run(ctx, e, []string{"connectors", "serve", "--from", "sim", "--orders", "60", "--addr", "127.0.0.1:0"})
	}()
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	if code, _, _ := runWithInput(t, "", "connectors", "serve", "--from", "rest:http://x"); code != exitUsage {
		t.Errorf("serving rest: exit %d", code)
	}
}

func TestAskOverREST(t *testing.T) {
	rec, err := recorded.Load("../../../shared/evals/examples")
	if err != nil {
		t.Skip(err)
	}
	srv := httptest.NewServer(rest.NewServer(rec.Systems(), rest.ServerOptions{}))
	defer srv.Close()
	code, out, errOut := runWithInput(t, "", "ask", "--connectors", "rest:"+srv.URL, "why is SO-10047 on hold?")
	_, direct, _ := runWithInput(t, "", "ask", "--connectors", "recorded:../../../shared/evals/examples", "why is SO-10047 on hold?")
	strip := func(s string) string { // case ids are random
		if i := strings.Index(s, "·"); i >= 0 {
			return s[i:]
		}
		return s
	}
	if code != exitOK || strip(out) != strip(direct) {
		t.Fatalf("exit %d: %s\nover rest:\n%s\nover recorded:\n%s", code, errOut, out, direct)
	}
}

type syncWriter struct {
	b interface{ WriteString(string) (int, error) }
}

func (w *syncWriter) Write(p []byte) (int, error) { return w.b.WriteString(string(p)) }

// BenchmarkCasesOverREST measures cases per second through the REST
// connector against the reference server on loopback (no added latency),
// and HTTP calls per case. The systems hold a simulated day.
func BenchmarkCasesOverREST(b *testing.B) {
	for _, name := range []string{"rest", "recorded"} {
		b.Run(name, func(b *testing.B) {
			engine, _ := policy.Default()
			s := sim.New(sim.Options{Seed: 1, Orders: 2000})
			s.ApplyAll()
			ids := s.OrderIDs()
			var calls atomic.Int64
			sys := s.Systems()
			if name == "rest" {
				sys = restSystems(b, s.Systems(), &calls)
			}
			inv := &agent.Investigator{Planner: agent.Playbook{}, Systems: sys, Guard: policy.NewGuard(engine, sys),
				NewID: func(id string) string { return "case-" + id }}
			var next atomic.Int64
			// Cases run as ingest workers run them: several at once per
			// core, so one case's round trips overlap another's work.
			b.SetParallelism(4)
			b.ResetTimer()
			began := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					id := ids[int(next.Add(1))%len(ids)]
					if _, err := inv.Investigate(context.Background(), agent.Trigger{Type: agent.TriggerEvent, Event: connectors.EventOrderChanged, OrderID: id}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			el := time.Since(began)
			b.ReportMetric(float64(b.N)/el.Seconds(), "cases/s")
			if name == "rest" {
				b.ReportMetric(float64(calls.Load())/float64(b.N), "http_calls/case")
			}
		})
	}
}

// TestDemoOverREST runs the demo's simulated day through systems served
// over HTTP (the same day, served by the reference server).
func TestDemoOverREST(t *testing.T) {
	s := sim.New(sim.Options{Seed: 1, Orders: 150})
	s.ApplyAll()
	srv := httptest.NewServer(rest.NewServer(s.Systems(), rest.ServerOptions{}))
	defer srv.Close()
	code, out, errOut := runWithInput(t, "", "demo", "--orders", "150", "--threads", "1", "--quiet", "--connectors", "rest:"+srv.URL)
	if code != exitOK || !strings.Contains(out, "Exceptions by class") || !strings.Contains(out, "┌─ case-") {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	if code, _, errOut := runWithInput(t, "", "demo", "--orders", "150", "--connectors", "sap:https://s4.example.com"); code != exitHarness || !strings.Contains(errOut, "SAP serves the ERP only") {
		t.Fatalf("sap alone: exit %d: %s", code, errOut)
	}
}
