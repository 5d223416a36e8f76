package postgres

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/internal/sqlmigrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrateLockKey is the advisory lock that serialises migrations of every
// schema in the database (CREATE EXTENSION is database-wide).
const migrateLockKey int64 = 0x65786465736b01 // "exdesk" 01

// Options tune Open. The zero value is the default.
type Options struct {
	// Schema, when set, is created if missing and put first on the
	// search_path (followed by public, where the vector extension lives):
	// each test gets its own schema this way.
	Schema string
	// NoMigrate skips applying migrations at open (migration tests).
	NoMigrate bool
	// MaxConns bounds the pool (default: pgxpool's, or pool_max_conns in
	// the URL).
	MaxConns int32

	// AuditKey keys the audit chain (HMAC-SHA256). It is required: the
	// replicas of one database must share it, so no default can be made
	// up here. Open fails with store.ErrNoAuditKey without it, unless
	// SchemaOnly.
	AuditKey store.AuditKey
	// SchemaOnly opens the store to migrate it only (exdesk migrate, run
	// by the schema's owner, who need not hold the audit key): appending
	// to or verifying the audit log then fails with store.ErrNoAuditKey.
	SchemaOnly bool
	// AuditCheckpoint, when set, is a file outside the database that the
	// store rewrites with the chain head after every append, that appends
	// check the head against (a head moved back refuses appends with
	// store.ErrAuditRewound), and that VerifyAudit checks the log against.
	AuditCheckpoint string
	// AppRole, when set, is the role the application connects as, other
	// than the schema's owner that runs the migrations. After migrating,
	// MigrateTo grants it only what the application needs: SELECT and
	// INSERT on audit_log, SELECT and UPDATE on audit_head (the chain
	// head), SELECT on schema_migrations, and SELECT, INSERT, UPDATE,
	// DELETE on the other tables. Not being the owner, it cannot alter,
	// drop or disable the triggers of the audit table.
	AppRole string
}

// Store is the PostgreSQL implementation of store.Store.
type Store struct {
	pool *pgxpool.Pool
	// q runs statements: the pool, or the transaction a Store made by
	// InTx is bound to.
	q queryer
	// deferred collects the audit entries appended inside InTx.
	deferred *[]*store.AuditEntry
	schema   string
	appRole  string
	// key keys the audit chain; checkpoint keeps the chain head outside
	// the database (nil when none is configured). A transaction's bound
	// copy shares the checkpointer.
	key        store.AuditKey
	checkpoint *store.AuditCheckpointer
	closeOnce  *sync.Once
}

// queryer is what *pgxpool.Pool and pgx.Tx share (Begin on a transaction
// makes a savepoint).
type queryer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or key=value
// DSN), and applies pending migrations.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	if opts.AuditKey.IsZero() && !opts.SchemaOnly {
		return nil, fmt.Errorf("postgres: %w: the audit chain's key is required (Options.AuditKey)", store.ErrNoAuditKey)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse url: %w", err)
	}
	if opts.Schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{opts.Schema}.Sanitize() + ", public"
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	s := &Store{pool: pool, q: pool, schema: opts.Schema, appRole: opts.AppRole, key: opts.AuditKey, closeOnce: new(sync.Once)}
	if !opts.AuditKey.IsZero() {
		s.checkpoint = store.NewAuditCheckpointer(opts.AuditCheckpoint, opts.AuditKey)
	}
	if err := s.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if opts.Schema != "" {
		// CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the
		// database even when the schema exists; an application role that
		// has only USAGE on it must not be asked for more.
		var exists bool
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, opts.Schema).Scan(&exists); err != nil {
			pool.Close()
			return nil, fmt.Errorf("postgres: look up schema %s: %w", opts.Schema, err)
		}
		if !exists {
			if _, err := pool.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{opts.Schema}.Sanitize()); err != nil {
				pool.Close()
				return nil, fmt.Errorf("postgres: create schema %s: %w", opts.Schema, err)
			}
		}
	}
	if !opts.NoMigrate {
		if err := s.Migrate(ctx); err != nil {
			pool.Close()
			return nil, err
		}
		if s.checkpoint != nil {
			// Fail at open, not at the first decision, when the checkpoint
			// is missing for a log that has rows.
			head, err := s.auditHead(ctx)
			if err == nil {
				err = s.checkpoint.Load(head)
			}
			if err != nil {
				pool.Close()
				return nil, fmt.Errorf("postgres: %w", err)
			}
		}
	}
	return s, nil
}

