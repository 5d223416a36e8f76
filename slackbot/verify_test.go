package slackbot

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// Slack's documented example (https://api.slack.com/authentication/verifying-requests-from-slack).
const (
	docSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	docTimestamp = "1531420618"
	docSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	docBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)

func TestVerifier(t *testing.T) {
	docTime := time.Unix(1531420618, 0)
	tests := []struct {
		name      string
		secret    string
		now       time.Time
		timestamp string
		signature string
		body      string
		want      error
	}{
		{"slack doc vector", docSecret, docTime, docTimestamp, docSignature, docBody, nil},
		{"doc vector 4m59s later", docSecret, docTime.Add(4*time.Minute + 59*time.Second), docTimestamp, docSignature, docBody, nil},
		{"stale: 5m01s later", docSecret, docTime.Add(5*time.Minute + time.Second), docTimestamp, docSignature, docBody, ErrStaleRequest},
		{"from the future", docSecret, docTime.Add(-6 * time.Minute), docTimestamp, docSignature, docBody, ErrStaleRequest},
		{"wrong secret", "another-secret", docTime, docTimestamp, docSignature, docBody, ErrBadSignature},
		{"body changed", docSecret, docTime, docTimestamp, docSignature, docBody + "&x=1", ErrBadSignature},
		{"timestamp changed", docSecret, docTime, "1531420619", docSignature, docBody, ErrBadSignature},
		{"no v0 prefix", docSecret, docTime, docTimestamp, docSignature[3:], docBody, ErrBadSignature},
		{"not hex", docSecret, docTime, docTimestamp, "v0=zz", docBody, ErrBadSignature},
		{"missing signature", docSecret, docTime, docTimestamp, "", docBody, ErrBadSignature},
		{"missing timestamp", docSecret, docTime, "", docSignature, docBody, ErrStaleRequest},
		{"garbage timestamp", docSecret, docTime, "12ab", docSignature, docBody, ErrStaleRequest},
		{"no secret configured", "", docTime, docTimestamp, docSignature, docBody, ErrBadSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &Verifier{Secret: []byte(tc.secret), Now: func() time.Time { return tc.now }}
			h := http.Header{}
			h.Set(HeaderTimestamp, tc.timestamp)
			h.Set(HeaderSignature, tc.signature)
			err := v.Verify(h, []byte(tc.body))
			if tc.want == nil && err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("Verify: got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSignatureHeaderMatchesDocVector(t *testing.T) {
	if got := SignatureHeader([]byte(docSecret), docTimestamp, []byte(docBody)); got != docSignature {
		t.Fatalf("SignatureHeader = %s, want %s", got, docSignature)
	}
}

func FuzzVerify(f *testing.F) {
	f.Add(docTimestamp, docSignature, []byte(docBody))
	f.Add("", "", []byte{})
	f.Add("-1", "v0=", []byte("{}"))
	f.Add("99999999999999999999", "v0=00", []byte(`{"type":"url_verification"}`))
	now := time.Unix(1531420618, 0)
	secret := []byte(docSecret)
	f.Fuzz(func(t *testing.T, ts, sig string, body []byte) {
		v := &Verifier{Secret: secret, Now: func() time.Time { return now }}
		err := v.VerifyValues(ts, sig, body)
		if err == nil {
			// Accepted only with the right signature and a fresh timestamp.
			if SignatureHeader(secret, ts, body) != sig {
				t.Fatalf("accepted a wrong signature %q", sig)
			}
			n, perr := strconv.ParseInt(ts, 10, 64)
			if perr != nil || now.Sub(time.Unix(n, 0)).Abs() > DefaultSignatureWindow {
				t.Fatalf("accepted a stale timestamp %q", ts)
			}
		} else if !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrStaleRequest) {
			t.Fatalf("unclassified error %v", err)
		}
		// A correctly signed body always verifies when fresh.
		fresh := strconv.FormatInt(now.Unix(), 10)
		if err := v.VerifyValues(fresh, SignatureHeader(secret, fresh, body), body); err != nil {
			t.Fatalf("correct signature rejected: %v", err)
		}
	})
}
