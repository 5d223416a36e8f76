package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/postgres"
	"github.com/exdesk/exdesk/store/sqlite"
	"github.com/exdesk/exdesk/store/storetest"
)

func TestAuditMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "nope.db")
	for _, args := range [][]string{
		{"audit", "verify", "--db", db},
		{"audit", "export", "--db", db, "--case", "c_1"},
		{"audit", "checkpoint", "--db", db, "--checkpoint", filepath.Join(dir, "cp")},
	} {
		code, out, stderr := runExdesk(t, map[string]string{}, args...)
		if code != exitHarness || !strings.Contains(stderr, "no such database file") || strings.Contains(out, "intact") {
			t.Errorf("%v on a missing file: exit %d, %q %q; want exit %d naming the missing file", args, code, out, stderr, exitHarness)
		}
		if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%v created %s", args, db)
		}
	}
}

// unkeyedChain is how someone who can write the database but lacks the
// key recomputes the chain: plain SHA-256, as before it was keyed.
func unkeyedChain(prev string, e *store.AuditEntry) string {
	content, err := store.AuditContent(e)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(append([]byte(prev), content...))
	return hex.EncodeToString(sum[:])
}

// rewritten returns rows with row seq's outcome changed and the chain
// recomputed by hash from there, and the new head.
func rewritten(rows []store.AuditEntry, seq int64, hash func(string, *store.AuditEntry) string) ([]store.AuditEntry, store.AuditHead) {
	out := make([]store.AuditEntry, 0, len(rows))
	prev := ""
	for _, r := range rows {
		if r.Seq >= seq {
			if r.Seq == seq {
				r.Outcome = "auto"
			}
			r.PrevHash = prev
			r.Hash = hash(prev, &r)
		}
		prev = r.Hash
		out = append(out, r)
	}
	return out, store.AuditHead{Seq: out[len(out)-1].Seq, Hash: prev}
}

