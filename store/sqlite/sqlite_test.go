package sqlite_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/sqlite"
	"github.com/exdesk/exdesk/store/storetest"
)

// paths gives every test its own database file, the same one each time
// the test opens it.
type paths struct {
	mu sync.Mutex
	m  map[string]string
}

func (p *paths) of(t *testing.T) string {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[string]string{}
	}
	if path, ok := p.m[t.Name()]; ok {
		return path
	}
	path := filepath.Join(t.TempDir(), "exdesk.db")
	p.m[t.Name()] = path
	return path
}

// harness wraps the store with raw access for the audit tampering tests.
type harness struct {
	*sqlite.Store
}

var _ storetest.AuditTamperer = harness{}

// unguarded runs fn in a transaction with the append-only triggers
// dropped, and restores them.
func (h harness) unguarded(ctx context.Context, stmts ...string) error {
	all := append([]string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}, stmts...)
	all = append(all,
		`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`,
		`CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`)
	tx, err := h.DB().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	for _, s := range all {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return tx.Commit()
}

func (h harness) TamperAuditData(ctx context.Context, seq int64, data string) error {
	return h.unguarded(ctx, fmt.Sprintf(`UPDATE audit_log SET data = '%s' WHERE seq = %d`, data, seq))
}

func (h harness) DeleteAuditRow(ctx context.Context, seq int64) error {
	return h.unguarded(ctx, fmt.Sprintf(`DELETE FROM audit_log WHERE seq = %d`, seq))
}

func (h harness) SwapAuditSeq(ctx context.Context, a, b int64) error {
	return h.unguarded(ctx,
		fmt.Sprintf(`UPDATE audit_log SET seq = -1 WHERE seq = %d`, a),
		fmt.Sprintf(`UPDATE audit_log SET seq = %d WHERE seq = %d`, a, b),
		fmt.Sprintf(`UPDATE audit_log SET seq = %d WHERE seq = -1`, b))
}

func (h harness) RewriteAuditRow(ctx context.Context, e store.AuditEntry) error {
	return h.unguarded(ctx, fmt.Sprintf(`UPDATE audit_log SET at = %d, actor = '%s', kind = '%s', case_id = '%s',
		proposal_id = '%s', rule = '%s', outcome = '%s', data = '%s', prev_hash = '%s', hash = '%s' WHERE seq = %d`,
		e.At.UnixMicro(), e.Actor, e.Kind, e.CaseID, e.ProposalID, e.Rule, e.Outcome, e.Data, e.PrevHash, e.Hash, e.Seq))
}

func (h harness) SetAuditHead(ctx context.Context, head store.AuditHead) error {
	_, err := h.DB().ExecContext(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, head.Seq, head.Hash)
	return err
}

func TestConformanceFile(t *testing.T) {
	var p paths
	storetest.Run(t, func(t *testing.T) store.Store {
		t.Helper()
		s, err := sqlite.Open(context.Background(), p.of(t), sqlite.Options{})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return harness{s}
	})
}

