package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestParseAuditKey(t *testing.T) {
	hex64 := strings.Repeat("ab", 32)
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"openssl rand -hex 32", hex64, true},
		{"with newline", hex64 + "\n", true},
		{"longer", hex64 + "cd", true},
		{"empty", "", false},
		{"blank", "  \n", false},
		{"too short", strings.Repeat("ab", 31), false},
		{"not hex", strings.Repeat("zz", 32), false},
		{"odd length", hex64 + "a", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ParseAuditKey(tc.in)
			if tc.ok {
				if err != nil || k.IsZero() {
					t.Fatalf("ParseAuditKey = %v, %v", k, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseAuditKey err = %v, want ErrInvalid", err)
			}
		})
	}
}

func TestAuditKeyNeverPrinted(t *testing.T) {
	k := testKey(t, 0xab)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k)} {
		if strings.Contains(s, "abab") || strings.Contains(s, "171") {
			t.Errorf("the key leaks when printed: %s", s)
		}
	}
	if !strings.Contains(fmt.Sprint(AuditKey{}), "none") {
		t.Errorf("zero key prints as %v", AuditKey{})
	}
}

func TestZeroKeyRefused(t *testing.T) {
	e := AuditEntry{Actor: "a", Kind: "k"}
	if err := SealAudit(AuditKey{}, AuditHead{}, &e); !errors.Is(err, ErrNoAuditKey) {
		t.Errorf("SealAudit with no key = %v, want ErrNoAuditKey", err)
	}
	rows, head := chain(t, 2)
	if b := CheckChain(AuditKey{}, rows, &head); b == nil || b.Seq != 1 {
		t.Errorf("CheckChain with no key = %v, want row 1 broken", b)
	}
}

func TestWrongKeyNamed(t *testing.T) {
	rows, head := chain(t, 3)
	b := CheckChain(testKey(t, 9), rows, &head)
	if b == nil || b.Kind != BreakChanged || b.Seq != 1 || !strings.Contains(b.Detail, "key") {
		t.Fatalf("CheckChain under another key = %v, want row 1 changed, naming the key", b)
	}
}

func TestAuditKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "exdesk.db.audit-key")
	if _, err := ReadAuditKeyFile(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("ReadAuditKeyFile of a missing file = %v, want fs.ErrNotExist", err)
	}
	// Several processes opening a new database at once agree on one key.
	const n = 8
	keys := make([]AuditKey, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := CreateAuditKeyFile(path)
			if err != nil {
				t.Errorf("CreateAuditKeyFile: %v", err)
			}
			keys[i] = k
		}()
	}
	wg.Wait()
	for i := 1; i < n; i++ {
		if !keys[i].Equal(keys[0]) {
			t.Fatalf("racing creators got different keys")
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	got, err := ReadAuditKeyFile(path)
	if err != nil || !got.Equal(keys[0]) {
		t.Errorf("ReadAuditKeyFile = %v, %v; want the created key", got, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestCheckpointFile(t *testing.T) {
	key := testKey(t, 7)
	rows, head := chain(t, 6)
	path := filepath.Join(t.TempDir(), "audit.checkpoint")
	cp, err := WriteAuditCheckpoint(path, key, head)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("checkpoint file: %v, %v; want mode 0600", fi, err)
	}
	got, err := ReadAuditCheckpoint(path, key)
	if err != nil || got.Seq != 6 || got.Hash != head.Hash || !got.At.Equal(cp.At) {
		t.Fatalf("ReadAuditCheckpoint = %+v, %v; want seq 6", got, err)
	}
	if _, err := ReadAuditCheckpoint(path, testKey(t, 8)); !errors.Is(err, ErrInvalid) {
		t.Errorf("checkpoint read under another key = %v, want ErrInvalid", err)
	}
	// Moving the checkpoint back without the key is refused.
	forged := got
	forged.Seq, forged.Hash = 4, rows[3].Hash
	b, _ := json.Marshal(forged)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadAuditCheckpoint(path, key); !errors.Is(err, ErrInvalid) {
		t.Errorf("forged checkpoint read = %v, want ErrInvalid", err)
	}
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadAuditCheckpoint(path, key); !errors.Is(err, ErrInvalid) {
		t.Errorf("malformed checkpoint read = %v, want ErrInvalid", err)
	}
}

func TestCheckCheckpoint(t *testing.T) {
	key := testKey(t, 7)
	rows, head := chain(t, 6)
	cp, err := NewAuditCheckpoint(key, head, Now())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		rows []AuditEntry
		cp   AuditCheckpoint
		kind BreakKind
		seq  int64
	}{
		{"intact", rows, cp, "", 0},
		{"log grew since", rows, AuditCheckpoint{Seq: 4, Hash: rows[3].Hash}, "", 0},
		{"empty checkpoint", nil, AuditCheckpoint{}, "", 0},
		{"newest row deleted, head rewound", rows[:5], cp, BreakDeleted, 6},
		{"newest rows deleted, head rewound", rows[:3], cp, BreakDeleted, 4},
		{"every row deleted", nil, cp, BreakDeleted, 1},
		{"newest row replaced", append(rows[:5:5], func() AuditEntry { r := rows[5]; r.Hash = "f00"; return r }()), cp, BreakChanged, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := CheckCheckpoint(tc.rows, tc.cp)
			if tc.kind == "" {
				if b != nil {
					t.Fatalf("CheckCheckpoint = %s, want intact", b)
				}
				return
			}
			if b == nil || b.Kind != tc.kind || b.Seq != tc.seq {
				t.Fatalf("CheckCheckpoint = %v, want %s at %d", b, tc.kind, tc.seq)
			}
		})
	}
}

func TestCheckpointerGuard(t *testing.T) {
	key := testKey(t, 7)
	rows, head := chain(t, 6)
	path := filepath.Join(t.TempDir(), "audit.checkpoint")
	hashAt := func(rows []AuditEntry) func(int64) (string, bool, error) {
		return func(seq int64) (string, bool, error) {
			for _, r := range rows {
				if r.Seq == seq {
					return r.Hash, true, nil
				}
			}
			return "", false, nil
		}
	}
	c := NewAuditCheckpointer(path, key)
	// A missing file is fine for an empty log, and not for one with rows.
	if err := c.Guard(AuditHead{}, hashAt(nil)); err != nil {
		t.Fatalf("Guard of an empty log without a checkpoint = %v", err)
	}
	if err := NewAuditCheckpointer(path, key).Load(head); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load without a checkpoint for a log of 6 rows = %v, want fs.ErrNotExist", err)
	}
	if err := c.Advance(head); err != nil {
		t.Fatal(err)
	}
	if err := c.Advance(AuditHead{Seq: 5, Hash: rows[4].Hash}); err != nil {
		t.Fatal(err)
	}
	if cp, err := ReadAuditCheckpoint(path, key); err != nil || cp.Seq != 6 {
		t.Fatalf("checkpoint after an older Advance = %+v, %v; want seq 6 kept", cp, err)
	}
	tests := []struct {
		name string
		head AuditHead
		rows []AuditEntry
		err  error
	}{
		{"at the checkpoint", head, rows, nil},
		{"ahead of it", AuditHead{Seq: 7, Hash: "x"}, rows, nil},
		{"rewound", AuditHead{Seq: 5, Hash: rows[4].Hash}, rows[:5], ErrAuditRewound},
		{"rewound and re-appended", AuditHead{Seq: 7, Hash: "y"}, append(rows[:5:5], AuditEntry{Seq: 6, Hash: "z"}), ErrAuditRewound},
		{"same seq, other hash", AuditHead{Seq: 6, Hash: "z"}, rows, ErrAuditRewound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fresh := NewAuditCheckpointer(path, key) // as a restarted process
			for _, g := range []*AuditCheckpointer{c, fresh} {
				if err := g.Guard(tc.head, hashAt(tc.rows)); !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
					t.Errorf("Guard = %v, want %v", err, tc.err)
				}
			}
		})
	}
	var none *AuditCheckpointer
	if err := none.Guard(head, nil); err != nil || none.Advance(head) != nil || none.Path() != "" {
		t.Errorf("a nil checkpointer does something: %v", err)
	}
	if b, err := none.Verify(rows); b != nil || err != nil {
		t.Errorf("nil Verify = %v, %v", b, err)
	}
}

func TestAdvanceAuditCheckpoint(t *testing.T) {
	key := testKey(t, 7)
	rows, head := chain(t, 6)
	path := filepath.Join(t.TempDir(), "audit.checkpoint")
	if b, cp, err := AdvanceAuditCheckpoint(path, key, rows[:4], AuditHead{Seq: 4, Hash: rows[3].Hash}); err != nil || b != nil || cp.Seq != 4 {
		t.Fatalf("first checkpoint = %v, %+v, %v", b, cp, err)
	}
	if b, cp, err := AdvanceAuditCheckpoint(path, key, rows, head); err != nil || b != nil || cp.Seq != 6 {
		t.Fatalf("advance to 6 = %v, %+v, %v", b, cp, err)
	}
	// The log cut back to row 4, head rewound: the checkpoint is not moved
	// back over the evidence.
	b, _, err := AdvanceAuditCheckpoint(path, key, rows[:4], AuditHead{Seq: 4, Hash: rows[3].Hash})
	if err != nil || b == nil || b.Kind != BreakDeleted || b.Seq != 5 {
		t.Fatalf("checkpoint of a rewound log = %v, %v; want rows 5.. deleted", b, err)
	}
	if cp, err := ReadAuditCheckpoint(path, key); err != nil || cp.Seq != 6 {
		t.Fatalf("checkpoint after the refused advance = %+v, %v; want seq 6 kept", cp, err)
	}
	if _, _, err := AdvanceAuditCheckpoint(path, testKey(t, 8), rows, head); !errors.Is(err, ErrInvalid) {
		t.Fatalf("advance under another key = %v, want ErrInvalid (the file is not replaced)", err)
	}
}
