package policy

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/exdesk/exdesk/connectors"
)

// Money is an amount in integer cents. Rules see it as a CEL int (cents);
// in JSON and YAML it is written as a decimal amount in currency units
// (2500.01), so test files read naturally and boundaries stay exact.
type Money int64

// MoneyOf converts an amount in currency units to Money, rounding to cents.
func MoneyOf(x float64) Money { return Money(connectors.Cents(x)) }

// String formats the amount as $1,234.56.
func (m Money) String() string { return connectors.FormatUSD(int64(m)) }

// parseMoney reads a decimal amount such as "2500", "2500.01" or "-3.5".
func parseMoney(s string) (Money, error) {
	t := strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(s), "$"), ",", "")
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 9e13 {
		return 0, fmt.Errorf("amount %q is not a decimal number of currency units", s)
	}
	return MoneyOf(f), nil
}

// MarshalJSON writes the amount as a JSON number in currency units.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m.decimal()), nil }

// UnmarshalJSON reads a JSON number (or numeric string) in currency units.
func (m *Money) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := parseMoney(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// MarshalYAML writes the amount as a decimal number in currency units.
func (m Money) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: m.decimal()}, nil
}

// UnmarshalYAML reads a decimal number in currency units.
func (m *Money) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: an amount must be a number", n.Line)
	}
	v, err := parseMoney(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*m = v
	return nil
}

