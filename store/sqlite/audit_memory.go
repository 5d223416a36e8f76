package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/exdesk/exdesk/store"
)

// --- audit log -------------------------------------------------------------

// auditState is the audit chain's key and checkpoint, shared by a Store
// and the copies InTx binds to a transaction.
type auditState struct {
	dbPath, cpPath string

	mu  sync.Mutex
	key store.AuditKey // zero until resolved
	cp  *store.AuditCheckpointer
}

// resolve returns the chain's key and checkpointer, resolving the default
// key file the first time: read it, or create it while the log is still
// empty.
func (a *auditState) resolve(ctx context.Context, q queryer) (store.AuditKey, *store.AuditCheckpointer, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.key.IsZero() {
		kf := KeyFile(a.dbPath)
		k, err := store.ReadAuditKeyFile(kf)
		if errors.Is(err, fs.ErrNotExist) {
			var head store.AuditHead
			if herr := q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head.Seq, &head.Hash); herr != nil {
				return store.AuditKey{}, nil, fmt.Errorf("audit key: read chain head: %w", herr)
			}
			if head.Seq > 0 {
				return store.AuditKey{}, nil, fmt.Errorf("%w: the audit log of %s has %d rows but its key file %s is missing: restore it, or give the key the log was written with",
					store.ErrNoAuditKey, a.dbPath, head.Seq, kf)
			}
			k, err = store.CreateAuditKeyFile(kf)
		}
		if err != nil {
			return store.AuditKey{}, nil, err
		}
		a.key = k
	}
	if a.cp == nil && a.cpPath != "" {
		a.cp = store.NewAuditCheckpointer(a.cpPath, a.key)
	}
	return a.key, a.cp, nil
}

// prepare resolves the key and loads the checkpoint.
func (a *auditState) prepare(ctx context.Context, q queryer) error {
	_, cp, err := a.resolve(ctx, q)
	if err != nil || cp == nil {
		return err
	}
	var head store.AuditHead
	if err := q.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head.Seq, &head.Hash); err != nil {
		return fmt.Errorf("audit checkpoint: read chain head: %w", err)
	}
	return cp.Load(head)
}

// AppendAudit appends an entry to the keyed hash chain inside one write
// transaction, which serialises appends. Inside InTx the entries are
// sealed together at the end of the transaction. With a checkpoint file,
// the head is checked against it first and the file is moved on after the
// commit.
func (s *Store) AppendAudit(ctx context.Context, e *store.AuditEntry) error {
	if s.deferred != nil {
		*s.deferred = append(*s.deferred, e)
		return nil
	}
	key, cp, err := s.audit.resolve(ctx, s.q)
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	tx, commit, rollback, err := s.begin(ctx)
	if err != nil {
		return fmt.Errorf("append audit: begin: %w", err)
	}
	defer rollback()
	head, err := appendAudit(ctx, tx, key, cp, []*store.AuditEntry{e})
	if err != nil {
		return err
	}
	if err := commit(); err != nil {
		return fmt.Errorf("append audit: commit: %w", err)
	}
	if err := cp.Advance(head); err != nil {
		return fmt.Errorf("append audit: row %d appended, but the checkpoint was not written: %w", head.Seq, err)
	}
	return nil
}

// sealAudit appends the entries an InTx collected, in order, and returns
// the new head (zero when there were none); InTx moves the checkpoint
// once the transaction has committed.
func (s *Store) sealAudit(ctx context.Context, es []*store.AuditEntry) (store.AuditHead, error) {
	if len(es) == 0 {
		return store.AuditHead{}, nil
	}
	key, cp, err := s.audit.resolve(ctx, s.q)
	if err != nil {
		return store.AuditHead{}, fmt.Errorf("append audit: %w", err)
	}
	return appendAudit(ctx, s.q, key, cp, es)
}

