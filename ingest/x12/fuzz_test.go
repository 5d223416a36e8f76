package x12_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/exdesk/exdesk/ingest/x12"
)

// FuzzParse feeds the reader arbitrary bytes: it must never panic, every
// error must be a *SyntaxError naming a segment, and an interchange it
// accepts must map without panicking and be acknowledged with a 997 that
// it accepts in turn.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.x12")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(build(seps{"|", "^", "\n", "{"}, "000000001", tgroup{"QM", "1", "005010", []tset{
		{"214", "0001", body214("SO-1", "SH-1", "SD", "AO", "20261126")}}})))
	f.Add([]byte("ISA*"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ic, err := x12.Parse(data)
		if err != nil {
			var se *x12.SyntaxError
			if !errors.As(err, &se) || se.Segment < 1 || se.Error() == "" {
				t.Fatalf("error %v is not a *SyntaxError with a segment", err)
			}
			if ic != nil {
				_ = x12.Ack(ic, x12.AckOptions{Kind: x12.Ack999, Now: time.Unix(0, 0), Rejected: true, Outcomes: []x12.SetOutcome{x12.OutcomeOf(se)}})
			}
			return
		}
		for _, dir := range []string{x12.Outbound, x12.Inbound} {
			r := x12.Map(ic, x12.Options{Direction: dir})
			for _, e := range r.Events() {
				if e.ID == "" || e.At.IsZero() {
					t.Fatalf("mapped event without id or time: %+v", e)
				}
			}
		}
		ack := x12.Ack(ic, x12.AckOptions{Kind: x12.Ack997, Now: time.Unix(0, 0)})
		if _, err := x12.Parse(ack); err != nil {
			t.Fatalf("the 997 of an accepted interchange does not parse: %v\n%s", err, ack)
		}
	})
}
