package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"

	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/postgres"
	"github.com/exdesk/exdesk/store/sqlite"
	"github.com/spf13/cobra"
)

// migrator is a store whose migrations can be applied on demand.
type migrator interface {
	SchemaVersion(ctx context.Context) (int, error)
	MigrateTo(ctx context.Context, version int) error
	Close() error
}

func migrateCmd(e *env) *cobra.Command {
	c, fs := newCommand(e, "migrate", "migrate [flags]",
		`Applies the store's embedded, versioned migrations to DATABASE_URL (PostgreSQL
with pgvector), or to the SQLite file when DATABASE_URL is unset, and prints
the schema version before and after. Several replicas may run it at once:
PostgreSQL migrations take an advisory lock, SQLite ones a write lock.
"exdesk serve" and "exdesk worker" also migrate at start.

With PostgreSQL, run it as the schema's owner and name the role the
application connects as (--app-role, EXDESK_DB_APP_ROLE): the migrations
then grant that role only INSERT and SELECT on the audit log, SELECT and
UPDATE on its chain head, SELECT on schema_migrations and read/write on the
other tables. Not owning the tables, the application cannot alter or drop
the audit log or disable its append-only triggers. migrate needs no audit
key.`,
		`  exdesk migrate
  DATABASE_URL=postgres://exdesk_owner@db:5432/exdesk EXDESK_DB_APP_ROLE=exdesk_app exdesk migrate
  exdesk migrate --db /var/lib/exdesk/exdesk.db --to 1`)
	dbPath := fs.String("db", "exdesk.db", "SQLite store file when DATABASE_URL is not set")
	to := fs.Int("to", 0, "migrate up to this version only (0: all)")
	appRole := fs.String("app-role", e.cfg.DBAppRole, "PostgreSQL: the application's role, granted only what it needs (default $EXDESK_DB_APP_ROLE)")
	c.RunE = runE(func(ctx context.Context, args []string) int {
		var (
			m    migrator
			kind string
			err  error
		)
		if u := e.cfg.DatabaseURL; u != "" {
			kind = "postgres"
			m, err = postgres.Open(ctx, u, postgres.Options{NoMigrate: true, SchemaOnly: true, AppRole: *appRole})
		} else {
			kind = "sqlite " + *dbPath
			if *appRole != "" {
				fmt.Fprintf(e.stderr, "exdesk migrate: --app-role %s ignored: SQLite has no roles\n", *appRole)
			}
			m, err = sqlite.Open(ctx, *dbPath, sqlite.Options{NoMigrate: true})
		}
		if err != nil {
			if kind == "postgres" {
				err = postgresError(err)
			}
			fmt.Fprintf(e.stderr, "exdesk migrate: opening the store: %v\n", err)
			return exitHarness
		}
		defer func() { _ = m.Close() }()
		before, err := m.SchemaVersion(ctx)
		if err == nil {
			err = m.MigrateTo(ctx, *to)
		}
		var after int
		if err == nil {
			after, err = m.SchemaVersion(ctx)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk migrate: %s: %v\n", kind, err)
			return exitHarness
		}
		if before == after {
			fmt.Fprintf(e.stdout, "%s: schema at version %d, nothing to apply\n", kind, after)
		} else {
			fmt.Fprintf(e.stdout, "%s: schema migrated from version %d to %d\n", kind, before, after)
		}
		if kind == "postgres" && *appRole != "" {
			fmt.Fprintf(e.stdout, "%s: role %s may read and append the audit log, not change, alter or drop it\n", kind, *appRole)
		}
		return exitOK
	})
	return c
}

// auditKeyHint says how to give the audit chain its key.
const auditKeyHint = "set EXDESK_AUDIT_KEY to a secret of at least 32 bytes as hex, the same for every replica " +
	"(make one with `openssl rand -hex 32`), or EXDESK_AUDIT_KEY_FILE to a file that holds it"

// auditConfig is the audit chain's configuration from the environment.
type auditConfig struct {
	key        store.AuditKey // zero when none is given
	checkpoint string         // EXDESK_AUDIT_CHECKPOINT
}

