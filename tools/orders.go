package tools

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// OrderInfo is an order as get_order reports it.
type OrderInfo struct {
	OrderID           string             `json:"order_id"`
	CustomerID        string             `json:"customer_id"`
	CustomerName      string             `json:"customer_name"`
	CustomerTier      string             `json:"customer_tier"`
	PONumber          string             `json:"po_number"`
	Channel           string             `json:"channel"`
	CreatedAt         time.Time          `json:"created_at"`
	RequestedShipDate string             `json:"requested_ship_date"`
	Status            string             `json:"status"`
	Holds             []connectors.Hold  `json:"holds"`
	ShipFrom          string             `json:"ship_from"`
	ShipTo            connectors.Address `json:"ship_to"`
	Carrier           string             `json:"carrier"`
	ServiceLevel      string             `json:"service_level"`
	Lines             []OrderLine        `json:"lines"`
	Total             float64            `json:"total"`
	HazmatGoods       bool               `json:"hazmat_goods"`
	// Notes is untrusted free text from the customer or a rep.
	Notes string `json:"notes"`
}

// OrderLine is an order line with its item's attributes.
type OrderLine struct {
	Line        int     `json:"line"`
	SKU         string  `json:"sku"`
	Description string  `json:"description"`
	Qty         int     `json:"qty"`
	UOM         string  `json:"uom"`
	ItemUOM     string  `json:"item_uom"`
	UnitPrice   float64 `json:"unit_price"`
	UnitCost    float64 `json:"unit_cost"`
	Amount      float64 `json:"amount"`
	Hazmat      bool    `json:"hazmat"`
	Regulated   bool    `json:"regulated"`
	KnownItem   bool    `json:"known_item"`
}

func (tb *Toolbox) getOrder(ctx context.Context, q OrderQuery) (OrderInfo, error) {
	o, err := tb.order(ctx, q.OrderID)
	if err != nil {
		return OrderInfo{}, err
	}
	c, err := tb.sys.ERP.Customer(ctx, o.CustomerID)
	if err != nil {
		return OrderInfo{}, err
	}
	info := OrderInfo{
		OrderID: o.ID, CustomerID: o.CustomerID, CustomerName: c.Name, CustomerTier: c.Tier,
		PONumber: o.PONumber, Channel: o.Channel, CreatedAt: o.CreatedAt,
		RequestedShipDate: o.RequestedShipDate.String(), Status: o.Status, Holds: o.Holds,
		ShipFrom: o.ShipFrom, ShipTo: o.ShipTo, Carrier: o.Carrier, ServiceLevel: o.ServiceLevel,
		Total: money(connectors.OrderTotal(o)), Notes: o.Notes,
	}
	for _, l := range o.Lines {
		ol := OrderLine{Line: l.Line, SKU: l.SKU, Qty: l.Qty, UOM: l.UOM, UnitPrice: l.UnitPrice,
			Amount: money(connectors.LineAmount(l))}
		if it, err := tb.sys.ERP.Item(ctx, l.SKU); err == nil {
			ol.Description, ol.ItemUOM, ol.UnitCost = it.Description, it.UOM, it.UnitCost
			ol.Hazmat, ol.Regulated, ol.KnownItem = it.Hazmat, it.Regulated, true
			info.HazmatGoods = info.HazmatGoods || it.Hazmat
		}
		info.Lines = append(info.Lines, ol)
	}
	return info, nil
}

// CreditPosition is a customer's credit position with respect to one order.
type CreditPosition struct {
	CustomerID     string  `json:"customer_id"`
	CustomerName   string  `json:"customer_name"`
	Tier           string  `json:"tier"`
	PaymentTerms   string  `json:"payment_terms"`
	CreditLimit    float64 `json:"credit_limit"`
	OpenAR         float64 `json:"open_ar"`
	OrderTotal     float64 `json:"order_total"`
	Exposure       float64 `json:"exposure" desc:"open AR + order total"`
	Headroom       float64 `json:"headroom" desc:"credit limit − exposure; negative when over"`
	OverLimit      bool    `json:"over_limit"`
	ExposureRatio  float64 `json:"exposure_ratio" desc:"exposure ÷ credit limit"`
	PastDueAmount  float64 `json:"past_due_amount"`
	MaxDaysPastDue int     `json:"max_days_past_due"`
	CreditStop     bool    `json:"credit_stop"`
	CreditHold     bool    `json:"credit_hold" desc:"the order carries a CREDIT hold"`
}

