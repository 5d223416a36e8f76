package main

import "testing"

func TestFromMrkdwn(t *testing.T) {
	color := style{color: true}
	tests := []struct {
		name string
		st   style
		in   string
		want string
	}{
		{name: "bold and italic markers go", in: "*1. Release the hold*\n_needs approval by a finance supervisor_ — over $2,500.00",
			want: "1. Release the hold\nneeds approval by a finance supervisor — over $2,500.00"},
		{name: "an underscore inside a word stays", in: "rule credit.release.auto for finance_supervisor", want: "rule credit.release.auto for finance_supervisor"},
		{name: "escapes and look-alikes undone", in: "a &lt;b&gt; &amp; \u2217c\u2217 \u02cdd\u02cd \u200b&gt; e", want: "a <b> & *c* _d_ > e"},
		{name: "code spans", in: "case `case-SO-1-credit_hold` · policy", want: "case case-SO-1-credit_hold · policy"},
		{name: "emoji become symbols", in: ":no_entry: Blocked by policy :unknown_one:", want: "⊘ Blocked by policy :unknown_one:"},
		{name: "mentions", in: "Rejected by <@U123> for <!subteam^S9>, see <https://x.example|the doc>", want: "Rejected by @U123 for @S9, see the doc (https://x.example)"},
		{name: "outcomes coloured", st: color, in: "_auto_ / _blocked_ / _needs approval by a planner_",
			want: "\x1b[32mauto\x1b[0m / \x1b[31mblocked\x1b[0m / \x1b[33mneeds approval by a planner\x1b[0m"},
		{name: "status symbols coloured", st: color, in: ":white_check_mark: done", want: "\x1b[32m✓\x1b[0m done"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fromMrkdwn(tt.in, tt.st); got != tt.want {
				t.Errorf("fromMrkdwn(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
