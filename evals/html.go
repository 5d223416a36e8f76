package evals

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"os"
	"strings"
)

//go:embed report.html.tmpl
var htmlReport string

var htmlTmpl = template.Must(template.New("eval").Funcs(template.FuncMap{
	"pct": func(n, d int) string {
		if d == 0 {
			return "–"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(d))
	},
	"join":  strings.Join,
	"minus": func(a, b int) int { return a - b },
}).Parse(htmlReport))

type htmlData struct {
	R        *Report
	Rows     []classRow
	Total    classRow
	Failing  []CaseResult
	Flips    []Flip
	Baseline bool
}

// WriteHTML writes a static, self-contained HTML report of r: the
// scorecard per class, every failing case with what was expected and what
// the planner did, and, when base is not nil, the flips against it. It
// loads nothing from anywhere: the styles are inline and there is no
// script.
func WriteHTML(w io.Writer, r *Report, base *Report) error {
	d := htmlData{R: r, Baseline: base != nil}
	d.Rows, d.Total = scorecard(r)
	for _, c := range r.Cases {
		if c.Scored && !c.Pass {
			d.Failing = append(d.Failing, c)
		}
	}
	if base != nil {
		d.Flips = Compare(base, r)
	}
	if err := htmlTmpl.Execute(w, d); err != nil {
		return fmt.Errorf("eval HTML report: %w", err)
	}
	return nil
}

// WriteHTMLFile writes the HTML report to path.
func WriteHTMLFile(path string, r *Report, base *Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := WriteHTML(f, r, base); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
