package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/internal/sqlmigrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Options tune Open. The zero value is the default.
type Options struct {
	// NoMigrate skips applying migrations at open (migration tests).
	NoMigrate bool
	// BusyTimeout is how long a writer waits for the lock (default 10s).
	BusyTimeout time.Duration
	// MaxOpenConns bounds the connection pool of a file database
	// (default 8). A temporary (":memory:") database always uses one
	// connection.
	MaxOpenConns int
	// MustExist makes Open fail, with an error wrapping fs.ErrNotExist,
	// when the database file does not exist, instead of creating it (for
	// commands that only read, such as audit verify).
	MustExist bool

	// AuditKey keys the audit chain (HMAC-SHA256). When it is zero, a file
	// database keeps its own key in KeyFile(path), mode 0600, created
	// together with the audit log (Open refuses a log with rows whose key
	// file is gone), and a temporary (":memory:") database gets a random
	// key that lives as long as it does.
	AuditKey store.AuditKey
	// AuditCheckpoint, when set, is a file outside the database that the
	// store rewrites with the chain head after every append, that appends
	// check the head against (a head moved back refuses appends with
	// store.ErrAuditRewound), and that VerifyAudit checks the log against.
	AuditCheckpoint string
}

// KeyFile returns where a file database at path keeps its own audit key
// when Options.AuditKey is zero: beside it, path + ".audit-key".
func KeyFile(path string) string { return path + ".audit-key" }

// Store is the SQLite implementation of store.Store.
type Store struct {
	db *sql.DB
	// q runs statements: db, or the transaction a Store made by InTx is
	// bound to (then tx is that transaction).
	q  queryer
	tx *sql.Tx
	// deferred collects the audit entries appended inside InTx.
	deferred *[]*store.AuditEntry
	stmts    *stmts
	// writeMu lets one write transaction of this process at a time take
	// SQLite's write lock: writers queue in Go instead of spinning in
	// SQLite's busy handler (other processes still wait busy_timeout).
	writeMu   *sync.Mutex
	path      string
	audit     *auditState // shared with the copies InTx makes
	closeOnce *sync.Once
	closeErr  *error
}

