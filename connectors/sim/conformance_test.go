package sim_test

import (
	"context"
	"testing"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/connectortest"
	"github.com/exdesk/exdesk/connectors/sim"
)

func TestConformance(t *testing.T) {
	connectortest.Run(t, func(t *testing.T) connectortest.Fixture {
		s := sim.New(sim.Options{Seed: 3, Orders: 150})
		s.ApplyAll()
		f := connectortest.Fixture{Systems: s.Systems(), Orders: s.OrderIDs()[:10]}
		for _, id := range s.OrderIDs() {
			o, err := s.Systems().ERP.Order(context.Background(), id)
			if err != nil || len(o.Holds) == 0 || o.Status == connectors.StatusCancelled {
				continue
			}
			f.Orders = append(f.Orders, id)
			f.Action = &connectors.Action{ID: "conf-1", Type: connectors.ActReleaseHold, OrderID: id, Args: connectors.Args{"hold_code": o.Holds[0].Code}}
			f.Refused = &connectors.Action{ID: "conf-2", Type: connectors.ActCorrectPrice, OrderID: id, Args: connectors.Args{"line": 999, "price": 1.0}}
			break
		}
		if f.Action == nil {
			t.Fatal("the simulated day has no order on hold")
		}
		return f
	})
}
