package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/sqlite"
)

// runCmd runs exdesk with args and the given environment.
func runExdesk(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := newEnv(strings.NewReader(""), &out, &errb, func(k string) string { return vars[k] })
	code := run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

const jsonlGood = `{"id":"B-1","source":"erp","type":"hold_placed","order_id":"SO-1","at":"2026-11-26T09:30:00Z"}`

func TestIngestCommand(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	content := jsonlGood + "\n\n" + `{"id":"B-2","source":"erp","type":"hold_placed","at":"2026-11-26T09:30:00Z"}` + "\n" + `not json` + "\n"
	if err := os.WriteFile(bad, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		vars     map[string]string
		args     []string
		wantCode int
		wantErr  []string
		wantOut  []string
	}{
		{name: "bad lines named, nothing published", args: []string{"ingest", "--quiet", bad}, wantCode: exitFailed,
			wantErr: []string{"line 3: order_id: required", "line 4: not a JSON object", "2 bad lines", "nothing published"}},
		{name: "skip-bad needs redis", args: []string{"ingest", "--quiet", "--skip-bad", bad}, wantCode: exitHarness,
			wantErr: []string{"REDIS_URL is not set"}},
		{name: "no file", args: []string{"ingest"}, wantCode: exitUsage},
		{name: "help", args: []string{"ingest", "--help"}, wantCode: exitOK, wantOut: []string{"Examples:", "--skip-bad"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runExdesk(t, tt.vars, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s", code, tt.wantCode, stderr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout does not say %q:\n%s", w, stdout)
				}
			}
		})
	}
}

func TestIngestCommandPublishes(t *testing.T) {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("REDIS_URL is not set: run `scripts/services.sh start; export $(scripts/services.sh env)`")
		}
		t.Skip("REDIS_URL is not set")
	}
	stream := "exdesk:test:cmd:" + randomSuffix()
	opt, _ := redis.ParseURL(url)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	t.Cleanup(func() {
		keys, _ := rdb.Keys(context.Background(), stream+"*").Result()
		if len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
	})
	file := filepath.Join(t.TempDir(), "ok.jsonl")
	content := jsonlGood + "\n" + strings.Replace(jsonlGood, "B-1", "B-2", 1) + "\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"REDIS_URL": url, "EXDESK_STREAM": stream}
	for i, want := range []string{"published 2 events", "published 0 events to " + stream + " (2 duplicates"} {
		code, out, stderr := runExdesk(t, vars, "ingest", "--quiet", file)
		if code != exitOK || !strings.Contains(out, want) {
			t.Fatalf("run %d: exit %d, out %q, err %q; want %q", i, code, out, stderr, want)
		}
	}
	if n, _ := rdb.XLen(context.Background(), stream).Result(); n != 2 {
		t.Errorf("stream holds %d entries, want 2", n)
	}
}

func TestMigrateAndAudit(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "exdesk.db")
	vars := map[string]string{}
	code, out, stderr := runExdesk(t, vars, "migrate", "--db", db)
	if code != exitOK || !strings.Contains(out, "migrated from version 0 to") {
		t.Fatalf("migrate: %d %q %q", code, out, stderr)
	}
	if code, out, _ = runExdesk(t, vars, "migrate", "--db", db); code != exitOK || !strings.Contains(out, "nothing to apply") {
		t.Fatalf("second migrate: %d %q", code, out)
	}
	st, err := sqlite.Open(ctx, db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []string{"case-A", "case-B", "case-A"} {
		if err := st.AppendAudit(ctx, &store.AuditEntry{Actor: "policy", Kind: "case.opened", CaseID: c, Outcome: "auto",
			Data: json.RawMessage(`{"n":` + string(rune('0'+i)) + `}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if code, out, _ = runExdesk(t, vars, "audit", "verify", "--db", db); code != exitOK || !strings.Contains(out, "intact: 3 rows") {
		t.Fatalf("verify: %d %q", code, out)
	}
	code, out, _ = runExdesk(t, vars, "audit", "export", "--db", db, "--case", "case-A")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitOK || len(lines) != 2 || !strings.Contains(lines[0], `"case_id":"case-A"`) || !strings.Contains(lines[1], `"prev_hash"`) {
		t.Fatalf("export: %d %q", code, out)
	}
	if code, _, _ = runExdesk(t, vars, "audit", "export", "--db", db, "--case", "case-Z"); code != exitFailed {
		t.Errorf("export of an unknown case: exit %d, want %d", code, exitFailed)
	}
	// Tamper with row 2 behind the store's back.
	if _, err := st.DB().Exec(`DROP TRIGGER audit_log_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`UPDATE audit_log SET outcome = 'approval' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	code, out, _ = runExdesk(t, vars, "audit", "verify", "--db", db)
	if code != exitFailed || !strings.Contains(out, "audit row 2 changed") {
		t.Errorf("verify after tampering: exit %d, %q; want exit 3 naming row 2", code, out)
	}
}
