package connectors

// Exception classes (DESIGN.md taxonomy). They live here, beside the
// domain model, because every layer speaks them: the simulator injects
// them, the tools and planners detect them, the store indexes cases by
// them and the surfaces route by them.
const (
	ClassCreditHold        = "credit_hold"
	ClassInventoryShortage = "inventory_shortage"
	ClassPricingMismatch   = "pricing_mismatch"
	ClassShipmentDelay     = "shipment_delay"
	ClassDuplicateOrder    = "duplicate_order"
	ClassMasterDataError   = "master_data_error"
	ClassComplianceHold    = "compliance_hold"
	ClassCarrierConflict   = "carrier_conflict"
	// ClassNone is the class of an order without an exception.
	ClassNone = "none"
)

// Classes lists the taxonomy in precedence order: when an order shows
// several classes and the trigger does not point at one, the first listed
// is the primary class (a credit signal without a CREDIT hold ranks last).
func Classes() []string {
	return []string{ClassDuplicateOrder, ClassComplianceHold, ClassCreditHold, ClassMasterDataError,
		ClassPricingMismatch, ClassCarrierConflict, ClassInventoryShortage, ClassShipmentDelay}
}

// ValidClass reports whether c is a class of the taxonomy (or none).
func ValidClass(c string) bool {
	if c == ClassNone {
		return true
	}
	for _, k := range Classes() {
		if k == c {
			return true
		}
	}
	return false
}
