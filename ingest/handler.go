package ingest

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/ingest/cloudevents"
)

// EventPublisher publishes validated events; *Publisher implements it.
type EventPublisher interface {
	Publish(ctx context.Context, events []connectors.Event) (Result, error)
}

// HandlerOptions configure Handler.
type HandlerOptions struct {
	// Token is the bearer token sources must send (EXDESK_INGEST_TOKEN).
	// Empty disables the endpoint: every request gets 503.
	Token string
	// Log receives JSON logs; nil discards.
	Log *slog.Logger
	// Metrics; nil records nothing.
	Metrics *Metrics
}

// Handler serves POST /v1/events: a JSON body with one event or an array of
// events, or CloudEvents (structured, batch or binary mode; see package
// cloudevents), authorised by "Authorization: Bearer <token>". The whole batch is
// validated first; any bad event gets 400 naming each bad field
// (events[2].order_id: required) and nothing of the batch is published.
// A good batch is published and answered 202 with the number accepted and
// the ids that were duplicates (accepted, not processed again).
func Handler(pub EventPublisher, o HandlerOptions) http.Handler {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &handler{pub: pub, token: []byte(o.Token), log: log, m: o.Metrics}
	mux := http.NewServeMux()
	mux.Handle("POST /v1/events", h)
	mux.HandleFunc("/v1/events", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "use POST"})
	})
	return mux
}

type handler struct {
	pub   EventPublisher
	token []byte
	log   *slog.Logger
	m     *Metrics
}

type errorBody struct {
	Error  string   `json:"error"`
	Errors []string `json:"errors,omitempty"`
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(h.token) == 0 {
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: "event ingest is disabled: set EXDESK_INGEST_TOKEN"})
		return
	}
	if !h.authorised(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="exdesk ingest"`)
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: "missing or wrong bearer token"})
		return
	}
	mode := cloudevents.ModeOf(r.Header)
	if ct := r.Header.Get("Content-Type"); mode == cloudevents.ModeNone && ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		writeJSON(w, http.StatusUnsupportedMediaType, errorBody{Error: "send application/json, " + cloudevents.ContentTypeStructured +
			" or " + cloudevents.ContentTypeBatch})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{Error: fmt.Sprintf("body larger than %d bytes", MaxBodyBytes)})
			return
		}
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "reading body: " + err.Error()})
		return
	}
	if mode != cloudevents.ModeNone {
		h.serveCloudEvents(w, r, body)
		return
	}
	events, err := ParseEvents(body)
	if err != nil {
		var v *ValidationError
		if errors.As(err, &v) {
			if h.m != nil {
				h.m.Received.WithLabelValues("rejected").Inc()
			}
			h.log.Info("events rejected", "problems", len(v.Problems), "first", v.Error(), "remote", r.RemoteAddr)
			writeJSON(w, http.StatusBadRequest, errorBody{Error: v.Error(), Errors: v.Messages()})
			return
		}
		writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error()})
		return
	}
	res, err := h.pub.Publish(r.Context(), events)
	if err != nil {
		h.log.Error("events not published", "count", len(events), "err", err)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: "events not queued; retry: " + err.Error()})
		return
	}
	h.log.Debug("events accepted", "accepted", res.Accepted, "duplicates", len(res.Duplicates))
	writeJSON(w, http.StatusAccepted, res)
}

// authorised compares the bearer token in constant time.
func (h *handler) authorised(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(auth) < len(prefix) || !strings.EqualFold(auth[:len(prefix)], prefix) {
		return false
	}
	got := []byte(strings.TrimSpace(auth[len(prefix):]))
	return subtle.ConstantTimeCompare(got, h.token) == 1
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
