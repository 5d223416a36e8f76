package main

import (
	"log/slog"
	"net/http"
	"time"
	_ "time/tzdata" // EXDESK_X12_TIMEZONE works without a system zone database

	"github.com/exdesk/exdesk/ingest"
	"github.com/exdesk/exdesk/ingest/webhook"
	"github.com/exdesk/exdesk/ingest/x12"
)

// sourcesHelp documents the environment of the source endpoints.
const sourcesHelp = `  EXDESK_EASYPOST_WEBHOOK_SECRET   verifies POST /v1/webhooks/easypost (X-Hmac-Signature);
                        unset: that endpoint answers 503
  EXDESK_AFTERSHIP_WEBHOOK_SECRET  verifies POST /v1/webhooks/aftership (aftership-hmac-sha256)
  EXDESK_X12_INBOUND_SENDERS       comma-separated ISA06/GS02 sender ids whose 856 ship
                        notices are inbound ASNs from suppliers (default: outbound)
  EXDESK_X12_TIMEZONE   IANA zone of X12 local times (AT7/DTM without a time code); default UTC`

// x12Options are the X12 mapping defaults from the environment.
func x12Options(e *env, log *slog.Logger) x12.Options {
	var o x12.Options
	o.InboundSenders = e.cfg.X12InboundSenders
	if tz := e.cfg.X12Timezone; tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			log.Warn("EXDESK_X12_TIMEZONE not understood; X12 local times are read as UTC", "zone", tz, "err", err)
		} else {
			o.Location = loc
		}
	}
	return o
}

// webhookSources are the tracking providers, with their secrets.
func webhookSources(e *env) []webhook.Source {
	return []webhook.Source{
		webhook.EasyPost{Secret: e.cfg.EasyPostSecret},
		webhook.AfterShip{Secret: e.cfg.AfterShipSecret},
	}
}

// mountSources serves the source endpoints beside /v1/events: X12
// interchanges and carrier webhooks.
func mountSources(mux *http.ServeMux, e *env, pub ingest.EventPublisher, log *slog.Logger, m *ingest.Metrics) {
	mux.Handle("/v1/edi/x12", ingest.X12Handler(pub, ingest.X12Options{Token: e.cfg.IngestToken,
		Map: x12Options(e, log), Log: log, Metrics: m}))
	mux.Handle("/v1/webhooks/", ingest.WebhookHandler(pub, ingest.WebhookOptions{Sources: webhookSources(e), Log: log, Metrics: m}))
}
