package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/exdesk/exdesk/store"
)

// --- audit log -------------------------------------------------------------

// AppendAudit appends an entry to the keyed hash chain. The transaction
// locks the chain head row (SELECT ... FOR UPDATE), so appends from every
// replica are serialised and the chain never forks. With a checkpoint
// file, the head is checked against it first and the file is moved on
// after the commit.
func (s *Store) AppendAudit(ctx context.Context, e *store.AuditEntry) error {
	if s.deferred != nil {
		// Inside InTx: sealed at commit, after every other write of the
		// transaction, so the chain head is locked last and briefly.
		*s.deferred = append(*s.deferred, e)
		return nil
	}
	head, err := s.appendAudit(ctx, e)
	if err != nil {
		return err
	}
	if err := s.checkpoint.Advance(head); err != nil {
		return fmt.Errorf("append audit: row %d appended, but the checkpoint was not written: %w", head.Seq, err)
	}
	return nil
}

// appendAudit seals e onto the chain in a transaction of its own and
// returns the new head. Moving the checkpoint is the caller's, once the
// head is committed.
func (s *Store) appendAudit(ctx context.Context, e *store.AuditEntry) (store.AuditHead, error) {
	var head store.AuditHead
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		head, err = s.sealAudit(ctx, tx, []*store.AuditEntry{e})
		return err
	})
	return head, err
}

// sealAudit seals es onto the chain in tx, in order, and returns the new
// head: the chain head locked (SELECT ... FOR UPDATE, which serialises
// appends across replicas), checked against the checkpoint, then every
// row and the head's move sent in one batch — two round trips while the
// head is held, however many entries.
func (s *Store) sealAudit(ctx context.Context, tx pgx.Tx, es []*store.AuditEntry) (store.AuditHead, error) {
	if s.key.IsZero() {
		return store.AuditHead{}, fmt.Errorf("append audit: %w (the store was opened to migrate only)", store.ErrNoAuditKey)
	}
	var head store.AuditHead
	if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE`).Scan(&head.Seq, &head.Hash); err != nil {
		return head, fmt.Errorf("append audit: read chain head: %w", err)
	}
	if err := s.checkpoint.Guard(head, func(seq int64) (string, bool, error) {
		var h string
		err := tx.QueryRow(ctx, `SELECT hash FROM audit_log WHERE seq = $1`, seq).Scan(&h)
		if errors.Is(err, pgx.ErrNoRows) {
			return "", false, nil
		}
		return h, err == nil, err
	}); err != nil {
		return head, fmt.Errorf("append audit: %w", err)
	}
	sealed := make([]store.AuditEntry, len(es))
	batch := &pgx.Batch{}
	for i, e := range es {
		sealed[i] = *e
		se := &sealed[i]
		if err := store.SealAudit(s.key, head, se); err != nil {
			return head, fmt.Errorf("append audit: %w", err)
		}
		batch.Queue(`INSERT INTO audit_log (seq, at, actor, kind, case_id, proposal_id, rule, outcome,
			data, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9::json,$10,$11)`,
			se.Seq, se.At, se.Actor, se.Kind, se.CaseID, se.ProposalID, se.Rule, se.Outcome, string(se.Data), se.PrevHash, se.Hash)
		head = store.AuditHead{Seq: se.Seq, Hash: se.Hash}
	}
	batch.Queue(`UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1`, head.Seq, head.Hash)
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return head, fmt.Errorf("append audit: %w", err)
	}
	for i := range es {
		*es[i] = sealed[i]
	}
	return head, nil
}

const auditCols = `seq, at, actor, kind, case_id, proposal_id, rule, outcome, data::text, prev_hash, hash`

func collectAudit(rows pgx.Rows) ([]store.AuditEntry, error) {
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		var data string
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Kind, &e.CaseID, &e.ProposalID, &e.Rule, &e.Outcome,
			&data, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.At, e.Data = e.At.UTC(), []byte(data)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditTrail returns one case's entries, or all when caseID is empty.
func (s *Store) AuditTrail(ctx context.Context, caseID string) ([]store.AuditEntry, error) {
	rows, err := s.q.Query(ctx, `SELECT `+auditCols+` FROM audit_log WHERE $1 = '' OR case_id = $1 ORDER BY seq`, caseID)
	if err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	out, err := collectAudit(rows)
	if err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	return out, nil
}

// VerifyAudit reads the log and its head in one repeatable-read snapshot
// and checks the chain under the audit key, then against the checkpoint
// file when one is configured.
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
	return store.AdvanceAuditCheckpoint(path, s.key, rows, head)
}

func (s *Store) verifyAudit(ctx context.Context) (*store.AuditBreak, store.AuditHead, []store.AuditEntry, error) {
	if s.key.IsZero() {
		return nil, store.AuditHead{}, nil, fmt.Errorf("verify audit: %w (the store was opened to migrate only)", store.ErrNoAuditKey)
	}
	var (
		brk  *store.AuditBreak
		head store.AuditHead
		all  []store.AuditEntry
	)
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head.Seq, &head.Hash); err != nil {
			return fmt.Errorf("read chain head: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT `+auditCols+` FROM audit_log ORDER BY seq`)
		if err != nil {
			return err
		}
		all, err = collectAudit(rows)
		return err
	})
	if err != nil {
		return nil, head, nil, fmt.Errorf("verify audit: %w", err)
	}
	if brk = store.CheckChain(s.key, all, &head); brk != nil {
		return brk, head, all, nil
	}
	if brk, err = s.checkpoint.Verify(all); err != nil {
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
	_, err := s.q.Exec(ctx, `INSERT INTO case_memory (case_id, class, customer_id, order_id, text, embedding,
		resolution, resolved_by, resolved_at) VALUES ($1,$2,$3,$4,$5,$6::vector,$7,$8,$9)
		ON CONFLICT (case_id) DO UPDATE SET class = excluded.class, customer_id = excluded.customer_id,
		order_id = excluded.order_id, text = excluded.text, embedding = excluded.embedding,
		resolution = excluded.resolution, resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at`,
		m.CaseID, m.Class, m.CustomerID, m.OrderID, m.Text, pgvector.NewVector(m.Embedding).String(),
		m.Resolution, m.ResolvedBy, m.ResolvedAt)
	if err != nil {
		return fmt.Errorf("put memory %s: %w", m.CaseID, classify(err, store.ErrDuplicate))
	}
	return nil
}

