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
// shared by the implementations. It imports no service packages: the service
// maps its own types (agent cases, policy decisions) into these records.
//
// Errors are returned wrapped; test them with errors.Is against
// [ErrNotFound], [ErrConflict], [ErrAlreadyExecuted], [ErrDuplicate] and
// [ErrInvalid], and with errors.As against [*ConflictError].
package store
