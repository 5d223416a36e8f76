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
	"github.com/exdesk/exdesk/casework"
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
	sys    connectors.Systems
	guard  *policy.Guard
	inv    *agent.Investigator
	cfg    *Config
}

func newWorld(t *testing.T, caseFile string) *world {
	t.Helper()
	return newWorldFrom(t, filepath.Join("testdata", caseFile))
}

// newWorldFrom is newWorld on a case file at any path.
func newWorldFrom(t *testing.T, path string) *world {
	t.Helper()
	conn, err := recorded.Load(path)
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
	guard := policy.NewGuard(engine, sys)
	w := &world{t: t, slack: newFakeSlack(t), redis: miniredis.RunT(t), dbPath: filepath.Join(t.TempDir(), "exdesk.db"),
		conn: conn, exec: exec, cfg: cfg, sys: sys, guard: guard,
		inv: &agent.Investigator{Planner: agent.Playbook{}, Systems: sys, Guard: guard}}
	w.slack.groups["S0FIN"] = []string{groupMember}
	return w
}

// instance is one running bot (a replica) with its HTTP server, its
// Desk and its outbox drainer.
type instance struct {
	bot   *Bot
	desk  *casework.Desk
	srv   *httptest.Server
	rdb   *redis.Client
	db    *sqlite.Store
	now   atomic.Int64 // unix seconds for the signature clock; 0: real time
	stopD context.CancelFunc
	done  chan struct{}
}

// newDesk is a Desk over the world's systems and store db.
func (w *world) newDesk(db *sqlite.Store, notify func()) *casework.Desk {
	w.t.Helper()
	d, err := casework.New(casework.Options{Store: db, Investigator: w.inv, Systems: w.sys, Guard: w.guard, Notify: notify,
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		w.t.Fatal(err)
	}
	return d
}

// openDB opens another handle on the world's store file.
func (w *world) openDB() *sqlite.Store {
	w.t.Helper()
	db, err := sqlite.Open(context.Background(), w.dbPath, sqlite.Options{})
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { _ = db.Close() })
	return db
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
	in := &instance{rdb: rdb, db: db, done: make(chan struct{})}
	wake := make(chan struct{}, 1)
	in.desk = w.newDesk(db, func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	o := Options{Slack: api, Store: db, Redis: rdb, Desk: in.desk, Config: w.cfg, SigningSecret: testSecret,
		ChannelInterval: 5 * time.Millisecond, Instance: name, Workers: 8, DrainEvery: 50 * time.Millisecond,
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
	dctx, cancel := context.WithCancel(context.Background())
	in.stopD = cancel
	go func() {
		for {
			select {
			case <-dctx.Done():
				return
			case <-wake:
				bot.Wake()
			}
		}
	}()
	go func() { defer close(in.done); _ = bot.RunOutbox(dctx) }()
	w.t.Cleanup(in.stop)
	return in
}

// event hands a source event to the replica's Desk, as an ingest worker
// would, and returns what it did.
func (in *instance) event(t testing.TB, ev connectors.Event) casework.EventResult {
	t.Helper()
	if ev.At.IsZero() {
		ev.At = time.Now().UTC()
	}
	res, err := in.desk.HandleEvent(context.Background(), ev)
	if err != nil {
		t.Fatalf("HandleEvent(%s): %v", ev.ID, err)
	}
	in.bot.Wake()
	return res
}

func (in *instance) stop() {
	if in.srv == nil {
		return
	}
	in.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = in.bot.Close(ctx)
	in.stopD()
	<-in.done
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

// holdEvent is an ERP hold_placed event on an order.
func holdEvent(id, order string) connectors.Event {
	return connectors.Event{ID: id, Source: "erp", Type: connectors.EventHoldPlaced, OrderID: order}
}
