package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/store"
)

// Run runs the conformance suite against the store that open returns.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, func(*testing.T) store.Store)
	}{
		{"Ping", testPing},
		{"CaseCRUD", testCaseCRUD},
		{"ListCases", testListCases},
		{"CaseEvents", testCaseEvents},
		{"ProposalStateMachine", testProposalStateMachine},
		{"ProposalRace", testProposalRace},
		{"ProposalFields", testProposalFields},
		{"ExecutionOnce", testExecutionOnce},
		{"PendingSurviveReopen", testPendingSurviveReopen},
		{"AuditChain", testAuditChain},
		{"AuditConcurrentAppends", testAuditConcurrent},
		{"AuditTampering", testAuditTampering},
		{"MemoryNearest", testMemoryNearest},
		{"MemoryTiers", testMemoryTiers},
		{"MemoryPrune", testMemoryPrune},
		{"OneOpenCasePerOrder", testOneOpenCasePerOrder},
		{"FindCaseEvent", testFindCaseEvent},
		{"TxCommitsTogether", testTxCommitsTogether},
		{"TxRollsBackEverything", testTxRollsBack},
		{"EffectOncePerCase", testEffectOnce},
		{"Supersede", testSupersede},
		{"CreatedSettled", testCreatedSettled},
		{"OutboxOrderAndLease", testOutbox},
		{"OutboxConcurrentClaims", testOutboxConcurrent},
		{"ShipmentState", testShipmentState},
		{"ShipmentStateConcurrent", testShipmentStateConcurrent},
		{"InboundState", testInboundState},
		{"Reports", testReports},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

func ctxFor(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func mustCase(t *testing.T, s store.Store, c store.Case) store.Case {
	t.Helper()
	if err := s.CreateCase(ctxFor(t), &c); err != nil {
		t.Fatalf("CreateCase: %v", err)
	}
	return c
}

func mustProposal(t *testing.T, s store.Store, caseID string, rank int) store.Proposal {
	t.Helper()
	p := store.Proposal{
		CaseID: caseID, OrderID: "SO-1", Rank: rank,
		Action:  connectors.Action{Type: connectors.ActReleaseHold, Args: connectors.Args{"hold_code": "CREDIT"}},
		Outcome: "approval", Role: "finance_supervisor", Rule: "release_hold.credit", Reason: "over limit",
	}
	if err := s.CreateProposal(ctxFor(t), &p); err != nil {
		t.Fatalf("CreateProposal: %v", err)
	}
	return p
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: err = %v, want %v", what, err, target)
	}
}

func sameJSON(t *testing.T, what string, got, want json.RawMessage) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: got invalid JSON %q: %v", what, got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: want invalid JSON %q: %v", what, want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func testPing(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	if err := s.Ping(ctxFor(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_ = s.Close() // idempotent: must not panic
}

func testCaseCRUD(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	created := time.Date(2026, 3, 4, 10, 11, 12, 123456789, time.UTC)
	c := mustCase(t, s, store.Case{
		OrderID: "SO-10042", CustomerID: "C-7", Class: "credit_hold", AlsoDetected: []string{"pricing_mismatch"},
		Severity: "high", Planner: "playbook", PromptVersion: "p3", Model: "none", PolicyVersion: "v1",
		Summary: "on credit hold", Document: json.RawMessage(`{"b": 2, "a": [1, "x"]}`), CreatedAt: created,
	})
	if c.ID == "" || c.Status != store.CaseOpen {
		t.Fatalf("CreateCase did not fill id/status: %+v", c)
	}
	got, err := s.GetCase(ctx, c.ID)
	if err != nil {
		t.Fatalf("GetCase: %v", err)
	}
	sameJSON(t, "document", got.Document, c.Document)
	got.Document, c.Document = nil, nil
	if !reflect.DeepEqual(*got, c) {
		t.Errorf("GetCase =\n%+v\nwant\n%+v", *got, c)
	}
	if !got.CreatedAt.Equal(created.Truncate(time.Microsecond)) {
		t.Errorf("created_at = %v, want %v", got.CreatedAt, created)
	}

	dup := store.Case{ID: c.ID, OrderID: "SO-10042"}
	wantErr(t, "CreateCase duplicate", s.CreateCase(ctx, &dup), store.ErrDuplicate)
	_, err = s.GetCase(ctx, "c_missing")
	wantErr(t, "GetCase missing", err, store.ErrNotFound)
	wantErr(t, "CreateCase without order", s.CreateCase(ctx, &store.Case{}), store.ErrInvalid)
	wantErr(t, "CreateCase bad document", s.CreateCase(ctx, &store.Case{OrderID: "X", Document: json.RawMessage(`{`)}), store.ErrInvalid)

	upd := *got
	upd.Summary, upd.Severity, upd.Document = "released", "low", json.RawMessage(`{"v": 2}`)
	upd.AlsoDetected = []string{"a", "b"}
	if err := s.UpdateCase(ctx, &upd); err != nil {
		t.Fatalf("UpdateCase: %v", err)
	}
	got, err = s.GetCase(ctx, c.ID)
	if err != nil {
		t.Fatalf("GetCase: %v", err)
	}
	if got.Summary != "released" || got.Severity != "low" || !reflect.DeepEqual(got.AlsoDetected, []string{"a", "b"}) ||
		got.UpdatedAt.Before(got.CreatedAt) || got.Status != store.CaseOpen {
		t.Errorf("after UpdateCase: %+v", got)
	}
	sameJSON(t, "updated document", got.Document, json.RawMessage(`{"v": 2}`))
	wantErr(t, "UpdateCase missing", s.UpdateCase(ctx, &store.Case{ID: "c_missing", OrderID: "x"}), store.ErrNotFound)

	if err := s.SetCaseStatus(ctx, c.ID, store.CaseClosed); err != nil {
		t.Fatalf("SetCaseStatus: %v", err)
	}
	wantErr(t, "SetCaseStatus missing", s.SetCaseStatus(ctx, "c_missing", store.CaseClosed), store.ErrNotFound)
	at := time.Date(2026, 3, 5, 8, 0, 0, 0, time.UTC)
	if err := s.ResolveCase(ctx, c.ID, store.Resolution{Resolution: "hold released", By: "U123", At: at}); err != nil {
		t.Fatalf("ResolveCase: %v", err)
	}
	wantErr(t, "ResolveCase missing", s.ResolveCase(ctx, "c_missing", store.Resolution{}), store.ErrNotFound)
	got, err = s.GetCase(ctx, c.ID)
	if err != nil {
		t.Fatalf("GetCase: %v", err)
	}
	if got.Status != store.CaseResolved || got.Resolution != "hold released" || got.ResolvedBy != "U123" || !got.ResolvedAt.Equal(at) {
		t.Errorf("after ResolveCase: status=%s resolution=%q by=%q at=%v", got.Status, got.Resolution, got.ResolvedBy, got.ResolvedAt)
	}
}

func testListCases(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := map[string]string{}
	// An order has at most one open case: SO-A's first case is closed
	// before its third opens.
	for i, spec := range []struct {
		name, order string
		status      store.CaseStatus
	}{
		{"a1", "SO-A", store.CaseOpen}, {"b1", "SO-B", store.CaseOpen}, {"a2", "SO-A", store.CaseResolved}, {"a3", "SO-A", store.CaseOpen},
	} {
		if spec.name == "a3" {
			if err := s.SetCaseStatus(ctx, ids["a1"], store.CaseClosed); err != nil {
				t.Fatal(err)
			}
		}
		c := mustCase(t, s, store.Case{OrderID: spec.order, Class: "credit_hold", Status: spec.status, CreatedAt: base.Add(time.Duration(i) * time.Hour)})
		ids[spec.name] = c.ID
	}
	tests := []struct {
		name string
		f    store.CaseFilter
		want []string
	}{
		{"all newest first", store.CaseFilter{}, []string{"a3", "a2", "b1", "a1"}},
		{"by order", store.CaseFilter{OrderID: "SO-A"}, []string{"a3", "a2", "a1"}},
		{"open by order", store.CaseFilter{OrderID: "SO-A", OpenOnly: true}, []string{"a3"}},
		{"open", store.CaseFilter{OpenOnly: true}, []string{"a3", "b1"}},
		{"limit", store.CaseFilter{OrderID: "SO-A", Limit: 1}, []string{"a3"}},
		{"unknown order", store.CaseFilter{OrderID: "SO-Z"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListCases(ctx, tc.f)
			if err != nil {
				t.Fatalf("ListCases: %v", err)
			}
			var gotIDs, wantIDs []string
			for _, c := range got {
				gotIDs = append(gotIDs, c.ID)
			}
			for _, n := range tc.want {
				wantIDs = append(wantIDs, ids[n])
			}
			if !reflect.DeepEqual(gotIDs, wantIDs) {
				t.Errorf("ListCases(%+v) = %v, want %v", tc.f, gotIDs, wantIDs)
			}
		})
	}
}

func testCaseEvents(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	c := mustCase(t, s, store.Case{OrderID: "SO-1"})
	kinds := []string{"erp.order_hold", "slack.question", "policy.decision"}
	for i, k := range kinds {
		e := store.CaseEvent{CaseID: c.ID, EventID: fmt.Sprintf("evt-%d", i), Kind: k, Actor: "ingest", Data: json.RawMessage(`{"i":` + fmt.Sprint(i) + `}`)}
		if err := s.AppendCaseEvent(ctx, &e); err != nil {
			t.Fatalf("AppendCaseEvent: %v", err)
		}
		if e.Seq == 0 || e.At.IsZero() {
			t.Fatalf("AppendCaseEvent did not fill seq/at: %+v", e)
		}
	}
	noID := store.CaseEvent{CaseID: c.ID, Kind: "note"}
	if err := s.AppendCaseEvent(ctx, &noID); err != nil {
		t.Fatalf("AppendCaseEvent without event id: %v", err)
	}
	noID2 := store.CaseEvent{CaseID: c.ID, Kind: "note"}
	if err := s.AppendCaseEvent(ctx, &noID2); err != nil {
		t.Fatalf("second AppendCaseEvent without event id: %v", err)
	}
	other := mustCase(t, s, store.Case{OrderID: "SO-2"})
	dup := store.CaseEvent{CaseID: other.ID, EventID: "evt-1", Kind: "erp.order_hold"}
	wantErr(t, "duplicate event id", s.AppendCaseEvent(ctx, &dup), store.ErrDuplicate)
	wantErr(t, "event for unknown case", s.AppendCaseEvent(ctx, &store.CaseEvent{CaseID: "c_missing", Kind: "x"}), store.ErrNotFound)

	got, err := s.ListCaseEvents(ctx, c.ID)
	if err != nil {
		t.Fatalf("ListCaseEvents: %v", err)
	}
	if len(got) != 5 {
		t.Fatalf("ListCaseEvents returned %d events, want 5", len(got))
	}
	for i, k := range kinds {
		if got[i].Kind != k || got[i].EventID != fmt.Sprintf("evt-%d", i) {
			t.Errorf("event %d = %+v, want kind %s", i, got[i], k)
		}
		sameJSON(t, "event data", got[i].Data, json.RawMessage(`{"i":`+fmt.Sprint(i)+`}`))
		if i > 0 && got[i].Seq <= got[i-1].Seq {
			t.Errorf("events not in append order: %d then %d", got[i-1].Seq, got[i].Seq)
		}
	}
}

func testProposalStateMachine(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	c := mustCase(t, s, store.Case{OrderID: "SO-1"})
	type step struct {
		from, to store.State
		want     error // nil, ErrInvalid, ErrConflict
		current  store.State
	}
	tests := []struct {
		name  string
		steps []step
		final store.State
	}{
		{"approve then execute", []step{{store.Pending, store.Approved, nil, ""}, {store.Approved, store.Executed, nil, ""}}, store.Executed},
		{"approve then fail", []step{{store.Pending, store.Approved, nil, ""}, {store.Approved, store.Failed, nil, ""}}, store.Failed},
		{"reject", []step{{store.Pending, store.Rejected, nil, ""}}, store.Rejected},
		{"expire", []step{{store.Pending, store.Expired, nil, ""}}, store.Expired},
		{"second approve is already decided", []step{{store.Pending, store.Approved, nil, ""}, {store.Pending, store.Approved, store.ErrConflict, store.Approved}}, store.Approved},
		{"reject after approve", []step{{store.Pending, store.Approved, nil, ""}, {store.Pending, store.Rejected, store.ErrConflict, store.Approved}}, store.Approved},
		{"execute without approval", []step{{store.Approved, store.Executed, store.ErrConflict, store.Pending}}, store.Pending},
		{"pending to executed is no edge", []step{{store.Pending, store.Executed, store.ErrInvalid, ""}}, store.Pending},
		{"rejected is terminal", []step{{store.Pending, store.Rejected, nil, ""}, {store.Rejected, store.Approved, store.ErrInvalid, ""}}, store.Rejected},
		{"executed is terminal", []step{{store.Pending, store.Approved, nil, ""}, {store.Approved, store.Executed, nil, ""}, {store.Approved, store.Failed, store.ErrConflict, store.Executed}}, store.Executed},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustProposal(t, s, c.ID, i)
			for j, st := range tc.steps {
				err := s.Transition(ctx, p.ID, st.from, st.to, "U1", fmt.Sprintf("step %d", j))
				if st.want == nil {
					if err != nil {
						t.Fatalf("step %d %s→%s: %v", j, st.from, st.to, err)
					}
					continue
				}
				wantErr(t, fmt.Sprintf("step %d %s→%s", j, st.from, st.to), err, st.want)
				if st.want == store.ErrConflict {
					var ce *store.ConflictError
					if !errors.As(err, &ce) {
						t.Fatalf("step %d: %v is not a *ConflictError", j, err)
					}
					if ce.Current != st.current || ce.ProposalID != p.ID {
						t.Errorf("step %d: conflict current = %s (proposal %s), want %s", j, ce.Current, ce.ProposalID, st.current)
					}
				}
			}
			got, err := s.GetProposal(ctx, p.ID)
			if err != nil {
				t.Fatalf("GetProposal: %v", err)
			}
			if got.State != tc.final {
				t.Errorf("final state = %s, want %s", got.State, tc.final)
			}
			if tc.final != store.Pending && (got.DecidedBy != "U1" || got.DecidedAt.IsZero()) {
				t.Errorf("decision not recorded: by=%q at=%v", got.DecidedBy, got.DecidedAt)
			}
			if tc.final == store.Pending && (got.DecidedBy != "" || !got.DecidedAt.IsZero()) {
				t.Errorf("pending proposal has a decision: by=%q at=%v", got.DecidedBy, got.DecidedAt)
			}
		})
	}
	wantErr(t, "transition unknown proposal", s.Transition(ctx, "p_missing", store.Pending, store.Approved, "U1", ""), store.ErrNotFound)
}

func testProposalRace(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	c := mustCase(t, s, store.Case{OrderID: "SO-1"})
	tests := []struct {
		name    string
		targets []store.State // the goroutines cycle through these
	}{
		{"approve only", []store.State{store.Approved}},
		{"approve or reject", []store.State{store.Approved, store.Rejected}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustProposal(t, s, c.ID, i)
			const n = 50
			var wg sync.WaitGroup
			errs := make([]error, n)
			start := make(chan struct{})
			for g := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					to := tc.targets[g%len(tc.targets)]
					errs[g] = s.Transition(ctx, p.ID, store.Pending, to, fmt.Sprintf("U%d", g), "")
				}()
			}
			close(start)
			wg.Wait()
			winners := 0
			winner := -1
			for g, err := range errs {
				switch {
				case err == nil:
					winners++
					winner = g
				case errors.Is(err, store.ErrConflict):
				default:
					t.Errorf("goroutine %d: unexpected error %v", g, err)
				}
			}
			if winners != 1 {
				t.Fatalf("%d goroutines won the transition, want exactly 1", winners)
			}
			got, err := s.GetProposal(ctx, p.ID)
			if err != nil {
				t.Fatalf("GetProposal: %v", err)
			}
			want := tc.targets[winner%len(tc.targets)]
			if got.State != want || got.DecidedBy != fmt.Sprintf("U%d", winner) {
				t.Errorf("state %s by %s, want %s by U%d", got.State, got.DecidedBy, want, winner)
			}
			for g, err := range errs {
				var ce *store.ConflictError
				if g != winner && (!errors.As(err, &ce) || ce.Current != want) {
					t.Errorf("goroutine %d: err %v does not report current state %s", g, err, want)
				}
			}
		})
	}
}

