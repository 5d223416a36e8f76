package sim

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
)

// The payloads below are what the simulated source systems put in
// connectors.Event.Data, one type per event type. Apply reads them back, so
// an event that went through a queue and was decoded again applies the same
// change.

// OrderCreated is the payload of an order_created event: the order as the
// ERP (or the EDI gateway) first recorded it.
type OrderCreated struct {
	Order connectors.Order `json:"order"`
}

// HoldPlaced is the payload of a hold_placed event.
type HoldPlaced struct {
	Hold connectors.Hold `json:"hold"`
}

// OrderChanged is the payload of an order_changed event. Only the fields
// that are set change.
type OrderChanged struct {
	Reason string       `json:"reason"`
	Lines  []LineChange `json:"lines,omitempty"`
	Notes  *string      `json:"notes,omitempty"`
}

// LineChange sets the unit price of one order line.
type LineChange struct {
	Line          int     `json:"line"`
	UnitPrice     float64 `json:"unit_price"`
	PreviousPrice float64 `json:"previous_price"`
}

// ShipmentStatus is the payload of a shipment_status event. When Shipment
// is set the shipment is new (planned); otherwise Status, ETA and Event
// update the shipment ShipmentID.
type ShipmentStatus struct {
	ShipmentID string                    `json:"shipment_id"`
	Status     string                    `json:"status"`
	ETA        *time.Time                `json:"eta,omitempty"`
	Event      *connectors.ShipmentEvent `json:"event,omitempty"`
	Shipment   *connectors.Shipment      `json:"shipment,omitempty"`
}

// InventoryChanged is the payload of an inventory_changed event from the
// WMS: a receipt (ReceivedRef arrives, on hand grows by its quantity), a
// cycle-count adjustment (OnHandDelta), or a supplier moving an inbound
// receipt's ETA (InboundRef, NewETA).
type InventoryChanged struct {
	SKU         string          `json:"sku"`
	Site        string          `json:"site"`
	Reason      string          `json:"reason"`
	OnHandDelta int             `json:"on_hand_delta"`
	ReceivedRef string          `json:"received_ref,omitempty"`
	InboundRef  string          `json:"inbound_ref,omitempty"`
	NewETA      connectors.Date `json:"new_eta,omitzero"`
}

// apply changes the connector's state as e says. It reports whether the
// payload was understood.
func apply(c *recorded.Connector, e connectors.Event) bool {
	ctx := context.Background()
	switch e.Type {
	case connectors.EventOrderCreated:
		var p OrderCreated
		if json.Unmarshal(e.Data, &p) != nil || p.Order.ID == "" {
			return false
		}
		c.PutOrder(p.Order)
	case connectors.EventHoldPlaced:
		var p HoldPlaced
		if json.Unmarshal(e.Data, &p) != nil {
			return false
		}
		o, err := c.Order(ctx, e.OrderID)
		if err != nil {
			return false
		}
		if !o.HasHold(p.Hold.Code) {
			o.Holds = append(o.Holds, p.Hold)
		}
		if o.Status == connectors.StatusOpen || o.Status == connectors.StatusReleased {
			o.Status = connectors.StatusOnHold
		}
		c.PutOrder(o)
	case connectors.EventOrderChanged:
		var p OrderChanged
		if json.Unmarshal(e.Data, &p) != nil {
			return false
		}
		o, err := c.Order(ctx, e.OrderID)
		if err != nil {
			return false
		}
		for _, ch := range p.Lines {
			if i := slices.IndexFunc(o.Lines, func(l connectors.Line) bool { return l.Line == ch.Line }); i >= 0 {
				o.Lines[i].UnitPrice = ch.UnitPrice
			}
		}
		if p.Notes != nil {
			o.Notes = *p.Notes
		}
		c.PutOrder(o)
	case connectors.EventShipmentStatus:
		var p ShipmentStatus
		if json.Unmarshal(e.Data, &p) != nil {
			return false
		}
		sh, err := c.Shipment(ctx, p.ShipmentID)
		switch {
		case err != nil && p.Shipment == nil:
			return false
		case err != nil:
			sh = *p.Shipment
		}
		if p.Status != "" {
			sh.Status = p.Status
		}
		if p.ETA != nil {
			sh.ETA = *p.ETA
		}
		if p.Event != nil && !slices.ContainsFunc(sh.Events, func(x connectors.ShipmentEvent) bool {
			return x.At.Equal(p.Event.At) && x.Code == p.Event.Code
		}) {
			sh.Events = append(sh.Events, *p.Event)
		}
		c.PutShipment(sh)
	case connectors.EventInventoryChanged:
		var p InventoryChanged
		if json.Unmarshal(e.Data, &p) != nil {
			return false
		}
		list, _ := c.Stock(ctx, p.SKU)
		i := slices.IndexFunc(list, func(s connectors.Stock) bool { return s.Site == p.Site })
		if i < 0 {
			return false
		}
		changeStock(&list[i], p)
		c.PutStock(list[i])
	default:
		return false
	}
	return true
}

// changeStock applies an inventory change to one stock record.
func changeStock(s *connectors.Stock, p InventoryChanged) {
	s.OnHand = max(s.OnHand+p.OnHandDelta, 0)
	if p.ReceivedRef != "" {
		if j := slices.IndexFunc(s.Inbound, func(in connectors.Inbound) bool { return in.Ref == p.ReceivedRef }); j >= 0 {
			s.OnHand += s.Inbound[j].Qty
			s.Inbound = slices.Delete(slices.Clone(s.Inbound), j, j+1)
		}
	}
	if p.InboundRef != "" && !p.NewETA.IsZero() {
		s.Inbound = slices.Clone(s.Inbound)
		for j := range s.Inbound {
			if s.Inbound[j].Ref == p.InboundRef {
				s.Inbound[j].ETA = p.NewETA
			}
		}
	}
}
