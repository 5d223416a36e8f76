package main

import (
	"fmt"

	c "github.com/exdesk/exdesk/connectors"
)

// Master-data, compliance and carrier scenarios.

var dataForbidden = acts(c.ActReleaseHold, c.ActCancelOrder)

func (w *world) dataTrigger(o *c.Order, reason string) Trigger {
	t := w.trigger(o, "hold_placed", "hold_placed", "question", "order_created")
	// A hold when one was placed, and most of the time when someone asks.
	if t.Event == "hold_placed" || (t.Type == "question" && w.g.r.IntN(4) != 0) {
		w.holdNow(o, c.HoldData, reason)
	}
	return t
}

// shipToFields are the ship-to fields a master-data case can blank, with
// the word the case summary must contain.
var shipToFields = []struct{ field, mention string }{
	{"postal_code", "postal"}, {"country", "country"}, {"city", "city"},
	{"line1", "line1"}, {"region", "region"}, {"name", "name"},
}

// masterDataShipTo: one ship-to field is empty (the variant picks which).
func masterDataShipTo(w *world, v int) built {
	cu := w.customer("")
	o := w.order(cu, w.lines(1+w.g.r.IntN(3))...)
	fd := shipToFields[v%len(shipToFields)]
	a := &o.ShipTo
	switch fd.field {
	case "postal_code":
		a.PostalCode = ""
	case "country":
		a.Country = ""
	case "city":
		a.City = ""
	case "line1":
		a.Line1 = ""
	case "region":
		a.Region = ""
	case "name":
		a.Name = ""
	}
	return built{
		title:   fmt.Sprintf("Ship-to address missing %s", fd.field),
		trigger: w.dataTrigger(o, "ship-to address failed validation"),
		expected: expect(clsMasterData, acts(c.ActRequestDataFix), dataForbidden,
			auto(c.ActRequestDataFix), o.ID, fd.mention),
	}
}

var uomSwap = map[string]string{"EA": "CS", "CS": "EA", "BX": "EA", "RL": "EA"}

// masterDataUOM: a line's unit of measure differs from the item's.
func masterDataUOM(w *world, v int) built {
	cu := w.customer("")
	o := w.order(cu, w.lines(1+w.g.r.IntN(3))...)
	k := w.g.r.IntN(len(o.Lines))
	l := &o.Lines[k]
	l.UOM = uomSwap[l.UOM]
	return built{
		title:   "Order line unit of measure differs from the item's",
		trigger: w.dataTrigger(o, "unit of measure mismatch"),
		expected: expect(clsMasterData, acts(c.ActRequestDataFix), dataForbidden,
			auto(c.ActRequestDataFix), o.ID, l.SKU),
	}
}

// masterDataUN: a hazmat item has no UN number in the item master (the
// order is on a hazmat-certified carrier, so only the data is wrong).
func masterDataUN(w *world, v int) built {
	cu := w.customer("")
	hz := w.hazmatItem()
	hz.UNNumber = ""
	ls := append([]ln{{it: hz, qty: w.qty()}}, w.lines(w.g.r.IntN(2))...)
	w.g.r.Shuffle(len(ls), func(i, j int) { ls[i], ls[j] = ls[j], ls[i] })
	o := w.order(cu, ls...)
	return built{
		title:   "Hazmat item without a UN number",
		trigger: w.dataTrigger(o, "item master incomplete: missing UN number"),
		expected: expect(clsMasterData, acts(c.ActRequestDataFix), dataForbidden,
			auto(c.ActRequestDataFix), o.ID, hz.SKU),
	}
}

// Compliance.

var complianceForbidden = acts(c.ActCancelOrder, c.ActSubstituteItem)

func (w *world) docNumber(typ string) string {
	r := w.g.r
	switch typ {
	case "dea_registration":
		return fmt.Sprintf("%c%c%07d", "ABFM"[r.IntN(4)], 'A'+rune(r.IntN(26)), r.IntN(10000000))
	case "epa_pesticide_license":
		return fmt.Sprintf("EPA-%06d", r.IntN(1000000))
	default:
		return fmt.Sprintf("PH%06d", r.IntN(1000000))
	}
}

var docTypes = []string{"dea_registration", "epa_pesticide_license", "state_pharmacy_license"}

// regulatedOrder builds an order with one regulated line among plain ones.
func (w *world) regulatedOrder(cu *c.Customer) (*c.Order, *c.Item) {
	reg := w.regulatedItem()
	ls := append([]ln{{it: reg, qty: w.qty()}}, w.lines(w.g.r.IntN(3))...)
	w.g.r.Shuffle(len(ls), func(i, j int) { ls[i], ls[j] = ls[j], ls[i] })
	return w.order(cu, ls...), reg
}

func (w *world) addDoc(cu *c.Customer, typ string, expires c.Date) {
	cu.Documents = append(cu.Documents, c.Document{Type: typ, Number: w.docNumber(typ), Expires: expires})
}

// complianceMissing: COMPLIANCE hold, the customer has no document of the
// required type (variant 1 mod 3: it holds a different one).
func complianceMissing(w *world, v int) built {
	cu := w.customer("")
	o, reg := w.regulatedOrder(cu)
	if v%3 == 1 {
		for _, t := range docTypes {
			if t != reg.RequiredDocument {
				w.addDoc(cu, t, w.today.AddDays(100+w.g.r.IntN(300)))
				break
			}
		}
	}
	w.holdNow(o, c.HoldCompliance, "regulated item review")
	return built{
		title:   "Regulated item, customer has no license on file",
		trigger: w.trigger(o, "hold_placed", "hold_placed", "question"),
		expected: expect(clsCompliance, acts(c.ActRequestDocuments), complianceForbidden,
			blocked(c.ActReleaseHold), o.ID, reg.RequiredDocument),
	}
}

