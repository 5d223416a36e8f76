package tools

import (
	"context"
	"slices"

	"github.com/exdesk/exdesk/connectors"
)

// AvailabilityReport is the availability of an order's lines across sites.
type AvailabilityReport struct {
	OrderID           string             `json:"order_id"`
	ShipFrom          string             `json:"ship_from"`
	RequestedShipDate string             `json:"requested_ship_date"`
	Lines             []LineAvailability `json:"lines"`
	ShortLines        []int              `json:"short_lines" desc:"lines the ship-from site cannot cover by the requested ship date"`
	// Alternate is the cheapest other site whose availability covers every
	// short line, or null.
	Alternate *AlternateSite `json:"alternate"`
	// FillableNow says whether some quantity could ship now from the
	// ship-from site (what partial_ship would send).
	FillableNow bool `json:"fillable_now"`
	// CoveredBy is the earliest date by which inbound receipts at the
	// ship-from site cover every short line, or "" when none does.
	CoveredBy string `json:"covered_by"`
}

// LineAvailability is one line's availability.
type LineAvailability struct {
	Line     int                `json:"line"`
	SKU      string             `json:"sku"`
	Qty      int                `json:"qty"`
	Short    bool               `json:"short"`
	Shortage int                `json:"shortage" desc:"qty − available at the ship-from site by the requested date"`
	Sites    []SiteAvailability `json:"sites"`
}

// SiteAvailability is a sku's availability at one site.
type SiteAvailability struct {
	Site            string               `json:"site"`
	AvailableNow    int                  `json:"available_now"`
	AvailableByDate int                  `json:"available_by_date"`
	Inbound         []connectors.Inbound `json:"inbound"`
}

// AlternateSite is a site that can ship the short lines, with its freight.
type AlternateSite struct {
	Site         string  `json:"site"`
	Lines        []int   `json:"lines"`
	FreightCost  float64 `json:"freight_cost"`
	AddedFreight float64 `json:"added_freight"`
}

func (tb *Toolbox) availability(ctx context.Context, q OrderQuery) (AvailabilityReport, error) {
	o, err := tb.order(ctx, q.OrderID)
	if err != nil {
		return AvailabilityReport{}, err
	}
	stock, err := tb.stockFor(ctx, o)
	if err != nil {
		return AvailabilityReport{}, err
	}
	rep := AvailabilityReport{OrderID: o.ID, ShipFrom: o.ShipFrom, RequestedShipDate: o.RequestedShipDate.String(),
		ShortLines: connectors.ShortLines(o, stock)}
	for _, l := range o.Lines {
		la := LineAvailability{Line: l.Line, SKU: l.SKU, Qty: l.Qty, Short: slices.Contains(rep.ShortLines, l.Line)}
		for _, s := range stock[l.SKU] {
			sa := SiteAvailability{Site: s.Site, AvailableNow: s.AvailableNow(),
				AvailableByDate: s.AvailableBy(o.RequestedShipDate), Inbound: s.Inbound}
			if s.Site == o.ShipFrom {
				la.Shortage = max(l.Qty-sa.AvailableByDate, 0)
				if sa.AvailableNow > 0 {
					rep.FillableNow = true
				}
			}
			la.Sites = append(la.Sites, sa)
		}
		rep.Lines = append(rep.Lines, la)
	}
	if len(rep.ShortLines) > 0 {
		sites, err := tb.sys.Inventory.Sites(ctx)
		if err != nil {
			return AvailabilityReport{}, err
		}
		if a, ok := connectors.CheapestAllocation(o, rep.ShortLines, stock, sites); ok {
			rep.Alternate = &AlternateSite{Site: a.Site, Lines: a.Lines, FreightCost: money(a.FreightCost), AddedFreight: money(a.AddedFreight)}
		}
		rep.CoveredBy = coveredBy(o, rep.ShortLines, stock)
	}
	return rep, nil
}

// coveredBy returns the earliest inbound ETA at the ship-from site on which
// every short line is covered, or "".
func coveredBy(o connectors.Order, short []int, stock map[string][]connectors.Stock) string {
	var dates []connectors.Date
	for _, ss := range stock {
		for _, s := range ss {
			if s.Site != o.ShipFrom {
				continue
			}
			for _, in := range s.Inbound {
				if in.ETA.After(o.RequestedShipDate) {
					dates = append(dates, in.ETA)
				}
			}
		}
	}
	slices.SortFunc(dates, func(a, b connectors.Date) int { return a.Time().Compare(b.Time()) })
	for _, d := range dates {
		moved := o
		moved.RequestedShipDate = d
		if connectors.SiteCovers(moved, short, o.ShipFrom, stock) {
			return d.String()
		}
	}
	return ""
}

// SubstituteReport lists approved substitutes for one line.
type SubstituteReport struct {
	OrderID            string           `json:"order_id"`
	Line               int              `json:"line"`
	SKU                string           `json:"sku"`
	Qty                int              `json:"qty"`
	AllowsSubstitution bool             `json:"allows_substitution" desc:"the customer accepts substitutes"`
	OriginalRegulated  bool             `json:"original_regulated"`
	Substitutes        []SubstituteInfo `json:"substitutes"`
}

// SubstituteInfo is one approved substitute.
type SubstituteInfo struct {
	SKU             string `json:"sku"`
	Description     string `json:"description"`
	Regulated       bool   `json:"regulated"`
	Hazmat          bool   `json:"hazmat"`
	AvailableByDate int    `json:"available_by_date" desc:"at the ship-from site by the requested ship date"`
	Covers          bool   `json:"covers" desc:"covers the line quantity at the ship-from site"`
}

func (tb *Toolbox) substitutes(ctx context.Context, q LineQuery) (SubstituteReport, error) {
	o, err := tb.order(ctx, q.OrderID)
	if err != nil {
		return SubstituteReport{}, err
	}
	l, ok := o.Line(q.Line)
	if !ok {
		return SubstituteReport{}, &ToolError{Tool: "find_substitutes", Code: CodeBadArguments,
			Message: "order " + o.ID + " has no line " + itoa(q.Line)}
	}
	c, err := tb.sys.ERP.Customer(ctx, o.CustomerID)
	if err != nil {
		return SubstituteReport{}, err
	}
	it, err := tb.sys.ERP.Item(ctx, l.SKU)
	if err != nil {
		return SubstituteReport{}, err
	}
	rep := SubstituteReport{OrderID: o.ID, Line: l.Line, SKU: l.SKU, Qty: l.Qty,
		AllowsSubstitution: c.AllowsSubstitution, OriginalRegulated: it.Regulated}
	for _, sku := range it.Substitutes {
		sub, err := tb.sys.ERP.Item(ctx, sku)
		if err != nil {
			continue
		}
		stock, err := tb.sys.Inventory.Stock(ctx, sku)
		if err != nil {
			return SubstituteReport{}, err
		}
		avail := 0
		for _, s := range stock {
			if s.Site == o.ShipFrom {
				avail += s.AvailableBy(o.RequestedShipDate)
			}
		}
		rep.Substitutes = append(rep.Substitutes, SubstituteInfo{SKU: sku, Description: sub.Description,
			Regulated: sub.Regulated, Hazmat: sub.Hazmat, AvailableByDate: avail, Covers: avail >= l.Qty})
	}
	return rep, nil
}
