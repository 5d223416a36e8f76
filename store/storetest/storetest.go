// Package storetest is the conformance suite every store.Store
// implementation passes, and the helpers its tests share (finding the test
// database, the migration suite).
//
// An implementation's test calls Run with a function that opens its store
// for a (sub)test. Within one test, every call must open the same
// underlying database (same SQLite file, same Postgres schema) so the suite
// can close a store and reopen it; different tests must get different
// databases. The open function registers the store's Close with t.Cleanup;
// Close is idempotent, so the suite may close earlier.
//
// A store returned by open that also implements AuditTamperer lets the
// suite tamper with raw audit rows and check that VerifyAudit names them.
//
// RunAudit is the keyed-chain part of the suite: it opens stores with a
// given audit key and checkpoint file, as an attacker who can write the
// database but does not hold the key would face them.
package storetest

import (
	"context"
	"os"
	"testing"

	"github.com/exdesk/exdesk/store"
)

// AuditTamperer is implemented by an implementation's test harness (not
// by the store itself) to change audit rows behind the store's back,
// bypassing its append-only guards.
type AuditTamperer interface {
	// TamperAuditData sets the data of the row with that seq.
	TamperAuditData(ctx context.Context, seq int64, data string) error
	// DeleteAuditRow deletes the row with that seq.
	DeleteAuditRow(ctx context.Context, seq int64) error
	// SwapAuditSeq swaps the seq values of two rows.
	SwapAuditSeq(ctx context.Context, a, b int64) error
	// RewriteAuditRow replaces every column of the row with e.Seq.
	RewriteAuditRow(ctx context.Context, e store.AuditEntry) error
	// SetAuditHead moves the chain head.
	SetAuditHead(ctx context.Context, head store.AuditHead) error
}

// PostgresURL returns the URL of the PostgreSQL server for tests, from
// EXDESK_TEST_DATABASE_URL or else DATABASE_URL. When neither is set the
// test is skipped, or fails under CI=true, where a missing server is an
// error.
func PostgresURL(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"EXDESK_TEST_DATABASE_URL", "DATABASE_URL"} {
		if u := os.Getenv(name); u != "" {
			return u
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no PostgreSQL for tests: set DATABASE_URL or EXDESK_TEST_DATABASE_URL (run scripts/services.sh start; export $(scripts/services.sh env))")
	}
	t.Skip("no PostgreSQL for tests: DATABASE_URL and EXDESK_TEST_DATABASE_URL are unset (run scripts/services.sh start; export $(scripts/services.sh env))")
	return ""
}
