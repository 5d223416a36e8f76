package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/exdesk/exdesk/prompts"
)

// Defaults of Config's zero fields.
const (
	DefaultModel            = "gpt-4o-mini"
	DefaultMaxRoundTrips    = 8
	DefaultMaxTokens        = 120_000
	DefaultTimeout          = 2 * time.Minute
	DefaultRequestTimeout   = 60 * time.Second
	DefaultMaxToolErrors    = 6
	DefaultMaxSubmitRetries = 2
	DefaultMaxRetries       = 3
	DefaultMaxBackoff       = 30 * time.Second
	DefaultParallelism      = 4
)

// Config configures the LLM planner. Zero fields take the defaults above.
type Config struct {
	// BaseURL of the OpenAI-compatible API, e.g. https://api.openai.com/v1
	// or http://localhost:11434/v1. Empty means OpenAI.
	BaseURL string
	// APIKey is sent as a bearer token. Local servers usually need none.
	APIKey string
	// Model is the model name the endpoint knows.
	Model string
	// MaxRoundTrips is the model round-trip budget per case (default 8).
	MaxRoundTrips int
	// MaxTokens is the token budget per case, prompt plus completion
	// tokens summed over the round trips (default 120,000).
	MaxTokens int
	// MaxOutputTokens caps one completion (max_tokens); 0 sends no cap.
	MaxOutputTokens int
	// Timeout is the wall-time budget per case (default 2 minutes).
	Timeout time.Duration
	// RequestTimeout bounds one model request; a request that times out is
	// retried like a 5xx (default 60 s).
	RequestTimeout time.Duration
	// MaxToolErrors is the budget of failed tool calls per case, counting
	// bad arguments, unknown tools and repeated calls (default 6).
	MaxToolErrors int
	// MaxSubmitRetries is how many invalid submit_case calls are sent back
	// to the model before the case fails (default 2).
	MaxSubmitRetries int
	// MaxRetries is how many times one request is retried after a 429, a
	// 5xx, a timeout or a network error (default 3; negative: no retries).
	MaxRetries int
	// MaxBackoff caps one wait between retries, including a Retry-After the
	// server asks for (default 30 s). A longer Retry-After fails the case.
	MaxBackoff time.Duration
	// Parallelism bounds the tool calls of one turn run at once (default 4).
	Parallelism int
	// HTTPClient sends the requests (a Recorder's client records or
	// replays them). Nil uses a plain http.Client.
	HTTPClient *http.Client
	// PromptVersion selects the prompt templates (default prompts.Current).
	PromptVersion string
	// Seed, when set, is sent for reproducible sampling where supported.
	Seed *int
	// Logger receives debug and warning logs; nil discards them.
	Logger *slog.Logger
	// Sleep waits between retries; nil waits on a timer. Replays set it to
	// return at once so that recorded 429s cost no time.
	Sleep func(ctx context.Context, d time.Duration) error
}

// ErrNotConfigured is wrapped by ConfigFromEnv when no endpoint is set.
var ErrNotConfigured = errors.New("LLM planner not configured")

// ConfigFromEnv reads OPENAI_API_KEY, OPENAI_BASE_URL and EXDESK_MODEL.
// With neither a key nor a base URL it returns an error, wrapping
// ErrNotConfigured, that says what to set.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		APIKey:  strings.TrimSpace(getenv("OPENAI_API_KEY")),
		BaseURL: strings.TrimSpace(getenv("OPENAI_BASE_URL")),
		Model:   strings.TrimSpace(getenv("EXDESK_MODEL")),
	}
	if c.APIKey == "" && c.BaseURL == "" {
		return c, fmt.Errorf("%w: set OPENAI_API_KEY (for OpenAI) or OPENAI_BASE_URL (for an OpenAI-compatible server such as vLLM, Ollama or llama.cpp, e.g. http://localhost:11434/v1), and EXDESK_MODEL (default %s); or use --planner playbook", ErrNotConfigured, DefaultModel)
	}
	return c.withDefaults(), nil
}

func (c Config) withDefaults() Config {
	if c.Model == "" {
		c.Model = DefaultModel
	}
	if c.BaseURL == "" {
		c.BaseURL = "https://api.openai.com/v1"
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	setInt := func(p *int, d int) {
		if *p <= 0 {
			*p = d
		}
	}
	setDur := func(p *time.Duration, d time.Duration) {
		if *p <= 0 {
			*p = d
		}
	}
	setInt(&c.MaxRoundTrips, DefaultMaxRoundTrips)
	setInt(&c.MaxTokens, DefaultMaxTokens)
	setInt(&c.MaxToolErrors, DefaultMaxToolErrors)
	setInt(&c.MaxSubmitRetries, DefaultMaxSubmitRetries)
	setInt(&c.Parallelism, DefaultParallelism)
	if c.MaxRetries < 0 {
		c.MaxRetries = 0
	} else if c.MaxRetries == 0 {
		c.MaxRetries = DefaultMaxRetries
	}
	setDur(&c.Timeout, DefaultTimeout)
	setDur(&c.RequestTimeout, DefaultRequestTimeout)
	setDur(&c.MaxBackoff, DefaultMaxBackoff)
	if c.PromptVersion == "" {
		c.PromptVersion = prompts.Current
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	return c
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