// appendAudit seals es onto the chain in tx: one read of the chain head
// (checked against the checkpoint), an insert per entry, one move of the
// head. Each entry gets its seq and hashes only once written.
func appendAudit(ctx context.Context, tx queryer, key store.AuditKey, cp *store.AuditCheckpointer, es []*store.AuditEntry) (store.AuditHead, error) {
	var head store.AuditHead
	if err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head.Seq, &head.Hash); err != nil {
		return head, fmt.Errorf("append audit: read chain head: %w", err)
	}
	if err := cp.Guard(head, func(seq int64) (string, bool, error) {
		var h string
		err := tx.QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE seq = ?`, seq).Scan(&h)
		if errors.Is(err, sql.ErrNoRows) {
			return "", false, nil
		}
		return h, err == nil, err
	}); err != nil {
		return head, fmt.Errorf("append audit: %w", err)
	}
	sealed := make([]store.AuditEntry, len(es))
	for i, e := range es {
		sealed[i] = *e
		if err := store.SealAudit(key, head, &sealed[i]); err != nil {
			return head, fmt.Errorf("append audit: %w", err)
		}
		head = store.AuditHead{Seq: sealed[i].Seq, Hash: sealed[i].Hash}
	}
	for rest := sealed; len(rest) > 0; {
		n := min(len(rest), maxAuditBatch)
		args := make([]any, 0, n*auditInsertCols)
		for i := range rest[:n] {
			se := &rest[i]
			args = append(args, se.Seq, micros(se.At), se.Actor, se.Kind, se.CaseID, se.ProposalID, se.Rule,
				se.Outcome, string(se.Data), se.PrevHash, se.Hash)
		}
		if _, err := tx.ExecContext(ctx, auditInsert(n), args...); err != nil {
			return head, fmt.Errorf("append audit: insert: %w", err)
		}
		rest = rest[n:]
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, head.Seq, head.Hash); err != nil {
		return head, fmt.Errorf("append audit: move chain head: %w", err)
	}
	for i := range es {
		*es[i] = sealed[i]
	}
	return head, nil
}

// maxAuditBatch bounds the rows one audit insert writes; a transaction's
// entries are inserted in statements of up to this many rows, so the
// statement cache holds at most this many audit inserts.
const maxAuditBatch = 16

// auditInsertCols is the number of values an audit row binds.
const auditInsertCols = 11

// auditInsert returns the statement inserting n audit rows: one statement
// per transaction instead of one per entry.
func auditInsert(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO audit_log (seq, at, actor, kind, case_id, proposal_id, rule, outcome,
			data, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)`)
	for range n - 1 {
		b.WriteString(`, (?,?,?,?,?,?,?,?,?,?,?)`)
	}
	return b.String()
}

const auditCols = `seq, at, actor, kind, case_id, proposal_id, rule, outcome, data, prev_hash, hash`

func scanAudit(sc scanner) (store.AuditEntry, error) {
	var e store.AuditEntry
	var at int64
	var data string
	err := sc.Scan(&e.Seq, &at, &e.Actor, &e.Kind, &e.CaseID, &e.ProposalID, &e.Rule, &e.Outcome, &data, &e.PrevHash, &e.Hash)
	e.At, e.Data = fromMicros(at), json.RawMessage(data)
	return e, err
}

