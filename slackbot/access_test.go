package slackbot

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exdesk/exdesk/agent"
)

// countingPlanner counts investigations.
type countingPlanner struct {
	agent.Planner
	n atomic.Int64
}

func (p *countingPlanner) Plan(ctx context.Context, req agent.Request) (*agent.Draft, error) {
	p.n.Add(1)
	return p.Planner.Plan(ctx, req)
}

// ephemeralTo waits for an ephemeral message to user containing want.
func ephemeralTo(t *testing.T, w *world, user, want string) {
	t.Helper()
	eventually(t, 5*time.Second, "an ephemeral note to "+user+" saying "+want, func() bool {
		for _, c := range w.slack.Calls("chat.postEphemeral") {
			if c.Args.Get("user") == user && strings.Contains(c.Args.Get("text"), want) {
				return true
			}
		}
		return false
	})
}

func TestWhoMayAsk(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *world) map[string]any
		want  string
	}{
		{"guest account", func(w *world) map[string]any {
			w.slack.users["U0GUEST"] = map[string]any{"is_restricted": true}
			return mention(testChannel, "1700000200.000001", "", "U0GUEST", "why is SO-10047 blocked?")
		}, "guest accounts"},
		{"Slack Connect user of another organisation", func(w *world) map[string]any {
			ev := mention(testChannel, "1700000200.000002", "", "U0EXT", "why is SO-10047 blocked?")
			ev["user_team"] = "T0OTHER"
			return ev
		}, "other organisations"},
		{"channel not allowed", func(w *world) map[string]any {
			w.cfg.Access.Channels = []string{"C0ELSEWHERE"}
			return mention(testChannel, "1700000200.000003", "", "U0ASK", "why is SO-10047 blocked?")
		}, "not one exdesk answers in"},
		{"workspace not allowed", func(w *world) map[string]any {
			w.cfg.Access.Teams = []string{"T0ACME"}
			return mention(testChannel, "1700000200.000004", "", "U0ASK", "why is SO-10047 blocked?")
		}, "workspace is not allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, creditCase)
			plans := &countingPlanner{Planner: w.inv.Planner}
			w.inv.Planner = plans
			ev := tc.setup(w)
			in := w.start("a")
			in.postEvent(t, "EvAcc", ev, 0)
			ephemeralTo(t, w, ev["user"].(string), tc.want)
			time.Sleep(100 * time.Millisecond)
			if n := plans.n.Load(); n != 0 {
				t.Errorf("a refused question was investigated %d times", n)
			}
			if posts := w.slack.Calls("chat.postMessage"); len(posts) != 0 {
				t.Errorf("order data posted to a refused asker: %+v", posts)
			}
		})
	}
}

func TestQuestionsAreRateLimitedPerUser(t *testing.T) {
	w := newWorld(t, creditCase)
	w.cfg.Limits.QuestionsPerMinute = 2
	plans := &countingPlanner{Planner: w.inv.Planner}
	w.inv.Planner = plans
	in := w.start("a")
	for i := range 3 {
		in.postEvent(t, "EvRL"+string(rune('a'+i)), mention(testChannel, "1700000300.00000"+string(rune('1'+i)), "", "U0BUSY", "SO-10047?"), 0)
	}
	ephemeralTo(t, w, "U0BUSY", "questions in the last minute")
	// Another user is not held back.
	ask(t, w, in, "EvRLother", "1700000300.000009", "SO-10047?")
}

// Replies in a case's thread without a mention or an order id are not
// investigated again: "thanks" gets nothing; a question about the case's
// actions is answered from the case as it stands. Nothing executes.
func TestPlainRepliesAreNotInvestigated(t *testing.T) {
	w := newWorld(t, creditCase)
	plans := &countingPlanner{Planner: w.inv.Planner}
	w.inv.Planner = plans
	in := w.start("a")
	root := "1700000400.000001"
	ask(t, w, in, "EvP1", root, "why is SO-10047 on hold?")
	before := plans.n.Load()
	reply := func(id, ts, text string) {
		in.postEvent(t, id, map[string]any{"type": "message", "user": "U0ASK", "text": text, "ts": ts, "thread_ts": root,
			"channel": testChannel, "channel_type": "channel"}, 0)
	}
	reply("EvP2", "1700000400.000002", "thanks!")
	reply("EvP3", "1700000400.000003", "ok")
	reply("EvP4", "1700000400.000004", "can we release the hold?")
	defer func() {
		if t.Failed() {
			for _, m := range w.slack.Thread(testChannel, root) {
				t.Logf("thread: %q", m.Text)
			}
			for _, c := range w.slack.Calls("chat.postEphemeral") {
				t.Logf("ephemeral: %q", c.Args.Get("text"))
			}
		}
	}()
	eventually(t, 5*time.Second, "the answer from the case", func() bool {
		for _, m := range w.slack.Thread(testChannel, root) {
			if strings.Contains(m.Text, "Follow-up") && strings.Contains(m.Text, "as it stands") {
				return true
			}
		}
		return false
	})
	time.Sleep(100 * time.Millisecond)
	if n := plans.n.Load() - before; n != 0 {
		t.Errorf("plain replies ran %d investigations", n)
	}
	for _, m := range w.slack.Thread(testChannel, root) {
		if strings.Contains(m.Text, "thanks") {
			t.Errorf("\"thanks\" got an answer: %q", m.Text)
		}
	}
	if n := w.exec.attempts.Load(); n != 0 {
		t.Errorf("questions executed %d actions", n)
	}
}
