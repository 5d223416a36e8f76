package llm

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	openai "github.com/sashabaranov/go-openai"

	"github.com/exdesk/exdesk/agent"
)

func submitWithEvidence(ev ...Evidence) string {
	b, _ := json.Marshal(map[string]any{"exception_class": "credit_hold", "severity": "high", "also_detected": []string{},
		"summary": "SO-10047 is on credit hold over its limit", "evidence": ev,
		"actions": []map[string]any{act("release_hold", map[string]any{"hold_code": "CREDIT"}, 0.9)}})
	return string(b)
}

// The model's evidence cites its own tool call ids; the case's facts cite
// the call log, and a citation of a call the model never made goes back to
// the model as an error to fix.
func TestEvidenceCitesTheCallLog(t *testing.T) {
	s := newScript(t,
		calls(fn{"m1", "get_order", supOrder}, fn{"m2", "get_credit_position", supOrder}),
		submit("s1", submitWithEvidence(Evidence{"exposure $55,000.00 over a $50,000.00 limit", "m2"}, Evidence{"made up", "m9"})),
		func(t *testing.T, req openai.ChatCompletionRequest) reply {
			msgs := toolMessages(req)
			if len(msgs) != 1 || !strings.Contains(msgs[0].Content, `m9`) {
				t.Errorf("the bad citation must come back to the model, got %+v", msgs)
			}
			return reply{body: callsBody(fn{"s2", SubmitTool, submitWithEvidence(Evidence{"exposure $55,000.00 over a $50,000.00 limit", "m2"})})}
		},
	)
	f := newFixture(t, "credit-supervisor-01", newPlanner(t, s.srv.URL+"/v1", nil), nil)
	c, err := f.inv.Investigate(context.Background(), agent.Trigger{Type: "event", Event: "hold_placed", OrderID: "SO-10047"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Planner != "llm" || len(c.Facts) != 1 {
		t.Fatalf("planner %q, facts %+v", c.Planner, c.Facts)
	}
	fact := c.Facts[0]
	found := false
	for _, call := range c.Calls {
		found = found || (call.ID == fact.Source && call.Tool == "get_credit_position" && fact.Tool == call.Tool)
	}
	if !found {
		t.Fatalf("fact %+v does not cite the get_credit_position call in %+v", fact, c.Calls)
	}
}
