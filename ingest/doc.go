// Package ingest moves source-system events (ERP, WMS, TMS, EDI) into cases,
// durably and once, across several replicas.
//
// The path of an event:
//
//	POST /v1/events (exdesk JSON, or CloudEvents: package cloudevents),
//	POST /v1/edi/x12 (X12 214 / 856 / 855: package x12),
//	POST /v1/webhooks/{easypost,aftership} (signed tracking webhooks: package webhook),
//	or `exdesk ingest FILE.jsonl` / `exdesk ingest --format x12 FILE`
//	  → each format is mapped onto connectors.Event and validated by ParseEvent
//	    (all-or-nothing for a JSON or CloudEvents batch: one bad event rejects it,
//	    naming the field; an X12 set that cannot be mapped is skipped and reported;
//	    unknown CloudEvents types are ignored and counted)
//	  → Publisher.Publish: SET NX on the event id (dedupe) + XADD, one Lua script per batch
//	  → Redis Stream, consumer group
//	  → RunWorkers: XREADGROUP; the Resolver (StateKeeper) keeps the state an
//	    event carries (a shipment's status, reason, location, ETA; inbound
//	    supply's date and quantity) in the store and finds the order of an event
//	    that names only a shipment — a shipment no system knows opens no case
//	    and is counted (unmatched); a worker that dies leaves its entries pending and
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
// The investigation reads the connectors through connectors.WithState, so
// the kept state shows in the carrier and inventory views before the system
// of record has caught up (newest by event time wins).
//
// Everything a replica shares lives in Redis and the store; the package keeps
// no package-level mutable state.
package ingest
