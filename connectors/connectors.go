package connectors

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is wrapped by every lookup of an id a system does not know.
var ErrNotFound = errors.New("not found")

// NotFoundError names the kind and id that a system does not know.
type NotFoundError struct {
	Kind string // "order", "customer", "item", "shipment", "site", "carrier"
	ID   string
}

func (e *NotFoundError) Error() string {
	if e.ID == "" {
		return fmt.Sprintf("%s: no id given", e.Kind)
	}
	return fmt.Sprintf("unknown %s %q", e.Kind, e.ID)
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// NotFound returns a *NotFoundError.
func NotFound(kind, id string) error { return &NotFoundError{Kind: kind, ID: id} }

// ERP is what exdesk reads from the ERP: orders, customers and their credit,
// items, and contract prices.
type ERP interface {
	Order(ctx context.Context, id string) (Order, error)
	Customer(ctx context.Context, id string) (Customer, error)
	Item(ctx context.Context, sku string) (Item, error)
	// CustomerOrders returns every order of the customer, in any status.
	CustomerOrders(ctx context.Context, customerID string) ([]Order, error)
	// Contracts returns the customer's contracts, active or not.
	Contracts(ctx context.Context, customerID string) ([]Contract, error)
}

// Inventory is what exdesk reads from the warehouse system.
type Inventory interface {
	// Stock returns the sku's stock at every site that carries it.
	Stock(ctx context.Context, sku string) ([]Stock, error)
	Sites(ctx context.Context) ([]Site, error)
}

// Carriers is what exdesk reads from the transport system.
type Carriers interface {
	OrderShipments(ctx context.Context, orderID string) ([]Shipment, error)
	Shipment(ctx context.Context, id string) (Shipment, error)
	Carriers(ctx context.Context) ([]Carrier, error)
}

// Executor applies an action to the system of record that owns it.
// Implementations must make Execute idempotent per Action.ID.
type Executor interface {
	Execute(ctx context.Context, a Action) (Execution, error)
}

// Clock tells the business time. Recorded snapshots carry their own.
type Clock interface {
	Now() time.Time
}

// Systems bundles one customer's systems. ERP, Inventory, Carriers,
// Executor and Clock are required.
type Systems struct {
	ERP       ERP
	Inventory Inventory
	Carriers  Carriers
	Executor  Executor
	Clock     Clock
	// CaseTimeout, when set, is the longest one investigation may spend
	// reading these systems: the per-case view (Cache) stops every read at
	// its start + CaseTimeout. Zero means no limit (in-memory systems).
	CaseTimeout time.Duration
}

// Execution is what executing an action did.
type Execution struct {
	ActionID string    `json:"action_id"`
	Type     string    `json:"type"`
	OrderID  string    `json:"order_id"`
	System   string    `json:"system"` // erp, inventory, carrier, tasks
	Detail   string    `json:"detail"`
	At       time.Time `json:"at"`
	// Replayed is true when the action had already been executed under the
	// same id and nothing was done again.
	Replayed bool `json:"replayed,omitempty"`
}

// OrderSampler is implemented by ERPs that can list some of their order
// ids (recorded snapshots, the simulator). exdesk shows people what order
// ids look like from them and learns their shape to suggest an id written
// without its prefix or separators.
type OrderSampler interface {
	// SampleOrderIDs returns at most n order ids, spread over the ERP's.
	SampleOrderIDs(ctx context.Context, n int) ([]string, error)
}
