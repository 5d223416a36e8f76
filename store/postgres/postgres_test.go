package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"

	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/postgres"
	"github.com/exdesk/exdesk/store/storetest"
)

// schemas gives every test its own schema, the same one each time the test
// opens it, and drops it when the test ends.
type schemas struct {
	url   string
	admin *pgxpool.Pool
	run   string // random per test run, so concurrent runs never collide
	mu    sync.Mutex
	m     map[string]string
}

func newSchemas(t testing.TB) *schemas {
	t.Helper()
	url := storetest.PostgresURL(t)
	admin, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatalf("connect to %s: %v", url, err)
	}
	t.Cleanup(admin.Close)
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &schemas{url: url, admin: admin, run: hex.EncodeToString(b[:]), m: map[string]string{}}
}

func (s *schemas) of(t testing.TB) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if name, ok := s.m[t.Name()]; ok {
		return name
	}
	name := fmt.Sprintf("exdesk_test_%s_%d", s.run, len(s.m))
	s.m[t.Name()] = name
	t.Cleanup(func() {
		if _, err := s.admin.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return name
}

func (s *schemas) open(t testing.TB, opts postgres.Options) *postgres.Store {
	t.Helper()
	opts.Schema = s.of(t)
	st, err := postgres.Open(context.Background(), s.url, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// harness wraps the store with raw access for the audit tampering tests.
type harness struct {
	*postgres.Store
}

var _ storetest.AuditTamperer = harness{}

// unguarded runs stmts with the append-only triggers disabled.
func (h harness) unguarded(ctx context.Context, stmts ...string) error {
	return pgx.BeginFunc(ctx, h.Pool(), func(tx pgx.Tx) error {
		all := append([]string{`ALTER TABLE audit_log DISABLE TRIGGER USER`}, stmts...)
		all = append(all, `ALTER TABLE audit_log ENABLE TRIGGER USER`)
		for _, s := range all {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
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

func TestConformance(t *testing.T) {
	sc := newSchemas(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		t.Helper()
		return harness{sc.open(t, postgres.Options{})}
	})
}

func TestMigrations(t *testing.T) {
	sc := newSchemas(t)
	ms, err := postgres.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) < 2 {
		t.Fatalf("%d migrations; the upgrade test needs at least 2", len(ms))
	}
	storetest.RunMigrations(t, len(ms), func(t *testing.T) storetest.Migratable {
		t.Helper()
		return sc.open(t, postgres.Options{NoMigrate: true})
	})
}

func TestHNSWIndexUsed(t *testing.T) {
	sc := newSchemas(t)
	s := sc.open(t, postgres.Options{})
	ctx := context.Background()
	var plan string
	err := pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			return err
		}
		v := make([]float32, store.EmbeddingDim)
		v[0] = 1
		rows, err := tx.Query(ctx, `EXPLAIN SELECT case_id FROM case_memory ORDER BY embedding <=> $1::vector LIMIT 5`,
			pgvector.NewVector(v).String())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			plan += line + "\n"
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("explain: %v", err)
	}
	if !strings.Contains(plan, "case_memory_embedding") {
		t.Errorf("nearest-neighbour query does not use the HNSW index:\n%s", plan)
	}
}
