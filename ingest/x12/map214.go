package x12

import (
	"strings"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// statusNames are the names of the AT7-01 shipment status codes (element
// 1650) exdesk maps, and statusOf the exdesk shipment status each means.
var statusNames = map[string]string{
	"A3": "Shipment Returned to Shipper", "A7": "Refused by Consignee", "A9": "Shipment Damaged",
	"AF": "Carrier Departed Pick-up Location with Shipment", "AG": "Estimated Delivery", "AH": "Attempted Delivery",
	"AI": "Shipment has been Reconsigned", "AJ": "Tendered for Delivery", "AM": "Loaded on Truck",
	"AN": "Diverted to Air Carrier", "AP": "Delivery Not Completed", "AR": "Rail Arrival at Destination Intermodal Ramp",
	"AV": "Available for Delivery", "B6": "Estimated to Arrive at Carrier Terminal", "BA": "Connecting Line or Cartage Pick-up",
	"BC": "Storage in Transit", "C1": "Estimated to Depart Terminal Location", "CA": "Shipment Cancelled",
	"CB": "Completed Shipment", "CD": "Carrier Departed Delivery Location", "CL": "Trailer Closed Out",
	"CP": "Completed Loading at Pick-up Location", "D1": "Completed Unloading at Delivery Location",
	"J1": "Delivered to Connecting Line", "K1": "Arrived at Customs", "OO": "Paperwork Received - Did not Receive Shipment or Equipment",
	"P1": "Departed Terminal Location", "PA": "Partial Shipment", "PR": "U.S. Customs Hold at In-Bond Location",
	"R1": "Received from Prior Carrier", "RL": "Rail Departure from Origin Intermodal Ramp",
	"S1": "Trailer Spotted at Consignee's Location", "SD": "Shipment Delayed", "X1": "Arrived at Delivery Location",
	"X2": "Estimated Date and/or Time of Arrival at Consignee's Location", "X3": "Arrived at Pick-up Location",
	"X4": "Arrived at Terminal Location", "X5": "Arrived at Delivery Location Loading Dock", "X6": "En Route to Delivery Location",
	"X8": "Arrived at Pick-up Location Loading Dock", "XB": "Shipment Acknowledged",
}

var statusOf = map[string]string{
	"XB": connectors.ShipTendered, "X3": connectors.ShipTendered, "X8": connectors.ShipTendered,
	"AF": connectors.ShipPickedUp, "CP": connectors.ShipPickedUp, "AM": connectors.ShipPickedUp, "CL": connectors.ShipPickedUp,
	"P1": connectors.ShipInTransit, "X4": connectors.ShipInTransit, "X6": connectors.ShipInTransit, "X1": connectors.ShipInTransit,
	"X5": connectors.ShipInTransit, "S1": connectors.ShipInTransit, "AJ": connectors.ShipInTransit, "AV": connectors.ShipInTransit,
	"B6": connectors.ShipInTransit, "C1": connectors.ShipInTransit, "R1": connectors.ShipInTransit, "J1": connectors.ShipInTransit,
	"AR": connectors.ShipInTransit, "RL": connectors.ShipInTransit, "BA": connectors.ShipInTransit, "AI": connectors.ShipInTransit,
	"AN": connectors.ShipInTransit, "K1": connectors.ShipInTransit, "BC": connectors.ShipInTransit, "PA": connectors.ShipInTransit,
	"OO": connectors.ShipTendered,
	"D1": connectors.ShipDelivered, "CB": connectors.ShipDelivered, "CD": connectors.ShipDelivered,
	"SD": connectors.ShipException, "A9": connectors.ShipException, "A7": connectors.ShipException, "AP": connectors.ShipException,
	"AH": connectors.ShipException, "A3": connectors.ShipException, "PR": connectors.ShipException, "CA": connectors.ShipException,
}

// reasonNames are the names of common AT7-02 reason codes (element 1651).
var reasonNames = map[string]string{
	"NS": "Normal Status", "A1": "Missed Delivery", "A2": "Incorrect Address", "A5": "Unable to Locate",
	"AD": "Customer Requested Future Delivery", "AG": "Consignee Related", "AH": "Driver Related", "AI": "Mechanical Breakdown",
	"AJ": "Other Carrier Related", "AL": "Previous Stop", "AM": "Shipper Related", "AN": "Holiday - Closed",
	"AO": "Weather or Natural Disaster Related", "AQ": "Recipient Unavailable - Delivery Delayed",
	"AS": "Hold Due to Customs Documentation Problems", "AU": "Civil Event Related Delay", "AW": "Past Cut-off Time",
	"AX": "Insufficient Pickup Time", "AY": "Missed Pickup", "B1": "Consignee Closed", "BE": "Road Conditions",
	"BS": "Refused by Customer", "BT": "Returned to Shipper", "C2": "Credit Hold", "CA": "Customs (Import or Export)",
	"D2": "Driver Not Available", "P1": "Processing Delay",
}

// etaCodes are AT7-01 codes whose date is an estimate of delivery.
var etaCodes = map[string]bool{"AG": true, "X2": true}

// describe names a status and reason.
func describe(code, reason string) string {
	d := statusNames[code]
	if d == "" {
		d = "status " + code
	}
	if r := reasonNames[reason]; r != "" && reason != "NS" {
		d += ": " + r
	} else if reason != "" && reason != "NS" && r == "" {
		d += " (reason " + reason + ")"
	}
	return d
}

// location formats an MS1 (city, state, country).
func location(seg Segment) (string, error) {
	city, err := text(seg, 1)
	if err != nil {
		return "", err
	}
	state, err := text(seg, 2)
	if err != nil {
		return "", err
	}
	country, err := text(seg, 3)
	if err != nil {
		return "", err
	}
	parts := []string{}
	for _, p := range []string{city, state} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if country != "" && country != "US" && country != "USA" {
		parts = append(parts, country)
	}
	return strings.Join(parts, ", "), nil
}

// map214 maps a Transportation Carrier Shipment Status Message.
func (m *mapper) map214() ([]connectors.Event, error) {
	segs := m.set.Segments
	r := refs{}
	var (
		b10      Segment
		haveB10  bool
		events   []connectors.ShipmentEvent
		last     *connectors.ShipmentEvent // the AT7 an MS1 follows
		eta      time.Time
		etaAt    time.Time
		sawAT7   bool
		firstAT7 Segment
	)
	for _, seg := range segs[1 : len(segs)-1] {
		switch seg.ID() {
		case "B10":
			b10, haveB10 = seg, true
		case "L11":
			v, err := text(seg, 1)
			if err != nil {
				return nil, err
			}
			r.add(seg.Elem(2), v)
		case "AT7":
			if !sawAT7 {
				firstAT7 = seg
			}
			sawAT7 = true
			last = nil
			code, reason := seg.Elem(1), seg.Elem(2)
			if code == "" {
				continue // an appointment (AT7-03/04), not a status
			}
			at, err := m.when(seg, 5, 6, 7)
			if err != nil {
				return nil, err
			}
			if etaCodes[code] {
				eta, etaAt = at, at
				continue
			}
			events = append(events, connectors.ShipmentEvent{At: at, Code: code, Reason: reason, Description: describe(code, reason)})
			last = &events[len(events)-1]
		case "MS1":
			if last != nil && last.Location == "" {
				loc, err := location(seg)
				if err != nil {
					return nil, err
				}
				last.Location = loc
			}
		}
	}
	st := segs[0]
	if !haveB10 {
		return nil, fail(st, 0, "214 %s has no B10 segment naming the shipment", m.set.Control)
	}
	if !sawAT7 {
		return nil, fail(b10, 0, "214 %s has no AT7 shipment status", m.set.Control)
	}
	if len(events) == 0 && eta.IsZero() {
		return nil, fail(firstAT7, 1, "214 %s has no AT7 with a shipment status code (AT7-01)", m.set.Control)
	}
	tracking, err := text(b10, 1)
	if err != nil {
		return nil, err
	}
	shipmentID, err := text(b10, 2)
	if err != nil {
		return nil, err
	}
	scac, err := text(b10, 3)
	if err != nil {
		return nil, err
	}
	if shipmentID == "" {
		shipmentID = r["SI"]
	}
	if tracking == "" {
		tracking = r.first(trackingQuals)
	}
	order := r.first(orderQuals)
	if shipmentID == "" && tracking == "" && order == "" && r["BM"] == "" && r["PO"] == "" {
		return nil, fail(b10, 2, "214 %s names no shipment: no B10 shipment id or carrier reference, no L11 order, PO or bill of lading", m.set.Control)
	}
	up := &connectors.ShipmentUpdate{ShipmentID: shipmentID, TrackingNumber: tracking, Carrier: scac, ETA: eta,
		Events: connectors.MergeShipmentEvents(nil, events)}
	at := etaAt
	if n := len(up.Events); n > 0 {
		newest := up.Events[n-1]
		up.Status, at = statusOf[newest.Code], newest.At
	}
	if at.IsZero() {
		at = m.groupTime()
	}
	if len(r) > 0 {
		up.References = map[string]string(r)
	}
	return []connectors.Event{{ID: m.eventID(0), Source: "edi", Type: connectors.EventShipmentStatus, OrderID: order, At: at,
		Shipment: up, Data: m.data(map[string]any{"b10": []string{tracking, shipmentID, scac}})}}, nil
}
