package store

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// BreakKind names how the audit chain was broken.
type BreakKind string

// Kinds of audit-chain breaks.
const (
	// BreakChanged: a row's content no longer matches its hash, or a row's
	// hash no longer matches the link its successor recorded.
	BreakChanged BreakKind = "changed"
	// BreakDeleted: one or more rows are missing (a gap in seq, or rows
	// missing after the last one the chain head recorded).
	BreakDeleted BreakKind = "deleted"
	// BreakReordered: a row holds an entry that was written at another seq.
	BreakReordered BreakKind = "reordered"
)

// AuditBreak names the first place where the audit chain is broken.
type AuditBreak struct {
	Kind   BreakKind
	Seq    int64 // the row that was changed or reordered, or the first missing one
	Detail string
}

func (b *AuditBreak) String() string {
	return fmt.Sprintf("audit row %d %s: %s", b.Seq, b.Kind, b.Detail)
}

// AuditHead is the chain head a store keeps beside the log: the seq and
// hash of the last row appended. It lets VerifyAudit see rows deleted from
// the end of the log.
type AuditHead struct {
	Seq  int64
	Hash string
}

// auditContent is the hashed content of an audit row, in a fixed field
// order.
type auditContent struct {
	Seq        int64           `json:"seq"`
	At         string          `json:"at"`
	Actor      string          `json:"actor"`
	Kind       string          `json:"kind"`
	CaseID     string          `json:"case_id"`
	ProposalID string          `json:"proposal_id"`
	Rule       string          `json:"rule"`
	Outcome    string          `json:"outcome"`
	Data       json.RawMessage `json:"data"`
}

// CanonicalJSON returns raw re-encoded canonically: objects with sorted
// keys, no insignificant space, numbers as written, no HTML escaping. Empty
// input becomes null. It returns a wrapped ErrInvalid for malformed JSON.
func CanonicalJSON(raw []byte) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return json.RawMessage("null"), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("canonical json: %w: %v", ErrInvalid, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("canonical json: %w: trailing data", ErrInvalid)
	}
	return marshalCanonical(v)
}

func marshalCanonical(v any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	return json.RawMessage(bytes.TrimRight(buf.Bytes(), "\n")), nil
}

// AuditTime formats an audit time as hashed: UTC RFC 3339 with up to
// microseconds.
func AuditTime(t time.Time) string { return Stamp(t).Format(time.RFC3339Nano) }

// AuditContent returns the bytes of e that the chain hashes: the canonical
// JSON of seq, at, actor, kind, case_id, proposal_id, rule, outcome and
// data, in that order. e.Data must already be canonical.
func AuditContent(e *AuditEntry) ([]byte, error) {
	data := e.Data
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	return marshalCanonical(auditContent{
		Seq: e.Seq, At: AuditTime(e.At), Actor: e.Actor, Kind: e.Kind,
		CaseID: e.CaseID, ProposalID: e.ProposalID, Rule: e.Rule, Outcome: e.Outcome,
		Data: data,
	})
}

