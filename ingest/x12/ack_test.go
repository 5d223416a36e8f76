package x12_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/ingest/x12"
)

// segments returns the acknowledgement's segments as "ID*e1*e2" strings
// (element separator '*'), after checking it parses as an interchange.
func ackSegments(t *testing.T, ack []byte) []string {
	t.Helper()
	ic, err := x12.Parse(ack)
	if err != nil {
		t.Fatalf("the acknowledgement is not a valid interchange: %v\n%s", err, ack)
	}
	var out []string
	for _, g := range ic.Groups {
		if g.FunctionalID != "FA" {
			t.Fatalf("GS01 = %s, want FA", g.FunctionalID)
		}
		for _, s := range g.Sets {
			for _, seg := range s.Segments {
				var f []string
				for _, e := range seg.Elements {
					f = append(f, string(e))
				}
				out = append(out, strings.Join(f, "*"))
			}
		}
	}
	return out
}

func TestAck997AcceptsAndRejectsSets(t *testing.T) {
	ic, err := x12.Parse(readFile(t, "855-with-810.x12"))
	if err != nil {
		t.Fatal(err)
	}
	r := x12.Map(ic, x12.Options{})
	var outcomes []x12.SetOutcome
	for _, s := range r.Skipped {
		outcomes = append(outcomes, s.Outcome())
	}
	ack := x12.Ack(ic, x12.AckOptions{Kind: x12.Ack997, Now: time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC), Outcomes: outcomes})
	got := strings.Join(ackSegments(t, ack), "\n")
	want := strings.Join([]string{"ST*997*0001", "AK1*PR*513", "AK2*855*0001", "AK5*A", "AK9*A*1*1*1",
		"AK1*IN*514", "AK2*810*0001", "AK5*R*1", "AK9*R*1*1*0", "SE*10*0001"}, "\n")
	if got != want {
		t.Fatalf("997:\n%s\nwant:\n%s", got, want)
	}
	if !strings.HasPrefix(string(ack), "ISA*00*          *00*          *ZZ*EXDESKDIST     *ZZ*ACMESUPPLY     *261126*1500*U*00401*") {
		t.Fatalf("the acknowledgement does not go back to the sender:\n%s", ack)
	}
}

func TestAck999OfARejectedInterchange(t *testing.T) {
	in := build(seps{"|", "^", "~", "{"}, "000000042", tgroup{"QM", "42", "005010", []tset{
		{"214", "0001", body214("SO-1", "SH-1", "X6", "NS", "20261126")},
		{"214", "0002", body214("SO-2", "SH-2", "SD", "AO", "20261126")}}})
	in = strings.Replace(in, "SE|7|0002", "SE|9|0002", 1)
	ic, err := x12.Parse([]byte(in))
	var se *x12.SyntaxError
	if !errors.As(err, &se) || ic == nil {
		t.Fatalf("Parse = %v, %v", ic, err)
	}
	ack := x12.Ack(ic, x12.AckOptions{Kind: x12.Ack999, Now: time.Now(), Rejected: true, Outcomes: []x12.SetOutcome{x12.OutcomeOf(se)}})
	got := strings.Join(ackSegments(t, ack), "\n")
	want := strings.Join([]string{"ST*999*0001*005010X231A1", "AK1*QM*42*005010", "AK2*214*0001", "IK5*R",
		"AK2*214*0002", "IK5*R*4", "AK9*R*2*2*0", "SE*8*0001"}, "\n")
	if got != want {
		t.Fatalf("999:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(string(ack), "ISA|00|") || !strings.Contains(string(ack), "|{|00501|") {
		t.Fatalf("the acknowledgement must use the interchange's separators:\n%s", ack)
	}
}

func TestAckNamesTheBadSegmentAndElement(t *testing.T) {
	in := build(std, "000000043", tgroup{"QM", "43", "004010", []tset{
		{"214", "0001", [][]string{{"B10", "P", "SH-1", "RDLS"}, {"AT7", "X6", "NS", "", "", "20261356", "1015"}}}}})
	ic, err := x12.Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	r := x12.Map(ic, x12.Options{})
	ack := x12.Ack(ic, x12.AckOptions{Kind: x12.Ack997, Now: time.Now(), Outcomes: []x12.SetOutcome{r.Skipped[0].Outcome()}})
	got := strings.Join(ackSegments(t, ack), "\n")
	if !strings.Contains(got, "AK3*AT7*3**8\nAK4*5**7*20261356\nAK5*R*5\nAK9*R*1*1*0") {
		t.Fatalf("997 does not name AT7-05:\n%s", got)
	}
}

func TestAck999OfA4010Interchange(t *testing.T) {
	ic, err := x12.Parse(readFile(t, "214-delay.x12"))
	if err != nil {
		t.Fatal(err)
	}
	ack := x12.Ack(ic, x12.AckOptions{Kind: x12.Ack999, Now: time.Now()})
	got := strings.Join(ackSegments(t, ack), "\n")
	if !strings.Contains(string(ack), "*^*00501*") || !strings.Contains(got, "AK1*QM*4471*004010\nAK2*214*0001\nIK5*A") {
		t.Fatalf("999 of a 4010 interchange:\n%s", ack)
	}
}
