package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/store"
)

// The case lifecycle's guarantees that live in the schema: one open case
// per order, one business effect per case, and writes that commit
// together.

func testOneOpenCasePerOrder(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	first := mustCase(t, s, store.Case{OrderID: "SO-7"})
	second := store.Case{OrderID: "SO-7"}
	err := s.CreateCase(ctx, &second)
	wantErr(t, "a second open case", err, store.ErrOpenCase)
	if errors.Is(err, store.ErrDuplicate) {
		t.Errorf("a second open case is not a duplicate id: %v", err)
	}
	closed := store.Case{OrderID: "SO-7", Status: store.CaseClosed}
	if err := s.CreateCase(ctx, &closed); err != nil {
		t.Fatalf("a closed case beside an open one: %v", err)
	}
	if err := s.ResolveCase(ctx, first.ID, store.Resolution{Resolution: "done", By: "u"}); err != nil {
		t.Fatal(err)
	}
	third := store.Case{OrderID: "SO-7"}
	if err := s.CreateCase(ctx, &third); err != nil {
		t.Fatalf("an open case once the first is resolved: %v", err)
	}
	other := store.Case{OrderID: "SO-8"}
	if err := s.CreateCase(ctx, &other); err != nil {
		t.Fatalf("an open case of another order: %v", err)
	}
}

func testFindCaseEvent(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	c := mustCase(t, s, store.Case{OrderID: "SO-1"})
	e := store.CaseEvent{CaseID: c.ID, EventID: "evt-1", Kind: "event.opened", Actor: "erp", Data: json.RawMessage(`{"x":1}`)}
	if err := s.AppendCaseEvent(ctx, &e); err != nil {
		t.Fatal(err)
	}
	got, err := s.FindCaseEvent(ctx, "evt-1")
	if err != nil {
		t.Fatalf("FindCaseEvent: %v", err)
	}
	if got.CaseID != c.ID || got.Kind != "event.opened" || got.Seq != e.Seq || got.Actor != "erp" {
		t.Errorf("FindCaseEvent = %+v, want the event appended to %s", got, c.ID)
	}
	_, err = s.FindCaseEvent(ctx, "evt-unknown")
	wantErr(t, "FindCaseEvent unknown", err, store.ErrNotFound)
}

func testTxCommitsTogether(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	var caseID, propID string
	err := s.InTx(ctx, func(tx store.Tx) error {
		c := store.Case{OrderID: "SO-TX", Class: "credit_hold"}
		if err := tx.CreateCase(ctx, &c); err != nil {
			return err
		}
		caseID = c.ID
		if err := tx.AppendCaseEvent(ctx, &store.CaseEvent{CaseID: c.ID, EventID: "evt-tx", Kind: "event.opened"}); err != nil {
			return err
		}
		p := store.Proposal{CaseID: c.ID, OrderID: "SO-TX", Rank: 1,
			Action: connectors.Action{Type: connectors.ActNotifyCustomer, Args: connectors.Args{"message": "hi"}}, Outcome: "auto"}
		if err := tx.CreateProposal(ctx, &p); err != nil {
			return err
		}
		propID = p.ID
		// Reads in the transaction see its own writes.
		if got, err := tx.GetCase(ctx, c.ID); err != nil || got.OrderID != "SO-TX" {
			return fmt.Errorf("read own write: %v %v", got, err)
		}
		for i := range 3 {
			if err := tx.AppendAudit(ctx, &store.AuditEntry{Actor: "exdesk", Kind: fmt.Sprintf("k%d", i), CaseID: c.ID}); err != nil {
				return err
			}
		}
		return tx.EnqueueOutbox(ctx, &store.OutboxMessage{CaseID: c.ID, Kind: store.OutboxCasePost, Data: json.RawMessage(`{}`)})
	})
	if err != nil {
		t.Fatalf("InTx: %v", err)
	}
	if _, err := s.GetCase(ctx, caseID); err != nil {
		t.Errorf("case after commit: %v", err)
	}
	if _, err := s.GetProposal(ctx, propID); err != nil {
		t.Errorf("proposal after commit: %v", err)
	}
	trail, err := s.AuditTrail(ctx, caseID)
	if err != nil || len(trail) != 3 {
		t.Fatalf("audit trail after commit: %d entries, %v", len(trail), err)
	}
	for i, e := range trail {
		if e.Kind != fmt.Sprintf("k%d", i) {
			t.Errorf("audit entry %d is %s: entries keep the order they were appended in", i, e.Kind)
		}
	}
	if b, err := s.VerifyAudit(ctx); err != nil || b != nil {
		t.Errorf("chain after a transaction: %v %v", b, err)
	}
	if n, err := s.OutboxBacklog(ctx); err != nil || n != 1 {
		t.Errorf("outbox backlog = %d, %v; want 1", n, err)
	}
}

