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
//	    apply to the simulator when the connectors are simulated, then either
//	    correlate the event into the order's open case (a CaseEvent whose unique
//	    event id makes a redelivery a no-op) or investigate and open a case
//	    (deterministic case id per event) handed to a CaseSink.
//
// StoreSink is the CaseSink when Slack is not configured: it persists the case,
// its proposals and the one execution of the top auto action (claimed with
// store.RecordExecution) and is safe to call again for the same case after a
// crash. slackbot.Bot satisfies CaseSink too.
//
// Everything a replica shares lives in Redis and the store; the package keeps
// no package-level mutable state.
package ingest
