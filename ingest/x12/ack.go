package x12

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// Acknowledgement kinds.
const (
	Ack997 = "997" // Functional Acknowledgment (004010 and earlier style)
	Ack999 = "999" // Implementation Acknowledgment (005010X231A1)
)

// SetOutcome is how one transaction set is acknowledged.
type SetOutcome struct {
	Group, Set string // GS06, ST02
	Rejected   bool
	// Code is the AK502 / IK502 error code of a rejected set.
	Code string
	// The segment in error, when known: its id, position in the set, the
	// element position and the AK3/AK4 codes and data.
	SegmentID   string
	SetPos      int
	Element     int
	SegmentCode string
	ElementCode string
	Data        string
}

// AckOptions are what an acknowledgement needs beyond the interchange.
type AckOptions struct {
	// Kind is Ack997 or Ack999.
	Kind string
	// Now stamps the acknowledgement's envelope.
	Now time.Time
	// Outcomes says which sets are rejected and why; a set not listed is
	// accepted.
	Outcomes []SetOutcome
	// Rejected, when set, rejects every group (the interchange was
	// rejected whole); GroupCode is then the AK905 code of the group Err
	// names (GroupOf), if any.
	Rejected  bool
	GroupOf   string
	GroupCode string
}

// Ack writes the functional acknowledgement of ic: one interchange from
// ic's receiver back to its sender with the same separators, one FA group,
// one 997 (or 999) acknowledging every functional group and set of ic.
// The acknowledgement's control numbers are ic's.
func Ack(ic *Interchange, o AckOptions) []byte {
	sep := ic.Sep
	e, t := string(sep.Element), string(sep.Segment)
	var b bytes.Buffer
	seg := func(fields ...string) {
		for i, f := range fields {
			if i > 0 {
				b.WriteString(e)
			}
			b.WriteString(f)
		}
		b.WriteString(t)
		if sep.Segment != '\n' {
			b.WriteByte('\n')
		}
	}
	pad := func(s string, n int) string {
		if len(s) > n {
			return s[:n]
		}
		return s + string(bytes.Repeat([]byte{' '}, n-len(s)))
	}
	now := o.Now.UTC()
	version := ic.Version
	rep := "U"
	if sep.Repetition != 0 {
		rep = string(sep.Repetition)
	}
	if o.Kind == Ack999 && version < "00501" {
		// A 999 is a 005010 transaction set: its envelope is 00501, whose
		// ISA11 is a repetition separator.
		version = "00501"
		if sep.Repetition == 0 {
			for _, c := range []byte("^{!|`") {
				if c != sep.Element && c != sep.Component && c != sep.Segment {
					rep = string(c)
					break
				}
			}
		}
	}
	seg("ISA", pad(ic.ISA.Elem(1), 2), pad(string(ic.ISA.Elements[2]), 10), pad(ic.ISA.Elem(3), 2), pad(string(ic.ISA.Elements[4]), 10),
		pad(ic.ReceiverQual, 2), pad(ic.ReceiverID, 15), pad(ic.SenderQual, 2), pad(ic.SenderID, 15),
		now.Format("060102"), now.Format("1504"), rep, pad(version, 5), ic.Control, "0", pad(ic.Usage, 1), string(sep.Component))
	gsVersion := "004010"
	stFields := []string{"ST", o.Kind, "0001"}
	if o.Kind == Ack999 {
		gsVersion = "005010X231A1"
		stFields = append(stFields, gsVersion)
	}
	sender, receiver := ic.ReceiverID, ic.SenderID
	if len(ic.Groups) > 0 {
		sender, receiver = ic.Groups[0].Receiver, ic.Groups[0].Sender
	}
	seg("GS", "FA", sender, receiver, now.Format("20060102"), now.Format("1504"), ic.Control[max(0, len(ic.Control)-9):], "X", gsVersion)
	n := 0
	body := func(fields ...string) { n++; seg(fields...) }
	body(stFields...)
	outcome := map[string]SetOutcome{}
	for _, so := range o.Outcomes {
		outcome[so.Group+"\x00"+so.Set] = so
	}
	for _, g := range ic.Groups {
		if o.Kind == Ack999 {
			body("AK1", g.FunctionalID, g.Control, g.Version)
		} else {
			body("AK1", g.FunctionalID, g.Control)
		}
		accepted := 0
		for _, s := range g.Sets {
			so, bad := outcome[g.Control+"\x00"+s.Control]
			rejected := o.Rejected || bad && so.Rejected
			if o.Kind == Ack999 {
				body("AK2", s.ID, s.Control, s.ImplRef)
			} else {
				body("AK2", s.ID, s.Control)
			}
			if bad && so.SegmentID != "" {
				loop := ""
				if o.Kind == Ack999 {
					body("IK3", so.SegmentID, strconv.Itoa(so.SetPos), loop, orDefault(so.SegmentCode, SegElementErrors))
					if so.Element > 0 {
						body("IK4", strconv.Itoa(so.Element), "", orDefault(so.ElementCode, ElemInvalidCode), so.Data)
					}
				} else {
					body("AK3", so.SegmentID, strconv.Itoa(so.SetPos), loop, orDefault(so.SegmentCode, SegElementErrors))
					if so.Element > 0 {
						body("AK4", strconv.Itoa(so.Element), "", orDefault(so.ElementCode, ElemInvalidCode), so.Data)
					}
				}
			}
			status := "A"
			var codes []string
			if rejected {
				status = "R"
				if bad && so.Code != "" {
					codes = append(codes, so.Code)
				}
			} else {
				accepted++
			}
			k := "AK5"
			if o.Kind == Ack999 {
				k = "IK5"
			}
			body(append([]string{k, status}, codes...)...)
		}
		status := "A"
		switch {
		case accepted == 0 && len(g.Sets) > 0 || o.Rejected:
			status = "R"
		case accepted < len(g.Sets):
			status = "P"
		}
		ak9 := []string{"AK9", status, strconv.Itoa(len(g.Sets)), strconv.Itoa(len(g.Sets)), strconv.Itoa(accepted)}
		if o.Rejected && o.GroupCode != "" && o.GroupOf == g.Control {
			ak9 = append(ak9, o.GroupCode)
		}
		body(ak9...)
	}
	n++
	seg("SE", strconv.Itoa(n), "0001")
	seg("GE", "1", ic.Control[max(0, len(ic.Control)-9):])
	seg("IEA", "1", ic.Control)
	return trimTrailingFields(b.Bytes(), sep)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// trimTrailingFields removes empty trailing elements ("AK3*N1*3**8" keeps
// its inner empty element, "AK4*2**7*" loses the last separator), as X12
// asks.
func trimTrailingFields(b []byte, sep Separators) []byte {
	var out bytes.Buffer
	for len(b) > 0 {
		i := bytes.IndexByte(b, sep.Segment)
		if i < 0 {
			out.Write(b)
			break
		}
		s := b[:i]
		if !bytes.HasPrefix(s, []byte("ISA")) {
			s = bytes.TrimRight(s, string(sep.Element))
		}
		out.Write(s)
		out.WriteByte(sep.Segment)
		b = b[i+1:]
	}
	return out.Bytes()
}

// String renders an outcome for logs.
func (s SetOutcome) String() string {
	return fmt.Sprintf("set %s/%s rejected=%v code=%s", s.Group, s.Set, s.Rejected, s.Code)
}
