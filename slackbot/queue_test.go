package slackbot

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// "/exdesk queue" answers at once, ephemerally, with what waits on the
// caller's roles, by the shared ranking; someone without a role hears so.
func TestQueueCommand(t *testing.T) {
	w := newWorld(t, creditCase)
	in := w.start("a", func(o *Options) { o.Queue = w.openDB(); o.ConsoleURL = "https://exdesk.example/" })
	pendingCase(t, w, in, "1700000000.000700")
	tests := []struct {
		name, user string
		want       []string
		not        []string
	}{
		{"supervisor", supervisor, []string{"Waiting on your roles", "finance_supervisor", "SO-10047", "https://exdesk.example/cases/case-SO-10047", "release"}, nil},
		{"director through includes", director, []string{"finance_director", "SO-10047"}, nil},
		{"planner: nothing waits", planner, []string{"nothing"}, []string{"SO-10047"}},
		{"no role", "U0ASK", []string{"no approval role"}, []string{"SO-10047"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			began := time.Now()
			code, body := in.command(t, tc.user, testChannel, "queue")
			if code != http.StatusOK || !strings.Contains(body, "ephemeral") {
				t.Fatalf("queue answered %d %s", code, body)
			}
			if d := time.Since(began); d > 2*time.Second {
				t.Errorf("queue took %v", d)
			}
			for _, s := range tc.want {
				if !strings.Contains(body, s) {
					t.Errorf("answer lacks %q: %s", s, body)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(body, s) {
					t.Errorf("answer has %q: %s", s, body)
				}
			}
		})
	}
}
