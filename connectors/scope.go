package connectors

import (
	"context"
	"errors"
	"fmt"
)

// ErrOutOfScope is wrapped by every read a scoped view refuses: an order,
// customer or shipment outside the case being investigated.
var ErrOutOfScope = errors.New("out of the case's scope")

// ScopeError names what a scoped view refused to read.
type ScopeError struct {
	Kind string // order, customer, shipment
	ID   string
}

func (e *ScopeError) Error() string {
	return fmt.Sprintf("%s %q is outside this case: only the case's order and its customer's other orders can be read", e.Kind, e.ID)
}

// Is makes errors.Is(err, ErrOutOfScope) hold.
func (e *ScopeError) Is(target error) bool { return target == ErrOutOfScope }

// Scope returns a view of sys for investigating one case: the customer's
// data is readable only for the case's customer, and orders (and their
// shipments) only when they are the case's order or another order of
// that customer. Items, stock, sites and carriers are shared reference
// data and stay readable. Whatever a planner (or a model steered by text
// in an order note) asks for, one customer's investigation never reads
// another customer's orders, credit or contracts.
func Scope(sys Systems, orderID, customerID string) Systems {
	s := &scoped{erp: sys.ERP, carriers: sys.Carriers, order: orderID, customer: customerID}
	sys.ERP, sys.Carriers = scopedERP{s}, scopedCarriers{s}
	return sys
}

type scoped struct {
	erp             ERP
	carriers        Carriers
	order, customer string
}

// orderInScope reads an order and refuses one of another customer.
func (s *scoped) orderInScope(ctx context.Context, id string) (Order, error) {
	o, err := s.erp.Order(ctx, id)
	if err != nil {
		return o, err
	}
	if o.ID != s.order && o.CustomerID != s.customer {
		return Order{}, &ScopeError{Kind: "order", ID: id}
	}
	return o, nil
}

func (s *scoped) customerInScope(id string) error {
	if id != s.customer {
		return &ScopeError{Kind: "customer", ID: id}
	}
	return nil
}

type scopedERP struct{ s *scoped }

var (
	_ ERP                = scopedERP{}
	_ CustomerOrderIndex = scopedERP{}
)

func (e scopedERP) Order(ctx context.Context, id string) (Order, error) {
	return e.s.orderInScope(ctx, id)
}

func (e scopedERP) Customer(ctx context.Context, id string) (Customer, error) {
	if err := e.s.customerInScope(id); err != nil {
		return Customer{}, err
	}
	return e.s.erp.Customer(ctx, id)
}

func (e scopedERP) Item(ctx context.Context, sku string) (Item, error) { return e.s.erp.Item(ctx, sku) }

func (e scopedERP) CustomerOrders(ctx context.Context, customerID string) ([]Order, error) {
	if err := e.s.customerInScope(customerID); err != nil {
		return nil, err
	}
	return e.s.erp.CustomerOrders(ctx, customerID)
}

// FindCustomerOrders implements CustomerOrderIndex for the case's
// customer, through the ERP's index when it has one.
func (e scopedERP) FindCustomerOrders(ctx context.Context, q CustomerOrderQuery) ([]Order, error) {
	if err := e.s.customerInScope(q.CustomerID); err != nil {
		return nil, err
	}
	return FindCustomerOrders(ctx, e.s.erp, q)
}

func (e scopedERP) Contracts(ctx context.Context, customerID string) ([]Contract, error) {
	if err := e.s.customerInScope(customerID); err != nil {
		return nil, err
	}
	return e.s.erp.Contracts(ctx, customerID)
}

type scopedCarriers struct{ s *scoped }

var _ Carriers = scopedCarriers{}

func (c scopedCarriers) OrderShipments(ctx context.Context, orderID string) ([]Shipment, error) {
	if _, err := c.s.orderInScope(ctx, orderID); err != nil {
		return nil, err
	}
	return c.s.carriers.OrderShipments(ctx, orderID)
}

func (c scopedCarriers) Shipment(ctx context.Context, id string) (Shipment, error) {
	sh, err := c.s.carriers.Shipment(ctx, id)
	if err != nil {
		return sh, err
	}
	if _, err := c.s.orderInScope(ctx, sh.OrderID); err != nil {
		return Shipment{}, &ScopeError{Kind: "shipment", ID: id}
	}
	return sh, nil
}

func (c scopedCarriers) Carriers(ctx context.Context) ([]Carrier, error) {
	return c.s.carriers.Carriers(ctx)
}