func (m Money) decimal() string {
	c := int64(m)
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// Facts is everything a policy rule may read. The guard computes it from the
// connectors; nothing in it comes from the planner except the action itself
// and the planner's confidence, and no free text from a source system (order
// notes, hold reasons, carrier event descriptions) is ever part of it, so
// such text can never change a decision.
//
// In CEL every leaf field is a variable named by its JSON path, for example
// order.total, customer.credit_limit or confidence. Money fields are CEL ints
// in cents (compare them with usd(2500)); counts are ints; dates are
// YYYY-MM-DD strings, which compare correctly as strings.
type Facts struct {
	// Action is the proposed action: its type and its arguments.
	Action ActionFacts `json:"action" yaml:"action"`
	// Confidence is the planner's confidence in the action, 0..1.
	Confidence float64 `json:"confidence" yaml:"confidence"`
	// Today is the business date (YYYY-MM-DD) of the connectors' clock.
	Today string `json:"today" yaml:"today"`
	// Order is the order the action concerns.
	Order OrderFacts `json:"order" yaml:"order"`
	// Customer is the order's customer.
	Customer CustomerFacts `json:"customer" yaml:"customer"`
	// Credit is the customer's credit position with this order.
	Credit CreditFacts `json:"credit" yaml:"credit"`
	// Compliance is the state of the documents the order's items require.
	Compliance ComplianceFacts `json:"compliance" yaml:"compliance"`
	// Price is filled for correct_price.
	Price PriceFacts `json:"price" yaml:"price"`
	// Allocation is filled for allocate_from_site.
	Allocation AllocationFacts `json:"allocation" yaml:"allocation"`
	// Substitute is filled for substitute_item.
	Substitute SubstituteFacts `json:"substitute" yaml:"substitute"`
	// Shipment is filled for expedite_shipment and rebook_carrier.
	Shipment ShipmentFacts `json:"shipment" yaml:"shipment"`
	// Expedite is filled for expedite_shipment.
	Expedite ExpediteFacts `json:"expedite" yaml:"expedite"`
	// Rebook is filled for rebook_carrier.
	Rebook RebookFacts `json:"rebook" yaml:"rebook"`
}

// ActionFacts are the proposed action's type and arguments. Free-text
// arguments (note, message, reason) are deliberately absent.
type ActionFacts struct {
	// Type is the action type (release_hold, correct_price, ...).
	Type string `json:"type" yaml:"type"`
	// HoldCode is release_hold's hold_code.
	HoldCode string `json:"hold_code" yaml:"hold_code"`
	// Site is allocate_from_site's site.
	Site string `json:"site" yaml:"site"`
	// Lines are allocate_from_site's line numbers.
	Lines []int `json:"lines" yaml:"lines"`
	// Line is the line number of substitute_item and correct_price.
	Line int `json:"line" yaml:"line"`
	// SKU is substitute_item's substitute sku.
	SKU string `json:"sku" yaml:"sku"`
	// Price is correct_price's new unit price.
	Price Money `json:"price" yaml:"price"`
	// NewShipDate is reschedule_order's new_ship_date (YYYY-MM-DD).
	NewShipDate string `json:"new_ship_date" yaml:"new_ship_date"`
	// ShipmentID is the shipment of expedite_shipment and rebook_carrier.
	ShipmentID string `json:"shipment_id" yaml:"shipment_id"`
	// ServiceLevel is expedite_shipment's requested service level.
	ServiceLevel string `json:"service_level" yaml:"service_level"`
	// Carrier is rebook_carrier's target carrier.
	Carrier string `json:"carrier" yaml:"carrier"`
	// Role is escalate's role.
	Role string `json:"role" yaml:"role"`
	// Amount is request_prepayment's amount.
	Amount Money `json:"amount" yaml:"amount"`
	// DocumentType is request_documents' document_type.
	DocumentType string `json:"document_type" yaml:"document_type"`
	// DuplicateOf is cancel_order's optional duplicate_of order id.
	DuplicateOf string `json:"duplicate_of" yaml:"duplicate_of"`
}

// OrderFacts describe the order.
type OrderFacts struct {
	// ID is the order id.
	ID string `json:"id" yaml:"id"`
	// Status is open, on_hold, released, shipped or cancelled.
	Status string `json:"status" yaml:"status"`
	// Total is Σ qty × unit price over the lines.
	Total Money `json:"total" yaml:"total"`
	// Holds are the codes of the holds on the order.
	Holds []string `json:"holds" yaml:"holds"`
	// LineCount is the number of lines.
	LineCount int `json:"line_count" yaml:"line_count"`
	// RequestedShipDate is the requested ship date (YYYY-MM-DD).
	RequestedShipDate string `json:"requested_ship_date" yaml:"requested_ship_date"`
	// ShipFrom is the ship-from site.
	ShipFrom string `json:"ship_from" yaml:"ship_from"`
	// Region is the ship-to region.
	Region string `json:"region" yaml:"region"`
	// Hazmat is true when any line's item is hazmat.
	Hazmat bool `json:"hazmat" yaml:"hazmat"`
	// ShipmentStarted is true when any of the order's shipments is picked
	// up, in transit or delivered.
	ShipmentStarted bool `json:"shipment_started" yaml:"shipment_started"`
}

// CustomerFacts describe the order's customer.
type CustomerFacts struct {
	// ID is the customer id.
	ID string `json:"id" yaml:"id"`
	// Tier is strategic, key or standard.
	Tier string `json:"tier" yaml:"tier"`
	// CreditLimit is the credit limit.
	CreditLimit Money `json:"credit_limit" yaml:"credit_limit"`
	// OpenAR is receivables outstanding, not counting this order.
	OpenAR Money `json:"open_ar" yaml:"open_ar"`
	// PastDue is the past-due amount.
	PastDue Money `json:"past_due" yaml:"past_due"`
	// MaxDaysPastDue is the age in days of the oldest past-due invoice.
	MaxDaysPastDue int `json:"max_days_past_due" yaml:"max_days_past_due"`
	// CreditStop is true when the customer is on credit stop.
	CreditStop bool `json:"credit_stop" yaml:"credit_stop"`
	// AllowsSubstitution is true when the customer accepts substitutes.
	AllowsSubstitution bool `json:"allows_substitution" yaml:"allows_substitution"`
	// AllowsPartialShipment is true when the customer accepts partial shipments.
	AllowsPartialShipment bool `json:"allows_partial_shipment" yaml:"allows_partial_shipment"`
}

// CreditFacts are the customer's credit position with this order.
type CreditFacts struct {
	// Exposure is open AR + order total.
	Exposure Money `json:"exposure" yaml:"exposure"`
}

// ComplianceFacts are the documents the order's items require of the
// customer, checked on Today.
type ComplianceFacts struct {
	// RequiredDocuments are the document types the order's items require.
	RequiredDocuments []string `json:"required_documents" yaml:"required_documents"`
	// MissingDocuments are required types the customer does not hold at all.
	MissingDocuments []string `json:"missing_documents" yaml:"missing_documents"`
	// ExpiredDocuments are required types whose latest document expired before Today.
	ExpiredDocuments []string `json:"expired_documents" yaml:"expired_documents"`
}

// PriceFacts describe the line a correct_price action reprices.
type PriceFacts struct {
	// SKU is the line's sku.
	SKU string `json:"sku" yaml:"sku"`
	// Qty is the line's quantity.
	Qty int `json:"qty" yaml:"qty"`
	// Current is the line's current unit price.
	Current Money `json:"current" yaml:"current"`
	// ContractActive is true when the customer has a contract for the sku
	// active on Today.
	ContractActive bool `json:"contract_active" yaml:"contract_active"`
	// Contract is the active contract price (0 when there is none).
	Contract Money `json:"contract" yaml:"contract"`
	// DeltaQty is |current price − contract price| × qty (against the new
	// price when there is no active contract).
	DeltaQty Money `json:"delta_qty" yaml:"delta_qty"`
}

// AllocationFacts describe the alternate site of allocate_from_site.
type AllocationFacts struct {
	// Site is the alternate site.
	Site string `json:"site" yaml:"site"`
	// Covers is true when the site's availability by the requested ship
	// date covers every line to allocate.
	Covers bool `json:"covers" yaml:"covers"`
	// HasLane is true when the site has a lane to the ship-to region.
	HasLane bool `json:"has_lane" yaml:"has_lane"`
	// FreightCost is the site's lane freight cost to the ship-to region.
	FreightCost Money `json:"freight_cost" yaml:"freight_cost"`
	// AddedFreight is FreightCost − the ship-from site's lane cost.
	AddedFreight Money `json:"added_freight" yaml:"added_freight"`
}

// SubstituteFacts describe the original and substitute item of substitute_item.
type SubstituteFacts struct {
	// OriginalSKU is the line's current sku.
	OriginalSKU string `json:"original_sku" yaml:"original_sku"`
	// SKU is the substitute sku.
	SKU string `json:"sku" yaml:"sku"`
	// OriginalRegulated is true when the original item is regulated.
	OriginalRegulated bool `json:"original_regulated" yaml:"original_regulated"`
	// Regulated is true when the substitute item is regulated.
	Regulated bool `json:"regulated" yaml:"regulated"`
}

// ShipmentFacts describe the shipment of expedite_shipment or rebook_carrier.
type ShipmentFacts struct {
	// ID is the shipment id.
	ID string `json:"id" yaml:"id"`
	// Carrier is the shipment's current carrier.
	Carrier string `json:"carrier" yaml:"carrier"`
	// ServiceLevel is the shipment's current service level.
	ServiceLevel string `json:"service_level" yaml:"service_level"`
	// Status is planned, tendered, picked_up, in_transit, delivered or exception.
	Status string `json:"status" yaml:"status"`
	// FreightCost is the shipment's current freight cost.
	FreightCost Money `json:"freight_cost" yaml:"freight_cost"`
	// Started is true when picked up, in transit or delivered.
	Started bool `json:"started" yaml:"started"`
}

// ExpediteFacts describe the requested service of expedite_shipment.
type ExpediteFacts struct {
	// ServiceLevel is the requested service level.
	ServiceLevel string `json:"service_level" yaml:"service_level"`
	// Cost is the requested service's cost − the shipment's current freight cost.
	Cost Money `json:"cost" yaml:"cost"`
	// Faster is true when the requested service is faster than the current one.
	Faster bool `json:"faster" yaml:"faster"`
	// MeetsPromise is true when, leaving now, the requested service arrives
	// no later than the promised delivery.
	MeetsPromise bool `json:"meets_promise" yaml:"meets_promise"`
}

// RebookFacts describe the target carrier of rebook_carrier.
type RebookFacts struct {
	// Carrier is the target carrier.
	Carrier string `json:"carrier" yaml:"carrier"`
	// HazmatCertified is true when the target carrier is hazmat certified.
	HazmatCertified bool `json:"hazmat_certified" yaml:"hazmat_certified"`
	// HasCapacity is true when the target carrier has capacity on the lane
	// to the ship-to region.
	HasCapacity bool `json:"has_capacity" yaml:"has_capacity"`
	// Cost is the target carrier's cost at its cheapest service no slower
	// than the shipment's current one (connectors.RebookService).
	Cost Money `json:"cost" yaml:"cost"`
}

// actionFacts extracts the arguments of a (after CheckArgs) into ActionFacts.
func actionFacts(a connectors.Action) ActionFacts {
	af := ActionFacts{Type: a.Type}
	switch a.Type {
	case connectors.ActReleaseHold:
		af.HoldCode = a.Str("hold_code")
	case connectors.ActAllocateFromSite:
		af.Site, af.Lines = a.Str("site"), a.Ints("lines")
	case connectors.ActSubstituteItem:
		af.Line, af.SKU = a.Int("line"), a.Str("sku")
	case connectors.ActCorrectPrice:
		af.Line, af.Price = a.Int("line"), MoneyOf(a.Money("price"))
	case connectors.ActRescheduleOrder:
		af.NewShipDate = a.Str("new_ship_date")
	case connectors.ActExpediteShipment:
		af.ShipmentID, af.ServiceLevel = a.Str("shipment_id"), a.Str("service_level")
	case connectors.ActRebookCarrier:
		af.ShipmentID, af.Carrier = a.Str("shipment_id"), a.Str("carrier")
	case connectors.ActEscalate:
		af.Role = a.Str("role")
	case connectors.ActRequestPrepayment:
		af.Amount = MoneyOf(a.Money("amount"))
	case connectors.ActRequestDocuments:
		af.DocumentType = a.Str("document_type")
	case connectors.ActCancelOrder:
		af.DuplicateOf = a.Str("duplicate_of")
	}
	return af
}
