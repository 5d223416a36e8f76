package tools

import (
	"context"
	"math"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// ShipmentReport is the tracking of an order's shipments.
type ShipmentReport struct {
	OrderID   string           `json:"order_id"`
	Now       time.Time        `json:"now"`
	Shipments []ShipmentStatus `json:"shipments"`
}

// ShipmentStatus is one shipment's tracking.
type ShipmentStatus struct {
	ID               string                     `json:"id"`
	Carrier          string                     `json:"carrier"`
	ServiceLevel     string                     `json:"service_level"`
	TrackingNumber   string                     `json:"tracking_number,omitempty"`
	Status           string                     `json:"status"`
	PromisedDelivery time.Time                  `json:"promised_delivery"`
	ETA              time.Time                  `json:"eta"`
	Late             bool                       `json:"late" desc:"ETA after promised delivery"`
	HoursLate        float64                    `json:"hours_late"`
	FreightCost      float64                    `json:"freight_cost"`
	Started          bool                       `json:"started" desc:"picked up, in transit or delivered"`
	Events           []connectors.ShipmentEvent `json:"events"`
	Exception        bool                       `json:"exception" desc:"status exception or a carrier exception event (X12 214 SD, A9, A7, AP)"`
	Expedite         *ExpediteInfo              `json:"expedite" desc:"the cheapest faster service of the same carrier that meets the promise, or null"`
}

// ExpediteInfo is an expedite option.
type ExpediteInfo struct {
	ServiceLevel string  `json:"service_level"`
	TransitDays  int     `json:"transit_days"`
	Cost         float64 `json:"cost"`
	AddedCost    float64 `json:"added_cost" desc:"service cost − current freight cost"`
}

func (tb *Toolbox) trackShipments(ctx context.Context, q OrderQuery) (ShipmentReport, error) {
	o, err := tb.order(ctx, q.OrderID)
	if err != nil {
		return ShipmentReport{}, err
	}
	shs, err := tb.sys.Carriers.OrderShipments(ctx, q.OrderID)
	if err != nil {
		return ShipmentReport{}, err
	}
	carriers, err := tb.sys.Carriers.Carriers(ctx)
	if err != nil {
		return ShipmentReport{}, err
	}
	now := tb.sys.Clock.Now()
	rep := ShipmentReport{OrderID: q.OrderID, Now: now}
	for _, s := range shs {
		st := ShipmentStatus{ID: s.ID, Carrier: s.Carrier, ServiceLevel: s.ServiceLevel, TrackingNumber: s.TrackingNumber, Status: s.Status,
			PromisedDelivery: s.PromisedDelivery, ETA: s.ETA, Late: s.Late() && s.Status != connectors.ShipDelivered,
			FreightCost: s.FreightCost, Started: s.Started() || o.Status == connectors.StatusShipped, Events: s.Events,
			Exception: s.Status == connectors.ShipException}
		if st.Late {
			st.HoursLate = math.Round(s.ETA.Sub(s.PromisedDelivery).Hours()*10) / 10
		}
		for _, e := range s.Events {
			if connectors.IsExceptionEvent(e) {
				st.Exception = true
			}
		}
		if !st.Started {
			if x, ok := connectors.CheapestExpedite(now, s, carriers); ok {
				st.Expedite = &ExpediteInfo{x.ServiceLevel, x.TransitDays, money(x.Cost), money(x.AddedCost)}
			}
		}
		rep.Shipments = append(rep.Shipments, st)
	}
	return rep, nil
}

// CarrierQuery asks for carrier options on an order's lane.
type CarrierQuery struct {
	OrderID      string  `json:"order_id" desc:"the sales order id"`
	ServiceLevel *string `json:"service_level" desc:"the current carrier's service level the rebook target must be no slower than; null for the shipment's own"`
}

// Validate implements Validator.
func (q *CarrierQuery) Validate() error { return checkOrderID(q.OrderID) }

// CarrierReport lists carrier options for an order's lane.
type CarrierReport struct {
	OrderID            string          `json:"order_id"`
	Region             string          `json:"region"`
	ServiceLevel       string          `json:"service_level"`
	HazmatGoods        bool            `json:"hazmat_goods"`
	HazmatSKUs         []string        `json:"hazmat_skus"`
	CurrentCarrier     string          `json:"current_carrier"`
	ShipmentID         string          `json:"shipment_id" desc:"the order's open shipment, or empty"`
	CurrentCertified   bool            `json:"current_hazmat_certified"`
	CurrentHasCapacity bool            `json:"current_has_capacity"`
	Options            []CarrierOption `json:"options"`
	RebookTarget       *RebookInfo     `json:"rebook_target" desc:"the cheapest other carrier with capacity (and hazmat certification for hazmat goods), priced at its cheapest service no slower than the current one, or null"`
}

// CarrierOption is one carrier on the lane.
type CarrierOption struct {
	Carrier         string               `json:"carrier"`
	Name            string               `json:"name"`
	HazmatCertified bool                 `json:"hazmat_certified"`
	HasCapacity     bool                 `json:"has_capacity"`
	OnTimeRate      float64              `json:"on_time_rate"`
	Services        []connectors.Service `json:"services"`
}

// RebookInfo is a rebook target, priced at its cheapest service no slower
// than the current one (carriers name their services differently).
type RebookInfo struct {
	Carrier         string  `json:"carrier"`
	ServiceLevel    string  `json:"service_level" desc:"the target carrier's own name of the service it is priced at"`
	TransitDays     int     `json:"transit_days"`
	Cost            float64 `json:"cost"`
	HazmatCertified bool    `json:"hazmat_certified"`
}

func (tb *Toolbox) carrierOptions(ctx context.Context, q CarrierQuery) (CarrierReport, error) {
	o, err := tb.order(ctx, q.OrderID)
	if err != nil {
		return CarrierReport{}, err
	}
	carriers, err := tb.sys.Carriers.Carriers(ctx)
	if err != nil {
		return CarrierReport{}, err
	}
	shs, err := tb.sys.Carriers.OrderShipments(ctx, o.ID)
	if err != nil {
		return CarrierReport{}, err
	}
	rep := CarrierReport{OrderID: o.ID, Region: o.ShipTo.Region, ServiceLevel: o.ServiceLevel, CurrentCarrier: o.Carrier}
	for _, s := range shs {
		if s.Status != connectors.ShipDelivered {
			rep.ShipmentID, rep.CurrentCarrier = s.ID, s.Carrier
			if s.ServiceLevel != "" {
				rep.ServiceLevel = s.ServiceLevel
			}
		}
	}
	if q.ServiceLevel != nil && *q.ServiceLevel != "" {
		rep.ServiceLevel = *q.ServiceLevel
	}
	for _, l := range o.Lines {
		if it, err := tb.sys.ERP.Item(ctx, l.SKU); err == nil && it.Hazmat {
			rep.HazmatGoods = true
			rep.HazmatSKUs = append(rep.HazmatSKUs, it.SKU)
		}
	}
	for _, c := range carriers {
		cap := c.HasCapacity(o.ShipTo.Region)
		if c.Code == rep.CurrentCarrier {
			rep.CurrentCertified, rep.CurrentHasCapacity = c.HazmatCertified, cap
		}
		rep.Options = append(rep.Options, CarrierOption{c.Code, c.Name, c.HazmatCertified, cap, c.OnTimeRate, c.Services})
	}
	if t, ok := connectors.RebookTarget(carriers, rep.CurrentCarrier, o.ShipTo.Region, rep.ServiceLevel, rep.HazmatGoods); ok {
		rep.RebookTarget = &RebookInfo{t.Carrier, t.ServiceLevel, t.TransitDays, money(t.Cost), t.HazmatCertified}
	}
	return rep, nil
}
