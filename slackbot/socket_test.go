package slackbot

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/socketmode"
)

type recordingAcker struct {
	mu   sync.Mutex
	acks []string
	last []any
}

func (r *recordingAcker) Ack(req socketmode.Request, payload ...any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.acks = append(r.acks, req.EnvelopeID)
	r.last = payload
	return nil
}

func TestSocketModeAcksAndDedupes(t *testing.T) {
	w := newWorld(t, creditCase)
	in := w.start("a")
	ack := &recordingAcker{}
	payload, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": "EvS1",
		"event": mention(testChannel, "1700000008.000001", "", "U0ASK", "SO-10047")})
	for i, env := range []string{"env-1", "env-2"} { // a redelivery carries the same event id
		in.bot.socketEvent(context.Background(), ack, socketmode.Event{Type: socketmode.EventTypeEventsAPI,
			Request: &socketmode.Request{Type: "events_api", EnvelopeID: env, Payload: payload, RetryAttempt: i}})
	}
	cmd, _ := json.Marshal(map[string]any{"command": "/exdesk", "text": "", "channel_id": testChannel, "user_id": "U0ASK"})
	in.bot.socketEvent(context.Background(), ack, socketmode.Event{Type: socketmode.EventTypeSlashCommand,
		Request: &socketmode.Request{Type: "slash_commands", EnvelopeID: "env-3", Payload: cmd}})
	if len(ack.acks) != 3 {
		t.Fatalf("acks %v", ack.acks)
	}
	if b, _ := json.Marshal(ack.last); !strings.Contains(string(b), "SO-10042") {
		t.Fatalf("empty command not answered with usage: %s", b)
	}
	eventually(t, 10*time.Second, "the case", func() bool {
		return len(caseMessages(w.slack.Thread(testChannel, "1700000008.000001"))) == 1
	})
	time.Sleep(100 * time.Millisecond)
	if n := len(caseMessages(w.slack.Thread(testChannel, "1700000008.000001"))); n != 1 {
		t.Fatalf("answered %d times", n)
	}
}

// FuzzPayloads posts arbitrary, correctly signed bodies to every endpoint:
// nothing panics, and the answer is 200, 400 or 503.
func FuzzPayloads(f *testing.F) {
	f.Add(0, []byte(`{"type":"event_callback","event_id":"E1","event":{"type":"app_mention","user":"U1","text":"SO-1","ts":"1.1","channel":"C1"}}`))
	f.Add(1, []byte(`payload=%7B%22type%22%3A%22block_actions%22%2C%22actions%22%3A%5B%7B%22action_id%22%3A%22approve%22%2C%22value%22%3A%22p_x%22%7D%5D%7D`))
	f.Add(1, []byte(`payload=%7B%22type%22%3A%22view_submission%22%2C%22view%22%3A%7B%22callback_id%22%3A%22exdesk_reject%22%2C%22private_metadata%22%3A%22%7B%7D%22%7D%7D`))
	f.Add(2, []byte(docBody))
	f.Add(0, []byte(`{"type":"url_verification","challenge":"x"}`))
	f.Add(1, []byte(`payload=%ZZ`))
	f.Add(0, []byte(`{"type":"event_callback","event_id":"E2","event":"not an object"}`))
	t := &testing.T{}
	w := newWorld(t, creditCase)
	in := w.start("fuzz")
	f.Cleanup(in.stop)
	paths := []string{"/slack/events", "/slack/interactivity", "/slack/commands"}
	f.Fuzz(func(t *testing.T, which int, body []byte) {
		path := paths[(which%3+3)%3]
		code, _ := do(t, signedRequest(t, in.srv.URL, path, "application/octet-stream", body, testSecret, time.Now().Unix()))
		if code != http.StatusOK && code != http.StatusBadRequest && code != http.StatusServiceUnavailable {
			t.Fatalf("%s answered %d", path, code)
		}
	})
}
