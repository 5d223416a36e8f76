// Package x12 reads ASC X12 EDI interchanges, maps the transaction sets
// exdesk understands onto its events, and writes 997 / 999 functional
// acknowledgements.
//
// The flow:
//
//	Parse(raw)            ISA … IEA → *Interchange (groups → transaction sets → segments)
//	  ↓                   or a *SyntaxError naming the segment number and element
//	Map(ic, options)      214 / 856 / 855 → []connectors.Event, plus the sets skipped and why
//	  ↓
//	Ack(ic, "997", …)     the functional acknowledgement, when the sender asks for one
//
// # The reader
//
// Separators are taken from the ISA segment as the standard declares them:
// the element separator is the byte after "ISA", the sub-element
// (component) separator is ISA16, the segment terminator is the byte after
// ISA16, and from version 00402 on ISA11 is the repetition separator. Any
// separators are accepted (not only '*' and '~'), as long as they differ
// and are not letters or digits. Line breaks after a segment terminator are
// ignored. The reader checks the envelope: ISA's fixed element widths,
// every GS/GE and ST/SE pair, the control numbers (ISA13 = IEA02,
// GS06 = GE02, ST02 = SE02) and the counts (SE01 segments, GE01 sets,
// IEA01 groups). Any violation rejects the whole interchange with the
// segment number (1-based, counted from ISA) and the element position.
//
// It is a small reader of its own rather than github.com/jf-tech/omniparser:
// omniparser is a general schema-driven transformer (separators declared in
// a schema file rather than read from ISA, a JavaScript engine and XPath
// among its dependencies) and does not check control numbers or counts nor
// write acknowledgements; X12's envelope is simple enough that a reader of a
// few hundred lines, fuzzed (FuzzParse) and measured (BenchmarkParse, well
// above 50 MB/s on one core), is the lighter and safer dependency. Parsing
// allocates two slices per interchange: segments and elements point into
// the input.
//
// # The mapping
//
// Written from the published X12 segment specifications (004010 / 005010:
// 214, 856, 855, AT7 code lists 1650 / 1651, time codes 623, DTM / ACK date
// qualifiers 374), not from any partner's implementation guide:
//
//   - 214 Transportation Carrier Shipment Status → shipment_status: B10
//     (carrier reference → tracking number, shipment id, SCAC), L11
//     references (order numbers SO / OQ / CO / ON / VN → the order; PO; BOL
//     BM; SI shipment id; CN / 2I tracking), each AT7 (status code, reason
//     code, date, time, time code) with the MS1 that follows it (city,
//     state, country) → a carrier event; AT7 AG / X2 (estimated delivery) →
//     the new ETA. The newest status decides the shipment's status.
//   - 856 Ship Notice → for an outbound shipment, shipment_status per
//     order level (HL O): BSN02 shipment id, TD5 SCAC, REF BM / CN / 2I,
//     PRF PO number, REF order numbers, DTM 011 shipped and 017 / 067
//     estimated delivery. For an inbound ASN from a supplier (Options.Direction
//     inbound, or a sender listed in Options.InboundSenders) →
//     inventory_changed: the ETA of each item (HL I, LIN buyer's part
//     number BP, else SK / IN / VP) of each purchase order (PRF01) at the
//     ship-to site (N1 ST).
//   - 855 Purchase Order Acknowledgment → inventory_changed: per PO1 line,
//     the acknowledged quantity and date (ACK: IR / ID / R2 → quantity 0;
//     ACK02 quantity; ACK04 / ACK05 delivery date, else ship date; else
//     DTM 017 / 067 / 002 of the line or the header) of the purchase order
//     BAK03.
//
// A transaction set that cannot be mapped (another type, or one that names
// no shipment or item) is skipped and reported with its control number,
// segment and reason; the others are mapped. Event ids are derived from the
// sender, the interchange, group and set control numbers, so the same
// interchange posted twice is deduplicated.
package x12
