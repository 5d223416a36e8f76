package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/exdesk/exdesk/connectors"
)

// Outcomes of events that open no case (the "outcome" label of the
// processed metric).
const (
	// OutcomeUnmatched: a shipment_status whose shipment no system knows;
	// its state is kept (it merges once the system of record has the
	// shipment), no case is opened.
	OutcomeUnmatched = "unmatched"
	// OutcomeStateOnly: the event's state was kept; it names no order to
	// investigate (a supplier's acknowledgement of a purchase order).
	OutcomeStateOnly = "state_recorded"
)

// Resolver runs before an event takes its order's lock; *StateKeeper
// implements it. It may fill ev.OrderID. It returns a *SkipError for an
// event that opens no case, another error to retry the event.
type Resolver interface {
	Resolve(ctx context.Context, ev *connectors.Event) error
}

// SkipError says an event is done without a case, and why.
type SkipError struct {
	Outcome string
	Reason  string
}

func (e *SkipError) Error() string { return e.Outcome + ": " + e.Reason }

// StateStore is the part of store.SourceState the state keeper writes.
type StateStore interface {
	PutShipmentState(ctx context.Context, s connectors.ShipmentState) (bool, error)
	PutInboundState(ctx context.Context, s connectors.InboundState) (bool, error)
}

// StateKeeper keeps the state events carry in the store and finds the
// order of events that name only a shipment: by shipment id, by tracking
// number (or bill of lading, PRO) when the carrier system implements
// connectors.ShipmentByTracking, by the order the event names, or by the
// purchase order number when the ERP implements connectors.OrdersByPO.
type StateKeeper struct {
	Store StateStore
	// Systems are the systems of record (the carrier system and the ERP
	// are read).
	Systems connectors.Systems
	// Log receives JSON logs; nil discards.
	Log *slog.Logger
	// Metrics; nil records nothing.
	Metrics *Metrics
}

var _ Resolver = (*StateKeeper)(nil)

func (k *StateKeeper) log() *slog.Logger {
	if k.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return k.Log
}

// Resolve implements Resolver.
func (k *StateKeeper) Resolve(ctx context.Context, ev *connectors.Event) error {
	if ev.Shipment != nil {
		sh, found, err := k.findShipment(ctx, ev)
		if err != nil {
			return fmt.Errorf("finding the shipment of event %s: %w", ev.ID, err)
		}
		if found {
			if ev.OrderID != "" && ev.OrderID != sh.OrderID {
				k.log().Info("event names another order than its shipment's; the shipment's is used",
					"event", ev.ID, "named", ev.OrderID, "shipment", sh.ID, "order", sh.OrderID)
			}
			ev.OrderID = sh.OrderID
			if ev.Shipment.ShipmentID == "" {
				ev.Shipment.ShipmentID = sh.ID
			}
		}
		if st, ok := connectors.ShipmentStateOf(*ev); ok && (st.ShipmentID != "" || st.TrackingNumber != "") {
			if found && st.TrackingNumber != "" && st.TrackingNumber != sh.TrackingNumber && sh.TrackingNumber != "" {
				st.TrackingNumber = sh.TrackingNumber // keep the key the system of record reads by
			}
			applied, err := k.Store.PutShipmentState(ctx, st)
			if err != nil {
				return fmt.Errorf("keeping the state of shipment %s%s: %w", st.ShipmentID, st.TrackingNumber, err)
			}
			k.count("shipment", applied)
		}
		if !found {
			if k.Metrics != nil {
				k.Metrics.Unmatched.Inc()
			}
			u := ev.Shipment
			k.log().Warn("shipment unknown to every system: no case opened, its state is kept",
				"event", ev.ID, "source", ev.Source, "shipment_id", u.ShipmentID, "tracking_number", u.TrackingNumber,
				"order", ev.OrderID, "references", u.References)
			return &SkipError{Outcome: OutcomeUnmatched, Reason: "no system knows shipment " + firstNonEmpty(u.ShipmentID, u.TrackingNumber, "(unnamed)")}
		}
	}
	for _, st := range connectors.InboundStatesOf(*ev) {
		applied, err := k.Store.PutInboundState(ctx, st)
		if err != nil {
			return fmt.Errorf("keeping the inbound state of %s %s: %w", st.SKU, st.Ref, err)
		}
		k.count("inbound", applied)
	}
	if ev.OrderID == "" && len(ev.Inbound) > 0 {
		return &SkipError{Outcome: OutcomeStateOnly, Reason: fmt.Sprintf("%d inbound receipts updated; no order named", len(ev.Inbound))}
	}
	return nil
}

