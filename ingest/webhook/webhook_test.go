package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/ingest/webhook"
)

func file(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// rawSign signs with the secret's bytes as they are, which EasyPost does not.
func rawSign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "hmac-sha256-hex=" + hex.EncodeToString(m.Sum(nil))
}

func TestVerify(t *testing.T) {
	body := file(t, "easypost-tracker-updated.json")
	const secret = "s\u00e9cr\u00e8t-\uFB01" // é, è and the ﬁ ligature: NFKD changes them
	ep := webhook.EasyPost{Secret: secret}
	as := webhook.AfterShip{Secret: "as-secret"}
	tests := []struct {
		name   string
		src    webhook.Source
		header string
		value  string
		body   []byte
		ok     bool
	}{
		{"easypost signed", ep, webhook.EasyPostSignatureHeader, webhook.SignEasyPost(secret, body), body, true},
		{"easypost upper-case hex", ep, webhook.EasyPostSignatureHeader, "hmac-sha256-hex=" + strings.ToUpper(strings.TrimPrefix(webhook.SignEasyPost(secret, body), "hmac-sha256-hex=")), body, true},
		{"easypost wrong secret", ep, webhook.EasyPostSignatureHeader, webhook.SignEasyPost("other", body), body, false},
		{"easypost signed with the secret not normalised", ep, webhook.EasyPostSignatureHeader, rawSign(secret, body), body, false},
		{"easypost tampered body", ep, webhook.EasyPostSignatureHeader, webhook.SignEasyPost(secret, body), append([]byte(" "), body...), false},
		{"easypost bare hex", ep, webhook.EasyPostSignatureHeader, strings.TrimPrefix(webhook.SignEasyPost(secret, body), "hmac-sha256-hex="), body, false},
		{"easypost unsigned", ep, "", "", body, false},
		{"easypost no secret configured", webhook.EasyPost{}, webhook.EasyPostSignatureHeader, webhook.SignEasyPost("", body), body, false},
		{"aftership signed", as, webhook.AfterShipSignatureHeader, webhook.SignAfterShip("as-secret", body), body, true},
		{"aftership wrong", as, webhook.AfterShipSignatureHeader, webhook.SignAfterShip("x", body), body, false},
		{"aftership in the other header", as, webhook.EasyPostSignatureHeader, webhook.SignAfterShip("as-secret", body), body, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set(tt.header, tt.value)
			}
			err := tt.src.Verify(h, tt.body)
			if tt.ok != (err == nil) || err != nil && !errors.Is(err, webhook.ErrSignature) {
				t.Fatalf("Verify = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestEasyPostParse(t *testing.T) {
	trs, err := webhook.EasyPost{}.Parse(file(t, "easypost-tracker-updated.json"))
	if err != nil || len(trs) != 1 {
		t.Fatalf("Parse = %v, %v", trs, err)
	}
	ev := webhook.Event(trs[0])
	sh := ev.Shipment
	if ev.ID != "easypost:evt_0a1b2c3d4e5f11ef9a3b6f1d2c3b4a59" || ev.Type != connectors.EventShipmentStatus || ev.Source != "tms" || ev.OrderID != "" ||
		!ev.At.Equal(ts("2026-08-04T15:15:00Z")) {
		t.Fatalf("event = %+v", ev)
	}
	if sh.TrackingNumber != "1Z999AA10123456784" || sh.Carrier != "UPS" || sh.Status != connectors.ShipException || !sh.ETA.Equal(ts("2026-08-09T19:00:00Z")) {
		t.Fatalf("shipment = %+v", sh)
	}
	want := []connectors.ShipmentEvent{
		{At: ts("2026-08-03T18:02:00Z"), Code: "XB", Reason: "NS", Description: "Shipper created a label", Location: "US"},
		{At: ts("2026-08-04T06:15:00Z"), Code: "X6", Reason: "NS", Description: "Departed from Facility", Location: "DES MOINES, IA, US"},
		{At: ts("2026-08-04T15:15:00Z"), Code: "SD", Reason: "AO", Description: "Severe weather conditions have delayed delivery", Location: "OMAHA, NE, US"},
	}
	if len(sh.Events) != len(want) {
		t.Fatalf("events = %+v", sh.Events)
	}
	for i := range want {
		if sh.Events[i] != want[i] {
			t.Fatalf("event %d = %+v, want %+v", i, sh.Events[i], want[i])
		}
	}
	if !connectors.IsExceptionEvent(sh.Events[2]) {
		t.Fatal("a weather delay must read as a carrier exception")
	}
}

func TestEasyPostStatuses(t *testing.T) {
	tests := []struct {
		status, detail, want string
	}{
		{"pre_transit", "label_created", connectors.ShipTendered}, {"in_transit", "arrived_at_facility", connectors.ShipInTransit},
		{"out_for_delivery", "out_for_delivery", connectors.ShipInTransit}, {"delivered", "arrived_at_destination", connectors.ShipDelivered},
		{"return_to_sender", "return", connectors.ShipException}, {"failure", "delivery_exception", connectors.ShipException},
		{"in_transit", "delayed", connectors.ShipException}, {"unknown", "unknown", ""},
	}
	for _, tt := range tests {
		body := `{"id":"evt_1","description":"tracker.updated","result":{"tracking_code":"T1","status":"` + tt.status + `","status_detail":"` + tt.detail +
			`","updated_at":"2026-08-04T15:15:00Z"}}`
		trs, err := webhook.EasyPost{}.Parse([]byte(body))
		if err != nil || len(trs) != 1 || trs[0].Status != tt.want {
			t.Errorf("%s/%s: %+v, %v; want status %q", tt.status, tt.detail, trs, err, tt.want)
		}
	}
	if trs, err := (webhook.EasyPost{}).Parse([]byte(`{"id":"evt_2","description":"batch.created","result":{}}`)); err != nil || trs != nil {
		t.Fatalf("another event: %v, %v", trs, err)
	}
	for _, bad := range []string{`[1]`, `{"description":"tracker.updated","result":{"status":"delivered"}}`,
		`{"description":"tracker.created","result":{"tracking_code":"T"}}`} {
		if _, err := (webhook.EasyPost{}).Parse([]byte(bad)); !errors.Is(err, webhook.ErrPayload) {
			t.Errorf("Parse(%s) = %v, want ErrPayload", bad, err)
		}
	}
}

func TestAfterShipParse(t *testing.T) {
	trs, err := webhook.AfterShip{}.Parse(file(t, "aftership-tracking-update.json"))
	if err != nil || len(trs) != 1 {
		t.Fatalf("Parse = %v, %v", trs, err)
	}
	ev := webhook.Event(trs[0])
	sh := ev.Shipment
	if ev.ID != "aftership:3d0b6f0e-2f6a-4c1e-9b7a-0c9d8e7f6a5b" || ev.OrderID != "SO-10180" || !ev.At.Equal(ts("2026-08-04T15:15:00Z")) ||
		sh.TrackingNumber != "9400111899223197428490" || sh.Carrier != "usps" || sh.Status != connectors.ShipException ||
		!sh.ETA.Equal(ts("2026-08-06T00:00:00Z")) || len(sh.Events) != 2 {
		t.Fatalf("event = %+v %+v", ev, sh)
	}
	if e := sh.Events[1]; e.Code != "AP" || e.Reason != "A1" || e.Location != "MADISON, WI, USA" || e.Description != "Notice Left (Business Closed)" {
		t.Fatalf("attempt = %+v", e)
	}
	if e := sh.Events[0]; e.Location != "OMAHA, NE 68101" || e.Code != "X6" {
		t.Fatalf("first = %+v", e)
	}
}
