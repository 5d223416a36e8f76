package slackbot

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/postgres"
	"github.com/exdesk/exdesk/store/sqlite"
	"github.com/exdesk/exdesk/store/storetest"
)

// A case renders the same from PostgreSQL (jsonb reorders keys and
// normalises numbers) as from SQLite: after the same event and the same
// approval, the two messages are equal but for the random proposal ids
// and the decision times.
func TestCaseRendersTheSameFromEveryStore(t *testing.T) {
	ctx := context.Background()
	url := storetest.PostgresURL(t)
	pg, err := postgres.Open(ctx, url, postgres.Options{Schema: "render_" + store.NewID("")[:10], AuditKey: storetest.NewAuditKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = pg.Pool().Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgSchema(pg)+" CASCADE")
		_ = pg.Close()
	})
	lite, err := sqlite.Open(ctx, t.TempDir()+"/x.db", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	render := func(st store.Store) string {
		t.Helper()
		conn, err := recorded.Load("testdata/" + creditCase)
		if err != nil {
			t.Fatal(err)
		}
		engine, _ := policy.Default()
		sys := conn.Systems()
		guard := policy.NewGuard(engine, sys)
		desk, err := casework.New(casework.Options{Store: st, Investigator: &agent.Investigator{Planner: agent.Playbook{}, Systems: sys, Guard: guard},
			Systems: sys, Guard: guard})
		if err != nil {
			t.Fatal(err)
		}
		res, err := desk.HandleEvent(ctx, holdEvent("e1", "SO-10047"))
		if err != nil {
			t.Fatal(err)
		}
		v, _ := desk.View(ctx, res.CaseID)
		id := v.Actions[0].Stored.ID
		who := casework.Approver{Actor: casework.Actor{ID: supervisor}, Holds: func(context.Context, string) (bool, error) { return true, nil }}
		if r, err := desk.Approve(ctx, id, who); err != nil || r.Kind != casework.Executed {
			t.Fatalf("approve: %+v %v", r, err)
		}
		v, err = desk.View(ctx, res.CaseID)
		if err != nil {
			t.Fatal(err)
		}
		v.Case.Duration = time.Millisecond
		b, _ := json.Marshal(RenderCase(v, RenderOptions{}))
		s := regexp.MustCompile(`p_[a-z2-7]{26}`).ReplaceAllString(string(b), "p_ID")
		return regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d UTC`).ReplaceAllString(s, "TIME")
	}
	if a, b := render(pg), render(lite); a != b {
		t.Errorf("rendered from PostgreSQL:\n%s\nfrom SQLite:\n%s", a, b)
	}
}

func pgSchema(s *postgres.Store) string {
	var name string
	_ = s.Pool().QueryRow(context.Background(), "SELECT current_schema()").Scan(&name)
	return name
}
