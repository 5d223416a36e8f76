package sqlite

import (
	"context"
	"strings"
	"testing"

	"github.com/exdesk/exdesk/store"
)

// queryPlan returns SQLite's EXPLAIN QUERY PLAN lines for q.
func queryPlan(t *testing.T, s *Store, q string, args ...any) []string {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestListCasesOfAnOrderUsesItsIndex: every event and every question looks
// up the open case of one order; that must search an index on order_id,
// not read the open cases of the whole day.
func TestListCasesOfAnOrderUsesItsIndex(t *testing.T) {
	s, err := Open(context.Background(), ":memory:", Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	tests := []struct {
		name  string
		f     store.CaseFilter
		index string
	}{
		{"open case of an order", store.CaseFilter{OrderID: "SO-1", OpenOnly: true, Limit: 1}, "cases_one_open_per_order"},
		{"cases of an order", store.CaseFilter{OrderID: "SO-1"}, "cases_order"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, args := listCasesQuery(tc.f)
			plan := strings.Join(queryPlan(t, s, q, args...), "; ")
			if !strings.Contains(plan, "SEARCH cases USING INDEX "+tc.index+" (order_id=?)") {
				t.Errorf("plan of %+v = %q, want a search of %s by order_id", tc.f, plan, tc.index)
			}
		})
	}
}
