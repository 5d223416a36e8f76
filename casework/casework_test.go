package casework_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/embed"
	"github.com/exdesk/exdesk/store/sqlite"
)

const (
	creditCase  = "credit-supervisor-01.json" // SO-10047: release_hold needs finance_supervisor
	pricingCase = "pricing-auto-01.json"      // SO-10124: correct_price is auto
)

// executor counts what reaches the connector; crash, when set, is called
// before the connector is (a replica dying mid-execution).
type executor struct {
	inner   connectors.Executor
	applied atomic.Int64
	calls   atomic.Int64
	crash   atomic.Bool
}

func (x *executor) Execute(ctx context.Context, a connectors.Action) (connectors.Execution, error) {
	x.calls.Add(1)
	if x.crash.Load() {
		runtime.Goexit() // the replica dies here: nothing after this runs
	}
	e, err := x.inner.Execute(ctx, a)
	if err == nil && !e.Replayed {
		x.applied.Add(1)
	}
	return e, err
}

// Execution lets the desk see replays, as the recorded connector does.
func (x *executor) Execution(ctx context.Context, id string) (connectors.Execution, bool, error) {
	return x.inner.(interface {
		Execution(ctx context.Context, id string) (connectors.Execution, bool, error)
	}).Execution(ctx, id)
}

// fixture is a desk over a recorded case, with a real SQLite store.
type fixture struct {
	t    *testing.T
	conn *recorded.Connector
	exec *executor
	st   *sqlite.Store
	desk *casework.Desk
	mem  *casework.MemorySearch
}

func newFixture(t *testing.T, file string) *fixture {
	t.Helper()
	f := &fixture{t: t}
	f.st = openStore(t, filepath.Join(t.TempDir(), "exdesk.db"))
	f.conn, f.exec, f.desk = f.deskOn(file, f.st)
	return f
}

// deskOn builds another desk — a replica with its own copy of the systems
// — on st.
func (f *fixture) deskOn(file string, st *sqlite.Store) (*recorded.Connector, *executor, *casework.Desk) {
	f.t.Helper()
	conn, err := recorded.Load(filepath.Join("testdata", file))
	if err != nil {
		f.t.Fatal(err)
	}
	engine, err := policy.Default()
	if err != nil {
		f.t.Fatal(err)
	}
	sys := conn.Systems()
	x := &executor{inner: sys.Executor}
	sys.Executor = x
	guard := policy.NewGuard(engine, sys)
	if f.mem == nil {
		f.mem = &casework.MemorySearch{Store: st, Embedder: embed.NewHashing(0)}
	}
	d, err := casework.New(casework.Options{Store: st, Investigator: &agent.Investigator{Planner: agent.Playbook{}, Systems: sys, Guard: guard},
		Systems: sys, Guard: guard, Memory: f.mem})
	if err != nil {
		f.t.Fatal(err)
	}
	return conn, x, d
}

