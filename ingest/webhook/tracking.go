package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/exdesk/exdesk/connectors"
)

// ErrSignature is returned by Verify for a missing or wrong signature.
var ErrSignature = errors.New("webhook signature missing or wrong")

// ErrPayload is wrapped by Parse errors: the body is not what the
// provider sends.
var ErrPayload = errors.New("webhook payload not understood")

// MaxEvents bounds the carrier events kept from one webhook.
const MaxEvents = 100

// Source is one tracking provider's webhook.
type Source interface {
	// Name is the provider's name, the last part of its webhook path
	// (/v1/webhooks/{name}).
	Name() string
	// Configured reports whether the source has its secret.
	Configured() bool
	// Verify checks the request's signature over the raw body.
	Verify(h http.Header, body []byte) error
	// Parse reads the trackings the webhook reports; nil when it reports
	// nothing exdesk uses (another event type).
	Parse(body []byte) ([]Tracking, error)
}

// Tracking is what a provider said about one tracked shipment.
type Tracking struct {
	// EventID is the provider's id of the webhook event.
	EventID string
	// Provider names the source (easypost, aftership).
	Provider       string
	TrackingNumber string
	Carrier        string
	// Status is exdesk's shipment status, or "" when the provider's says
	// nothing (unknown).
	Status string
	// StatusDetail is the provider's detail, kept for the audit trail.
	StatusDetail string
	ETA          time.Time
	// Events are the carrier events, oldest first, with X12 214 codes.
	Events []connectors.ShipmentEvent
	// At is when the newest thing the webhook reports happened.
	At time.Time
	// OrderID is an order number the provider carries, if any.
	OrderID string
	// Raw is the provider's payload, kept as the event's data.
	Raw json.RawMessage
}

// Event maps a tracking onto a shipment_status event. Its id is the
// provider's event id; its order is left for the workers to find by
// tracking number unless the provider names one.
func Event(t Tracking) connectors.Event {
	evs := connectors.MergeShipmentEvents(nil, t.Events) // oldest first, one per time and code, bounded
	data, _ := json.Marshal(map[string]any{"provider": t.Provider, "status_detail": t.StatusDetail, "payload": t.Raw})
	return connectors.Event{ID: t.Provider + ":" + t.EventID, Source: "tms", Type: connectors.EventShipmentStatus,
		OrderID: orderID(t.OrderID), At: t.At.UTC(), Data: data,
		Shipment: &connectors.ShipmentUpdate{TrackingNumber: t.TrackingNumber, Carrier: t.Carrier, Status: t.Status,
			ETA: t.ETA, Events: evs}}
}

// orderID keeps a provider's order number only when it can be an exdesk
// order id.
func orderID(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return ""
	}
	return s
}

// equalMAC compares a received signature with the expected one in
// constant time.
func equalMAC(got, want string) bool {
	return hmac.Equal([]byte(got), []byte(want))
}

// mac returns HMAC-SHA256 of body under key.
func mac(key []byte, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return m.Sum(nil)
}

// parseTime reads the times providers send: RFC 3339, or without a zone
// (UTC), or a date.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil && t.Year() >= 2000 && t.Year() <= 2200 {
			return t.UTC()
		}
	}
	return time.Time{}
}

// clip bounds a text.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(strings.TrimSpace(s), "?")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if len(s) > n {
		s = s[:n]
		for !utf8Valid(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// place formats a city, state and country.
func place(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = clip(p, 60); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// statusOfCode is the exdesk status a carrier event code means.
func statusOfCode(code string) string {
	switch code {
	case "XB":
		return connectors.ShipTendered
	case "AF":
		return connectors.ShipPickedUp
	case "D1":
		return connectors.ShipDelivered
	case "SD", "A9", "A7", "AP", "A3", "CA":
		return connectors.ShipException
	case "":
		return ""
	}
	return connectors.ShipInTransit
}
