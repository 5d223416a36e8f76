package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/exdesk/exdesk/store"
)

// Migratable is a store whose schema can be migrated step by step.
type Migratable interface {
	store.Store
	// Migrate applies every pending migration.
	Migrate(ctx context.Context) error
	// MigrateTo applies pending migrations up to version.
	MigrateTo(ctx context.Context, version int) error
	// SchemaVersion is the highest applied migration, 0 for none.
	SchemaVersion(ctx context.Context) (int, error)
}

// RunMigrations checks an implementation's migrations: from an empty
// database to latest, from version 1 to latest with data kept, and two
// migrators racing. openUnmigrated opens the test's database without
// migrating it; as for Run, calls within one test open the same database.
// Version 1 must hold cases; case memory must arrive after it.
func RunMigrations(t *testing.T, latest int, openUnmigrated func(t *testing.T) Migratable) {
	t.Helper()
	version := func(t *testing.T, s Migratable, want int) {
		t.Helper()
		v, err := s.SchemaVersion(ctxFor(t))
		if err != nil {
			t.Fatalf("SchemaVersion: %v", err)
		}
		if v != want {
			t.Fatalf("schema version = %d, want %d", v, want)
		}
	}
	mem := store.Memory{CaseID: "c_m", Class: "credit_hold", Embedding: make([]float32, store.EmbeddingDim)}
	mem.Embedding[3] = 1

	t.Run("FromEmpty", func(t *testing.T) {
		s := openUnmigrated(t)
		ctx := ctxFor(t)
		version(t, s, 0)
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		version(t, s, latest)
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		version(t, s, latest)
		mustCase(t, s, store.Case{OrderID: "SO-1"})
		if err := s.PutMemory(ctx, mem); err != nil {
			t.Fatalf("PutMemory: %v", err)
		}
	})
	t.Run("FromPrevious", func(t *testing.T) {
		s := openUnmigrated(t)
		ctx := ctxFor(t)
		if err := s.MigrateTo(ctx, 1); err != nil {
			t.Fatalf("MigrateTo(1): %v", err)
		}
		version(t, s, 1)
		c := mustCase(t, s, store.Case{OrderID: "SO-1", Summary: "before upgrade"})
		if err := s.PutMemory(ctx, mem); err == nil {
			t.Fatal("PutMemory worked at version 1; case memory should arrive later")
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate 1 → %d: %v", latest, err)
		}
		version(t, s, latest)
		got, err := s.GetCase(ctx, c.ID)
		if err != nil || got.Summary != "before upgrade" {
			t.Fatalf("case after upgrade = %+v, %v", got, err)
		}
		if err := s.PutMemory(ctx, mem); err != nil {
			t.Fatalf("PutMemory after upgrade: %v", err)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		a, b := openUnmigrated(t), openUnmigrated(t)
		ctx := ctxFor(t)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, s := range []Migratable{a, b} {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = s.Migrate(ctx) }()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("migrator %d: %v", i, err)
			}
		}
		version(t, a, latest)
	})
}