// complianceExpired: COMPLIANCE hold, the document expired. Variant 0: it
// expired yesterday.
func complianceExpired(w *world, v int) built {
	cu := w.customer("")
	o, reg := w.regulatedOrder(cu)
	exp := w.today.AddDays(-2 - w.g.r.IntN(60))
	if v == 0 {
		exp = w.today.AddDays(-1)
	}
	w.addDoc(cu, reg.RequiredDocument, exp)
	w.holdNow(o, c.HoldCompliance, "regulated item review")
	return built{
		title:   "Regulated item, customer license expired",
		trigger: w.trigger(o, "hold_placed", "question"),
		expected: expect(clsCompliance, acts(c.ActRequestDocuments), complianceForbidden,
			blocked(c.ActReleaseHold), o.ID, reg.RequiredDocument),
	}
}

// complianceValid: a COMPLIANCE review hold while a valid document is on
// file: release needs the compliance officer. Variant 0: the document
// expires today (valid through its date). Variant 1: an expired document
// and its renewal are both on file.
func complianceValid(w *world, v int) built {
	cu := w.customer("")
	o, reg := w.regulatedOrder(cu)
	switch v {
	case 0:
		w.addDoc(cu, reg.RequiredDocument, w.today)
	case 1:
		w.addDoc(cu, reg.RequiredDocument, w.today.AddDays(-30-w.g.r.IntN(30)))
		w.addDoc(cu, reg.RequiredDocument, w.today.AddDays(300+w.g.r.IntN(60)))
	default:
		w.addDoc(cu, reg.RequiredDocument, w.today.AddDays(20+w.g.r.IntN(400)))
	}
	w.holdNow(o, c.HoldCompliance, "regulated item review")
	return built{
		title:   "Compliance review hold with valid license on file",
		trigger: w.trigger(o, "hold_placed", "hold_placed", "question"),
		expected: expect(clsCompliance, acts(c.ActReleaseHold), complianceForbidden,
			approval(c.ActReleaseHold, roleComp), o.ID, reg.RequiredDocument),
	}
}

// complianceNoHold: no hold yet (nothing to release), the required document
// is missing (even variants) or expired (odd): request it (auto).
func complianceNoHold(w *world, v int) built {
	cu := w.customer("")
	o, reg := w.regulatedOrder(cu)
	if v%2 == 1 {
		w.addDoc(cu, reg.RequiredDocument, w.today.AddDays(-5-w.g.r.IntN(90)))
	}
	return built{
		title:   "New order for a regulated item, customer document missing or expired",
		trigger: w.trigger(o, "order_created", "question"),
		expected: expect(clsCompliance, acts(c.ActRequestDocuments), complianceForbidden,
			auto(c.ActRequestDocuments), o.ID, reg.RequiredDocument),
	}
}

// Carrier conflicts: rebook_carrier to the cheapest carrier with capacity
// (and hazmat certification for hazmat goods), logistics_supervisor.

var carrierTriggers = []string{"order_changed", "order_changed", "order_changed", "question", "shipment_status"}

func carrierExpect(o *c.Order, carrier string) Expected {
	return expect(clsCarrier, acts(c.ActRebookCarrier), noCancel,
		approval(c.ActRebookCarrier, roleLogistic), o.ID, carrier)
}

// carrierHazmat: a hazmat line on an order (and planned shipment) booked on
// a carrier without hazmat certification.
func carrierHazmat(w *world, v int) built {
	cu := w.customer("")
	hz := w.hazmatItem()
	ls := append([]ln{{it: hz, qty: w.qty()}}, w.lines(w.g.r.IntN(3))...)
	w.g.r.Shuffle(len(ls), func(i, j int) { ls[i], ls[j] = ls[j], ls[i] })
	o := w.order(cu, ls...)
	o.Carrier, o.Status = w.pick(w.conv.carrierCodes(false, false)), c.StatusReleased
	o.ServiceLevel = w.conv.standardService(o.Carrier)
	sh := w.plannedShipment(o)
	if v%3 == 2 {
		sh.Status = c.ShipTendered
	}
	return built{
		title:    "Hazmat item assigned to a carrier without hazmat certification",
		trigger:  w.trigger(o, carrierTriggers...),
		expected: carrierExpect(o, o.Carrier),
	}
}

// carrierCapacity: the assigned carrier has no capacity on the lane to the
// ship-to region. Odd variants carry a hazmat line on a certified carrier.
func carrierCapacity(w *world, v int) built {
	cu := w.customer("")
	ls := w.lines(1 + w.g.r.IntN(3))
	if v%2 == 1 {
		ls = append(ls, ln{it: w.hazmatItem(), qty: w.qty()})
	}
	o := w.order(cu, ls...)
	o.Status = c.StatusReleased
	cr := w.carrier(o.Carrier)
	cr.LanesWithoutCapacity = append(cr.LanesWithoutCapacity, o.ShipTo.Region)
	if w.g.r.IntN(2) == 0 {
		for _, reg := range w.conv.regions {
			if reg != o.ShipTo.Region {
				cr.LanesWithoutCapacity = append(cr.LanesWithoutCapacity, reg)
				break
			}
		}
	}
	w.plannedShipment(o)
	return built{
		title:    "Assigned carrier has no capacity on the lane",
		trigger:  w.trigger(o, carrierTriggers...),
		expected: carrierExpect(o, o.Carrier),
	}
}
