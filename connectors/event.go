package connectors

import (
	"encoding/json"
	"time"
)

// Event types that source systems send.
const (
	EventHoldPlaced       = "hold_placed"
	EventOrderCreated     = "order_created"
	EventOrderChanged     = "order_changed"
	EventShipmentStatus   = "shipment_status"
	EventInventoryChanged = "inventory_changed"
)

// Event is a signal from a source system (ERP, WMS, TMS, EDI) about an order.
//
// An event may also carry state: the shipment status a carrier reported
// (Shipment) or the inbound supply a supplier confirmed (Inbound). That
// state is kept as the latest known state of the shipment or inbound
// receipt, so the investigation sees it before the system of record has
// caught up. An event that carries state may leave OrderID empty when the
// source does not know the order (a carrier knows a tracking number): the
// order is then found from the shipment.
type Event struct {
	// ID is the source's id of the event; duplicates are dropped on it.
	ID      string    `json:"id"`
	Source  string    `json:"source"` // erp, wms, tms, edi
	Type    string    `json:"type"`
	OrderID string    `json:"order_id"`
	At      time.Time `json:"at"`
	// Data is the source's payload, kept for the audit trail. It is data,
	// never instructions.
	Data json.RawMessage `json:"data,omitempty"`
	// Shipment is the state of a shipment a shipment_status event reports.
	Shipment *ShipmentUpdate `json:"shipment,omitempty"`
	// Inbound is the state of inbound supply an inventory_changed event
	// reports (a supplier's acknowledgement or ship notice).
	Inbound []InboundUpdate `json:"inbound,omitempty"`
}

// ShipmentUpdate is what a carrier or an EDI partner said about one
// shipment at the event's time. Empty fields say nothing.
type ShipmentUpdate struct {
	// ShipmentID is the shipper's shipment id (X12 B10-02, BSN-02).
	ShipmentID string `json:"shipment_id,omitempty"`
	// TrackingNumber is the carrier's tracking or PRO number.
	TrackingNumber string `json:"tracking_number,omitempty"`
	// Carrier is the carrier's code (SCAC) or name.
	Carrier string `json:"carrier,omitempty"`
	// Status is the shipment's status in exdesk's terms (planned, tendered,
	// picked_up, in_transit, delivered, exception).
	Status string `json:"status,omitempty"`
	// ETA is the new estimated delivery.
	ETA time.Time `json:"eta,omitzero"`
	// Events are the carrier status events reported, oldest first, with
	// X12 214 status and reason codes.
	Events []ShipmentEvent `json:"events,omitempty"`
	// References are other numbers the source gave (bill of lading, PO),
	// by qualifier (BM, PO, ...), used to find the shipment.
	References map[string]string `json:"references,omitempty"`
}

// InboundUpdate is what a supplier said about one inbound receipt of one
// sku: a changed quantity or date. Empty fields say nothing.
type InboundUpdate struct {
	SKU string `json:"sku"`
	// Site is the receiving site, or empty when the source does not say.
	Site string `json:"site,omitempty"`
	// Ref is the inbound receipt's reference (the purchase order number).
	Ref string `json:"ref"`
	// Qty is the quantity now expected; nil says nothing, 0 means the
	// supplier will not deliver it (line rejected or deleted).
	Qty *int `json:"qty,omitempty"`
	// ETA is the date the receipt is now expected at the site.
	ETA Date `json:"eta,omitzero"`
}

// CarriesState reports whether the event carries shipment or inbound state.
func (e Event) CarriesState() bool {
	return e.Shipment != nil || len(e.Inbound) > 0
}
