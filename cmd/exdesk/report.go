package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/slack-go/slack"

	"github.com/exdesk/exdesk/kpi"
)

func reportCmd(e *env) *cobra.Command {
	c, fs := newCommand(e, "report", "report [flags]",
		`Computes the desk's KPIs from the store over a window ending now: exceptions
by class per day, touchless rate, resolution cycle time p50/p95 per class,
approval latency per role, backlog and its aging, rejection and override rates
per rule and class, blocked actions per rule, expedite spend, margin protected
by price corrections and LLM tokens per case. Reads DATABASE_URL, or the SQLite
file --db.

--post CHANNEL posts the figures and a chart image to a Slack channel
(files.uploadV2; SLACK_BOT_TOKEN with files:write and chat:write, SLACK_API_URL
for a proxy). Run it from a scheduler (cron, a Kubernetes CronJob) for a weekly
digest.`,
		`  exdesk report --since 7d
  exdesk report --since 30d --format html --out kpi.html
  exdesk report --since 7d --post C0OPSLEADS     # weekly digest, from cron`)
	dbPath := fs.String("db", "exdesk.db", "SQLite store file when DATABASE_URL is not set")
	since := fs.String("since", "7d", "the window: a duration ending now (7d, 36h) or a date (2026-06-01)")
	format := fs.String("format", "text", "text, json or html")
	out := fs.String("out", "", "write the report to this file instead of standard output")
	post := fs.String("post", "", "post the figures and a chart image to this Slack channel")
	c.RunE = runE(func(ctx context.Context, args []string) int {
		now := time.Now().UTC()
		from, err := parseSince(*since, now)
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk report: --since: %v\n", err)
			return exitUsage
		}
		if *format != "text" && *format != "json" && *format != "html" {
			fmt.Fprintf(e.stderr, "exdesk report: --format must be text, json or html, not %q\n", *format)
			return exitUsage
		}
		st, err := openDurableStore(ctx, e, *dbPath)
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk report: %v\n", err)
			return exitHarness
		}
		defer func() { _ = st.Close() }()
		began := time.Now()
		rep, err := kpi.Compute(ctx, st, from, now)
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk report: %v\n", err)
			return exitHarness
		}
		took := time.Since(began)
		var b bytes.Buffer
		switch *format {
		case "json":
			enc := json.NewEncoder(&b)
			enc.SetIndent("", "  ")
			err = enc.Encode(rep)
		case "html":
			err = kpi.WriteHTML(&b, rep)
		default:
			err = kpi.WriteText(&b, rep)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk report: %v\n", err)
			return exitHarness
		}
		if *out != "" {
			if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
				fmt.Fprintf(e.stderr, "exdesk report: %v\n", err)
				return exitHarness
			}
		} else if *post == "" || *format != "text" {
			_, _ = e.stdout.Write(b.Bytes())
		}
		fmt.Fprintf(e.stderr, "KPIs over %d cases computed in %s\n", rep.Opened+rep.Backlog.Open, took.Round(time.Microsecond))
		if *post != "" {
			if err := postDigest(ctx, e, *post, rep); err != nil {
				fmt.Fprintf(e.stderr, "exdesk report: --post: %v\n", err)
				return exitHarness
			}
			fmt.Fprintf(e.stdout, "posted the digest to %s\n", *post)
		}
		return exitOK
	})
	return c
}

// parseSince reads a window start: a duration back from now (7d, 36h,
// 90m) or a date or RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		d, err := strconv.Atoi(n)
		if err != nil || d <= 0 || d > 3660 {
			return time.Time{}, fmt.Errorf("%q is not a number of days", s)
		}
		return now.AddDate(0, 0, -d), nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, errors.New("the window must be positive")
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			if !t.Before(now) {
				return time.Time{}, errors.New("the window must start in the past")
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither a duration (7d, 36h) nor a date (2026-06-01)", s)
}

// postDigest posts the week's figures with the chart image to a channel
// through files.uploadV2 (getUploadURLExternal, the upload, then
// completeUploadExternal with the figures as the comment).
func postDigest(ctx context.Context, e *env, channel string, rep *kpi.Report) error {
	token := e.cfg.SlackBotToken
	if token == "" {
		return errors.New("SLACK_BOT_TOKEN is not set")
	}
	var opts []slack.Option
	if u := e.cfg.SlackAPIURL; u != "" {
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		opts = append(opts, slack.OptionAPIURL(u))
	}
	api := slack.New(token, opts...)
	var png bytes.Buffer
	if err := kpi.ChartPNG(&png, rep); err != nil {
		return err
	}
	_, err := api.UploadFileContext(ctx, slack.UploadFileParameters{
		Channel: channel, Filename: "exdesk-kpis-" + rep.Until.Format("2006-01-02") + ".png", FileSize: png.Len(), Reader: &png,
		Title: "Exceptions by class", AltTxt: "Bar chart of exceptions by class; the counts are in the message.",
		InitialComment: digestText(rep),
	})
	if err != nil {
		return fmt.Errorf("uploading the digest to %s: %w", channel, err)
	}
	return nil
}

// digestText is the digest's figures as Slack text.
func digestText(r *kpi.Report) string {
	var s strings.Builder
	fmt.Fprintf(&s, "*exdesk weekly digest* %s – %s\n", r.Since.Format("Jan 2"), r.Until.Format("Jan 2"))
	fmt.Fprintf(&s, "• %d exceptions opened, %d resolved, touchless %.1f%% (%d of %d)\n", r.Opened, r.Resolved, 100*r.TouchlessRate, r.Touchless, r.Resolved)
	fmt.Fprintf(&s, "• backlog %d open", r.Backlog.Open)
	for _, b := range r.Backlog.Buckets {
		fmt.Fprintf(&s, ", %s: %d", b.Key, b.Count)
	}
	s.WriteString("\n")
	for _, c := range r.CycleTime {
		fmt.Fprintf(&s, "• %s resolved in %.1fh (p50), %.1fh (p95)\n", c.Key, c.P50, c.P95)
	}
	for _, l := range r.ApprovalLatency {
		fmt.Fprintf(&s, "• %s decides in %.0f min (p50), %.0f min (p95)\n", l.Key, l.P50, l.P95)
	}
	fmt.Fprintf(&s, "• expedite spend $%.2f (%d), margin protected $%.2f (%d price corrections)\n", r.ExpediteSpend, r.Expedites, r.MarginProtected, r.PriceCorrections)
	if r.LLM.Cases > 0 {
		fmt.Fprintf(&s, "• LLM: %.0f tokens per case over %d cases\n", r.LLM.TokensPerCase, r.LLM.Cases)
	}
	return s.String()
}
