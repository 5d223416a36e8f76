package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// Error codes of a ToolError.
const (
	CodeUnknownTool  = "unknown_tool"
	CodeBadArguments = "bad_arguments"
	CodeNotFound     = "not_found"
	CodeOutOfScope   = "out_of_scope"
	CodeFailed       = "failed"
)

// ToolError is a structured failure of a tool call, safe to send back to a
// model: it says what was wrong and how to fix the call.
type ToolError struct {
	Tool    string `json:"tool"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Err     error  `json:"-"`
}

func (e *ToolError) Error() string { return fmt.Sprintf("%s: %s: %s", e.Tool, e.Code, e.Message) }

// Unwrap returns the underlying error.
func (e *ToolError) Unwrap() error { return e.Err }

// Validator is implemented by inputs that check their own values.
type Validator interface {
	Validate() error
}

// Info describes a tool to a model.
type Info struct {
	Name        string
	Description string
	Parameters  json.RawMessage // JSON Schema of the input
}

// Handle is a tool called by name with JSON arguments.
type Handle interface {
	Name() string
	Description() string
	Schema() (json.RawMessage, error)
	CallJSON(ctx context.Context, args json.RawMessage) (any, error)
}

// Rebinder is implemented by extra tools that read the connectors: an
// investigation rebinds them to its scoped view of the systems
// (connectors.Scope), as it does the built-in tools.
type Rebinder interface {
	Rebind(sys connectors.Systems) Handle
}

// Tool is a typed tool.
type Tool[In, Out any] struct {
	name, desc string
	fn         func(context.Context, In) (Out, error)
}

// New returns a typed tool. The input type must be a struct.
func New[In, Out any](name, description string, fn func(context.Context, In) (Out, error)) *Tool[In, Out] {
	return &Tool[In, Out]{name: name, desc: description, fn: fn}
}

// Name returns the tool's name.
func (t *Tool[In, Out]) Name() string { return t.name }

// Description returns what the tool does, for a model.
func (t *Tool[In, Out]) Description() string { return t.desc }

// Schema returns the JSON Schema of the tool's input.
func (t *Tool[In, Out]) Schema() (json.RawMessage, error) {
	s, err := Schema(reflect.TypeFor[In]())
	if err != nil {
		return nil, err
	}
	return json.Marshal(s)
}

// Invoke runs the tool on a typed input. Input validation and connector
// errors come back as *ToolError.
func (t *Tool[In, Out]) Invoke(ctx context.Context, in In) (Out, error) {
	if v, ok := any(&in).(Validator); ok {
		if err := v.Validate(); err != nil {
			var zero Out
			return zero, &ToolError{Tool: t.name, Code: CodeBadArguments, Message: err.Error(), Err: err}
		}
	}
	out, err := t.fn(ctx, in)
	if err != nil {
		return out, t.wrap(err)
	}
	return out, nil
}

func (t *Tool[In, Out]) wrap(err error) error {
	var te *ToolError
	if errors.As(err, &te) {
		return err
	}
	code := CodeFailed
	switch {
	case errors.Is(err, connectors.ErrOutOfScope):
		code = CodeOutOfScope
	case errors.Is(err, connectors.ErrNotFound):
		code = CodeNotFound
	}
	return &ToolError{Tool: t.name, Code: code, Message: err.Error(), Err: err}
}

// CallJSON decodes args strictly into the input struct (unknown fields and
// missing properties are errors), validates and invokes the tool.
func (t *Tool[In, Out]) CallJSON(ctx context.Context, args json.RawMessage) (any, error) {
	in, err := DecodeArgs[In](args)
	if err != nil {
		return nil, &ToolError{Tool: t.name, Code: CodeBadArguments, Message: err.Error(), Err: err}
	}
	return t.Invoke(ctx, in)
}

// DecodeArgs decodes a JSON object into In strictly: unknown fields are an
// error, and so is a missing property (strict-mode schemas require every
// property; optional ones are sent as null).
func DecodeArgs[In any](args json.RawMessage) (In, error) {
	var in In
	trimmed := bytes.TrimSpace(args)
	if len(trimmed) == 0 {
		trimmed = []byte("{}")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		return in, fmt.Errorf("arguments must be a JSON object: %v", err)
	}
	t := reflect.TypeFor[In]()
	var missing []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, ok := raw[name]; !ok && f.Type.Kind() != reflect.Pointer {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return in, fmt.Errorf("missing required argument(s): %s", strings.Join(missing, ", "))
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, fmt.Errorf("arguments do not fit the schema: %v", err)
	}
	return in, nil
}

// Call is one recorded tool call.
type Call struct {
	ID       string          `json:"id"`
	Tool     string          `json:"tool"`
	Args     json.RawMessage `json:"args"`
	Output   any             `json:"output,omitempty"`
	Error    string          `json:"error,omitempty"`
	Duration time.Duration   `json:"duration_ns"`
}
