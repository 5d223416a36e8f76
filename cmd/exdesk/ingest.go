package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/ingest"
	"github.com/exdesk/exdesk/ingest/x12"
)

// maxBadShown bounds the bad lines printed.
const maxBadShown = 20

func ingestCmd(e *env) *cobra.Command {
	c, fs := newCommand(e, "ingest", "ingest [flags] FILE.jsonl",
		`Backfills source-system events from a JSON Lines file (one event a line; "-"
reads stdin) into the ingest stream on REDIS_URL, for "exdesk serve" or
"exdesk worker" replicas to process. Every line is validated first: a bad line
is reported with its line number and field, and nothing of the file is
published unless --skip-bad is given. Event ids seen before are accepted and
not published again, so a backfill can be re-run safely.

An event: {"id":"EV-1","source":"erp","type":"hold_placed","order_id":"SO-10042",
"at":"2026-11-26T09:30:00Z","data":{...}}. Sources: erp, wms, tms, edi.

With --format x12 the file is one X12 interchange (214, 856, 855; any
separators the ISA declares): a malformed interchange is reported with the
segment number and element and nothing is published; transaction sets that
cannot be mapped are reported and skipped, the others published.`,
		`  exdesk ingest events.jsonl
  exdesk ingest --skip-bad --quiet backfill-2026-11.jsonl
  zcat events.jsonl.gz | exdesk ingest -
  exdesk ingest --format x12 carrier-214.edi
  exdesk ingest --format x12 --direction inbound supplier-asn.edi`)
	format := fs.String("format", "jsonl", "input format: jsonl (exdesk events, one a line) or x12 (one interchange)")
	direction := fs.String("direction", "", "with --format x12: 856 ship notices are outbound (default) or inbound (supplier ASNs)")
	skipBad := fs.Bool("skip-bad", false, "publish the good lines even when some are bad (bad ones are reported)")
	quiet := fs.Bool("quiet", false, "no progress bar")
	stream := fs.String("stream", e.cfg.Stream, "the ingest stream (EXDESK_STREAM)")
	c.RunE = runE(func(ctx context.Context, args []string) int {
		if len(args) != 1 {
			fmt.Fprintln(e.stderr, "exdesk ingest: give one FILE.jsonl (or - for stdin); see exdesk ingest --help")
			return exitUsage
		}
		in, closeIn, err := openInput(e, args[0])
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk ingest: %v\n", err)
			return exitUsage
		}
		defer closeIn()
		var (
			events []connectors.Event
			bad    []string
		)
		switch *format {
		case "jsonl":
			events, bad, err = readJSONL(in)
		case "x12":
			var code int
			if events, code = readX12(e, in, args[0], *direction); code != exitOK {
				return code
			}
		default:
			fmt.Fprintf(e.stderr, "exdesk ingest: --format %q: use jsonl or x12\n", *format)
			return exitUsage
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk ingest: reading %s: %v\n", args[0], err)
			return exitHarness
		}
		for i, b := range bad {
			if i == maxBadShown {
				fmt.Fprintf(e.stderr, "… and %d more bad lines\n", len(bad)-maxBadShown)
				break
			}
			fmt.Fprintln(e.stderr, b)
		}
		if len(bad) > 0 && !*skipBad {
			fmt.Fprintf(e.stderr, "exdesk ingest: %d bad lines in %s; nothing published (fix them, or use --skip-bad)\n", len(bad), args[0])
			return exitFailed
		}
		if len(events) == 0 {
			fmt.Fprintln(e.stderr, "exdesk ingest: no events to publish")
			return exitFailed
		}
		rdb, err := ingestRedis(ctx, e)
		if err != nil {
			fmt.Fprintf(e.stderr, "exdesk ingest: %v\n", err)
			return exitHarness
		}
		defer func() { _ = rdb.Close() }()
		pub := ingest.NewPublisher(rdb, ingest.PublisherOptions{Names: ingest.Names{Stream: *stream}})
		var bar *progress
		if !*quiet {
			bar = newProgress(e, e.stderr, "ingest")
		}
		const chunk = 2000
		total := ingest.Result{}
		for start := 0; start < len(events); start += chunk {
			res, err := pub.Publish(ctx, events[start:min(start+chunk, len(events))])
			total.Accepted += res.Accepted
			total.Duplicates = append(total.Duplicates, res.Duplicates...)
			if err != nil {
				bar.finish()
				fmt.Fprintf(e.stderr, "exdesk ingest: %v (published %d of %d; re-run to publish the rest, ids already published are skipped)\n",
					err, total.Accepted+len(total.Duplicates), len(events))
				return exitHarness
			}
			bar.set(min(start+chunk, len(events)), len(events))
		}
		bar.finish()
		fmt.Fprintf(e.stdout, "published %d events to %s (%d duplicates not published again, %d bad lines skipped)\n",
			total.Accepted, *stream, len(total.Duplicates), len(bad))
		return exitOK
	})
	return c
}

