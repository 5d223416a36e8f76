// Package connectortest is the conformance suite every connector passes:
// the in-memory ones (recorded, sim), rest over its reference server, and
// sap over its stand-in (the ERP part). A connector's test calls Run with a
// function that opens a Fixture: its systems and a few ids it holds.
//
// The suite checks what the agent and the guard rely on: a read returns
// what was asked for, unknown ids are connectors.NotFound naming the kind,
// related reads agree (an order's customer, items, shipments), answers are
// copies the caller may change, concurrent reads are safe, the clock
// tells a time, an action executes once per id, and a refused action
// changes nothing.
package connectortest
