package x12

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

// Directions of an 856 ship notice.
const (
	// Outbound: our shipment to a customer; it updates the shipment.
	Outbound = "outbound"
	// Inbound: a supplier's shipment to us; it updates inbound supply.
	Inbound = "inbound"
)

// Options tune Map.
type Options struct {
	// Direction of 856 ship notices: Outbound (the default) or Inbound.
	Direction string
	// InboundSenders are interchange (ISA06) or group (GS02) sender ids
	// whose 856s are inbound ASNs from suppliers, whatever Direction says.
	InboundSenders []string
	// Location is the zone of local times (AT7 / DTM without a time code,
	// or LT); nil is UTC.
	Location *time.Location
	// Now is when the interchange was received (default: the clock); it
	// dates an event whose set and group carry no usable time.
	Now time.Time
}

// Skipped is a transaction set that was not mapped, and why.
type Skipped struct {
	Group string `json:"group"` // GS06
	Set   string `json:"set"`   // ST02
	Type  string `json:"type"`  // ST01
	// Segment is the position in the interchange of the segment that made
	// the set unmappable (the ST when the set as a whole is).
	Segment   int    `json:"segment"`
	SegmentID string `json:"segment_id,omitempty"`
	// SetPos is that segment's position in the set; Element its element.
	SetPos  int `json:"set_position,omitempty"`
	Element int `json:"element,omitempty"`
	// Data is the element's value, when one is named.
	Data   string `json:"data,omitempty"`
	Reason string `json:"reason"`
	// Code is the 997 AK502 code: 1 for a set type exdesk does not map, 5
	// for a set whose content it cannot map.
	Code string `json:"-"`
}

// Outcome returns how the skipped set is acknowledged: rejected, with the
// segment and element that made it unmappable.
func (s Skipped) Outcome() SetOutcome {
	o := SetOutcome{Group: s.Group, Set: s.Set, Rejected: true, Code: s.Code}
	if s.Code != "1" && s.SegmentID != "" && s.SetPos > 0 {
		o.SegmentID, o.SetPos, o.Element, o.Data = s.SegmentID, s.SetPos, s.Element, s.Data
		o.SegmentCode = SegElementErrors
		if s.Element > 0 {
			o.ElementCode = ElemInvalidCode
		} else {
			o.SegmentCode = SegMissing
		}
	}
	return o
}

// SetEvents are the events one transaction set mapped to.
type SetEvents struct {
	Group, Set, Type string
	Events           []connectors.Event
}

// Result is what Map made of an interchange.
type Result struct {
	Sets    []SetEvents
	Skipped []Skipped
}

// Events returns every mapped event in interchange order.
func (r Result) Events() []connectors.Event {
	var out []connectors.Event
	for _, s := range r.Sets {
		out = append(out, s.Events...)
	}
	return out
}

// mapError is a set that cannot be mapped, at a segment and element.
type mapError struct {
	seg    Segment
	elem   int
	reason string
}

func (e *mapError) Error() string { return e.reason }

func fail(seg Segment, elem int, format string, args ...any) error {
	return &mapError{seg: seg, elem: elem, reason: fmt.Sprintf(format, args...)}
}

// mapper holds what one set's mapping needs.
type mapper struct {
	ic  *Interchange
	g   *Group
	set *Set
	o   Options
}

// Map maps every transaction set of ic onto exdesk events. A set it cannot
// map is skipped and reported; the others are mapped.
func Map(ic *Interchange, o Options) Result {
	var r Result
	for gi := range ic.Groups {
		g := &ic.Groups[gi]
		for si := range g.Sets {
			set := &g.Sets[si]
			m := &mapper{ic: ic, g: g, set: set, o: o}
			var (
				evs []connectors.Event
				err error
			)
			switch set.ID {
			case "214":
				evs, err = m.map214()
			case "856":
				evs, err = m.map856()
			case "855":
				evs, err = m.map855()
			default:
				st := set.Segments[0]
				r.Skipped = append(r.Skipped, Skipped{Group: g.Control, Set: set.Control, Type: set.ID, Segment: st.Pos,
					SegmentID: "ST", SetPos: 1, Element: 1, Code: "1",
					Reason: fmt.Sprintf("transaction set %s is not mapped (exdesk maps 214, 856 and 855)", set.ID)})
				continue
			}
			if err != nil {
				sk := Skipped{Group: g.Control, Set: set.Control, Type: set.ID, Reason: err.Error(), Code: "5"}
				if me, ok := err.(*mapError); ok {
					sk.Segment, sk.SegmentID, sk.Element = me.seg.Pos, me.seg.ID(), me.elem
					if me.elem > 0 && me.elem < len(me.seg.Elements) {
						sk.Data = printable(me.seg.Elements[me.elem], 40)
					}
					if me.seg.Pos > 0 {
						sk.SetPos = me.seg.Pos - set.Segments[0].Pos + 1
					}
				}
				r.Skipped = append(r.Skipped, sk)
				continue
			}
			r.Sets = append(r.Sets, SetEvents{Group: g.Control, Set: set.Control, Type: set.ID, Events: evs})
		}
	}
	return r
}

