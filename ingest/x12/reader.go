package x12

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// ErrSyntax is wrapped by every *SyntaxError.
var ErrSyntax = errors.New("malformed X12 interchange")

// Codes of the 997 / 999 that a *SyntaxError carries.
const (
	// AK304 / IK304 segment syntax error codes.
	SegUnrecognized  = "1" // unrecognized segment id
	SegUnexpected    = "2" // unexpected segment
	SegMissing       = "3" // mandatory segment missing
	SegElementErrors = "8" // segment has data element errors
	// AK403 / IK403 element syntax error codes.
	ElemMissing     = "1" // mandatory data element missing
	ElemTooShort    = "4"
	ElemTooLong     = "5"
	ElemInvalidChar = "6"
	ElemInvalidCode = "7"
	ElemInvalidDate = "8"
	ElemInvalidTime = "9"
	// AK502 / IK502 transaction set error codes.
	SetTrailerMissing  = "2"
	SetControlMismatch = "3"
	SetCountMismatch   = "4"
	SetSegmentErrors   = "5"
	SetBadControl      = "7"
	SetControlNotUniq  = "23"
	// AK905 functional group error codes.
	GroupTrailerMissing  = "3"
	GroupControlMismatch = "4"
	GroupCountMismatch   = "5"
	GroupBadControl      = "6"
)

// SyntaxError says what is wrong with an interchange and where.
type SyntaxError struct {
	// Segment is the 1-based position of the segment in the interchange,
	// counted from ISA.
	Segment int
	// SegmentID is the segment's id (ISA, GS, ST, B10, …) when known.
	SegmentID string
	// Element is the 1-based element position in the segment; 0 when the
	// segment as a whole is wrong.
	Element int
	// Group and Set are the control numbers (GS06, ST02) of the functional
	// group and transaction set the segment is in, when it is in one;
	// SetPos is its 1-based position in the set.
	Group, Set string
	SetPos     int
	// Problem says what is wrong.
	Problem string
	// Codes for an acknowledgement: the segment (AK304), element (AK403),
	// set (AK502) and group (AK905) error codes, and the bad data.
	SegmentCode, ElementCode, SetCode, GroupCode string
	Data                                         string
}

func (e *SyntaxError) Error() string {
	where := fmt.Sprintf("segment %d", e.Segment)
	if e.SegmentID != "" {
		where += " (" + e.SegmentID
		if e.Element > 0 {
			where += fmt.Sprintf("%02d", e.Element)
		}
		where += ")"
	} else if e.Element > 0 {
		where += fmt.Sprintf(" element %d", e.Element)
	}
	return where + ": " + e.Problem
}

// Unwrap makes errors.Is(err, ErrSyntax) hold.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// Separators are the delimiters an interchange declares in its ISA.
type Separators struct {
	Element, Component, Segment byte
	// Repetition is ISA11 from version 00402 on; 0 when none.
	Repetition byte
}

// Segment is one segment: Elements[0] is its id, Elements[i] element i.
// The slices point into the parsed input.
type Segment struct {
	Elements [][]byte
	// Pos is the 1-based position of the segment in the interchange.
	Pos int
}

// ID returns the segment id.
func (s Segment) ID() string {
	if len(s.Elements) == 0 {
		return ""
	}
	return string(s.Elements[0])
}

// IDIs reports whether the segment id is id, without allocating.
func (s Segment) IDIs(id string) bool { return len(s.Elements) > 0 && string(s.Elements[0]) == id }

// Elem returns element i (1-based) with surrounding spaces trimmed, or ""
// when the segment has fewer elements.
func (s Segment) Elem(i int) string {
	if i <= 0 || i >= len(s.Elements) {
		return ""
	}
	return string(bytes.TrimSpace(s.Elements[i]))
}

