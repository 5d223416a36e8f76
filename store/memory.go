package store

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// CheckEmbedding returns a wrapped ErrInvalid unless v has EmbeddingDim
// finite components and is not all zeros (cosine distance needs a norm).
func CheckEmbedding(v []float32) error {
	if len(v) != EmbeddingDim {
		return fmt.Errorf("embedding has %d dimensions, want %d: %w", len(v), EmbeddingDim, ErrInvalid)
	}
	var norm float64
	for _, x := range v {
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("embedding has a non-finite component: %w", ErrInvalid)
		}
		norm += f * f
	}
	if norm == 0 {
		return fmt.Errorf("embedding is all zeros: %w", ErrInvalid)
	}
	return nil
}

// CosineDistance returns 1 − cos(a, b), as pgvector's <=> does: 0 for the
// same direction, 2 for opposite ones. Vectors of different lengths or with
// a zero norm give NaN, which RankSimilar sorts last.
func CosineDistance(a, b []float32) float64 {
	if len(a) != len(b) {
		return math.NaN()
	}
	var dot, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return math.NaN()
	}
	return 1 - dot/math.Sqrt(na*nb)
}

// EncodeVector packs v as little-endian float32s (the SQLite blob format).
func EncodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// DecodeVector unpacks a blob written by EncodeVector.
func DecodeVector(b []byte) ([]float32, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("vector blob of %d bytes: %w", len(b), ErrInvalid)
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

// Tier is a memory's rank group for SimilarCases: 0 same class and
// customer, 1 same class, 2 the rest. An empty class or customer in the
// query does not separate tiers.
func Tier(m *Memory, class, customerID string) int {
	sameClass := class == "" || m.Class == class
	sameCustomer := customerID == "" || m.CustomerID == customerID
	switch {
	case sameClass && sameCustomer:
		return 0
	case sameClass:
		return 1
	default:
		return 2
	}
}

// RankSimilar sorts cases by tier, then distance (closest first, NaN
// last), then case id, fills SameClass/SameCustomer and keeps the first k.
func RankSimilar(cases []SimilarCase, class, customerID string, k int) []SimilarCase {
	for i := range cases {
		cases[i].SameClass = class != "" && cases[i].Class == class
		cases[i].SameCustomer = customerID != "" && cases[i].CustomerID == customerID
	}
	slices.SortStableFunc(cases, func(a, b SimilarCase) int {
		if c := cmp.Compare(Tier(&a.Memory, class, customerID), Tier(&b.Memory, class, customerID)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Distance, b.Distance); c != 0 { // cmp.Compare puts NaN first
			an, bn := math.IsNaN(a.Distance), math.IsNaN(b.Distance)
			if an != bn {
				if an {
					return 1
				}
				return -1
			}
			return c
		}
		return cmp.Compare(a.CaseID, b.CaseID)
	})
	if k >= 0 && len(cases) > k {
		cases = cases[:k]
	}
	return cases
}
