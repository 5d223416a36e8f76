package slackbot

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"
)

// fakeSlack is slack-go's slacktest server extended with what the bot
// needs and slacktest lacks or answers with a fixed ts: chat.postMessage
// with a unique fractional ts per message and thread bookkeeping,
// chat.update, chat.postEphemeral, assistant.threads.setStatus, views.open,
// conversations.replies and usergroups.users.list, plus 429 injection.
// slacktest serves the rest of the Web API (auth.test, users.info, …).
type fakeSlack struct {
	t   *testing.T
	srv *slacktest.Server

	mu        sync.Mutex
	seq       int64
	calls     []fakeCall
	messages  map[string][]*fakeMessage // by channel
	limited   map[string]int            // method → 429s still to return
	setStatus bool                      // assistant.threads.setStatus succeeds
	groups    map[string][]string
	users     map[string]map[string]any // users.info overrides by user id
}

type fakeCall struct {
	Method string
	Args   url.Values
	JSON   map[string]any
	At     time.Time
	Status int
}

type fakeMessage struct {
	Channel, TS, ThreadTS, Text, Blocks string
	Updates                             int
}

func newFakeSlack(t *testing.T) *fakeSlack {
	t.Helper()
	f := &fakeSlack{t: t, messages: map[string][]*fakeMessage{}, limited: map[string]int{}, groups: map[string][]string{},
		users: map[string]map[string]any{}}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		for _, m := range []string{"chat.postMessage", "chat.update", "chat.postEphemeral", "assistant.threads.setStatus",
			"views.open", "usergroups.users.list", "conversations.replies", "users.info"} {
			c.Handle("/"+m, f.serve)
		}
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

// URL is the API base URL for slack.OptionAPIURL.
func (f *fakeSlack) URL() string { return f.srv.GetAPIURL() }

func (f *fakeSlack) nextTS() string {
	f.seq++
	return fmt.Sprintf("%d.%06d", 1700000000+f.seq/1000000, f.seq%1000000)
}

// rateLimit makes the next n calls of method answer 429 with Retry-After: 1.
func (f *fakeSlack) rateLimit(method string, n int) {
	f.mu.Lock()
	f.limited[method] = n
	f.mu.Unlock()
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/")
	body, _ := io.ReadAll(r.Body)
	call := fakeCall{Method: method, At: time.Now()}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(body, &call.JSON)
	} else {
		call.Args, _ = url.ParseQuery(string(body))
		if q := r.URL.Query(); len(q) > 0 && call.Args == nil {
			call.Args = q
		}
		for k, v := range r.URL.Query() {
			call.Args[k] = v
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := f.limited[method]; n > 0 {
		f.limited[method] = n - 1
		call.Status = http.StatusTooManyRequests
		f.calls = append(f.calls, call)
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	call.Status = http.StatusOK
	f.calls = append(f.calls, call)
	reply := func(v map[string]any) {
		v["ok"] = true
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	fail := func(code string) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": code})
	}
	a := call.Args
	switch method {
	case "chat.postMessage":
		m := &fakeMessage{Channel: a.Get("channel"), TS: f.nextTS(), ThreadTS: a.Get("thread_ts"), Text: a.Get("text"), Blocks: a.Get("blocks")}
		f.messages[m.Channel] = append(f.messages[m.Channel], m)
		reply(map[string]any{"channel": m.Channel, "ts": m.TS, "message": map[string]any{"text": m.Text, "ts": m.TS}})
	case "chat.update":
		for _, m := range f.messages[a.Get("channel")] {
			if m.TS == a.Get("ts") {
				m.Text, m.Blocks = a.Get("text"), a.Get("blocks")
				m.Updates++
				reply(map[string]any{"channel": m.Channel, "ts": m.TS, "text": m.Text})
				return
			}
		}
		fail("message_not_found")
	case "chat.postEphemeral":
		reply(map[string]any{"message_ts": f.nextTS()})
	case "assistant.threads.setStatus":
		if !f.setStatus {
			fail("not_allowed")
			return
		}
		reply(map[string]any{})
	case "views.open":
		reply(map[string]any{"view": map[string]any{"id": "V" + f.nextTS()}})
	case "usergroups.users.list":
		reply(map[string]any{"users": f.groups[a.Get("usergroup")]})
	case "users.info":
		u := map[string]any{"id": a.Get("user"), "team_id": "T1", "name": strings.ToLower(a.Get("user"))}
		for k, v := range f.users[a.Get("user")] {
			u[k] = v
		}
		reply(map[string]any{"user": u})
	case "conversations.replies":
		var msgs []map[string]any
		for _, m := range f.messages[a.Get("channel")] {
			if m.TS == a.Get("ts") || m.ThreadTS == a.Get("ts") {
				msgs = append(msgs, map[string]any{"type": "message", "ts": m.TS, "thread_ts": m.ThreadTS, "text": m.Text})
			}
		}
		reply(map[string]any{"messages": msgs, "has_more": false})
	default:
		fail("unknown_method")
	}
}

// Calls returns the calls of a method (all when method is "").
func (f *fakeSlack) Calls(method string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Thread returns the messages posted in a thread (the root included), oldest first.
func (f *fakeSlack) Thread(channel, ts string) []fakeMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeMessage
	for _, m := range f.messages[channel] {
		if m.TS == ts || m.ThreadTS == ts {
			out = append(out, *m)
		}
	}
	return out
}

// Message returns a message by ts.
func (f *fakeSlack) Message(channel, ts string) (fakeMessage, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.messages[channel] {
		if m.TS == ts {
			return *m, true
		}
	}
	return fakeMessage{}, false
}

// Messages returns every message of a channel.
func (f *fakeSlack) Messages(channel string) []fakeMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]fakeMessage, 0, len(f.messages[channel]))
	for _, m := range f.messages[channel] {
		out = append(out, *m)
	}
	return out
}
