package slackbot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/store"
)

// A replica that crashed after recording an approval, and one that crashed
// after claiming the execution too, leave proposals approved but
// unfinished; the next start finishes each exactly once and says so in the
// thread. A fresh approval (another replica may be executing it) is left
// alone.
func TestRestartFinishesApprovalsACrashLeftHalfDone(t *testing.T) {
	for _, claimed := range []bool{false, true} {
		name := "approved only"
		if claimed {
			name = "execution claimed"
		}
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, creditCase)
			a := w.start("a")
			_, id := pendingCase(t, w, a, "1700000009.000001")
			ctx := context.Background()
			// The crash: the approval is recorded, nothing else happens.
			if err := a.db.Transition(ctx, id, store.Pending, store.Approved, supervisor, ""); err != nil {
				t.Fatal(err)
			}
			if claimed {
				p, _ := a.db.GetProposal(ctx, id)
				act := p.Action
				act.ID = id
				if err := a.db.RecordExecution(ctx, &store.Execution{ProposalID: id, CaseID: p.CaseID, Action: act, By: supervisor}); err != nil {
					t.Fatal(err)
				}
			}
			a.stop()

			var clock time.Time
			b := w.start("b", func(o *Options) { o.Now = func() time.Time { return clock } })
			clock = time.Now()
			if n, err := b.bot.RecoverApproved(ctx); err != nil || n != 0 {
				t.Fatalf("a fresh approval must be left to its replica: %d, %v", n, err)
			}
			clock = time.Now().Add(3 * time.Minute)
			if n, err := b.bot.RecoverApproved(ctx); err != nil || n != 1 {
				t.Fatalf("RecoverApproved = %d, %v; want 1", n, err)
			}
			if n, _ := b.bot.RecoverApproved(ctx); n != 0 {
				t.Fatalf("a finished approval was recovered again (%d)", n)
			}
			p, _ := b.db.GetProposal(ctx, id)
			if p.State != store.Executed || w.exec.applied.Load() != 1 {
				t.Fatalf("state %s, applied %d; want executed once", p.State, w.exec.applied.Load())
			}
			found := false
			for _, m := range w.slack.Messages(testChannel) {
				found = found || strings.Contains(m.Text, "after a restart")
			}
			if !found {
				t.Fatal("the thread was not told the approval was finished after a restart")
			}
		})
	}
}
