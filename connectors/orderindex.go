package connectors

import (
	"context"
	"time"
)

// CustomerOrderQuery selects some orders of one customer, in any status:
// those with a PO number (at any age) and those created since a time. It
// is what the duplicate check of DESIGN.md asks: another order of the
// customer with the same PO number, or one created within 48 hours.
type CustomerOrderQuery struct {
	CustomerID string
	// PONumber, when not empty, selects the customer's orders with this
	// PO number, however old.
	PONumber string
	// Since selects the customer's orders created at or after it. The zero
	// time selects every order.
	Since time.Time
}

// Matches reports whether q selects o.
func (q CustomerOrderQuery) Matches(o Order) bool {
	if o.CustomerID != q.CustomerID {
		return false
	}
	return q.PONumber != "" && o.PONumber == q.PONumber || !o.CreatedAt.Before(q.Since)
}

// CustomerOrderIndex is implemented by ERPs that can answer a
// CustomerOrderQuery without listing every order of the customer (the
// recorded and simulated systems index orders by customer, by customer
// and PO number and by creation time; the REST client asks for the window
// with created_after). It is optional: FindCustomerOrders falls back to
// CustomerOrders.
type CustomerOrderIndex interface {
	// FindCustomerOrders returns the orders q selects, in the order
	// CustomerOrders lists them, each once.
	FindCustomerOrders(ctx context.Context, q CustomerOrderQuery) ([]Order, error)
}

// FindCustomerOrders returns the orders of q's customer that q selects, in
// the order erp.CustomerOrders lists them: through the ERP's
// CustomerOrderIndex when it has one, else by filtering every order of the
// customer.
func FindCustomerOrders(ctx context.Context, erp ERP, q CustomerOrderQuery) ([]Order, error) {
	if ix, ok := erp.(CustomerOrderIndex); ok {
		return ix.FindCustomerOrders(ctx, q)
	}
	all, err := erp.CustomerOrders(ctx, q.CustomerID)
	if err != nil {
		return nil, err
	}
	return FilterCustomerOrders(all, q), nil
}

// FilterCustomerOrders returns the orders of list that q selects, in
// their order. It reuses list's array.
func FilterCustomerOrders(list []Order, q CustomerOrderQuery) []Order {
	out := list[:0]
	for _, o := range list {
		if q.Matches(o) {
			out = append(out, o)
		}
	}
	return out
}
