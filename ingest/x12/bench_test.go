package x12_test

import (
	"fmt"
	"testing"

	"github.com/exdesk/exdesk/ingest/x12"
)

// bigInterchange is one interchange of n 214 sets in groups of 1,000.
func bigInterchange(n int) []byte {
	var groups []tgroup
	for g := 0; g*1000 < n; g++ {
		var sets []tset
		for i := g * 1000; i < min(n, (g+1)*1000); i++ {
			body := body214(fmt.Sprintf("SO-%06d", i), fmt.Sprintf("SH-%06d", i), "SD", "AO", "20261126")
			body = append(body, []string{"L11", fmt.Sprintf("PO-%06d", i), "PO"}, []string{"LX", "2"},
				[]string{"AT7", "AG", "NS", "", "", "20261201", "1400", "CT"}, []string{"AT8", "G", "L", "1204", "6"})
			sets = append(sets, tset{"214", fmt.Sprintf("%04d", i%10000+1), body})
		}
		groups = append(groups, tgroup{"QM", fmt.Sprint(g + 1), "004010", sets})
	}
	return []byte(build(std, "000000001", groups...))
}

// BenchmarkParse measures the reader alone (bytes/s; the target is
// ≥ 50 MB/s on one core): go test -bench Parse -cpu 1 ./ingest/x12
func BenchmarkParse(b *testing.B) {
	data := bigInterchange(10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := x12.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseAndMap adds the mapping of 10,000 214s onto events.
func BenchmarkParseAndMap(b *testing.B) {
	data := bigInterchange(10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		ic, err := x12.Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		if r := x12.Map(ic, x12.Options{}); len(r.Events()) != 10000 {
			b.Fatalf("%d events, skipped %v", len(r.Events()), r.Skipped[:1])
		}
	}
}
