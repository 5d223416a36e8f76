package ingest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/exdesk/exdesk/connectors"
)

// Limits on the state an event carries.
const (
	maxStateText    = 200
	maxDescription  = 500
	maxEventsPerMsg = 200
	maxInbound      = 1000
	maxReferences   = 20
	maxQty          = 1_000_000_000
)

// shipmentStatuses are the statuses a shipment may report.
var shipmentStatuses = []string{connectors.ShipPlanned, connectors.ShipTendered, connectors.ShipPickedUp,
	connectors.ShipInTransit, connectors.ShipDelivered, connectors.ShipException}

// namesStateKey reports whether the event's fields carry state that names
// what it is about without an order: a shipment by id, tracking number or
// reference, or inbound supply.
func namesStateKey(fields map[string]json.RawMessage) bool {
	if r, ok := fields["shipment"]; ok {
		var sh map[string]json.RawMessage
		if json.Unmarshal(r, &sh) == nil {
			for _, k := range []string{"shipment_id", "tracking_number", "references"} {
				if x, ok := sh[k]; ok && string(x) != "null" && string(x) != `""` && string(x) != "{}" {
					return true
				}
			}
		}
	}
	if r, ok := fields["inbound"]; ok {
		var in []json.RawMessage
		if json.Unmarshal(r, &in) == nil && len(in) > 0 {
			return true
		}
	}
	return false
}

// obj reads a JSON object's fields for validation; it reports problems
// under field (e.g. "shipment.events[2]").
type obj struct {
	field  string
	fields map[string]json.RawMessage
	v      *ValidationError
}

func newObj(raw json.RawMessage, field string, v *ValidationError) (*obj, bool) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		v.add(FieldError{Field: field, Problem: "must be a JSON object"})
		return nil, false
	}
	return &obj{field: field, fields: fields, v: v}, true
}

func (o *obj) problem(name, problem string) {
	o.v.add(FieldError{Field: o.field + "." + name, Problem: problem})
}

// str reads an optional string field of at most maxLen bytes.
func (o *obj) str(name string, maxLen int, required bool) string {
	r, ok := o.fields[name]
	if !ok || string(r) == "null" {
		if required {
			o.problem(name, "required")
		}
		return ""
	}
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		o.problem(name, "must be a string")
		return ""
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		o.problem(name, "required")
	case len(s) > maxLen:
		o.problem(name, fmt.Sprintf("longer than %d bytes", maxLen))
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		o.problem(name, "contains control characters or invalid UTF-8")
	default:
		return s
	}
	return ""
}

func (o *obj) time(name string, required bool) time.Time {
	s := o.str(name, 64, required)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	switch {
	case err != nil:
		o.problem(name, fmt.Sprintf("%q is not an RFC 3339 time such as 2026-11-26T09:30:00Z", s))
	case t.Year() < 2000 || t.Year() > 2200:
		o.problem(name, fmt.Sprintf("year %d is out of range", t.Year()))
	default:
		return t.UTC()
	}
	return time.Time{}
}

