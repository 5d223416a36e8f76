package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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
	run   string         // random per test run, so concurrent runs never collide
	key   store.AuditKey // the audit key of every store opened
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
	return &schemas{url: url, admin: admin, run: hex.EncodeToString(b[:]), key: storetest.NewAuditKey(t), m: map[string]string{}}
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
	if opts.AuditKey.IsZero() && !opts.SchemaOnly {
		opts.AuditKey = s.key
	}
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
	owner *pgxpool.Pool // tampers through this pool when the store's role may not
}

var _ storetest.AuditTamperer = harness{}

func (h harness) raw() *pgxpool.Pool {
	if h.owner != nil {
		return h.owner
	}
	return h.Pool()
}

// unguarded runs stmts with the append-only triggers disabled.
func (h harness) unguarded(ctx context.Context, stmts ...string) error {
	return pgx.BeginFunc(ctx, h.raw(), func(tx pgx.Tx) error {
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

func (h harness) RewriteAuditRow(ctx context.Context, e store.AuditEntry) error {
	return pgx.BeginFunc(ctx, h.raw(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `ALTER TABLE audit_log DISABLE TRIGGER USER`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE audit_log SET at = $2, actor = $3, kind = $4, case_id = $5, proposal_id = $6,
			rule = $7, outcome = $8, data = $9::json, prev_hash = $10, hash = $11 WHERE seq = $1`,
			e.Seq, e.At, e.Actor, e.Kind, e.CaseID, e.ProposalID, e.Rule, e.Outcome, string(e.Data), e.PrevHash, e.Hash); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `ALTER TABLE audit_log ENABLE TRIGGER USER`)
		return err
	})
}

func (h harness) SetAuditHead(ctx context.Context, head store.AuditHead) error {
	_, err := h.raw().Exec(ctx, `UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, head.Seq, head.Hash)
	return err
}

func TestConformance(t *testing.T) {
	sc := newSchemas(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		t.Helper()
		return harness{Store: sc.open(t, postgres.Options{})}
	})
}

func TestAuditKeyed(t *testing.T) {
	sc := newSchemas(t)
	storetest.RunAudit(t, func(t *testing.T, o storetest.AuditOptions) (store.Store, error) {
		t.Helper()
		st, err := postgres.Open(context.Background(), sc.url, postgres.Options{Schema: sc.of(t), AuditKey: o.Key, AuditCheckpoint: o.Checkpoint})
		if err != nil {
			return nil, err
		}
		t.Cleanup(func() { _ = st.Close() })
		return harness{Store: st}, nil
	})
}

func TestAuditKeyRequired(t *testing.T) {
	sc := newSchemas(t)
	_, err := postgres.Open(context.Background(), sc.url, postgres.Options{Schema: sc.of(t)})
	if !errors.Is(err, store.ErrNoAuditKey) {
		t.Fatalf("Open without an audit key = %v, want ErrNoAuditKey", err)
	}
	// The owner migrating the schema needs no key, and can write no audit.
	st := sc.open(t, postgres.Options{SchemaOnly: true})
	e := store.AuditEntry{Actor: "x", Kind: "y"}
	if err := st.AppendAudit(context.Background(), &e); !errors.Is(err, store.ErrNoAuditKey) {
		t.Errorf("AppendAudit on a schema-only store = %v, want ErrNoAuditKey", err)
	}
	if _, err := st.VerifyAudit(context.Background()); !errors.Is(err, store.ErrNoAuditKey) {
		t.Errorf("VerifyAudit on a schema-only store = %v, want ErrNoAuditKey", err)
	}
}

// appRole creates a login role for the test, dropped when it ends.
func appRole(t *testing.T, sc *schemas) string {
	t.Helper()
	ctx := context.Background()
	role := "exdesk_app_" + sc.run
	id := pgx.Identifier{role}.Sanitize()
	if _, err := sc.admin.Exec(ctx, `CREATE ROLE `+id+` LOGIN`); err != nil {
		t.Fatalf("create role: %v", err)
	}
	t.Cleanup(func() {
		// Schemas are dropped before (cleanups run last first); what is
		// left are grants elsewhere, if any.
		if _, err := sc.admin.Exec(ctx, `DROP OWNED BY `+id); err != nil {
			t.Errorf("drop owned by %s: %v", role, err)
		}
		if _, err := sc.admin.Exec(ctx, `DROP ROLE `+id); err != nil {
			t.Errorf("drop role %s: %v", role, err)
		}
	})
	return role
}

// asRole returns the test database URL with another user.
func asRole(t *testing.T, dbURL, role string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("the app-role test needs a postgres:// URL, got %q", dbURL)
	}
	u.User = url.User(role)
	return u.String()
}

// openAsApp migrates the test's schema as the owner with grants for role,
// then opens it as role. It returns the application's store and the
// owner's.
func openAsApp(t *testing.T, sc *schemas, role string) (*postgres.Store, *postgres.Store) {
	t.Helper()
	owner := sc.open(t, postgres.Options{AppRole: role, SchemaOnly: true})
	app, err := postgres.Open(context.Background(), asRole(t, sc.url, role), postgres.Options{Schema: sc.of(t), AuditKey: sc.key})
	if err != nil {
		t.Fatalf("open as %s: %v", role, err)
	}
	t.Cleanup(func() { _ = app.Close() })
	return app, owner
}

// TestAppRoleCannotRewriteAudit: with a separate owner, the application's
// role can read and append the audit log but cannot change, delete, alter
// or drop it, or disable its triggers.
func TestAppRoleCannotRewriteAudit(t *testing.T) {
	sc := newSchemas(t)
	role := appRole(t, sc)
	app, owner := openAsApp(t, sc, role)
	ctx := context.Background()

	c := store.Case{OrderID: "SO-1"}
	if err := app.CreateCase(ctx, &c); err != nil {
		t.Fatalf("CreateCase as the app: %v", err)
	}
	if err := app.AppendCaseEvent(ctx, &store.CaseEvent{CaseID: c.ID, Kind: "opened", EventID: "ev-1"}); err != nil {
		t.Fatalf("AppendCaseEvent as the app: %v", err)
	}
	for i := range 3 {
		e := store.AuditEntry{Actor: "policy", Kind: "proposal.decided", CaseID: c.ID, Data: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))}
		if err := app.AppendAudit(ctx, &e); err != nil {
			t.Fatalf("AppendAudit as the app: %v", err)
		}
	}
	if b, err := app.VerifyAudit(ctx); err != nil || b != nil {
		t.Fatalf("VerifyAudit as the app = %v, %v", b, err)
	}
	mem := store.Memory{CaseID: c.ID, Class: "credit_hold", Embedding: make([]float32, store.EmbeddingDim)}
	mem.Embedding[0] = 1
	if err := app.PutMemory(ctx, mem); err != nil {
		t.Fatalf("PutMemory as the app: %v", err)
	}
	if _, err := app.PruneMemory(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("PruneMemory as the app: %v", err)
	}

	refused := []string{
		`UPDATE audit_log SET outcome = 'auto' WHERE seq = 2`,
		`DELETE FROM audit_log WHERE seq = 3`,
		`TRUNCATE audit_log`,
		`ALTER TABLE audit_log DISABLE TRIGGER USER`,
		`DROP TRIGGER audit_log_no_change ON audit_log`,
		`DROP TABLE audit_log`,
		`ALTER TABLE audit_log ADD COLUMN x int`,
		`INSERT INTO audit_head (id, seq, hash) VALUES (2, 0, '')`,
		`DELETE FROM audit_head`,
		`DELETE FROM schema_migrations`,
		`CREATE TABLE sneaky (a int)`,
	}
	for _, q := range refused {
		_, err := app.Pool().Exec(ctx, q)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42501" {
			t.Errorf("as the app role, %s: err = %v, want insufficient_privilege (42501)", q, err)
		}
	}
	if b, err := app.VerifyAudit(ctx); err != nil || b != nil {
		t.Fatalf("VerifyAudit after the refused statements = %v, %v", b, err)
	}
	// Grants are the same however often the owner migrates.
	if err := owner.Migrate(ctx); err != nil {
		t.Fatalf("second migrate as the owner: %v", err)
	}
	if err := app.Migrate(ctx); err != nil {
		t.Fatalf("Migrate as the app with nothing pending: %v", err)
	}
}

// TestConformanceAsAppRole runs the whole suite as the application's role.
func TestConformanceAsAppRole(t *testing.T) {
	if testing.Short() {
		t.Skip("the suite again as another role; not with -short")
	}
	sc := newSchemas(t)
	role := appRole(t, sc)
	storetest.Run(t, func(t *testing.T) store.Store {
		t.Helper()
		app, owner := openAsApp(t, sc, role)
		return harness{Store: app, owner: owner.Pool()}
	})
}

func TestAppRoleChecks(t *testing.T) {
	sc := newSchemas(t)
	ctx := context.Background()
	var me string
	if err := sc.admin.QueryRow(ctx, `SELECT current_user`).Scan(&me); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, role, want string }{
		{"missing role", "exdesk_no_such_role_" + sc.run, "does not exist"},
		{"the owner itself", me, "separate owner"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := postgres.Open(ctx, sc.url, postgres.Options{Schema: sc.of(t), AppRole: tc.role, SchemaOnly: true})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("migrate with app role %q = %v, want %q", tc.role, err, tc.want)
			}
		})
	}
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