func (tb *Toolbox) creditPosition(ctx context.Context, q OrderQuery) (CreditPosition, error) {
	o, err := tb.order(ctx, q.OrderID)
	if err != nil {
		return CreditPosition{}, err
	}
	c, err := tb.sys.ERP.Customer(ctx, o.CustomerID)
	if err != nil {
		return CreditPosition{}, err
	}
	total := connectors.OrderTotal(o)
	exposure := connectors.Cents(c.OpenAR) + total
	limit := connectors.Cents(c.CreditLimit)
	p := CreditPosition{
		CustomerID: c.ID, CustomerName: c.Name, Tier: c.Tier, PaymentTerms: c.PaymentTerms,
		CreditLimit: c.CreditLimit, OpenAR: c.OpenAR, OrderTotal: money(total),
		Exposure: money(exposure), Headroom: money(limit - exposure), OverLimit: exposure > limit,
		PastDueAmount: c.PastDueAmount, MaxDaysPastDue: c.MaxDaysPastDue, CreditStop: c.CreditStop,
		CreditHold: o.HasHold(connectors.HoldCredit),
	}
	if limit > 0 {
		p.ExposureRatio = math.Round(float64(exposure)/float64(limit)*1000) / 1000
	}
	return p, nil
}

// DuplicateReport lists orders that may duplicate the queried one.
type DuplicateReport struct {
	OrderID    string               `json:"order_id"`
	Candidates []DuplicateCandidate `json:"candidates"`
}

// DuplicateCandidate is another order of the same customer that matches.
type DuplicateCandidate struct {
	OrderID    string    `json:"order_id"`
	PONumber   string    `json:"po_number"`
	Status     string    `json:"status"`
	CreatedAt  time.Time `json:"created_at"`
	SamePO     bool      `json:"same_po"`
	SameLines  bool      `json:"same_lines"`
	HoursApart float64   `json:"hours_apart"`
	Newer      string    `json:"newer_order_id" desc:"the more recently created of the two orders: the duplicate to cancel"`
	Older      string    `json:"older_order_id"`
	Shipped    bool      `json:"newer_shipped" desc:"the newer order has shipped or a shipment of it is picked up"`
}

// duplicateWindow is how far apart in time two orders with identical
// lines are duplicates (DESIGN.md: within 48 hours, inclusive).
const duplicateWindow = 48 * time.Hour

func (tb *Toolbox) duplicates(ctx context.Context, q OrderQuery) (DuplicateReport, error) {
	o, err := tb.order(ctx, q.OrderID)
	if err != nil {
		return DuplicateReport{}, err
	}
	rep := DuplicateReport{OrderID: o.ID}
	if o.Status == connectors.StatusCancelled {
		return rep, nil
	}
	// Only orders with the same PO number (any age) or with the same lines
	// created in the window can match: the ERP's index answers that
	// without the customer's whole history, or the whole window, where it
	// has one.
	others, err := connectors.FindCustomerOrders(ctx, tb.sys.ERP, connectors.CustomerOrderQuery{
		CustomerID: o.CustomerID, PONumber: o.PONumber, Since: o.CreatedAt.Add(-duplicateWindow),
		SameLines: true, Lines: o.Lines})
	if err != nil {
		return DuplicateReport{}, err
	}
	for _, x := range others {
		if x.ID == o.ID || x.Status == connectors.StatusCancelled {
			continue
		}
		apart := x.CreatedAt.Sub(o.CreatedAt)
		if apart < 0 {
			apart = -apart
		}
		samePO := x.PONumber != "" && x.PONumber == o.PONumber
		sameLines := apart <= duplicateWindow && connectors.SameLines(o.Lines, x.Lines)
		if !samePO && !sameLines {
			continue
		}
		newer, older := o, x
		if x.CreatedAt.After(o.CreatedAt) || (x.CreatedAt.Equal(o.CreatedAt) && x.ID > o.ID) {
			newer, older = x, o
		}
		shipped, err := tb.shippedOrPickedUp(ctx, newer)
		if err != nil {
			return DuplicateReport{}, err
		}
		rep.Candidates = append(rep.Candidates, DuplicateCandidate{
			OrderID: x.ID, PONumber: x.PONumber, Status: x.Status, CreatedAt: x.CreatedAt,
			SamePO: samePO, SameLines: sameLines, HoursApart: math.Round(apart.Hours()*10) / 10,
			Newer: newer.ID, Older: older.ID, Shipped: shipped,
		})
	}
	sort.Slice(rep.Candidates, func(i, j int) bool { return rep.Candidates[i].CreatedAt.Before(rep.Candidates[j].CreatedAt) })
	return rep, nil
}

