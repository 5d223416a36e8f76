package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// SourceState keeps the latest state that source events reported about
// shipments (a carrier's status, reason, location, new ETA) and inbound
// supply (a supplier's new date or quantity), so the carrier and inventory
// views the investigation reads can merge it (connectors.WithState) before
// the system of record has caught up.
//
// Newest by event time wins: a Put merges the reported state into the kept
// one with connectors.ShipmentState.Merge / InboundState.Merge, so an
// older event never overwrites a newer one, and putting the same state
// again changes nothing.
type SourceState interface {
	// PutShipmentState merges s into the state kept under its
	// (ShipmentID, TrackingNumber); at least one must be set (ErrInvalid
	// otherwise). applied is false when s was older than the kept state
	// (only its carrier events and missing fields were taken).
	PutShipmentState(ctx context.Context, s connectors.ShipmentState) (applied bool, err error)
	// ShipmentState returns the merged state of every record kept under
	// that shipment id or that tracking number (empty ones match nothing);
	// ok is false when there is none.
	ShipmentState(ctx context.Context, shipmentID, trackingNumber string) (st connectors.ShipmentState, ok bool, err error)
	// PutInboundState merges s into the state kept under (SKU, Ref), both
	// required (ErrInvalid otherwise).
	PutInboundState(ctx context.Context, s connectors.InboundState) (applied bool, err error)
	// InboundStates returns the kept state of every inbound receipt of the
	// sku, by ref.
	InboundStates(ctx context.Context, sku string) ([]connectors.InboundState, error)
}

// Limits on kept source state.
const (
	maxStateKey = 200
)

// shipmentStateDoc is the stored form of a connectors.ShipmentState.
type shipmentStateDoc struct {
	ShipmentID     string                     `json:"shipment_id,omitempty"`
	TrackingNumber string                     `json:"tracking_number,omitempty"`
	OrderID        string                     `json:"order_id,omitempty"`
	Carrier        string                     `json:"carrier,omitempty"`
	Status         string                     `json:"status,omitempty"`
	ETA            time.Time                  `json:"eta,omitzero"`
	Events         []connectors.ShipmentEvent `json:"events,omitempty"`
	At             time.Time                  `json:"at"`
	EventID        string                     `json:"event_id,omitempty"`
	Source         string                     `json:"source,omitempty"`
}

// inboundStateDoc is the stored form of a connectors.InboundState.
type inboundStateDoc struct {
	SKU     string          `json:"sku"`
	Ref     string          `json:"ref"`
	Site    string          `json:"site,omitempty"`
	Qty     *int            `json:"qty,omitempty"`
	ETA     connectors.Date `json:"eta,omitzero"`
	At      time.Time       `json:"at"`
	EventID string          `json:"event_id,omitempty"`
	Source  string          `json:"source,omitempty"`
}

// CheckShipmentState returns a wrapped ErrInvalid unless s can be kept.
func CheckShipmentState(s connectors.ShipmentState) error {
	switch {
	case s.ShipmentID == "" && s.TrackingNumber == "":
		return fmt.Errorf("shipment state needs a shipment id or a tracking number: %w", ErrInvalid)
	case len(s.ShipmentID) > maxStateKey || len(s.TrackingNumber) > maxStateKey:
		return fmt.Errorf("shipment state key longer than %d bytes: %w", maxStateKey, ErrInvalid)
	}
	return nil
}

// CheckInboundState returns a wrapped ErrInvalid unless s can be kept.
func CheckInboundState(s connectors.InboundState) error {
	switch {
	case strings.TrimSpace(s.SKU) == "" || strings.TrimSpace(s.Ref) == "":
		return fmt.Errorf("inbound state needs a sku and a ref: %w", ErrInvalid)
	case len(s.SKU) > maxStateKey || len(s.Ref) > maxStateKey:
		return fmt.Errorf("inbound state key longer than %d bytes: %w", maxStateKey, ErrInvalid)
	}
	return nil
}

// EncodeShipmentState returns the stored JSON of s.
func EncodeShipmentState(s connectors.ShipmentState) ([]byte, error) {
	return json.Marshal(shipmentStateDoc{s.ShipmentID, s.TrackingNumber, s.OrderID, s.Carrier, s.Status,
		s.ETA.UTC(), s.Events, s.At.UTC(), s.EventID, s.Source})
}

// DecodeShipmentState reads what EncodeShipmentState wrote.
func DecodeShipmentState(b []byte) (connectors.ShipmentState, error) {
	var d shipmentStateDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return connectors.ShipmentState{}, fmt.Errorf("decoding shipment state: %w", err)
	}
	return connectors.ShipmentState{ShipmentID: d.ShipmentID, TrackingNumber: d.TrackingNumber, OrderID: d.OrderID,
		Carrier: d.Carrier, Status: d.Status, ETA: d.ETA, Events: d.Events, At: d.At, EventID: d.EventID, Source: d.Source}, nil
}

// EncodeInboundState returns the stored JSON of s.
func EncodeInboundState(s connectors.InboundState) ([]byte, error) {
	return json.Marshal(inboundStateDoc{s.SKU, s.Ref, s.Site, s.Qty, s.ETA, s.At.UTC(), s.EventID, s.Source})
}

// DecodeInboundState reads what EncodeInboundState wrote.
func DecodeInboundState(b []byte) (connectors.InboundState, error) {
	var d inboundStateDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return connectors.InboundState{}, fmt.Errorf("decoding inbound state: %w", err)
	}
	return connectors.InboundState{SKU: d.SKU, Ref: d.Ref, Site: d.Site, Qty: d.Qty, ETA: d.ETA, At: d.At,
		EventID: d.EventID, Source: d.Source}, nil
}

// MergeShipmentStates merges records kept under one shipment's id and
// tracking number, oldest first, into one state.
func MergeShipmentStates(records []connectors.ShipmentState) (connectors.ShipmentState, bool) {
	if len(records) == 0 {
		return connectors.ShipmentState{}, false
	}
	out := records[0]
	for _, r := range records[1:] {
		out, _ = out.Merge(r)
	}
	return out, true
}