// AuditTrail returns one case's entries, or all when caseID is empty.
func (s *Store) AuditTrail(ctx context.Context, caseID string) ([]store.AuditEntry, error) {
	q := `SELECT ` + auditCols + ` FROM audit_log ORDER BY seq`
	args := []any{}
	if caseID != "" {
		q = `SELECT ` + auditCols + ` FROM audit_log WHERE case_id = ? ORDER BY seq`
		args = append(args, caseID)
	}
	rows, err := s.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("audit trail: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	return out, nil
}

// VerifyAudit reads the log and its head in one transaction and checks the
// chain under the audit key, then against the checkpoint file when one is
// configured.
func (s *Store) VerifyAudit(ctx context.Context) (*store.AuditBreak, error) {
	brk, _, _, err := s.verifyAudit(ctx)
	return brk, err
}

// WriteAuditCheckpoint verifies the log and, when it is intact and matches
// the checkpoint already at path (if any), writes the checkpoint of its
// head there (store.AdvanceAuditCheckpoint).
func (s *Store) WriteAuditCheckpoint(ctx context.Context, path string) (*store.AuditBreak, store.AuditCheckpoint, error) {
	brk, head, rows, err := s.verifyAudit(ctx)
	if err != nil || brk != nil {
		return brk, store.AuditCheckpoint{}, err
	}
	key, _, err := s.audit.resolve(ctx, s.q)
	if err != nil {
		return nil, store.AuditCheckpoint{}, err
	}
	return store.AdvanceAuditCheckpoint(path, key, rows, head)
}

func (s *Store) verifyAudit(ctx context.Context) (*store.AuditBreak, store.AuditHead, []store.AuditEntry, error) {
	key, cp, err := s.audit.resolve(ctx, s.q)
	if err != nil {
		return nil, store.AuditHead{}, nil, fmt.Errorf("verify audit: %w", err)
	}
	tx, _, rollback, err := s.begin(ctx)
	if err != nil {
		return nil, store.AuditHead{}, nil, fmt.Errorf("verify audit: begin: %w", err)
	}
	defer rollback()
	var head store.AuditHead
	if err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head.Seq, &head.Hash); err != nil {
		return nil, head, nil, fmt.Errorf("verify audit: read chain head: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return nil, head, nil, fmt.Errorf("verify audit: %w", err)
	}
	defer rows.Close()
	var all []store.AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, head, nil, fmt.Errorf("verify audit: %w", err)
		}
		all = append(all, e)
	}
	if err := rows.Err(); err != nil {
		return nil, head, nil, fmt.Errorf("verify audit: %w", err)
	}
	if brk := store.CheckChain(key, all, &head); brk != nil {
		return brk, head, all, nil
	}
	brk, err := cp.Verify(all)
	if err != nil {
		return nil, head, nil, fmt.Errorf("verify audit: %w", err)
	}
	return brk, head, all, nil
}

// --- case memory -----------------------------------------------------------

// PutMemory inserts or replaces a case's memory.
func (s *Store) PutMemory(ctx context.Context, m store.Memory) error {
	if err := store.PrepareMemory(&m); err != nil {
		return err
	}
	_, err := s.q.ExecContext(ctx, `INSERT INTO case_memory (case_id, class, customer_id, order_id, text, embedding,
		resolution, resolved_by, resolved_at) VALUES (?,?,?,?,?,?,?,?,?)
		ON CONFLICT (case_id) DO UPDATE SET class = excluded.class, customer_id = excluded.customer_id,
		order_id = excluded.order_id, text = excluded.text, embedding = excluded.embedding,
		resolution = excluded.resolution, resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at`,
		m.CaseID, m.Class, m.CustomerID, m.OrderID, m.Text, store.EncodeVector(m.Embedding),
		m.Resolution, m.ResolvedBy, micros(m.ResolvedAt))
	if err != nil {
		return fmt.Errorf("put memory %s: %w", m.CaseID, err)
	}
	return nil
}

type candidate struct {
	caseID string
	tier   int
	dist   float64
}

func better(a, b candidate) bool {
	if a.tier != b.tier {
		return a.tier < b.tier
	}
	return a.dist < b.dist
}

