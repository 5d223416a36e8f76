// Package sqlite is the embedded implementation of store.Store: a pure-Go
// SQLite database (modernc.org/sqlite) in one file, used when DATABASE_URL
// is unset.
//
// The database runs in WAL mode with a busy timeout; every explicit
// transaction is BEGIN IMMEDIATE so writers queue instead of deadlocking.
// Migrations in migrations/ are embedded and applied at Open in one write
// transaction, recorded in schema_migrations. Proposal transitions are a
// single conditional UPDATE (compare-and-set); executions are unique per
// proposal by primary key; the audit log is appended in a write
// transaction that moves the chain head, and UPDATE/DELETE on it are
// refused by triggers. The chain is keyed by Options.AuditKey; without
// one, a file database keeps a random key in a 0600 file beside it
// (KeyFile), made with the log, and a temporary database (":memory:",
// kept in the page cache and spilled to a deleted file) keeps one in
// memory. The key file protects against someone who can change the
// database file but not read the key file; for more, give the key from
// elsewhere and keep a checkpoint (Options.AuditCheckpoint) out of reach. Case-memory search scans the stored float32 blobs
// and ranks them in Go, which is fine for tens of thousands of memories;
// use store/postgres (HNSW) beyond that.
package sqlite
