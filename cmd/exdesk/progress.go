package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress draws a progress bar on a terminal, at most ten times a second.
// Every redraw clears the rest of the line, so a shorter line leaves none
// of a longer one behind, and the bar fits the terminal's width.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	st    style
	label string
	now   func() time.Time
	last  time.Time
	began time.Time
	drawn bool
	// shown is the width of the line on screen, for padding it out where
	// the terminal takes no control sequences.
	shown int
}

// Bounds of the bar itself, in cells.
const (
	maxBarCells = 30
	minBarCells = 5
)

// newProgress returns a progress bar on w, or nil (which draws nothing)
// when w is not a terminal, so logs and pipes stay clean.
func newProgress(e *env, w io.Writer, label string) *progress {
	st := e.style(w)
	if !st.tty {
		return nil
	}
	now := time.Now
	return &progress{w: w, st: st, label: label, now: now, began: now()}
}

// set shows done of total.
func (p *progress) set(done, total int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.drawn && done < total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	p.draw(p.line(done, total, now))
}

// line is the bar for done of total at now, at most the terminal's width
// less one column (writing the last column makes some terminals wrap).
func (p *progress) line(done, total int, now time.Time) string {
	rate := float64(done) / max(now.Sub(p.began).Seconds(), 1e-9)
	counts := fmt.Sprintf(" %s/%s  %s/s", thousands(done), thousands(total), thousands(int(rate)))
	room := p.st.width - 1
	cells := min(maxBarCells, room-visibleWidth(p.label)-len(" []")-visibleWidth(counts))
	if cells < minBarCells {
		line := p.label + counts
		if r := []rune(line); len(r) > room {
			line = string(r[:max(room, 0)])
		}
		return line
	}
	filled := 0
	if total > 0 {
		filled = min(done*cells/total, cells)
	}
	return fmt.Sprintf("%s [%s%s]%s", p.label, strings.Repeat("█", filled), strings.Repeat("·", cells-filled), counts)
}

// draw replaces the line on screen with line: back to its start, the new
// text, then the rest cleared (ESC [ K, or spaces where the terminal takes
// no control sequences).
func (p *progress) draw(line string) {
	n := visibleWidth(line)
	clear := "\x1b[K"
	if !p.st.ansi {
		clear = strings.Repeat(" ", max(p.shown-n, 0))
	}
	fmt.Fprint(p.w, "\r"+line+clear)
	p.shown, p.drawn = n, true
}

// finish ends the bar's line, so what is written next starts on a line
// of its own.
func (p *progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.drawn {
		return
	}
	if p.st.ansi {
		fmt.Fprint(p.w, "\x1b[K")
	}
	fmt.Fprintln(p.w)
	p.drawn = false
}
