package llm

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/recorder"

	"github.com/exdesk/exdesk/agent"
)

// ErrReplayMiss is wrapped when a replayed run sends a model request that
// no recorded exchange matches. It wraps agent.ErrHarness: the Investigator
// does not fall back on it, and exdesk eval stops with exit status 1.
var ErrReplayMiss = fmt.Errorf("no recorded model exchange matches the request (replay miss; record again with --record): %w", agent.ErrHarness)

// Mode is what a Recorder does.
type Mode int

// Recorder modes.
const (
	// ModeRecord sends requests to the endpoint and records every exchange.
	ModeRecord Mode = iota + 1
	// ModeReplay answers from the recorded exchanges with no network.
	ModeReplay
)

// CassetteName is the cassette file's name (without .yaml) in the
// recording directory; MetaFile records the model and prompt version.
const (
	CassetteName = "model-exchanges"
	MetaFile     = "meta.json"
)

// Headers stripped from recorded exchanges (credentials and cookies).
var strippedRequestHeaders = []string{"Authorization", "Api-Key", "Openai-Organization", "Openai-Project", "Cookie", "Proxy-Authorization"}
var strippedResponseHeaders = []string{"Set-Cookie", "Openai-Organization", "Openai-Project"}

// Recorder records model exchanges in a directory as a go-vcr cassette, or
// replays them. Authorization headers are stripped before anything is
// written, recorded latency is not replayed, and requests are matched on
// method, endpoint and the request body as canonical JSON (key order and
// spacing do not matter). Each recorded exchange is replayed once, in
// recorded order among equal requests, so a retried request gets its 429
// and then its success again.
type Recorder struct {
	mode Mode
	dir  string
	rec  *recorder.Recorder
}

// NewRecorder opens dir for recording (created if missing; an existing
// cassette is replaced) or for replay (the cassette must exist). real is
// the transport used when recording; nil means http.DefaultTransport.
func NewRecorder(mode Mode, dir string, real http.RoundTripper) (*Recorder, error) {
	if real == nil {
		real = http.DefaultTransport
	}
	name := filepath.Join(dir, CassetteName)
	opts := []recorder.Option{
		recorder.WithSkipRequestLatency(true),
		recorder.WithMatcher(matchCanonical),
		recorder.WithHook(stripSecrets, recorder.AfterCaptureHook),
		recorder.WithRealTransport(real),
	}
	switch mode {
	case ModeRecord:
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("llm: recording directory: %w", err)
		}
		opts = append(opts, recorder.WithMode(recorder.ModeRecordOnly))
	case ModeReplay:
		if _, err := os.Stat(name + ".yaml"); err != nil {
			return nil, fmt.Errorf("llm: no recorded model run in %s (%s.yaml): %w", dir, CassetteName, err)
		}
		opts = append(opts, recorder.WithMode(recorder.ModeReplayOnly))
	default:
		return nil, fmt.Errorf("llm: unknown recorder mode %d", mode)
	}
	rec, err := recorder.New(name, opts...)
	if err != nil {
		return nil, fmt.Errorf("llm: opening %s: %w", name, err)
	}
	return &Recorder{mode: mode, dir: dir, rec: rec}, nil
}

// Replaying reports whether the recorder replays.
func (r *Recorder) Replaying() bool { return r.mode == ModeReplay }

// Client returns the http.Client to put in Config.HTTPClient.
func (r *Recorder) Client() *http.Client {
	return &http.Client{Transport: missTransport{r.rec}}
}

// Stop saves the cassette when recording.
func (r *Recorder) Stop() error {
	if err := r.rec.Stop(); err != nil {
		return fmt.Errorf("llm: saving recorded model run: %w", err)
	}
	return nil
}

// Meta describes a recorded run.
type Meta struct {
	Model         string `json:"model"`
	PromptVersion string `json:"prompt_version"`
}

// WriteMeta records the model and prompt version next to the cassette.
func (r *Recorder) WriteMeta(m Meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(r.dir, MetaFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("llm: %w", err)
	}
	return nil
}

// ReadMeta reads what WriteMeta wrote in dir.
func ReadMeta(dir string) (Meta, error) {
	var m Meta
	b, err := os.ReadFile(filepath.Join(dir, MetaFile))
	if err != nil {
		return m, fmt.Errorf("llm: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("llm: %s: %w", filepath.Join(dir, MetaFile), err)
	}
	return m, nil
}

// missTransport turns go-vcr's "interaction not found" into ErrReplayMiss.
type missTransport struct{ rt http.RoundTripper }

func (t missTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := t.rt.RoundTrip(req)
	if errors.Is(err, cassette.ErrInteractionNotFound) {
		sum := sha256.Sum256([]byte(canonicalJSON(body)))
		return nil, fmt.Errorf("%w: %s %s (body sha256 %s)", ErrReplayMiss, req.Method, req.URL.Path, hex.EncodeToString(sum[:6]))
	}
	return resp, err
}

// matchCanonical matches method, endpoint (the URL path's last two
// segments, e.g. chat/completions) and canonical JSON body. Hosts, base
// paths and headers are ignored so a run recorded against one server
// replays with any base URL and no credentials.
func matchCanonical(r *http.Request, i cassette.Request) bool {
	if r.Method != i.Method {
		return false
	}
	u, err := r.URL.Parse(i.URL)
	if err != nil || endpoint(u.Path) != endpoint(r.URL.Path) {
		return false
	}
	var body []byte
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return false
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		body = b
	}
	return canonicalJSON(body) == canonicalJSON([]byte(i.Body))
}

func endpoint(p string) string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return strings.Join(parts, "/")
}

func stripSecrets(i *cassette.Interaction) error {
	for _, h := range strippedRequestHeaders {
		i.Request.Headers.Del(h)
	}
	for _, h := range strippedResponseHeaders {
		i.Response.Headers.Del(h)
	}
	i.Response.Duration = time.Duration(0)
	return nil
}
