// Package slackbot is exdesk's Slack surface: it answers questions about
// orders in threads, posts detected cases to the channel their class routes
// to, and turns Approve / Reject clicks into decisions that execute exactly
// once.
//
// Requests arrive over HTTP (Events API, interactivity, slash commands; every
// request's signature is verified before anything is parsed) or Socket Mode.
// Each is acknowledged at once and its work queued on a bounded worker pool,
// so no model or connector call ever delays Slack's 3-second deadline.
// Slack's retries and duplicate event ids are answered once: the first
// delivery claims the event id in Redis (SET NX with a TTL longer than
// Slack's retry window).
//
// An approval is a compare-and-set in the store (pending → approved), then a
// claim of the single execution (RecordExecution, unique per proposal), then
// Investigator.Execute, which runs the guard again on fresh data; the
// connector deduplicates on the action id, which is the proposal id. Any
// number of clicks, supervisors or replicas therefore execute an action at
// most once. A button carries only the opaque proposal id; everything else is
// read from the store, so pending approvals survive a restart.
//
// Outbound messages go through a per-channel queue: at most one message a
// second per channel, Slack's 429 Retry-After honoured, other failures
// retried with backoff, and a message that finally cannot be sent is
// returned as an error and logged, never dropped silently.
package slackbot
