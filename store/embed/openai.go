package embed

import (
	"context"
	"fmt"

	openai "github.com/sashabaranov/go-openai"

	"github.com/exdesk/exdesk/store"
)

// OpenAI embeds text with an OpenAI-compatible embeddings endpoint
// (EXDESK_EMBEDDING_MODEL), asking for store.EmbeddingDim dimensions so
// the vectors fit the store's column.
type OpenAI struct {
	Client *openai.Client
	Model  string
}

var _ store.Embedder = (*OpenAI)(nil)

// NewOpenAI returns an embedder for model at baseURL (empty: OpenAI's).
func NewOpenAI(baseURL, apiKey, model string) *OpenAI {
	cfg := openai.DefaultConfig(apiKey)
	if baseURL != "" {
		cfg.BaseURL = baseURL
	}
	return &OpenAI{Client: openai.NewClientWithConfig(cfg), Model: model}
}

// Embed implements store.Embedder.
func (o *OpenAI) Embed(ctx context.Context, text string) ([]float32, error) {
	if len(Tokens(text)) == 0 {
		return nil, fmt.Errorf("embed: text has no words: %w", store.ErrInvalid)
	}
	resp, err := o.Client.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{
		Input: []string{text}, Model: openai.EmbeddingModel(o.Model), Dimensions: store.EmbeddingDim,
	})
	if err != nil {
		return nil, fmt.Errorf("embed: %s: %w", o.Model, err)
	}
	if len(resp.Data) != 1 || len(resp.Data[0].Embedding) != store.EmbeddingDim {
		n := 0
		if len(resp.Data) > 0 {
			n = len(resp.Data[0].Embedding)
		}
		return nil, fmt.Errorf("embed: %s returned %d vectors of %d dimensions, want 1 of %d (does the model support the dimensions parameter?): %w",
			o.Model, len(resp.Data), n, store.EmbeddingDim, store.ErrInvalid)
	}
	return resp.Data[0].Embedding, nil
}