// SimilarCases runs one scan per ranking tier (same class and customer,
// same class, everything), each returning its k nearest, and merges them:
// the k best by tier then distance are always among them. The class and
// overall tiers use the HNSW index, with iterative index scans
// (pgvector >= 0.8) so a filtered scan does not come back short.
func (s *Store) SimilarCases(ctx context.Context, embedding []float32, class, customerID string, k int) ([]store.SimilarCase, error) {
	if k <= 0 {
		return nil, nil
	}
	if err := store.CheckEmbedding(embedding); err != nil {
		return nil, fmt.Errorf("similar cases: %w", err)
	}
	q := pgvector.NewVector(embedding).String()
	// A customer has few memories: its tier is ranked exactly over the
	// customer_id index (a filtered HNSW scan would walk the graph looking
	// for them). Classes are large: their tier uses the HNSW index.
	const cols = `case_id, class, customer_id, order_id, text, embedding::text, resolution, resolved_by, resolved_at`
	type scan struct {
		sql  string
		args []any
	}
	exact := func(where string, args ...any) scan {
		return scan{`WITH c AS MATERIALIZED (SELECT ` + cols + `, embedding <=> $1::vector AS distance
			FROM case_memory ` + where + `) SELECT * FROM c ORDER BY distance LIMIT $2`, args}
	}
	hnsw := func(where string, args ...any) scan {
		return scan{`SELECT ` + cols + `, embedding <=> $1::vector AS distance FROM case_memory ` + where +
			` ORDER BY embedding <=> $1::vector LIMIT $2`, args}
	}
	var scans []scan
	switch {
	case class != "" && customerID != "":
		scans = append(scans, exact(`WHERE customer_id = $3 AND class = $4`, customerID, class), hnsw(`WHERE class = $3`, class))
	case class != "":
		scans = append(scans, hnsw(`WHERE class = $3`, class))
	case customerID != "":
		scans = append(scans, exact(`WHERE customer_id = $3`, customerID))
	}
	scans = append(scans, hnsw(``))

	seen := map[string]bool{}
	var out []store.SimilarCase
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL hnsw.iterative_scan = relaxed_order`); err != nil {
			return fmt.Errorf("enable iterative scan (pgvector >= 0.8 needed): %w", err)
		}
		for _, sc := range scans {
			args := append([]any{q, k}, sc.args...)
			rows, err := tx.Query(ctx, sc.sql, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var m store.Memory
				var emb string
				var dist float64
				if err := rows.Scan(&m.CaseID, &m.Class, &m.CustomerID, &m.OrderID, &m.Text, &emb, &m.Resolution,
					&m.ResolvedBy, &m.ResolvedAt, &dist); err != nil {
					rows.Close()
					return err
				}
				if seen[m.CaseID] {
					continue
				}
				seen[m.CaseID] = true
				var v pgvector.Vector
				if err := v.Parse(emb); err != nil {
					rows.Close()
					return fmt.Errorf("memory %s embedding: %w", m.CaseID, err)
				}
				m.Embedding, m.ResolvedAt = v.Slice(), m.ResolvedAt.UTC()
				out = append(out, store.SimilarCase{Memory: m, Distance: dist})
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("similar cases: %w", err)
	}
	return store.RankSimilar(out, class, customerID, k), nil
}

// PruneMemory deletes memories resolved before olderThan.
func (s *Store) PruneMemory(ctx context.Context, olderThan time.Time) (int, error) {
	tag, err := s.q.Exec(ctx, `DELETE FROM case_memory WHERE resolved_at < $1`, store.Stamp(olderThan))
	if err != nil {
		return 0, fmt.Errorf("prune memory: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
