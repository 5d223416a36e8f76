package store

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"sync"
	"time"
)

// AuditCheckpoint is the audit chain's head recorded outside the database.
// The head a store keeps beside the log (AuditHead) lives in the database:
// someone who deletes the newest rows can move it back too, and the chain
// still verifies. A checkpoint kept where the database's writers cannot
// reach (another host, write-once storage, a file only the service user
// can write) names a row that must still be there with that hash.
type AuditCheckpoint struct {
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"` // the Hash of row Seq; "" for seq 0
	At   time.Time `json:"at"`
	// MAC is hex HMAC-SHA256 under the audit key over seq, hash and at, so
	// a checkpoint cannot be written without the key.
	MAC string `json:"mac"`
}

func checkpointMAC(key AuditKey, seq int64, hash string, at time.Time) string {
	h := hmac.New(sha256.New, key.b)
	h.Write([]byte("exdesk audit checkpoint\n" + strconv.FormatInt(seq, 10) + "\n" + hash + "\n" + AuditTime(at)))
	return hex.EncodeToString(h.Sum(nil))
}

// NewAuditCheckpoint returns the checkpoint of head at time at, signed
// with key.
func NewAuditCheckpoint(key AuditKey, head AuditHead, at time.Time) (AuditCheckpoint, error) {
	if key.IsZero() {
		return AuditCheckpoint{}, ErrNoAuditKey
	}
	at = Stamp(at)
	return AuditCheckpoint{Seq: head.Seq, Hash: head.Hash, At: at, MAC: checkpointMAC(key, head.Seq, head.Hash, at)}, nil
}

// WriteAuditCheckpoint replaces the checkpoint file at path (mode 0600)
// with the checkpoint of head, atomically, and returns it.
func WriteAuditCheckpoint(path string, key AuditKey, head AuditHead) (AuditCheckpoint, error) {
	cp, err := NewAuditCheckpoint(key, head, Now())
	if err != nil {
		return AuditCheckpoint{}, err
	}
	b, err := json.Marshal(cp)
	if err != nil {
		return AuditCheckpoint{}, fmt.Errorf("audit checkpoint: %w", err)
	}
	tmp, err := writeTemp(path, append(b, '\n'))
	if err != nil {
		return AuditCheckpoint{}, fmt.Errorf("audit checkpoint %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return AuditCheckpoint{}, fmt.Errorf("audit checkpoint %s: %w", path, err)
	}
	return cp, nil
}

// ReadAuditCheckpoint reads and authenticates the checkpoint file at path.
// A missing file wraps fs.ErrNotExist; a malformed file, or one whose MAC
// does not verify under key, wraps ErrInvalid.
func ReadAuditCheckpoint(path string, key AuditKey) (AuditCheckpoint, error) {
	if key.IsZero() {
		return AuditCheckpoint{}, ErrNoAuditKey
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return AuditCheckpoint{}, fmt.Errorf("audit checkpoint: %w", err)
	}
	var cp AuditCheckpoint
	if err := json.Unmarshal(b, &cp); err != nil {
		return AuditCheckpoint{}, fmt.Errorf("audit checkpoint %s: %w: %v", path, ErrInvalid, err)
	}
	want := checkpointMAC(key, cp.Seq, cp.Hash, cp.At)
	if cp.Seq < 0 || !hmac.Equal([]byte(want), []byte(cp.MAC)) {
		return AuditCheckpoint{}, fmt.Errorf("audit checkpoint %s: %w: its MAC does not verify under this audit key", path, ErrInvalid)
	}
	cp.At = cp.At.UTC()
	return cp, nil
}

// AdvanceAuditCheckpoint writes the checkpoint of head to path after
// checking rows (the whole log, already verified by CheckChain, with head
// its last row) against the checkpoint already there, if any: a log that
// was cut and rewound behind that checkpoint gets a break, and the file is
// left as it is, so the evidence stays. A file that does not authenticate
// under key is an error; it is not replaced either.
func AdvanceAuditCheckpoint(path string, key AuditKey, rows []AuditEntry, head AuditHead) (*AuditBreak, AuditCheckpoint, error) {
	old, err := ReadAuditCheckpoint(path, key)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, AuditCheckpoint{}, err
	default:
		if b := CheckCheckpoint(rows, old); b != nil {
			return b, old, nil
		}
	}
	cp, err := WriteAuditCheckpoint(path, key, head)
	return nil, cp, err
}