// SimilarCases scans every stored embedding and ranks them in Go.
func (s *Store) SimilarCases(ctx context.Context, embedding []float32, class, customerID string, k int) ([]store.SimilarCase, error) {
	if k <= 0 {
		return nil, nil
	}
	if err := store.CheckEmbedding(embedding); err != nil {
		return nil, fmt.Errorf("similar cases: %w", err)
	}
	var qnorm float64
	for _, x := range embedding {
		qnorm += float64(x) * float64(x)
	}
	qnorm = math.Sqrt(qnorm)

	rows, err := s.q.QueryContext(ctx, `SELECT case_id, class, customer_id, embedding FROM case_memory`)
	if err != nil {
		return nil, fmt.Errorf("similar cases: %w", err)
	}
	defer rows.Close()
	best := make([]candidate, 0, k+1)
	var (
		id, cls, cust string
		blob          []byte
	)
	for rows.Next() {
		if err := rows.Scan(&id, &cls, &cust, &blob); err != nil {
			return nil, fmt.Errorf("similar cases: %w", err)
		}
		d := blobDistance(embedding, qnorm, blob)
		if math.IsNaN(d) {
			continue
		}
		c := candidate{caseID: id, tier: store.Tier(&store.Memory{Class: cls, CustomerID: cust}, class, customerID), dist: d}
		if len(best) == k && !better(c, best[k-1]) {
			continue
		}
		i := len(best)
		best = append(best, c)
		for i > 0 && better(c, best[i-1]) {
			best[i] = best[i-1]
			i--
		}
		best[i] = c
		if len(best) > k {
			best = best[:k]
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("similar cases: %w", err)
	}
	rows.Close()
	if len(best) == 0 {
		return nil, nil
	}
	dist := make(map[string]float64, len(best))
	ids := make([]any, len(best))
	for i, c := range best {
		dist[c.caseID] = c.dist
		ids[i] = c.caseID
	}
	mrows, err := s.q.QueryContext(ctx, `SELECT case_id, class, customer_id, order_id, text, embedding, resolution,
		resolved_by, resolved_at FROM case_memory WHERE case_id IN (?`+strings.Repeat(",?", len(ids)-1)+`)`, ids...)
	if err != nil {
		return nil, fmt.Errorf("similar cases: %w", err)
	}
	defer mrows.Close()
	out := make([]store.SimilarCase, 0, len(best))
	for mrows.Next() {
		var m store.Memory
		var emb []byte
		var at int64
		if err := mrows.Scan(&m.CaseID, &m.Class, &m.CustomerID, &m.OrderID, &m.Text, &emb, &m.Resolution,
			&m.ResolvedBy, &at); err != nil {
			return nil, fmt.Errorf("similar cases: %w", err)
		}
		if m.Embedding, err = store.DecodeVector(emb); err != nil {
			return nil, fmt.Errorf("similar cases: memory %s: %w", m.CaseID, err)
		}
		m.ResolvedAt = fromMicros(at)
		out = append(out, store.SimilarCase{Memory: m, Distance: dist[m.CaseID]})
	}
	if err := mrows.Err(); err != nil {
		return nil, fmt.Errorf("similar cases: %w", err)
	}
	return store.RankSimilar(out, class, customerID, k), nil
}

// blobDistance is store.CosineDistance against a little-endian float32
// blob, without decoding it into a slice.
func blobDistance(q []float32, qnorm float64, blob []byte) float64 {
	if len(blob) != 4*len(q) || qnorm == 0 {
		return math.NaN()
	}
	var dot, n float64
	for i, x := range q {
		y := float64(math.Float32frombits(binary.LittleEndian.Uint32(blob[4*i:])))
		dot += float64(x) * y
		n += y * y
	}
	if n == 0 {
		return math.NaN()
	}
	return 1 - dot/(qnorm*math.Sqrt(n))
}

// PruneMemory deletes memories resolved before olderThan.
func (s *Store) PruneMemory(ctx context.Context, olderThan time.Time) (int, error) {
	res, err := s.q.ExecContext(ctx, `DELETE FROM case_memory WHERE resolved_at < ?`, micros(store.Stamp(olderThan)))
	if err != nil {
		return 0, fmt.Errorf("prune memory: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("prune memory: %w", err)
	}
	return int(n), nil
}
