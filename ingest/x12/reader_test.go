package x12_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/exdesk/exdesk/ingest/x12"
)

func TestParseTestdata(t *testing.T) {
	tests := []struct {
		file     string
		sep      x12.Separators
		groups   int
		sets     []string // ST01/ST02 per set, in order
		segments int
		version  string
	}{
		{"214-delay.x12", x12.Separators{Element: '*', Component: '>', Segment: '~'}, 1, []string{"214/0001", "214/0002"}, 29, "00401"},
		{"214-pipes-5010.x12", x12.Separators{Element: '|', Component: '^', Segment: '\n', Repetition: '{'}, 2, []string{"214/0001", "214/0001"}, 21, "00501"},
		{"856-outbound.x12", x12.Separators{Element: '*', Component: ':', Segment: '~'}, 1, []string{"856/0310"}, 32, "00401"},
		{"856-inbound.x12", x12.Separators{Element: '*', Component: '>', Segment: '~'}, 1, []string{"856/0001"}, 23, "00401"},
		{"855-with-810.x12", x12.Separators{Element: '*', Component: '>', Segment: '~'}, 2, []string{"855/0001", "810/0001"}, 25, "00401"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ic, err := x12.Parse(readFile(t, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if ic.Sep != tt.sep || len(ic.Groups) != tt.groups || ic.Segments != tt.segments || ic.Version != tt.version {
				t.Fatalf("sep %+v, %d groups, %d segments, version %s", ic.Sep, len(ic.Groups), ic.Segments, ic.Version)
			}
			var sets []string
			for _, g := range ic.Groups {
				for _, s := range g.Sets {
					sets = append(sets, s.ID+"/"+s.Control)
					if !s.Segments[0].IDIs("ST") || !s.Segments[len(s.Segments)-1].IDIs("SE") {
						t.Fatalf("set %s does not run from ST to SE", s.Control)
					}
				}
			}
			if strings.Join(sets, ",") != strings.Join(tt.sets, ",") {
				t.Fatalf("sets %v, want %v", sets, tt.sets)
			}
		})
	}
}

func TestParseLineEndingsAndBOM(t *testing.T) {
	raw := string(readFile(t, "214-delay.x12"))
	for name, in := range map[string]string{
		"CRLF":           strings.ReplaceAll(raw, "\n", "\r\n"),
		"one line":       strings.ReplaceAll(raw, "\n", ""),
		"BOM and spaces": "\xEF\xBB\xBF\n  " + raw + "\n\n",
		"CR terminator":  strings.ReplaceAll(strings.ReplaceAll(raw, "~\n", "\r\n"), ">~", ">\r"),
	} {
		t.Run(name, func(t *testing.T) {
			ic, err := x12.Parse([]byte(in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(ic.Groups[0].Sets) != 2 || ic.Groups[0].Sets[0].Segments[1].Elem(2) != "SH-56971" {
				t.Fatalf("parsed %+v", ic.Groups[0].Sets)
			}
		})
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	good := build(std, "000000001", tgroup{"QM", "1", "004010", []tset{
		{"214", "0001", body214("SO-1", "SH-1", "SD", "AO", "20261126")},
		{"214", "0002", body214("SO-2", "SH-2", "X6", "NS", "20261126")}}})
	// Segments: 1 ISA, 2 GS, 3 ST, 4 B10, 5 L11, 6 LX, 7 AT7, 8 MS1, 9 SE,
	// 10 ST … 16 SE, 17 GE, 18 IEA.
	replace := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("%q not in the interchange", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	tests := []struct {
		name      string
		in        string
		segment   int
		segID     string
		element   int
		problem   string
		setCode   string
		groupCode string
	}{
		{"not an interchange", "hello", 1, "ISA", 0, "must start with an ISA", "", ""},
		{"ISA06 short", replace("SENDER         *", "SENDER*"), 1, "ISA", 6, "ISA06 must be exactly 15 characters", "", ""},
		{"ISA truncated", good[:90], 1, "ISA", 0, "truncated", "", ""},
		{"separators alike", strings.Replace(good, "*P*>~", "*P*~~", 1), 1, "ISA", 0, "separators must differ", "", ""},
		{"ISA13 not digits", replace("000000001*0*P", "00000000X*0*P"), 1, "ISA", 13, "control number", "", ""},
		{"truncated in a set", good[:strings.Index(good, "LX*1~")], 6, "SE", 0, "truncated", "2", ""},
		{"truncated after a set", good[:strings.Index(good, "GE*")], 17, "GE", 0, "truncated", "", "3"},
		{"no IEA", good[:strings.Index(good, "IEA*")], 18, "IEA", 0, "without an IEA", "", ""},
		{"SE01 count", replace("SE*7*0001", "SE*8*0001"), 9, "SE", 1, "SE01 says 8 segments, transaction set 0001 has 7", "4", ""},
		{"SE02 control", replace("SE*7*0002", "SE*7*0003"), 16, "SE", 2, `SE02 "0003" does not match ST02 "0002"`, "3", ""},
		{"GE01 count", replace("GE*2*1", "GE*3*1"), 17, "GE", 1, "GE01 says \"3\" transaction sets", "", "5"},
		{"GE02 control", replace("GE*2*1", "GE*2*9"), 17, "GE", 2, `GE02 "9" does not match GS06 "1"`, "", "4"},
		{"IEA01 count", replace("IEA*1*", "IEA*2*"), 18, "IEA", 1, "IEA01 says \"2\" functional groups", "", ""},
		{"IEA02 control", replace("IEA*1*000000001", "IEA*1*000000002"), 18, "IEA", 2, "does not match ISA13", "", ""},
		{"missing SE", replace("SE*7*0001~\n", ""), 9, "ST", 0, "ST inside transaction set 0001, which has no SE", "2", ""},
		{"bad segment id", replace("LX*1~", "l x*1~"), 6, "l x", 0, "is not a segment id", "5", ""},
		{"empty segment", replace("LX*1~", "~"), 6, "", 0, "empty segment", "5", ""},
		{"segment outside a set", replace("GE*2*1~", "B10*X~\nGE*2*1~"), 17, "B10", 0, "outside a transaction set", "", ""},
		{"duplicate ST02", replace("ST*214*0002", "ST*214*0001"), 10, "ST", 2, "used twice", "23", ""},
		{"GS missing elements", replace("GS*QM*SENDER*EXDESK*20261126*1430*1*X*004010", "GS*QM*SENDER"), 2, "GS", 3, "GS has 2 elements", "", ""},
		{"data after IEA", good + "ISA*00", 19, "", 0, "data after IEA", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := x12.Parse([]byte(tt.in))
			var se *x12.SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, x12.ErrSyntax) {
				t.Fatalf("Parse = %v, want a *SyntaxError", err)
			}
			if se.Segment != tt.segment || se.SegmentID != tt.segID || se.Element != tt.element ||
				!strings.Contains(se.Error(), tt.problem) || se.SetCode != tt.setCode || se.GroupCode != tt.groupCode {
				t.Fatalf("error %q = %+v; want segment %d %q element %d, %q, set code %q, group code %q",
					se, *se, tt.segment, tt.segID, tt.element, tt.problem, tt.setCode, tt.groupCode)
			}
		})
	}
}

func TestSegmentAccessors(t *testing.T) {
	ic, err := x12.Parse(readFile(t, "856-outbound.x12"))
	if err != nil {
		t.Fatal(err)
	}
	var lin x12.Segment
	for _, s := range ic.Groups[0].Sets[0].Segments {
		if s.IDIs("LIN") {
			lin = s
			break
		}
	}
	if lin.ID() != "LIN" || lin.Elem(3) != "SKU-4969" || lin.Elem(99) != "" || lin.Elem(0) != "" {
		t.Fatalf("LIN accessors: %q %q", lin.ID(), lin.Elem(3))
	}
	seg := x12.Segment{Elements: [][]byte{[]byte("C040"), []byte("A:B: C ")}}
	if seg.Component(1, 3, ':') != "C" || seg.Component(1, 4, ':') != "" || seg.Component(2, 1, ':') != "" {
		t.Fatal("Component")
	}
}