func testProposalFields(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	c := mustCase(t, s, store.Case{OrderID: "SO-9"})
	p := store.Proposal{
		CaseID: c.ID, Rank: 2, State: store.Approved, DecidedBy: "ignored",
		Action: connectors.Action{Type: connectors.ActAllocateFromSite, OrderID: "SO-9",
			Args: connectors.Args{"site": "DC2", "lines": []any{1.0, 3.0}}},
		Outcome: "approval", Role: "logistics_supervisor", Rule: "allocate.freight", Reason: "added freight 180.00",
	}
	if err := s.CreateProposal(ctx, &p); err != nil {
		t.Fatalf("CreateProposal: %v", err)
	}
	if p.ID == "" || p.State != store.Pending || p.DecidedBy != "" || p.OrderID != "SO-9" || p.Action.ID != p.ID {
		t.Fatalf("CreateProposal did not normalise: %+v", p)
	}
	other := mustProposal(t, s, c.ID, 1)
	if other.ID == p.ID {
		t.Fatal("two proposals got the same id")
	}
	if err := s.SetProposalSlack(ctx, p.ID, "C0123", "1712345678.000100"); err != nil {
		t.Fatalf("SetProposalSlack: %v", err)
	}
	wantErr(t, "SetProposalSlack missing", s.SetProposalSlack(ctx, "p_missing", "C", "1"), store.ErrNotFound)
	got, err := s.GetProposal(ctx, p.ID)
	if err != nil {
		t.Fatalf("GetProposal: %v", err)
	}
	p.SlackChannel, p.SlackTS = "C0123", "1712345678.000100"
	if !reflect.DeepEqual(*got, p) {
		t.Errorf("GetProposal =\n%+v\nwant\n%+v", *got, p)
	}
	list, err := s.ListProposals(ctx, c.ID)
	if err != nil {
		t.Fatalf("ListProposals: %v", err)
	}
	if len(list) != 2 || list[0].ID != other.ID || list[1].ID != p.ID {
		t.Errorf("ListProposals not by rank: %+v", list)
	}
	_, err = s.GetProposal(ctx, "p_missing")
	wantErr(t, "GetProposal missing", err, store.ErrNotFound)
	bad := store.Proposal{CaseID: "c_missing", Action: connectors.Action{Type: "escalate"}}
	wantErr(t, "proposal for unknown case", s.CreateProposal(ctx, &bad), store.ErrNotFound)
}

