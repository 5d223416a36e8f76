package tools

import (
	"context"
	"fmt"

	"github.com/exdesk/exdesk/connectors"
)

// ImpactQuery is a proposed action whose impact to estimate. Only the
// arguments of the action's type are read; the others are null.
type ImpactQuery struct {
	OrderID      string   `json:"order_id" desc:"the sales order id"`
	Action       string   `json:"action" desc:"the action type" enum:"allocate_from_site,substitute_item,correct_price,expedite_shipment,rebook_carrier,partial_ship,reschedule_order,cancel_order,release_hold"`
	Site         *string  `json:"site" desc:"allocate_from_site: the alternate site"`
	Lines        []int    `json:"lines" desc:"allocate_from_site: line numbers; empty for the others"`
	Line         *int     `json:"line" desc:"substitute_item, correct_price: the line"`
	SKU          *string  `json:"sku" desc:"substitute_item: the substitute sku"`
	Price        *float64 `json:"price" desc:"correct_price: the new unit price"`
	ShipmentID   *string  `json:"shipment_id" desc:"expedite_shipment, rebook_carrier: the shipment"`
	ServiceLevel *string  `json:"service_level" desc:"expedite_shipment: the new service level"`
	Carrier      *string  `json:"carrier" desc:"rebook_carrier: the new carrier"`
}

// Validate implements Validator.
func (q *ImpactQuery) Validate() error {
	if err := checkOrderID(q.OrderID); err != nil {
		return err
	}
	if _, ok := connectors.LookupAction(q.Action); !ok {
		return fmt.Errorf("action %q is not an action type", q.Action)
	}
	return nil
}

// ImpactEstimate is the estimated effect of an action.
type ImpactEstimate struct {
	OrderID       string  `json:"order_id"`
	Action        string  `json:"action"`
	OrderTotal    float64 `json:"order_total"`
	RevenueAtRisk float64 `json:"revenue_at_risk" desc:"order value that does not ship on time without action"`
	AddedFreight  float64 `json:"added_freight"`
	ExpediteCost  float64 `json:"expedite_cost"`
	FreightChange float64 `json:"freight_change"`
	MarginBefore  float64 `json:"margin_before"`
	MarginAfter   float64 `json:"margin_after"`
	Note          string  `json:"note"`
}

func (tb *Toolbox) estimateImpact(ctx context.Context, q ImpactQuery) (ImpactEstimate, error) {
	o, err := tb.order(ctx, q.OrderID)
	if err != nil {
		return ImpactEstimate{}, err
	}
	total := connectors.OrderTotal(o)
	est := ImpactEstimate{OrderID: o.ID, Action: q.Action, OrderTotal: money(total), RevenueAtRisk: money(total)}
	margin, err := tb.margin(ctx, o)
	if err != nil {
		return ImpactEstimate{}, err
	}
	est.MarginBefore, est.MarginAfter = money(margin), money(margin)
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	switch q.Action {
	case connectors.ActAllocateFromSite:
		stock, err := tb.stockFor(ctx, o)
		if err != nil {
			return ImpactEstimate{}, err
		}
		sites, err := tb.sys.Inventory.Sites(ctx)
		if err != nil {
			return ImpactEstimate{}, err
		}
		var from, to connectors.Site
		for _, s := range sites {
			switch s.ID {
			case o.ShipFrom:
				from = s
			case str(q.Site):
				to = s
			}
		}
		fl, _ := from.Lane(o.ShipTo.Region)
		tl, ok := to.Lane(o.ShipTo.Region)
		if !ok {
			return est, &ToolError{Tool: "estimate_impact", Code: CodeBadArguments, Message: fmt.Sprintf("site %q has no lane to %s", str(q.Site), o.ShipTo.Region)}
		}
		est.AddedFreight = money(connectors.Cents(tl.FreightCost) - connectors.Cents(fl.FreightCost))
		if !connectors.SiteCovers(o, q.Lines, to.ID, stock) {
			est.Note = fmt.Sprintf("%s does not cover lines %v by %s", to.ID, q.Lines, o.RequestedShipDate)
		}
	case connectors.ActCorrectPrice, connectors.ActSubstituteItem:
		if q.Line == nil {
			return est, &ToolError{Tool: "estimate_impact", Code: CodeBadArguments, Message: "line is required for " + q.Action}
		}
		moved := o
		moved.Lines = append([]connectors.Line(nil), o.Lines...)
		for i := range moved.Lines {
			if moved.Lines[i].Line != *q.Line {
				continue
			}
			if q.Action == connectors.ActCorrectPrice && q.Price != nil {
				moved.Lines[i].UnitPrice = *q.Price
			}
			if q.Action == connectors.ActSubstituteItem && q.SKU != nil {
				moved.Lines[i].SKU = *q.SKU
			}
		}
		after, err := tb.margin(ctx, moved)
		if err != nil {
			return ImpactEstimate{}, err
		}
		est.MarginAfter = money(after)
	case connectors.ActExpediteShipment, connectors.ActRebookCarrier:
		sh, err := tb.sys.Carriers.Shipment(ctx, str(q.ShipmentID))
		if err != nil {
			return ImpactEstimate{}, err
		}
		carriers, err := tb.sys.Carriers.Carriers(ctx)
		if err != nil {
			return ImpactEstimate{}, err
		}
		if q.Action == connectors.ActExpediteShipment {
			if c, ok := connectors.FindCarrier(carriers, sh.Carrier); ok {
				if s, ok := c.Service(str(q.ServiceLevel)); ok {
					est.ExpediteCost = money(connectors.Cents(s.CostPerOrder) - connectors.Cents(sh.FreightCost))
				}
			}
			break
		}
		if c, ok := connectors.FindCarrier(carriers, str(q.Carrier)); ok {
			if s, ok := connectors.RebookService(carriers, c, sh.Carrier, sh.ServiceLevel); ok {
				est.FreightChange = money(connectors.Cents(s.CostPerOrder) - connectors.Cents(sh.FreightCost))
			}
		}
	case connectors.ActCancelOrder:
		est.Note = "cancelling removes the order's revenue and margin"
		est.MarginAfter = 0
	}
	return est, nil
}

func (tb *Toolbox) margin(ctx context.Context, o connectors.Order) (int64, error) {
	var m int64
	for _, l := range o.Lines {
		it, err := tb.sys.ERP.Item(ctx, l.SKU)
		if err != nil {
			continue
		}
		m += connectors.LineAmount(l) - connectors.Cents(float64(l.Qty)*it.UnitCost)
	}
	return m, nil
}