func (s *Store) auditHead(ctx context.Context) (store.AuditHead, error) {
	var head store.AuditHead
	if err := s.pool.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head.Seq, &head.Hash); err != nil {
		return head, fmt.Errorf("read audit chain head: %w", err)
	}
	return head, nil
}

// Pool returns the connection pool (for tools and tests).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Close closes the pool. It is safe to call twice.
func (s *Store) Close() error {
	if s.deferred != nil {
		return nil // a transaction's view: the Store that made it owns the pool
	}
	s.closeOnce.Do(s.pool.Close)
	return nil
}

// --- migrations ----------------------------------------------------------

// Migrations returns the embedded migrations in version order.
func Migrations() ([]sqlmigrate.Migration, error) { return sqlmigrate.Load(migrationFS, "migrations") }

// Migrate applies every pending migration.
func (s *Store) Migrate(ctx context.Context) error { return s.MigrateTo(ctx, 0) }

// MigrateTo applies pending migrations up to version (0: all) in one
// transaction holding an advisory lock, so replicas starting together
// migrate once; each applied migration is recorded in schema_migrations.
// When nothing is pending it runs no DDL, so an application role without
// the owner's privileges can open the store. With Options.AppRole it then
// grants that role what the application needs, and no more.
func (s *Store) MigrateTo(ctx context.Context, version int) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLockKey); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
			return fmt.Errorf("migrate: look up schema_migrations: %w", err)
		}
		if !exists {
			if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
				version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
				return fmt.Errorf("migrate: schema_migrations: %w", err)
			}
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("migrate: read version: %w", err)
		}
		for _, m := range ms {
			if m.Version <= current || (version > 0 && m.Version > version) {
				continue
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migrate: apply %s: %w%s", m.Name, err, ownerHint(err))
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
				return fmt.Errorf("migrate: record %s: %w", m.Name, err)
			}
		}
		if s.appRole != "" {
			return grantApp(ctx, tx, s.appRole)
		}
		return nil
	})
}

// ownerHint explains a permission error met while migrating: the
// application role may not change the schema.
func ownerHint(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42501" { // insufficient_privilege
		return " (migrations need the schema's owner: run `exdesk migrate` as the owner, with EXDESK_DB_APP_ROLE naming the application's role)"
	}
	return ""
}

