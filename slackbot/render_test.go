package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
)

func TestRenderStaysWithinBlockKitLimits(t *testing.T) {
	c := &agent.Case{ID: "case-1", OrderID: "SO-1", Class: "credit_hold", Severity: "high",
		Summary: strings.Repeat("A very long summary sentence. ", 400)}
	for i := range 300 {
		c.Facts = append(c.Facts, agent.Fact{Text: strings.Repeat("fact ", 30), Source: "t" + string(rune('0'+i%10))})
	}
	v := &casework.CaseView{Case: c}
	for i := range 60 {
		v.Actions = append(v.Actions, casework.ActionView{Proposal: agent.Proposal{Rank: i + 1,
			Action:   connectors.Action{Type: connectors.ActNotifyCustomer},
			Decision: policy.Decision{Outcome: policy.Approval, Role: "planner", Reason: strings.Repeat("r", 4000)}},
			Stored: &store.Proposal{ID: "p_x", State: store.Pending, Outcome: "approval"}})
	}
	blocks := RenderCase(v, RenderOptions{})
	if len(blocks) > MaxBlocks {
		t.Fatalf("%d blocks", len(blocks))
	}
	raw, _ := json.Marshal(blocks)
	var decoded []struct {
		Type string `json:"type"`
		Text *struct {
			Text string `json:"text"`
		} `json:"text"`
	}
	if err := json.Unmarshal(raw, &decoded); err != nil {
		t.Fatal(err)
	}
	for i, b := range decoded {
		if b.Type == "section" && b.Text != nil && utf8.RuneCountInString(b.Text.Text) > MaxSectionText {
			t.Fatalf("section %d has %d characters", i, utf8.RuneCountInString(b.Text.Text))
		}
	}
	if !strings.Contains(string(raw), "more action(s)") {
		t.Fatal("truncated actions are not mentioned")
	}
}

func TestSplitText(t *testing.T) {
	tests := []struct {
		text string
		n    int
		want int
	}{
		{"short", 10, 1},
		{"aaaa bbbb cccc", 5, 3},
		{strings.Repeat("é", 25), 10, 3},
		{"line one\nline two\nline three", 12, 3},
	}
	for _, tc := range tests {
		parts := splitText(tc.text, tc.n)
		if len(parts) != tc.want {
			t.Errorf("splitText(%q, %d) = %q", tc.text, tc.n, parts)
		}
		for _, p := range parts {
			if utf8.RuneCountInString(p) > tc.n || !utf8.ValidString(p) {
				t.Errorf("part %q too long or invalid", p)
			}
		}
	}
}

func TestEscapeKeepsSourceTextInert(t *testing.T) {
	if got := escape("<!channel> <@U1> & <http://x|y>"); strings.ContainsAny(got, "<>") {
		t.Fatalf("escape = %q", got)
	}
}

func TestOutboxSpacingPerChannel(t *testing.T) {
	o := &Outbox{Interval: 100 * time.Millisecond}
	var mu sync.Mutex
	at := map[string][]time.Time{}
	var wg sync.WaitGroup
	for _, ch := range []string{"C1", "C1", "C1", "C2", "C2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = o.Do(context.Background(), ch, func(context.Context) error {
				mu.Lock()
				at[ch] = append(at[ch], time.Now())
				mu.Unlock()
				return nil
			})
		}()
	}
	wg.Wait()
	for ch, ts := range at {
		for i := 1; i < len(ts); i++ {
			if gap := ts[i].Sub(ts[i-1]); gap < 95*time.Millisecond {
				t.Errorf("%s: calls %s apart", ch, gap)
			}
		}
	}
	// Channels do not wait for each other: C2's calls are not queued behind C1's three.
	if !at["C2"][0].Before(at["C1"][2]) {
		t.Errorf("C2 waited for C1: C2 first at %s, C1 last at %s", at["C2"][0], at["C1"][2])
	}
}

