// Package webhook verifies and reads carrier tracking webhooks and maps
// them onto exdesk shipment_status events.
//
// The flow:
//
//	Source.Verify(header, raw body)   the provider's signature, constant-time; ErrSignature otherwise
//	Source.Parse(raw body)            → []Tracking, the provider-neutral form (nil: nothing to say)
//	Event(tracking)                   → a shipment_status connectors.Event carrying the shipment's state
//
// Every provider is one file implementing Source and mapping its payload
// onto Tracking: status, carrier events with X12 214 status and reason
// codes (what the investigation reads), estimated delivery. Adding a third
// provider is a file, not a refactor.
//
//   - EasyPost (easypost.go): tracker.created / tracker.updated events,
//     signed with the X-Hmac-Signature header, "hmac-sha256-hex=" and the
//     hex HMAC-SHA256 of the raw body under the webhook secret (NFKD
//     normalised, as EasyPost's client libraries do).
//   - AfterShip (aftership.go): tracking_update / edd_revise webhooks,
//     signed with the aftership-hmac-sha256 header, the base64 HMAC-SHA256
//     of the raw body under the webhook secret.
//
// Shipments are matched by tracking number later, by the ingest workers
// (connectors.ShipmentByTracking); a webhook for a shipment no system
// knows opens no case and is counted.
package webhook
