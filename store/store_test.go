package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func TestCanTransition(t *testing.T) {
	states := []State{Pending, Approved, Rejected, Expired, Executed, Failed}
	edges := map[[2]State]bool{
		{Pending, Approved}: true, {Pending, Rejected}: true, {Pending, Expired}: true,
		{Approved, Executed}: true, {Approved, Failed}: true,
	}
	for _, from := range states {
		for _, to := range states {
			want := edges[[2]State{from, to}]
			if got := CanTransition(from, to); got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
			if err := CheckTransition(from, to); (err == nil) != want || (err != nil && !errors.Is(err, ErrInvalid)) {
				t.Errorf("CheckTransition(%s, %s) = %v", from, to, err)
			}
		}
		if from.Terminal() == (from == Pending || from == Approved) {
			t.Errorf("%s.Terminal() = %v", from, from.Terminal())
		}
	}
}

func TestConflictError(t *testing.T) {
	err := fmt.Errorf("approve: %w", &ConflictError{ProposalID: "p_1", From: Pending, To: Approved, Current: Rejected, DecidedBy: "U9"})
	var ce *ConflictError
	if !errors.Is(err, ErrConflict) || !errors.As(err, &ce) || ce.Current != Rejected {
		t.Fatalf("conflict error does not unwrap: %v", err)
	}
	if !strings.Contains(err.Error(), "already rejected") || !strings.Contains(err.Error(), "U9") {
		t.Errorf("message %q does not say who decided what", err)
	}
}

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewID("p_")
		if !strings.HasPrefix(id, "p_") || len(id) != 2+26 || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
}

