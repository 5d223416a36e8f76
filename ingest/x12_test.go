package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/ingest/x12"
)

func x12File(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("x12/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// many214 is an interchange of n 214 sets for orders SO-000000….
func many214(n int) string {
	var b strings.Builder
	isa := "ISA*00*          *00*          *ZZ*BIGCARRIER     *ZZ*EXDESK         *261126*1430*U*00401*000000900*0*P*>~\n"
	b.WriteString(isa)
	b.WriteString("GS*QM*BIGCARRIER*EXDESK*20261126*1430*900*X*004010~\n")
	for i := range n {
		fmt.Fprintf(&b, "ST*214*%05d~\nB10*PRO%d*SH-%06d*RDLS~\nL11*SO-%06d*SO~\nLX*1~\nAT7*SD*AO***20261126*1015*CT~\nMS1*OMAHA*NE*US~\nSE*7*%05d~\n", i+1, i, i, i, i+1)
	}
	fmt.Fprintf(&b, "GE*%d*900~\nIEA*1*000000900~\n", n)
	return b.String()
}

func TestX12Handler(t *testing.T) {
	ctx := context.Background()
	rdb := miniRedis(t)
	names := testNames(t, rdb)
	m := NewMetrics(nil)
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)
	h := X12Handler(NewPublisher(rdb, PublisherOptions{Names: names, Metrics: m}),
		X12Options{Token: "s3cret", Metrics: m, Now: func() time.Time { return now }})
	xlen := func() int64 {
		n, _ := rdb.XLen(ctx, names.Stream).Result()
		return n
	}
	delay := x12File(t, "214-delay.x12")
	tests := []struct {
		name       string
		token      string
		query      string
		body       string
		wantStatus int
		wantBody   []string // substrings
		wantHeader map[string]string
		wantLen    int64
	}{
		{name: "no token", body: delay, wantStatus: 401, wantBody: []string{"bearer token"}},
		{name: "broken ISA", token: "s3cret", body: strings.Replace(delay, "RDLSCARRIER    *", "RDLS*", 1), wantStatus: 400,
			wantBody: []string{`"segment":1`, `"segment_id":"ISA"`, `"element":6`, "ISA06 must be exactly 15 characters"}},
		{name: "truncated", token: "s3cret", body: delay[:len(delay)/2], wantStatus: 400, wantBody: []string{"truncated", `"segment":`}},
		{name: "bad ack kind", token: "s3cret", query: "?ack=998", body: delay, wantStatus: 400, wantBody: []string{"ack=997 or ack=999"}},
		{name: "good", token: "s3cret", body: delay, wantStatus: 202, wantBody: []string{`"accepted":2`, `"sets":2`, `"skipped":[]`}, wantLen: 2},
		{name: "again: duplicates", token: "s3cret", body: delay, wantStatus: 202,
			wantBody: []string{`"accepted":0`, `"duplicates":["x12:RDLSCARRIER:000004471:4471:0001","x12:RDLSCARRIER:000004471:4471:0002"]`}, wantLen: 2},
		{name: "one set skipped, 997", token: "s3cret", query: "?ack=997", body: x12File(t, "855-with-810.x12"), wantStatus: 202,
			wantBody: []string{"ISA*00*", "AK2*810*0001~\nAK5*R*1~", "AK9*A*1*1*1~"}, wantHeader: map[string]string{"X-Exdesk-Skipped": "1",
				"X-Exdesk-Accepted": "1", "Content-Type": "application/edi-x12"}, wantLen: 3},
		{name: "rejected, 999", token: "s3cret", query: "?ack=999", body: strings.Replace(delay, "SE*18*0001", "SE*19*0001", 1), wantStatus: 400,
			wantBody: []string{"ST*999*0001*005010X231A1", "IK5*R*4", "AK9*R*1*1*0"}, wantHeader: map[string]string{"X-Exdesk-Error": "segment 20 (SE01): SE01 says 19 segments"}, wantLen: 3},
		{name: "inbound direction", token: "s3cret", query: "?direction=inbound", body: x12File(t, "856-inbound.x12"), wantStatus: 202,
			wantBody: []string{`"accepted":1`}, wantLen: 4},
		{name: "ten thousand sets", token: "s3cret", body: many214(10000), wantStatus: 202, wantBody: []string{`"accepted":10000`, `"sets":10000`}, wantLen: 10004},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/v1/edi/x12"+tt.query, strings.NewReader(tt.body))
			if tt.token != "" {
				r.Header.Set("Authorization", "Bearer "+tt.token)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.wantStatus, w.Body)
			}
			for _, s := range tt.wantBody {
				if !strings.Contains(w.Body.String(), s) {
					t.Fatalf("body lacks %q:\n%.2000s", s, w.Body)
				}
			}
			for k, v := range tt.wantHeader {
				if got := w.Header().Get(k); !strings.Contains(got, v) {
					t.Fatalf("header %s = %q, want %q", k, got, v)
				}
			}
			if tt.wantLen > 0 || tt.wantStatus >= 400 {
				want := tt.wantLen
				if tt.wantStatus >= 400 && tt.wantLen == 0 {
					want = xlen() // rejected before anything was queued: unchanged
				}
				if got := xlen(); got != want {
					t.Fatalf("stream length %d, want %d", got, want)
				}
			}
		})
	}
	if n := testutilValue(m.Ignored.WithLabelValues("x12", "unmappable_set")); n != 1 {
		t.Fatalf("skipped sets counted %v", n)
	}
}

func TestX12EventsSkipsASetWhoseEventIsNotAcceptable(t *testing.T) {
	in := strings.Replace(x12File(t, "214-delay.x12"), "L11*SO-10181*SO", "L11*SO 10181*SO", 1)
	b, err := X12Events([]byte(in), x12.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Events) != 1 || len(b.Skipped) != 1 || b.Skipped[0].Set != "0002" || !strings.Contains(b.Skipped[0].Reason, "order_id: must not contain spaces") {
		raw, _ := json.Marshal(b.Skipped)
		t.Fatalf("events %d, skipped %s", len(b.Events), raw)
	}
}
