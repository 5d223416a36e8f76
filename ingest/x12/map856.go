package x12

import (
	"slices"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// asnOrder is one order level (HL O) of a ship notice with its items.
type asnOrder struct {
	hl    Segment
	po    string
	refs  refs
	items []asnItem
}

type asnItem struct {
	seg Segment
	sku string
	qty string
}

// dtm reads a DTM into t when its qualifier is one of quals (earlier
// qualifiers of quals win over later ones already read).
type dated struct {
	t    time.Time
	rank int
}

func (d *dated) take(t time.Time, rank int) {
	if d.t.IsZero() || rank < d.rank {
		d.t, d.rank = t, rank
	}
}

// later is take, but of two dates of the same rank the later wins: when a
// line ships in parts, it is all there on the last part's date.
func (d *dated) later(t time.Time, rank int) {
	if d.t.IsZero() || rank < d.rank || rank == d.rank && t.After(d.t) {
		d.t, d.rank = t, rank
	}
}

// map856 maps a Ship Notice/Manifest: an outbound shipment's status, or an
// inbound ASN's item ETAs.
func (m *mapper) map856() ([]connectors.Event, error) {
	segs := m.set.Segments
	var (
		bsn          Segment
		haveBSN      bool
		shipRefs     = refs{}
		scac         string
		shipped, eta dated
		shipTo       string
		orders       []*asnOrder
		level        string
		cur          *asnOrder
	)
	for _, seg := range segs[1 : len(segs)-1] {
		switch seg.ID() {
		case "BSN":
			bsn, haveBSN = seg, true
		case "HL":
			level = seg.Elem(3)
			if level == "O" {
				cur = &asnOrder{hl: seg, refs: refs{}}
				orders = append(orders, cur)
			}
		case "TD5":
			if scac == "" {
				v, err := text(seg, 3)
				if err != nil {
					return nil, err
				}
				scac = v
			}
		case "REF":
			v, err := text(seg, 2)
			if err != nil {
				return nil, err
			}
			if level == "O" && cur != nil {
				cur.refs.add(seg.Elem(1), v)
			} else {
				shipRefs.add(seg.Elem(1), v)
			}
		case "PRF":
			if cur != nil && cur.po == "" {
				v, err := text(seg, 1)
				if err != nil {
					return nil, err
				}
				cur.po = v
			}
		case "DTM":
			q := seg.Elem(1)
			if i := slices.Index(deliveryQuals, q); i >= 0 {
				t, err := m.when(seg, 2, 3, 4)
				if err != nil {
					return nil, err
				}
				eta.take(t, i)
			} else if q == "011" {
				t, err := m.when(seg, 2, 3, 4)
				if err != nil {
					return nil, err
				}
				shipped.take(t, 0)
			}
		case "N1":
			if seg.Elem(1) == "ST" && shipTo == "" {
				v, err := text(seg, 4)
				if err != nil {
					return nil, err
				}
				shipTo = v
			}
		case "LIN":
			if level == "I" && cur != nil {
				cur.items = append(cur.items, asnItem{seg: seg, sku: productID(seg, 2, skuQuals)})
			}
		case "SN1":
			if level == "I" && cur != nil && len(cur.items) > 0 {
				cur.items[len(cur.items)-1].qty = seg.Elem(2)
			}
		}
	}
	st := segs[0]
	if !haveBSN {
		return nil, fail(st, 0, "856 %s has no BSN segment", m.set.Control)
	}
	shipmentID, err := text(bsn, 2)
	if err != nil {
		return nil, err
	}
	created := shipped.t
	if created.IsZero() {
		if t, err := m.when(bsn, 3, 4, 0); err == nil {
			created = t
		} else {
			created = m.groupTime()
		}
	}
	if m.isInbound() {
		return m.inboundASN(bsn, orders, shipTo, eta.t, created)
	}
	tracking := shipRefs.first(trackingQuals)
	up := func(o *asnOrder) *connectors.ShipmentUpdate {
		u := &connectors.ShipmentUpdate{ShipmentID: shipmentID, TrackingNumber: tracking, Carrier: scac,
			Status: connectors.ShipPickedUp, ETA: eta.t}
		if !shipped.t.IsZero() {
			u.Events = []connectors.ShipmentEvent{{At: shipped.t, Code: "AF", Reason: "NS",
				Description: "Shipped (ship notice " + shipmentID + ")"}}
		}
		all := refs{}
		for q, v := range shipRefs {
			all.add(q, v)
		}
		if o != nil {
			for q, v := range o.refs {
				all[q] = v
			}
			if o.po != "" {
				all["PO"] = o.po
			}
		}
		if len(all) > 0 {
			u.References = map[string]string(all)
		}
		return u
	}
	if shipmentID == "" && tracking == "" && shipRefs["BM"] == "" && len(orders) == 0 {
		return nil, fail(bsn, 2, "856 %s names no shipment: no BSN02, tracking number, bill of lading or order", m.set.Control)
	}
	if len(orders) == 0 {
		return []connectors.Event{{ID: m.eventID(0), Source: "edi", Type: connectors.EventShipmentStatus, At: created,
			Shipment: up(nil), Data: m.data(map[string]any{"direction": Outbound})}}, nil
	}
	out := make([]connectors.Event, 0, len(orders))
	for i, o := range orders {
		out = append(out, connectors.Event{ID: m.eventID(i + 1), Source: "edi", Type: connectors.EventShipmentStatus,
			OrderID: o.refs.first(orderQuals), At: created, Shipment: up(o),
			Data: m.data(map[string]any{"direction": Outbound, "purchase_order": o.po})})
	}
	return out, nil
}

// inboundASN maps a supplier's ship notice onto the ETA of each item of
// each purchase order it carries.
func (m *mapper) inboundASN(bsn Segment, orders []*asnOrder, site string, eta, created time.Time) ([]connectors.Event, error) {
	if eta.IsZero() {
		return nil, fail(bsn, 0, "856 %s (inbound) has no estimated delivery date (DTM 017 or 067) to update the items' ETA", m.set.Control)
	}
	var ups []connectors.InboundUpdate
	for _, o := range orders {
		if o.po == "" {
			return nil, fail(o.hl, 0, "856 %s: order level %s has no PRF purchase order number", m.set.Control, o.hl.Elem(1))
		}
		for _, it := range o.items {
			if it.sku == "" {
				return nil, fail(it.seg, 2, "856 %s: LIN names no product id exdesk reads (BP, SK, IN, VP, UP)", m.set.Control)
			}
			ups = append(ups, connectors.InboundUpdate{SKU: it.sku, Site: site, Ref: o.po, ETA: connectors.NewDate(eta)})
		}
	}
	if len(ups) == 0 {
		return nil, fail(bsn, 0, "856 %s (inbound) carries no items (HL I with LIN) under a purchase order (HL O with PRF)", m.set.Control)
	}
	return []connectors.Event{{ID: m.eventID(0), Source: "edi", Type: connectors.EventInventoryChanged, At: created,
		Inbound: ups, Data: m.data(map[string]any{"direction": Inbound, "ship_notice": bsn.Elem(2)})}}, nil
}
