package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/ingest/webhook"
)

// MaxWebhookBytes bounds a webhook body.
const MaxWebhookBytes = 2 << 20

// WebhookOptions configure WebhookHandler.
type WebhookOptions struct {
	// Sources are the tracking providers, each served at
	// /v1/webhooks/{Name()}.
	Sources []webhook.Source
	// Log receives JSON logs; nil discards.
	Log *slog.Logger
	// Metrics; nil records nothing.
	Metrics *Metrics
}

// WebhookHandler serves POST /v1/webhooks/{provider}: a provider's
// tracking webhook, authenticated by the provider's signature over the
// raw body (not the bearer token, which providers cannot send). A missing
// or wrong signature is 401 and nothing is queued; a provider without its
// secret configured is 503. A verified webhook becomes shipment_status
// events (202 with accepted and duplicates); one that reports no tracking
// is accepted, counted and ignored.
func WebhookHandler(pub EventPublisher, o WebhookOptions) http.Handler {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sources := map[string]webhook.Source{}
	for _, s := range o.Sources {
		sources[s.Name()] = s
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/webhooks/{provider}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("provider")
		src, ok := sources[name]
		if !ok {
			writeJSON(w, http.StatusNotFound, errorBody{Error: fmt.Sprintf("no webhook source %q", name)})
			return
		}
		if !src.Configured() {
			writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: name + " webhooks are disabled: its webhook secret is not set"})
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBytes))
		if err != nil {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{Error: fmt.Sprintf("body larger than %d bytes or unreadable", MaxWebhookBytes)})
			return
		}
		if err := src.Verify(r.Header, body); err != nil {
			o.Metrics.rejected()
			log.Warn("webhook signature rejected", "provider", name, "remote", r.RemoteAddr)
			writeJSON(w, http.StatusUnauthorized, errorBody{Error: name + " webhook signature missing or wrong"})
			return
		}
		events, err := WebhookEvents(src, body)
		if err != nil {
			o.Metrics.rejected()
			var v *ValidationError
			if errors.As(err, &v) {
				writeJSON(w, http.StatusBadRequest, errorBody{Error: v.Error(), Errors: v.Messages()})
				return
			}
			writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error()})
			return
		}
		if len(events) == 0 {
			if o.Metrics != nil {
				o.Metrics.Ignored.WithLabelValues("webhook", "not_tracking").Inc()
			}
			writeJSON(w, http.StatusAccepted, Result{Duplicates: []string{}})
			return
		}
		res, err := pub.Publish(r.Context(), events)
		if err != nil {
			log.Error("webhook events not published", "provider", name, "err", err)
			writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: "events not queued; retry: " + err.Error()})
			return
		}
		writeJSON(w, http.StatusAccepted, res)
	})
	mux.HandleFunc("/v1/webhooks/", methodNotAllowed)
	return mux
}

// WebhookEvents maps a verified webhook body onto validated events.
func WebhookEvents(src webhook.Source, body []byte) ([]connectors.Event, error) {
	trs, err := src.Parse(body)
	if err != nil {
		return nil, err
	}
	out := make([]connectors.Event, 0, len(trs))
	for _, tr := range trs {
		raw, err := json.Marshal(webhook.Event(tr))
		if err != nil {
			return nil, err
		}
		ev, err := ParseEvent(raw)
		if err != nil {
			return nil, locate(err, src.Name())
		}
		out = append(out, ev)
	}
	return out, nil
}
