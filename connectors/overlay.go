package connectors

import (
	"context"
	"fmt"
)

// StateReader is where the overlay reads the latest state source events
// reported (store.Store implements it; connectors does not import store).
type StateReader interface {
	// ShipmentState returns the merged latest state of the shipment with
	// that id or tracking number; ok is false when no event reported one.
	ShipmentState(ctx context.Context, shipmentID, trackingNumber string) (st ShipmentState, ok bool, err error)
	// InboundStates returns the latest state of every inbound receipt of
	// the sku that events reported.
	InboundStates(ctx context.Context, sku string) ([]InboundState, error)
}

// WithState returns sys with its carrier and inventory views merged with
// the latest state that source events reported: what the investigation,
// the tools and the policy guard read is the system of record, updated by
// any carrier status or supplier date that is newer than what the system
// of record has. The ERP, the executor and the clock are sys's own.
func WithState(sys Systems, r StateReader) Systems {
	if r == nil {
		return sys
	}
	if sys.Carriers != nil {
		c := &stateCarriers{base: sys.Carriers, state: r}
		if _, ok := sys.Carriers.(ShipmentByTracking); ok {
			sys.Carriers = &stateCarriersByTracking{c}
		} else {
			sys.Carriers = c
		}
	}
	if sys.Inventory != nil {
		sys.Inventory = &stateInventory{base: sys.Inventory, state: r}
	}
	return sys
}

// stateCarriers merges shipment state into a carrier system's shipments.
type stateCarriers struct {
	base  Carriers
	state StateReader
}

var _ Carriers = (*stateCarriers)(nil)

func (c *stateCarriers) merge(ctx context.Context, sh Shipment) (Shipment, error) {
	st, ok, err := c.state.ShipmentState(ctx, sh.ID, sh.TrackingNumber)
	if err != nil {
		return sh, fmt.Errorf("reading the reported state of shipment %s: %w", sh.ID, err)
	}
	if !ok {
		return sh, nil
	}
	return st.Apply(sh), nil
}

// OrderShipments implements Carriers.
func (c *stateCarriers) OrderShipments(ctx context.Context, orderID string) ([]Shipment, error) {
	shs, err := c.base.OrderShipments(ctx, orderID)
	if err != nil {
		return nil, err
	}
	for i := range shs {
		if shs[i], err = c.merge(ctx, shs[i]); err != nil {
			return nil, err
		}
	}
	return shs, nil
}

// Shipment implements Carriers.
func (c *stateCarriers) Shipment(ctx context.Context, id string) (Shipment, error) {
	sh, err := c.base.Shipment(ctx, id)
	if err != nil {
		return sh, err
	}
	return c.merge(ctx, sh)
}

// Carriers implements Carriers.
func (c *stateCarriers) Carriers(ctx context.Context) ([]Carrier, error) { return c.base.Carriers(ctx) }

// stateCarriersByTracking keeps the base system's ShipmentByTracking.
type stateCarriersByTracking struct{ *stateCarriers }

var _ ShipmentByTracking = (*stateCarriersByTracking)(nil)

// ShipmentByTracking implements ShipmentByTracking.
func (c *stateCarriersByTracking) ShipmentByTracking(ctx context.Context, number string) (Shipment, error) {
	sh, err := c.base.(ShipmentByTracking).ShipmentByTracking(ctx, number)
	if err != nil {
		return sh, err
	}
	return c.merge(ctx, sh)
}

// stateInventory merges inbound state into a warehouse system's stock.
type stateInventory struct {
	base  Inventory
	state StateReader
}

var _ Inventory = (*stateInventory)(nil)

// Stock implements Inventory.
func (v *stateInventory) Stock(ctx context.Context, sku string) ([]Stock, error) {
	stock, err := v.base.Stock(ctx, sku)
	if err != nil {
		return nil, err
	}
	states, err := v.state.InboundStates(ctx, sku)
	if err != nil {
		return nil, fmt.Errorf("reading the reported inbound supply of %s: %w", sku, err)
	}
	for i := range stock {
		stock[i] = ApplyInbound(stock[i], states)
	}
	return stock, nil
}

// Sites implements Inventory.
func (v *stateInventory) Sites(ctx context.Context) ([]Site, error) { return v.base.Sites(ctx) }
