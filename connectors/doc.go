// Package connectors holds the domain model of a distributor's order
// operations (customers, items, orders, inventory, contracts, shipments,
// carriers and sites, as the exdesk.case/v1 snapshot describes them), the
// narrow interfaces exdesk reads the ERP, inventory (WMS) and carrier (TMS)
// systems through, the action vocabulary those systems execute, the shared
// arithmetic (money in cents, availability, freight, expedite cost, the
// rebook target priced at its cheapest service no slower than the current
// one) that the tools, the planners and the policy guard all agree on, and
// the words people read for X12 214 status and reason codes, roles and
// executed tasks (x12.go, words.go). An ERP that can list order ids
// implements OrderSampler, so people are told what real ids look like.
//
// Events (event.go) may carry the state of a shipment or of inbound supply
// as a carrier or supplier reported it; WithState (overlay.go) wraps a
// carrier and an inventory system so what they return is merged with the
// latest such state (state.go: newest by event time wins, an older report
// never overwrites a newer one), read through the small StateReader
// interface declared here (store.SourceState implements it). Optional
// lookups a system may offer are ShipmentByTracking, OrdersByPO and
// CustomerOrderIndex (orderindex.go: a customer's orders with a PO number or
// created since a time, optionally only those with given lines, which the
// duplicate check asks for every case; FindCustomerOrders falls back to
// CustomerOrders).
//
// Implementations live in sub-packages: recorded serves case snapshots from
// files, sim is a seeded simulated distributor, rest reads a distributor's
// systems through the exdesk.systems/v1 API (and serves it), sap is the ERP
// over SAP S/4HANA's OData APIs; compose opens them from a --connectors
// spec, and connectortest is the conformance suite they all pass.
//
// Per investigation, Cache gives the agent a read-through view of the
// systems so each entity is fetched once; errors say what went wrong in
// types callers test with errors.Is/As: NotFound, Unavailable (a system
// down), ActionError (an action that changed nothing: ErrConflict,
// ErrRefused).
package connectors