func TestCanonicalJSON(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{``, `null`, false},
		{` {"b": 1, "a": [true, null, "x"]} `, `{"a":[true,null,"x"],"b":1}`, false},
		{`{"n": 12345678901234567890, "f": 1.50, "e": 1e3}`, `{"e":1e3,"f":1.50,"n":12345678901234567890}`, false},
		{`{"html": "<a&b>"}`, `{"html":"<a&b>"}`, false},
		{`{"z": {"y": 1, "x": 2}}`, `{"z":{"x":2,"y":1}}`, false},
		{`{"a":`, ``, true},
		{`{} {}`, ``, true},
	}
	for _, tc := range tests {
		got, err := CanonicalJSON([]byte(tc.in))
		if tc.err {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("CanonicalJSON(%q) err = %v, want ErrInvalid", tc.in, err)
			}
			continue
		}
		if err != nil || string(got) != tc.want {
			t.Errorf("CanonicalJSON(%q) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

// testKey is a fixed audit key for the chain tests.
func testKey(t *testing.T, fill byte) AuditKey {
	t.Helper()
	k, err := NewAuditKey(bytes.Repeat([]byte{fill}, MinAuditKeyBytes))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// unkeyedHash is the chain hash before it was keyed (plain SHA-256), what
// someone who can write the database but lacks the key can compute.
func unkeyedHash(t *testing.T, prev string, e *AuditEntry) string {
	t.Helper()
	content, err := AuditContent(e)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(append([]byte(prev), content...))
	return hex.EncodeToString(sum[:])
}

// rechain recomputes the hashes of rows[from:] and the head with hash, as
// an attacker rewriting the log would.
func rechain(rows []AuditEntry, head *AuditHead, from int, hash func(prev string, e *AuditEntry) string) {
	for i := from; i < len(rows); i++ {
		if i > 0 {
			rows[i].PrevHash = rows[i-1].Hash
		}
		rows[i].Hash = hash(rows[i].PrevHash, &rows[i])
	}
	head.Hash = rows[len(rows)-1].Hash
}

// chain builds n sealed entries as a store would.
func chain(t *testing.T, n int) ([]AuditEntry, AuditHead) {
	t.Helper()
	key := testKey(t, 7)
	var head AuditHead
	var rows []AuditEntry
	at := time.Date(2026, 1, 2, 3, 4, 5, 6789, time.UTC)
	for i := range n {
		e := AuditEntry{At: at.Add(time.Duration(i) * time.Second), Actor: "policy", Kind: "decided",
			CaseID: "c_1", Rule: "r", Outcome: "auto", Data: json.RawMessage(fmt.Sprintf(`{"i":%d}`, i))}
		if err := SealAudit(key, head, &e); err != nil {
			t.Fatal(err)
		}
		head = AuditHead{Seq: e.Seq, Hash: e.Hash}
		rows = append(rows, e)
	}
	return rows, head
}

func TestCheckChain(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(rows []AuditEntry, head *AuditHead) []AuditEntry
		kind   BreakKind
		seq    int64
	}{
		{"intact", func(r []AuditEntry, _ *AuditHead) []AuditEntry { return r }, "", 0},
		{"changed data", func(r []AuditEntry, _ *AuditHead) []AuditEntry {
			r[2].Data = json.RawMessage(`{"i":99}`)
			return r
		}, BreakChanged, 3},
		{"changed actor", func(r []AuditEntry, _ *AuditHead) []AuditEntry { r[0].Actor = "mallory"; return r }, BreakChanged, 1},
		{"changed time", func(r []AuditEntry, _ *AuditHead) []AuditEntry {
			r[4].At = r[4].At.Add(time.Microsecond)
			return r
		}, BreakChanged, 5},
		{"rehashed row", func(r []AuditEntry, _ *AuditHead) []AuditEntry {
			r[1].Outcome = "blocked"
			r[1].Hash, _ = AuditHash(testKey(t, 7), r[1].PrevHash, &r[1])
			return r
		}, BreakChanged, 2},
		{"rewritten, chain recomputed unkeyed", func(r []AuditEntry, h *AuditHead) []AuditEntry {
			r[2].Data = json.RawMessage(`{"i":99}`)
			rechain(r, h, 2, func(prev string, e *AuditEntry) string { return unkeyedHash(t, prev, e) })
			return r
		}, BreakChanged, 3},
		{"rewritten, chain recomputed with another key", func(r []AuditEntry, h *AuditHead) []AuditEntry {
			r[3].Outcome = "auto"
			rechain(r, h, 3, func(prev string, e *AuditEntry) string {
				s, _ := AuditHash(testKey(t, 8), prev, e)
				return s
			})
			return r
		}, BreakChanged, 4},
		{"whole log recomputed unkeyed", func(r []AuditEntry, h *AuditHead) []AuditEntry {
			rechain(r, h, 0, func(prev string, e *AuditEntry) string { return unkeyedHash(t, prev, e) })
			return r
		}, BreakChanged, 1},
		{"deleted middle", func(r []AuditEntry, _ *AuditHead) []AuditEntry { return append(r[:2:2], r[3:]...) }, BreakDeleted, 3},
		{"deleted two", func(r []AuditEntry, _ *AuditHead) []AuditEntry { return append(r[:1:1], r[3:]...) }, BreakDeleted, 2},
		{"deleted tail", func(r []AuditEntry, _ *AuditHead) []AuditEntry { return r[:4] }, BreakDeleted, 5},
		{"deleted all", func(r []AuditEntry, _ *AuditHead) []AuditEntry { return nil }, BreakDeleted, 1},
		{"swapped", func(r []AuditEntry, _ *AuditHead) []AuditEntry {
			r[1], r[3] = r[3], r[1]
			r[1].Seq, r[3].Seq = 2, 4
			return r
		}, BreakReordered, 2},
		{"appended outside", func(r []AuditEntry, h *AuditHead) []AuditEntry {
			h.Seq, h.Hash = 4, r[3].Hash
			return r
		}, BreakChanged, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, head := chain(t, 6)
			rows = tc.tamper(rows, &head)
			b := CheckChain(testKey(t, 7), rows, &head)
			if tc.kind == "" {
				if b != nil {
					t.Fatalf("CheckChain = %s, want intact", b)
				}
				return
			}
			if b == nil || b.Kind != tc.kind || b.Seq != tc.seq {
				t.Fatalf("CheckChain = %v, want %s at %d", b, tc.kind, tc.seq)
			}
		})
	}
}

func TestRankSimilar(t *testing.T) {
	cases := []SimilarCase{
		{Memory: Memory{CaseID: "a", Class: "x", CustomerID: "1"}, Distance: 0.5},
		{Memory: Memory{CaseID: "b", Class: "y", CustomerID: "1"}, Distance: 0.1},
		{Memory: Memory{CaseID: "c", Class: "x", CustomerID: "2"}, Distance: 0.2},
		{Memory: Memory{CaseID: "d", Class: "x", CustomerID: "2"}, Distance: math.NaN()},
		{Memory: Memory{CaseID: "e", Class: "x", CustomerID: "2"}, Distance: 0.2},
	}
	tests := []struct {
		class, cust string
		k           int
		want        string
	}{
		{"x", "1", 10, "a c e d b"},
		{"x", "", 10, "c e a d b"},
		{"", "", 3, "b c e"},
		{"y", "", 1, "b"},
	}
	for _, tc := range tests {
		got := RankSimilar(append([]SimilarCase(nil), cases...), tc.class, tc.cust, tc.k)
		var ids []string
		for _, g := range got {
			ids = append(ids, g.CaseID)
		}
		if strings.Join(ids, " ") != tc.want {
			t.Errorf("RankSimilar(%q, %q, %d) = %v, want %s", tc.class, tc.cust, tc.k, ids, tc.want)
		}
	}
}

func TestVectorHelpers(t *testing.T) {
	v := make([]float32, EmbeddingDim)
	v[1], v[7] = 0.6, -0.8
	back, err := DecodeVector(EncodeVector(v))
	if err != nil || CosineDistance(v, back) > 1e-9 {
		t.Fatalf("round trip: %v, %v", back[:8], err)
	}
	if _, err := DecodeVector([]byte{1, 2, 3}); !errors.Is(err, ErrInvalid) {
		t.Errorf("DecodeVector(3 bytes) err = %v", err)
	}
	neg := make([]float32, EmbeddingDim)
	neg[1], neg[7] = -0.6, 0.8
	if d := CosineDistance(v, neg); math.Abs(d-2) > 1e-9 {
		t.Errorf("opposite distance = %v, want 2", d)
	}
	for _, bad := range [][]float32{nil, make([]float32, EmbeddingDim), {1}} {
		if err := CheckEmbedding(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("CheckEmbedding(len %d) = %v, want ErrInvalid", len(bad), err)
		}
	}
	nan := append([]float32(nil), v...)
	nan[0] = float32(math.NaN())
	if err := CheckEmbedding(nan); !errors.Is(err, ErrInvalid) {
		t.Errorf("CheckEmbedding(NaN) = %v", err)
	}
}