func openInput(e *env, name string) (io.Reader, func(), error) {
	if name == "-" {
		return e.stdin, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { _ = f.Close() }, nil
}

// maxX12File bounds an interchange read from a file.
const maxX12File = 64 << 20

// readX12 reads one interchange and maps it; it reports a malformed
// interchange (exitFailed, nothing to publish) and the sets it skips.
func readX12(e *env, in io.Reader, name, direction string) ([]connectors.Event, int) {
	data, err := io.ReadAll(io.LimitReader(in, maxX12File+1))
	if err != nil {
		fmt.Fprintf(e.stderr, "exdesk ingest: reading %s: %v\n", name, err)
		return nil, exitHarness
	}
	if len(data) > maxX12File {
		fmt.Fprintf(e.stderr, "exdesk ingest: %s is larger than %d bytes; split the interchanges\n", name, maxX12File)
		return nil, exitFailed
	}
	o := x12Options(e, slog.New(slog.NewTextHandler(e.stderr, nil)))
	switch direction {
	case "", x12.Outbound, x12.Inbound:
		o.Direction = direction
	default:
		fmt.Fprintf(e.stderr, "exdesk ingest: --direction %q: use inbound or outbound\n", direction)
		return nil, exitUsage
	}
	batch, err := ingest.X12Events(data, o)
	if err != nil {
		fmt.Fprintf(e.stderr, "exdesk ingest: %s: %v; nothing published\n", name, err)
		return nil, exitFailed
	}
	for _, s := range batch.Skipped {
		fmt.Fprintf(e.stderr, "skipped transaction set %s %s (group %s, segment %d): %s\n", s.Type, s.Set, s.Group, s.Segment, s.Reason)
	}
	return batch.Events, exitOK
}

// readJSONL parses one event a line. Blank lines are skipped; each bad
// line is reported as "line N: field: problem".
func readJSONL(r io.Reader) ([]connectors.Event, []string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), ingest.MaxBodyBytes)
	var events []connectors.Event
	var bad []string
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		ev, err := ingest.ParseEvent(line)
		if err != nil {
			var v *ingest.ValidationError
			if !errors.As(err, &v) {
				return nil, nil, err
			}
			for _, p := range v.Problems {
				p.Where = ""
				bad = append(bad, fmt.Sprintf("line %d: %s", n, p.Error()))
			}
			continue
		}
		events = append(events, ev)
	}
	return events, bad, sc.Err()
}

// ingestRedis connects to REDIS_URL, which the commands that talk to
// other replicas need (an in-process server would be this process's alone).
func ingestRedis(ctx context.Context, e *env) (*redis.Client, error) {
	u := e.cfg.RedisURL
	if u == "" {
		return nil, errors.New("REDIS_URL is not set: this command shares the ingest stream with exdesk serve/worker replicas through Redis (scripts/services.sh start; export $(scripts/services.sh env))")
	}
	opt, err := redis.ParseURL(u)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	c := redis.NewClient(opt)
	if err := c.Ping(ctx).Err(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("redis %s: %w", opt.Addr, err)
	}
	return c, nil
}
