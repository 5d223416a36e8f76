package webhook

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// AfterShipSignatureHeader carries AfterShip's webhook signature.
const AfterShipSignatureHeader = "aftership-hmac-sha256"

// AfterShip reads AfterShip tracking webhooks.
type AfterShip struct {
	// Secret is the webhook secret (EXDESK_AFTERSHIP_WEBHOOK_SECRET).
	Secret string
}

var _ Source = AfterShip{}

// Name implements Source.
func (AfterShip) Name() string { return "aftership" }

// Configured implements Source.
func (a AfterShip) Configured() bool { return a.Secret != "" }

// Verify implements Source: aftership-hmac-sha256 must be the base64
// HMAC-SHA256 of the raw body under the webhook secret.
func (a AfterShip) Verify(h http.Header, body []byte) error {
	got := strings.TrimSpace(h.Get(AfterShipSignatureHeader))
	if a.Secret == "" || got == "" {
		return ErrSignature
	}
	if !equalMAC(got, SignAfterShip(a.Secret, body)) {
		return ErrSignature
	}
	return nil
}

// SignAfterShip returns the aftership-hmac-sha256 value for body.
func SignAfterShip(secret string, body []byte) string {
	return base64.StdEncoding.EncodeToString(mac([]byte(secret), body))
}

type afterShipWebhook struct {
	Event   string          `json:"event"`
	EventID string          `json:"event_id"`
	TS      int64           `json:"ts"`
	Msg     json.RawMessage `json:"msg"`
}

type afterShipEDD struct {
	EstimatedDeliveryDate    string `json:"estimated_delivery_date"`
	EstimatedDeliveryDateMax string `json:"estimated_delivery_date_max"`
	Datetime                 string `json:"datetime"`
	DatetimeMax              string `json:"datetime_max"`
}

func (e *afterShipEDD) when() time.Time {
	if e == nil {
		return time.Time{}
	}
	for _, s := range []string{e.EstimatedDeliveryDate, e.Datetime, e.EstimatedDeliveryDateMax, e.DatetimeMax} {
		if t := parseTime(s); !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

type afterShipTracking struct {
	TrackingNumber   string        `json:"tracking_number"`
	Slug             string        `json:"slug"`
	Tag              string        `json:"tag"`
	Subtag           string        `json:"subtag"`
	SubtagMessage    string        `json:"subtag_message"`
	ExpectedDelivery string        `json:"expected_delivery"`
	CourierEDD       *afterShipEDD `json:"courier_estimated_delivery_date"`
	AfterShipEDD     *afterShipEDD `json:"aftership_estimated_delivery_date"`
	LatestEDD        *afterShipEDD `json:"latest_estimated_delivery"`
	OrderID          string        `json:"order_id"`
	OrderNumber      string        `json:"order_number"`
	UpdatedAt        string        `json:"updated_at"`
	Checkpoints      []struct {
		CheckpointTime string `json:"checkpoint_time"`
		City           string `json:"city"`
		State          string `json:"state"`
		CountryISO3    string `json:"country_iso3"`
		CountryRegion  string `json:"country_region"`
		Location       string `json:"location"`
		Message        string `json:"message"`
		Tag            string `json:"tag"`
		Subtag         string `json:"subtag"`
	} `json:"checkpoints"`
}

// afterShipCodes are the X12 214 codes an AfterShip delivery status (tag)
// means.
var afterShipCodes = map[string][2]string{
	"InfoReceived": {"XB", "NS"}, "InTransit": {"X6", "NS"}, "OutForDelivery": {"X6", "NS"},
	"AvailableForPickup": {"AV", "NS"}, "AttemptFail": {"AP", "A1"}, "Delivered": {"D1", "NS"}, "Exception": {"SD", "AJ"},
}

// Parse implements Source: tracking_update and edd_revise webhooks.
func (AfterShip) Parse(body []byte) ([]Tracking, error) {
	var wh afterShipWebhook
	if err := json.Unmarshal(body, &wh); err != nil {
		return nil, fmt.Errorf("%w: not an AfterShip webhook: %v", ErrPayload, err)
	}
	if !strings.HasPrefix(wh.Event, "tracking_") && wh.Event != "edd_revise" {
		return nil, nil
	}
	var tr afterShipTracking
	if err := json.Unmarshal(wh.Msg, &tr); err != nil {
		return nil, fmt.Errorf("%w: msg is not a tracking: %v", ErrPayload, err)
	}
	if tr.TrackingNumber = clip(tr.TrackingNumber, 100); tr.TrackingNumber == "" {
		return nil, fmt.Errorf("%w: msg.tracking_number is required", ErrPayload)
	}
	t := Tracking{EventID: clip(wh.EventID, 100), Provider: "aftership", TrackingNumber: tr.TrackingNumber, Carrier: clip(tr.Slug, 60),
		StatusDetail: clip(firstNonEmpty(tr.Subtag, tr.SubtagMessage), 60), OrderID: firstNonEmpty(tr.OrderNumber, tr.OrderID), Raw: body}
	if t.EventID == "" {
		sum := sha256.Sum256(body)
		t.EventID = "body-" + hex.EncodeToString(sum[:12])
	}
	for _, edd := range []*afterShipEDD{tr.LatestEDD, tr.CourierEDD, tr.AfterShipEDD} {
		if t.ETA = edd.when(); !t.ETA.IsZero() {
			break
		}
	}
	if t.ETA.IsZero() {
		t.ETA = parseTime(tr.ExpectedDelivery)
	}
	for i, c := range tr.Checkpoints {
		if i >= MaxEvents*2 {
			break
		}
		at := parseTime(c.CheckpointTime)
		codes, ok := afterShipCodes[c.Tag]
		if at.IsZero() || !ok {
			continue
		}
		loc := clip(c.Location, 120)
		if loc == "" {
			loc = place(c.City, c.State, firstNonEmpty(c.CountryISO3, c.CountryRegion))
		}
		t.Events = append(t.Events, connectors.ShipmentEvent{At: at, Code: codes[0], Reason: codes[1], Description: clip(c.Message, 300), Location: loc})
		if at.After(t.At) {
			t.At = at
		}
	}
	if codes, ok := afterShipCodes[tr.Tag]; ok {
		t.Status = statusOfCode(codes[0])
	}
	if t.At.IsZero() {
		t.At = parseTime(tr.UpdatedAt)
	}
	if t.At.IsZero() && wh.TS > 0 {
		t.At = time.Unix(wh.TS, 0).UTC()
	}
	if t.At.IsZero() {
		return nil, fmt.Errorf("%w: the tracking has no time (checkpoints, updated_at, ts)", ErrPayload)
	}
	return []Tracking{t}, nil
}
