package connectors

import "strings"

// Carrier status events carry ASC X12 214 codes: the AT7 segment's
// shipment status code (element 1650, AT701) and its shipment status or
// appointment reason code (element 1651, AT702). The tables below hold the
// codes carriers commonly send and the simulator and the recorded cases
// use, in plain words for people; the code itself stays in the evidence.

// x12Status is what exdesk knows of one AT701 status code.
type x12Status struct {
	words string
	// moving: the carrier has the goods (they left the pick-up location).
	moving bool
	// exception: the event reports a problem with the shipment.
	exception bool
}

func shipmentStatus(code string) (x12Status, bool) {
	switch strings.ToUpper(strings.TrimSpace(code)) {
	case "A3":
		return x12Status{"returned to the shipper", true, true}, true
	case "A7":
		return x12Status{"refused by the consignee", true, true}, true
	case "A9":
		return x12Status{"shipment damaged", false, true}, true
	case "AF":
		return x12Status{"departed the pick-up location", true, false}, true
	case "AG":
		return x12Status{"delivery estimated", false, false}, true
	case "AH":
		return x12Status{"delivery attempted", true, false}, true
	case "AJ":
		return x12Status{"tendered for delivery", true, false}, true
	case "AP":
		return x12Status{"delivery not completed", true, true}, true
	case "AV":
		return x12Status{"available for delivery", true, false}, true
	case "CA":
		return x12Status{"shipment cancelled", false, false}, true
	case "CD":
		return x12Status{"departed the delivery location", true, false}, true
	case "CP":
		return x12Status{"loading completed at the pick-up location", false, false}, true
	case "D1":
		return x12Status{"unloaded at the delivery location", true, false}, true
	case "J1":
		return x12Status{"handed to a connecting carrier", true, false}, true
	case "L1":
		return x12Status{"loading", false, false}, true
	case "P1":
		return x12Status{"departed the terminal", true, false}, true
	case "R1":
		return x12Status{"received from the prior carrier", true, false}, true
	case "SD":
		return x12Status{"shipment delayed", false, true}, true
	case "X1":
		return x12Status{"arrived at the delivery location", true, false}, true
	case "X2":
		return x12Status{"arrival at the consignee estimated", false, false}, true
	case "X3":
		return x12Status{"arrived at the pick-up location", false, false}, true
	case "X4":
		return x12Status{"arrived at the terminal", true, false}, true
	case "X5":
		return x12Status{"arrived at the delivery dock", true, false}, true
	case "X6":
		return x12Status{"en route to the delivery location", true, false}, true
	case "X8":
		return x12Status{"arrived at the pick-up dock", false, false}, true
	case "XB":
		return x12Status{"shipment acknowledged", false, false}, true
	}
	return x12Status{}, false
}

// ShipmentStatusWords says an X12 214 shipment status code (AT701) in
// words, e.g. "SD" → "shipment delayed"; "" for a code it does not know.
func ShipmentStatusWords(code string) string {
	s, _ := shipmentStatus(code)
	return s.words
}

