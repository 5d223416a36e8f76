package evals

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"os"
	"sort"
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

// classRow is one row of the HTML scorecard.
type classRow struct {
	Class                                                      string
	Cases, Passed, Errored, ClassOK, Top, Forbidden, Dec, Ment int
}

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
	rows := map[string]*classRow{}
	d.Total.Class = "overall"
	for _, c := range r.Cases {
		if !c.Scored {
			continue
		}
		k := c.Class
		if k == "" {
			k = "(malformed)"
		}
		x := rows[k]
		if x == nil {
			x = &classRow{Class: k}
			rows[k] = x
		}
		for _, y := range []*classRow{x, &d.Total} {
			y.Cases++
			y.Passed += b2i(c.Pass)
			if c.Error != "" {
				y.Errored++
				continue
			}
			y.ClassOK += b2i(c.Checks.Class)
			y.Top += b2i(c.Checks.TopAction)
			y.Forbidden += b2i(!c.Checks.NoForbidden)
			y.Dec += b2i(c.Checks.Decision)
			y.Ment += b2i(c.Checks.Mentions)
		}
		if !c.Pass {
			d.Failing = append(d.Failing, c)
		}
	}
	for _, x := range rows {
		d.Rows = append(d.Rows, *x)
	}
	sort.Slice(d.Rows, func(i, j int) bool { return d.Rows[i].Class < d.Rows[j].Class })
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