func openStore(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func hold(id, order string) connectors.Event {
	return connectors.Event{ID: id, Source: "erp", Type: connectors.EventHoldPlaced, OrderID: order, At: time.Now().UTC()}
}

func (f *fixture) event(ev connectors.Event) casework.EventResult {
	f.t.Helper()
	res, err := f.desk.HandleEvent(context.Background(), ev)
	if err != nil {
		f.t.Fatalf("HandleEvent(%s): %v", ev.ID, err)
	}
	return res
}

// pending returns the case's pending approval of an action type.
func (f *fixture) pending(caseID, typ string) store.Proposal {
	f.t.Helper()
	ps, err := f.st.ListProposals(context.Background(), caseID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, p := range ps {
		if p.Action.Type == typ && p.State == store.Pending {
			return p
		}
	}
	f.t.Fatalf("case %s has no pending %s: %+v", caseID, typ, ps)
	return store.Proposal{}
}

func (f *fixture) audit(caseID, kind string) []store.AuditEntry {
	f.t.Helper()
	trail, err := f.st.AuditTrail(context.Background(), caseID)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, e := range trail {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// notes returns the outbox notes of a case, in order.
func (f *fixture) notes(caseID string) []casework.Note {
	f.t.Helper()
	rows, err := f.st.DB().Query(`SELECT data FROM outbox WHERE case_id = ? AND kind = ? ORDER BY id`, caseID, store.OutboxCaseNote)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []casework.Note
	for rows.Next() {
		var raw string
		var n casework.Note
		if err := rows.Scan(&raw); err != nil {
			f.t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(raw), &n); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// approver holds the given roles.
func approver(id string, roles ...string) casework.Approver {
	return casework.Approver{Actor: casework.Actor{ID: id, Surface: "slack", Channel: "C0FIN"},
		Holds: func(_ context.Context, role string) (bool, error) { return slices.Contains(roles, role), nil }}
}

// The stale-approval escalation of issue 8: a release proposed for a
// finance supervisor, exposure raised past 1.25× the limit meanwhile; the
// supervisor's click must not execute a release that now needs a
// director. The proposal is superseded and proposed again for the
// director, who can then approve it.
func TestStaleApprovalNeedsTheFreshRole(t *testing.T) {
	f := newFixture(t, creditCase)
	ctx := context.Background()
	res := f.event(hold("e1", "SO-10047"))
	old := f.pending(res.CaseID, connectors.ActReleaseHold)
	if old.Role != "finance_supervisor" {
		t.Fatalf("release proposed for %s, want finance_supervisor", old.Role)
	}
	// Open AR grows: exposure 62,716 > 1.25 × 50,000.
	cust, _ := f.conn.Customer(ctx, "C-481")
	cust.OpenAR = 40000
	f.conn.PutCustomer(cust)

	r, err := f.desk.Approve(ctx, old.ID, approver("U0SUP", "finance_supervisor"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Kind != casework.Superseded || r.Role != "finance_director" || r.Replacement == nil {
		t.Fatalf("the supervisor's click came to %+v, want superseded for finance_director", r)
	}
	if n := f.exec.calls.Load(); n != 0 {
		t.Fatalf("the connector was called %d times on a stale approval", n)
	}
	got, _ := f.st.GetProposal(ctx, old.ID)
	if got.State != store.Expired || got.SupersededBy != r.Replacement.ID || !strings.Contains(got.Note, "finance_director") {
		t.Errorf("old proposal = %+v", got)
	}
	repl := f.pending(res.CaseID, connectors.ActReleaseHold)
	if repl.ID != r.Replacement.ID || repl.Role != "finance_director" || repl.Rule != "credit.release.director" {
		t.Errorf("re-proposed as %+v", repl)
	}
	sup := f.audit(res.CaseID, "proposal.superseded")
	if len(sup) != 1 || !strings.Contains(string(sup[0].Data), `"facts_digest"`) || !strings.Contains(string(sup[0].Data), `"finance_director"`) {
		t.Errorf("the audit does not record the fresh decision: %+v", sup)
	}
	if n := f.notes(res.CaseID); len(n) == 0 || n[len(n)-1].Kind != casework.NoteSuperseded || n[len(n)-1].Replacement != repl.ID {
		t.Errorf("the thread is not told: %+v", n)
	}
	// The case document lists the new proposal in place of the old one.
	v, err := f.desk.View(ctx, res.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(v.Actions, func(a casework.ActionView) bool { return a.Pending() && a.Stored.ID == repl.ID }) {
		t.Errorf("the case view does not offer the new proposal: %+v", v.Actions)
	}

	// The supervisor cannot approve the new one; the director can.
	if r, _ := f.desk.Approve(ctx, repl.ID, approver("U0SUP", "finance_supervisor")); r.Kind != casework.Denied || r.Role != "finance_director" {
		t.Fatalf("supervisor on the director's proposal: %+v", r)
	}
	r, err = f.desk.Approve(ctx, repl.ID, approver("U0DIR", "finance_director", "finance_supervisor"))
	if err != nil || r.Kind != casework.Executed {
		t.Fatalf("director's approval: %+v, %v", r, err)
	}
	if n := f.exec.applied.Load(); n != 1 {
		t.Fatalf("applied %d times", n)
	}
	approved := f.audit(res.CaseID, "proposal.approved")
	if len(approved) != 1 || approved[0].Actor != "U0DIR" || approved[0].Rule != "credit.release.director" ||
		!strings.Contains(string(approved[0].Data), `"facts_digest"`) {
		t.Errorf("approval audit = %+v", approved)
	}
	if sc, _ := f.st.GetCase(ctx, res.CaseID); sc.Status != store.CaseResolved || sc.ResolvedBy != "U0DIR" {
		t.Errorf("case after the release: %+v", sc)
	}
}

// A click whose action the guard blocks on fresh data never executes, and
// one that now runs automatically proceeds.
func TestFreshDecisionBlocksOrAllows(t *testing.T) {
	t.Run("blocked", func(t *testing.T) {
		f := newFixture(t, creditCase)
		ctx := context.Background()
		res := f.event(hold("e1", "SO-10047"))
		p := f.pending(res.CaseID, connectors.ActReleaseHold)
		cust, _ := f.conn.Customer(ctx, "C-481")
		cust.CreditStop = true
		f.conn.PutCustomer(cust)
		r, err := f.desk.Approve(ctx, p.ID, approver("U0DIR", "finance_director", "finance_supervisor"))
		if err != nil || r.Kind != casework.Refused || !errors.Is(r.Err, casework.ErrBlocked) {
			t.Fatalf("approval of a blocked release: %+v, %v", r, err)
		}
		if f.exec.calls.Load() != 0 {
			t.Fatal("a blocked action reached the connector")
		}
		if got, _ := f.st.GetProposal(ctx, p.ID); got.State != store.Expired {
			t.Errorf("refused proposal is %s", got.State)
		}
	})
	t.Run("auto now", func(t *testing.T) {
		f := newFixture(t, creditCase)
		ctx := context.Background()
		res := f.event(hold("e1", "SO-10047"))
		p := f.pending(res.CaseID, connectors.ActReleaseHold)
		cust, _ := f.conn.Customer(ctx, "C-481")
		cust.OpenAR, cust.CreditLimit = 0, 500000
		f.conn.PutCustomer(cust)
		o, _ := f.conn.Order(ctx, "SO-10047")
		o.Lines = o.Lines[:1]
		o.Lines[0].Qty, o.Lines[0].UnitPrice = 1, 100
		f.conn.PutOrder(o)
		r, err := f.desk.Approve(ctx, p.ID, approver("U0SUP", "finance_supervisor"))
		if err != nil || r.Kind != casework.Executed || r.Fresh == nil || r.Fresh.Outcome != policy.Auto {
			t.Fatalf("approval of a release that is auto now: %+v, %v", r, err)
		}
	})
}

// Questions are read-only: three people asking about an order whose top
// action is auto, and more questions later, execute nothing; who asked is
// in the audit trail. The event that comes later executes it, once.
func TestQuestionsNeverExecute(t *testing.T) {
	f := newFixture(t, pricingCase)
	ctx := context.Background()
	var caseID string
	for i, who := range []string{"U1", "U2", "U3", "U1"} {
		a, err := f.desk.Ask(ctx, casework.Question{Text: "why is SO-10124 held?", Asker: casework.Actor{ID: who, Surface: "slack", Channel: "C0Q"}})
		if err != nil {
			t.Fatal(err)
		}
		if a.View == nil {
			t.Fatalf("question %d: no case", i)
		}
		if i == 0 {
			caseID = a.View.Case.ID
			if !a.Opened {
				t.Error("the first question did not open the case")
			}
		} else if a.Opened || a.View.Case.ID != caseID {
			t.Errorf("question %d opened another case %s", i, a.View.Case.ID)
		}
	}
	if n := f.exec.calls.Load(); n != 0 {
		t.Fatalf("questions executed %d actions", n)
	}
	opened := f.audit(caseID, "case.opened")
	if len(opened) != 1 || opened[0].Actor != "U1" || !strings.Contains(string(opened[0].Data), `"channel":"C0Q"`) {
		t.Errorf("who opened the case is not audited: %+v", opened)
	}
	if q := f.audit(caseID, "case.question"); len(q) != 3 || q[0].Actor != "U2" || q[2].Actor != "U1" {
		t.Errorf("later askers audited: %+v", q)
	}
	// The auto action is shown, not executed.
	v, _ := f.desk.View(ctx, caseID)
	top := v.Actions[0]
	if top.Decision.Outcome != policy.Auto || top.Stored == nil || top.Stored.State != store.Expired || top.Stored.Note != casework.NoteQuestion {
		t.Errorf("top action of a question-driven case: %+v %+v", top.Decision, top.Stored)
	}
	// A source event joins the open case and executes the action once.
	res := f.event(hold("e1", "SO-10124"))
	if res.Outcome != casework.OutcomeCorrelated || res.CaseID != caseID || res.Executed == nil {
		t.Fatalf("event after the questions: %+v", res)
	}
	f.event(hold("e2", "SO-10124"))
	if n := f.exec.applied.Load(); n != 1 {
		t.Fatalf("applied %d times", n)
	}
}

// Issue 8's finding on one replica: several events on one order executed
// the same action again under new proposals. And across replicas whose
// systems do not see each other's executions (three workers, each with its
// own simulator): the same business effect runs once.
func TestSameEffectRunsOnce(t *testing.T) {
	f := newFixture(t, pricingCase)
	first := f.event(hold("e1", "SO-10124"))
	if first.Executed == nil {
		t.Fatalf("the auto correction did not run: %+v", first)
	}
	// A second replica, on its own copy of the systems: the price still
	// reads wrong there.
	_, exec2, desk2 := f.deskOn(pricingCase, openStore(t, f.st.Path()))
	res, err := desk2.HandleEvent(context.Background(), hold("e2", "SO-10124"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Executed != nil || exec2.calls.Load() != 0 {
		t.Fatalf("the same correction executed again on another replica: %+v", res)
	}
	v, err := f.desk.View(context.Background(), res.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	top := v.Actions[0]
	if top.Action.Type != connectors.ActCorrectPrice || !top.DoneBefore || top.Exec == nil || top.Exec.CaseID != first.CaseID {
		t.Errorf("the correction is not shown as done before: %+v", top)
	}
	var execs int
	if err := f.st.DB().QueryRow(`SELECT count(*) FROM executions WHERE status <> 'failed'`).Scan(&execs); err != nil || execs != 1 {
		t.Errorf("%d executions, want 1 (%v)", execs, err)
	}
}

// Issue 8, item 9: a replica opened a case for an event and died while
// executing its auto action; a newer event opened or joined a case
// meanwhile. The redelivered event belongs to the case it opened, and the
// action it started runs once.
func TestRedeliveredEventFindsItsOwnCase(t *testing.T) {
	f := newFixture(t, pricingCase)
	ev := hold("e1", "SO-10124")
	f.exec.crash.Store(true)
	done := make(chan struct{})
	go func() { defer close(done); _, _ = f.desk.HandleEvent(context.Background(), ev) }()
	<-done
	f.exec.crash.Store(false)
	own := casework.CaseIDFor(ev)
	ce, err := f.st.FindCaseEvent(context.Background(), ev.ID)
	if err != nil || ce.CaseID != own {
		t.Fatalf("the crashed delivery did not record the event with its case: %+v, %v", ce, err)
	}
	// A newer event on the order meanwhile.
	if res := f.event(hold("e2", "SO-10124")); res.CaseID != own {
		t.Errorf("the newer event went to %s, not the open case %s", res.CaseID, own)
	}
	// The redelivery.
	res := f.event(ev)
	if res.Outcome != casework.OutcomeDuplicate || res.CaseID != own {
		t.Fatalf("redelivery: %+v", res)
	}
	if n := f.exec.applied.Load(); n != 1 {
		t.Fatalf("the interrupted action ran %d times, want once", n)
	}
	var n int
	if err := f.st.DB().QueryRow(`SELECT count(*) FROM case_events WHERE event_id = ?`, ev.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("event recorded %d times", n)
	}
}

// Resolving a case supersedes its pending proposals: a late click finds
// them decided, and the case's message is re-rendered.
func TestResolvedCaseKeepsNoPendingApprovals(t *testing.T) {
	f := newFixture(t, creditCase)
	ctx := context.Background()
	res := f.event(hold("e1", "SO-10047"))
	p := f.pending(res.CaseID, connectors.ActReleaseHold)
	// The hold is released in the ERP: the next event finds no exception.
	o, _ := f.conn.Order(ctx, "SO-10047")
	o.Holds, o.Status = nil, connectors.StatusOpen
	f.conn.PutOrder(o)
	cust, _ := f.conn.Customer(ctx, "C-481")
	cust.OpenAR = 0
	f.conn.PutCustomer(cust)
	if r := f.event(hold("e2", "SO-10047")); r.CaseID != res.CaseID || r.Outcome != casework.OutcomeCorrelated {
		t.Fatalf("second event: %+v", r)
	}
	sc, _ := f.st.GetCase(ctx, res.CaseID)
	if sc.Status != store.CaseResolved {
		t.Fatalf("case is %s, want resolved", sc.Status)
	}
	if got, _ := f.st.GetProposal(ctx, p.ID); got.State != store.Expired || !strings.Contains(got.Note, "case resolved") {
		t.Errorf("pending approval of a resolved case: %+v", got)
	}
	if r, _ := f.desk.Approve(ctx, p.ID, approver("U0SUP", "finance_supervisor")); r.Kind != casework.AlreadyDecided {
		t.Errorf("a click on a resolved case's approval: %+v", r)
	}
	notes := f.notes(res.CaseID)
	if len(notes) == 0 || notes[len(notes)-1].Kind != casework.NoteResolved {
		t.Errorf("the thread is not told the case is resolved: %+v", notes)
	}
}

// Fifty clicks from two desks on one store execute once.
func TestConcurrentApprovalsExecuteOnce(t *testing.T) {
	f := newFixture(t, creditCase)
	res := f.event(hold("e1", "SO-10047"))
	p := f.pending(res.CaseID, connectors.ActReleaseHold)
	_, exec2, desk2 := f.deskOn(creditCase, openStore(t, f.st.Path()))
	var wg sync.WaitGroup
	var executed, decided atomic.Int64
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := f.desk
			if i%2 == 1 {
				d = desk2
			}
			r, err := d.Approve(context.Background(), p.ID, approver("U0SUP", "finance_supervisor"))
			switch {
			case err != nil:
				t.Errorf("click %d: %v", i, err)
			case r.Kind == casework.Executed:
				executed.Add(1)
			case r.Kind == casework.AlreadyDecided:
				decided.Add(1)
			default:
				t.Errorf("click %d: %+v", i, r)
			}
		}()
	}
	wg.Wait()
	if executed.Load() != 1 || decided.Load() != 49 || f.exec.applied.Load()+exec2.applied.Load() != 1 {
		t.Fatalf("executed %d, already decided %d, applied %d+%d", executed.Load(), decided.Load(), f.exec.applied.Load(), exec2.applied.Load())
	}
}

// When an action of a case executes, the case is resolved and remembered;
// the next case of that customer and class cites how it was resolved.
func TestResolvedCasesFeedCaseMemory(t *testing.T) {
	f := newFixture(t, creditCase)
	ctx := context.Background()
	res := f.event(hold("e1", "SO-10047"))
	p := f.pending(res.CaseID, connectors.ActReleaseHold)
	if r, err := f.desk.Approve(ctx, p.ID, approver("U0SUP", "finance_supervisor")); err != nil || r.Kind != casework.Executed {
		t.Fatalf("approval: %+v, %v", r, err)
	}
	sc, _ := f.st.GetCase(ctx, res.CaseID)
	if sc.ResolvedBy != "U0SUP" || !strings.Contains(sc.Resolution, "release the CREDIT hold") {
		t.Fatalf("case not resolved: %+v", sc)
	}
	var by, resolution string
	if err := f.st.DB().QueryRow(`SELECT resolved_by, resolution FROM case_memory WHERE case_id = ?`, res.CaseID).Scan(&by, &resolution); err != nil {
		t.Fatalf("the resolved case is not in case memory: %v", err)
	}
	if by != "U0SUP" || !strings.Contains(resolution, "release the CREDIT hold") {
		t.Errorf("memory of the case: %s, %q", by, resolution)
	}
}
