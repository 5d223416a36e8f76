package slackbot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/store"
)

const creditCase = "credit-supervisor-01.json" // SO-10047: release_hold needs finance_supervisor

// ask mentions the bot with a question in a new thread and waits for the case.
func ask(t *testing.T, w *world, in *instance, eventID, ts, text string) fakeMessage {
	t.Helper()
	if code := in.postEvent(t, eventID, mention(testChannel, ts, "", "U0ASK", text), 0); code != http.StatusOK {
		t.Fatalf("event answered %d", code)
	}
	var msg fakeMessage
	eventually(t, 10*time.Second, "the case in the thread", func() bool {
		cs := caseMessages(w.slack.Thread(testChannel, ts))
		if len(cs) > 0 {
			msg = cs[0]
			return true
		}
		return false
	})
	return msg
}

func TestBadSignaturesChangeNothing(t *testing.T) {
	w := newWorld(t, creditCase)
	in := w.start("a")
	event, _ := json.Marshal(map[string]any{"type": "event_callback", "event_id": "Ev1", "event": mention(testChannel, "1.1", "", "U0ASK", "SO-10047")})
	now := time.Now().Unix()
	tests := []struct {
		name, path, secret string
		ts                 int64
		mutate             func(*http.Request)
	}{
		{"wrong secret", "/slack/events", "not-the-secret", now, nil},
		{"stale timestamp", "/slack/events", testSecret, now - 301, nil},
		{"future timestamp", "/slack/events", testSecret, now + 301, nil},
		{"missing signature", "/slack/events", testSecret, now, func(r *http.Request) { r.Header.Del(HeaderSignature) }},
		{"tampered body", "/slack/events", testSecret, now, func(r *http.Request) {
			r.Body = http.NoBody
			r.ContentLength = 0
		}},
		{"command, wrong secret", "/slack/commands", "x", now, nil},
		{"interactivity, stale", "/slack/interactivity", testSecret, now - 3600, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := signedRequest(t, in.srv.URL, tc.path, "application/json", event, tc.secret, tc.ts)
			if tc.mutate != nil {
				tc.mutate(req)
			}
			if code, _ := do(t, req); code != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", code)
			}
		})
	}
	time.Sleep(100 * time.Millisecond)
	if calls := w.slack.Calls(""); len(calls) != 0 {
		t.Fatalf("Slack was called after rejected requests: %+v", calls)
	}
	if keys := w.redis.Keys(); len(keys) != 0 {
		t.Fatalf("redis written after rejected requests: %v", keys)
	}
}

func TestStaleSignatureWithInjectedClock(t *testing.T) {
	w := newWorld(t, creditCase)
	in := w.start("a")
	in.now.Store(time.Now().Add(10 * time.Minute).Unix()) // the server's clock runs ahead
	if code := in.postEvent(t, "EvClock", mention(testChannel, "1.2", "", "U0ASK", "SO-10047"), 0); code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", code)
	}
}

