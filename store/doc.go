// Package store defines exdesk's durable state: cases and their events,
// proposed actions with their approval state machine, executions (at most one
// per proposal), the hash-chained audit log, the case memory used to find
// similar past cases, and the latest state source events reported about
// shipments and inbound supply (SourceState).
//
// The [Store] interface has two implementations that pass one conformance
// suite (package storetest):
//
//   - store/postgres: PostgreSQL with pgvector (DATABASE_URL), for
//     production and several replicas;
//   - store/sqlite: a pure-Go SQLite file, the embedded default.
//
// This package holds only the record types, the errors, the proposal state
// machine, the audit-chain hashing and verification, and the cosine ranking
// shared by the implementations.
//
// The audit chain is keyed: each row's hash is HMAC-SHA256 under an
// [AuditKey] over the previous row's hash and the row's canonical content
// ([AuditContent]). The key is given to the store by the service and never
// stored in the database, so someone who can write the database but does
// not hold the key cannot rewrite rows and recompute a chain that
// verifies. Deleting the newest rows and moving the chain head back leaves
// a chain that verifies; an [AuditCheckpoint] kept outside the database
// (a file the stores rewrite after every append, or that `exdesk audit
// checkpoint` writes) names a row that must still be there, and a store
// with a checkpoint refuses to append behind it ([ErrAuditRewound]). It imports no service packages: the service
// maps its own types (agent cases, policy decisions) into these records.
//
// Errors are returned wrapped; test them with errors.Is against
// [ErrNotFound], [ErrConflict], [ErrAlreadyExecuted], [ErrDuplicate] and
// [ErrInvalid], [ErrNoAuditKey] and [ErrAuditRewound], and with errors.As
// against [*ConflictError].
package store
