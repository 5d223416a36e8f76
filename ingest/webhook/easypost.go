package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/exdesk/exdesk/connectors"
)

// EasyPostSignatureHeader carries EasyPost's webhook signature.
const EasyPostSignatureHeader = "X-Hmac-Signature"

// EasyPost reads EasyPost tracker webhooks.
type EasyPost struct {
	// Secret is the webhook secret (EXDESK_EASYPOST_WEBHOOK_SECRET).
	Secret string
}

var _ Source = EasyPost{}

// Name implements Source.
func (EasyPost) Name() string { return "easypost" }

// Configured implements Source.
func (e EasyPost) Configured() bool { return e.Secret != "" }

// Verify implements Source: X-Hmac-Signature must be "hmac-sha256-hex="
// and the hex HMAC-SHA256 of the raw body under the NFKD-normalised secret.
func (e EasyPost) Verify(h http.Header, body []byte) error {
	got := strings.TrimSpace(h.Get(EasyPostSignatureHeader))
	if e.Secret == "" || got == "" {
		return ErrSignature
	}
	want := "hmac-sha256-hex=" + hex.EncodeToString(mac([]byte(norm.NFKD.String(e.Secret)), body))
	if !equalMAC(strings.ToLower(got), want) {
		return ErrSignature
	}
	return nil
}

// SignEasyPost returns the X-Hmac-Signature value EasyPost sends for body
// (for tests and tools).
func SignEasyPost(secret string, body []byte) string {
	return "hmac-sha256-hex=" + hex.EncodeToString(mac([]byte(norm.NFKD.String(secret)), body))
}

type easyPostEvent struct {
	ID          string          `json:"id"`
	Object      string          `json:"object"`
	Description string          `json:"description"`
	CreatedAt   string          `json:"created_at"`
	Result      json.RawMessage `json:"result"`
}

type easyPostTracker struct {
	ID              string `json:"id"`
	TrackingCode    string `json:"tracking_code"`
	Status          string `json:"status"`
	StatusDetail    string `json:"status_detail"`
	EstDeliveryDate string `json:"est_delivery_date"`
	Carrier         string `json:"carrier"`
	UpdatedAt       string `json:"updated_at"`
	TrackingDetails []struct {
		Message          string `json:"message"`
		Description      string `json:"description"`
		Status           string `json:"status"`
		StatusDetail     string `json:"status_detail"`
		DateTime         string `json:"datetime"`
		TrackingLocation *struct {
			City    string `json:"city"`
			State   string `json:"state"`
			Country string `json:"country"`
		} `json:"tracking_location"`
	} `json:"tracking_details"`
}

// easyPostCodes are the X12 214 status and reason codes an EasyPost
// tracker status means.
var easyPostCodes = map[string][2]string{
	"pre_transit": {"XB", "NS"}, "in_transit": {"X6", "NS"}, "out_for_delivery": {"X6", "NS"},
	"available_for_pickup": {"AV", "NS"}, "delivered": {"D1", "NS"}, "return_to_sender": {"A3", "BT"},
	"failure": {"AP", ""}, "cancelled": {"CA", ""},
}

// easyPostDetails are status details that are carrier exceptions whatever
// the status says, with their X12 codes.
var easyPostDetails = map[string][2]string{
	"weather_delay": {"SD", "AO"}, "delayed": {"SD", "AJ"}, "transit_exception": {"SD", "AJ"}, "missorted": {"SD", "AJ"},
	"held": {"SD", "AJ"}, "lost": {"SD", "AJ"}, "address_correction": {"SD", "A2"}, "delivery_exception": {"AP", "A1"},
	"damaged": {"A9", ""}, "refused": {"A7", "BS"},
}

func easyPostCode(status, detail string) (code, reason string) {
	if c, ok := easyPostDetails[detail]; ok {
		return c[0], c[1]
	}
	c := easyPostCodes[status]
	return c[0], c[1]
}

// Parse implements Source: tracker.created and tracker.updated events;
// other events report nothing.
func (EasyPost) Parse(body []byte) ([]Tracking, error) {
	var ev easyPostEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("%w: not an EasyPost event: %v", ErrPayload, err)
	}
	if ev.Description != "tracker.updated" && ev.Description != "tracker.created" {
		return nil, nil
	}
	var tr easyPostTracker
	if err := json.Unmarshal(ev.Result, &tr); err != nil {
		return nil, fmt.Errorf("%w: result is not a Tracker: %v", ErrPayload, err)
	}
	if tr.TrackingCode = clip(tr.TrackingCode, 100); tr.TrackingCode == "" {
		return nil, fmt.Errorf("%w: result.tracking_code is required", ErrPayload)
	}
	t := Tracking{EventID: clip(ev.ID, 100), Provider: "easypost", TrackingNumber: tr.TrackingCode, Carrier: clip(tr.Carrier, 60),
		StatusDetail: clip(tr.StatusDetail, 60), ETA: parseTime(tr.EstDeliveryDate), Raw: body}
	if t.EventID == "" {
		sum := sha256.Sum256(body)
		t.EventID = "body-" + hex.EncodeToString(sum[:12])
	}
	for i, d := range tr.TrackingDetails {
		if i >= MaxEvents*2 {
			break
		}
		at := parseTime(d.DateTime)
		if at.IsZero() {
			continue
		}
		code, reason := easyPostCode(d.Status, d.StatusDetail)
		if code == "" {
			continue
		}
		e := connectors.ShipmentEvent{At: at, Code: code, Reason: reason, Description: clip(firstNonEmpty(d.Message, d.Description, d.StatusDetail), 300)}
		if l := d.TrackingLocation; l != nil {
			e.Location = place(l.City, l.State, l.Country)
		}
		t.Events = append(t.Events, e)
		if at.After(t.At) {
			t.At = at
		}
	}
	// The tracker's own status and detail, as of its update.
	code, reason := easyPostCode(tr.Status, tr.StatusDetail)
	updated := parseTime(tr.UpdatedAt)
	if updated.IsZero() {
		updated = parseTime(ev.CreatedAt)
	}
	if t.At.IsZero() {
		t.At = updated
	}
	if t.At.IsZero() {
		return nil, fmt.Errorf("%w: the tracker has no time (updated_at, tracking_details[].datetime)", ErrPayload)
	}
	if code != "" {
		t.Status = statusOfCode(code)
		if _, exc := easyPostDetails[tr.StatusDetail]; exc && !updated.IsZero() {
			t.Events = append(t.Events, connectors.ShipmentEvent{At: updated, Code: code, Reason: reason,
				Description: strings.ReplaceAll(tr.StatusDetail, "_", " ")})
			if updated.After(t.At) {
				t.At = updated
			}
		}
	}
	return []Tracking{t}, nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}
