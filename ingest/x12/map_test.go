package x12_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/ingest/x12"
)

func mustMap(t *testing.T, file string, o x12.Options) x12.Result {
	t.Helper()
	ic, err := x12.Parse(readFile(t, file))
	if err != nil {
		t.Fatalf("Parse(%s): %v", file, err)
	}
	return x12.Map(ic, o)
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestMap214(t *testing.T) {
	r := mustMap(t, "214-delay.x12", x12.Options{})
	evs := r.Events()
	if len(r.Skipped) != 0 || len(evs) != 2 {
		t.Fatalf("events %d, skipped %+v", len(evs), r.Skipped)
	}
	e := evs[0]
	sh := e.Shipment
	if e.ID != "x12:RDLSCARRIER:000004471:4471:0001" || e.Source != "edi" || e.Type != connectors.EventShipmentStatus ||
		e.OrderID != "SO-10180" || !e.At.Equal(ts("2026-08-04T15:15:00Z")) {
		t.Fatalf("event = %+v", e)
	}
	if sh.ShipmentID != "SH-56971" || sh.TrackingNumber != "PRO4471120" || sh.Carrier != "RDLS" || sh.Status != connectors.ShipException ||
		!sh.ETA.Equal(ts("2026-08-09T19:00:00Z")) || sh.References["PO"] != "PO-712118" || sh.References["BM"] != "BOL-88120" {
		t.Fatalf("shipment = %+v", sh)
	}
	want := []connectors.ShipmentEvent{
		{At: ts("2026-08-04T11:15:00Z"), Code: "X6", Reason: "NS", Description: "En Route to Delivery Location", Location: "DES MOINES, IA"},
		{At: ts("2026-08-04T15:15:00Z"), Code: "SD", Reason: "AO", Description: "Shipment Delayed: Weather or Natural Disaster Related", Location: "OMAHA, NE"},
	}
	if len(sh.Events) != 2 || sh.Events[0] != want[0] || sh.Events[1] != want[1] {
		t.Fatalf("events = %+v\nwant %+v", sh.Events, want)
	}
	var data map[string]any
	if err := json.Unmarshal(e.Data, &data); err != nil || data["format"] != "x12" || data["set"] != "0001" {
		t.Fatalf("data = %s", e.Data)
	}
	if e := evs[1]; e.OrderID != "SO-10181" || e.Shipment.Status != connectors.ShipPickedUp || !e.At.Equal(ts("2026-08-04T12:00:00Z")) ||
		e.Shipment.Events[0].Location != "CHICAGO, IL" {
		t.Fatalf("second set = %+v %+v", e, e.Shipment)
	}
}

func TestMap214OtherSeparatorsAndZones(t *testing.T) {
	r := mustMap(t, "214-pipes-5010.x12", x12.Options{})
	evs := r.Events()
	if len(evs) != 2 {
		t.Fatalf("events %+v skipped %+v", evs, r.Skipped)
	}
	if e := evs[0]; e.OrderID != "SO-20001" || e.Shipment.Status != connectors.ShipDelivered || !e.At.Equal(ts("2026-11-25T20:30:12Z")) ||
		e.Shipment.TrackingNumber != "1Z999AA10123456784" || e.ID != "x12:UPSCARRIER:000000077:77:0001" {
		t.Fatalf("delivered = %+v %+v", e, e.Shipment)
	}
	if e := evs[1]; e.OrderID != "" || e.Shipment.Status != connectors.ShipException || !e.At.Equal(ts("2026-11-25T09:00:00Z")) ||
		e.Shipment.Events[0].Location != "TORONTO, ON, CA" || e.Shipment.References["BM"] != "BOL-1" || e.ID != "x12:UPSCARRIER:000000077:78:0001" {
		t.Fatalf("not delivered = %+v %+v", e, e.Shipment)
	}
	// LT is the zone the options give.
	ny, _ := time.LoadLocation("America/New_York")
	if ny != nil {
		r := mustMap(t, "214-pipes-5010.x12", x12.Options{Location: ny})
		if got := r.Events()[1].At; !got.Equal(ts("2026-11-25T14:00:00Z")) {
			t.Fatalf("local time in New York = %v", got)
		}
	}
}

func TestMap856Outbound(t *testing.T) {
	r := mustMap(t, "856-outbound.x12", x12.Options{})
	evs := r.Events()
	if len(evs) != 2 || len(r.Skipped) != 0 {
		t.Fatalf("events %+v skipped %+v", evs, r.Skipped)
	}
	for i, order := range []string{"SO-30001", "SO-30002"} {
		e := evs[i]
		sh := e.Shipment
		if e.OrderID != order || e.Type != connectors.EventShipmentStatus || sh.ShipmentID != "SH-81001" || sh.TrackingNumber != "PRO-6020031" ||
			sh.Carrier != "FXFE" || sh.Status != connectors.ShipPickedUp || !sh.ETA.Equal(ts("2026-12-01T00:00:00Z")) ||
			!e.At.Equal(ts("2026-11-26T19:00:00Z")) || len(sh.Events) != 1 || sh.Events[0].Code != "AF" {
			t.Fatalf("event %d = %+v %+v", i, e, sh)
		}
	}
	if evs[0].Shipment.References["PO"] != "PO-712118" || evs[1].Shipment.References["PO"] != "PO-712119" || evs[0].ID == evs[1].ID {
		t.Fatalf("references %+v %+v", evs[0].Shipment.References, evs[1].Shipment.References)
	}
}

func TestMap856Inbound(t *testing.T) {
	for name, o := range map[string]x12.Options{
		"direction":       {Direction: x12.Inbound},
		"supplier sender": {InboundSenders: []string{"ACMESUPPLY"}},
	} {
		t.Run(name, func(t *testing.T) {
			r := mustMap(t, "856-inbound.x12", o)
			evs := r.Events()
			if len(evs) != 1 {
				t.Fatalf("events %+v skipped %+v", evs, r.Skipped)
			}
			e := evs[0]
			want := []connectors.InboundUpdate{
				{SKU: "SKU-4555", Site: "DC-DAL", Ref: "PO-V-1319", ETA: connectors.MustDate("2026-12-03")},
				{SKU: "SKU-1884", Site: "DC-DAL", Ref: "PO-V-1319", ETA: connectors.MustDate("2026-12-03")},
			}
			if e.Type != connectors.EventInventoryChanged || e.OrderID != "" || len(e.Inbound) != 2 ||
				e.Inbound[0].SKU != want[0].SKU || e.Inbound[1] != want[1] || e.Inbound[0].Qty != nil {
				t.Fatalf("event = %+v %+v", e, e.Inbound)
			}
		})
	}
}

func TestMap855SkipsTheUnmappedSet(t *testing.T) {
	r := mustMap(t, "855-with-810.x12", x12.Options{})
	if len(r.Skipped) != 1 {
		t.Fatalf("skipped %+v", r.Skipped)
	}
	sk := r.Skipped[0]
	if sk.Type != "810" || sk.Group != "514" || sk.Set != "0001" || sk.Segment != 20 || sk.SegmentID != "ST" || sk.Code != "1" ||
		!strings.Contains(sk.Reason, "not mapped") {
		t.Fatalf("skipped = %+v", sk)
	}
	evs := r.Events()
	if len(evs) != 1 || evs[0].Type != connectors.EventInventoryChanged {
		t.Fatalf("events %+v", evs)
	}
	q := func(u connectors.InboundUpdate) int {
		if u.Qty == nil {
			return -1
		}
		return *u.Qty
	}
	in := evs[0].Inbound
	type line struct {
		sku string
		qty int
		eta string
	}
	want := []line{{"SKU-2099", 100, "2026-12-09"}, {"SKU-7098", 50, "2026-12-15"}, {"SKU-1296", 0, "2026-11-30"}, {"SKU-4822", 5, "2026-11-30"}}
	if len(in) != len(want) {
		t.Fatalf("inbound %+v", in)
	}
	for i, w := range want {
		if in[i].SKU != w.sku || q(in[i]) != w.qty || in[i].ETA.String() != w.eta || in[i].Ref != "PO-V-1457" || in[i].Site != "DC-CHI" {
			t.Fatalf("line %d = %+v qty %d, want %+v", i, in[i], q(in[i]), w)
		}
	}
}

func TestMapUnmappableSets(t *testing.T) {
	tests := []struct {
		name    string
		body    [][]string
		id      string
		segID   string
		element int
		reason  string
	}{
		{"214 without B10", [][]string{{"LX", "1"}, {"AT7", "X6", "NS", "", "", "20261126", "1015"}}, "214", "ST", 0, "no B10"},
		{"214 without AT7", [][]string{{"B10", "P", "SH-1", "RDLS"}}, "214", "B10", 0, "no AT7"},
		{"214 naming nothing", [][]string{{"B10", "", "", "RDLS"}, {"AT7", "X6", "NS", "", "", "20261126", "1015"}}, "214", "B10", 2, "names no shipment"},
		{"214 bad date", [][]string{{"B10", "P", "SH-1", "RDLS"}, {"AT7", "X6", "NS", "", "", "20261356", "1015"}}, "214", "AT7", 5, "AT705"},
		{"214 bad time", [][]string{{"B10", "P", "SH-1", "RDLS"}, {"AT7", "X6", "NS", "", "", "20261126", "2515"}}, "214", "AT7", 6, "AT706"},
		{"214 bad zone", [][]string{{"B10", "P", "SH-1", "RDLS"}, {"AT7", "X6", "NS", "", "", "20261126", "1015", "ZZ"}}, "214", "AT7", 7, "not an X12 time code"},
		{"855 without PO", [][]string{{"BAK", "00", "AC", "", "20261126"}, {"PO1", "1", "1", "EA", "1", "PE", "BP", "X"}}, "855", "BAK", 3, "BAK03"},
		{"855 line without a sku", [][]string{{"BAK", "00", "AC", "PO-1", "20261126"}, {"PO1", "1", "1", "EA", "1", "PE", "ZZ", "X"}, {"ACK", "IR"}}, "855", "PO1", 6, "names no product id"},
		{"856 inbound without ETA", [][]string{{"BSN", "00", "A", "20261126", "0900"}, {"HL", "1", "", "O"}, {"PRF", "PO-1"}, {"HL", "2", "1", "I"}, {"LIN", "1", "BP", "S"}}, "856", "BSN", 0, "no estimated delivery"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := build(std, "000000009", tgroup{"QM", "9", "004010", []tset{{tt.id, "0001", tt.body},
				{"214", "0002", body214("SO-1", "SH-1", "X6", "NS", "20261126")}}})
			ic, err := x12.Parse([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			r := x12.Map(ic, x12.Options{Direction: x12.Inbound})
			if len(r.Skipped) != 1 || len(r.Events()) != 1 {
				t.Fatalf("skipped %+v, events %d: the good set must still be mapped", r.Skipped, len(r.Events()))
			}
			sk := r.Skipped[0]
			if sk.SegmentID != tt.segID || sk.Element != tt.element || !strings.Contains(sk.Reason, tt.reason) || sk.Set != "0001" || sk.Code != "5" {
				t.Fatalf("skipped = %+v, want %s%02d %q", sk, tt.segID, tt.element, tt.reason)
			}
		})
	}
}

func TestMap855AcceptedAsOrderedIsNotSkipped(t *testing.T) {
	in := build(std, "000000010", tgroup{"PR", "10", "004010", []tset{{"855", "0001", [][]string{
		{"BAK", "00", "AD", "PO-1", "20261120"}, {"PO1", "1", "5", "EA", "2", "PE", "BP", "SKU-1"}, {"ACK", "IA"}}}}})
	ic, err := x12.Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	r := x12.Map(ic, x12.Options{})
	if len(r.Skipped) != 0 || len(r.Events()) != 0 || len(r.Sets) != 1 {
		t.Fatalf("sets %+v skipped %+v", r.Sets, r.Skipped)
	}
}

func TestDateTime(t *testing.T) {
	tests := []struct {
		date, clock, code string
		want              string
		bad               bool
	}{
		{"20260804", "1015", "CT", "2026-08-04T15:15:00Z", false}, // CDT
		{"20261204", "1015", "CT", "2026-12-04T16:15:00Z", false}, // CST
		{"20260308", "0159", "ET", "2026-03-08T06:59:00Z", false}, // before the switch
		{"20260308", "0300", "ET", "2026-03-08T07:00:00Z", false}, // after
		{"260804", "101530", "UT", "2026-08-04T10:15:30Z", false}, // YYMMDD, seconds
		{"20260804", "10153025", "GM", "2026-08-04T10:15:30.25Z", false},
		{"20260804", "", "", "2026-08-04T00:00:00Z", false},
		{"20260804", "1015", "05", "2026-08-04T05:15:00Z", false}, // UTC+5
		{"20260804", "1015", "20", "2026-08-04T15:15:00Z", false}, // UTC−5
		{"20260804", "1015", "HT", "2026-08-04T20:15:00Z", false},
		{"20260230", "1015", "UT", "", true},
		{"2026080", "1015", "UT", "", true},
		{"20260804", "1060", "UT", "", true},
		{"20260804", "1015", "XX", "", true},
	}
	for _, tt := range tests {
		got, err := x12.DateTime(tt.date, tt.clock, tt.code, nil)
		if tt.bad {
			if err == nil {
				t.Errorf("DateTime(%s %s %s) = %v, want an error", tt.date, tt.clock, tt.code, got)
			}
			continue
		}
		if err != nil || !got.Equal(ts(tt.want)) {
			t.Errorf("DateTime(%s %s %s) = %v, %v; want %s", tt.date, tt.clock, tt.code, got, err, tt.want)
		}
	}
}
