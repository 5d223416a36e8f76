package connectors

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CustomerOrderQuery selects some orders of one customer, in any status:
// those with a PO number (at any age) and those created since a time,
// optionally only those of them with given lines. It is what the
// duplicate check of DESIGN.md asks: another order of the customer with
// the same PO number, or one with the same lines created within 48 hours.
type CustomerOrderQuery struct {
	CustomerID string
	// PONumber, when not empty, selects the customer's orders with this
	// PO number, however old.
	PONumber string
	// Since selects the customer's orders created at or after it. The zero
	// time selects every order.
	Since time.Time
	// SameLines narrows the orders Since selects to those whose lines are
	// the same as Lines (see SameLines); with no Lines it selects none of
	// them. Without it, Lines is not looked at.
	SameLines bool
	Lines     []Line
}

// Matches reports whether q selects o.
func (q CustomerOrderQuery) Matches(o Order) bool {
	switch {
	case o.CustomerID != q.CustomerID:
		return false
	case q.PONumber != "" && o.PONumber == q.PONumber:
		return true
	case o.CreatedAt.Before(q.Since):
		return false
	}
	return !q.SameLines || SameLines(o.Lines, q.Lines)
}

// SameLines reports whether two orders have the same lines, as DESIGN.md's
// duplicate rule compares them: at least one line, and the same multiset
// of (sku, qty, uom, unit price in cents), whatever the line numbers and
// their order.
func SameLines(a, b []Line) bool {
	return len(a) > 0 && len(a) == len(b) && LinesKey(a) == LinesKey(b)
}

// LinesKey returns a key of an order's lines that is equal for two orders
// exactly when SameLines holds for them (or both have no lines, the empty
// key), for indexing orders by their lines.
func LinesKey(lines []Line) string {
	if len(lines) == 0 {
		return ""
	}
	keys := make([]string, len(lines))
	for i, l := range lines {
		// Quoted strings keep the key unambiguous whatever a sku or a uom
		// holds.
		b := strconv.AppendQuote(nil, l.SKU)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(l.Qty), 10)
		b = append(b, ' ')
		b = strconv.AppendQuote(b, l.UOM)
		b = append(b, ' ')
		b = strconv.AppendInt(b, Cents(l.UnitPrice), 10)
		keys[i] = string(b)
	}
	slices.Sort(keys)
	return strings.Join(keys, "\n")
}

// CustomerOrderIndex is implemented by ERPs that can answer a
// CustomerOrderQuery without listing every order of the customer (the
// recorded and simulated systems index orders by customer, by customer
// and PO number, by creation time and by customer and lines; the REST
// client asks for the window with created_after). It is optional:
// FindCustomerOrders falls back to CustomerOrders.
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
// their order, in a new slice: list may be what an ERP holds.
func FilterCustomerOrders(list []Order, q CustomerOrderQuery) []Order {
	var out []Order
	for _, o := range list {
		if q.Matches(o) {
			out = append(out, o)
		}
	}
	return out
}
