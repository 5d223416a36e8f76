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
}