func testExecutionOnce(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	c := mustCase(t, s, store.Case{OrderID: "SO-1"})
	p := mustProposal(t, s, c.ID, 0)
	if err := s.Transition(ctx, p.ID, store.Pending, store.Approved, "U1", ""); err != nil {
		t.Fatal(err)
	}
	e := store.Execution{ProposalID: p.ID, CaseID: c.ID, Action: p.Action, By: "executor"}
	if err := s.RecordExecution(ctx, &e); err != nil {
		t.Fatalf("RecordExecution: %v", err)
	}
	again := e
	wantErr(t, "second RecordExecution", s.RecordExecution(ctx, &again), store.ErrAlreadyExecuted)
	if err := s.FinishExecution(ctx, p.ID, store.ExecSucceeded, json.RawMessage(`{"erp":"ok"}`), ""); err != nil {
		t.Fatalf("FinishExecution: %v", err)
	}
	got, err := s.GetExecution(ctx, p.ID)
	if err != nil {
		t.Fatalf("GetExecution: %v", err)
	}
	if got.Status != store.ExecSucceeded || got.By != "executor" || got.FinishedAt.IsZero() || got.Action.Type != p.Action.Type {
		t.Errorf("GetExecution = %+v", got)
	}
	sameJSON(t, "execution result", got.Result, json.RawMessage(`{"erp":"ok"}`))
	_, err = s.GetExecution(ctx, "p_missing")
	wantErr(t, "GetExecution missing", err, store.ErrNotFound)
	wantErr(t, "FinishExecution missing", s.FinishExecution(ctx, "p_missing", store.ExecFailed, nil, "x"), store.ErrNotFound)

	// Racing executors: exactly one records.
	c2 := mustCase(t, s, store.Case{OrderID: "SO-2"})
	p2 := mustProposal(t, s, c2.ID, 1)
	const n = 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, dup := 0, 0
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := store.Execution{ProposalID: p2.ID, CaseID: c2.ID, Action: p2.Action, By: fmt.Sprintf("replica-%d", g)}
			err := s.RecordExecution(ctx, &e)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrAlreadyExecuted):
				dup++
			default:
				t.Errorf("RecordExecution: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || dup != n-1 {
		t.Errorf("racing RecordExecution: %d recorded, %d already executed; want 1 and %d", ok, dup, n-1)
	}
}

