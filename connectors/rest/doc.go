// Package rest connects exdesk to a distributor's systems through the
// exdesk.systems/v1 API (../shared/connectors/REST.md; openapi.yaml in this
// package describes it exactly and is embedded: OpenAPI, LoadContract).
//
// The flow of a read: Client.Order builds GET /v1/orders/{order_id} with
// the id escaped as one path segment (SO/2026/0390 → SO%2F2026%2F0390),
// sends it through the system's circuit breaker with a per-attempt timeout,
// reads at most MaxBodyBytes of the answer, and maps the status: 200 is
// decoded, 404 is connectors.NotFound, 429 and 5xx and transport failures
// are retried with jittered exponential backoff (honouring Retry-After up
// to MaxRetryAfter), and when the attempts or the breaker give out the
// error wraps connectors.ErrUnavailable naming the system. Every error
// names the system, the method, the escaped path and the status.
//
// The flow of a write: Client.Execute posts the action with its id as
// Idempotency-Key. A failed attempt is retried with the same key only, so
// the system executes it once; 409 and 422 become *connectors.ActionError
// (nothing changed). An action without an id is not sent.
//
// Per case, the agent reads through connectors.Cache, so one investigation
// asks each endpoint for each id once. The per-case deadline is the
// Systems' CaseTimeout, set by composition.
//
// Server is a reference implementation of the contract over any
// connectors.Systems, with Idempotency-Key replay: `exdesk connectors
// serve --from recorded:DIR` runs it. Check is the conformance checker
// behind `exdesk connectors check rest:URL`: it calls each read, validates
// the answers against the contract and times them.
package rest
