package kpi

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Bar is one bar of a chart: its label, its value and the text written on
// it (the value as people read it).
type Bar struct {
	Label string
	Value float64
	Text  string
	// Name names the first series when there is a Second (e.g. "p50").
	Name string
	// Second, when set, is a second bar under the first (drawn hatched),
	// e.g. p95 under p50.
	Second     *Bar
	SecondName string
}

// Chart is a titled SVG chart with a text summary for screen readers.
type Chart struct {
	ID    string
	Title string
	SVG   template.HTML
}

// HBars draws labelled horizontal bars. Every bar carries its label and
// its value as text; a second series is hatched, not coloured, so the
// chart reads without colour.
func HBars(id, title string, bars []Bar) Chart {
	const (
		labelW = 190
		barW   = 330
		rowH   = 26
		top    = 8
	)
	rows := 0
	maxV := 0.0
	for _, b := range bars {
		rows++
		maxV = math.Max(maxV, b.Value)
		if b.Second != nil {
			rows++
			maxV = math.Max(maxV, b.Second.Value)
		}
	}
	h := top*2 + rows*rowH
	if rows == 0 {
		h = 40
	}
	var s strings.Builder
	var summary []string
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s-t %s-d" class="chart">`,
		labelW+barW+90, h, id, id)
	fmt.Fprintf(&s, `<defs><pattern id="%s-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#1d3f72" stroke-width="3"/></pattern></defs>`, id)
	fmt.Fprintf(&s, `<title id="%s-t">%s</title>`, id, template.HTMLEscapeString(title))
	if rows == 0 {
		s.WriteString(`<text x="8" y="24" font-size="14" fill="#222">No data in this window.</text>`)
	}
	y := top
	bar := func(b Bar, hatched bool, label string) {
		w := 0.0
		if maxV > 0 {
			w = b.Value / maxV * barW
		}
		fill := "#1d3f72"
		if hatched {
			fill = fmt.Sprintf("url(#%s-hatch)", id)
		}
		fmt.Fprintf(&s, `<text x="%d" y="%d" font-size="13" text-anchor="end" fill="#222">%s</text>`, labelW-6, y+17, template.HTMLEscapeString(label))
		fmt.Fprintf(&s, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s" stroke="#1d3f72"/>`, labelW, y+4, math.Max(w, 1), rowH-8, fill)
		fmt.Fprintf(&s, `<text x="%.1f" y="%d" font-size="13" fill="#222">%s</text>`, float64(labelW)+math.Max(w, 1)+6, y+17, template.HTMLEscapeString(b.Text))
		summary = append(summary, label+": "+b.Text)
		y += rowH
	}
	for _, b := range bars {
		label := b.Label
		if b.Second != nil && b.Name != "" {
			label += " " + b.Name
		}
		bar(b, false, label)
		if b.Second != nil {
			bar(*b.Second, true, b.Label+" "+b.SecondName)
		}
	}
	fmt.Fprintf(&s, `<desc id="%s-d">%s</desc></svg>`, id, template.HTMLEscapeString(strings.Join(summary, "; ")))
	return Chart{ID: id, Title: title, SVG: template.HTML(s.String())} // #nosec: built from escaped parts
}

// VBars draws labelled vertical bars (a time series), each with its value
// written above it.
func VBars(id, title string, bars []Bar) Chart {
	const (
		h      = 200
		bottom = 40
		top    = 20
	)
	n := max(1, len(bars))
	colW := max(28, min(70, 600/n))
	w := 40 + n*colW
	maxV := 0.0
	for _, b := range bars {
		maxV = math.Max(maxV, b.Value)
	}
	var s strings.Builder
	var summary []string
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s-t %s-d" class="chart">`, w, h, id, id)
	fmt.Fprintf(&s, `<title id="%s-t">%s</title>`, id, template.HTMLEscapeString(title))
	fmt.Fprintf(&s, `<line x1="20" y1="%d" x2="%d" y2="%d" stroke="#222"/>`, h-bottom, w-10, h-bottom)
	for i, b := range bars {
		bh := 0.0
		if maxV > 0 {
			bh = b.Value / maxV * float64(h-bottom-top)
		}
		x := 30 + i*colW
		fmt.Fprintf(&s, `<rect x="%d" y="%.1f" width="%d" height="%.1f" fill="#1d3f72"/>`, x, float64(h-bottom)-bh, colW-8, bh)
		fmt.Fprintf(&s, `<text x="%d" y="%.1f" font-size="12" text-anchor="middle" fill="#222">%s</text>`, x+(colW-8)/2, float64(h-bottom)-bh-4, template.HTMLEscapeString(b.Text))
		fmt.Fprintf(&s, `<text x="%d" y="%d" font-size="11" text-anchor="middle" fill="#222">%s</text>`, x+(colW-8)/2, h-bottom+16, template.HTMLEscapeString(b.Label))
		summary = append(summary, b.Label+": "+b.Text)
	}
	fmt.Fprintf(&s, `<desc id="%s-d">%s</desc></svg>`, id, template.HTMLEscapeString(strings.Join(summary, "; ")))
	return Chart{ID: id, Title: title, SVG: template.HTML(s.String())}
}

// Charts are the report's charts, in the order the KPI page shows them.
func (r *Report) Charts() []Chart {
	var perDay []Bar
	for i, d := range r.Days {
		n := 0
		for _, v := range r.ByDay[i] {
			n += v
		}
		perDay = append(perDay, Bar{Label: d[5:], Value: float64(n), Text: fmt.Sprint(n)})
	}
	var byClass []Bar
	for _, c := range r.ByClass {
		byClass = append(byClass, Bar{Label: c.Key, Value: float64(c.Count), Text: fmt.Sprint(c.Count)})
	}
	var cycle []Bar
	for _, p := range r.CycleTime {
		cycle = append(cycle, Bar{Label: p.Key, Name: "p50", Value: p.P50, Text: fmt.Sprintf("%.1fh", p.P50),
			Second: &Bar{Value: p.P95, Text: fmt.Sprintf("%.1fh", p.P95)}, SecondName: "p95"})
	}
	var latency []Bar
	for _, p := range r.ApprovalLatency {
		latency = append(latency, Bar{Label: p.Key, Name: "p50", Value: p.P50, Text: fmt.Sprintf("%.0f min", p.P50),
			Second: &Bar{Value: p.P95, Text: fmt.Sprintf("%.0f min", p.P95)}, SecondName: "p95"})
	}
	var aging []Bar
	for _, b := range r.Backlog.Buckets {
		aging = append(aging, Bar{Label: b.Key, Value: float64(b.Count), Text: fmt.Sprint(b.Count)})
	}
	var blocked []Bar
	for _, b := range r.Blocked {
		blocked = append(blocked, Bar{Label: b.Key, Value: float64(b.Count), Text: fmt.Sprint(b.Count)})
	}
	return []Chart{
		VBars("per-day", "Exceptions opened per day", perDay),
		HBars("by-class", "Exceptions by class", byClass),
		HBars("cycle", "Resolution cycle time per class (p50 solid, p95 hatched)", cycle),
		HBars("latency", "Approval latency per role (p50 solid, p95 hatched)", latency),
		HBars("aging", "Backlog by age", aging),
		HBars("blocked", "Blocked actions per rule", blocked),
	}
}