// Component returns component j (1-based) of element i, split on sep.
func (s Segment) Component(i, j int, sep byte) string {
	if i <= 0 || i >= len(s.Elements) {
		return ""
	}
	parts := bytes.Split(s.Elements[i], []byte{sep})
	if j <= 0 || j > len(parts) {
		return ""
	}
	return string(bytes.TrimSpace(parts[j-1]))
}

// Interchange is one ISA … IEA envelope.
type Interchange struct {
	Sep Separators
	ISA Segment
	// SenderQual, SenderID, ReceiverQual, ReceiverID: ISA05–ISA08, trimmed.
	SenderQual, SenderID, ReceiverQual, ReceiverID string
	// Date, Time: ISA09 (YYMMDD), ISA10 (HHMM).
	Date, Time string
	// Version is ISA12 (00401, 00501, …), Control ISA13, Usage ISA15 (P, T).
	Version, Control, Usage string
	Groups                  []Group
	// Segments is the number of segments, ISA and IEA included.
	Segments int
}

// Group is one GS … GE functional group.
type Group struct {
	GS Segment
	// FunctionalID (GS01: QM, SH, PR, FA…), Sender (GS02), Receiver (GS03),
	// Date (GS04), Time (GS05), Control (GS06), Version (GS08).
	FunctionalID, Sender, Receiver, Date, Time, Control, Version string
	Sets                                                         []Set
}

// Set is one ST … SE transaction set.
type Set struct {
	// ID is ST01 (214, 856, 855…), Control ST02, ImplRef ST03 (5010).
	ID, Control, ImplRef string
	// Segments are ST … SE, both included.
	Segments []Segment
}