func testTxRollsBack(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	existing := mustCase(t, s, store.Case{OrderID: "SO-RB"})
	boom := errors.New("boom")
	var caseID string
	err := s.InTx(ctx, func(tx store.Tx) error {
		c := store.Case{OrderID: "SO-RB2"}
		if err := tx.CreateCase(ctx, &c); err != nil {
			return err
		}
		caseID = c.ID
		if err := tx.AppendAudit(ctx, &store.AuditEntry{Actor: "exdesk", Kind: "case.opened", CaseID: c.ID}); err != nil {
			return err
		}
		if err := tx.EnqueueOutbox(ctx, &store.OutboxMessage{CaseID: c.ID, Kind: store.OutboxCasePost}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want fn's error", err)
	}
	_, err = s.GetCase(ctx, caseID)
	wantErr(t, "case of a rolled-back transaction", err, store.ErrNotFound)
	if trail, _ := s.AuditTrail(ctx, caseID); len(trail) != 0 {
		t.Errorf("audit of a rolled-back transaction: %d entries", len(trail))
	}
	if n, _ := s.OutboxBacklog(ctx); n != 0 {
		t.Errorf("outbox of a rolled-back transaction: %d messages", n)
	}
	// A store error inside rolls back what came before it.
	err = s.InTx(ctx, func(tx store.Tx) error {
		c := store.Case{OrderID: "SO-RB3"}
		if err := tx.CreateCase(ctx, &c); err != nil {
			return err
		}
		caseID = c.ID
		second := store.Case{OrderID: existing.OrderID}
		return tx.CreateCase(ctx, &second)
	})
	wantErr(t, "second open case in a transaction", err, store.ErrOpenCase)
	_, err = s.GetCase(ctx, caseID)
	wantErr(t, "case written before the failing statement", err, store.ErrNotFound)
	if b, err := s.VerifyAudit(ctx); err != nil || b != nil {
		t.Errorf("chain after rollbacks: %v %v", b, err)
	}
}

func testEffectOnce(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	c := mustCase(t, s, store.Case{OrderID: "SO-1"})
	a := connectors.Action{Type: connectors.ActAllocateFromSite, OrderID: "SO-1", Args: connectors.Args{"site": "DC-2", "lines": []int{1}}}
	newProp := func(rank int, act connectors.Action) store.Proposal {
		t.Helper()
		p := store.Proposal{CaseID: c.ID, OrderID: "SO-1", Rank: rank, Action: act, Outcome: "auto"}
		if err := s.CreateProposal(ctx, &p); err != nil {
			t.Fatal(err)
		}
		if p.ActionKey != act.Key() {
			t.Errorf("proposal action key = %q, want %q", p.ActionKey, act.Key())
		}
		return p
	}
	p1, p2 := newProp(1, a), newProp(2, a)
	before := store.Now().Add(-time.Second)
	e1 := store.Execution{ProposalID: p1.ID, CaseID: c.ID, Action: p1.Action, By: "policy"}
	if err := s.RecordExecution(ctx, &e1); err != nil {
		t.Fatal(err)
	}
	// The same effect under another proposal of the same case is refused.
	e2 := store.Execution{ProposalID: p2.ID, CaseID: c.ID, Action: p2.Action, By: "policy"}
	wantErr(t, "same effect under a second proposal", s.RecordExecution(ctx, &e2), store.ErrAlreadyExecuted)
	// Once the first failed, the effect may be tried again.
	if err := s.FinishExecution(ctx, p1.ID, store.ExecFailed, nil, "connector down"); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordExecution(ctx, &e2); err != nil {
		t.Fatalf("same effect after a failure: %v", err)
	}
	other := connectors.Action{Type: connectors.ActNotifyCustomer, OrderID: "SO-1", Args: connectors.Args{"message": "x"}}
	p3 := newProp(3, other)
	if err := s.RecordExecution(ctx, &store.Execution{ProposalID: p3.ID, CaseID: c.ID, Action: p3.Action, By: "U1"}); err != nil {
		t.Fatalf("another effect in the same case: %v", err)
	}

	got, err := s.OrderExecutions(ctx, "SO-1", before)
	if err != nil {
		t.Fatalf("OrderExecutions: %v", err)
	}
	var keys []string
	for _, e := range got {
		keys = append(keys, e.ActionKey)
		if e.OrderID != "SO-1" {
			t.Errorf("execution order = %q", e.OrderID)
		}
	}
	if len(got) != 2 || keys[0] != a.Key() || keys[1] != other.Key() {
		t.Errorf("OrderExecutions = %v, want the allocation (retried) and the notification, not the failed try", keys)
	}
	if later, _ := s.OrderExecutions(ctx, "SO-1", store.Now().Add(time.Hour)); len(later) != 0 {
		t.Errorf("OrderExecutions after the window: %d", len(later))
	}
	if none, _ := s.OrderExecutions(ctx, "SO-2", before); len(none) != 0 {
		t.Errorf("OrderExecutions of another order: %d", len(none))
	}
}

func testCreatedSettled(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	c := mustCase(t, s, store.Case{OrderID: "SO-1"})
	for _, st := range []store.State{store.Rejected, store.Expired} {
		p := store.Proposal{CaseID: c.ID, Rank: 1, Action: connectors.Action{Type: connectors.ActCancelOrder, OrderID: "SO-1",
			Args: connectors.Args{"reason": string(st)}}, Outcome: "blocked", State: st, DecidedBy: "policy", Note: "the order has shipped"}
		if err := s.CreateProposal(ctx, &p); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetProposal(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != st || got.DecidedBy != "policy" || got.Note != "the order has shipped" || got.DecidedAt.IsZero() {
			t.Errorf("proposal created %s = %+v", st, got)
		}
	}
	// Without a decider it is pending, whatever it says.
	p := store.Proposal{CaseID: c.ID, Rank: 1, Action: connectors.Action{Type: connectors.ActPartialShip}, State: store.Rejected}
	if err := s.CreateProposal(ctx, &p); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetProposal(ctx, p.ID); got.State != store.Pending {
		t.Errorf("a rejected proposal without a decider was stored %s", got.State)
	}
}

func testSupersede(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	c := mustCase(t, s, store.Case{OrderID: "SO-1"})
	old := mustProposal(t, s, c.ID, 1)
	repl := mustProposal(t, s, c.ID, 1)
	if err := s.SupersedeProposal(ctx, old.ID, "policy", "the guard now requires finance_director", repl.ID); err != nil {
		t.Fatalf("SupersedeProposal: %v", err)
	}
	got, err := s.GetProposal(ctx, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.Expired || got.SupersededBy != repl.ID || got.Note != "the guard now requires finance_director" ||
		got.DecidedBy != "policy" || got.DecidedAt.IsZero() {
		t.Errorf("superseded proposal = %+v", got)
	}
	err = s.SupersedeProposal(ctx, old.ID, "policy", "again", "")
	var ce *store.ConflictError
	if !errors.As(err, &ce) || ce.Current != store.Expired {
		t.Errorf("superseding twice: %v, want a conflict naming the expired state", err)
	}
	wantErr(t, "superseding an unknown proposal", s.SupersedeProposal(ctx, "p_missing", "policy", "x", ""), store.ErrNotFound)
	// An approved proposal is no longer superseded: the click won.
	if err := s.Transition(ctx, repl.ID, store.Pending, store.Approved, "U1", ""); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "superseding an approved proposal", s.SupersedeProposal(ctx, repl.ID, "policy", "x", ""), store.ErrConflict)
}

func testOutbox(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	enqueue := func(caseID, kind string) int64 {
		t.Helper()
		m := store.OutboxMessage{CaseID: caseID, Kind: kind, Data: json.RawMessage(`{"case":"` + caseID + `"}`)}
		if err := s.EnqueueOutbox(ctx, &m); err != nil {
			t.Fatalf("EnqueueOutbox: %v", err)
		}
		return m.ID
	}
	wantErr(t, "enqueue without a case", s.EnqueueOutbox(ctx, &store.OutboxMessage{Kind: "x"}), store.ErrInvalid)
	a1 := enqueue("A", store.OutboxCasePost)
	b1 := enqueue("B", store.OutboxCasePost)
	a2 := enqueue("A", store.OutboxCaseNote)
	c1 := enqueue("C", store.OutboxCasePost)

	// One case at a time: all of A's messages, in order.
	got, err := s.ClaimOutbox(ctx, "r1", time.Minute, 1)
	if err != nil {
		t.Fatalf("ClaimOutbox: %v", err)
	}
	if ids := outboxIDs(got); fmt.Sprint(ids) != fmt.Sprint([]int64{a1, a2}) {
		t.Fatalf("first claim = %v, want case A's messages %v", ids, []int64{a1, a2})
	}
	// Another replica gets the other cases, never A's while r1 holds it.
	a3 := enqueue("A", store.OutboxCaseRefresh)
	got, err = s.ClaimOutbox(ctx, "r2", time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if ids := outboxIDs(got); fmt.Sprint(ids) != fmt.Sprint([]int64{b1, c1}) {
		t.Fatalf("second replica claimed %v, want %v (case A is held by r1)", ids, []int64{b1, c1})
	}
	if err := s.AckOutbox(ctx, a1, "r2"); !errors.As(err, new(*store.LeaseError)) {
		t.Errorf("ack by a replica that does not hold the message: %v", err)
	}
	for _, id := range []int64{a1, a2} {
		if err := s.AckOutbox(ctx, id, "r1"); err != nil {
			t.Fatalf("AckOutbox: %v", err)
		}
	}
	if err := s.AckOutbox(ctx, a1, "r1"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second ack: %v, want a lease conflict", err)
	}
	// r1 still holds A's lease window: its new message is claimable by r1.
	got, _ = s.ClaimOutbox(ctx, "r1", time.Minute, 10)
	if ids := outboxIDs(got); fmt.Sprint(ids) != fmt.Sprint([]int64{a3}) {
		t.Fatalf("r1's next claim = %v, want %v", ids, []int64{a3})
	}
	// A failed delivery comes back after its retry time, counted.
	if err := s.RetryOutbox(ctx, a3, "r1", "slack: channel_not_found", store.Now().Add(time.Hour)); err != nil {
		t.Fatalf("RetryOutbox: %v", err)
	}
	if got, _ := s.ClaimOutbox(ctx, "r3", time.Minute, 10); len(got) != 0 {
		t.Fatalf("a message retried later was claimed early: %v", outboxIDs(got))
	}
	if err := s.RetryOutbox(ctx, b1, "r2", "timeout", store.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	got, _ = s.ClaimOutbox(ctx, "r3", time.Minute, 10)
	if len(got) != 1 || got[0].ID != b1 || got[0].Attempts != 1 || got[0].Error != "timeout" {
		t.Fatalf("retried message = %+v", got)
	}
	// A lease that ran out goes to whoever claims next.
	if err := s.RetryOutbox(ctx, b1, "r3", "x", store.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ClaimOutbox(ctx, "r4", -time.Second, 10); len(got) != 1 || got[0].ID != b1 {
		t.Fatalf("claim with an expired lease: %v", outboxIDs(got))
	}
	if got, _ := s.ClaimOutbox(ctx, "r5", time.Minute, 10); len(got) != 1 || got[0].ID != b1 {
		t.Fatalf("a message whose lease ran out was not reclaimed: %v", outboxIDs(got))
	}
	if n, err := s.OutboxBacklog(ctx); err != nil || n != 3 {
		t.Errorf("backlog = %d, %v; want 3 (a3, b1, c1)", n, err)
	}
}

// testOutboxConcurrent: replicas draining at once deliver every message
// exactly once.
func testOutboxConcurrent(t *testing.T, open func(*testing.T) store.Store) {
	s := open(t)
	ctx := ctxFor(t)
	const cases, per = 30, 3
	for i := range cases * per {
		m := store.OutboxMessage{CaseID: fmt.Sprintf("case-%02d", i%cases), Kind: store.OutboxCaseNote}
		if err := s.EnqueueOutbox(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	delivered := map[int64]int{}
	perCase := map[string][]int64{}
	var wg sync.WaitGroup
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprint("replica-", r)
			for {
				got, err := s.ClaimOutbox(ctx, owner, time.Minute, 3)
				if err != nil {
					t.Errorf("ClaimOutbox: %v", err)
					return
				}
				if len(got) == 0 {
					return
				}
				for _, m := range got {
					if err := s.AckOutbox(ctx, m.ID, owner); err != nil {
						t.Errorf("AckOutbox: %v", err)
						return
					}
					mu.Lock()
					delivered[m.ID]++
					perCase[m.CaseID] = append(perCase[m.CaseID], m.ID)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if len(delivered) != cases*per {
		t.Errorf("%d messages delivered, want %d", len(delivered), cases*per)
	}
	for id, n := range delivered {
		if n != 1 {
			t.Errorf("message %d delivered %d times", id, n)
		}
	}
	for c, ids := range perCase {
		if !sort.SliceIsSorted(ids, func(i, j int) bool { return ids[i] < ids[j] }) {
			t.Errorf("case %s's messages delivered out of order: %v", c, ids)
		}
	}
}

func outboxIDs(ms []store.OutboxMessage) []int64 {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}