func TestURLVerification(t *testing.T) {
	w := newWorld(t, creditCase)
	in := w.start("a")
	body := []byte(`{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	code, resp := do(t, signedRequest(t, in.srv.URL, "/slack/events", "application/json", body, testSecret, time.Now().Unix()))
	if code != http.StatusOK || !strings.Contains(resp, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P") {
		t.Fatalf("got %d %s", code, resp)
	}
}

func TestQuestionAnsweredInItsThread(t *testing.T) {
	w := newWorld(t, creditCase)
	in := w.start("a")
	msg := ask(t, w, in, "EvQ1", "1700000000.000100", "why is SO-10047 blocked?")
	if msg.ThreadTS != "1700000000.000100" {
		t.Fatalf("case posted in thread %q", msg.ThreadTS)
	}
	for _, want := range []string{"SO-10047", "credit hold", "Evidence", "Sources:", "finance supervisor", `"style":"primary"`, `"style":"danger"`, `"confirm"`,
		"\\u003c@U0SUP\\u003e", "\\u003c!subteam^S0FIN\\u003e"} {
		if !strings.Contains(msg.Blocks, want) {
			t.Errorf("case blocks lack %q", want)
		}
	}
	if id := buttonValue(t, msg.Blocks, ActionApprove); !strings.HasPrefix(id, "p_") || strings.Contains(id, "SO-") {
		t.Errorf("approve button value %q is not an opaque proposal id", id)
	}
	if n := len(w.slack.Calls("assistant.threads.setStatus")); n != 1 {
		t.Errorf("setStatus called %d times", n)
	}
	// setStatus is refused outside assistant threads: a status message says it instead.
	eventually(t, 5*time.Second, "the status message, finished", func() bool {
		thread := w.slack.Thread(testChannel, "1700000000.000100")
		return strings.Contains(thread[0].Text, "looked at SO-10047") && thread[0].Updates > 0 && thread[0].ThreadTS == "1700000000.000100"
	})
}

func TestStatusViaAssistantThreads(t *testing.T) {
	w := newWorld(t, creditCase)
	w.slack.setStatus = true
	in := w.start("a")
	ask(t, w, in, "EvQ2", "1700000000.000200", "SO-10047?")
	time.Sleep(50 * time.Millisecond)
	thread := w.slack.Thread(testChannel, "1700000000.000200")
	if len(thread) != 1 {
		t.Fatalf("thread has %d messages, want only the case (status via setStatus)", len(thread))
	}
	calls := w.slack.Calls("assistant.threads.setStatus")
	if len(calls) != 1 || !strings.Contains(calls[0].Args.Get("status"), "looking at SO-10047") {
		t.Fatalf("setStatus calls %+v", calls)
	}
}

func TestRetriesAndDuplicateEventsAnsweredOnce(t *testing.T) {
	w := newWorld(t, creditCase)
	a := w.start("a")
	b := w.start("b") // a retry may reach another replica
	ev := mention(testChannel, "1700000000.000300", "", "U0ASK", "SO-10047 please")
	for i, in := range []*instance{a, a, b, b, a} {
		if code := in.postEvent(t, "EvDup", ev, i); code != http.StatusOK {
			t.Fatalf("delivery %d answered %d", i, code)
		}
	}
	eventually(t, 10*time.Second, "the case", func() bool {
		return len(caseMessages(w.slack.Thread(testChannel, "1700000000.000300"))) > 0
	})
	time.Sleep(300 * time.Millisecond)
	if n := len(caseMessages(w.slack.Thread(testChannel, "1700000000.000300"))); n != 1 {
		t.Fatalf("answered %d times, want once", n)
	}
	if n := len(w.slack.Calls("assistant.threads.setStatus")); n != 1 {
		t.Fatalf("investigated %d times", n)
	}
}

func TestFollowUpUsesTheThread(t *testing.T) {
	w := newWorld(t, "shortage-alt-approval-01.json")
	in := w.start("a")
	root := "1700000000.000400"
	ask(t, w, in, "EvF1", root, "why is SO-10103 late?")
	// The follow-up names no order: the thread's order is meant.
	if code := in.postEvent(t, "EvF2", mention(testChannel, "1700000000.000401", root, "U0ASK", "what if we ship from the other warehouse?"), 0); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	var answer fakeMessage
	eventually(t, 10*time.Second, "the follow-up answer", func() bool {
		for _, m := range w.slack.Thread(testChannel, root) {
			if strings.Contains(m.Text, "Follow-up") {
				answer = m
				return true
			}
		}
		return false
	})
	for _, want := range []string{"Follow-up", "ship line 1 from DC-ATL", "a logistics supervisor"} {
		if !strings.Contains(answer.Text, want) {
			t.Errorf("follow-up lacks %q: %s", want, answer.Text)
		}
	}
	if answer.ThreadTS != root {
		t.Errorf("follow-up in thread %q", answer.ThreadTS)
	}
	// The thread's history is in Redis with a TTL.
	th, err := in.bot.mem.LoadThread(context.Background(), testChannel, root)
	if err != nil || th.OrderID != "SO-10103" || len(th.Turns) < 3 {
		t.Fatalf("thread memory %+v, %v", th, err)
	}
	if ttl := w.redis.TTL(threadKey(testChannel, root)); ttl <= 0 {
		t.Fatalf("thread has no TTL")
	}
	if n := w.exec.attempts.Load(); n != 0 {
		t.Fatalf("questions executed %d actions", n)
	}
}

func TestQuestionWithoutOrder(t *testing.T) {
	w := newWorld(t, creditCase)
	in := w.start("a")
	in.postEvent(t, "EvN", mention(testChannel, "1700000000.000500", "", "U0ASK", "why is everything blocked?"), 0)
	eventually(t, 5*time.Second, "the hint", func() bool {
		th := w.slack.Thread(testChannel, "1700000000.000500")
		return len(th) == 1 && strings.Contains(th[0].Text, "SO-10047") // a real id of the ERP
	})
}

// An id written without its separator is not "no order": the ERP's own
// id is suggested.
func TestQuestionSuggestsAnOrderID(t *testing.T) {
	w := newWorld(t, creditCase)
	in := w.start("a")
	in.postEvent(t, "EvS", mention(testChannel, "1700000000.000600", "", "U0ASK", "why is SO10047 blocked?"), 0)
	eventually(t, 5*time.Second, "the suggestion", func() bool {
		th := w.slack.Thread(testChannel, "1700000000.000600")
		return len(th) == 1 && strings.Contains(th[0].Text, "did you mean SO-10047?")
	})
}

func TestSlashCommand(t *testing.T) {
	w := newWorld(t, creditCase)
	in := w.start("a")
	code, body := in.command(t, "U0ASK", testChannel, "SO-10047")
	if code != http.StatusOK || !strings.Contains(body, "ephemeral") {
		t.Fatalf("command answered %d %s", code, body)
	}
	eventually(t, 10*time.Second, "the case under the command's root", func() bool {
		for _, m := range w.slack.Messages(testChannel) {
			if m.ThreadTS == "" && strings.Contains(m.Text, "looking at SO-10047") {
				return len(caseMessages(w.slack.Thread(testChannel, m.TS))) == 1
			}
		}
		return false
	})
}

// pendingCase asks about SO-10047 and returns the case message and its
// release_hold proposal id.
func pendingCase(t *testing.T, w *world, in *instance, ts string) (fakeMessage, string) {
	t.Helper()
	msg := ask(t, w, in, "Ev"+ts, ts, "why is SO-10047 on hold?")
	id := buttonValue(t, msg.Blocks, ActionApprove)
	if id == "" {
		t.Fatal("no Approve button")
	}
	return msg, id
}

func TestApproveByAuthorisedUsers(t *testing.T) {
	tests := []struct{ name, user string }{
		{"finance supervisor", supervisor},
		{"finance director (includes supervisor)", director},
		{"member of the supervisors' user group", groupMember},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, creditCase)
			in := w.start("a")
			ts := fmt.Sprintf("1700000001.%06d", i)
			msg, id := pendingCase(t, w, in, ts)
			if code := in.click(t, tc.user, ActionApprove, id, testChannel, msg.TS); code != http.StatusOK {
				t.Fatalf("click answered %d", code)
			}
			eventually(t, 10*time.Second, "the outcome in the thread", func() bool {
				for _, m := range w.slack.Thread(testChannel, ts) {
					if strings.Contains(m.Text, "approved") && strings.Contains(m.Text, "executed") {
						return true
					}
				}
				return false
			})
			if n := w.exec.applied.Load(); n != 1 {
				t.Fatalf("executed %d times", n)
			}
			var updated fakeMessage
			eventually(t, 10*time.Second, "the case message re-rendered without buttons", func() bool {
				updated, _ = w.slack.Message(testChannel, msg.TS)
				return updated.Updates > 0 && !strings.Contains(updated.Blocks, `"action_id":"approve"`)
			})
			if !strings.Contains(updated.Blocks, "Approved by \\u003c@"+tc.user+"\\u003e") && !strings.Contains(updated.Blocks, "Approved by <@"+tc.user+">") {
				t.Fatalf("message does not say who approved: %s", updated.Blocks)
			}
			if !strings.Contains(updated.Blocks, "executed:") {
				t.Fatalf("message does not say what was executed")
			}
			o, _ := w.conn.Order(context.Background(), "SO-10047")
			if len(o.Holds) != 0 {
				t.Fatalf("hold still on the order: %+v", o.Holds)
			}
			p, _ := in.db.GetProposal(context.Background(), id)
			if p.State != store.Executed || p.DecidedBy != tc.user {
				t.Fatalf("proposal %+v", p)
			}
		})
	}
}

func TestApproveByUnauthorisedUser(t *testing.T) {
	w := newWorld(t, creditCase)
	in := w.start("a")
	msg, id := pendingCase(t, w, in, "1700000002.000001")
	in.click(t, planner, ActionApprove, id, testChannel, msg.TS)
	eventually(t, 5*time.Second, "the ephemeral refusal", func() bool {
		for _, c := range w.slack.Calls("chat.postEphemeral") {
			if text := c.Args.Get("text"); c.Args.Get("user") == planner && strings.Contains(text, "finance supervisor") &&
				strings.Contains(text, "<@U0SUP>") && strings.Contains(text, "<!subteam^S0FIN>") {
				return true
			}
		}
		return false
	})
	time.Sleep(100 * time.Millisecond)
	if n := w.exec.attempts.Load(); n != 0 {
		t.Fatalf("executor called %d times", n)
	}
	if m, _ := w.slack.Message(testChannel, msg.TS); m.Updates != 0 {
		t.Fatal("message changed")
	}
	p, _ := in.db.GetProposal(context.Background(), id)
	if p.State != store.Pending {
		t.Fatalf("proposal is %s", p.State)
	}
	trail, _ := in.db.AuditTrail(context.Background(), p.CaseID)
	denied := false
	for _, e := range trail {
		if e.Kind == "approval.denied" && e.Actor == planner {
			denied = true
		}
	}
	if !denied {
		t.Fatal("no audit entry for the denied attempt")
	}
}

func TestFiftyConcurrentClicksTwoInstancesExecuteOnce(t *testing.T) {
	w := newWorld(t, creditCase)
	a := w.start("a")
	b := w.start("b")
	msg, id := pendingCase(t, w, a, "1700000003.000001")
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in, user := a, supervisor
			if i%2 == 1 {
				in, user = b, director
			}
			<-start
			if code := in.click(t, user, ActionApprove, id, testChannel, msg.TS); code != http.StatusOK {
				t.Errorf("click %d answered %d", i, code)
			}
		}()
	}
	close(start)
	wg.Wait()
	eventually(t, 20*time.Second, "49 'already decided' notes", func() bool {
		n := 0
		for _, c := range w.slack.Calls("chat.postEphemeral") {
			text := c.Args.Get("text")
			if strings.Contains(text, "already") {
				n++
			}
			// Nobody is named back to themselves as someone else.
			if strings.Contains(text, "<@"+c.Args.Get("user")+">") {
				t.Errorf("%s told that they decided: %q", c.Args.Get("user"), text)
			}
		}
		return n == 49
	})
	eventually(t, 10*time.Second, "the execution", func() bool {
		p, _ := a.db.GetProposal(context.Background(), id)
		return p.State == store.Executed
	})
	if n, m := w.exec.applied.Load(), w.exec.attempts.Load(); n != 1 || m != 1 {
		t.Fatalf("applied %d, executor called %d times; want exactly one", n, m)
	}
	if _, err := a.db.GetExecution(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	// The outcome is posted from the outbox, which a replica drains after
	// the execution's transaction: wait for it, then want exactly one.
	outcomes := func() int {
		n := 0
		for _, m := range w.slack.Thread(testChannel, "1700000003.000001") {
			if strings.Contains(m.Text, "approved") {
				n++
			}
		}
		return n
	}
	eventually(t, 10*time.Second, "the outcome message", func() bool { return outcomes() > 0 })
	if n := outcomes(); n != 1 {
		t.Fatalf("%d outcome messages, want 1", n)
	}
}

func TestRejectWithReason(t *testing.T) {
	w := newWorld(t, creditCase)
	in := w.start("a")
	ts := "1700000004.000001"
	msg, id := pendingCase(t, w, in, ts)
	in.click(t, supervisor, ActionReject, id, testChannel, msg.TS)
	var meta string
	eventually(t, 5*time.Second, "the reason modal", func() bool {
		calls := w.slack.Calls("views.open")
		if len(calls) == 0 {
			return false
		}
		view, _ := calls[0].JSON["view"].(map[string]any)
		meta, _ = view["private_metadata"].(string)
		return true
	})
	if !strings.Contains(meta, id) {
		t.Fatalf("modal metadata %q lacks the proposal id", meta)
	}
	in.submitReject(t, supervisor, meta, "customer is paying by wire tomorrow")
	eventually(t, 5*time.Second, "the rejection in the thread", func() bool {
		for _, m := range w.slack.Thread(testChannel, ts) {
			if strings.Contains(m.Text, "rejected") && strings.Contains(m.Text, "paying by wire") {
				return true
			}
		}
		return false
	})
	p, _ := in.db.GetProposal(context.Background(), id)
	if p.State != store.Rejected || p.Note != "customer is paying by wire tomorrow" || p.DecidedBy != supervisor {
		t.Fatalf("proposal %+v", p)
	}
	updated, _ := w.slack.Message(testChannel, msg.TS)
	if strings.Contains(updated.Blocks, `"action_id":"approve"`) || !strings.Contains(updated.Blocks, "Rejected by") {
		t.Fatalf("message not updated: %s", updated.Blocks)
	}
	if w.exec.attempts.Load() != 0 {
		t.Fatal("a rejected action was executed")
	}
	// A late approval gets "already decided".
	in.click(t, director, ActionApprove, id, testChannel, msg.TS)
	eventually(t, 5*time.Second, "already decided", func() bool {
		for _, c := range w.slack.Calls("chat.postEphemeral") {
			if c.Args.Get("user") == director && strings.Contains(c.Args.Get("text"), "already decided") {
				return true
			}
		}
		return false
	})
}

func TestRateLimitedBySlack(t *testing.T) {
	w := newWorld(t, creditCase)
	w.slack.setStatus = true
	w.slack.rateLimit("chat.postMessage", 1)
	in := w.start("a")
	ask(t, w, in, "Ev429", "1700000005.000001", "SO-10047")
	posts := w.slack.Calls("chat.postMessage")
	if len(posts) < 2 || posts[0].Status != http.StatusTooManyRequests {
		t.Fatalf("calls %+v", posts)
	}
	if gap := posts[1].At.Sub(posts[0].At); gap < time.Second {
		t.Fatalf("retried %s after a 429 with Retry-After: 1", gap)
	}
}

func TestRestartWithPendingApprovals(t *testing.T) {
	w := newWorld(t, creditCase)
	a := w.start("a")
	msg, id := pendingCase(t, w, a, "1700000006.000001")
	a.stop()

	b := w.start("b")
	n, err := b.bot.Resume(context.Background())
	if err != nil || n != 0 {
		t.Fatalf("Resume = %d, %v; a pending approval needs no finishing", n, err)
	}
	b.click(t, supervisor, ActionApprove, id, testChannel, msg.TS)
	eventually(t, 10*time.Second, "execution after the restart", func() bool {
		p, _ := b.db.GetProposal(context.Background(), id)
		return p.State == store.Executed
	})
	if w.exec.applied.Load() != 1 {
		t.Fatal("not executed exactly once")
	}
}

func TestEventCaseRoutedByClassAndThreadsUpdates(t *testing.T) {
	w := newWorld(t, creditCase)
	in := w.start("a")
	ctx := context.Background()
	in.event(t, holdEvent("e1", "SO-10047"))
	var fin []fakeMessage
	eventually(t, 10*time.Second, "the case in C0FIN", func() bool { fin = w.slack.Messages("C0FIN"); return len(fin) == 1 })
	if fin[0].ThreadTS != "" || !strings.Contains(fin[0].Blocks, `"action_id":"approve"`) {
		t.Fatalf("credit case not posted as a new thread with buttons in C0FIN: %+v", fin)
	}
	oldID := buttonValue(t, fin[0].Blocks, ActionApprove)
	// A later event that changes nothing joins the case quietly.
	if res := in.event(t, holdEvent("e2", "SO-10047")); res.Outcome != casework.OutcomeCorrelated {
		t.Fatalf("second event: %s", res.Outcome)
	}
	// One that changes the decision (exposure now over 1.25× the limit):
	// the pending approval is superseded, its buttons replaced by the new
	// proposal's, and the thread hears the event.
	cust, _ := w.conn.Customer(ctx, "C-481")
	cust.OpenAR = 40000
	w.conn.PutCustomer(cust)
	if res := in.event(t, holdEvent("e3", "SO-10047")); res.Outcome != casework.OutcomeCorrelated {
		t.Fatalf("third event: %s", res.Outcome)
	}
	var updated fakeMessage
	eventually(t, 10*time.Second, "the event note and the re-render", func() bool {
		thread := w.slack.Thread("C0FIN", fin[0].TS)
		updated, _ = w.slack.Message("C0FIN", fin[0].TS)
		return len(thread) == 2 && strings.Contains(thread[1].Text, "event from erp") && updated.Updates > 0
	})
	newID := buttonValue(t, updated.Blocks, ActionApprove)
	if newID == "" || newID == oldID || !strings.Contains(updated.Blocks, "finance director") {
		t.Fatalf("the message offers %q (was %q): %s", newID, oldID, updated.Blocks)
	}
	pending, _ := in.db.ListPendingProposals(ctx)
	if len(pending) != 1 || pending[0].ID != newID || pending[0].Role != "finance_director" {
		t.Fatalf("pending after the update: %+v", pending)
	}
	if old, _ := in.db.GetProposal(ctx, oldID); old.State != store.Expired || old.SupersededBy != newID {
		t.Fatalf("the old proposal: %+v", old)
	}
}

func TestAutoActionExecutedOnce(t *testing.T) {
	w := newWorld(t, "pricing-auto-01.json")
	in := w.start("a")
	in.event(t, holdEvent("e1", "SO-10124"))
	in.event(t, holdEvent("e1", "SO-10124")) // redelivered
	in.event(t, holdEvent("e2", "SO-10124")) // another event on the order
	eventually(t, 10*time.Second, "the case", func() bool { return len(w.slack.Messages(testChannel)) > 0 })
	if w.exec.applied.Load() != 1 {
		t.Fatalf("auto action applied %d times", w.exec.applied.Load())
	}
	eventually(t, 10*time.Second, "the case showing its auto execution", func() bool {
		for _, m := range w.slack.Messages(testChannel) {
			if m.ThreadTS == "" && strings.Contains(m.Blocks, "Executed automatically: line 1 of SO-10124 repriced") {
				return true
			}
		}
		return false
	})
}

func TestUnknownProposalClick(t *testing.T) {
	w := newWorld(t, creditCase)
	in := w.start("a")
	in.click(t, supervisor, ActionApprove, "p_doesnotexist", testChannel, "1.1")
	eventually(t, 5*time.Second, "an ephemeral note", func() bool { return len(w.slack.Calls("chat.postEphemeral")) == 1 })
	if w.exec.attempts.Load() != 0 {
		t.Fatal("executed")
	}
}

func TestCloseFinishesInFlightWork(t *testing.T) {
	w := newWorld(t, creditCase)
	in := w.start("a")
	in.postEvent(t, "EvClose", mention(testChannel, "1700000007.000001", "", "U0ASK", "SO-10047"), 0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := in.bot.Close(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the answer of the work queued before Close", func() bool {
		return len(caseMessages(w.slack.Thread(testChannel, "1700000007.000001"))) == 1
	})
	if in.bot.submit("late", func(context.Context) {}) {
		t.Fatal("work accepted after Close")
	}
	if code := in.postEvent(t, "EvLate", mention(testChannel, "1.9", "", "U0ASK", "SO-10047"), 0); code != http.StatusServiceUnavailable {
		t.Fatalf("event after Close answered %d, want 503 so Slack retries", code)
	}
	// The claim was released so the retry is processed by a live replica.
	if ok, _ := in.bot.mem.Claim(context.Background(), "event", "EvLate"); !ok {
		t.Fatal("claim of an unqueued event kept")
	}
}

func TestReady(t *testing.T) {
	w := newWorld(t, creditCase)
	in := w.start("a")
	if err := in.bot.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.redis.Close()
	if err := in.bot.Ready(context.Background()); err == nil {
		t.Fatal("ready without redis")
	}
}
