package recorded_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/connectortest"
	"github.com/exdesk/exdesk/connectors/recorded"
)

func example(t *testing.T) *recorded.Connector {
	t.Helper()
	c, err := recorded.Load("../../../shared/evals/examples/compliance-valid-01.json")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	return c
}

func TestExecuteAppliesOnceAndRecords(t *testing.T) {
	c := example(t)
	ctx := context.Background()
	a := connectors.Action{ID: "p-1", Type: connectors.ActReleaseHold, OrderID: "SO-10089", Args: connectors.Args{"hold_code": "COMPLIANCE"}}
	first, err := c.Execute(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Execute(ctx, a)
	if err != nil || !again.Replayed || again.Detail != first.Detail {
		t.Fatalf("second execution must replay the first: %+v, %v", again, err)
	}
	o, _ := c.Order(ctx, "SO-10089")
	if o.HasHold(connectors.HoldCompliance) || o.Status != connectors.StatusOpen {
		t.Fatalf("hold not released: %+v", o)
	}
	if n := len(c.Executions()); n != 1 {
		t.Fatalf("executions = %d, want 1", n)
	}
}

func TestExecuteRejectsWhatDoesNotFit(t *testing.T) {
	c := example(t)
	ctx := context.Background()
	tests := []struct {
		name string
		a    connectors.Action
	}{
		{"hold it does not have", connectors.Action{Type: "release_hold", OrderID: "SO-10089", Args: connectors.Args{"hold_code": "PRICE"}}},
		{"line it does not have", connectors.Action{Type: "correct_price", OrderID: "SO-10089", Args: connectors.Args{"line": 9, "price": 1.0}}},
		{"unknown site", connectors.Action{Type: "allocate_from_site", OrderID: "SO-10089", Args: connectors.Args{"site": "DC-XXX", "lines": []int{1}}}},
		{"bad args", connectors.Action{Type: "release_hold", OrderID: "SO-10089"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Execute(ctx, tt.a); !errors.Is(err, recorded.ErrInvalidAction) {
				t.Fatalf("want ErrInvalidAction, got %v", err)
			}
		})
	}
	if _, err := c.Execute(ctx, connectors.Action{Type: "partial_ship", OrderID: "SO-1"}); !errors.Is(err, connectors.ErrNotFound) {
		t.Fatalf("unknown order: want ErrNotFound, got %v", err)
	}
	if n := len(c.Executions()); n != 0 {
		t.Fatalf("nothing may be recorded, got %d", n)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := recorded.Load(dir); err == nil {
		t.Fatal("an empty directory must be an error")
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"snapshot": {"orders": [`), 0o644)
	if _, err := recorded.Load(bad); err == nil {
		t.Fatal("a truncated file must be an error")
	}
	if _, err := recorded.Load(filepath.Join(dir, "missing.json")); err == nil {
		t.Fatal("a missing file must be an error")
	}
}

func TestReadsAreCopies(t *testing.T) {
	c := example(t)
	ctx := context.Background()
	o, _ := c.Order(ctx, "SO-10089")
	o.Lines[0].Qty = 999
	again, _ := c.Order(ctx, "SO-10089")
	if again.Lines[0].Qty == 999 {
		t.Fatal("callers must not be able to mutate the connector's state")
	}
}

func TestConformance(t *testing.T) {
	connectortest.Run(t, func(t *testing.T) connectortest.Fixture {
		c := example(t)
		return connectortest.Fixture{
			Systems: c.Systems(),
			Orders:  []string{"SO-10089"},
			Action:  &connectors.Action{ID: "p-1", Type: connectors.ActReleaseHold, OrderID: "SO-10089", Args: connectors.Args{"hold_code": "COMPLIANCE"}},
			Refused: &connectors.Action{ID: "p-2", Type: connectors.ActReleaseHold, OrderID: "SO-10089", Args: connectors.Args{"hold_code": "PRICE"}},
		}
	})
}
