package ingest

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
)

// gate is what every source endpoint does before reading a request: the
// endpoint is enabled, the bearer token is right (constant time), the
// body fits.
type gate struct {
	token []byte
	log   *slog.Logger
	m     *Metrics
}

func newGate(token string, log *slog.Logger, m *Metrics) *gate {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &gate{token: []byte(token), log: log, m: m}
}

// wrap checks the request and hands the body to next.
func (g *gate) wrap(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(g.token) == 0 {
			writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: "event ingest is disabled: set EXDESK_INGEST_TOKEN"})
			return
		}
		if !bearerOK(r, g.token) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="exdesk ingest"`)
			writeJSON(w, http.StatusUnauthorized, errorBody{Error: "missing or wrong bearer token"})
			return
		}
		body, ok := readBody(w, r)
		if !ok {
			return
		}
		next(w, r, body)
	})
}

// bearerOK compares the bearer token in constant time.
func bearerOK(r *http.Request, token []byte) bool {
	auth := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(auth) < len(prefix) || !strings.EqualFold(auth[:len(prefix)], prefix) {
		return false
	}
	got := []byte(strings.TrimSpace(auth[len(prefix):]))
	return subtle.ConstantTimeCompare(got, token) == 1
}

// readBody reads at most MaxBodyBytes, answering 413 / 400 itself.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{Error: fmt.Sprintf("body larger than %d bytes", MaxBodyBytes)})
			return nil, false
		}
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "reading body: " + err.Error()})
		return nil, false
	}
	return body, true
}

func methodNotAllowed(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Allow", http.MethodPost)
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "use POST"})
}

// rejected counts a rejected request.
func (m *Metrics) rejected() {
	if m != nil {
		m.Received.WithLabelValues("rejected").Inc()
	}
}
