package storetest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/exdesk/exdesk/store"
)

// AuditOptions are what RunAudit opens a store with.
type AuditOptions struct {
	Key        store.AuditKey
	Checkpoint string // checkpoint file; "" for none
}

// OpenAudit opens the test's store (the same database on every call
// within one test) with opts. It returns Open's error rather than failing
// the test, so the suite can check what Open refuses. The store it returns
// must implement AuditTamperer.
type OpenAudit func(t *testing.T, opts AuditOptions) (store.Store, error)

// NewAuditKey returns a random audit key for a test.
func NewAuditKey(t testing.TB) store.AuditKey {
	t.Helper()
	b := make([]byte, store.MinAuditKeyBytes)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	k, err := store.NewAuditKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// RunAudit runs the keyed audit-chain suite: rows rewritten with the chain
// recomputed without the key (or with another) fail verification at the
// rewritten row, another key fails at row 1, and deleting the newest rows
// with the head moved back is caught by the checkpoint file, which also
// stops further appends.
func RunAudit(t *testing.T, open OpenAudit) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, OpenAudit)
	}{
		{"RewrittenChainUnkeyed", testAuditRewrittenUnkeyed},
		{"RewrittenChainOtherKey", testAuditRewrittenOtherKey},
		{"VerifyUnderAnotherKey", testAuditAnotherKey},
		{"ReopenSameKey", testAuditReopen},
		{"CheckpointFollowsAppends", testCheckpointFollows},
		{"CheckpointAfterCommitOnly", testCheckpointTx},
		{"DeleteNewestAndRewindHead", testCheckpointRewind},
		{"CheckpointMissing", testCheckpointMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

func mustOpenAudit(t *testing.T, open OpenAudit, opts AuditOptions) (store.Store, AuditTamperer) {
	t.Helper()
	s, err := open(t, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	tam, ok := s.(AuditTamperer)
	if !ok {
		t.Fatal("RunAudit needs a store that implements storetest.AuditTamperer")
	}
	return s, tam
}

func wantBreak(t *testing.T, s store.Store, kind store.BreakKind, seq int64) *store.AuditBreak {
	t.Helper()
	b, err := s.VerifyAudit(ctxFor(t))
	if err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
	if b == nil {
		t.Fatalf("VerifyAudit found nothing, want %s at row %d", kind, seq)
	}
	if b.Kind != kind || b.Seq != seq {
		t.Fatalf("VerifyAudit = %s, want %s at row %d", b, kind, seq)
	}
	return b
}

func wantIntact(t *testing.T, s store.Store, what string) {
	t.Helper()
	if b, err := s.VerifyAudit(ctxFor(t)); err != nil || b != nil {
		t.Fatalf("VerifyAudit %s = %v, %v; want intact", what, b, err)
	}
}

// rewriteFrom changes row seq's outcome and data, recomputes that row and
// every later one with hash, and moves the head: what someone who can
// write the database does to hide a decision.
func rewriteFrom(t *testing.T, s store.Store, tam AuditTamperer, seq int64, hash func(prev string, e *store.AuditEntry) string) {
	t.Helper()
	ctx := ctxFor(t)
	rows, err := s.AuditTrail(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	prev := ""
	for i := range rows {
		r := &rows[i]
		if r.Seq < seq {
			prev = r.Hash
			continue
		}
		if r.Seq == seq {
			r.Outcome = "auto"
			r.Data = json.RawMessage(`{"total":1.00}`)
		}
		r.PrevHash = prev
		r.Hash = hash(prev, r)
		prev = r.Hash
		if err := tam.RewriteAuditRow(ctx, *r); err != nil {
			t.Fatalf("rewrite row %d: %v", r.Seq, err)
		}
	}
	if err := tam.SetAuditHead(ctx, store.AuditHead{Seq: rows[len(rows)-1].Seq, Hash: prev}); err != nil {
		t.Fatalf("move head: %v", err)
	}
}

func unkeyed(t *testing.T) func(string, *store.AuditEntry) string {
	return func(prev string, e *store.AuditEntry) string {
		content, err := store.AuditContent(e)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(append([]byte(prev), content...))
		return hex.EncodeToString(sum[:])
	}
}

func testAuditRewrittenUnkeyed(t *testing.T, open OpenAudit) {
	s, tam := mustOpenAudit(t, open, AuditOptions{Key: NewAuditKey(t)})
	appendAudit(t, s, 6, func(int) string { return "c_1" })
	rewriteFrom(t, s, tam, 3, unkeyed(t))
	wantBreak(t, s, store.BreakChanged, 3)
}

func testAuditRewrittenOtherKey(t *testing.T, open OpenAudit) {
	s, tam := mustOpenAudit(t, open, AuditOptions{Key: NewAuditKey(t)})
	appendAudit(t, s, 6, func(int) string { return "c_1" })
	other := NewAuditKey(t)
	rewriteFrom(t, s, tam, 4, func(prev string, e *store.AuditEntry) string {
		h, err := store.AuditHash(other, prev, e)
		if err != nil {
			t.Fatal(err)
		}
		return h
	})
	wantBreak(t, s, store.BreakChanged, 4)
}

func testAuditAnotherKey(t *testing.T, open OpenAudit) {
	s, _ := mustOpenAudit(t, open, AuditOptions{Key: NewAuditKey(t)})
	appendAudit(t, s, 3, func(int) string { return "c_1" })
	_ = s.Close()
	s2, _ := mustOpenAudit(t, open, AuditOptions{Key: NewAuditKey(t)})
	wantBreak(t, s2, store.BreakChanged, 1)
}

func testAuditReopen(t *testing.T, open OpenAudit) {
	key := NewAuditKey(t)
	s, _ := mustOpenAudit(t, open, AuditOptions{Key: key})
	appendAudit(t, s, 3, func(int) string { return "c_1" })
	_ = s.Close()
	s2, _ := mustOpenAudit(t, open, AuditOptions{Key: key})
	appendAudit(t, s2, 2, func(int) string { return "c_2" })
	wantIntact(t, s2, "after reopening with the same key")
	all, err := s2.AuditTrail(ctxFor(t), "")
	if err != nil || len(all) != 5 || all[3].PrevHash != all[2].Hash {
		t.Fatalf("trail after reopen: %d rows, %v; want 5 chained", len(all), err)
	}
}

func testCheckpointFollows(t *testing.T, open OpenAudit) {
	key := NewAuditKey(t)
	cpPath := filepath.Join(t.TempDir(), "audit.checkpoint")
	s, _ := mustOpenAudit(t, open, AuditOptions{Key: key, Checkpoint: cpPath})
	wantIntact(t, s, "of an empty log without its checkpoint yet")
	entries := appendAudit(t, s, 4, func(int) string { return "c_1" })
	cp, err := store.ReadAuditCheckpoint(cpPath, key)
	if err != nil {
		t.Fatalf("checkpoint after appends: %v", err)
	}
	if last := entries[len(entries)-1]; cp.Seq != last.Seq || cp.Hash != last.Hash {
		t.Fatalf("checkpoint = seq %d %s, want the head %d %s", cp.Seq, cp.Hash, last.Seq, last.Hash)
	}
	wantIntact(t, s, "with its checkpoint")
}

func testCheckpointRewind(t *testing.T, open OpenAudit) {
	key := NewAuditKey(t)
	cpPath := filepath.Join(t.TempDir(), "audit.checkpoint")
	s, tam := mustOpenAudit(t, open, AuditOptions{Key: key, Checkpoint: cpPath})
	entries := appendAudit(t, s, 6, func(int) string { return "c_1" })
	ctx := ctxFor(t)
	// Delete the two newest rows and move the head back to row 4: the
	// chain that is left is whole.
	for _, seq := range []int64{6, 5} {
		if err := tam.DeleteAuditRow(ctx, seq); err != nil {
			t.Fatal(err)
		}
	}
	if err := tam.SetAuditHead(ctx, store.AuditHead{Seq: 4, Hash: entries[3].Hash}); err != nil {
		t.Fatal(err)
	}
	blind, _ := mustOpenAudit(t, open, AuditOptions{Key: key})
	wantIntact(t, blind, "of the rewound log without a checkpoint (the chain alone cannot see it)")
	_ = blind.Close()

	s2, err := open(t, AuditOptions{Key: key, Checkpoint: cpPath})
	if err != nil {
		t.Fatalf("open with the checkpoint: %v", err)
	}
	b := wantBreak(t, s2, store.BreakDeleted, 5)
	t.Logf("rewind found: %s", b)
	// The store refuses to go on writing a chain that would hide the cut.
	e := store.AuditEntry{Actor: "x", Kind: "after.rewind"}
	if err := s2.AppendAudit(ctx, &e); !errors.Is(err, store.ErrAuditRewound) {
		t.Fatalf("AppendAudit after a rewind = %v, want ErrAuditRewound", err)
	}
	// So does the process that wrote the checkpoint and is still running.
	if err := s.AppendAudit(ctx, &e); !errors.Is(err, store.ErrAuditRewound) {
		t.Fatalf("AppendAudit after a rewind, by the writer of the checkpoint = %v, want ErrAuditRewound", err)
	}
}

func testCheckpointMissing(t *testing.T, open OpenAudit) {
	key := NewAuditKey(t)
	dir := t.TempDir()
	s, _ := mustOpenAudit(t, open, AuditOptions{Key: key})
	appendAudit(t, s, 2, func(int) string { return "c_1" })
	_ = s.Close()
	// A checkpoint configured for a log that has rows must exist: a
	// deleted checkpoint is not silently replaced by the current head.
	_, err := open(t, AuditOptions{Key: key, Checkpoint: filepath.Join(dir, "gone.checkpoint")})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("open with a missing checkpoint for a log of 2 rows = %v, want fs.ErrNotExist", err)
	}
}

// testCheckpointTx: entries appended inside InTx move the checkpoint once
// the transaction commits, and never when it rolls back (a checkpoint
// naming a row that was never committed would refuse every later append).
func testCheckpointTx(t *testing.T, open OpenAudit) {
	key := NewAuditKey(t)
	cpPath := filepath.Join(t.TempDir(), "audit.checkpoint")
	s, _ := mustOpenAudit(t, open, AuditOptions{Key: key, Checkpoint: cpPath})
	ctx := ctxFor(t)
	appendAudit(t, s, 1, func(int) string { return "c_1" })
	var last store.AuditEntry
	err := s.InTx(ctx, func(tx store.Tx) error {
		for i := range 2 {
			last = store.AuditEntry{Actor: "policy", Kind: "in.tx", CaseID: "c_1", Data: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))}
			if err := tx.AppendAudit(ctx, &last); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("InTx: %v", err)
	}
	cp, err := store.ReadAuditCheckpoint(cpPath, key)
	if err != nil || cp.Seq != 3 || cp.Hash != last.Hash {
		t.Fatalf("checkpoint after a committed InTx = %+v, %v; want row 3 %s", cp, err, last.Hash)
	}
	boom := errors.New("boom")
	err = s.InTx(ctx, func(tx store.Tx) error {
		e := store.AuditEntry{Actor: "policy", Kind: "rolled.back"}
		if err := tx.AppendAudit(ctx, &e); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	if cp, err := store.ReadAuditCheckpoint(cpPath, key); err != nil || cp.Seq != 3 {
		t.Fatalf("checkpoint after a rolled-back InTx = %+v, %v; want row 3", cp, err)
	}
	appendAudit(t, s, 1, func(int) string { return "c_1" })
	wantIntact(t, s, "after a rolled-back transaction")
}
