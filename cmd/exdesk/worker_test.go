package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/sim"
	"github.com/exdesk/exdesk/ingest"
	"github.com/exdesk/exdesk/store/postgres"
	"github.com/exdesk/exdesk/store/storetest"
)

// needServers returns REDIS_URL and DATABASE_URL; without them the test is
// skipped, or fails under CI=true.
func needServers(t *testing.T) (string, string) {
	t.Helper()
	r, d := os.Getenv("REDIS_URL"), os.Getenv("DATABASE_URL")
	if r == "" || d == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("REDIS_URL and DATABASE_URL are not set: run `scripts/services.sh start; export $(scripts/services.sh env)`")
		}
		t.Skip("REDIS_URL and DATABASE_URL are not set (scripts/services.sh start; export $(scripts/services.sh env))")
	}
	return r, d
}

func randomSuffix() string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// buildExdesk builds the exdesk binary once for the test.
func buildExdesk(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "exdesk")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestKillWorkerMidway is the replicas test of issue 5: 10,000 simulated
// events through three `exdesk worker` processes sharing real Redis and
// real Postgres, one killed with SIGKILL midway. Every event must end in
// exactly one case or in the dead-letter stream, and no action may be
// executed twice.
func TestKillWorkerMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("the kill test runs three worker processes for about a minute; not with -short")
	}
	redisURL, dbURL := needServers(t)
	ctx := context.Background()
	bin := buildExdesk(t)

	schema := "kill_" + randomSuffix()
	key := storetest.NewAuditKey(t)
	st, err := postgres.Open(ctx, dbURL, postgres.Options{Schema: schema, AuditKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = st.Pool().Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		_ = st.Close()
	})
	sep := "?"
	if strings.Contains(dbURL, "?") {
		sep = "&"
	}
	workerDB := dbURL + sep + "search_path=" + url.QueryEscape(schema+",public")

	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	names := ingest.Names{Stream: "exdesk:test:kill:" + randomSuffix(), Group: ingest.DefaultGroup}
	t.Cleanup(func() {
		keys, _ := rdb.Keys(context.Background(), names.Stream+"*").Result()
		if len(keys) > 0 {
			_ = rdb.Del(context.Background(), keys...).Err()
		}
	})

	const total, orders = 10000, 4000
	evs := sim.New(sim.Options{Seed: 1, Orders: orders}).Events()[:total]
	began := time.Now()
	if res, err := ingest.NewPublisher(rdb, ingest.PublisherOptions{Names: names}).Publish(ctx, evs); err != nil || res.Accepted != total {
		t.Fatalf("publish: %+v, %v", res, err)
	}
	t.Logf("published %d events in %s", total, time.Since(began).Round(time.Millisecond))

	logs := t.TempDir()
	start := func(i int) *exec.Cmd {
		cmd := exec.Command(bin, "worker", "--stream", names.Stream, "--consumer", fmt.Sprint("w", i),
			"--seed", "1", "--orders", fmt.Sprint(orders), "--concurrency", "6",
			"--claim-after", "2s", "--lock-ttl", "3s", "--max-deliveries", "5")
		cmd.Env = append(os.Environ(), "REDIS_URL="+redisURL, "DATABASE_URL="+workerDB, "EXDESK_AUDIT_KEY="+key.Hex())
		f, err := os.Create(filepath.Join(logs, fmt.Sprintf("w%d.log", i)))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = f, f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); _ = f.Close() })
		return cmd
	}
	began = time.Now()
	workers := []*exec.Cmd{start(0), start(1), start(2)}

	recorded := func() int {
		var n int
		if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM case_events WHERE event_id IS NOT NULL`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	dead := func() int { n, _ := rdb.XLen(ctx, names.DeadLetter()).Result(); return int(n) }
	deadline := time.Now().Add(240 * time.Second)
	wait := func(what string, done func() bool) {
		t.Helper()
		for !done() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s: %d events recorded, %d dead-lettered (worker logs in %s)", what, recorded(), dead(), logs)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	// Kill worker 0 with SIGKILL midway, while it holds entries.
	wait("a third of the events", func() bool { return recorded() >= total/3 })
	if err := workers[0].Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = workers[0].Wait()
	killedAt := recorded()
	held, err := rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: names.Stream, Group: names.Group, Start: "-", End: "+", Count: 1000, Consumer: "w0"}).Result()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("killed w0 after %s at %d events recorded, holding %d unacknowledged entries", time.Since(began).Round(time.Millisecond), killedAt, len(held))

	wait("every event", func() bool {
		if recorded()+dead() < total {
			return false
		}
		p, err := rdb.XPending(ctx, names.Stream, names.Group).Result()
		return err == nil && p.Count == 0
	})
	elapsed := time.Since(began)
	for _, w := range workers[1:] {
		_ = w.Process.Signal(syscall.SIGTERM)
		_ = w.Wait()
	}
	t.Logf("%d events through 3 workers (one killed) in %s: %.0f events/s; %d dead-lettered", total, elapsed.Round(time.Millisecond),
		float64(total)/elapsed.Seconds(), dead())

	// Every event ends in exactly one case (or the dead-letter stream).
	published := make(map[string]bool, total)
	for _, ev := range evs {
		published[ev.ID] = true
	}
	rows, err := st.Pool().Query(ctx, `SELECT event_id, count(*), count(DISTINCT case_id) FROM case_events WHERE event_id IS NOT NULL GROUP BY event_id`)
	if err != nil {
		t.Fatal(err)
	}
	inCases := map[string]bool{}
	for rows.Next() {
		var id string
		var n, cases int
		if err := rows.Scan(&id, &n, &cases); err != nil {
			t.Fatal(err)
		}
		if n != 1 || cases != 1 {
			t.Errorf("event %s recorded %d times in %d cases", id, n, cases)
		}
		if !published[id] {
			t.Errorf("case event %s was never published", id)
		}
		inCases[id] = true
	}
	rows.Close()
	// An event that opened a case is recorded in the case it opened, never
	// in another one (a redelivery after a crash finds its own case).
	rows, err = st.Pool().Query(ctx, `SELECT event_id, case_id FROM case_events WHERE kind = 'event.opened'`)
	if err != nil {
		t.Fatal(err)
	}
	byID := make(map[string]connectors.Event, len(evs))
	for _, ev := range evs {
		byID[ev.ID] = ev
	}
	for rows.Next() {
		var id, caseID string
		if err := rows.Scan(&id, &caseID); err != nil {
			t.Fatal(err)
		}
		if want := casework.CaseIDFor(byID[id]); caseID != want {
			t.Errorf("event %s opened case %s but is recorded in %s", id, want, caseID)
		}
	}
	rows.Close()
	deadMsgs, err := rdb.XRange(ctx, names.DeadLetter(), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range deadMsgs {
		raw, _ := m.Values["event"].(string)
		for id := range published {
			if strings.Contains(raw, `"id":"`+id+`"`) && inCases[id] {
				t.Errorf("event %s is both in a case and dead-lettered", id)
			}
		}
		t.Logf("dead letter: %v", m.Values["error"])
	}
	if len(inCases)+len(deadMsgs) != total {
		t.Errorf("%d events in cases + %d dead-lettered, want %d", len(inCases), len(deadMsgs), total)
	}

	// No action executed twice: one execution per proposal (the table's
	// key), at most one per case, and never the same action twice on an order.
	var execs, dupCases, dupActions, openDup int
	q := func(sql string, into *int) {
		t.Helper()
		if err := st.Pool().QueryRow(ctx, sql).Scan(into); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	q(`SELECT count(*) FROM executions`, &execs)
	q(`SELECT count(*) FROM (SELECT case_id FROM executions WHERE status <> 'failed' GROUP BY case_id HAVING count(*) > 1) d`, &dupCases)
	// The same business effect: the action's type, order and arguments,
	// whatever proposal (id) carried it.
	q(`SELECT count(*) FROM (SELECT e.action->>'order_id', e.action->>'type', (e.action->'args')::text FROM executions e
		WHERE e.status <> 'failed' GROUP BY 1, 2, 3 HAVING count(*) > 1) d`, &dupActions)
	q(`SELECT count(*) FROM (SELECT order_id FROM cases WHERE status = 'open' GROUP BY order_id HAVING count(*) > 1) d`, &openDup)
	// Every case with an exception is waiting in the outbox to be posted
	// (no serve replica ran): none was stored without its post.
	var unposted int
	q(`SELECT count(*) FROM cases c WHERE c.class <> 'none' AND NOT EXISTS (
		SELECT 1 FROM outbox o WHERE o.case_id = c.id AND o.kind = 'case.post')`, &unposted)
	if unposted != 0 {
		t.Errorf("%d cases stored without a post in the outbox", unposted)
	}
	if execs == 0 {
		t.Error("no action executed at all")
	}
	if dupCases != 0 || dupActions != 0 {
		t.Errorf("actions executed twice: %d cases with two executions, %d actions executed twice", dupCases, dupActions)
		// What happened, for the reader of a failure: every execution of
		// the cases concerned, with the case's events and audit.
		rows, err := st.Pool().Query(ctx, `SELECT e.case_id, e.proposal_id, e.action::text, e.executed_by, e.status, e.started_at
			FROM executions e WHERE e.status <> 'failed' AND e.case_id IN (
				SELECT case_id FROM executions WHERE status <> 'failed' GROUP BY case_id HAVING count(*) > 1)
			ORDER BY e.case_id, e.started_at`)
		if err == nil {
			for rows.Next() {
				var caseID, pid, action, by, status string
				var at time.Time
				if rows.Scan(&caseID, &pid, &action, &by, &status, &at) == nil {
					t.Logf("case %s: %s %s by %s at %s: %s", caseID, pid, status, by, at.Format(time.RFC3339Nano), action)
				}
			}
			rows.Close()
		}
		rows, err = st.Pool().Query(ctx, `SELECT a.case_id, a.kind, a.actor, a.data::text FROM audit_log a WHERE a.case_id IN (
				SELECT case_id FROM executions WHERE status <> 'failed' GROUP BY case_id HAVING count(*) > 1) ORDER BY a.seq`)
		if err == nil {
			for rows.Next() {
				var caseID, kind, actor, data string
				if rows.Scan(&caseID, &kind, &actor, &data) == nil {
					t.Logf("audit %s %s by %s: %.300s", caseID, kind, actor, data)
				}
			}
			rows.Close()
		}
	}
	if openDup != 0 {
		t.Errorf("%d orders with two open cases", openDup)
	}
	if b, err := st.VerifyAudit(ctx); err != nil || b != nil {
		t.Errorf("audit chain after the run: %v %v", b, err)
	}
	var cases int
	q(`SELECT count(*) FROM cases`, &cases)
	t.Logf("%d cases, %d executions", cases, execs)
}
