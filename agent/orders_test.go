package agent_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/evals"
	"github.com/exdesk/exdesk/policy"
)

// erp knows a set of order ids and counts its lookups.
type erp struct {
	ids     []string
	lookups int
	fail    error
}

func (e *erp) Order(_ context.Context, id string) (connectors.Order, error) {
	e.lookups++
	if e.fail != nil {
		return connectors.Order{}, e.fail
	}
	if slices.Contains(e.ids, id) {
		return connectors.Order{ID: id}, nil
	}
	return connectors.Order{}, connectors.NotFound("order", id)
}

func TestOrderFinderShapes(t *testing.T) {
	known := []string{"SO-100014", "SO-100031", "0004471958", "0004472011", "SO/2026/0390", "NW-7815", "SO-10042"}
	tests := []struct {
		name     string
		examples []string
		hint     string
		text     string
		want     []string
		suggest  []agent.Suggestion
		err      error // of Found.Err
	}{
		{name: "dash and digits", text: "why is SO-100014 blocked?", want: []string{"SO-100014"}},
		{name: "SAP's ten digits", text: "status of 0004471958 please", want: []string{"0004471958"}},
		{name: "slashes", text: "Why is SO/2026/0390 on hold?", want: []string{"SO/2026/0390"}},
		{name: "another prefix", text: "NW-7815: late?", want: []string{"NW-7815"}},
		{name: "possessive and quotes", text: `is "NW-7815"'s carrier ok? and (0004472011).`, want: []string{"NW-7815", "0004472011"}},
		{name: "letter case", text: "what about so-100031", want: []string{"SO-100031"}},
		{name: "several, in the order asked", text: "compare SO-100031, 0004471958 and SO-100014; also SO-100031 again",
			want: []string{"SO-100031", "0004471958", "SO-100014"}},
		{name: "dates, times, amounts and small numbers are not ids",
			text: "did 2026-05-14 at 10:30 cost $356.80 or 12% on line 3?", err: agent.ErrNoOrder},
		{name: "no order at all", text: "what is blocked today?", err: agent.ErrNoOrder},
		{name: "unknown id", text: "why is SO-424242 blocked?", err: agent.ErrUnknownOrder},
		{name: "no separator", examples: []string{"SO-100001", "SO-100300"}, text: "SO100014 status?",
			suggest: []agent.Suggestion{{"SO100014", "SO-100014"}}, err: agent.ErrUnknownOrder},
		{name: "no prefix", examples: []string{"SO-100001"}, text: "what about 100014",
			suggest: []agent.Suggestion{{"100014", "SO-100014"}}, err: agent.ErrUnknownOrder},
		{name: "no leading zeros", examples: []string{"0004470001"}, text: "why is 4471958 late?",
			suggest: []agent.Suggestion{{"4471958", "0004471958"}}, err: agent.ErrUnknownOrder},
		{name: "other separators", examples: []string{"SO/2026/0001"}, text: "and SO-2026-0390?",
			suggest: []agent.Suggestion{{"SO-2026-0390", "SO/2026/0390"}}, err: agent.ErrUnknownOrder},
		{name: "no separators at all", examples: []string{"SO/2026/0001"}, text: "and so20260390?",
			suggest: []agent.Suggestion{{"so20260390", "SO/2026/0390"}}, err: agent.ErrUnknownOrder},
		{name: "found and suggested", examples: []string{"SO-100001"}, text: "SO-100031 and SO100014",
			want: []string{"SO-100031"}, suggest: []agent.Suggestion{{"SO100014", "SO-100014"}}},
		{name: "a hint finds ids inside other text", hint: `SO-\d+`, text: "see https://erp.example.com/orders/SO-100014",
			want: []string{"SO-100014"}},
		{name: "a hint is not a gate", hint: `SO-\d{6}`, text: "why is NW-7815 late?", want: []string{"NW-7815"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := agent.OrderFinder{ERP: &erp{ids: known}, Examples: tt.examples}
			if tt.hint != "" {
				f.Hint = regexp.MustCompile(tt.hint)
			}
			got, err := f.Find(context.Background(), tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.OrderIDs, tt.want) {
				t.Errorf("orders = %q, want %q", got.OrderIDs, tt.want)
			}
			if !slices.Equal(got.Suggestions, tt.suggest) {
				t.Errorf("suggestions = %v, want %v", got.Suggestions, tt.suggest)
			}
			if gerr := got.Err(); !errors.Is(gerr, tt.err) || (tt.err == nil) != (gerr == nil) {
				t.Errorf("Err() = %v, want %v", gerr, tt.err)
			}
		})
	}
}

func TestOrderFinderExplains(t *testing.T) {
	f := agent.OrderFinder{ERP: &erp{ids: []string{"0004471958"}}, Examples: []string{"0004470001", "0004479999"}}
	got, _ := f.Find(context.Background(), "why is SO-100014 blocked?")
	if err := got.Err(); err == nil || !strings.Contains(err.Error(), "orders look like 0004470001, 0004479999") {
		t.Errorf("the hint is not built from real ids: %v", err)
	}
	got, _ = f.Find(context.Background(), "anything blocked?")
	if err := got.Err(); err == nil || !strings.Contains(err.Error(), `"why is 0004470001 blocked?"`) {
		t.Errorf("the example is not a real id: %v", err)
	}
}

