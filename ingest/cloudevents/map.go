package cloudevents

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// exdesk's own CloudEvents types.
const (
	TypeHoldPlaced       = "com.exdesk.hold.placed"
	TypeOrderCreated     = "com.exdesk.order.created"
	TypeOrderChanged     = "com.exdesk.order.changed"
	TypeShipmentStatus   = "com.exdesk.shipment.status"
	TypeInventoryChanged = "com.exdesk.inventory.changed"
)

// exdeskTypes maps exdesk's CloudEvents types to event types and their
// default source system.
var exdeskTypes = map[string][2]string{
	TypeHoldPlaced:       {connectors.EventHoldPlaced, "erp"},
	TypeOrderCreated:     {connectors.EventOrderCreated, "erp"},
	TypeOrderChanged:     {connectors.EventOrderChanged, "erp"},
	TypeShipmentStatus:   {connectors.EventShipmentStatus, "tms"},
	TypeInventoryChanged: {connectors.EventInventoryChanged, "wms"},
}

// SourceExtension names the exdesk source system of an exdesk type.
const SourceExtension = "exdesksource"

// Reasons an event is ignored.
const (
	ReasonUnknownType   = "unknown_type"
	ReasonNotActionable = "not_actionable"
)

// Ignored is an event accepted and not turned into an exdesk event.
type Ignored struct {
	ID     string `json:"id"`
	Source string `json:"source"`
	Type   string `json:"type"`
	Reason string `json:"reason"`
}

// Options tune Map.
type Options struct {
	// Now dates an event that carries no time (default time.Now).
	Now time.Time
}

// EventID is the exdesk event id of a CloudEvent: its id and source
// together, the CloudEvents dedupe key. Readable when short enough, a
// hash otherwise.
func EventID(e Event) string {
	id := e.ID + "@" + e.Source
	if len(id) <= 200 {
		return id
	}
	h := sha256.Sum256([]byte(e.Source + "\x00" + e.ID))
	return "ce:" + hex.EncodeToString(h[:20])
}

// Map turns a CloudEvent into an exdesk event, or says why it is ignored.
// The exdesk event is not validated here: the caller validates it like any
// exdesk event (ingest.ParseEvent).
func Map(e Event, o Options) (connectors.Event, *Ignored) {
	ignore := func(reason string) (connectors.Event, *Ignored) {
		return connectors.Event{}, &Ignored{ID: e.ID, Source: e.Source, Type: e.Type, Reason: reason}
	}
	at := e.Time
	if at.IsZero() {
		at = o.Now
		if at.IsZero() {
			at = time.Now()
		}
	}
	ev := connectors.Event{ID: EventID(e), At: at.UTC()}
	if t, ok := exdeskTypes[e.Type]; ok {
		ev.Type, ev.Source = t[0], t[1]
		if s := e.Extensions[SourceExtension]; s != "" {
			ev.Source = s
		}
		ev.OrderID = e.Subject
		if err := exdeskData(&ev, e.Data); err != nil {
			ev.Data = e.Data // the validation names what is wrong
		}
		return ev, nil
	}
	if op, ok := salesOrderOp(e.Type); ok {
		var d map[string]any
		_ = json.Unmarshal(e.Data, &d)
		str := func(k string) string { s, _ := d[k].(string); return strings.TrimSpace(s) }
		ev.Source, ev.OrderID = "erp", str("SalesOrder")
		if ev.OrderID == "" {
			ev.OrderID = e.Subject
		}
		if e.Time.IsZero() {
			if t, err := time.Parse(time.RFC3339Nano, str("EventRaisedDateTime")); err == nil {
				ev.At = t.UTC()
			}
		}
		switch op {
		case "Created":
			ev.Type = connectors.EventOrderCreated
		case "Deleted":
			return ignore(ReasonNotActionable)
		case "TotCrdtChkStsChgd":
			ev.Type = connectors.EventOrderChanged
			if s := str("TotalCreditCheckStatus"); s == "B" || s == "C" {
				ev.Type = connectors.EventHoldPlaced
			}
		case "OvrlDlvBlkStsChgd":
			ev.Type = connectors.EventOrderChanged
			if s := str("OverallDeliveryBlockStatus"); s == "B" || s == "C" {
				ev.Type = connectors.EventHoldPlaced
			}
		default:
			ev.Type = connectors.EventOrderChanged
		}
		ev.Data = sapData(e)
		return ev, nil
	}
	return ignore(ReasonUnknownType)
}

// salesOrderOp returns the operation of an SAP S/4HANA sales order event
// type (sap.s4.beh.salesorder.v1.SalesOrder.<Op>.v<N>).
func salesOrderOp(typ string) (string, bool) {
	rest, ok := strings.CutPrefix(typ, "sap.s4.beh.salesorder.v1.SalesOrder.")
	if !ok {
		return "", false
	}
	op, version, ok := strings.Cut(rest, ".")
	if !ok || op == "" || len(version) < 2 || version[0] != 'v' {
		return "", false
	}
	return op, true
}

// exdeskData lifts the exdesk fields of an exdesk type's data (order_id,
// shipment, inbound) into the event; the whole data is kept as Data.
func exdeskData(ev *connectors.Event, data json.RawMessage) error {
	if len(data) == 0 {
		return nil
	}
	var d struct {
		OrderID  string                     `json:"order_id"`
		Shipment *connectors.ShipmentUpdate `json:"shipment"`
		Inbound  []connectors.InboundUpdate `json:"inbound"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return err
	}
	if ev.OrderID == "" {
		ev.OrderID = d.OrderID
	}
	ev.Shipment, ev.Inbound = d.Shipment, d.Inbound
	ev.Data = data
	return nil
}

// sapData keeps the SAP event's data and context for the audit trail.
func sapData(e Event) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"cloudevent": map[string]any{"id": e.ID, "source": e.Source, "type": e.Type, "subject": e.Subject},
		"data": e.Data})
	return b
}
