// Package casework is the one lifecycle of an exception case, used by every
// surface that opens, shows or decides cases: the ingest workers (source
// events), Slack (questions and approvals), the terminal (demo
// --interactive) and any later surface.
//
// The data flow of DESIGN.md passes through it like this:
//
//	source event ─► Desk.HandleEvent (caller holds the order's lock)
//	                  ├─ event already recorded → finish what its first delivery left undone
//	                  ├─ investigate the order on current data (agent.Investigator)
//	                  ├─ the order has an open case → correlate: record the event, re-decide
//	                  │   every pending proposal (superseded when its decision changed),
//	                  │   propose what is new; resolve the case when the exception is gone
//	                  └─ no open case → open one: case, event, proposals, audit and the
//	                      outbox message that posts it, in ONE store transaction
//	                  then the top auto action executes (event-driven cases only)
//
//	question ─► Desk.Ask: read-only. The order's open case is shown as it
//	            stands; otherwise a fresh investigation is stored as a
//	            question-driven case whose auto actions are not executed.
//	            Who asked (user, channel) is in the case's events and audit.
//
//	click ─► Desk.Approve / Desk.Reject: the approver must hold the role
//	         the proposal shows; the guard then decides again on fresh data
//	         and that decision is the one that counts: auto proceeds,
//	         approval proceeds only when the approver holds the role it
//	         names now (else the proposal is superseded and re-proposed
//	         for that role), blocked never. pending → approved is a
//	         compare-and-set; the execution is claimed once per proposal
//	         and once per business effect in the case (schema indexes);
//	         the guard runs once more right before the connector call.
//
// Every change is written together with its audit entries (the fresh
// decision, its rule and reason, and a digest of the facts it used) and
// with outbox messages (store.Outbox) telling the surfaces what to post or
// re-render; a surface drains the outbox, so a crash between storing and
// posting never loses a post and posting never holds an order's lock.
//
// Exactly-once holds for business effects, not only for proposal ids: an
// action whose Key was executed on the order within Options.EffectWindow
// (in any case) or in the case itself is shown as done and never proposed
// or executed again.
package casework
