package slackbot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Errors of signature verification. Each is wrapped with the detail.
var (
	// ErrBadSignature: the signature is missing, malformed or does not match.
	ErrBadSignature = errors.New("bad slack signature")
	// ErrStaleRequest: the timestamp is missing, malformed or outside the window.
	ErrStaleRequest = errors.New("stale slack request")
)

// Slack's request-signing headers.
const (
	HeaderSignature = "X-Slack-Signature"
	HeaderTimestamp = "X-Slack-Request-Timestamp"
	HeaderRetryNum  = "X-Slack-Retry-Num"
)

// DefaultSignatureWindow is how far a request's timestamp may be from now.
const DefaultSignatureWindow = 5 * time.Minute

// Verifier checks Slack's request signatures: v0=HMAC-SHA256(secret,
// "v0:" + timestamp + ":" + body), compared in constant time, with the
// timestamp within Window of Now.
type Verifier struct {
	Secret []byte
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Window is the accepted clock skew; zero means DefaultSignatureWindow.
	Window time.Duration
}

// Verify checks the signature headers against the raw body.
func (v *Verifier) Verify(h http.Header, body []byte) error {
	return v.VerifyValues(h.Get(HeaderTimestamp), h.Get(HeaderSignature), body)
}

// VerifyValues checks a timestamp and signature (as the headers carry them)
// against the raw body.
func (v *Verifier) VerifyValues(timestamp, signature string, body []byte) error {
	if len(v.Secret) == 0 {
		return fmt.Errorf("%w: no signing secret configured", ErrBadSignature)
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || ts <= 0 {
		return fmt.Errorf("%w: bad %s %q", ErrStaleRequest, HeaderTimestamp, truncate(timestamp, 32))
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	window := v.Window
	if window <= 0 {
		window = DefaultSignatureWindow
	}
	skew := now().Sub(time.Unix(ts, 0))
	if skew > window || skew < -window {
		return fmt.Errorf("%w: timestamp %d is %s from now (window %s)", ErrStaleRequest, ts, skew.Round(time.Second), window)
	}
	hexSig, ok := strings.CutPrefix(signature, "v0=")
	if !ok {
		return fmt.Errorf("%w: %s must start with v0=", ErrBadSignature, HeaderSignature)
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%w: %s is not a hex SHA-256", ErrBadSignature, HeaderSignature)
	}
	if !hmac.Equal(got, Sign(v.Secret, timestamp, body)) {
		return fmt.Errorf("%w: signature does not match", ErrBadSignature)
	}
	return nil
}

// Sign returns the raw HMAC-SHA256 of "v0:timestamp:body" with secret.
func Sign(secret []byte, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("v0:"))
	m.Write([]byte(timestamp))
	m.Write([]byte(":"))
	m.Write(body)
	return m.Sum(nil)
}

// SignatureHeader returns the X-Slack-Signature value for a request.
func SignatureHeader(secret []byte, timestamp string, body []byte) string {
	return "v0=" + hex.EncodeToString(Sign(secret, timestamp, body))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
