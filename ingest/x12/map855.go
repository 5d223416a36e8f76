package x12

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// Line item status codes (element 668) that mean the supplier will not
// deliver the line: item rejected, item deleted, and rejected with
// counter offer / rejected (R1–R4 variants some partners use).
var rejectedLine = map[string]bool{"IR": true, "ID": true, "R1": true, "R2": true, "R3": true, "R4": true}

// po1Line is one PO1 loop of an acknowledgement.
type po1Line struct {
	po1      Segment
	sku      string
	ordered  string
	rejected bool
	qty      int
	hasQty   bool
	arrive   dated // ACK / DTM delivery dates
	leave    dated // ACK / DTM ship dates
}

// map855 maps a Purchase Order Acknowledgment: the changed quantities and
// dates of the purchase order's lines become the inbound supply's.
func (m *mapper) map855() ([]connectors.Event, error) {
	segs := m.set.Segments
	var (
		bak           Segment
		haveBAK       bool
		site          string
		arrive, leave dated
		lines         []*po1Line
		cur           *po1Line
	)
	date := func(seg Segment, qual string, dElem int, into func(t time.Time, arrive bool, rank int)) error {
		if i := slices.Index(deliveryQuals, qual); i >= 0 {
			t, err := m.when(seg, dElem, 0, 0)
			if err != nil {
				return err
			}
			into(t, true, i)
		} else if i := slices.Index(shipQuals, qual); i >= 0 {
			t, err := m.when(seg, dElem, 0, 0)
			if err != nil {
				return err
			}
			into(t, false, i)
		}
		return nil
	}
	for _, seg := range segs[1 : len(segs)-1] {
		switch seg.ID() {
		case "BAK":
			bak, haveBAK = seg, true
		case "N1":
			if seg.Elem(1) == "ST" && site == "" {
				v, err := text(seg, 4)
				if err != nil {
					return nil, err
				}
				site = v
			}
		case "PO1":
			cur = &po1Line{po1: seg, sku: productID(seg, 6, skuQuals), ordered: seg.Elem(2)}
			lines = append(lines, cur)
		case "ACK":
			if cur == nil {
				continue
			}
			if rejectedLine[seg.Elem(1)] {
				cur.rejected = true
				continue
			}
			if q := seg.Elem(2); q != "" {
				f, err := strconv.ParseFloat(q, 64)
				if err != nil || f < 0 || f > 1e9 {
					return nil, fail(seg, 2, "ACK02 %q is not a quantity", q)
				}
				cur.qty += int(math.Round(f))
				cur.hasQty = true
			}
			if q := seg.Elem(4); q != "" {
				err := date(seg, q, 5, func(t time.Time, a bool, rank int) {
					if a {
						cur.arrive.later(t, rank)
					} else {
						cur.leave.later(t, rank)
					}
				})
				if err != nil {
					return nil, err
				}
			}
		case "DTM":
			err := date(seg, seg.Elem(1), 2, func(t time.Time, a bool, rank int) {
				switch {
				case cur != nil && a:
					cur.arrive.take(t, rank)
				case cur != nil:
					cur.leave.take(t, rank)
				case a:
					arrive.take(t, rank)
				default:
					leave.take(t, rank)
				}
			})
			if err != nil {
				return nil, err
			}
		}
	}
	st := segs[0]
	if !haveBAK {
		return nil, fail(st, 0, "855 %s has no BAK segment", m.set.Control)
	}
	po, err := text(bak, 3)
	if err != nil {
		return nil, err
	}
	if po == "" {
		return nil, fail(bak, 3, "855 %s: BAK03 (purchase order number) is required", m.set.Control)
	}
	rejectAll := bak.Elem(2) == "RJ" || bak.Elem(2) == "RD" && len(lines) == 0
	if len(lines) == 0 {
		if rejectAll {
			return nil, fail(bak, 2, "855 %s rejects purchase order %s without PO1 lines: no item to update", m.set.Control, po)
		}
		return nil, nil // acknowledged without detail: nothing changes
	}
	var ups []connectors.InboundUpdate
	for _, l := range lines {
		if l.sku == "" {
			return nil, fail(l.po1, 6, "855 %s: PO1 %s names no product id exdesk reads (BP, SK, IN, VP, UP)", m.set.Control, l.po1.Elem(1))
		}
		u := connectors.InboundUpdate{SKU: l.sku, Site: site, Ref: po}
		switch {
		case l.rejected || rejectAll:
			zero := 0
			u.Qty = &zero
		case l.hasQty:
			q := l.qty
			u.Qty = &q
		}
		for _, d := range []dated{l.arrive, l.leave, arrive, leave} {
			if !d.t.IsZero() {
				u.ETA = connectors.NewDate(d.t)
				break
			}
		}
		if u.Qty == nil && u.ETA.IsZero() {
			continue // accepted as ordered: nothing changes
		}
		ups = append(ups, u)
	}
	if len(ups) == 0 {
		return nil, nil // every line accepted as ordered: nothing changes
	}
	return []connectors.Event{{ID: m.eventID(0), Source: "edi", Type: connectors.EventInventoryChanged, At: m.groupTime(),
		Inbound: ups, Data: m.data(map[string]any{"purchase_order": po, "acknowledgment_type": bak.Elem(2)})}}, nil
}
