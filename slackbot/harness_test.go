package slackbot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store/sqlite"
)

const (
	testSecret  = "test-signing-secret"
	testChannel = "C0EXC"
	supervisor  = "U0SUP"
	director    = "U0DIR"
	planner     = "U0PLAN"
	groupMember = "U0GRP"
)

const testConfig = `
channels:
  default: C0EXC
  credit_hold: C0FIN
roles:
  finance_supervisor:
    users: [U0SUP]
    groups: [S0FIN]
  finance_director:
    users: [U0DIR]
    includes: [finance_supervisor]
  logistics_supervisor:
    users: [U0LOG]
  planner:
    users: [U0PLAN]
`

// countingExecutor counts executions that reached the connector and were
// not replays, to prove exactly-once execution.
type countingExecutor struct {
	inner    connectors.Executor
	applied  atomic.Int64
	attempts atomic.Int64
}

func (c *countingExecutor) Execute(ctx context.Context, a connectors.Action) (connectors.Execution, error) {
	c.attempts.Add(1)
	e, err := c.inner.Execute(ctx, a)
	if err == nil && !e.Replayed {
		c.applied.Add(1)
	}
	return e, err
}

// world is what the bots of a test share: Slack, Redis, the store file
// and the connector.
type world struct {
	t      *testing.T
	slack  *fakeSlack
	redis  *miniredis.Miniredis
	dbPath string
	conn   *recorded.Connector
	exec   *countingExecutor
	inv    *agent.Investigator
	cfg    *Config
}

func newWorld(t *testing.T, caseFile string) *world {
	t.Helper()
	conn, err := recorded.Load(filepath.Join("testdata", caseFile))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	sys := conn.Systems()
	exec := &countingExecutor{inner: sys.Executor}
	sys.Executor = exec
	cfg, err := ParseConfig([]byte(testConfig))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, slack: newFakeSlack(t), redis: miniredis.RunT(t), dbPath: filepath.Join(t.TempDir(), "exdesk.db"),
		conn: conn, exec: exec, cfg: cfg,
		inv: &agent.Investigator{Planner: agent.Playbook{}, Systems: sys, Guard: policy.NewGuard(engine, sys)}}
	w.slack.groups["S0FIN"] = []string{groupMember}
	return w
}

// instance is one running bot (a replica) with its HTTP server.
type instance struct {
	bot *Bot
	srv *httptest.Server
	rdb *redis.Client
	db  *sqlite.Store
	now atomic.Int64 // unix seconds for the signature clock; 0: real time
}

func (w *world) start(name string, opts ...func(*Options)) *instance {
	w.t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, w.dbPath, sqlite.Options{})
	if err != nil {
		w.t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: w.redis.Addr()})
	api := slack.New("xoxb-test", slack.OptionAPIURL(w.slack.URL()))
	in := &instance{rdb: rdb, db: db}
	o := Options{Slack: api, Store: db, Redis: rdb, Investigator: w.inv, Config: w.cfg, SigningSecret: testSecret,
		ChannelInterval: 5 * time.Millisecond, Instance: name, Workers: 8,
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Now: func() time.Time {
			if s := in.now.Load(); s != 0 {
				return time.Unix(s, 0)
			}
			return time.Now()
		}}
	for _, f := range opts {
		f(&o)
	}
	bot, err := New(o)
	if err != nil {
		w.t.Fatal(err)
	}
	in.bot = bot
	in.srv = httptest.NewServer(bot.Handler())
	w.t.Cleanup(in.stop)
	return in
}

func (in *instance) stop() {
	if in.srv == nil {
		return
	}
	in.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = in.bot.Close(ctx)
	_ = in.rdb.Close()
	_ = in.db.Close()
	in.srv = nil
}

// signedRequest builds a request signed with secret at timestamp ts.
func signedRequest(t testing.TB, base, path, contentType string, body []byte, secret string, ts int64) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	stamp := strconv.FormatInt(ts, 10)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set(HeaderTimestamp, stamp)
	req.Header.Set(HeaderSignature, SignatureHeader([]byte(secret), stamp, body))
	return req
}

