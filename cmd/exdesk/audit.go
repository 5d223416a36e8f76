package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/exdesk/exdesk/store"
	"github.com/spf13/cobra"
)

func auditCmd(e *env) *cobra.Command {
	c, fs := newCommand(e, "audit", "audit verify | audit checkpoint | audit export --case ID [flags]",
		`Works with the append-only audit log in the store (DATABASE_URL, else the
SQLite file). Each row's hash is HMAC-SHA256, keyed by the audit key, over the
previous row's hash and the row: without the key nobody can rewrite rows and
recompute a chain that verifies. The key comes from EXDESK_AUDIT_KEY (hex,
`+"`openssl rand -hex 32`"+`) or the file EXDESK_AUDIT_KEY_FILE names; PostgreSQL
needs it, and a SQLite file without it uses the key file beside it
(FILE.audit-key).

  verify      walks the whole chain under the key, then checks it against the
              checkpoint file when one is given; exit 0 when intact, exit 3
              naming the first changed, deleted or reordered row
  checkpoint  verifies the chain, then writes its head (seq and hash, signed
              with the key) to the checkpoint file. Keep that file where the
              database's writers cannot reach: deleting the newest rows and
              moving the head back leaves a chain that verifies, but not one
              that matches the checkpoint. "exdesk serve" and "exdesk worker"
              keep it themselves after every append when EXDESK_AUDIT_CHECKPOINT
              is set
  export      prints one case's audit trail as JSON lines, oldest first`,
		`  EXDESK_AUDIT_KEY=$(cat /etc/exdesk/audit.key) exdesk audit verify
  exdesk audit checkpoint --checkpoint /srv/audit/exdesk.checkpoint
  exdesk audit verify --checkpoint /srv/audit/exdesk.checkpoint
  exdesk audit export --case case-SO-10042-1a2b3c4d5e6f > trail.jsonl
  DATABASE_URL=postgres://exdesk@db/exdesk EXDESK_AUDIT_KEY_FILE=/run/secrets/audit-key exdesk audit verify`)
	fs = c.PersistentFlags()
	dbPath := fs.String("db", "exdesk.db", "SQLite store file when DATABASE_URL is not set")
	checkpoint := fs.String("checkpoint", e.cfg.AuditCheckpoint,
		"verify against, or checkpoint: write, this checkpoint file (default $EXDESK_AUDIT_CHECKPOINT)")
	sub := func(name, short string, run func(ctx context.Context, st store.Store, args []string) int) *cobra.Command {
		sc := &cobra.Command{Use: name, Short: short, Args: cobra.NoArgs}
		sc.RunE = runE(func(ctx context.Context, args []string) int {
			if name == "checkpoint" && *checkpoint == "" {
				fmt.Fprintln(e.stderr, "exdesk audit checkpoint: --checkpoint FILE (or EXDESK_AUDIT_CHECKPOINT) is required")
				return exitUsage
			}
			// Only verify reads the checkpoint; checkpoint writes it,
			// whatever is there now.
			opts := storeOptions{mustExist: true, checkpoint: *checkpoint, noCheckpoint: name != "verify"}
			st, err := openStore(ctx, e, *dbPath, opts)
			if err != nil {
				fmt.Fprintf(e.stderr, "exdesk audit %s: %v\n", name, err)
				return exitHarness
			}
			defer func() { _ = st.Close() }()
			return run(ctx, st, args)
		})
		return sc
	}
	var caseID string
	export := sub("export", "print one case's audit trail as JSON lines", func(ctx context.Context, st store.Store, _ []string) int {
		return auditExport(ctx, e, st, caseID)
	})
	export.Flags().StringVar(&caseID, "case", "", "the case whose trail to print (required)")
	_ = export.MarkFlagRequired("case")
	c.AddCommand(
		sub("verify", "walk the keyed chain and check it against the checkpoint", func(ctx context.Context, st store.Store, _ []string) int {
			return auditVerify(ctx, e, st, *checkpoint)
		}),
		sub("checkpoint", "verify the chain, then write its signed head to the checkpoint file", func(ctx context.Context, st store.Store, _ []string) int {
			return auditCheckpoint(ctx, e, st, *checkpoint)
		}),
		export)
	return c
}

// auditExport prints one case's trail as JSON lines.
func auditExport(ctx context.Context, e *env, st store.Store, caseID string) int {
	trail, err := st.AuditTrail(ctx, caseID)
	if err != nil {
		fmt.Fprintf(e.stderr, "exdesk audit export: %v\n", err)
		return exitHarness
	}
	if len(trail) == 0 {
		fmt.Fprintf(e.stderr, "exdesk audit export: no audit entries for case %q\n", caseID)
		return exitFailed
	}
	enc := json.NewEncoder(e.stdout)
	for _, a := range trail {
		row := auditRow{Seq: a.Seq, At: a.At, Actor: a.Actor, Kind: a.Kind, CaseID: a.CaseID, ProposalID: a.ProposalID,
			Rule: a.Rule, Outcome: a.Outcome, Data: a.Data, PrevHash: a.PrevHash, Hash: a.Hash}
		if err := enc.Encode(row); err != nil {
			fmt.Fprintf(e.stderr, "exdesk audit export: %v\n", err)
			return exitHarness
		}
	}
	return exitOK
}

func auditVerify(ctx context.Context, e *env, st store.Store, checkpoint string) int {
	b, err := st.VerifyAudit(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "exdesk audit verify: %v\n", err)
		return exitHarness
	}
	if b != nil {
		fmt.Fprintf(e.stdout, "audit chain BROKEN: %s\n", b)
		return exitFailed
	}
	all, err := st.AuditTrail(ctx, "")
	if err != nil {
		fmt.Fprintf(e.stderr, "exdesk audit verify: %v\n", err)
		return exitHarness
	}
	against := " (no checkpoint given: rows deleted from the end with the head moved back would not show)"
	if checkpoint != "" {
		against = " and matches the checkpoint " + checkpoint
	}
	fmt.Fprintf(e.stdout, "audit chain intact: %d rows%s\n", len(all), against)
	return exitOK
}

// auditCheckpointer is a store that can write a checkpoint of its chain.
type auditCheckpointer interface {
	WriteAuditCheckpoint(ctx context.Context, path string) (*store.AuditBreak, store.AuditCheckpoint, error)
}

func auditCheckpoint(ctx context.Context, e *env, st store.Store, path string) int {
	w, ok := st.(auditCheckpointer)
	if !ok {
		fmt.Fprintf(e.stderr, "exdesk audit checkpoint: this store cannot write checkpoints\n")
		return exitHarness
	}
	b, cp, err := w.WriteAuditCheckpoint(ctx, path)
	if err != nil {
		fmt.Fprintf(e.stderr, "exdesk audit checkpoint: %v\n", err)
		return exitHarness
	}
	if b != nil {
		fmt.Fprintf(e.stdout, "audit chain BROKEN: %s\nno checkpoint written\n", b)
		return exitFailed
	}
	fmt.Fprintf(e.stdout, "checkpoint %s: row %d, hash %s\n", path, cp.Seq, cp.Hash)
	return exitOK
}

// auditRow is an audit entry as exported.
type auditRow struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	Actor      string          `json:"actor"`
	Kind       string          `json:"kind"`
	CaseID     string          `json:"case_id,omitempty"`
	ProposalID string          `json:"proposal_id,omitempty"`
	Rule       string          `json:"rule,omitempty"`
	Outcome    string          `json:"outcome,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}
