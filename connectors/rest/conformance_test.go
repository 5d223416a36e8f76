package rest_test

import (
	"testing"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/connectortest"
	"github.com/exdesk/exdesk/connectors/rest"
	"github.com/exdesk/exdesk/connectors/sim"
)

// TestConformance runs the connector suite on the REST client over the
// reference server, every exchange validated against the contract.
func TestConformance(t *testing.T) {
	connectortest.Run(t, func(t *testing.T) connectortest.Fixture {
		rec := loadExample(t, "compliance-valid-01.json")
		c, _, _ := serve(t, rec.Systems(), rest.Options{})
		return connectortest.Fixture{
			Systems: connectors.Systems{ERP: c, Inventory: c, Carriers: c, Executor: c, Clock: c},
			Orders:  []string{"SO-10089"},
			Action:  &connectors.Action{ID: "p-1", Type: connectors.ActReleaseHold, OrderID: "SO-10089", Args: connectors.Args{"hold_code": "COMPLIANCE"}},
			Refused: &connectors.Action{ID: "p-2", Type: connectors.ActReleaseHold, OrderID: "SO-10089", Args: connectors.Args{"hold_code": "PRICE"}},
		}
	})
	connectortest.Run(t, func(t *testing.T) connectortest.Fixture {
		rec := slashy()
		c, _, _ := serve(t, rec.Systems(), rest.Options{})
		return connectortest.Fixture{
			Systems: connectors.Systems{ERP: c, Inventory: c, Carriers: c, Executor: c, Clock: c},
			Orders:  []string{"SO/2026/0390"},
			Action:  &connectors.Action{ID: "p/1", Type: connectors.ActReleaseHold, OrderID: "SO/2026/0390", Args: connectors.Args{"hold_code": "CREDIT"}},
		}
	})
	// A simulated day: customers with several orders, some with the same
	// PO number, for the window and PO queries (FindCustomerOrders).
	connectortest.Run(t, func(t *testing.T) connectortest.Fixture {
		s := sim.New(sim.Options{Seed: 3, Orders: 150})
		s.ApplyAll()
		c, _, _ := serve(t, s.Systems(), rest.Options{})
		return connectortest.Fixture{
			Systems: connectors.Systems{ERP: c, Inventory: c, Carriers: c, Executor: c, Clock: c},
			Orders:  s.OrderIDs()[:20],
		}
	})
}
