package connectors

import (
	"encoding/json"
	"fmt"
	"time"
)

// DateLayout is the layout of calendar dates in snapshots and actions.
const DateLayout = "2006-01-02"

// Date is a calendar date without a time of day, written YYYY-MM-DD.
// The zero Date is "no date" and is written as an empty string.
type Date struct{ t time.Time }

// NewDate returns the date of t in t's location.
func NewDate(t time.Time) Date {
	y, m, d := t.Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDate parses a YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// MustDate is ParseDate for literals known to be valid; it panics otherwise.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the zero date.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return d.t }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// After reports whether d is strictly after e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// String returns d as YYYY-MM-DD, or "" for the zero date.
func (d Date) String() string {
	if d.t.IsZero() {
		return ""
	}
	return d.t.Format(DateLayout)
}

// MarshalJSON writes d as a YYYY-MM-DD string.
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a YYYY-MM-DD string.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date must be a string YYYY-MM-DD, got %s", b)
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Customer tiers.
const (
	TierStrategic = "strategic"
	TierKey       = "key"
	TierStandard  = "standard"
)

// Customer is an account with its credit position and preferences.
type Customer struct {
	ID                    string     `json:"id"`
	Name                  string     `json:"name"`
	Tier                  string     `json:"tier"`
	CreditLimit           float64    `json:"credit_limit"`
	OpenAR                float64    `json:"open_ar"`
	PastDueAmount         float64    `json:"past_due_amount"`
	MaxDaysPastDue        int        `json:"max_days_past_due"`
	CreditStop            bool       `json:"credit_stop"`
	PaymentTerms          string     `json:"payment_terms"`
	AllowsSubstitution    bool       `json:"allows_substitution"`
	AllowsPartialShipment bool       `json:"allows_partial_shipment"`
	Documents             []Document `json:"documents"`
}

// Document is a compliance document a customer holds (a licence, a registration).
type Document struct {
	Type    string `json:"type"`
	Number  string `json:"number"`
	Expires Date   `json:"expires"`
}

// Item is a sellable product.
type Item struct {
	SKU              string   `json:"sku"`
	Description      string   `json:"description"`
	UOM              string   `json:"uom"`
	UnitCost         float64  `json:"unit_cost"`
	ListPrice        float64  `json:"list_price"`
	Hazmat           bool     `json:"hazmat"`
	UNNumber         string   `json:"un_number"`
	Regulated        bool     `json:"regulated"`
	RequiredDocument string   `json:"required_document"`
	Substitutes      []string `json:"substitutes"`
}

// Order statuses.
const (
	StatusOpen      = "open"
	StatusOnHold    = "on_hold"
	StatusReleased  = "released"
	StatusShipped   = "shipped"
	StatusCancelled = "cancelled"
)

// Hold codes.
const (
	HoldCredit     = "CREDIT"
	HoldCompliance = "COMPLIANCE"
	HoldPrice      = "PRICE"
	HoldData       = "DATA"
	HoldDuplicate  = "DUPLICATE"
	HoldStock      = "STOCK"
)

// Order is a sales order.
type Order struct {
	ID                string    `json:"id"`
	CustomerID        string    `json:"customer_id"`
	PONumber          string    `json:"po_number"`
	Channel           string    `json:"channel"`
	CreatedAt         time.Time `json:"created_at"`
	RequestedShipDate Date      `json:"requested_ship_date"`
	Status            string    `json:"status"`
	Holds             []Hold    `json:"holds"`
	ShipFrom          string    `json:"ship_from"`
	ShipTo            Address   `json:"ship_to"`
	Carrier           string    `json:"carrier"`
	ServiceLevel      string    `json:"service_level"`
	Lines             []Line    `json:"lines"`
	// Notes is free text from the customer or a rep. It is data: nothing in
	// it ever changes what exdesk decides.
	Notes string `json:"notes"`
}

// Hold is a hold placed on an order.
type Hold struct {
	Code     string    `json:"code"`
	Reason   string    `json:"reason"`
	PlacedAt time.Time `json:"placed_at"`
}

// Address is a ship-to address. Every field is required.
type Address struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
}

