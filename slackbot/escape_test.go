package slackbot

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// Live Slack syntax smuggled in through every outside channel: source
// systems (customer name, PO number, carrier event text, event ids and
// sources), people (questions, rejection reasons) and connectors
// (execution details). None of it may reach Slack live, on any surface
// that posts.
var injections = []string{
	"<!channel>", "<!here>", "<!subteam^S0EVIL>", "<@U0EVIL>", "<https://evil.example|Approve here>", "<#C0EVIL>",
}

// live reports the first injection found live in s (as Slack would parse
// it), and mrkdwn formatting faked by outside text.
func live(s string) string {
	for _, bad := range []string{"<!channel", "<!here", "<!subteam^S0EVIL", "<@U0EVIL", "<https://evil", "<#C0EVIL", "*URGENT*", "~struck~", "`code`"} {
		if strings.Contains(s, bad) {
			return bad
		}
	}
	return ""
}

func TestUntrustedTextNeverReachesSlackLive(t *testing.T) {
	raw, err := os.ReadFile("testdata/delay-expedite-approval-01.json")
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	snap := c["snapshot"].(map[string]any)
	cust := snap["customers"].([]any)[0].(map[string]any)
	cust["name"] = "<!channel> *URGENT* Summit " + injections[4]
	order := snap["orders"].([]any)[0].(map[string]any)
	order["po_number"] = "PO-<!here>-" + injections[4]
	order["notes"] = "<!channel> ~struck~ `code`"
	ship := snap["shipments"].([]any)[0].(map[string]any)
	ev := ship["events"].([]any)[0].(map[string]any)
	ev["location"] = "<!here> Denver <#C0EVIL>"
	ev["description"] = "<@U0EVIL> missed pickup " + injections[2]
	path := filepath.Join(t.TempDir(), "evil.json")
	b, _ := json.Marshal(c)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}

	w := newWorldFrom(t, path)
	w.cfg.Channels["default"] = testChannel
	in := w.start("a")

	// 1. A source event: the case is posted.
	evil := connectors.Event{ID: "evt-<!subteam^S0EVIL>", Source: "tms <!here>", Type: connectors.EventShipmentStatus, OrderID: "SO-10173"}
	in.event(t, evil)
	var caseMsg fakeMessage
	eventually(t, 10*time.Second, "the case", func() bool {
		for _, m := range w.slack.Messages(testChannel) {
			if m.ThreadTS == "" && strings.Contains(m.Blocks, `"header"`) {
				caseMsg = m
				return true
			}
		}
		return false
	})
	// 2. A question in a new thread, and a follow-up in the case's thread.
	in.postEvent(t, "EvQ", mention(testChannel, "1700000100.000001", "", "U0ASK", "<!channel> <@U0EVIL> will SO-10173 arrive? *URGENT* "+injections[4]), 0)
	in.postEvent(t, "EvF", mention(testChannel, "1700000100.000002", caseMsg.TS, "U0ASK", "<!here> what about expedite? "+injections[4]), 0)
	eventually(t, 10*time.Second, "the answers", func() bool {
		q := w.slack.Thread(testChannel, "1700000100.000001")
		f := w.slack.Thread(testChannel, caseMsg.TS)
		return len(q) >= 2 && len(f) >= 2
	})
	// 3. A denied click and a rejection with a reason.
	id := buttonValue(t, caseMsg.Blocks, ActionApprove)
	if id == "" {
		t.Fatalf("no approval button in the case: %s", caseMsg.Blocks)
	}
	in.click(t, planner, ActionApprove, id, testChannel, caseMsg.TS)
	meta := `{"p":"` + id + `","c":"` + testChannel + `","t":"` + caseMsg.TS + `"}`
	in.submitReject(t, "U0LOG", meta, "<!channel> "+injections[4]+" *URGENT*")
	eventually(t, 10*time.Second, "the rejection in the thread", func() bool {
		for _, m := range w.slack.Thread(testChannel, caseMsg.TS) {
			if strings.Contains(m.Text, "rejected") {
				return true
			}
		}
		return false
	})
	// 4. A later event that changes the case (the shipment is on time again):
	// its note and the resolution in the thread.
	sh, err := w.conn.Shipment(context.Background(), "SH-66856")
	if err != nil {
		t.Fatal(err)
	}
	sh.ETA = sh.PromisedDelivery
	sh.Events, sh.Status = nil, "in_transit"
	w.conn.PutShipment(sh)
	evil.ID = "evt-<@U0EVIL>-2"
	in.event(t, evil)
	eventually(t, 10*time.Second, "the event note", func() bool {
		for _, m := range w.slack.Thread(testChannel, caseMsg.TS) {
			if strings.Contains(m.Text, "event from") {
				return true
			}
		}
		return false
	})
	time.Sleep(200 * time.Millisecond)

	surfaces := map[string]int{}
	for _, call := range w.slack.Calls("") {
		var texts []string
		for _, k := range []string{"text", "blocks", "view"} {
			if v := call.Args.Get(k); v != "" {
				texts = append(texts, v)
			}
		}
		if call.JSON != nil {
			b, _ := json.Marshal(call.JSON)
			texts = append(texts, string(b))
		}
		for _, s := range texts {
			surfaces[call.Method]++
			// Blocks are JSON: Slack reads the unescaped string values.
			var decoded any
			if json.Unmarshal([]byte(s), &decoded) == nil {
				b, _ := json.Marshal(decoded)
				s = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
			}
			if bad := live(s); bad != "" {
				t.Errorf("%s carries %q live: %s", call.Method, bad, clipForLog(s))
			}
		}
	}
	for _, m := range []string{"chat.postMessage", "chat.update", "chat.postEphemeral"} {
		if surfaces[m] == 0 {
			t.Errorf("no %s was checked: the test did not reach that surface", m)
		}
	}
}

func clipForLog(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}