func appendRows(t *testing.T, st store.Store, n int) []store.AuditEntry {
	t.Helper()
	var out []store.AuditEntry
	for i := range n {
		e := store.AuditEntry{Actor: "policy", Kind: "proposal.decided", CaseID: "case-A", Outcome: "approval",
			Rule: "release_hold.credit", Data: json.RawMessage(fmt.Sprintf(`{"exposure":%d}`, 1000*(i+1)))}
		if err := st.AppendAudit(context.Background(), &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// sqliteRewrite writes rows and head into the SQLite file behind the
// store's back.
func sqliteRewrite(t *testing.T, st *sqlite.Store, rows []store.AuditEntry, head store.AuditHead) {
	t.Helper()
	db := st.DB()
	if _, err := db.Exec(`DROP TRIGGER audit_log_no_update`); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if _, err := db.Exec(`UPDATE audit_log SET outcome = ?, prev_hash = ?, hash = ? WHERE seq = ?`, r.Outcome, r.PrevHash, r.Hash, r.Seq); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, head.Seq, head.Hash); err != nil {
		t.Fatal(err)
	}
}

func TestAuditVerifyKeyedSQLite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "exdesk.db")
	key := storetest.NewAuditKey(t)
	vars := map[string]string{"EXDESK_AUDIT_KEY": key.Hex()}
	st, err := sqlite.Open(ctx, db, sqlite.Options{AuditKey: key})
	if err != nil {
		t.Fatal(err)
	}
	rows := appendRows(t, st, 5)
	if code, out, stderr := runExdesk(t, vars, "audit", "verify", "--db", db); code != exitOK || !strings.Contains(out, "intact: 5 rows") {
		t.Fatalf("verify: exit %d %q %q", code, out, stderr)
	}
	keyFile := filepath.Join(dir, "audit.key")
	if err := os.WriteFile(keyFile, []byte(key.Hex()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runExdesk(t, map[string]string{"EXDESK_AUDIT_KEY_FILE": keyFile}, "audit", "verify", "--db", db); code != exitOK {
		t.Fatalf("verify with EXDESK_AUDIT_KEY_FILE: exit %d %q", code, out)
	}
	both := map[string]string{"EXDESK_AUDIT_KEY": key.Hex(), "EXDESK_AUDIT_KEY_FILE": keyFile}
	if code, _, stderr := runExdesk(t, both, "audit", "verify", "--db", db); code != exitHarness || !strings.Contains(stderr, "both set") {
		t.Errorf("verify with both key settings: exit %d %q", code, stderr)
	}
	if code, _, stderr := runExdesk(t, map[string]string{"EXDESK_AUDIT_KEY": "0123"}, "audit", "verify", "--db", db); code != exitHarness || !strings.Contains(stderr, "EXDESK_AUDIT_KEY") {
		t.Errorf("verify with a short key: exit %d %q", code, stderr)
	}
	other := map[string]string{"EXDESK_AUDIT_KEY": storetest.NewAuditKey(t).Hex()}
	if code, out, _ := runExdesk(t, other, "audit", "verify", "--db", db); code != exitFailed || !strings.Contains(out, "audit row 1 changed") || !strings.Contains(out, "key") {
		t.Errorf("verify under another key: exit %d %q; want exit 3 naming row 1 and the key", code, out)
	}

	// Row 3 rewritten and the chain recomputed without the key.
	bad, head := rewritten(rows, 3, unkeyedChain)
	sqliteRewrite(t, st, bad, head)
	_ = st.Close()
	code, out, _ := runExdesk(t, vars, "audit", "verify", "--db", db)
	if code != exitFailed || !strings.Contains(out, "audit row 3 changed") {
		t.Errorf("verify after a rewrite with an unkeyed chain: exit %d, %q; want exit 3 naming row 3", code, out)
	}
}

func TestAuditCheckpointCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "exdesk.db")
	cp := filepath.Join(dir, "exdesk.checkpoint")
	st, err := sqlite.Open(ctx, db, sqlite.Options{}) // the default key file beside it
	if err != nil {
		t.Fatal(err)
	}
	rows := appendRows(t, st, 6)
	vars := map[string]string{}
	if code, out, stderr := runExdesk(t, vars, "audit", "checkpoint", "--db", db, "--checkpoint", cp); code != exitOK || !strings.Contains(out, "row 6") {
		t.Fatalf("checkpoint: exit %d %q %q", code, out, stderr)
	}
	if code, out, _ := runExdesk(t, vars, "audit", "verify", "--db", db, "--checkpoint", cp); code != exitOK || !strings.Contains(out, "matches the checkpoint") {
		t.Fatalf("verify against the checkpoint: exit %d %q", code, out)
	}
	// Delete the two newest rows and move the head back: the chain alone
	// still verifies; the checkpoint does not.
	if _, err := st.DB().Exec(`DROP TRIGGER audit_log_no_delete`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`DELETE FROM audit_log WHERE seq > 4`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`UPDATE audit_head SET seq = 4, hash = ? WHERE id = 1`, rows[3].Hash); err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	if code, out, _ := runExdesk(t, vars, "audit", "verify", "--db", db); code != exitOK || !strings.Contains(out, "no checkpoint given") {
		t.Fatalf("verify without the checkpoint: exit %d %q", code, out)
	}
	code, out, _ := runExdesk(t, map[string]string{"EXDESK_AUDIT_CHECKPOINT": cp}, "audit", "verify", "--db", db)
	if code != exitFailed || !strings.Contains(out, "audit row 5 deleted") {
		t.Errorf("verify with EXDESK_AUDIT_CHECKPOINT after a cut: exit %d %q; want exit 3 naming row 5", code, out)
	}
	// A new checkpoint is not written over the evidence.
	code, out, _ = runExdesk(t, vars, "audit", "checkpoint", "--db", db, "--checkpoint", cp)
	if code != exitFailed || !strings.Contains(out, "no checkpoint written") {
		t.Errorf("checkpoint of the cut log: exit %d %q; want exit 3", code, out)
	}
	if code, out, _ = runExdesk(t, vars, "audit", "verify", "--db", db, "--checkpoint", cp); code != exitFailed {
		t.Errorf("the checkpoint moved back: verify exit %d %q", code, out)
	}
	// A checkpoint named for a log with rows must exist.
	code, _, stderr := runExdesk(t, vars, "audit", "verify", "--db", db, "--checkpoint", filepath.Join(dir, "gone"))
	if code != exitHarness || !strings.Contains(stderr, "missing") {
		t.Errorf("verify with a missing checkpoint: exit %d %q", code, stderr)
	}
}

