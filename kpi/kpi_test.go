package kpi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/kpi"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/sqlite"
)

// The KPIs of a small, hand-built window: every figure is counted here
// by hand from what the test stores.
func TestCompute(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, "", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// A 48-hour window ending just after now: decisions and executions
	// are stamped with the wall clock, inside it.
	until := time.Now().UTC().Add(time.Hour).Truncate(time.Minute)
	since := until.Add(-48 * time.Hour)
	day := since
	mk := func(id, class string, created time.Duration, tokens int) {
		t.Helper()
		doc, _ := json.Marshal(map[string]any{"usage": map[string]any{"tokens": tokens}})
		c := store.Case{ID: id, OrderID: "SO-" + id, Class: class, Document: doc, CreatedAt: day.Add(created), UpdatedAt: day.Add(created)}
		if err := st.CreateCase(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	prop := func(caseID string, rank int, typ, outcome, role, rule string) store.Proposal {
		t.Helper()
		p := store.Proposal{CaseID: caseID, OrderID: "SO-" + caseID, Rank: rank, Action: connectors.Action{Type: typ, Args: connectors.Args{"n": rank}},
			Outcome: outcome, Role: role, Rule: rule}
		if outcome == "blocked" {
			p.State, p.DecidedBy = store.Rejected, "policy"
		}
		if err := st.CreateProposal(ctx, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	resolve := func(id string, at time.Duration) {
		t.Helper()
		must(st.ResolveCase(ctx, id, store.Resolution{Resolution: "done", By: "x", At: day.Add(at)}))
	}
	execute := func(p store.Proposal, by string, result string) {
		t.Helper()
		if by != "policy" {
			must(st.Transition(ctx, p.ID, store.Pending, store.Approved, by, ""))
		} else {
			must(st.Transition(ctx, p.ID, store.Pending, store.Approved, "policy", ""))
		}
		must(st.RecordExecution(ctx, &store.Execution{ProposalID: p.ID, CaseID: p.CaseID, Action: p.Action, By: by}))
		must(st.FinishExecution(ctx, p.ID, store.ExecSucceeded, json.RawMessage(result), ""))
		must(st.Transition(ctx, p.ID, store.Approved, store.Executed, by, ""))
	}
	// c1: credit, resolved touchless after 2h by the policy.
	mk("c1", "credit_hold", time.Hour, 0)
	execute(prop("c1", 1, "request_credit_review", "auto", "", "auto.tasks"), "policy", `{}`)
	resolve("c1", 3*time.Hour)
	// c2: delay, expedite approved by a person (override: rank 2), resolved after 10h, LLM 1200 tokens.
	mk("c2", "shipment_delay", 2*time.Hour, 1200)
	prop("c2", 1, "notify_customer", "auto", "", "auto.notify")
	exp := prop("c2", 2, "expedite_shipment", "approval", "logistics_supervisor", "expedite.approval")
	execute(exp, "U1", `{"detail":"ok","effect":{"expedite_cost":180.25}}`)
	resolve("c2", 12*time.Hour)
	// c3: pricing, correct_price rejected, then blocked cancel, still open (backlog).
	mk("c3", "pricing_mismatch", 30*time.Hour, 800)
	rej := prop("c3", 1, "correct_price", "approval", "pricing_manager", "price.approval")
	must(st.Transition(ctx, rej.ID, store.Pending, store.Rejected, "U2", "contract is being renegotiated"))
	prop("c3", 2, "cancel_order", "blocked", "", "cancel.shipped")
	// c4: pricing, correct_price auto, margin protected.
	mk("c4", "pricing_mismatch", 40*time.Hour, 0)
	execute(prop("c4", 1, "correct_price", "auto", "", "price.auto"), "policy", `{"effect":{"margin_protected":42.5}}`)
	resolve("c4", 41*time.Hour)
	// c0: before the window, still open: backlog, aged > 3d; not opened in the window.
	mk("c0", "credit_hold", -4*24*time.Hour, 0)

	r, err := kpi.Compute(ctx, st, since, until)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"opened", r.Opened, 4},
		{"resolved", r.Resolved, 3},
		{"touchless", r.Touchless, 2},
		{"backlog", r.Backlog.Open, 2},
		{"aging", r.Backlog.Buckets, []kpi.Count{{"< 4h", 0}, {"4–24h", 1}, {"1–3d", 0}, {"> 3d", 1}}},
		{"by class", r.ByClass, []kpi.Count{{"pricing_mismatch", 2}, {"credit_hold", 1}, {"shipment_delay", 1}}},
		{"days", r.Days[0], since.Format(time.DateOnly)},
		{"c4's day", r.ByDay[indexOf(r.Days, since.Add(40*time.Hour).Format(time.DateOnly))]["pricing_mismatch"] > 0, true},
		{"cycle", r.CycleTime, []kpi.Percentiles{{"credit_hold", 1, 2, 2}, {"pricing_mismatch", 1, 1, 1}, {"shipment_delay", 1, 10, 10}}},
		{"latency roles", len(r.ApprovalLatency), 2},
		{"decisions", r.Decisions, []kpi.RuleDecisions{
			{Rule: "expedite.approval", Class: "shipment_delay", Decided: 1, Overridden: 1, OverrideRate: 1},
			{Rule: "price.approval", Class: "pricing_mismatch", Decided: 1, Rejected: 1, RejectionRate: 1}}},
		{"blocked", r.Blocked, []kpi.Count{{"cancel.shipped", 1}}},
		{"expedite", [2]any{r.Expedites, r.ExpediteSpend}, [2]any{1, 180.25}},
		{"margin", [2]any{r.PriceCorrections, r.MarginProtected}, [2]any{1, 42.5}},
		{"llm", r.LLM, kpi.LLM{Cases: 2, Tokens: 2000, TokensPerCase: 1000}},
	}
	for _, c := range checks {
		g, _ := json.Marshal(c.got)
		w, _ := json.Marshal(c.want)
		if string(g) != string(w) {
			t.Errorf("%s = %s, want %s", c.name, g, w)
		}
	}

	var text, page, img bytes.Buffer
	if err := kpi.WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "touchless") || !strings.Contains(text.String(), "2 of 3 (66.7%)") {
		t.Errorf("text report:\n%s", text.String())
	}
	if err := kpi.WriteHTML(&page, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", `role="img"`, "<desc", "Exceptions by class", "66.7%", "pattern"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
	if strings.Contains(page.String(), "http://") && !strings.Contains(page.String(), "http://www.w3.org/2000/svg") {
		t.Error("the HTML report must not load anything from the network")
	}
	if err := kpi.ChartPNG(&img, r); err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(&img); err != nil {
		t.Errorf("chart is not a PNG: %v", err)
	}
	if _, err := kpi.Compute(ctx, st, until, since); err == nil {
		t.Error("an empty window must be an error")
	}
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}
