package main

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack/slacktest"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors/sim"
	"github.com/exdesk/exdesk/kpi"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/sqlite"
)

// simulatedDay runs a simulated day through the case lifecycle into a
// SQLite file, then has people approve every other pending approval and
// reject the rest, and returns the file.
func simulatedDay(t *testing.T, orders int) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "day.db")
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	engine, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	s := sim.New(sim.Options{Seed: 7, Orders: orders})
	desk, _, err := newDesk(deskConfig{Store: st, Systems: s.Systems(), Engine: engine, Planner: agent.Playbook{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range s.Events() {
		s.Apply(ev)
		_, _ = desk.HandleEvent(ctx, ev) // unknown orders are part of the day
	}
	pending, err := st.ListPendingProposals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	anyone := casework.Approver{Actor: casework.Actor{ID: "U0BOSS", Surface: "test"},
		Holds: func(context.Context, string) (bool, error) { return true, nil }}
	for i, p := range pending {
		if p.Outcome != "approval" {
			continue
		}
		if i%2 == 0 {
			_, err = desk.Approve(ctx, p.ID, anyone)
		} else {
			_, err = desk.Reject(ctx, p.ID, anyone, "not this one")
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// exdesk report's figures match counts taken directly from the store
// after a simulated day.
func TestReportMatchesTheStore(t *testing.T) {
	path := simulatedDay(t, 150)
	code, out, errOut := runWithInput(t, "", "report", "--db", path, "--since", "1d", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep kpi.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cases, err := st.ListCases(ctx, store.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var opened, open, resolved, touchless, decided, rejected, blocked, expedites, tokens int
	for _, c := range cases {
		opened++
		ps, err := st.ListProposals(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		human := false
		for _, p := range ps {
			if p.Outcome == "blocked" {
				blocked++
			}
			if p.DecidedBy == "U0BOSS" {
				human = true
				decided++
				if p.State == store.Rejected {
					rejected++
				}
			}
			if e, err := st.GetExecution(ctx, p.ID); err == nil && e.Status == store.ExecSucceeded && e.Action.Type == "expedite_shipment" {
				expedites++
			}
		}
		switch c.Status {
		case store.CaseOpen:
			open++
		case store.CaseResolved:
			resolved++
			if !human {
				touchless++
			}
		}
	}
	sum := func(cs []kpi.Count) (n int) {
		for _, c := range cs {
			n += c.Count
		}
		return n
	}
	var repDecided, repRejected int
	for _, d := range rep.Decisions {
		repDecided += d.Decided
		repRejected += d.Rejected
	}
	checks := []struct {
		name      string
		got, want int
	}{
		{"opened", rep.Opened, opened},
		{"opened by class", sum(rep.ByClass), opened},
		{"resolved", rep.Resolved, resolved},
		{"touchless", rep.Touchless, touchless},
		{"backlog", rep.Backlog.Open, open},
		{"backlog buckets", sum(rep.Backlog.Buckets), open},
		{"decided", repDecided, decided},
		{"rejected", repRejected, rejected},
		{"blocked", sum(rep.Blocked), blocked},
		{"expedites", rep.Expedites, expedites},
		{"llm cases (playbook day)", rep.LLM.Cases, tokens},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: report %d, store %d", c.name, c.got, c.want)
		}
	}
	if opened == 0 || decided == 0 || resolved == 0 {
		t.Fatalf("the simulated day is too quiet to check anything: %d cases, %d decided, %d resolved", opened, decided, resolved)
	}
	t.Logf("simulated day: %d cases, %d resolved (%d touchless), %d decided, %d blocked, %d open", opened, resolved, touchless, decided, blocked, open)

	for _, format := range []string{"text", "html"} {
		code, out, errOut := runWithInput(t, "", "report", "--db", path, "--since", "1d", "--format", format)
		if code != exitOK || !strings.Contains(out, "touchless") && !strings.Contains(out, "Touchless") {
			t.Errorf("--format %s: exit %d %s\n%.300s", format, code, errOut, out)
		}
	}
	code, out, _ = runWithInput(t, "", "cases", "--db", path, "--limit", "5")
	if code != exitOK || !strings.Contains(out, "priority") || strings.Count(out, "\n") > 6 {
		t.Errorf("cases: exit %d\n%s", code, out)
	}
}

// fakeUploads is slacktest extended with the files.uploadV2 steps:
// files.getUploadURLExternal, the upload to the URL it returns, and
// files.completeUploadExternal.
type fakeUploads struct {
	srv      *slacktest.Server
	mu       sync.Mutex
	uploaded map[string][]byte // file id → bytes
	complete []map[string]string
}

func newFakeUploads(t *testing.T) *fakeUploads {
	f := &fakeUploads{uploaded: map[string][]byte{}}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/files.getUploadURLExternal", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			if r.Form.Get("filename") == "" || r.Form.Get("length") == "" {
				w.Write([]byte(`{"ok":false,"error":"invalid_arguments"}`))
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "file_id": "F0KPI", "upload_url": f.srv.GetAPIURL() + "upload/F0KPI"})
		})
		c.Handle("/upload/F0KPI", func(w http.ResponseWriter, r *http.Request) {
			_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil {
				http.Error(w, "not multipart", http.StatusBadRequest)
				return
			}
			mr := multipart.NewReader(r.Body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err != nil {
					break
				}
				if p.FormName() == "file" {
					b, _ := io.ReadAll(p)
					f.mu.Lock()
					f.uploaded["F0KPI"] = b
					f.mu.Unlock()
				}
			}
			w.Write([]byte("OK - 1"))
		})
		c.Handle("/files.completeUploadExternal", func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			f.mu.Lock()
			f.complete = append(f.complete, map[string]string{"files": r.Form.Get("files"), "channel_id": r.Form.Get("channel_id"),
				"initial_comment": r.Form.Get("initial_comment")})
			f.mu.Unlock()
			json.NewEncoder(w).Encode(map[string]any{"ok": true, "files": []map[string]any{{"id": "F0KPI", "title": "Exceptions by class"}}})
		})
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func TestReportPostsTheDigest(t *testing.T) {
	path := simulatedDay(t, 120)
	f := newFakeUploads(t)
	var outB, errB strings.Builder
	e := newEnv(strings.NewReader(""), &outB, &errB, func(k string) string {
		return map[string]string{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": f.srv.GetAPIURL()}[k]
	})
	if code := run(context.Background(), e, []string{"report", "--db", path, "--since", "7d", "--post", "C0OPS"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errB.String())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	png := f.uploaded["F0KPI"]
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		t.Fatalf("uploaded %d bytes, not a PNG", len(png))
	}
	if len(f.complete) != 1 || f.complete[0]["channel_id"] != "C0OPS" || !strings.Contains(f.complete[0]["initial_comment"], "touchless") ||
		!strings.Contains(f.complete[0]["files"], "F0KPI") {
		t.Fatalf("completeUploadExternal = %+v", f.complete)
	}
	if !strings.Contains(outB.String(), "posted the digest to C0OPS") {
		t.Errorf("stdout: %s", outB.String())
	}
}