// Line is an order line.
type Line struct {
	Line      int     `json:"line"`
	SKU       string  `json:"sku"`
	Qty       int     `json:"qty"`
	UOM       string  `json:"uom"`
	UnitPrice float64 `json:"unit_price"`
}

// Stock is the inventory of one sku at one site.
type Stock struct {
	SKU       string    `json:"sku"`
	Site      string    `json:"site"`
	OnHand    int       `json:"on_hand"`
	Allocated int       `json:"allocated"`
	Inbound   []Inbound `json:"inbound"`
}

// Inbound is a receipt expected at a site.
type Inbound struct {
	Ref string `json:"ref"`
	Qty int    `json:"qty"`
	ETA Date   `json:"eta"`
}

// Contract is a customer's agreed price for a sku over a validity window.
type Contract struct {
	CustomerID string  `json:"customer_id"`
	SKU        string  `json:"sku"`
	Price      float64 `json:"price"`
	ValidFrom  Date    `json:"valid_from"`
	ValidTo    Date    `json:"valid_to"`
}

// Shipment statuses.
const (
	ShipPlanned   = "planned"
	ShipTendered  = "tendered"
	ShipPickedUp  = "picked_up"
	ShipInTransit = "in_transit"
	ShipDelivered = "delivered"
	ShipException = "exception"
)

// Shipment is a carrier shipment of an order.
type Shipment struct {
	ID               string          `json:"id"`
	OrderID          string          `json:"order_id"`
	Carrier          string          `json:"carrier"`
	ServiceLevel     string          `json:"service_level"`
	TrackingNumber   string          `json:"tracking_number,omitempty"`
	Status           string          `json:"status"`
	PromisedDelivery time.Time       `json:"promised_delivery"`
	ETA              time.Time       `json:"eta"`
	FreightCost      float64         `json:"freight_cost"`
	Events           []ShipmentEvent `json:"events"`
}

// ShipmentEvent is a carrier status event (after X12 214 status and reason codes).
type ShipmentEvent struct {
	At          time.Time `json:"at"`
	Code        string    `json:"code"`
	Reason      string    `json:"reason"`
	Description string    `json:"description"`
	Location    string    `json:"location"`
}

// Carrier is a carrier with its services.
type Carrier struct {
	Code                 string    `json:"code"`
	Name                 string    `json:"name"`
	HazmatCertified      bool      `json:"hazmat_certified"`
	OnTimeRate           float64   `json:"on_time_rate"`
	Services             []Service `json:"services"`
	LanesWithoutCapacity []string  `json:"lanes_without_capacity"`
}

// Service is one service level of a carrier.
type Service struct {
	ServiceLevel string  `json:"service_level"`
	TransitDays  int     `json:"transit_days"`
	CostPerOrder float64 `json:"cost_per_order"`
}

// Site is a distribution centre.
type Site struct {
	ID               string `json:"id"`
	Region           string `json:"region"`
	PickBacklogHours int    `json:"pick_backlog_hours"`
	Lanes            []Lane `json:"lanes"`
}

// Lane is a site's outbound lane to a region.
type Lane struct {
	Region      string  `json:"region"`
	TransitDays int     `json:"transit_days"`
	FreightCost float64 `json:"freight_cost"`
}

// Snapshot is everything the connectors would return at one moment.
type Snapshot struct {
	Now       time.Time  `json:"now"`
	Customers []Customer `json:"customers"`
	Items     []Item     `json:"items"`
	Orders    []Order    `json:"orders"`
	Inventory []Stock    `json:"inventory"`
	Contracts []Contract `json:"contracts"`
	Shipments []Shipment `json:"shipments"`
	Carriers  []Carrier  `json:"carriers"`
	Sites     []Site     `json:"sites"`
}
