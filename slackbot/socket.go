package slackbot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// RunSocketMode receives events, interactions and commands over Socket Mode
// (SLACK_APP_TOKEN, xapp-…) until ctx ends. Each request is acknowledged on
// the socket at once and handled exactly as in HTTP mode (same dedupe, same
// queue). api must carry the app-level token (slack.OptionAppLevelToken).
func (b *Bot) RunSocketMode(ctx context.Context, api *slack.Client) error {
	client := socketmode.New(api)
	errc := make(chan error, 1)
	go func() { errc <- client.RunContext(ctx) }()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("socket mode: %w", err)
		case ev, ok := <-client.Events:
			if !ok {
				return nil
			}
			b.socketEvent(ctx, client, ev)
		}
	}
}

// socketAcker acknowledges a socket-mode request.
type socketAcker interface {
	Ack(req socketmode.Request, payload ...any) error
}

func (b *Bot) socketEvent(ctx context.Context, client socketAcker, ev socketmode.Event) {
	switch ev.Type {
	case socketmode.EventTypeConnected:
		b.log.Info("socket mode connected")
		return
	case socketmode.EventTypeInvalidAuth:
		b.log.Error("socket mode: invalid app token")
		return
	case socketmode.EventTypeConnectionError:
		b.log.Warn("socket mode connection error; reconnecting")
		return
	}
	req := ev.Request
	if req == nil || req.EnvelopeID == "" {
		return
	}
	switch ev.Type {
	case socketmode.EventTypeEventsAPI:
		var env envelope
		if err := json.Unmarshal(req.Payload, &env); err != nil {
			_ = client.Ack(*req)
			return
		}
		status, result := b.acceptEvent(ctx, env, strconv.Itoa(req.RetryAttempt))
		if status < 500 {
			_ = client.Ack(*req) // a busy bot leaves it unacknowledged: Slack redelivers
		}
		b.m.Requests.WithLabelValues("socket_events", result).Inc()
	case socketmode.EventTypeInteractive:
		status, result := b.acceptInteraction(ctx, req.Payload)
		if status < 500 {
			_ = client.Ack(*req)
		}
		b.m.Requests.WithLabelValues("socket_interactivity", result).Inc()
	case socketmode.EventTypeSlashCommand:
		var cmd slack.SlashCommand
		if err := json.Unmarshal(req.Payload, &cmd); err != nil {
			_ = client.Ack(*req)
			return
		}
		msg, _, result := b.acceptCommand(ctx, cmd)
		if msg != "" {
			_ = client.Ack(*req, map[string]string{"response_type": "ephemeral", "text": msg})
		} else {
			_ = client.Ack(*req)
		}
		b.m.Requests.WithLabelValues("socket_commands", result).Inc()
	default:
		_ = client.Ack(*req)
	}
}