func do(t testing.TB, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// postEvent posts a signed Events API callback and returns the status.
func (in *instance) postEvent(t testing.TB, eventID string, inner map[string]any, retry int) int {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"type": "event_callback", "team_id": "T1", "api_app_id": "A1",
		"event_id": eventID, "event_time": time.Now().Unix(), "event": inner})
	req := signedRequest(t, in.srv.URL, "/slack/events", "application/json", body, testSecret, time.Now().Unix())
	if retry > 0 {
		req.Header.Set(HeaderRetryNum, strconv.Itoa(retry))
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	code, _ := do(t, req)
	return code
}

// click posts a signed block_actions payload for a button.
func (in *instance) click(t testing.TB, user, actionID, proposalID, channel, ts string) int {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "trigger_id": fmt.Sprintf("trig-%d", time.Now().UnixNano()),
		"channel":   map[string]any{"id": channel},
		"container": map[string]any{"type": "message", "channel_id": channel, "message_ts": ts},
		"message":   map[string]any{"ts": ts},
		"actions":   []map[string]any{{"action_id": actionID, "block_id": "p:" + proposalID, "value": proposalID, "type": "button"}},
	})
	body := []byte(url.Values{"payload": {string(payload)}}.Encode())
	code, _ := do(t, signedRequest(t, in.srv.URL, "/slack/interactivity", "application/x-www-form-urlencoded", body, testSecret, time.Now().Unix()))
	return code
}

// submitReject posts a signed view_submission of the reject modal.
func (in *instance) submitReject(t testing.TB, user, privateMetadata, reason string) int {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"type": "view_submission", "user": map[string]any{"id": user},
		"view": map[string]any{"id": "V1", "callback_id": CallbackReject, "private_metadata": privateMetadata,
			"state": map[string]any{"values": map[string]any{rejectBlockID: map[string]any{rejectInputID: map[string]any{"type": "plain_text_input", "value": reason}}}}},
	})
	body := []byte(url.Values{"payload": {string(payload)}}.Encode())
	code, _ := do(t, signedRequest(t, in.srv.URL, "/slack/interactivity", "application/x-www-form-urlencoded", body, testSecret, time.Now().Unix()))
	return code
}

// command posts a signed /exdesk slash command.
func (in *instance) command(t testing.TB, user, channel, text string) (int, string) {
	t.Helper()
	body := []byte(url.Values{"command": {"/exdesk"}, "text": {text}, "channel_id": {channel}, "user_id": {user},
		"trigger_id": {fmt.Sprintf("trig-%d", time.Now().UnixNano())}, "response_url": {"https://hooks.slack.com/commands/x"}}.Encode())
	return do(t, signedRequest(t, in.srv.URL, "/slack/commands", "application/x-www-form-urlencoded", body, testSecret, time.Now().Unix()))
}

func mention(channel, ts, threadTS, user, text string) map[string]any {
	ev := map[string]any{"type": "app_mention", "user": user, "text": "<@UBOT> " + text, "ts": ts, "channel": channel, "event_ts": ts}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	return ev
}

// eventually waits for cond, failing the test after timeout.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}

// caseMessages returns the thread messages that carry a rendered case.
func caseMessages(msgs []fakeMessage) []fakeMessage {
	var out []fakeMessage
	for _, m := range msgs {
		if strings.Contains(m.Blocks, `"header"`) {
			out = append(out, m)
		}
	}
	return out
}

// buttonValue returns the proposal id of the first button with actionID in blocks.
func buttonValue(t testing.TB, blocks, actionID string) string {
	t.Helper()
	var bl []map[string]any
	if err := json.Unmarshal([]byte(blocks), &bl); err != nil {
		t.Fatalf("blocks: %v", err)
	}
	for _, b := range bl {
		els, _ := b["elements"].([]any)
		for _, e := range els {
			m, _ := e.(map[string]any)
			if m["action_id"] == actionID {
				return m["value"].(string)
			}
		}
	}
	return ""
}

func triggerFor(order string) agent.Trigger {
	return agent.Trigger{Type: agent.TriggerEvent, Event: "hold_placed", OrderID: order}
}