func TestOrderFinderBoundsAndErrors(t *testing.T) {
	e := &erp{}
	f := agent.OrderFinder{ERP: e, MaxLookups: 4}
	_, _ = f.Find(context.Background(), strings.Repeat("X-123 Y-456 Z-789 ", 20)+"A1B2C3 D4E5F6")
	if e.lookups > 4 {
		t.Errorf("%d lookups, want at most 4", e.lookups)
	}
	// An ERP that refuses one token (a key too long for it) still answers
	// for the others.
	picky := &pickyERP{erp: erp{ids: []string{"0004471958"}}}
	got, err := agent.OrderFinder{ERP: picky}.Find(context.Background(), "SO-2026-0390-LONGKEY or 0004471958?")
	if err != nil || !slices.Equal(got.OrderIDs, []string{"0004471958"}) {
		t.Errorf("a refused token stopped the others: %v, %v", got.OrderIDs, err)
	}
	down := errors.New("ERP unavailable")
	_, err = agent.OrderFinder{ERP: &erp{fail: down}}.Find(context.Background(), "why is SO-1 late?")
	if !errors.Is(err, down) {
		t.Errorf("an ERP failure is an error, not \"no order\": %v", err)
	}
}

func TestOrderTokens(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"why is SO-10042 blocked?", []string{"SO-10042"}},
		{"SO/2026/0390, NW-7815; 0004471958.", []string{"SO/2026/0390", "NW-7815", "0004471958"}},
		{"SO-1's and #SO-2: done", []string{"SO-1", "SO-2"}},
		{"on 2026-05-14 at 9:30am for $1,200.00 (15%) x 3", nil},
		{"<@U0123> SO-5", []string{"SO-5"}},
		{"ship 48h 3rd", nil},
	}
	for _, tt := range tests {
		if got := agent.OrderTokens(tt.text, nil); !slices.Equal(got, tt.want) {
			t.Errorf("OrderTokens(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// FuzzOrderTokens: the scanner of questions people type never panics, and
// every token it returns is a substring of the question, has a digit, no
// space, and at most 40 runes.
func FuzzOrderTokens(f *testing.F) {
	for _, s := range []string{"why is SO-10042 blocked?", "SO/2026/0390 and 0004471958", "NW-7815's carrier", "", "é1\u00a02", "'s'S--//..", "<@U1|x> https://a/SO-1"} {
		f.Add(s)
	}
	hint := regexp.MustCompile(`SO-\d+`)
	f.Fuzz(func(t *testing.T, text string) {
		for _, h := range []*regexp.Regexp{nil, hint} {
			for _, tok := range agent.OrderTokens(text, h) {
				if !strings.Contains(text, tok) {
					t.Fatalf("token %q is not in %q", tok, text)
				}
				if tok == "" || strings.ContainsFunc(tok, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' }) {
					t.Fatalf("token %q of %q is empty or has a space", tok, text)
				}
				if !strings.ContainsFunc(tok, unicode.IsDigit) {
					t.Fatalf("token %q of %q has no digit", tok, text)
				}
				if len([]rune(tok)) > 40 {
					t.Fatalf("token %q is too long", tok)
				}
			}
		}
	})
}

// The Investigator finds a question's order of any shape in the ERP, takes
// an explicit id that differs only in letter case, and says what an id
// written another way may have meant.
func TestInvestigatorFindsOrdersOfEveryShape(t *testing.T) {
	ls, err := evals.LoadDir("../evals/cases")
	if err != nil {
		t.Fatal(err)
	}
	shapes := map[string]*regexp.Regexp{"SAP": regexp.MustCompile(`^\d{10}$`), "slashes": regexp.MustCompile(`^SO/\d{4}/\d{4}$`), "NW": regexp.MustCompile(`^NW-\d+$`)}
	tried := map[string]bool{}
	engine, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		id := l.Case.Trigger.OrderID
		for name, re := range shapes {
			if tried[name] || !re.MatchString(id) {
				continue
			}
			tried[name] = true
			conn := recorded.New(l.Case.Snapshot)
			sys := conn.Systems()
			inv := &agent.Investigator{Planner: agent.Playbook{}, Systems: sys, Guard: policy.NewGuard(engine, sys)}
			ctx := context.Background()
			c, err := inv.Investigate(ctx, agent.Trigger{Type: agent.TriggerQuestion, Question: "what's going on with " + id + "?"})
			if err != nil || c.OrderID != id {
				t.Errorf("%s: question about %s: %v", name, id, err)
			}
			if c, err := inv.Investigate(ctx, agent.Trigger{Type: agent.TriggerEvent, Event: "order_changed", OrderID: strings.ToLower(id)}); err != nil || c.OrderID != id {
				t.Errorf("%s: explicit %s in lower case: %v", name, strings.ToLower(id), err)
			}
			squeezed := strings.NewReplacer("-", "", "/", "").Replace(id)
			if squeezed == id {
				squeezed = strings.TrimLeft(id, "0")
			}
			_, err = inv.Investigate(ctx, agent.Trigger{Type: agent.TriggerQuestion, Question: "why is " + squeezed + " late?"})
			if !errors.Is(err, agent.ErrUnknownOrder) || !strings.Contains(err.Error(), "did you mean "+id+"?") {
				t.Errorf("%s: %s written as %s: %v", name, id, squeezed, err)
			}
		}
	}
	if len(tried) != len(shapes) {
		t.Errorf("the corpus has orders of shapes %v only", tried)
	}
}

// pickyERP refuses ids longer than SAP's 10-character sales order keys.
type pickyERP struct{ erp }

func (p *pickyERP) Order(ctx context.Context, id string) (connectors.Order, error) {
	if len(id) > 10 {
		return connectors.Order{}, errors.New("400 Bad Request: key too long")
	}
	return p.erp.Order(ctx, id)
}
