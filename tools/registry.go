package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Registry holds tools by name and calls them with JSON arguments.
type Registry struct {
	byName map[string]Handle
	names  []string
}

// NewRegistry returns a registry of the given tools. Names must be unique.
func NewRegistry(hs ...Handle) (*Registry, error) {
	r := &Registry{byName: make(map[string]Handle, len(hs))}
	for _, h := range hs {
		if err := r.Register(h); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Register adds a tool.
func (r *Registry) Register(h Handle) error {
	if _, dup := r.byName[h.Name()]; dup {
		return fmt.Errorf("tools: %q registered twice", h.Name())
	}
	r.byName[h.Name()] = h
	r.names = append(r.names, h.Name())
	return nil
}

// Names returns the registered tool names in registration order.
func (r *Registry) Names() []string { return append([]string(nil), r.names...) }

// Lookup returns the tool of that name.
func (r *Registry) Lookup(name string) (Handle, bool) {
	h, ok := r.byName[name]
	return h, ok
}

// Infos describes every tool for a model, in registration order.
func (r *Registry) Infos() ([]Info, error) {
	out := make([]Info, 0, len(r.names))
	for _, n := range r.names {
		h := r.byName[n]
		s, err := h.Schema()
		if err != nil {
			return nil, fmt.Errorf("tools: schema of %s: %w", n, err)
		}
		out = append(out, Info{Name: n, Description: h.Description(), Parameters: s})
	}
	return out, nil
}

// Call calls a tool by name. An unknown name, bad arguments and failures
// come back as *ToolError; a panic inside a tool becomes a ToolError too.
// The call is recorded in log when log is not nil.
func (r *Registry) Call(ctx context.Context, log *Calls, name string, args json.RawMessage) (id string, out any, err error) {
	id = log.start(name, args)
	ctx, span := startSpan(ctx, name)
	began := time.Now()
	defer func() {
		if p := recover(); p != nil {
			err = &ToolError{Tool: name, Code: CodeFailed, Message: fmt.Sprintf("internal error: %v", p)}
		}
		log.finish(id, out, err, time.Since(began))
		endSpan(span, id, err)
	}()
	h, ok := r.byName[name]
	if !ok {
		known := append([]string(nil), r.names...)
		sort.Strings(known)
		return id, nil, &ToolError{Tool: name, Code: CodeUnknownTool,
			Message: fmt.Sprintf("there is no tool %q; the tools are: %s", name, strings.Join(known, ", "))}
	}
	out, err = h.CallJSON(ctx, args)
	return id, out, err
}

// Call calls one tool handle with JSON arguments and records the call.
func (tb *Toolbox) Call(ctx context.Context, log *Calls, h Handle, args json.RawMessage) (string, any, error) {
	id := log.start(h.Name(), args)
	ctx, span := startSpan(ctx, h.Name())
	began := time.Now()
	out, err := h.CallJSON(ctx, args)
	log.finish(id, out, err, time.Since(began))
	endSpan(span, id, err)
	return id, out, err
}

// Run invokes a typed tool and records the call in log. It returns the
// output and the call's id, which facts cite as their source.
func Run[In, Out any](ctx context.Context, log *Calls, t *Tool[In, Out], in In) (Out, string, error) {
	var args json.RawMessage
	if log != nil {
		args, _ = json.Marshal(in)
	}
	id := log.start(t.Name(), args)
	ctx, span := startSpan(ctx, t.Name())
	began := time.Now()
	out, err := t.Invoke(ctx, in)
	log.finish(id, out, err, time.Since(began))
	endSpan(span, id, err)
	return out, id, err
}

// Calls is the log of one investigation's tool calls. The zero value is
// ready to use; a nil *Calls records nothing. It is safe for concurrent use.
type Calls struct {
	mu    sync.Mutex
	calls []Call
}

func (c *Calls) start(name string, args json.RawMessage) string {
	if c == nil {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	id := "t" + strconv.Itoa(len(c.calls)+1)
	c.calls = append(c.calls, Call{ID: id, Tool: name, Args: args})
	return id
}

func (c *Calls) finish(id string, out any, err error, d time.Duration) {
	if c == nil {
		return
	}
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "t"))
	c.mu.Lock()
	defer c.mu.Unlock()
	call := &c.calls[n-1]
	call.Output, call.Duration = out, d
	if err != nil {
		call.Error = err.Error()
	}
}

// List returns the recorded calls in the order they were started.
func (c *Calls) List() []Call {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Call(nil), c.calls...)
}

// Len returns the number of calls recorded.
func (c *Calls) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.calls)
}
