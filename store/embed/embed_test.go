package embed

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/exdesk/exdesk/store"
)

func TestHashingEmbed(t *testing.T) {
	ctx := context.Background()
	e := NewHashing(0)
	tests := []struct {
		name, a, b string
		maxDist    float64 // distance must be below
		minDist    float64 // and at least
	}{
		{"identical", "credit hold on SO-10042", "credit hold on SO-10042", 1e-6, 0},
		{"case and punctuation", "Credit HOLD, on so 10042!", "credit hold on SO-10042", 1e-6, 0},
		{"related", "order on credit hold past due balance", "credit hold released past due balance paid", 0.7, 0},
		{"unrelated", "hazmat goods carrier not certified", "price below contract for line 3", 2, 0.6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			va, err := e.Embed(ctx, tc.a)
			if err != nil {
				t.Fatal(err)
			}
			vb, err := e.Embed(ctx, tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if len(va) != store.EmbeddingDim {
				t.Fatalf("dim = %d, want %d", len(va), store.EmbeddingDim)
			}
			var n float64
			for _, x := range va {
				n += float64(x) * float64(x)
			}
			if math.Abs(n-1) > 1e-5 {
				t.Errorf("norm² = %v, want 1", n)
			}
			d := store.CosineDistance(va, vb)
			if d >= tc.maxDist || d < tc.minDist {
				t.Errorf("distance = %.4f, want in [%v, %v)", d, tc.minDist, tc.maxDist)
			}
		})
	}
}

func TestHashingDeterministicAndEmpty(t *testing.T) {
	ctx := context.Background()
	a, _ := Hashing{Dim: 64}.Embed(ctx, "late shipment carrier exception")
	b, _ := Hashing{Dim: 64}.Embed(ctx, "late shipment carrier exception")
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("component %d differs: %v vs %v", i, a[i], b[i])
		}
	}
	if _, err := NewHashing(0).Embed(ctx, " -- !! "); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("empty text: err = %v, want ErrInvalid", err)
	}
}
