package slackbot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/store"
)

// burstCase writes a case file with n copies of the credit-hold order, each
// of its own customer, so n events open n credit cases at once.
func burstCase(t *testing.T, n int) string {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + creditCase)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	snap := c["snapshot"].(map[string]any)
	cust := snap["customers"].([]any)[0].(map[string]any)
	order := snap["orders"].([]any)[0].(map[string]any)
	for i := 1; i <= n; i++ {
		cu := map[string]any{}
		for k, v := range cust {
			cu[k] = v
		}
		cu["id"] = fmt.Sprintf("C-B%02d", i)
		// Severity varies with the open AR: some cases are more urgent.
		cu["open_ar"] = 30000.0 + float64(i*300)
		o := map[string]any{}
		for k, v := range order {
			o[k] = v
		}
		o["id"], o["customer_id"], o["po_number"] = fmt.Sprintf("SO-2%04d", i), cu["id"], fmt.Sprintf("PO-B%02d", i)
		snap["customers"] = append(snap["customers"].([]any), cu)
		snap["orders"] = append(snap["orders"].([]any), o)
	}
	path := filepath.Join(t.TempDir(), "burst.json")
	b, _ := json.Marshal(c)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A burst of cases to one channel: ingest stores them without waiting for
// Slack, and when the channel's backlog grows they are folded into one
// message per class, most urgent first, whose buttons decide each case.
func TestBurstIsFoldedIntoADigest(t *testing.T) {
	const n = 9
	w := newWorldFrom(t, burstCase(t, n))
	ctx := context.Background()
	// The cases arrive while no replica drains the outbox (an ingest
	// worker elsewhere): storing them never waits for Slack.
	db := w.openDB()
	desk := w.newDesk(db, nil)
	began := time.Now()
	for i := 1; i <= n; i++ {
		if _, err := desk.HandleEvent(ctx, connectors.Event{ID: fmt.Sprint("burst-", i), Source: "erp", Type: connectors.EventHoldPlaced,
			OrderID: fmt.Sprintf("SO-2%04d", i), At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d cases stored in %s with Slack not called", n, time.Since(began).Round(time.Millisecond))
	if calls := w.slack.Calls(""); len(calls) != 0 {
		t.Fatalf("storing cases called Slack: %+v", calls)
	}
	if backlog, _ := db.OutboxBacklog(ctx); backlog < n {
		t.Fatalf("outbox backlog %d, want every case's post", backlog)
	}

	in := w.start("a", func(o *Options) { o.FoldAfter = 3 })
	var digest fakeMessage
	eventually(t, 10*time.Second, "the digest", func() bool {
		for _, m := range w.slack.Messages("C0FIN") {
			if strings.Contains(m.Blocks, fmt.Sprintf("%d credit hold cases", n)) {
				digest = m
				return true
			}
		}
		return false
	})
	if top := len(w.slack.Messages("C0FIN")); top != 1 {
		t.Errorf("%d top-level messages in C0FIN, want one digest", top)
	}
	if strings.Count(digest.Blocks, `"action_id":"approve"`) != n {
		t.Fatalf("digest does not carry every case's approval: %s", digest.Blocks)
	}
	// A decision from the digest re-renders it.
	id := buttonValue(t, digest.Blocks, ActionApprove)
	if code := in.click(t, supervisor, ActionApprove, id, "C0FIN", digest.TS); code != http.StatusOK {
		t.Fatalf("click answered %d", code)
	}
	eventually(t, 10*time.Second, "the digest re-rendered after the approval", func() bool {
		m, _ := w.slack.Message("C0FIN", digest.TS)
		return m.Updates > 0 && strings.Count(m.Blocks, `"action_id":"approve"`) == n-1
	})
	p, err := in.db.GetProposal(ctx, id)
	if err != nil || p.State != store.Executed {
		t.Fatalf("approved from the digest: %+v, %v", p, err)
	}
	eventually(t, 10*time.Second, "the outcome in the digest's thread", func() bool {
		for _, m := range w.slack.Thread("C0FIN", digest.TS) {
			if strings.Contains(m.Text, "approved") && strings.Contains(m.Text, "SO-2") {
				return true
			}
		}
		return false
	})
	eventually(t, 10*time.Second, "an empty outbox", func() bool {
		backlog, _ := in.db.OutboxBacklog(ctx)
		return backlog == 0
	})
}