func testPendingSurviveReopen(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	c := mustCase(t, s, store.Case{OrderID: "SO-1", Summary: "survives"})
	var pending []store.Proposal
	for i := range 3 {
		pending = append(pending, mustProposal(t, s, c.ID, i))
	}
	if err := s.Transition(ctx, pending[1].ID, store.Pending, store.Rejected, "U1", "no"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetProposalSlack(ctx, pending[2].ID, "C1", "123.456"); err != nil {
		t.Fatal(err)
	}
	pending[2].SlackChannel, pending[2].SlackTS = "C1", "123.456"
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s2 := open(t)
	got, err := s2.ListPendingProposals(ctx)
	if err != nil {
		t.Fatalf("ListPendingProposals after reopen: %v", err)
	}
	want := []store.Proposal{pending[0], pending[2]}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pending after reopen =\n%+v\nwant\n%+v", got, want)
	}
	if cs, err := s2.GetCase(ctx, c.ID); err != nil || cs.Summary != "survives" {
		t.Errorf("case after reopen: %+v, %v", cs, err)
	}
	if err := s2.Transition(ctx, pending[0].ID, store.Pending, store.Approved, "U2", ""); err != nil {
		t.Errorf("approve after reopen: %v", err)
	}
	approved, err := s2.ListApprovedProposals(ctx)
	if err != nil || len(approved) != 1 || approved[0].ID != pending[0].ID || approved[0].DecidedBy != "U2" {
		t.Errorf("approved, not yet executed: %+v, %v; want %s", approved, err, pending[0].ID)
	}
	if err := s2.Transition(ctx, pending[0].ID, store.Approved, store.Executed, "U2", ""); err != nil {
		t.Fatal(err)
	}
	if approved, err := s2.ListApprovedProposals(ctx); err != nil || len(approved) != 0 {
		t.Errorf("an executed proposal is no longer waiting: %+v, %v", approved, err)
	}
}