// grantApp gives the application role exactly what exdesk needs in the
// current schema: the audit log may only be read and appended to, the
// chain head read and moved, schema_migrations read; every other table
// read and written. What it held before is revoked first, so the grants
// are the same however often migrate runs.
func grantApp(ctx context.Context, tx pgx.Tx, role string) error {
	var (
		schema, me              string
		roleExists, isMe, super bool
		member                  bool
	)
	if err := tx.QueryRow(ctx, `SELECT current_schema(), current_user,
		EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1), $1 = current_user,
		COALESCE((SELECT rolsuper FROM pg_roles WHERE rolname = $1), false)`, role).Scan(&schema, &me, &roleExists, &isMe, &super); err != nil {
		return fmt.Errorf("migrate: grant %s: %w", role, err)
	}
	switch {
	case !roleExists:
		return fmt.Errorf("migrate: application role %q does not exist (CREATE ROLE %s LOGIN PASSWORD '…')", role, role)
	case isMe:
		return fmt.Errorf("migrate: the application role %q is the role running the migrations, which owns the tables: use a separate owner", role)
	case super:
		return fmt.Errorf("migrate: the application role %q is a superuser, which no grant can restrict: use an ordinary role", role)
	}
	if err := tx.QueryRow(ctx, `SELECT pg_has_role($1, current_user, 'MEMBER')`, role).Scan(&member); err != nil {
		return fmt.Errorf("migrate: grant %s: %w", role, err)
	}
	if member {
		return fmt.Errorf("migrate: the application role %q is a member of the owner %q, so it could alter or drop the audit table: use a role outside it", role, me)
	}
	r, sc := pgx.Identifier{role}.Sanitize(), pgx.Identifier{schema}.Sanitize()
	stmts := []string{
		`REVOKE ALL ON ALL TABLES IN SCHEMA ` + sc + ` FROM ` + r,
		`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ` + sc + ` FROM ` + r,
		`GRANT USAGE ON SCHEMA ` + sc + ` TO ` + r,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ` + sc + ` TO ` + r,
		`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ` + sc + ` TO ` + r,
		`REVOKE UPDATE, DELETE ON audit_log FROM ` + r,
		`REVOKE INSERT, DELETE ON audit_head FROM ` + r,
		`REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM ` + r,
	}
	for _, q := range stmts {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("migrate: grant %s: %s: %w", role, q, err)
		}
	}
	return nil
}

// SchemaVersion returns the highest applied migration (0 for none).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var exists bool
	if err := s.q.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int
	if err := s.q.QueryRow(ctx, `SELECT COALESCE(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// --- helpers -------------------------------------------------------------

// classify maps PostgreSQL constraint errors onto the store's errors.
func classify(err error, unique error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%w: %v", unique, err)
		case "23503": // foreign_key_violation
			return fmt.Errorf("%w: referenced record: %v", store.ErrNotFound, err)
		case "23514", "23502", "22P02": // check, not null, invalid text representation
			return fmt.Errorf("%w: %v", store.ErrInvalid, err)
		}
	}
	return err
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func fromNullTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Store) expectOne(tag pgconn.CommandTag, err error, what, id string) error {
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, id, classify(err, store.ErrDuplicate))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s %s: %w", what, id, store.ErrNotFound)
	}
	return nil
}

// --- cases ---------------------------------------------------------------

const caseCols = `id, order_id, customer_id, class, also_detected, severity, status, planner,
	prompt_version, model, policy_version, summary, document, created_at, updated_at,
	resolved_at, resolution, resolved_by`

func scanCase(row pgx.Row) (store.Case, error) {
	var c store.Case
	var status string
	var doc []byte
	var resolved *time.Time
	err := row.Scan(&c.ID, &c.OrderID, &c.CustomerID, &c.Class, &c.AlsoDetected, &c.Severity, &status, &c.Planner,
		&c.PromptVersion, &c.Model, &c.PolicyVersion, &c.Summary, &doc, &c.CreatedAt, &c.UpdatedAt,
		&resolved, &c.Resolution, &c.ResolvedBy)
	if err != nil {
		return c, err
	}
	if c.AlsoDetected == nil {
		c.AlsoDetected = []string{}
	}
	c.Status, c.Document = store.CaseStatus(status), json.RawMessage(doc)
	c.CreatedAt, c.UpdatedAt, c.ResolvedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC(), fromNullTime(resolved)
	return c, nil
}

// CreateCase inserts a case.
func (s *Store) CreateCase(ctx context.Context, c *store.Case) error {
	if err := store.PrepareCase(c); err != nil {
		return err
	}
	_, err := s.q.Exec(ctx, `INSERT INTO cases (`+caseCols+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13::jsonb,$14,$15,$16,$17,$18)`,
		c.ID, c.OrderID, c.CustomerID, c.Class, c.AlsoDetected, c.Severity, string(c.Status), c.Planner,
		c.PromptVersion, c.Model, c.PolicyVersion, c.Summary, string(c.Document), c.CreatedAt, c.UpdatedAt,
		nullTime(c.ResolvedAt), c.Resolution, c.ResolvedBy)
	if openCaseConflict(err) {
		return fmt.Errorf("create case %s for order %s: %w", c.ID, c.OrderID, store.ErrOpenCase)
	}
	if err != nil {
		return fmt.Errorf("create case %s: %w", c.ID, classify(err, store.ErrDuplicate))
	}
	return nil
}

// GetCase returns one case.
func (s *Store) GetCase(ctx context.Context, id string) (*store.Case, error) {
	c, err := scanCase(s.q.QueryRow(ctx, `SELECT `+caseCols+` FROM cases WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("case %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get case %s: %w", id, err)
	}
	return &c, nil
}

