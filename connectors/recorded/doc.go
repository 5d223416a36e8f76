// Package recorded serves connector snapshots from memory: one case file's
// snapshot, a directory of them, or a snapshot built in code. Executed
// actions are applied to the in-memory state and recorded, so a caller can
// read the state and the execution log afterwards. It is safe for
// concurrent use.
package recorded
