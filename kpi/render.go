package kpi

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteText writes the report as plain text.
func WriteText(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, a ...any) { fmt.Fprintf(tw, format, a...) }
	p("exdesk KPIs %s … %s\n\n", r.Since.Format(time.RFC3339), r.Until.Format(time.RFC3339))
	p("opened\t%d\n", r.Opened)
	p("resolved\t%d\n", r.Resolved)
	p("touchless\t%d of %d (%s)\n", r.Touchless, r.Resolved, pct(r.TouchlessRate))
	p("backlog (open)\t%d\n", r.Backlog.Open)
	for _, b := range r.Backlog.Buckets {
		p("  aged %s\t%d\n", b.Key, b.Count)
	}
	p("expedite spend\t$%.2f over %d expedites\n", r.ExpediteSpend, r.Expedites)
	p("margin protected\t$%.2f by %d price corrections\n", r.MarginProtected, r.PriceCorrections)
	if r.LLM.Cases > 0 {
		p("LLM tokens per case\t%.1f (%d tokens, %d cases)\n", r.LLM.TokensPerCase, r.LLM.Tokens, r.LLM.Cases)
	} else {
		p("LLM tokens per case\t- (no model-planned case)\n")
	}
	p("\nexceptions by class\n")
	for _, c := range r.ByClass {
		p("  %s\t%d\n", c.Key, c.Count)
	}
	p("\nexceptions per day\n")
	for i, d := range r.Days {
		n := 0
		var parts []string
		for _, c := range r.Classes {
			if v := r.ByDay[i][c]; v > 0 {
				n += v
				parts = append(parts, fmt.Sprintf("%s %d", c, v))
			}
		}
		p("  %s\t%d\t%s\n", d, n, strings.Join(parts, ", "))
	}
	p("\ncycle time (hours)\tn\tp50\tp95\n")
	for _, c := range r.CycleTime {
		p("  %s\t%d\t%.1f\t%.1f\n", c.Key, c.N, c.P50, c.P95)
	}
	p("\napproval latency (minutes)\tn\tp50\tp95\n")
	for _, c := range r.ApprovalLatency {
		p("  %s\t%d\t%.0f\t%.0f\n", c.Key, c.N, c.P50, c.P95)
	}
	p("\ndecisions per rule and class\tdecided\trejected\toverridden\n")
	for _, d := range r.Decisions {
		p("  %s / %s\t%d\t%d (%s)\t%d (%s)\n", d.Rule, d.Class, d.Decided, d.Rejected, pct(d.RejectionRate), d.Overridden, pct(d.OverrideRate))
	}
	p("\nblocked actions per rule\n")
	for _, b := range r.Blocked {
		p("  %s\t%d\n", b.Key, b.Count)
	}
	return tw.Flush()
}

func pct(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

//go:embed report.html.tmpl
var reportTmpl string

var tmpl = template.Must(template.New("kpi").Funcs(template.FuncMap{
	"pct":   pct,
	"date":  func(t time.Time) string { return t.Format("2006-01-02 15:04 MST") },
	"money": func(x float64) string { return fmt.Sprintf("$%.2f", x) },
	"at":    func(m map[string]int, k string) int { return m[k] },
}).Parse(reportTmpl))

// Fragment renders the report's body (figures, charts and tables) for a
// page that has its own layout (the console).
func Fragment(r *Report) (template.HTML, error) {
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, "body", r); err != nil {
		return "", fmt.Errorf("kpi: rendering: %w", err)
	}
	return template.HTML(b.String()), nil // rendered by html/template
}

// WriteHTML writes the report as one self-contained HTML page.
func WriteHTML(w io.Writer, r *Report) error {
	if err := tmpl.ExecuteTemplate(w, "page", r); err != nil {
		return fmt.Errorf("kpi: rendering: %w", err)
	}
	return nil
}