// queryer is what *sql.DB and *sql.Tx share.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the SQLite database at path, in WAL mode
// with a busy timeout, and applies pending migrations. A path of "" or
// ":memory:" opens a private temporary database, gone when it is closed.
//
// A temporary database, not SQLite's in-memory one: SQLite keeps it in
// its page cache and spills what does not fit to a temporary file that is
// deleted as soon as it is opened (nothing is left behind, even after a
// crash). An in-memory database keeps every page in the page cache, and
// a commit after a b-tree rebalance scans the whole cache (pcache1's
// truncate, after balance_nonroot rekeys a page through the lock-byte page
// number): the cost of a write grew with the size of the database, and a
// simulated day of 32,000 orders spent a quarter of its time there.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 10 * time.Second
	}
	if opts.MaxOpenConns <= 0 {
		opts.MaxOpenConns = 8
	}
	memory := path == "" || path == ":memory:"
	if opts.MustExist {
		if memory {
			return nil, fmt.Errorf("open sqlite: an in-memory database never exists before it is opened: %w", fs.ErrNotExist)
		}
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	if memory {
		// The rollback journal of a database that dies with its
		// connection needs no file.
		q.Add("_pragma", "journal_mode(MEMORY)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	// Every explicit transaction takes the write lock up front, so two
	// writers never deadlock upgrading a read lock.
	q.Set("_txlock", "immediate")
	name, dsn := path, path+"?"+q.Encode()
	if memory {
		// A URI with an empty path is a private temporary database.
		name, dsn = ":memory:", "file:?"+q.Encode()
	} else if err := createPrivate(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", name, err)
	}
	if memory {
		db.SetMaxOpenConns(1) // each connection would be another database
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	} else {
		db.SetMaxOpenConns(opts.MaxOpenConns)
		db.SetMaxIdleConns(opts.MaxOpenConns)
	}
	cache := newStmts(db)
	s := &Store{db: db, q: conn{c: cache}, stmts: cache, writeMu: new(sync.Mutex), path: name, closeOnce: new(sync.Once), closeErr: new(error),
		audit: &auditState{dbPath: name, key: opts.AuditKey, cpPath: opts.AuditCheckpoint}}
	if memory && s.audit.key.IsZero() {
		if s.audit.key, err = store.GenerateAuditKey(); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	if err := s.Ping(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	if !opts.NoMigrate {
		if err := s.Migrate(ctx); err != nil {
			_ = db.Close()
			return nil, err
		}
		// Fail at open, not at the first decision, when the key file or
		// the checkpoint is missing for a log that has rows.
		if err := s.audit.prepare(ctx, s.q); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	return s, nil
}

// createPrivate creates the database file readable and writable by its
// owner only (0600), when it does not exist: cases, customers' data and
// the audit trail are in it. SQLite gives its -wal and -shm files the
// database file's permissions.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil
	case err != nil:
		return fmt.Errorf("creating sqlite store %s: %w", path, err)
	}
	return f.Close()
}

// Path is the database file (":memory:" for a private temporary one).
func (s *Store) Path() string { return s.path }

// DB returns the underlying database handle (for tools and tests).
func (s *Store) DB() *sql.DB { return s.db }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite %s: ping: %w", s.path, err)
	}
	return nil
}

// Close closes the database; a second call returns the first result.
func (s *Store) Close() error {
	if s.tx != nil {
		return nil // a transaction's view: the Store that made it owns the database
	}
	s.closeOnce.Do(func() { s.stmts.close(); *s.closeErr = s.db.Close() })
	return *s.closeErr
}

// --- migrations ----------------------------------------------------------

// Migrations returns the embedded migrations in version order.
func Migrations() ([]sqlmigrate.Migration, error) { return sqlmigrate.Load(migrationFS, "migrations") }

// Migrate applies every pending migration.
func (s *Store) Migrate(ctx context.Context) error { return s.MigrateTo(ctx, 0) }

// MigrateTo applies pending migrations up to version (0: all) in one write
// transaction, recording each in schema_migrations.
func (s *Store) MigrateTo(ctx context.Context, version int) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: schema_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: read version: %w", err)
	}
	for _, m := range ms {
		if m.Version <= current || (version > 0 && m.Version > version) {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migrate: apply %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.Version, m.Name, store.Now().UnixMicro()); err != nil {
			return fmt.Errorf("migrate: record %s: %w", m.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// SchemaVersion returns the highest applied migration (0 for none).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return 0, nil
		}
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// --- helpers -------------------------------------------------------------

func micros(t time.Time) int64 { return t.UnixMicro() }

func nullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

func fromNullMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMicros(v.Int64)
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// classify maps SQLite constraint errors onto the store's errors.
func classify(err error, unique error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return fmt.Errorf("%w: %v", unique, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: referenced record: %v", store.ErrNotFound, err)
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return fmt.Errorf("%w: %v", store.ErrInvalid, err)
		}
	}
	return err
}

type scanner interface{ Scan(dest ...any) error }

// --- cases ---------------------------------------------------------------

const caseCols = `id, order_id, customer_id, class, also_detected, severity, status, planner,
	prompt_version, model, policy_version, summary, document, created_at, updated_at,
	resolved_at, resolution, resolved_by`

func scanCase(sc scanner) (store.Case, error) {
	var c store.Case
	var also, doc, status string
	var created, updated int64
	var resolved sql.NullInt64
	err := sc.Scan(&c.ID, &c.OrderID, &c.CustomerID, &c.Class, &also, &c.Severity, &status, &c.Planner,
		&c.PromptVersion, &c.Model, &c.PolicyVersion, &c.Summary, &doc, &created, &updated,
		&resolved, &c.Resolution, &c.ResolvedBy)
	if err != nil {
		return c, err
	}
	c.Status = store.CaseStatus(status)
	c.Document = json.RawMessage(doc)
	if err := json.Unmarshal([]byte(also), &c.AlsoDetected); err != nil {
		return c, fmt.Errorf("case %s also_detected: %w", c.ID, err)
	}
	c.CreatedAt, c.UpdatedAt, c.ResolvedAt = fromMicros(created), fromMicros(updated), fromNullMicros(resolved)
	return c, nil
}

func marshalStrings(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v) // []string always marshals
	return string(b)
}

// CreateCase inserts a case.
func (s *Store) CreateCase(ctx context.Context, c *store.Case) error {
	if err := store.PrepareCase(c); err != nil {
		return err
	}
	_, err := s.q.ExecContext(ctx, `INSERT INTO cases (`+caseCols+`)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		c.ID, c.OrderID, c.CustomerID, c.Class, marshalStrings(c.AlsoDetected), c.Severity, string(c.Status), c.Planner,
		c.PromptVersion, c.Model, c.PolicyVersion, c.Summary, string(c.Document), micros(c.CreatedAt), micros(c.UpdatedAt),
		nullMicros(c.ResolvedAt), c.Resolution, c.ResolvedBy)
	if openCaseConflict(err) {
		// SQLite names one violated index; a reused id is a duplicate
		// whichever it names.
		var n int
		if s.q.QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE id = ?`, c.ID).Scan(&n) == nil && n > 0 {
			return fmt.Errorf("create case %s: %w", c.ID, store.ErrDuplicate)
		}
		return fmt.Errorf("create case %s for order %s: %w", c.ID, c.OrderID, store.ErrOpenCase)
	}
	if err != nil {
		return fmt.Errorf("create case %s: %w", c.ID, classify(err, store.ErrDuplicate))
	}
	return nil
}

