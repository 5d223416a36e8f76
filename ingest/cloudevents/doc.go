// Package cloudevents reads CloudEvents 1.0 from HTTP requests and maps
// the types exdesk understands onto its events.
//
// The flow:
//
//	Read(header, body)   structured (application/cloudevents+json),
//	                     batch (application/cloudevents-batch+json) or
//	                     binary (ce-* headers, the body is the data)
//	                     → []Event, or Problems naming the event and attribute
//	Map(event, options)  → a connectors.Event, or ignored (unknown type) with the reason
//
// It is a small reader of its own rather than
// github.com/cloudevents/sdk-go/v2: exdesk only receives events over HTTP,
// validates a whole batch before queuing any of it and must name each bad
// attribute; the SDK's protocol bindings, client and its dependencies
// (zap, json-iterator, bytebufferpool among them) bring nothing the reader
// needs, and the JSON and HTTP bindings are short specifications. Sizes
// are bounded and every parse is fuzzed (FuzzRead).
//
// # Types
//
// exdesk's own event types (subject = the order id, or data.order_id; the
// data object may carry "shipment" or "inbound" state exactly as the
// exdesk event JSON does; the optional extension attribute exdesksource
// names the source system, erp / wms / tms / edi):
//
//	com.exdesk.hold.placed          hold_placed        (source erp)
//	com.exdesk.order.created        order_created      (source erp)
//	com.exdesk.order.changed        order_changed      (source erp)
//	com.exdesk.shipment.status      shipment_status    (source tms)
//	com.exdesk.inventory.changed    inventory_changed  (source wms)
//
// SAP S/4HANA business events for sales orders (through SAP Event Mesh or
// Advanced Event Mesh; data carries SalesOrder, SalesOrderType,
// SalesOrganization, DistributionChannel, OrganizationDivision,
// SoldToParty, EventRaisedDateTime and, for status changes, the new and
// previous status):
//
//	sap.s4.beh.salesorder.v1.SalesOrder.Created.v1             order_created
//	sap.s4.beh.salesorder.v1.SalesOrder.Changed.v1             order_changed
//	  … .ItemCreated / ItemChanged / ItemDeleted and the other
//	  status-changed events (OvrlDelivStsChgd, OvrlRjcnStsChgd, …)  order_changed
//	sap.s4.beh.salesorder.v1.SalesOrder.TotCrdtChkStsChgd.v1   hold_placed when TotalCreditCheckStatus is B or C
//	                                                           (credit check not OK), else order_changed
//	sap.s4.beh.salesorder.v1.SalesOrder.OvrlDlvBlkStsChgd.v1   hold_placed when OverallDeliveryBlockStatus is
//	                                                           B or C (partly / fully blocked), else order_changed
//	sap.s4.beh.salesorder.v1.SalesOrder.Deleted.v1             ignored (nothing to investigate)
//
// The order id is data.SalesOrder (else the subject). Any other type is
// accepted, counted and ignored; it never fails the batch. The exdesk
// event id is the CloudEvent's id and source together (the dedupe key).
package cloudevents
