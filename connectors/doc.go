// Package connectors holds the domain model of a distributor's order
// operations (customers, items, orders, inventory, contracts, shipments,
// carriers and sites, as the exdesk.case/v1 snapshot describes them), the
// narrow interfaces exdesk reads the ERP, inventory (WMS) and carrier (TMS)
// systems through, the action vocabulary those systems execute, and the
// shared arithmetic (money in cents, availability, freight, expedite cost)
// that the tools, the planners and the policy guard all agree on.
//
// Implementations live in sub-packages: recorded serves case snapshots from
// files, sim is a seeded simulated distributor.
package connectors
