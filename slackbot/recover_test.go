package slackbot

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exdesk/exdesk/casework"
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

			var clock atomic.Int64
			clock.Store(time.Now().UnixNano())
			b := w.start("b")
			desk, err := casework.New(casework.Options{Store: b.db, Investigator: w.inv, Systems: w.sys, Guard: w.guard,
				Now: func() time.Time { return time.Unix(0, clock.Load()) }})
			if err != nil {
				t.Fatal(err)
			}
			if n, err := desk.Recover(ctx); err != nil || n != 0 {
				t.Fatalf("a fresh approval must be left to its replica: %d, %v", n, err)
			}
			clock.Store(time.Now().Add(3 * time.Minute).UnixNano())
			if n, err := desk.Recover(ctx); err != nil || n != 1 {
				t.Fatalf("Recover = %d, %v; want 1", n, err)
			}
			if n, _ := desk.Recover(ctx); n != 0 {
				t.Fatalf("a finished approval was recovered again (%d)", n)
			}
			b.bot.Wake()
			p, _ := b.db.GetProposal(ctx, id)
			if p.State != store.Executed || w.exec.applied.Load() != 1 {
				t.Fatalf("state %s, applied %d; want executed once", p.State, w.exec.applied.Load())
			}
			eventually(t, 10*time.Second, "the thread told the approval was finished after a restart", func() bool {
				for _, m := range w.slack.Messages(testChannel) {
					if strings.Contains(m.Text, "after a restart") {
						return true
					}
				}
				return false
			})
		})
	}
}
