package embed_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/store/embed"
)

// A local server speaking the embeddings wire protocol: the request asks
// for the store's dimensions, and a wrong-sized answer is an error.
func TestOpenAIEmbedder(t *testing.T) {
	dims := store.EmbeddingDim
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model      string   `json:"model"`
			Input      []string `json:"input"`
			Dimensions int      `json:"dimensions"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || r.URL.Path != "/v1/embeddings" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if req.Dimensions != store.EmbeddingDim || req.Model != "text-embedding-3-small" || len(req.Input) != 1 {
			t.Errorf("request %+v", req)
		}
		vec := make([]float32, dims)
		vec[0] = 1
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "model": req.Model,
			"data": []any{map[string]any{"object": "embedding", "index": 0, "embedding": vec}}})
	}))
	defer srv.Close()
	e := embed.NewOpenAI(srv.URL+"/v1", "k", "text-embedding-3-small")
	v, err := e.Embed(context.Background(), "credit hold customer C-1")
	if err != nil || len(v) != store.EmbeddingDim || v[0] != 1 {
		t.Fatalf("Embed = %d dims, %v", len(v), err)
	}
	dims = 3
	if _, err := e.Embed(context.Background(), "credit hold"); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("a wrong-sized vector must be ErrInvalid, got %v", err)
	}
	if _, err := e.Embed(context.Background(), "  "); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("empty text must be ErrInvalid, got %v", err)
	}
}
