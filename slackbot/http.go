package slackbot

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// maxBody bounds a Slack request body (Slack's payloads are far smaller).
const maxBody = 1 << 20

// Handler serves Slack's HTTP endpoints:
//
//	POST /slack/events         Events API (url_verification, event_callback)
//	POST /slack/interactivity  button clicks and modal submissions
//	POST /slack/commands       the /exdesk slash command
//
// Each request's signature is verified before anything is parsed; a bad or
// stale one gets 401 and nothing happens. Work is queued and the request
// acknowledged at once.
func (b *Bot) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/events", b.signed("events", b.serveEvents))
	mux.HandleFunc("POST /slack/interactivity", b.signed("interactivity", b.serveInteractivity))
	mux.HandleFunc("POST /slack/commands", b.signed("commands", b.serveCommand))
	return mux
}

// signed reads the body, verifies the signature and times the acknowledgement.
func (b *Bot) signed(endpoint string, next func(w http.ResponseWriter, r *http.Request, body []byte) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		began := time.Now()
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			b.m.Requests.WithLabelValues(endpoint, "bad_request").Inc()
			http.Error(w, "request body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		if err := b.verify.Verify(r.Header, body); err != nil {
			b.m.Requests.WithLabelValues(endpoint, "bad_signature").Inc()
			b.log.Warn("slack request rejected", "endpoint", endpoint, "reason", err.Error(), "remote", r.RemoteAddr)
			http.Error(w, "invalid slack signature", http.StatusUnauthorized)
			return
		}
		result := next(w, r, body)
		b.m.Requests.WithLabelValues(endpoint, result).Inc()
		b.m.AckSeconds.WithLabelValues(endpoint).Observe(time.Since(began).Seconds())
	}
}

// envelope is the outer Events API payload, parsed only as far as the
// acknowledgement needs.
type envelope struct {
	Type      string          `json:"type"`
	Challenge string          `json:"challenge"`
	EventID   string          `json:"event_id"`
	TeamID    string          `json:"team_id"`
	Event     json.RawMessage `json:"event"`
}

func (b *Bot) serveEvents(w http.ResponseWriter, r *http.Request, body []byte) string {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		http.Error(w, "malformed event payload", http.StatusBadRequest)
		return "bad_request"
	}
	switch env.Type {
	case "url_verification":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"challenge": env.Challenge})
		return "ok"
	case "event_callback":
	default:
		w.WriteHeader(http.StatusOK)
		return "ignored"
	}
	status, result := b.acceptEvent(r.Context(), env, r.Header.Get(HeaderRetryNum))
	w.WriteHeader(status)
	return result
}

// acceptEvent claims the event id and queues the event. It returns the HTTP
// status to answer with and the result label.
func (b *Bot) acceptEvent(ctx context.Context, env envelope, retry string) (int, string) {
	if env.EventID == "" || len(env.Event) == 0 {
		return http.StatusBadRequest, "bad_request"
	}
	first, err := b.mem.Claim(ctx, "event", env.EventID)
	if err != nil {
		b.log.Error("event dedupe unavailable; asking Slack to retry", "event_id", env.EventID, "err", err)
		return http.StatusServiceUnavailable, "busy"
	}
	if !first {
		b.log.Info("duplicate event answered once", "event_id", env.EventID, "retry_num", retry)
		return http.StatusOK, "duplicate"
	}
	received := time.Now()
	raw, team := env.Event, env.TeamID
	if !b.submit("event "+env.EventID, func(ctx context.Context) { b.handleEvent(ctx, env.EventID, team, raw, received) }) {
		_ = b.mem.Unclaim(ctx, "event", env.EventID)
		b.log.Warn("work queue full; asking Slack to retry", "event_id", env.EventID)
		return http.StatusServiceUnavailable, "busy"
	}
	return http.StatusOK, "ok"
}

func (b *Bot) serveCommand(w http.ResponseWriter, r *http.Request, body []byte) string {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed command payload", http.StatusBadRequest)
		return "bad_request"
	}
	cmd := slack.SlashCommand{Command: v.Get("command"), Text: v.Get("text"), ChannelID: v.Get("channel_id"),
		UserID: v.Get("user_id"), TeamID: v.Get("team_id"), TriggerID: v.Get("trigger_id"), ResponseURL: v.Get("response_url")}
	msg, status, result := b.acceptCommand(r.Context(), cmd)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if msg != "" {
		_ = json.NewEncoder(w).Encode(map[string]string{"response_type": "ephemeral", "text": msg})
	}
	return result
}

func (b *Bot) serveInteractivity(w http.ResponseWriter, r *http.Request, body []byte) string {
	v, err := url.ParseQuery(string(body))
	if err != nil || v.Get("payload") == "" {
		http.Error(w, "malformed interaction payload", http.StatusBadRequest)
		return "bad_request"
	}
	status, result := b.acceptInteraction(r.Context(), []byte(v.Get("payload")))
	w.WriteHeader(status)
	return result
}

func commandUsage(cmd string) string {
	if cmd == "" {
		cmd = "/exdesk"
	}
	return "Ask about an order: `" + cmd + " SO-10042` or `" + cmd + " why is SO-10042 blocked?`; `" + cmd + " queue` lists what waits on your roles"
}

func trimMention(text string) string {
	// Remove leading mentions such as "<@U123> ".
	for {
		text = strings.TrimSpace(text)
		if !strings.HasPrefix(text, "<@") {
			return text
		}
		i := strings.IndexByte(text, '>')
		if i < 0 {
			return text
		}
		text = text[i+1:]
	}
}