func (k *StateKeeper) count(kind string, applied bool) {
	if k.Metrics == nil {
		return
	}
	result := "applied"
	if !applied {
		result = "stale"
	}
	k.Metrics.State.WithLabelValues(kind, result).Inc()
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// findShipment finds the shipment an event reports on.
func (k *StateKeeper) findShipment(ctx context.Context, ev *connectors.Event) (connectors.Shipment, bool, error) {
	u := ev.Shipment
	carriers := k.Systems.Carriers
	if carriers == nil {
		return connectors.Shipment{}, false, nil
	}
	notFound := func(err error) bool { return errors.Is(err, connectors.ErrNotFound) }
	if u.ShipmentID != "" {
		sh, err := carriers.Shipment(ctx, u.ShipmentID)
		if err == nil {
			return sh, true, nil
		}
		if !notFound(err) {
			return sh, false, err
		}
	}
	numbers := []string{u.TrackingNumber, u.References["CN"], u.References["2I"], u.References["BM"]}
	if byTracking, ok := carriers.(connectors.ShipmentByTracking); ok {
		for _, n := range numbers {
			if n == "" {
				continue
			}
			sh, err := byTracking.ShipmentByTracking(ctx, n)
			if err == nil {
				return sh, true, nil
			}
			if !notFound(err) {
				return sh, false, err
			}
		}
	}
	// A carrier system without a tracking-number lookup may still key its
	// shipments by the carrier's number.
	for _, n := range numbers {
		if n == "" || n == u.ShipmentID {
			continue
		}
		sh, err := carriers.Shipment(ctx, n)
		if err == nil && (sh.ID == n || sh.TrackingNumber == n) {
			return sh, true, nil
		}
		if err != nil && !notFound(err) {
			return sh, false, err
		}
	}
	// Orders the event may be about: the one it names, the one its PO
	// number names, its shipment id (shippers often use the order number),
	// then any other reference it carries.
	orders := []string{ev.OrderID}
	if po := u.References["PO"]; po != "" {
		if byPO, ok := k.Systems.ERP.(connectors.OrdersByPO); ok {
			found, err := byPO.OrdersByPO(ctx, po)
			if err != nil && !notFound(err) {
				return connectors.Shipment{}, false, err
			}
			var open []string
			for _, o := range found {
				if o.Status != connectors.StatusCancelled {
					open = append(open, o.ID)
				}
			}
			if len(open) == 1 {
				orders = append(orders, open[0])
			}
		}
	}
	orders = append(orders, u.ShipmentID)
	quals := make([]string, 0, len(u.References))
	for q := range u.References {
		quals = append(quals, q)
	}
	slices.Sort(quals)
	for _, q := range quals {
		orders = append(orders, u.References[q])
	}
	tried := map[string]bool{"": true}
	for _, o := range orders {
		if tried[o] {
			continue
		}
		tried[o] = true
		sh, found, err := k.orderShipment(ctx, o, u, numbers)
		if err != nil || found {
			return sh, found, err
		}
	}
	return connectors.Shipment{}, false, nil
}

// orderShipment finds the event's shipment among the order's: by id or
// tracking number, else the order's only shipment when its tracking number
// does not contradict the event's.
func (k *StateKeeper) orderShipment(ctx context.Context, order string, u *connectors.ShipmentUpdate, numbers []string) (connectors.Shipment, bool, error) {
	shs, err := k.Systems.Carriers.OrderShipments(ctx, order)
	if err != nil {
		if errors.Is(err, connectors.ErrNotFound) {
			return connectors.Shipment{}, false, nil
		}
		return connectors.Shipment{}, false, err
	}
	for _, sh := range shs {
		if u.ShipmentID != "" && sh.ID == u.ShipmentID || sh.TrackingNumber != "" && containsStr(numbers, sh.TrackingNumber) {
			return sh, true, nil
		}
	}
	if len(shs) == 1 && (shs[0].TrackingNumber == "" || u.TrackingNumber == "") {
		return shs[0], true, nil
	}
	return connectors.Shipment{}, false, nil
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x != "" && x == s {
			return true
		}
	}
	return false
}
