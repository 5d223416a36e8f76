package postgres_test

import (
	"testing"

	"github.com/exdesk/exdesk/store/postgres"
	"github.com/exdesk/exdesk/store/storetest"
)

func openBench(b *testing.B) *postgres.Store {
	b.Helper()
	return newSchemas(b).open(b, postgres.Options{MaxConns: 16})
}

// go test ./store/postgres -run '^$' -bench CaseWrites
func BenchmarkCaseWrites(b *testing.B) { storetest.BenchCaseWrites(b, openBench(b)) }

// EXDESK_BENCH_MEMORIES=100000 go test ./store/postgres -run '^$' -bench SimilarCases -timeout 30m
// (default 10000 memories).
func BenchmarkSimilarCases(b *testing.B) {
	storetest.BenchSimilarCases(b, openBench(b), storetest.BenchMemories(b, 10000))
}
