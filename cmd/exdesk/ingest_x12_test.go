package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestIngestX12Command(t *testing.T) {
	good := "../../ingest/x12/testdata/214-delay.x12"
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.x12")
	if err := os.WriteFile(broken, []byte(strings.Replace(string(raw), "SE*18*0001", "SE*17*0001", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	mixed := "../../ingest/x12/testdata/855-with-810.x12"
	tests := []struct {
		name     string
		vars     map[string]string
		args     []string
		wantCode int
		wantErr  []string
	}{
		{name: "malformed: named, nothing published", args: []string{"ingest", "--format", "x12", "--quiet", broken}, wantCode: exitFailed,
			wantErr: []string{"segment 20 (SE01): SE01 says 17 segments, transaction set 0001 has 18", "nothing published"}},
		{name: "skipped set reported", args: []string{"ingest", "--format", "x12", "--quiet", mixed}, wantCode: exitHarness,
			wantErr: []string{"skipped transaction set 810 0001 (group 514, segment 20)", "REDIS_URL is not set"}},
		{name: "bad format", args: []string{"ingest", "--format", "edifact", good}, wantCode: exitUsage, wantErr: []string{`--format "edifact"`}},
		{name: "bad direction", args: []string{"ingest", "--format", "x12", "--direction", "sideways", good}, wantCode: exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runExdesk(t, tt.vars, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s", code, tt.wantCode, stderr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(stderr, w) {
					t.Fatalf("stderr does not say %q:\n%s", w, stderr)
				}
			}
		})
	}
	url := os.Getenv("REDIS_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("REDIS_URL is not set: run `scripts/services.sh start; export $(scripts/services.sh env)`")
		}
		t.Skip("REDIS_URL is not set")
	}
	stream := "exdesk:test:x12:" + randomSuffix()
	opt, _ := redis.ParseURL(url)
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	t.Cleanup(func() {
		keys, _ := rdb.Keys(context.Background(), stream+"*").Result()
		if len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
	})
	vars := map[string]string{"REDIS_URL": url, "EXDESK_STREAM": stream}
	for i, want := range []string{"published 2 events", "published 0 events to " + stream + " (2 duplicates"} {
		code, out, stderr := runExdesk(t, vars, "ingest", "--format", "x12", "--quiet", good)
		if code != exitOK || !strings.Contains(out, want) {
			t.Fatalf("run %d: exit %d, out %q, err %q; want %q", i, code, out, stderr, want)
		}
	}
}
