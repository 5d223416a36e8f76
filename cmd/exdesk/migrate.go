package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/postgres"
	"github.com/exdesk/exdesk/store/sqlite"
)

// migrator is a store whose migrations can be applied on demand.
type migrator interface {
	SchemaVersion(ctx context.Context) (int, error)
	MigrateTo(ctx context.Context, version int) error
	Close() error
}

func runMigrate(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "migrate", "migrate [flags]",
		`Applies the store's embedded, versioned migrations to DATABASE_URL (PostgreSQL
with pgvector), or to the SQLite file when DATABASE_URL is unset, and prints
the schema version before and after. Several replicas may run it at once:
PostgreSQL migrations take an advisory lock, SQLite ones a write lock.
"exdesk serve" and "exdesk worker" also migrate at start.`,
		`  exdesk migrate
  DATABASE_URL=postgres://exdesk@db:5432/exdesk exdesk migrate
  exdesk migrate --db /var/lib/exdesk/exdesk.db --to 1`)
	dbPath := fs.String("db", "exdesk.db", "SQLite store file when DATABASE_URL is not set")
	to := fs.Int("to", 0, "migrate up to this version only (0: all)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	var (
		m    migrator
		kind string
		err  error
	)
	if u := e.getenv("DATABASE_URL"); u != "" {
		kind = "postgres"
		m, err = postgres.Open(ctx, u, postgres.Options{NoMigrate: true})
	} else {
		kind = "sqlite " + *dbPath
		m, err = sqlite.Open(ctx, *dbPath, sqlite.Options{NoMigrate: true})
	}
	if err != nil {
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
	return exitOK
}

// openDurableStore opens the store of DATABASE_URL, else the SQLite file,
// applying pending migrations.
func openDurableStore(ctx context.Context, e *env, dbPath string) (store.Store, error) {
	if u := e.getenv("DATABASE_URL"); u != "" {
		s, err := postgres.Open(ctx, u, postgres.Options{})
		if err != nil {
			return nil, fmt.Errorf("postgres (DATABASE_URL): %w", err)
		}
		return s, nil
	}
	if dbPath == "" {
		return nil, errors.New("no store: set DATABASE_URL or --db")
	}
	s, err := sqlite.Open(ctx, dbPath, sqlite.Options{})
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: %w", dbPath, err)
	}
	return s, nil
}
