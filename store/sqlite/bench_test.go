package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/exdesk/exdesk/store/sqlite"
	"github.com/exdesk/exdesk/store/storetest"
)

func openBench(b *testing.B) *sqlite.Store {
	b.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

// go test ./store/sqlite -run '^$' -bench CaseWrites
func BenchmarkCaseWrites(b *testing.B) { storetest.BenchCaseWrites(b, openBench(b)) }

// go test ./store/sqlite -run '^$' -bench SimilarCases (EXDESK_BENCH_MEMORIES, default 10000)
func BenchmarkSimilarCases(b *testing.B) {
	storetest.BenchSimilarCases(b, openBench(b), storetest.BenchMemories(b, 10000))
}
