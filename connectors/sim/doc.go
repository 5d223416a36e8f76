// Package sim is a seeded simulated distributor: the embedded default data
// of `exdesk demo` and `exdesk ask`, with no servers and no keys.
//
// New builds a world (about 300 customers with credit positions, terms,
// preferences and compliance documents; about 400 items of an industrial
// and medical distributor, some hazmat, some regulated, some with
// substitutes; three sites with lanes to five regions; four carriers, two
// of them hazmat certified, with lanes that lack capacity; contracts; stock
// per sku and site with inbound receipts) and one business day of orders
// with the events the ERP, WMS, TMS and EDI gateway send about them.
//
// Each exception class of the DESIGN.md taxonomy is injected into 5-15 % of
// the orders, exactly as its detection signal and the shared definitions
// describe; about 2 % of orders carry two classes; the rest are clean under
// those definitions. Injected tells the ground truth of an order.
//
// Same seed and options give a byte-identical world and event stream
// (math/rand/v2 PCG sources, no map iteration in any output).
//
// The systems are a recorded.Connector that starts with the world and no
// orders. Apply plays one event into it (an order exists only once its
// order_created event has been applied) and moves its clock to the event's
// time:
//
//	s := sim.New(sim.Options{Seed: 7})
//	for _, e := range s.Events() {
//		s.Apply(e)
//		investigate(s.Systems(), e)
//	}
package sim
