// Package agent investigates order exceptions. It holds the case model
// (class, also-detected classes, severity, evidence with tool provenance,
// summary, ranked actions with the guard's decisions), the Planner
// interface, the deterministic playbook planner, and the Investigator that
// runs a planner, sends every proposed action through the policy guard and
// ranks the result.
//
// Order ids come in every shape (SO-10042, SAP's 0004471958,
// SO/2026/0390): OrderFinder finds the orders a question names by
// confirming its candidate tokens in the ERP, with an optional pattern as a
// hint, never a gate, and suggests the ERP's id for one written without
// its prefix or separators. Trigger.ResolveOrderID reads explicit ids only.
//
// The data flow is: Trigger → Investigator.Investigate → Planner.Plan
// (calling typed tools) → Draft → guard decision per action → Case.
// Investigating changes nothing: what happens to a case next (storing it,
// executing an action after an approval or at once for auto actions, with
// the guard run again on fresh data) is package casework's.
package agent
