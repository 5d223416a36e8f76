// Package embed provides case-memory embedders. Hashing is the
// deterministic local default: it needs no model and no network, so case
// memory works offline and tests are repeatable.
package embed

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"unicode"

	"github.com/exdesk/exdesk/store"
)

// Hashing embeds text by feature hashing: word unigrams and bigrams
// (lower-cased, split on anything that is not a letter or digit) are hashed
// into Dim buckets with a hash-derived sign, then the vector is
// L2-normalised. Texts that share words and word pairs get a small cosine
// distance. The zero value uses store.EmbeddingDim dimensions.
type Hashing struct {
	Dim int
}

var _ store.Embedder = Hashing{}

// NewHashing returns a hashing embedder with dim dimensions
// (store.EmbeddingDim when dim <= 0).
func NewHashing(dim int) Hashing { return Hashing{Dim: dim} }

// Embed returns the embedding of text. Text without any word is an error
// (errors.Is store.ErrInvalid).
func (h Hashing) Embed(ctx context.Context, text string) ([]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dim := h.Dim
	if dim <= 0 {
		dim = store.EmbeddingDim
	}
	words := Tokens(text)
	if len(words) == 0 {
		return nil, fmt.Errorf("embed: text has no words: %w", store.ErrInvalid)
	}
	acc := make([]float64, dim)
	add := func(feature string) {
		f := fnv.New64a()
		f.Write([]byte(feature))
		sum := f.Sum64()
		idx := int(sum % uint64(dim))
		if sum>>63 == 1 {
			acc[idx]--
		} else {
			acc[idx]++
		}
	}
	for i, w := range words {
		add("u:" + w)
		if i > 0 {
			add("b:" + words[i-1] + " " + w)
		}
	}
	var norm float64
	for _, x := range acc {
		norm += x * x
	}
	if norm == 0 { // every feature cancelled out: fall back to one bucket
		acc[0], norm = 1, 1
	}
	norm = math.Sqrt(norm)
	out := make([]float32, dim)
	for i, x := range acc {
		out[i] = float32(x / norm)
	}
	return out, nil
}

// Tokens splits text into lower-case words of letters and digits.
func Tokens(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}