// eventID is the id of the n-th event of the set: the same for every
// delivery of the interchange.
func (m *mapper) eventID(n int) string {
	id := fmt.Sprintf("x12:%s:%s:%s:%s", m.ic.SenderID, m.ic.Control, m.g.Control, m.set.Control)
	if n > 0 {
		id += fmt.Sprintf(":%d", n)
	}
	return clean(id)
}

// data is the event's payload: where it came from, for the audit trail.
func (m *mapper) data(extra map[string]any) json.RawMessage {
	d := map[string]any{"format": "x12", "sender": m.ic.SenderID, "receiver": m.ic.ReceiverID,
		"interchange": m.ic.Control, "group": m.g.Control, "set": m.set.Control, "type": m.set.ID}
	for k, v := range extra {
		d[k] = v
	}
	b, _ := json.Marshal(d)
	return b
}

// groupTime is when the group was created (GS04 / GS05).
func (m *mapper) groupTime() time.Time {
	if t, err := DateTime(m.g.Date, m.g.Time, "", m.o.Location); err == nil {
		return t
	}
	if t, err := DateTime(m.ic.Date, m.ic.Time, "", m.o.Location); err == nil {
		return t
	}
	if m.o.Now.IsZero() {
		return time.Now().UTC()
	}
	return m.o.Now.UTC()
}

// when reads a date (elem d), time (elem t, 0: none) and time code (elem
// z, 0: none) of a segment.
func (m *mapper) when(seg Segment, d, t, z int) (time.Time, error) {
	date := seg.Elem(d)
	clock, code := "", ""
	if t > 0 {
		clock = seg.Elem(t)
	}
	if z > 0 {
		code = seg.Elem(z)
	}
	if _, err := ParseDate(date); err != nil {
		return time.Time{}, fail(seg, d, "%s%02d: %v", seg.ID(), d, err)
	}
	if clock != "" {
		if _, _, _, _, err := parseClock(clock); err != nil {
			return time.Time{}, fail(seg, t, "%s%02d: %v", seg.ID(), t, err)
		}
	}
	at, err := DateTime(date, clock, code, m.o.Location)
	if err != nil {
		return time.Time{}, fail(seg, z, "%s%02d: %v", seg.ID(), z, err)
	}
	return at, nil
}

// text returns element i as clean text, or a mapping error.
func text(seg Segment, i int) (string, error) {
	s := seg.Elem(i)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return "", fail(seg, i, "%s%02d contains control characters", seg.ID(), i)
	}
	return s, nil
}

// clean returns s as valid UTF-8 without control characters.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "?")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// Reference qualifiers (element 128) exdesk reads.
var (
	// orderQuals name the seller's order: shipper's order (SO), order
	// number (OQ), customer order (CO), dealer order (ON), vendor order
	// (VN), internal order (IL).
	orderQuals = []string{"SO", "OQ", "CO", "ON", "VN", "IL"}
	// trackingQuals name a carrier's number for the shipment: carrier's
	// reference (PRO, CN), tracking number (2I).
	trackingQuals = []string{"CN", "2I"}
)

// refs collects references by qualifier (the first of each).
type refs map[string]string

func (r refs) add(qual, value string) {
	if qual == "" || value == "" {
		return
	}
	if _, ok := r[qual]; !ok {
		r[qual] = value
	}
}

func (r refs) first(quals []string) string {
	for _, q := range quals {
		if v := r[q]; v != "" {
			return v
		}
	}
	return ""
}

// productID returns the first product id of a segment's qualifier/value
// pairs starting at element from, in the order of preference.
func productID(seg Segment, from int, prefer []string) string {
	found := map[string]string{}
	for i := from; i+1 < len(seg.Elements); i += 2 {
		q, v := seg.Elem(i), seg.Elem(i+1)
		if q != "" && v != "" {
			if _, ok := found[q]; !ok {
				found[q] = v
			}
		}
	}
	for _, q := range prefer {
		if v := found[q]; v != "" {
			return v
		}
	}
	return ""
}

// Product id qualifiers (element 235), in the order exdesk prefers for a
// sku: buyer's part number (ours, on a supplier's document), sku, buyer's
// item number, vendor's part number, UPC.
var skuQuals = []string{"BP", "SK", "IN", "VP", "UP"}

// isInbound reports whether the interchange's 856 describes a supplier's
// shipment to us.
func (m *mapper) isInbound() bool {
	if slices.Contains(m.o.InboundSenders, m.ic.SenderID) || slices.Contains(m.o.InboundSenders, m.g.Sender) {
		return true
	}
	return m.o.Direction == Inbound
}

// deliveryQuals are DTM / ACK date qualifiers (element 374) for when goods
// arrive: estimated delivery (017), current schedule delivery (067),
// promised for delivery (069), delivery requested (002).
var deliveryQuals = []string{"017", "067", "069", "002"}

// shipQuals are those for when goods leave: current schedule ship (068),
// promised for shipment (079), requested ship (010), shipped (011).
var shipQuals = []string{"068", "079", "010", "011"}