// CheckCheckpoint checks rows (the whole log, sorted by seq, already
// verified by CheckChain) against a checkpoint: the row it names must be
// there with the hash it recorded. It returns the first break, or nil.
func CheckCheckpoint(rows []AuditEntry, cp AuditCheckpoint) *AuditBreak {
	if cp.Seq == 0 {
		return nil
	}
	var last int64
	for i := range rows {
		r := &rows[i]
		if r.Seq == cp.Seq {
			if !hmac.Equal([]byte(r.Hash), []byte(cp.Hash)) {
				return &AuditBreak{Kind: BreakChanged, Seq: r.Seq,
					Detail: fmt.Sprintf("row %d's hash does not match the checkpoint of %s", r.Seq, AuditTime(cp.At))}
			}
			return nil
		}
		last = max(last, r.Seq)
	}
	detail := fmt.Sprintf("row %d is missing (the checkpoint of %s records %d rows)", last+1, AuditTime(cp.At), cp.Seq)
	if cp.Seq > last+1 {
		detail = fmt.Sprintf("rows %d..%d are missing (the checkpoint of %s records %d rows)", last+1, cp.Seq, AuditTime(cp.At), cp.Seq)
	}
	return &AuditBreak{Kind: BreakDeleted, Seq: last + 1, Detail: detail}
}

// AuditCheckpointer keeps a checkpoint file in step with a store's
// appends; the store implementations use it. A nil *AuditCheckpointer
// (no file configured) does nothing. Its methods are safe for concurrent
// use.
type AuditCheckpointer struct {
	path string
	key  AuditKey

	mu     sync.Mutex
	loaded bool
	last   AuditCheckpoint // what this process last read or wrote
}

// NewAuditCheckpointer returns a checkpointer for the file at path, or nil
// when path is empty.
func NewAuditCheckpointer(path string, key AuditKey) *AuditCheckpointer {
	if path == "" {
		return nil
	}
	return &AuditCheckpointer{path: path, key: key}
}

// Path returns the checkpoint file's path ("" for nil).
func (c *AuditCheckpointer) Path() string {
	if c == nil {
		return ""
	}
	return c.path
}

// Load reads the checkpoint file, once. head is the log's head as the
// database holds it. A missing file is fine for an empty log (the first
// append writes it); for a log with rows it is an error wrapping
// fs.ErrNotExist, since a deleted checkpoint must not be silently
// replaced by a rewound head.
func (c *AuditCheckpointer) Load(head AuditHead) error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loadLocked(head)
}

func (c *AuditCheckpointer) loadLocked(head AuditHead) error {
	if c.loaded {
		return nil
	}
	cp, err := ReadAuditCheckpoint(c.path, c.key)
	switch {
	case errors.Is(err, fs.ErrNotExist) && head.Seq == 0:
		c.last, c.loaded = AuditCheckpoint{}, true
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("audit checkpoint %s is missing while the log has %d rows: restore it, or check the log with `exdesk audit verify` and write a new one with `exdesk audit checkpoint`: %w",
			c.path, head.Seq, err)
	case err != nil:
		return err
	}
	c.last, c.loaded = cp, true
	return nil
}

// Guard is called inside an append's transaction with the head read there.
// It returns a wrapped ErrAuditRewound when the head is behind the last
// checkpoint, or when the row the checkpoint names no longer has its hash
// (hashAt returns a row's stored hash, or ok=false when there is no row).
func (c *AuditCheckpointer) Guard(head AuditHead, hashAt func(seq int64) (hash string, ok bool, err error)) error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	if err := c.loadLocked(head); err != nil {
		c.mu.Unlock()
		return err
	}
	last := c.last
	c.mu.Unlock()
	if last.Seq == 0 {
		return nil
	}
	if head.Seq < last.Seq {
		return fmt.Errorf("%w: the chain head is at row %d, the checkpoint %s records row %d", ErrAuditRewound, head.Seq, c.path, last.Seq)
	}
	hash, ok := head.Hash, true
	if head.Seq != last.Seq {
		var err error
		if hash, ok, err = hashAt(last.Seq); err != nil {
			return fmt.Errorf("audit checkpoint: read row %d: %w", last.Seq, err)
		}
	}
	if !ok || !hmac.Equal([]byte(hash), []byte(last.Hash)) {
		return fmt.Errorf("%w: row %d no longer has the hash the checkpoint %s records", ErrAuditRewound, last.Seq, c.path)
	}
	return nil
}

// Advance writes the checkpoint of head, after an append has committed,
// unless this process already wrote a later one.
func (c *AuditCheckpointer) Advance(head AuditHead) error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded && head.Seq <= c.last.Seq {
		return nil
	}
	cp, err := WriteAuditCheckpoint(c.path, c.key, head)
	if err != nil {
		return err
	}
	c.last, c.loaded = cp, true
	return nil
}

// Verify checks rows (the whole log, as VerifyAudit read it) against the
// checkpoint file as it is now, read afresh: another process may have
// written a later one. A missing file is an error unless the log is empty.
func (c *AuditCheckpointer) Verify(rows []AuditEntry) (*AuditBreak, error) {
	if c == nil {
		return nil, nil
	}
	cp, err := ReadAuditCheckpoint(c.path, c.key)
	if errors.Is(err, fs.ErrNotExist) && len(rows) == 0 {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return CheckCheckpoint(rows, cp), nil
}
