package connectors

import (
	"context"
	"slices"
	"time"
)

// MaxStateEvents bounds the carrier events kept in a shipment's state.
const MaxStateEvents = 50

// ShipmentByTracking is implemented by carrier systems that can find a
// shipment by its carrier tracking number (or PRO / bill of lading
// number). It is optional: callers check for it with a type assertion.
type ShipmentByTracking interface {
	// ShipmentByTracking returns the shipment with that tracking number,
	// or a *NotFoundError.
	ShipmentByTracking(ctx context.Context, number string) (Shipment, error)
}

// OrdersByPO is implemented by ERPs that can find orders by the customer's
// purchase order number. It is optional.
type OrdersByPO interface {
	// OrdersByPO returns the orders with that PO number, any customer.
	OrdersByPO(ctx context.Context, po string) ([]Order, error)
}

// ShipmentState is the latest known state of one shipment as source events
// reported it. It is keyed by ShipmentID and TrackingNumber: a state whose
// shipment no system knew has only a tracking number (or only an id).
type ShipmentState struct {
	ShipmentID     string
	TrackingNumber string
	OrderID        string
	Carrier        string
	Status         string
	ETA            time.Time
	// Events are the carrier events reported, oldest first, at most
	// MaxStateEvents.
	Events []ShipmentEvent
	// At is the time of the newest event applied: a later event replaces
	// what it says, an earlier one never does.
	At time.Time
	// EventID and Source name the event that set At.
	EventID string
	Source  string
}

// Merge applies u, a state reported by a later or earlier event, to s and
// returns the result and whether u was at least as new as s (applied) or
// older (only its carrier events and the fields s lacked were taken).
// Newest by event time wins, field by field: an empty field of the newer
// state keeps the older value.
func (s ShipmentState) Merge(u ShipmentState) (ShipmentState, bool) {
	out := s
	out.Events = MergeShipmentEvents(s.Events, u.Events)
	if s.At.IsZero() && s.EventID == "" || !u.At.Before(s.At) {
		out.At, out.EventID, out.Source = u.At, u.EventID, u.Source
		set(&out.ShipmentID, u.ShipmentID)
		set(&out.TrackingNumber, u.TrackingNumber)
		set(&out.OrderID, u.OrderID)
		set(&out.Carrier, u.Carrier)
		set(&out.Status, u.Status)
		if !u.ETA.IsZero() {
			out.ETA = u.ETA
		}
		return out, true
	}
	fill(&out.ShipmentID, u.ShipmentID)
	fill(&out.TrackingNumber, u.TrackingNumber)
	fill(&out.OrderID, u.OrderID)
	fill(&out.Carrier, u.Carrier)
	fill(&out.Status, u.Status)
	if out.ETA.IsZero() {
		out.ETA = u.ETA
	}
	return out, false
}

func set(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// MergeShipmentEvents returns the union of two event histories, oldest
// first, one event per time and code, at most the newest MaxStateEvents.
func MergeShipmentEvents(a, b []ShipmentEvent) []ShipmentEvent {
	if len(b) == 0 {
		return slices.Clone(a)
	}
	out := make([]ShipmentEvent, 0, len(a)+len(b))
	out = append(append(out, a...), b...)
	slices.SortStableFunc(out, func(x, y ShipmentEvent) int { return x.At.Compare(y.At) })
	out = slices.CompactFunc(out, func(x, y ShipmentEvent) bool { return x.At.Equal(y.At) && x.Code == y.Code })
	if len(out) > MaxStateEvents {
		out = out[len(out)-MaxStateEvents:]
	}
	return out
}

// Apply returns sh as the investigation should see it given st: the state
// replaces the status and ETA (and fills a missing tracking number) when it
// is newer than the newest event the system of record has; the carrier
// events of both are merged either way.
func (st ShipmentState) Apply(sh Shipment) Shipment {
	var newest time.Time
	for _, e := range sh.Events {
		if e.At.After(newest) {
			newest = e.At
		}
	}
	sh.Events = MergeShipmentEvents(sh.Events, st.Events)
	fill(&sh.TrackingNumber, st.TrackingNumber)
	if st.At.After(newest) {
		set(&sh.Status, st.Status)
		if !st.ETA.IsZero() {
			sh.ETA = st.ETA
		}
	}
	return sh
}

// InboundState is the latest known state of one inbound receipt (Ref) of
// one sku, as source events reported it.
type InboundState struct {
	SKU  string
	Ref  string
	Site string // "" when the source did not say
	// Qty is the quantity now expected; nil when no event said.
	Qty *int
	ETA Date
	// At is the time of the newest event applied.
	At      time.Time
	EventID string
	Source  string
}

// Merge applies u to s like ShipmentState.Merge: newest by event time wins
// field by field; an older u only fills what s lacks.
func (s InboundState) Merge(u InboundState) (InboundState, bool) {
	out := s
	if s.At.IsZero() && s.EventID == "" || !u.At.Before(s.At) {
		out.At, out.EventID, out.Source = u.At, u.EventID, u.Source
		set(&out.SKU, u.SKU)
		set(&out.Ref, u.Ref)
		set(&out.Site, u.Site)
		if u.Qty != nil {
			q := *u.Qty
			out.Qty = &q
		}
		if !u.ETA.IsZero() {
			out.ETA = u.ETA
		}
		return out, true
	}
	fill(&out.Site, u.Site)
	if out.Qty == nil && u.Qty != nil {
		q := *u.Qty
		out.Qty = &q
	}
	if out.ETA.IsZero() {
		out.ETA = u.ETA
	}
	return out, false
}

// ApplyInbound returns the stock with the inbound receipts the states name
// changed: a new ETA or quantity, and a receipt whose quantity is now 0
// removed. A state whose receipt the stock does not list changes nothing
// (supply the warehouse does not know of is not counted).
func ApplyInbound(s Stock, states []InboundState) Stock {
	if len(states) == 0 || len(s.Inbound) == 0 {
		return s
	}
	in := slices.Clone(s.Inbound)
	for _, st := range states {
		if st.SKU != s.SKU || st.Site != "" && st.Site != s.Site {
			continue
		}
		for i := range in {
			if in[i].Ref != st.Ref {
				continue
			}
			if st.Qty != nil {
				in[i].Qty = *st.Qty
			}
			if !st.ETA.IsZero() {
				in[i].ETA = st.ETA
			}
		}
	}
	s.Inbound = slices.DeleteFunc(in, func(x Inbound) bool { return x.Qty <= 0 })
	return s
}

// ShipmentStateOf returns the state an event carries about its shipment,
// or false when it carries none.
func ShipmentStateOf(e Event) (ShipmentState, bool) {
	u := e.Shipment
	if u == nil {
		return ShipmentState{}, false
	}
	return ShipmentState{ShipmentID: u.ShipmentID, TrackingNumber: u.TrackingNumber, OrderID: e.OrderID,
		Carrier: u.Carrier, Status: u.Status, ETA: u.ETA, Events: MergeShipmentEvents(nil, u.Events),
		At: e.At, EventID: e.ID, Source: e.Source}, true
}

// InboundStatesOf returns the states an event carries about inbound supply.
func InboundStatesOf(e Event) []InboundState {
	out := make([]InboundState, 0, len(e.Inbound))
	for _, u := range e.Inbound {
		st := InboundState{SKU: u.SKU, Ref: u.Ref, Site: u.Site, ETA: u.ETA, At: e.At, EventID: e.ID, Source: e.Source}
		if u.Qty != nil {
			q := *u.Qty
			st.Qty = &q
		}
		out = append(out, st)
	}
	return out
}
