package tools

import (
	"context"
	"strconv"

	"github.com/exdesk/exdesk/connectors"
)

func itoa(n int) string { return strconv.Itoa(n) }

// PriceReport compares an order's prices with contracts and costs.
type PriceReport struct {
	OrderID string      `json:"order_id"`
	Today   string      `json:"today"`
	Lines   []LinePrice `json:"lines"`
}

// LinePrice is one line's price check.
type LinePrice struct {
	Line          int      `json:"line"`
	SKU           string   `json:"sku"`
	Qty           int      `json:"qty"`
	UnitPrice     float64  `json:"unit_price"`
	UnitCost      float64  `json:"unit_cost"`
	ListPrice     float64  `json:"list_price"`
	ContractPrice *float64 `json:"contract_price" desc:"the active contract price, or null when no contract is active"`
	ContractValid string   `json:"contract_valid" desc:"valid_from..valid_to of the active contract"`
	Delta         float64  `json:"delta" desc:"|unit price − contract price|"`
	DeltaTimesQty float64  `json:"delta_times_qty"`
	Mismatch      bool     `json:"mismatch" desc:"the line price differs from the active contract price"`
	BelowCost     bool     `json:"below_cost"`
}

func (tb *Toolbox) contractPrices(ctx context.Context, q OrderQuery) (PriceReport, error) {
	o, err := tb.order(ctx, q.OrderID)
	if err != nil {
		return PriceReport{}, err
	}
	contracts, err := tb.sys.ERP.Contracts(ctx, o.CustomerID)
	if err != nil {
		return PriceReport{}, err
	}
	today := tb.today()
	rep := PriceReport{OrderID: o.ID, Today: today.String()}
	for _, l := range o.Lines {
		lp := LinePrice{Line: l.Line, SKU: l.SKU, Qty: l.Qty, UnitPrice: l.UnitPrice}
		if it, err := tb.sys.ERP.Item(ctx, l.SKU); err == nil {
			lp.UnitCost, lp.ListPrice = it.UnitCost, it.ListPrice
			lp.BelowCost = connectors.Cents(l.UnitPrice) < connectors.Cents(it.UnitCost)
		}
		if c, ok := connectors.ActiveContract(contracts, l.SKU, today); ok {
			price := c.Price
			lp.ContractPrice = &price
			lp.ContractValid = c.ValidFrom.String() + ".." + c.ValidTo.String()
			d := connectors.Cents(l.UnitPrice) - connectors.Cents(c.Price)
			if d < 0 {
				d = -d
			}
			lp.Delta = money(d)
			lp.DeltaTimesQty = money(connectors.Cents(money(d) * float64(l.Qty)))
			lp.Mismatch = d != 0
		}
		rep.Lines = append(rep.Lines, lp)
	}
	return rep, nil
}