// isaWidths are the fixed widths of ISA01 … ISA16.
var isaWidths = [16]int{2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func validDate(s string) bool {
	_, err := ParseDate(s)
	return err == nil
}

func validClock(s string) bool {
	_, _, _, _, err := parseClock(s)
	return err == nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// Parse reads one interchange. Leading and trailing white space (and a
// UTF-8 byte-order mark) are ignored; anything else outside ISA … IEA, any
// envelope violation, or a segment that does not end is a *SyntaxError.
// With a *SyntaxError after a readable ISA, the returned Interchange holds
// what was read up to the error (the set in error included, unfinished),
// so that a rejection can still be acknowledged; it is nil otherwise.
func Parse(data []byte) (*Interchange, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	start := 0
	for start < len(data) && isSpace(data[start]) {
		start++
	}
	data = data[start:]
	ic := &Interchange{}
	isaEnd, err := parseISA(data, ic)
	if err != nil {
		return nil, err
	}
	p := &parser{data: data, sep: ic.Sep, ic: ic}
	// Size the element and segment arrays once: every element is followed
	// by a separator or a terminator, so the counts bound them.
	nseg := bytes.Count(data, []byte{ic.Sep.Segment}) + 1
	p.elems = make([][]byte, 0, bytes.Count(data, []byte{ic.Sep.Element})+nseg)
	p.segs = make([]Segment, 0, nseg)
	p.segs = append(p.segs, ic.ISA)
	return ic, p.run(isaEnd)
}

// OutcomeOf returns how a syntax error rejects its transaction set.
func OutcomeOf(e *SyntaxError) SetOutcome {
	o := SetOutcome{Group: e.Group, Set: e.Set, Rejected: true, Code: e.SetCode}
	if e.Set != "" && e.SetPos > 0 && e.SegmentID != "SE" && e.SegmentID != "ST" {
		o.SegmentID, o.SetPos, o.Element = e.SegmentID, e.SetPos, e.Element
		o.SegmentCode, o.ElementCode, o.Data = e.SegmentCode, e.ElementCode, e.Data
		if o.Code == "" {
			o.Code = SetSegmentErrors
		}
	}
	return o
}

// parseISA reads the fixed-width ISA and the separators it declares; it
// returns the offset after the ISA's terminator.
func parseISA(data []byte, ic *Interchange) (int, error) {
	fail := func(elem int, code, problem string) (int, error) {
		return 0, &SyntaxError{Segment: 1, SegmentID: "ISA", Element: elem, Problem: problem, ElementCode: code}
	}
	if len(data) < 3 || string(data[:3]) != "ISA" {
		return fail(0, "", "an interchange must start with an ISA segment")
	}
	if len(data) < 106 {
		return fail(0, "", fmt.Sprintf("the ISA segment is 106 bytes, the interchange has %d: truncated", len(data)))
	}
	es := data[3]
	if isAlnum(es) || es == ' ' {
		return fail(0, ElemInvalidChar, fmt.Sprintf("element separator %q (the byte after ISA) must not be a letter, digit or space", es))
	}
	elems := make([][]byte, 17)
	elems[0] = data[:3]
	pos := 4
	for i, w := range isaWidths {
		end := pos + w
		if i < 15 {
			if end >= len(data) || data[end] != es {
				// Find the real end to say how long the element is.
				n := bytes.IndexByte(data[pos:min(len(data), pos+40)], es)
				got := "not terminated"
				if n >= 0 {
					got = fmt.Sprintf("%d", n)
				}
				code := ElemTooLong
				if n >= 0 && n < w {
					code = ElemTooShort
				}
				return fail(i+1, code, fmt.Sprintf("ISA%02d must be exactly %d characters (pad with spaces), got %s", i+1, w, got))
			}
		}
		elems[i+1] = data[pos:end]
		pos = end + 1
	}
	// ISA16 is data[104]; the segment terminator follows it.
	cs, st := data[104], data[105]
	sep := Separators{Element: es, Component: cs, Segment: st}
	switch {
	case isAlnum(cs) || cs == ' ':
		return fail(16, ElemInvalidChar, fmt.Sprintf("component separator %q (ISA16) must not be a letter, digit or space", cs))
	case isAlnum(st) || st == ' ':
		return fail(0, "", fmt.Sprintf("segment terminator %q (the byte after ISA16) must not be a letter, digit or space", st))
	case cs == es || st == es || st == cs:
		return fail(0, "", fmt.Sprintf("separators must differ: element %q, component %q, segment %q", es, cs, st))
	}
	if r := data[82]; !isAlnum(r) && r != ' ' && r != es && r != cs && r != st {
		sep.Repetition = r // ISA11 in 00402 and later
	}
	ic.Sep = sep
	ic.ISA = Segment{Elements: elems, Pos: 1}
	ic.SenderQual, ic.SenderID = ic.ISA.Elem(5), ic.ISA.Elem(6)
	ic.ReceiverQual, ic.ReceiverID = ic.ISA.Elem(7), ic.ISA.Elem(8)
	ic.Date, ic.Time, ic.Version, ic.Control, ic.Usage = ic.ISA.Elem(9), ic.ISA.Elem(10), ic.ISA.Elem(12), ic.ISA.Elem(13), ic.ISA.Elem(15)
	switch {
	case len(ic.Date) != 6 || !validDate(ic.Date):
		return fail(9, ElemInvalidDate, fmt.Sprintf("ISA09 %q is not a date YYMMDD", ic.Date))
	case len(ic.Time) != 4 || !validClock(ic.Time):
		return fail(10, ElemInvalidTime, fmt.Sprintf("ISA10 %q is not a time HHMM", ic.Time))
	case !isDigits(ic.Version):
		return fail(12, ElemInvalidCode, fmt.Sprintf("ISA12 %q is not a version number such as 00401", ic.Version))
	case !isDigits(ic.Control):
		return fail(13, ElemInvalidChar, fmt.Sprintf("ISA13 %q: the interchange control number must be 9 digits", ic.Control))
	}
	return 106, nil
}

type parser struct {
	data  []byte
	sep   Separators
	ic    *Interchange
	elems [][]byte
	segs  []Segment
}

// next reads the segment starting at off; it returns the segment and the
// offset after its terminator (and any line break after it).
func (p *parser) next(off, pos int) (Segment, int, error) {
	end := bytes.IndexByte(p.data[off:], p.sep.Segment)
	if end < 0 {
		raw := bytes.TrimSpace(p.data[off:])
		id := raw
		if i := bytes.IndexByte(raw, p.sep.Element); i >= 0 {
			id = raw[:i]
		}
		return Segment{}, 0, &SyntaxError{Segment: pos, SegmentID: printable(id, 3),
			Problem: fmt.Sprintf("segment not terminated by %q: the interchange is truncated", p.sep.Segment)}
	}
	raw := p.data[off : off+end]
	if p.sep.Segment == '\n' && len(raw) > 0 && raw[len(raw)-1] == '\r' {
		raw = raw[:len(raw)-1] // CRLF line endings with a newline terminator
	}
	next := p.skipBreaks(off + end + 1)
	first := len(p.elems)
	for {
		i := bytes.IndexByte(raw, p.sep.Element)
		if i < 0 {
			p.elems = append(p.elems, raw)
			break
		}
		p.elems = append(p.elems, raw[:i])
		raw = raw[i+1:]
	}
	seg := Segment{Elements: p.elems[first:len(p.elems):len(p.elems)], Pos: pos}
	id := seg.Elements[0]
	if len(id) < 2 || len(id) > 3 || !isAlnum(id[0]) || !isAlnum(id[1]) || len(id) == 3 && !isAlnum(id[2]) {
		problem := fmt.Sprintf("%q is not a segment id", printable(id, 12))
		if len(bytes.TrimSpace(id)) == 0 && len(seg.Elements) == 1 {
			problem = "empty segment"
		}
		return seg, next, &SyntaxError{Segment: pos, SegmentID: printable(id, 3), Problem: problem, SegmentCode: SegUnrecognized}
	}
	return seg, next, nil
}

// printable returns at most n bytes of b with non-printable bytes as '?'.
func printable(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		out[i] = c
	}
	return string(out)
}

// skipBreaks skips the line breaks after a segment terminator (a newline
// after a CR terminator; any CR or LF after another terminator).
func (p *parser) skipBreaks(off int) int {
	switch p.sep.Segment {
	case '\n':
	case '\r':
		if off < len(p.data) && p.data[off] == '\n' {
			off++
		}
	default:
		for off < len(p.data) && (p.data[off] == '\r' || p.data[off] == '\n') {
			off++
		}
	}
	return off
}

func (p *parser) run(off int) (err error) {
	off = p.skipBreaks(off)
	ic := p.ic
	pos := 1
	var (
		group    *Group
		setStart = -1 // index in p.segs of the open set's ST
		setIDs   map[string]bool
	)
	defer func() {
		if err != nil && group != nil && setStart >= 0 {
			st := p.segs[setStart]
			group.Sets = append(group.Sets, Set{ID: st.Elem(1), Control: st.Elem(2), ImplRef: st.Elem(3), Segments: p.segs[setStart:]})
		}
	}()
	errAt := func(seg Segment, elem int, problem string) *SyntaxError {
		e := &SyntaxError{Segment: seg.Pos, SegmentID: seg.ID(), Element: elem, Problem: problem}
		if group != nil {
			e.Group = group.Control
		}
		if setStart >= 0 {
			e.Set = p.segs[setStart].Elem(2)
			e.SetPos = seg.Pos - p.segs[setStart].Pos + 1
		}
		if elem > 0 && elem < len(seg.Elements) {
			e.Data = printable(seg.Elements[elem], 40)
		}
		return e
	}
	for {
		if off >= len(p.data) || len(bytes.TrimSpace(p.data[off:])) == 0 {
			e := &SyntaxError{Segment: pos + 1, Problem: "the interchange ends without an IEA: truncated"}
			switch {
			case setStart >= 0:
				e.SegmentID, e.Problem, e.SetCode = "SE", "transaction set "+p.segs[setStart].Elem(2)+" has no SE: the interchange is truncated", SetTrailerMissing
				e.Group, e.Set = group.Control, p.segs[setStart].Elem(2)
			case group != nil:
				e.SegmentID, e.Problem, e.GroupCode = "GE", "functional group "+group.Control+" has no GE: the interchange is truncated", GroupTrailerMissing
				e.Group = group.Control
			default:
				e.SegmentID = "IEA"
			}
			return e
		}
		pos++
		seg, next, nerr := p.next(off, pos)
		if err = nerr; err != nil {
			var se *SyntaxError
			if errors.As(err, &se) && seg.Elements != nil {
				if group != nil {
					se.Group = group.Control
				}
				if setStart >= 0 {
					se.Set, se.SetPos, se.SetCode = p.segs[setStart].Elem(2), pos-p.segs[setStart].Pos+1, SetSegmentErrors
				}
			}
			return err
		}
		off = next
		p.segs = append(p.segs, seg)
		id := seg.Elements[0]
		inSet := setStart >= 0
		switch {
		case inSet && string(id) == "SE":
			st := p.segs[setStart]
			count, control := seg.Elem(1), seg.Elem(2)
			n := seg.Pos - st.Pos + 1
			if !isDigits(count) {
				e := errAt(seg, 1, fmt.Sprintf("SE01 %q must be the number of segments in the set (%d)", count, n))
				e.SetCode, e.ElementCode = SetCountMismatch, ElemInvalidChar
				return e
			}
			if c, _ := strconv.Atoi(count); c != n {
				e := errAt(seg, 1, fmt.Sprintf("SE01 says %s segments, transaction set %s has %d (ST to SE)", count, st.Elem(2), n))
				e.SetCode = SetCountMismatch
				return e
			}
			if control != st.Elem(2) {
				e := errAt(seg, 2, fmt.Sprintf("SE02 %q does not match ST02 %q", control, st.Elem(2)))
				e.SetCode = SetControlMismatch
				return e
			}
			group.Sets = append(group.Sets, Set{ID: st.Elem(1), Control: st.Elem(2), ImplRef: st.Elem(3),
				Segments: p.segs[setStart:len(p.segs):len(p.segs)]})
			setStart = -1
		case inSet && (string(id) == "ST" || string(id) == "GE" || string(id) == "GS" || string(id) == "IEA" || string(id) == "ISA"):
			e := errAt(seg, 0, fmt.Sprintf("%s inside transaction set %s, which has no SE", id, p.segs[setStart].Elem(2)))
			e.SetCode, e.SegmentCode = SetTrailerMissing, SegUnexpected
			return e
		case inSet:
			// A segment of the set's body.
		case string(id) == "ST":
			if group == nil {
				e := errAt(seg, 0, "ST outside a functional group (no GS before it)")
				e.SegmentCode = SegUnexpected
				return e
			}
			setStart = len(p.segs) - 1
			if len(seg.Elem(1)) != 3 || !isDigits(seg.Elem(1)) {
				e := errAt(seg, 1, fmt.Sprintf("ST01 %q is not a transaction set id such as 214", seg.Elem(1)))
				e.SetCode, e.ElementCode = "6", ElemInvalidCode
				return e
			}
			c := seg.Elem(2)
			if len(c) < 4 || len(c) > 9 {
				e := errAt(seg, 2, fmt.Sprintf("ST02 %q must be a control number of 4 to 9 characters", c))
				e.SetCode, e.ElementCode = SetBadControl, ElemTooShort
				if len(c) > 9 {
					e.ElementCode = ElemTooLong
				}
				return e
			}
			if setIDs[c] {
				e := errAt(seg, 2, fmt.Sprintf("ST02 %q is used twice in functional group %s", c, group.Control))
				e.SetCode = SetControlNotUniq
				return e
			}
			setIDs[c] = true
		case string(id) == "GS":
			if group != nil {
				e := errAt(seg, 0, "GS inside functional group "+group.Control+", which has no GE")
				e.GroupCode, e.SegmentCode = GroupTrailerMissing, SegUnexpected
				return e
			}
			if len(seg.Elements) < 9 {
				e := errAt(seg, len(seg.Elements), fmt.Sprintf("GS has %d elements; GS01 to GS08 are required", len(seg.Elements)-1))
				e.ElementCode = ElemMissing
				return e
			}
			for i := 1; i <= 8; i++ {
				if seg.Elem(i) == "" {
					e := errAt(seg, i, fmt.Sprintf("GS%02d is required", i))
					e.ElementCode = ElemMissing
					return e
				}
			}
			if d := seg.Elem(4); len(d) != 8 || !validDate(d) {
				e := errAt(seg, 4, fmt.Sprintf("GS04 %q is not a date CCYYMMDD", d))
				e.ElementCode = ElemInvalidDate
				return e
			}
			if c := seg.Elem(5); !validClock(c) {
				e := errAt(seg, 5, fmt.Sprintf("GS05 %q is not a time HHMM", c))
				e.ElementCode = ElemInvalidTime
				return e
			}
			if c := seg.Elem(6); !isDigits(c) || len(c) > 9 {
				e := errAt(seg, 6, fmt.Sprintf("GS06 %q: the group control number must be 1 to 9 digits", c))
				e.GroupCode, e.ElementCode = GroupBadControl, ElemInvalidChar
				return e
			}
			ic.Groups = append(ic.Groups, Group{GS: seg, FunctionalID: seg.Elem(1), Sender: seg.Elem(2), Receiver: seg.Elem(3),
				Date: seg.Elem(4), Time: seg.Elem(5), Control: seg.Elem(6), Version: seg.Elem(8)})
			group = &ic.Groups[len(ic.Groups)-1]
			setIDs = map[string]bool{}
		case string(id) == "GE":
			if group == nil {
				e := errAt(seg, 0, "GE without a GS")
				e.SegmentCode = SegUnexpected
				return e
			}
			count, control := seg.Elem(1), seg.Elem(2)
			if c, err := strconv.Atoi(count); err != nil || c != len(group.Sets) {
				e := errAt(seg, 1, fmt.Sprintf("GE01 says %q transaction sets, functional group %s has %d", count, group.Control, len(group.Sets)))
				e.GroupCode = GroupCountMismatch
				return e
			}
			if control != group.Control {
				e := errAt(seg, 2, fmt.Sprintf("GE02 %q does not match GS06 %q", control, group.Control))
				e.GroupCode = GroupControlMismatch
				return e
			}
			group = nil
		case string(id) == "IEA":
			if group != nil {
				e := errAt(seg, 0, "IEA inside functional group "+group.Control+", which has no GE")
				e.GroupCode, e.SegmentCode = GroupTrailerMissing, SegUnexpected
				return e
			}
			if c, err := strconv.Atoi(seg.Elem(1)); err != nil || c != len(ic.Groups) {
				return errAt(seg, 1, fmt.Sprintf("IEA01 says %q functional groups, the interchange has %d", seg.Elem(1), len(ic.Groups)))
			}
			if seg.Elem(2) != ic.Control {
				return errAt(seg, 2, fmt.Sprintf("IEA02 %q does not match ISA13 %q", seg.Elem(2), ic.Control))
			}
			ic.Segments = pos
			if rest := bytes.TrimSpace(p.data[off:]); len(rest) > 0 {
				return &SyntaxError{Segment: pos + 1, Problem: "data after IEA: one interchange per request"}
			}
			return nil
		case string(id) == "ISA":
			return errAt(seg, 0, "ISA inside an interchange: one interchange per request")
		default:
			e := errAt(seg, 0, fmt.Sprintf("%s outside a transaction set (segments belong between ST and SE)", id))
			e.SegmentCode = SegUnexpected
			return e
		}
	}
}
