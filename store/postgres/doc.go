// Package postgres is the production implementation of store.Store:
// PostgreSQL through a pgx connection pool, with case-memory embeddings in
// a pgvector vector(256) column under an HNSW index (vector_cosine_ops).
//
// Open applies the embedded, versioned migrations (migrations/*.sql) in
// one transaction that holds an advisory lock, so several replicas starting
// at once migrate once; schema_migrations records what was applied. Several
// processes may share one database: proposal transitions are conditional
// UPDATEs (compare-and-set), executions are unique per proposal by primary
// key, and audit appends lock the chain-head row.
//
// The audit chain is keyed by Options.AuditKey, which Open requires (the
// replicas must share it; SchemaOnly opens for migrating without it). With
// Options.AppRole, migrations run by the schema's owner grant the
// application's role only INSERT and SELECT on audit_log, SELECT and
// UPDATE on the chain head, SELECT on schema_migrations and read/write on
// the other tables: not owning the tables, it cannot alter or drop the
// audit log or disable its triggers. When nothing is pending, Migrate runs
// no DDL, so the application role can open the store.
//
// Options.Schema puts every table in its own schema (tests give each test
// one); the vector extension always lives in public.
package postgres