// auditFromEnv reads the audit key (EXDESK_AUDIT_KEY, or the file named by
// EXDESK_AUDIT_KEY_FILE) and the checkpoint file (EXDESK_AUDIT_CHECKPOINT).
func auditFromEnv(e *env) (auditConfig, error) {
	c := auditConfig{checkpoint: e.cfg.AuditCheckpoint}
	k, f := e.cfg.AuditKey, e.cfg.AuditKeyFile
	var err error
	switch {
	case k != "" && f != "":
		return c, errors.New("EXDESK_AUDIT_KEY and EXDESK_AUDIT_KEY_FILE are both set: set one")
	case k != "":
		if c.key, err = store.ParseAuditKey(k); err != nil {
			return c, fmt.Errorf("EXDESK_AUDIT_KEY: %w", err)
		}
	case f != "":
		if c.key, err = store.ReadAuditKeyFile(f); err != nil {
			return c, fmt.Errorf("EXDESK_AUDIT_KEY_FILE: %w", err)
		}
	}
	return c, nil
}

// storeOptions are how a command opens the store.
type storeOptions struct {
	// mustExist: a SQLite file that does not exist is an error, not a new
	// empty database (commands that only read).
	mustExist bool
	// checkpoint overrides EXDESK_AUDIT_CHECKPOINT; noCheckpoint ignores it.
	checkpoint   string
	noCheckpoint bool
}

// openDurableStore opens the store of DATABASE_URL, else the SQLite file,
// applying pending migrations, with the audit key and checkpoint of the
// environment.
func openDurableStore(ctx context.Context, e *env, dbPath string) (store.Store, error) {
	return openStore(ctx, e, dbPath, storeOptions{})
}

func openStore(ctx context.Context, e *env, dbPath string, o storeOptions) (store.Store, error) {
	ac, err := auditFromEnv(e)
	if err != nil {
		return nil, err
	}
	cp := ac.checkpoint
	if o.checkpoint != "" {
		cp = o.checkpoint
	}
	if o.noCheckpoint {
		cp = ""
	}
	if u := e.cfg.DatabaseURL; u != "" {
		if ac.key.IsZero() {
			return nil, fmt.Errorf("postgres (DATABASE_URL): the audit chain needs its key: %s: %w", auditKeyHint, store.ErrNoAuditKey)
		}
		s, err := postgres.Open(ctx, u, postgres.Options{AuditKey: ac.key, AuditCheckpoint: cp})
		if err != nil {
			return nil, postgresError(err)
		}
		return s, nil
	}
	if dbPath == "" {
		return nil, errors.New("no store: set DATABASE_URL or --db")
	}
	if o.mustExist {
		if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("sqlite %s: no such database file (set --db to the store's file, or DATABASE_URL for PostgreSQL): %w", dbPath, err)
		}
	}
	s, err := sqlite.Open(ctx, dbPath, sqlite.Options{AuditKey: ac.key, AuditCheckpoint: cp, MustExist: o.mustExist})
	switch {
	case errors.Is(err, store.ErrNoAuditKey):
		return nil, fmt.Errorf("sqlite %s: %w; %s", dbPath, err, auditKeyHint)
	case err != nil:
		return nil, fmt.Errorf("sqlite %s: %w", dbPath, err)
	}
	return s, nil
}

// postgresError names DATABASE_URL in an error opening PostgreSQL and, when
// the server did not answer, says so on one line (pgx lists every address it
// tried) and how to check it or fall back to SQLite.
func postgresError(err error) error {
	if unreachable(err) {
		return &unreachableError{err: err}
	}
	return fmt.Errorf("postgres (DATABASE_URL): %w", err)
}

// unreachableError is a DATABASE_URL whose server did not answer.
type unreachableError struct{ err error }

func (u *unreachableError) Error() string {
	cause := u.err
	var oe *net.OpError
	var de *net.DNSError
	switch {
	case errors.As(u.err, &de):
		cause = de
	case errors.As(u.err, &oe):
		cause = oe
	}
	return fmt.Sprintf("postgres (DATABASE_URL): %v; %s", cause, databaseURLHint)
}

func (u *unreachableError) Unwrap() error { return u.err }
