package store

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MinAuditKeyBytes is the shortest audit key accepted: 32 bytes, what
// `openssl rand -hex 32` prints as 64 hex digits.
const MinAuditKeyBytes = 32

// AuditKey is the secret that keys the audit chain (HMAC-SHA256). It is
// never stored in the database: the service is given it (EXDESK_AUDIT_KEY
// or a key file), so someone who can only write the database cannot
// recompute a chain that verifies. The zero value is "no key". It prints
// as a redacted placeholder, never as its bytes.
type AuditKey struct {
	b []byte
}

// NewAuditKey returns a key of the given bytes (copied), or a wrapped
// ErrInvalid when there are fewer than MinAuditKeyBytes.
func NewAuditKey(b []byte) (AuditKey, error) {
	if len(b) < MinAuditKeyBytes {
		return AuditKey{}, fmt.Errorf("audit key: %d bytes, need at least %d: %w", len(b), MinAuditKeyBytes, ErrInvalid)
	}
	return AuditKey{b: bytes.Clone(b)}, nil
}

// ParseAuditKey reads a key written as hex (surrounding space ignored), as
// `openssl rand -hex 32` makes one.
func ParseAuditKey(s string) (AuditKey, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return AuditKey{}, fmt.Errorf("audit key: empty: %w", ErrInvalid)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return AuditKey{}, fmt.Errorf("audit key: not hex (make one with `openssl rand -hex 32`): %w", ErrInvalid)
	}
	return NewAuditKey(b)
}

// GenerateAuditKey returns a new random 32-byte key.
func GenerateAuditKey() (AuditKey, error) {
	b := make([]byte, MinAuditKeyBytes)
	if _, err := rand.Read(b); err != nil {
		return AuditKey{}, fmt.Errorf("audit key: %w", err)
	}
	return AuditKey{b: b}, nil
}

// IsZero reports whether k is the zero value (no key).
func (k AuditKey) IsZero() bool { return len(k.b) == 0 }

// Equal reports whether two keys are the same.
func (k AuditKey) Equal(o AuditKey) bool { return bytes.Equal(k.b, o.b) }

// Hex returns the key as hex, the form key files and EXDESK_AUDIT_KEY hold.
func (k AuditKey) Hex() string { return hex.EncodeToString(k.b) }

// String never shows the key.
func (k AuditKey) String() string {
	if k.IsZero() {
		return "AuditKey(none)"
	}
	return "AuditKey(redacted)"
}

// GoString never shows the key.
func (k AuditKey) GoString() string { return k.String() }

// ReadAuditKeyFile reads a key file holding the key as hex. A missing file
// is an error that wraps fs.ErrNotExist.
func ReadAuditKeyFile(path string) (AuditKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return AuditKey{}, fmt.Errorf("audit key file: %w", err)
	}
	k, err := ParseAuditKey(string(b))
	if err != nil {
		return AuditKey{}, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// CreateAuditKeyFile writes a new random key to path with mode 0600 and
// returns it. It never replaces a file: when path already exists (another
// process created it first) it returns the key that file holds.
func CreateAuditKeyFile(path string) (AuditKey, error) {
	k, err := GenerateAuditKey()
	if err != nil {
		return AuditKey{}, err
	}
	tmp, err := writeTemp(path, []byte(k.Hex()+"\n"))
	if err != nil {
		return AuditKey{}, fmt.Errorf("audit key file: %w", err)
	}
	defer func() { _ = os.Remove(tmp) }()
	// A hard link creates path only if it does not exist, with the whole
	// content already in place: a racing process reads a complete key.
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return ReadAuditKeyFile(path)
		}
		return AuditKey{}, fmt.Errorf("audit key file: %w", err)
	}
	return k, nil
}

// writeTemp writes data to a new 0600 file in path's directory, synced,
// and returns its name.
func writeTemp(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	fail := func(err error) (string, error) {
		_ = f.Close()
		_ = os.Remove(name)
		return "", err
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(name)
		return "", err
	}
	return name, nil
}
