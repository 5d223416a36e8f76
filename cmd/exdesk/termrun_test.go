package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
)

// termRun is one run of exdesk as a person at a terminal would see it.
type termRun struct {
	stdin io.Reader
	vars  map[string]string
	// tty: stdout and stderr are a terminal this many columns wide (0: not
	// a terminal, as in a pipe).
	tty int
	// onOut and onErr, when set, see every write to stdout or stderr (to
	// press Ctrl-C at a chosen moment).
	onOut, onErr func(p string)
}

// watchWriter is a buffer that shows each write to a func first.
type watchWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	watch func(p string)
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.watch != nil {
		w.watch(string(p))
	}
	return w.buf.Write(p)
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// runTerm runs exdesk with args under ctx as r describes.
func runTerm(t *testing.T, ctx context.Context, r termRun, args ...string) (int, string, string) {
	t.Helper()
	out, errOut := &watchWriter{watch: r.onOut}, &watchWriter{watch: r.onErr}
	stdin := r.stdin
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	e := &env{stdin: stdin, stdout: out, stderr: errOut, getenv: func(k string) string { return r.vars[k] }}
	if r.tty > 0 {
		e.terminal = fakeTerminal(r.tty, out, errOut)
	}
	code := run(ctx, e, args)
	return code, out.String(), errOut.String()
}