// UpdateCase replaces a case's document and descriptive columns.
func (s *Store) UpdateCase(ctx context.Context, c *store.Case) error {
	if err := store.PrepareCaseUpdate(c); err != nil {
		return err
	}
	tag, err := s.q.Exec(ctx, `UPDATE cases SET customer_id = $1, class = $2, also_detected = $3, severity = $4,
		status = COALESCE(NULLIF($5, ''), status), planner = $6, prompt_version = $7, model = $8, policy_version = $9,
		summary = $10, document = $11::jsonb, updated_at = $12 WHERE id = $13`,
		c.CustomerID, c.Class, c.AlsoDetected, c.Severity, string(c.Status), c.Planner, c.PromptVersion,
		c.Model, c.PolicyVersion, c.Summary, string(c.Document), c.UpdatedAt, c.ID)
	return s.expectOne(tag, err, "update case", c.ID)
}

// SetCaseStatus changes a case's status.
func (s *Store) SetCaseStatus(ctx context.Context, id string, status store.CaseStatus) error {
	if status == "" {
		return fmt.Errorf("set case status %s: empty status: %w", id, store.ErrInvalid)
	}
	tag, err := s.q.Exec(ctx, `UPDATE cases SET status = $1, updated_at = $2 WHERE id = $3`,
		string(status), store.Now(), id)
	return s.expectOne(tag, err, "set case status", id)
}

// ResolveCase marks a case resolved.
func (s *Store) ResolveCase(ctx context.Context, id string, r store.Resolution) error {
	at := r.At
	if at.IsZero() {
		at = store.Now()
	}
	tag, err := s.q.Exec(ctx, `UPDATE cases SET status = $1, resolution = $2, resolved_by = $3, resolved_at = $4,
		updated_at = $5 WHERE id = $6`,
		string(store.CaseResolved), r.Resolution, r.By, store.Stamp(at), store.Now(), id)
	return s.expectOne(tag, err, "resolve case", id)
}

// ListCases returns cases matching f, newest first.
func (s *Store) ListCases(ctx context.Context, f store.CaseFilter) ([]store.Case, error) {
	q := `SELECT ` + caseCols + ` FROM cases WHERE true`
	var args []any
	if f.OrderID != "" {
		args = append(args, f.OrderID)
		q += fmt.Sprintf(` AND order_id = $%d`, len(args))
	}
	if f.OpenOnly {
		q += ` AND status = 'open'`
	}
	q += ` ORDER BY created_at DESC, id DESC`
	if f.Limit > 0 {
		args = append(args, f.Limit)
		q += fmt.Sprintf(` LIMIT $%d`, len(args))
	}
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	var out []store.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	return out, nil
}

// AppendCaseEvent adds an event to a case.
func (s *Store) AppendCaseEvent(ctx context.Context, e *store.CaseEvent) error {
	if err := store.PrepareEvent(e); err != nil {
		return err
	}
	err := s.q.QueryRow(ctx, `INSERT INTO case_events (case_id, event_id, at, kind, actor, data)
		VALUES ($1,$2,$3,$4,$5,$6::jsonb) RETURNING seq`,
		e.CaseID, nullString(e.EventID), e.At, e.Kind, e.Actor, string(e.Data)).Scan(&e.Seq)
	if err != nil {
		return fmt.Errorf("append event to case %s: %w", e.CaseID, classify(err, store.ErrDuplicate))
	}
	return nil
}

// ListCaseEvents returns a case's events in order.
func (s *Store) ListCaseEvents(ctx context.Context, caseID string) ([]store.CaseEvent, error) {
	rows, err := s.q.Query(ctx, `SELECT seq, case_id, COALESCE(event_id, ''), at, kind, actor, data
		FROM case_events WHERE case_id = $1 ORDER BY seq`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list events of case %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []store.CaseEvent
	for rows.Next() {
		var e store.CaseEvent
		var data []byte
		if err := rows.Scan(&e.Seq, &e.CaseID, &e.EventID, &e.At, &e.Kind, &e.Actor, &data); err != nil {
			return nil, fmt.Errorf("list events of case %s: %w", caseID, err)
		}
		e.At, e.Data = e.At.UTC(), json.RawMessage(data)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list events of case %s: %w", caseID, err)
	}
	return out, nil
}
