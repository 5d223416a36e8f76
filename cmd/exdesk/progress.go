package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress draws a progress bar on a terminal-ish writer, at most ten
// times a second.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	last  time.Time
	began time.Time
	drawn bool
}

// newProgress returns a progress bar on w, or nil (which draws nothing)
// when w is not a terminal, so logs and pipes stay clean.
func newProgress(w io.Writer, label string) *progress {
	if f, ok := w.(*os.File); !ok || !isTerminal(f) {
		return nil
	}
	return &progress{w: w, label: label, began: time.Now()}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (p *progress) set(done, total int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if done < total && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	const width = 30
	filled := 0
	if total > 0 {
		filled = done * width / total
	}
	rate := float64(done) / max(time.Since(p.began).Seconds(), 1e-9)
	fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d  %.0f/s", p.label, strings.Repeat("█", filled), strings.Repeat("·", width-filled), done, total, rate)
	p.drawn = true
}

func (p *progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