func TestOutboxRetries(t *testing.T) {
	tests := []struct {
		name     string
		errs     []error
		wantErr  bool
		minTotal time.Duration
		calls    int
	}{
		{"429 honours Retry-After", []error{&slack.RateLimitedError{RetryAfter: time.Second}, nil}, false, time.Second, 2},
		{"5xx retried with backoff", []error{slack.StatusCodeError{Code: 502}, nil}, false, 20 * time.Millisecond, 2},
		{"permanent error returned", []error{slack.SlackErrorResponse{Err: "channel_not_found"}}, true, 0, 1},
		{"gives up after MaxAttempts, not silently", []error{slack.StatusCodeError{Code: 503}, slack.StatusCodeError{Code: 503}, slack.StatusCodeError{Code: 503}}, true, 0, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := &Outbox{Interval: time.Millisecond, Backoff: 20 * time.Millisecond, MaxAttempts: 3}
			calls := 0
			began := time.Now()
			err := o.Do(context.Background(), "C1", func(context.Context) error {
				e := tc.errs[min(calls, len(tc.errs)-1)]
				calls++
				return e
			})
			if (err != nil) != tc.wantErr || calls != tc.calls || time.Since(began) < tc.minTotal {
				t.Fatalf("err %v, %d calls in %s", err, calls, time.Since(began))
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o := &Outbox{}
	_ = o.Do(context.Background(), "C9", func(context.Context) error { return nil })
	if err := o.Do(ctx, "C9", func(context.Context) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
}

// A thread reads in words: roles with their article, what an executed task
// did, no class name for a case without an exception, and no internal
// action syntax anywhere.
func TestRenderSpeaksWords(t *testing.T) {
	esc := connectors.Action{Type: connectors.ActEscalate, OrderID: "NW-7815",
		Args: connectors.Args{"role": "logistics_supervisor", "note": "assign carrier SWX instead of HZT to NW-7815 before its shipment is tendered"}}
	detail, _ := json.Marshal(connectors.Execution{System: "tasks", Detail: connectors.TaskDetail(esc)})
	release := connectors.Action{Type: connectors.ActReleaseHold, OrderID: "NW-7815", Args: connectors.Args{"hold_code": "CREDIT"}}
	c := &agent.Case{ID: "case-1", OrderID: "NW-7815", Class: connectors.ClassCarrierConflict, Severity: "high",
		AlsoDetected: []string{connectors.ClassCreditHold}, Summary: "NW-7815's carrier HZT has no capacity on the lane to CA-ON."}
	v := &casework.CaseView{Case: c, Actions: []casework.ActionView{
		{Proposal: agent.Proposal{Rank: 1, Action: esc, Decision: policy.Decision{Outcome: policy.Auto, Rule: "tasks.auto", Reason: "r"}},
			Stored: &store.Proposal{ID: "p_1", State: store.Executed, Outcome: "auto", DecidedBy: casework.ActorPolicy},
			Exec:   &store.Execution{Status: store.ExecSucceeded, Result: detail}},
		{Proposal: agent.Proposal{Rank: 2, Action: release, Decision: policy.Decision{Outcome: policy.Approval, Role: "finance_supervisor", Rule: "credit.release.supervisor", Reason: "r"}},
			Stored: &store.Proposal{ID: "p_2", State: store.Pending, Outcome: "approval"}},
	}}
	raw, _ := json.Marshal(RenderCase(v, RenderOptions{}))
	text := string(raw)
	for _, want := range []string{
		"task opened for the logistics supervisor: assign carrier SWX instead of HZT",
		"needs approval by a finance supervisor",
		"credit hold",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the thread lacks %q:\n%s", want, text)
		}
	}
	for _, unwanted := range []string{"escalate(", "role=", "finance_supervisor", "logistics_supervisor", "credit_hold", "(tasks)"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("the thread says %q:\n%s", unwanted, text)
		}
	}
	c.Class, v.Actions = connectors.ClassNone, nil
	raw, _ = json.Marshal(RenderCase(v, RenderOptions{}))
	if strings.Contains(string(raw), "· none ·") || !strings.Contains(string(raw), "no exception") {
		t.Errorf("a case without an exception: %s", raw)
	}
}

func TestWithoutMarkup(t *testing.T) {
	got := withoutMarkup("<@U0123ABC> why is <https://erp.example.com/o/77|SO-5> late, see <#C0456|ops> <!here>")
	for _, unwanted := range []string{"U0123ABC", "C0456", "https://", "here"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("%q kept %q", got, unwanted)
		}
	}
	if !strings.Contains(got, "SO-5") {
		t.Errorf("%q lost the link's label", got)
	}
}