func (o *obj) unknown(known ...string) {
	var names []string
	for k := range o.fields {
		if !slices.Contains(known, k) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	for _, k := range names {
		o.problem(k, "unknown field")
	}
}

// parseShipment validates the shipment state of an event.
func parseShipment(raw json.RawMessage, v *ValidationError) *connectors.ShipmentUpdate {
	o, ok := newObj(raw, "shipment", v)
	if !ok {
		return nil
	}
	sh := &connectors.ShipmentUpdate{
		ShipmentID:     o.str("shipment_id", maxStateText, false),
		TrackingNumber: o.str("tracking_number", maxStateText, false),
		Carrier:        o.str("carrier", maxStateText, false),
		Status:         o.str("status", 32, false),
		ETA:            o.time("eta", false),
	}
	if sh.Status != "" && !slices.Contains(shipmentStatuses, sh.Status) {
		o.problem("status", fmt.Sprintf("%q is not one of %s", sh.Status, strings.Join(shipmentStatuses, ", ")))
	}
	if r, ok := o.fields["events"]; ok && string(r) != "null" {
		var raws []json.RawMessage
		if err := json.Unmarshal(r, &raws); err != nil {
			o.problem("events", "must be an array of carrier events")
		} else if len(raws) > maxEventsPerMsg {
			o.problem("events", fmt.Sprintf("%d events; at most %d", len(raws), maxEventsPerMsg))
		} else {
			for i, er := range raws {
				e, ok := newObj(er, fmt.Sprintf("shipment.events[%d]", i), v)
				if !ok {
					continue
				}
				ev := connectors.ShipmentEvent{At: e.time("at", true), Code: e.str("code", 8, true), Reason: e.str("reason", 8, false),
					Description: e.str("description", maxDescription, false), Location: e.str("location", maxStateText, false)}
				e.unknown("at", "code", "reason", "description", "location")
				sh.Events = append(sh.Events, ev)
			}
		}
	}
	if r, ok := o.fields["references"]; ok && string(r) != "null" {
		var refs map[string]string
		switch err := json.Unmarshal(r, &refs); {
		case err != nil:
			o.problem("references", "must be an object of strings, e.g. {\"BM\": \"BOL-1\"}")
		case len(refs) > maxReferences:
			o.problem("references", fmt.Sprintf("%d references; at most %d", len(refs), maxReferences))
		default:
			for k, val := range refs {
				if len(k) > 8 || len(val) > maxStateText || strings.ContainsFunc(k+val, unicode.IsControl) || !utf8.ValidString(k+val) {
					o.problem("references", fmt.Sprintf("reference %q is too long or has control characters", printable(k)))
					break
				}
			}
			if len(refs) > 0 {
				sh.References = refs
			}
		}
	}
	o.unknown("shipment_id", "tracking_number", "carrier", "status", "eta", "events", "references")
	return sh
}

// parseInbound validates the inbound supply an event reports.
func parseInbound(raw json.RawMessage, v *ValidationError) []connectors.InboundUpdate {
	var raws []json.RawMessage
	if err := json.Unmarshal(raw, &raws); err != nil {
		v.add(FieldError{Field: "inbound", Problem: "must be an array of inbound receipts"})
		return nil
	}
	switch {
	case len(raws) == 0:
		v.add(FieldError{Field: "inbound", Problem: "must not be empty"})
		return nil
	case len(raws) > maxInbound:
		v.add(FieldError{Field: "inbound", Problem: fmt.Sprintf("%d receipts; at most %d", len(raws), maxInbound)})
		return nil
	}
	out := make([]connectors.InboundUpdate, 0, len(raws))
	for i, r := range raws {
		o, ok := newObj(r, fmt.Sprintf("inbound[%d]", i), v)
		if !ok {
			continue
		}
		u := connectors.InboundUpdate{SKU: o.str("sku", maxStateText, true), Site: o.str("site", maxStateText, false),
			Ref: o.str("ref", maxStateText, true)}
		q, qtyGiven := o.fields["qty"]
		if qtyGiven && string(q) != "null" {
			var n int
			if err := json.Unmarshal(q, &n); err != nil || n < 0 || n > maxQty {
				o.problem("qty", fmt.Sprintf("must be a whole number from 0 to %d", maxQty))
			} else {
				u.Qty = &n
			}
		}
		if d := o.str("eta", 16, false); d != "" {
			if date, err := connectors.ParseDate(d); err != nil {
				o.problem("eta", fmt.Sprintf("%q is not a date YYYY-MM-DD", d))
			} else {
				u.ETA = date
			}
		}
		if !qtyGiven && u.ETA.IsZero() && u.SKU != "" && u.Ref != "" && o.fields["eta"] == nil {
			o.problem("qty", "an inbound receipt must report a qty or an eta")
		}
		o.unknown("sku", "site", "ref", "qty", "eta")
		out = append(out, u)
	}
	return out
}

func printable(s string) string {
	if len(s) > 20 {
		s = s[:20]
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}
