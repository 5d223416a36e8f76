package x12_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// seps are the delimiters a test interchange uses.
type seps struct{ elem, comp, seg, rep string }

var std = seps{"*", ">", "~", "U"}

// tset is one transaction set of a test interchange.
type tset struct {
	id, control string
	body        [][]string
}

// tgroup is one functional group.
type tgroup struct {
	fid, control, version string
	sets                  []tset
}

// build writes an interchange with correct counts and control numbers,
// one segment a line.
func build(s seps, control string, groups ...tgroup) string {
	version := "00401"
	if s.rep != "U" {
		version = "00501"
	}
	isa := strings.Join([]string{"ISA", "00", "          ", "00", "          ", "ZZ", "SENDER         ", "ZZ", "EXDESK         ",
		"261126", "1430", s.rep, version, control, "0", "P", s.comp}, s.elem) + s.seg
	if len(isa) != 106 {
		panic(fmt.Sprintf("ISA is %d bytes", len(isa)))
	}
	var b strings.Builder
	b.WriteString(isa + "\n")
	line := func(f ...string) { b.WriteString(strings.Join(f, s.elem) + s.seg + "\n") }
	for _, g := range groups {
		line("GS", g.fid, "SENDER", "EXDESK", "20261126", "1430", g.control, "X", g.version)
		for _, st := range g.sets {
			line("ST", st.id, st.control)
			for _, seg := range st.body {
				line(seg...)
			}
			line("SE", fmt.Sprint(len(st.body)+2), st.control)
		}
		line("GE", fmt.Sprint(len(g.sets)), g.control)
	}
	line("IEA", fmt.Sprint(len(groups)), control)
	return b.String()
}

// body214 is a 214 for an order's shipment with one status.
func body214(order, shipment, code, reason, date string) [][]string {
	return [][]string{{"B10", "PRO-" + shipment, shipment, "RDLS"}, {"L11", order, "SO"},
		{"LX", "1"}, {"AT7", code, reason, "", "", date, "1015", "CT"}, {"MS1", "OMAHA", "NE", "US"}}
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