// AuditHash returns hex HMAC-SHA256 under key of prevHash + the canonical
// JSON of e's content (seq, at, actor, kind, case_id, proposal_id, rule,
// outcome, data). e.Data must already be canonical (CanonicalJSON), as
// stores keep it. Without the key nobody can compute a hash that verifies,
// so rows rewritten by someone who can only write the database, with the
// chain recomputed, no longer verify. It returns ErrNoAuditKey for a zero
// key.
func AuditHash(key AuditKey, prevHash string, e *AuditEntry) (string, error) {
	if key.IsZero() {
		return "", ErrNoAuditKey
	}
	content, err := AuditContent(e)
	if err != nil {
		return "", err
	}
	h := hmac.New(sha256.New, key.b)
	h.Write([]byte(prevHash))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// SealAudit prepares e to be appended after head: canonical data, a
// normalised time (now when zero), seq head.Seq+1 and the keyed hashes.
func SealAudit(key AuditKey, head AuditHead, e *AuditEntry) error {
	if key.IsZero() {
		return ErrNoAuditKey
	}
	data, err := CanonicalJSON(e.Data)
	if err != nil {
		return fmt.Errorf("audit data: %w", err)
	}
	e.Data = data
	if e.At.IsZero() {
		e.At = Now()
	} else {
		e.At = Stamp(e.At)
	}
	e.Seq = head.Seq + 1
	e.PrevHash = head.Hash
	e.Hash, err = AuditHash(key, e.PrevHash, e)
	return err
}

// maxReorderCandidates bounds the search for a reordered row's original
// seq, so verification of a badly damaged log stays linear.
const maxReorderCandidates = 256

// CheckChain verifies rows (sorted by seq, as read from the log) under key
// against each other and against head, and returns the first break, or
// nil. head may be nil when the store keeps none. A zero key fails every
// row.
func CheckChain(key AuditKey, rows []AuditEntry, head *AuditHead) *AuditBreak {
	selfOK := make([]bool, len(rows))
	var failing []int64
	allFail := len(rows) > 0
	for i := range rows {
		h, err := AuditHash(key, rows[i].PrevHash, &rows[i])
		selfOK[i] = err == nil && hmac.Equal([]byte(h), []byte(rows[i].Hash))
		allFail = allFail && !selfOK[i]
		if !selfOK[i] && len(failing) < maxReorderCandidates {
			failing = append(failing, rows[i].Seq)
		}
	}
	expected := int64(1)
	prevHash := ""
	for i := range rows {
		r := &rows[i]
		if r.Seq > expected {
			detail := fmt.Sprintf("row %d is missing", expected)
			if r.Seq > expected+1 {
				detail = fmt.Sprintf("rows %d..%d are missing", expected, r.Seq-1)
			}
			return &AuditBreak{Kind: BreakDeleted, Seq: expected, Detail: detail}
		}
		if r.Seq < expected {
			return &AuditBreak{Kind: BreakReordered, Seq: r.Seq, Detail: fmt.Sprintf("row %d appears after row %d", r.Seq, expected-1)}
		}
		if !selfOK[i] {
			if orig, ok := writtenAs(key, r, failing); ok {
				return &AuditBreak{Kind: BreakReordered, Seq: r.Seq,
					Detail: fmt.Sprintf("row %d holds the entry written as row %d", r.Seq, orig)}
			}
			detail := fmt.Sprintf("row %d's content does not match its hash", r.Seq)
			if allFail {
				detail += " (no row verifies: rewritten with another key or none, or this is not the key the log was written with)"
			}
			return &AuditBreak{Kind: BreakChanged, Seq: r.Seq, Detail: detail}
		}
		if r.PrevHash != prevHash {
			if i == 0 {
				return &AuditBreak{Kind: BreakChanged, Seq: r.Seq, Detail: fmt.Sprintf("first row %d links to a previous row", r.Seq)}
			}
			return &AuditBreak{Kind: BreakChanged, Seq: rows[i-1].Seq,
				Detail: fmt.Sprintf("row %d's hash does not match the link stored in row %d", rows[i-1].Seq, r.Seq)}
		}
		prevHash = r.Hash
		expected = r.Seq + 1
	}
	if head != nil {
		last := expected - 1
		switch {
		case head.Seq > last:
			detail := fmt.Sprintf("row %d is missing (the chain head records %d rows)", last+1, head.Seq)
			if head.Seq > last+1 {
				detail = fmt.Sprintf("rows %d..%d are missing (the chain head records %d rows)", last+1, head.Seq, head.Seq)
			}
			return &AuditBreak{Kind: BreakDeleted, Seq: last + 1, Detail: detail}
		case head.Seq < last:
			return &AuditBreak{Kind: BreakChanged, Seq: head.Seq + 1,
				Detail: fmt.Sprintf("rows %d..%d were not appended through the chain head", head.Seq+1, last)}
		case last > 0 && head.Hash != prevHash:
			return &AuditBreak{Kind: BreakChanged, Seq: last, Detail: fmt.Sprintf("row %d's hash does not match the chain head", last)}
		}
	}
	return nil
}

// writtenAs reports the seq among candidates at which r's content matches
// its stored hash, when that is not its current seq.
func writtenAs(key AuditKey, r *AuditEntry, candidates []int64) (int64, bool) {
	for _, s := range candidates {
		if s == r.Seq {
			continue
		}
		c := *r
		c.Seq = s
		if h, err := AuditHash(key, c.PrevHash, &c); err == nil && hmac.Equal([]byte(h), []byte(r.Hash)) {
			return s, true
		}
	}
	return 0, false
}