func (tb *Toolbox) shippedOrPickedUp(ctx context.Context, o connectors.Order) (bool, error) {
	if o.Status == connectors.StatusShipped {
		return true, nil
	}
	shs, err := tb.sys.Carriers.OrderShipments(ctx, o.ID)
	if err != nil {
		return false, err
	}
	for _, s := range shs {
		if s.Started() {
			return true, nil
		}
	}
	return false, nil
}

// MasterDataReport lists master-data problems of an order.
type MasterDataReport struct {
	OrderID string            `json:"order_id"`
	Issues  []MasterDataIssue `json:"issues"`
}

// MasterDataIssue is one missing or invalid field.
type MasterDataIssue struct {
	Entity  string `json:"entity" desc:"what holds the field: SO-…'s ship-to address, line N of SO-…, item SKU-…"`
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

func (tb *Toolbox) validateMaster(ctx context.Context, q OrderQuery) (MasterDataReport, error) {
	o, err := tb.order(ctx, q.OrderID)
	if err != nil {
		return MasterDataReport{}, err
	}
	rep := MasterDataReport{OrderID: o.ID}
	entity := o.ID + "'s ship-to address"
	for _, f := range []struct{ name, v string }{
		{"name", o.ShipTo.Name}, {"line1", o.ShipTo.Line1}, {"city", o.ShipTo.City},
		{"region", o.ShipTo.Region}, {"postal_code", o.ShipTo.PostalCode}, {"country", o.ShipTo.Country},
	} {
		if isBlank(f.v) {
			rep.Issues = append(rep.Issues, MasterDataIssue{entity, f.name, fmt.Sprintf("the ship-to %s is missing", connectors.FieldWords(f.name))})
		}
	}
	for _, l := range o.Lines {
		line := fmt.Sprintf("line %d of %s", l.Line, o.ID)
		it, err := tb.sys.ERP.Item(ctx, l.SKU)
		if err != nil {
			rep.Issues = append(rep.Issues, MasterDataIssue{line, "sku",
				fmt.Sprintf("line %d's item %s is not in the item master", l.Line, l.SKU)})
			continue
		}
		if l.UOM != it.UOM {
			rep.Issues = append(rep.Issues, MasterDataIssue{line, "uom",
				fmt.Sprintf("line %d orders %s in %s but the item's unit of measure is %s", l.Line, l.SKU, l.UOM, it.UOM)})
		}
		if it.Hazmat && isBlank(it.UNNumber) {
			rep.Issues = append(rep.Issues, MasterDataIssue{"item " + it.SKU, "un_number",
				fmt.Sprintf("hazmat item %s has no UN number", it.SKU)})
		}
	}
	return rep, nil
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// ComplianceReport lists the documents an order's regulated items require.
type ComplianceReport struct {
	OrderID         string                `json:"order_id"`
	CustomerID      string                `json:"customer_id"`
	ComplianceHold  bool                  `json:"compliance_hold"`
	Requirements    []DocRequirement      `json:"requirements"`
	AllValid        bool                  `json:"all_valid"`
	DocumentsOnFile []connectors.Document `json:"documents_on_file"`
}

// DocRequirement is one document a regulated line needs.
type DocRequirement struct {
	Line         int    `json:"line"`
	SKU          string `json:"sku"`
	DocumentType string `json:"document_type"`
	Status       string `json:"status" enum:"valid,expired,missing"`
	Number       string `json:"number"`
	Expires      string `json:"expires"`
}

func (tb *Toolbox) complianceDocs(ctx context.Context, q OrderQuery) (ComplianceReport, error) {
	o, err := tb.order(ctx, q.OrderID)
	if err != nil {
		return ComplianceReport{}, err
	}
	c, err := tb.sys.ERP.Customer(ctx, o.CustomerID)
	if err != nil {
		return ComplianceReport{}, err
	}
	today := tb.today()
	rep := ComplianceReport{OrderID: o.ID, CustomerID: c.ID, ComplianceHold: o.HasHold(connectors.HoldCompliance),
		AllValid: true, DocumentsOnFile: c.Documents}
	for _, l := range o.Lines {
		it, err := tb.sys.ERP.Item(ctx, l.SKU)
		if err != nil || it.RequiredDocument == "" {
			continue
		}
		r := DocRequirement{Line: l.Line, SKU: l.SKU, DocumentType: it.RequiredDocument, Status: "missing"}
		if d, ok := c.Document(it.RequiredDocument); ok {
			r.Number, r.Expires = d.Number, d.Expires.String()
			r.Status = "expired"
			if d.ValidOn(today) {
				r.Status = "valid"
			}
		}
		if r.Status != "valid" {
			rep.AllValid = false
		}
		rep.Requirements = append(rep.Requirements, r)
	}
	return rep, nil
}
