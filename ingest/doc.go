// Package ingest moves source-system events (ERP, WMS, TMS, EDI) into cases,
// durably and once, across several replicas.
//
// The path of an event:
//
//	POST /v1/events or `exdesk ingest FILE.jsonl`
//	  → ParseEvents (all-or-nothing: one bad event rejects the batch, naming the field)
//	  → Publisher.Publish: SET NX on the event id (dedupe) + XADD, one Lua script per batch
//	  → Redis Stream, consumer group
//	  → RunWorkers: XREADGROUP; a worker that dies leaves its entries pending and
//	    another claims them with XAUTOCLAIM after ClaimAfter; an entry delivered
//	    more than MaxDeliveries times goes to the dead-letter stream with its last
//	    error; an entry is acknowledged only after its work is in the store
//	  → CaseProcessor: per-order lock in Redis (token + TTL, compare-and-delete),
//	    apply to the simulator when the connectors are simulated, then
//	    casework.Desk.HandleEvent: the event opens the order's case or joins
//	    its open case, in one store transaction with the outbox message that
//	    posts it; the top auto action executes once per business effect.
//
// Posting to Slack is not done under the order lock: the surfaces drain the
// store's outbox, so a burst of cases to one channel never slows ingest.
//
// Everything a replica shares lives in Redis and the store; the package keeps
// no package-level mutable state.
package ingest