// ReasonWords says an X12 214 shipment status reason code (AT702) in
// words, e.g. "AI" → "mechanical breakdown"; "" for NS (normal status),
// an empty code, or a code it does not know.
func ReasonWords(code string) string {
	switch strings.ToUpper(strings.TrimSpace(code)) {
	case "A1":
		return "missed delivery"
	case "A2":
		return "incorrect address"
	case "A3":
		return "indirect delivery"
	case "A5":
		return "unable to locate"
	case "A6":
		return "address corrected, delivery attempted"
	case "AD":
		return "customer requested a later delivery"
	case "AE":
		return "restricted articles not accepted"
	case "AG":
		return "consignee-related"
	case "AH":
		return "driver-related"
	case "AI":
		return "mechanical breakdown"
	case "AJ":
		return "other carrier-related reason"
	case "AK":
		return "damaged, rewrapped in hub"
	case "AL":
		return "previous stop"
	case "AM":
		return "shipper-related"
	case "AN":
		return "holiday closure"
	case "AO":
		return "weather or natural disaster"
	case "AP":
		return "awaiting export"
	case "AQ":
		return "recipient unavailable"
	case "AR":
		return "improper international paperwork"
	case "AS":
		return "held for customs documentation"
	case "AT":
		return "unable to reach the recipient for broker information"
	case "AU":
		return "civil event"
	case "AV":
		return "exceeds service limitations"
	case "AW":
		return "past cut-off time"
	case "AX":
		return "insufficient pick-up time"
	case "AY":
		return "missed pick-up"
	case "AZ":
		return "delivered by an alternate carrier"
	case "B1":
		return "consignee closed"
	case "B2":
		return "held for the customer"
	case "B4":
		return "held for payment"
	case "B5":
		return "held for the consignee"
	case "B8":
		return "improper unloading facility or equipment"
	case "B9":
		return "receiving time restricted"
	case "BB":
		return "held at the shipper's request"
	case "BC":
		return "missing documents"
	case "BD":
		return "border clearance"
	case "BE":
		return "road conditions"
	case "BF":
		return "carrier keying error"
	case "BG":
		return "other reason"
	case "BH":
		return "insufficient time to complete delivery"
	case "BP":
		return "load shifted"
	case "BQ":
		return "shipment overweight"
	case "BS":
		return "refused by the customer"
	case "BT":
		return "returned to the shipper"
	case "C1":
		return "waiting for customer pick-up"
	case "C2":
		return "credit hold"
	case "C3":
		return "suspended at the customer's request"
	case "C6":
		return "waiting for shipping instructions"
	case "CA":
		return "customs"
	case "D1":
		return "carrier dispatch error"
	case "D2":
		return "driver not available"
	case "F1":
		return "non-express clearance delay"
	case "F2":
		return "international non-carrier delay"
	case "HB":
		return "held pending appointment"
	case "P1":
		return "processing delay"
	case "P2":
		return "waiting for inspection"
	case "P4":
		return "held for a full carrier load"
	case "RC":
		return "reconsigned"
	case "S1":
		return "delivery shortage"
	case "T1", "T2":
		return "tractor not available"
	case "T3", "T5", "T6":
		return "trailer not available"
	case "T4":
		return "trailer not usable after its prior load"
	case "T7":
		return "insufficient delivery time"
	}
	return ""
}

// EventWords says a carrier status event in words, status first, then
// the reason and where: "shipment delayed — mechanical breakdown, near
// Denver". A status code it does not know is said by the carrier's own
// description, or as "status XY".
func EventWords(e ShipmentEvent) string {
	s := ShipmentStatusWords(e.Code)
	if s == "" {
		s = strings.TrimSpace(e.Description)
	}
	if s == "" {
		s = "status " + strings.TrimSpace(e.Code)
	}
	if r := ReasonWords(e.Reason); r != "" {
		s += " — " + r
	}
	if loc := strings.TrimSpace(e.Location); loc != "" {
		if strings.HasPrefix(strings.ToLower(loc), "near ") {
			s += ", " + loc
		} else {
			s += ", at " + loc
		}
	}
	return s
}

// IsExceptionEvent reports whether a carrier status event reports a
// problem: X12 214 status SD (shipment delayed), A9 (damaged), A7 (refused
// by the consignee), AP (delivery not completed) or A3 (returned to the
// shipper).
func IsExceptionEvent(e ShipmentEvent) bool {
	s, _ := shipmentStatus(e.Code)
	return s.exception
}

// movingEvent reports whether an event shows the goods with the carrier,
// past the pick-up location (AF departed pick-up, P1 departed terminal,
// X6 en route, X1 arrived at delivery location, and the later stages).
func movingEvent(e ShipmentEvent) bool {
	s, _ := shipmentStatus(e.Code)
	return s.moving
}