func TestMigrations(t *testing.T) {
	var p paths
	ms, err := sqlite.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Fatalf("%d migrations; the upgrade test needs at least 2", len(ms))
	}
	storetest.RunMigrations(t, len(ms), func(t *testing.T) storetest.Migratable {
		t.Helper()
		s, err := sqlite.Open(context.Background(), p.of(t), sqlite.Options{NoMigrate: true})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

// "" and ":memory:" open a private temporary database: two are apart, it
// holds more than SQLite's page cache (what does not fit is spilled to a
// deleted temporary file), and it leaves no file behind in the working
// directory.
func TestInMemory(t *testing.T) {
	ctx := context.Background()
	before, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"", ":memory:"} {
		t.Run(fmt.Sprintf("%q", path), func(t *testing.T) {
			s, err := sqlite.Open(ctx, path, sqlite.Options{})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer s.Close()
			other, err := sqlite.Open(ctx, path, sqlite.Options{})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer other.Close()
			if s.Path() != ":memory:" {
				t.Errorf("Path() = %q, want :memory:", s.Path())
			}
			doc, _ := json.Marshal(map[string]string{"evidence": strings.Repeat("x", 16<<10)})
			var first store.Case
			for i := range 300 { // about 5 MB, more than the 2 MB page cache
				c := store.Case{OrderID: fmt.Sprintf("SO-%d", i), Document: doc}
				if err := s.CreateCase(ctx, &c); err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					first = c
				}
			}
			got, err := s.GetCase(ctx, first.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Document, doc) {
				t.Errorf("the first case's document came back changed (%d bytes)", len(got.Document))
			}
			if _, err := other.GetCase(ctx, first.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("another temporary store sees the case: err = %v, want ErrNotFound", err)
			}
		})
	}
	after, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("the working directory went from %d to %d entries", len(before), len(after))
	}
}

// The store file and its WAL are readable by their owner only.
func TestFileIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "exdesk.db")
	s, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := store.Case{OrderID: "SO-1"}
	if err := s.CreateCase(context.Background(), &c); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if perm := st.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(f), perm)
		}
	}
}

func TestAuditKeyed(t *testing.T) {
	var p paths
	storetest.RunAudit(t, func(t *testing.T, o storetest.AuditOptions) (store.Store, error) {
		t.Helper()
		s, err := sqlite.Open(context.Background(), p.of(t), sqlite.Options{AuditKey: o.Key, AuditCheckpoint: o.Checkpoint})
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { _ = s.Close() })
		return harness{s}, nil
	})
}

// TestDefaultKeyFile: without a configured key a file database keeps its
// key in a 0600 file beside it, and refuses a log whose key file is gone.
func TestDefaultKeyFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "exdesk.db")
	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(sqlite.KeyFile(path))
	if err != nil {
		t.Fatalf("no key file beside the database: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	key, err := store.ReadAuditKeyFile(sqlite.KeyFile(path))
	if err != nil {
		t.Fatal(err)
	}
	e := store.AuditEntry{Actor: "policy", Kind: "proposal.decided", Data: json.RawMessage(`{"a":1}`)}
	if err := s.AppendAudit(ctx, &e); err != nil {
		t.Fatal(err)
	}
	if want, _ := store.AuditHash(key, "", &e); e.Hash != want {
		t.Errorf("row hashed with %s, not with the key in the key file", e.Hash)
	}
	_ = s.Close()

	s, err = sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := s.VerifyAudit(ctx); err != nil || b != nil {
		t.Fatalf("VerifyAudit after reopening = %v, %v", b, err)
	}
	_ = s.Close()

	// A given key wins over the key file.
	s, err = sqlite.Open(ctx, path, sqlite.Options{AuditKey: storetest.NewAuditKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := s.VerifyAudit(ctx); err != nil || b == nil || b.Seq != 1 {
		t.Fatalf("VerifyAudit under another given key = %v, %v; want row 1 broken", b, err)
	}
	_ = s.Close()

	if err := os.Remove(sqlite.KeyFile(path)); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Open(ctx, path, sqlite.Options{}); !errors.Is(err, store.ErrNoAuditKey) {
		t.Fatalf("Open of a log with rows whose key file is gone = %v, want ErrNoAuditKey", err)
	}
	if _, err := os.Stat(sqlite.KeyFile(path)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a new key file was made for a log that has rows: %v", err)
	}
}

func TestMustExist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.db")
	_, err := sqlite.Open(context.Background(), path, sqlite.Options{MustExist: true})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open(MustExist) of a missing file = %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(MustExist) created %s", path)
	}
	if _, err := sqlite.Open(context.Background(), ":memory:", sqlite.Options{MustExist: true}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(MustExist) of :memory: = %v, want fs.ErrNotExist", err)
	}
}