// TestAuditPostgres: on the real server, audit verify needs the key and
// names a row rewritten with an unkeyed chain; migrate grants the
// application role.
func TestAuditPostgres(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	ctx := context.Background()
	admin, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	suffix := randomSuffix()
	schema, role := "audit_cmd_"+suffix, "exdesk_app_cmd_"+suffix
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, `CREATE ROLE `+role+` LOGIN`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		_, _ = admin.Exec(context.Background(), `DROP OWNED BY `+role)
		_, _ = admin.Exec(context.Background(), `DROP ROLE `+role)
	})
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	ownerURL := u.String()

	code, out, stderr := runExdesk(t, map[string]string{"DATABASE_URL": ownerURL, "EXDESK_DB_APP_ROLE": role}, "migrate")
	if code != exitOK || !strings.Contains(out, "role "+role) {
		t.Fatalf("migrate with an app role: exit %d %q %q", code, out, stderr)
	}
	u.User = url.User(role)
	appURL := u.String()

	code, _, stderr = runExdesk(t, map[string]string{"DATABASE_URL": appURL}, "audit", "verify")
	if code != exitHarness || !strings.Contains(stderr, "EXDESK_AUDIT_KEY") || !strings.Contains(stderr, "openssl rand -hex 32") {
		t.Fatalf("verify without a key: exit %d %q; want exit 1 naming EXDESK_AUDIT_KEY and how to make one", code, stderr)
	}
	key := storetest.NewAuditKey(t)
	st, err := postgres.Open(ctx, appURL, postgres.Options{AuditKey: key})
	if err != nil {
		t.Fatalf("open as the app role: %v", err)
	}
	defer st.Close()
	rows := appendRows(t, st, 4)
	vars := map[string]string{"DATABASE_URL": appURL, "EXDESK_AUDIT_KEY": key.Hex()}
	if code, out, stderr = runExdesk(t, vars, "audit", "verify"); code != exitOK || !strings.Contains(out, "intact: 4 rows") {
		t.Fatalf("verify: exit %d %q %q", code, out, stderr)
	}
	// The app role cannot rewrite a row; the owner can, and recomputes the
	// chain without the key.
	if _, err := st.Pool().Exec(ctx, `UPDATE audit_log SET outcome = 'auto' WHERE seq = 2`); err == nil {
		t.Fatal("the app role updated an audit row")
	}
	bad, head := rewritten(rows, 2, unkeyedChain)
	err = pgx.BeginFunc(ctx, admin, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL search_path = `+schema); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `ALTER TABLE audit_log DISABLE TRIGGER USER`); err != nil {
			return err
		}
		for _, r := range bad {
			if _, err := tx.Exec(ctx, `UPDATE audit_log SET outcome = $1, prev_hash = $2, hash = $3 WHERE seq = $4`, r.Outcome, r.PrevHash, r.Hash, r.Seq); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE audit_head SET seq = $1, hash = $2`, head.Seq, head.Hash); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `ALTER TABLE audit_log ENABLE TRIGGER USER`)
		return err
	})
	if err != nil {
		t.Fatalf("rewrite as the owner: %v", err)
	}
	code, out, _ = runExdesk(t, vars, "audit", "verify")
	if code != exitFailed || !strings.Contains(out, "audit row 2 changed") {
		t.Errorf("verify after a rewrite with an unkeyed chain: exit %d %q; want exit 3 naming row 2", code, out)
	}
}