// GetCase returns one case.
func (s *Store) GetCase(ctx context.Context, id string) (*store.Case, error) {
	c, err := scanCase(s.q.QueryRowContext(ctx, `SELECT `+caseCols+` FROM cases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
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
	res, err := s.q.ExecContext(ctx, `UPDATE cases SET customer_id = ?, class = ?, also_detected = ?, severity = ?,
		status = COALESCE(NULLIF(?, ''), status), planner = ?, prompt_version = ?, model = ?, policy_version = ?,
		summary = ?, document = ?, updated_at = ? WHERE id = ?`,
		c.CustomerID, c.Class, marshalStrings(c.AlsoDetected), c.Severity, string(c.Status), c.Planner, c.PromptVersion,
		c.Model, c.PolicyVersion, c.Summary, string(c.Document), micros(c.UpdatedAt), c.ID)
	return s.expectOne(res, err, "update case", c.ID)
}

// SetCaseStatus changes a case's status.
func (s *Store) SetCaseStatus(ctx context.Context, id string, status store.CaseStatus) error {
	if status == "" {
		return fmt.Errorf("set case status %s: empty status: %w", id, store.ErrInvalid)
	}
	res, err := s.q.ExecContext(ctx, `UPDATE cases SET status = ?, updated_at = ? WHERE id = ?`,
		string(status), micros(store.Now()), id)
	return s.expectOne(res, err, "set case status", id)
}

// ResolveCase marks a case resolved.
func (s *Store) ResolveCase(ctx context.Context, id string, r store.Resolution) error {
	at := r.At
	if at.IsZero() {
		at = store.Now()
	}
	res, err := s.q.ExecContext(ctx, `UPDATE cases SET status = ?, resolution = ?, resolved_by = ?, resolved_at = ?,
		updated_at = ? WHERE id = ?`,
		string(store.CaseResolved), r.Resolution, r.By, micros(store.Stamp(at)), micros(store.Now()), id)
	return s.expectOne(res, err, "resolve case", id)
}

func (s *Store) expectOne(res sql.Result, err error, what, id string) error {
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, id, classify(err, store.ErrDuplicate))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, id, err)
	}
	if n == 0 {
		return fmt.Errorf("%s %s: %w", what, id, store.ErrNotFound)
	}
	return nil
}

// ListCases returns cases matching f, newest first.
func (s *Store) ListCases(ctx context.Context, f store.CaseFilter) ([]store.Case, error) {
	q, args := listCasesQuery(f)
	rows, err := s.q.QueryContext(ctx, q, args...)
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

// listCasesQuery is ListCases's statement. The open status is a literal,
// not a parameter: SQLite uses a partial index only when the query names
// its WHERE term, and with a parameter it looked the open case of an order
// up through cases_status, reading every open case on every event.
func listCasesQuery(f store.CaseFilter) (string, []any) {
	q := `SELECT ` + caseCols + ` FROM cases WHERE 1=1`
	var args []any
	if f.OrderID != "" {
		q += ` AND order_id = ?`
		args = append(args, f.OrderID)
	}
	if f.OpenOnly {
		q += ` AND status = '` + string(store.CaseOpen) + `'`
	}
	q += ` ORDER BY created_at DESC, id DESC`
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	return q, args
}

// AppendCaseEvent adds an event to a case.
func (s *Store) AppendCaseEvent(ctx context.Context, e *store.CaseEvent) error {
	if err := store.PrepareEvent(e); err != nil {
		return err
	}
	res, err := s.q.ExecContext(ctx, `INSERT INTO case_events (case_id, event_id, at, kind, actor, data)
		VALUES (?,?,?,?,?,?)`,
		e.CaseID, nullString(e.EventID), micros(e.At), e.Kind, e.Actor, string(e.Data))
	if err != nil {
		return fmt.Errorf("append event to case %s: %w", e.CaseID, classify(err, store.ErrDuplicate))
	}
	if e.Seq, err = insertedRowID(res); err != nil {
		return fmt.Errorf("append event to case %s: %w", e.CaseID, err)
	}
	return nil
}

// insertedRowID returns the rowid of the row an INSERT wrote: the value
// of its INTEGER PRIMARY KEY. An INSERT run as Exec, rather than as a
// query RETURNING the key, spares the driver a result set (it reads
// every column's name and type for each query).
func insertedRowID(res sql.Result) (int64, error) {
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("inserted row id: %w", err)
	}
	return id, nil
}

// ListCaseEvents returns a case's events in order.
func (s *Store) ListCaseEvents(ctx context.Context, caseID string) ([]store.CaseEvent, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT seq, case_id, COALESCE(event_id, ''), at, kind, actor, data
		FROM case_events WHERE case_id = ? ORDER BY seq`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list events of case %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []store.CaseEvent
	for rows.Next() {
		var e store.CaseEvent
		var at int64
		var data string
		if err := rows.Scan(&e.Seq, &e.CaseID, &e.EventID, &at, &e.Kind, &e.Actor, &data); err != nil {
			return nil, fmt.Errorf("list events of case %s: %w", caseID, err)
		}
		e.At, e.Data = fromMicros(at), json.RawMessage(data)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list events of case %s: %w", caseID, err)
	}
	return out, nil
}
