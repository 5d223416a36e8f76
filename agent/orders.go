package agent

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/exdesk/exdesk/connectors"
)

// Order ids come in every shape: SO-10042, SAP's 10-digit 0004471958,
// SO/2026/0390, NW-7815. A question's order is found by scanning it for
// tokens that could be ids and confirming each against the ERP; a pattern
// of the usual shape is a hint (its matches are tried first), never a gate.

// OrderReader is the part of the ERP that confirms an order id.
type OrderReader interface {
	Order(ctx context.Context, id string) (connectors.Order, error)
}

// OrderFinder finds the orders a question names, confirmed in the ERP.
type OrderFinder struct {
	// ERP confirms candidate ids. Required.
	ERP OrderReader
	// Hint, when set, is the shape order ids usually have (e.g.
	// `SO-\d+`): its matches are candidates even inside longer tokens, and
	// are looked up first. Tokens that do not match are still tried.
	Hint *regexp.Regexp
	// Examples are a few real order ids: people are told orders look like
	// them, and an id written without its prefix, separators or leading
	// zeros (SO100014, 100014, 4471958) is matched to their shape and
	// suggested when the ERP knows it.
	Examples []string
	// MaxLookups bounds the ERP lookups of one question (default 16).
	MaxLookups int
}

// Suggestion is an order the ERP knows whose id is close to a token of
// the question ("did you mean SO-100014?").
type Suggestion struct {
	Token   string `json:"token"`
	OrderID string `json:"order_id"`
}

// Found is what a question names.
type Found struct {
	// OrderIDs are the orders the ERP confirmed, in the order the question
	// names them, each once. A token that differs from an id only in
	// letter case counts as that id.
	OrderIDs []string `json:"order_ids"`
	// Suggestions are ids the ERP knows for tokens it does not.
	Suggestions []Suggestion `json:"suggestions,omitempty"`
	// Unknown are candidate tokens that are no order, with no suggestion.
	Unknown []string `json:"unknown,omitempty"`
	// Question and Examples are kept to explain an empty result.
	Question string   `json:"-"`
	Examples []string `json:"-"`
}

// Err explains why the question names no order the ERP knows: it wraps
// ErrUnknownOrder when the question names something that could be an id,
// ErrNoOrder otherwise. It is nil when an order was found.
func (f Found) Err() error {
	if len(f.OrderIDs) > 0 {
		return nil
	}
	looks := ""
	if len(f.Examples) > 0 {
		looks = "; orders look like " + strings.Join(f.Examples[:min(len(f.Examples), 2)], ", ")
	}
	switch {
	case len(f.Suggestions) > 0:
		var parts []string
		for _, s := range f.Suggestions {
			parts = append(parts, fmt.Sprintf("%s is not an order id; did you mean %s?", s.Token, s.OrderID))
		}
		return fmt.Errorf("%w: %s", ErrUnknownOrder, strings.Join(parts, " "))
	case len(f.Unknown) > 0:
		return fmt.Errorf("%w: %s %s not an order in the ERP%s", ErrUnknownOrder, strings.Join(f.Unknown, ", "),
			map[bool]string{true: "is", false: "are"}[len(f.Unknown) == 1], looks)
	}
	example := "its order id"
	if len(f.Examples) > 0 {
		example = "its order id, e.g. \"why is " + f.Examples[0] + " blocked?\""
	}
	return fmt.Errorf("%w: the question %q names no order; ask about one by %s", ErrNoOrder, f.Question, example)
}

// Find scans text for candidate order ids and confirms them in the ERP.
// Its error is an ERP failure other than "not found" when no order could
// be confirmed (a token an ERP refuses to look up, such as one too long for
// its keys, does not stop the others); a question that names no known
// order is an empty Found (see Found.Err).
func (f OrderFinder) Find(ctx context.Context, text string) (Found, error) {
	found := Found{Question: text, Examples: f.Examples}
	budget := f.MaxLookups
	if budget <= 0 {
		budget = 16
	}
	var failed error
	lookup := func(id string) (string, bool, error) {
		if budget <= 0 || id == "" {
			return "", false, nil
		}
		budget--
		o, err := f.ERP.Order(ctx, id)
		switch {
		case err == nil:
			if o.ID != "" {
				id = o.ID
			}
			return id, true, nil
		case errors.Is(err, connectors.ErrNotFound):
			return "", false, nil
		case ctx.Err() != nil:
			return "", false, ctx.Err()
		}
		if failed == nil {
			failed = fmt.Errorf("looking up order %s: %w", id, err)
		}
		return "", false, nil
	}
	tokens := OrderTokens(text, f.Hint)
	// Hint matches first: under the lookup budget they are the likeliest.
	if f.Hint != nil {
		slices.SortStableFunc(tokens, func(a, b string) int {
			return boolRank(f.Hint.MatchString(b)) - boolRank(f.Hint.MatchString(a))
		})
	}
	confirmed := map[string]string{}
	var missed []string
	for _, tok := range tokens {
		id, ok, err := lookup(tok)
		if err != nil {
			return found, err
		}
		if !ok && strings.ToUpper(tok) != tok {
			if id, ok, err = lookup(strings.ToUpper(tok)); err != nil {
				return found, err
			}
		}
		if ok {
			confirmed[tok] = id
		} else {
			missed = append(missed, tok)
		}
	}
	seen := map[string]bool{}
	for _, tok := range OrderTokens(text, f.Hint) { // in the question's order
		if id, ok := confirmed[tok]; ok && !seen[id] {
			seen[id] = true
			found.OrderIDs = append(found.OrderIDs, id)
		}
	}
	for _, tok := range missed {
		suggested := false
		for _, v := range variants(tok, f.Examples) {
			id, ok, err := lookup(v)
			if err != nil {
				return found, err
			}
			if ok && !seen[id] {
				found.Suggestions = append(found.Suggestions, Suggestion{Token: tok, OrderID: id})
				suggested = true
				break
			}
		}
		if !suggested && looksLikeID(tok, f.Hint, f.Examples) {
			found.Unknown = append(found.Unknown, tok)
		}
	}
	if failed != nil && len(found.OrderIDs) == 0 && len(found.Suggestions) == 0 {
		return found, failed
	}
	return found, nil
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// maxTokenLen bounds a candidate token: no order id is longer.
const maxTokenLen = 40

// OrderTokens returns the tokens of text that could be order ids, each
// once, in the order they appear: words with at least one digit, stripped
// of the punctuation around them and of a possessive 's, that are not a
// date, a time, an amount or a percentage, nor a bare number under three
// digits; and every match of hint, also inside a longer token.
func OrderTokens(text string, hint *regexp.Regexp) []string {
	var out []string
	seen := map[string]bool{}
	add := func(tok string) {
		if tok != "" && !seen[tok] && utf8.RuneCountInString(tok) <= maxTokenLen {
			seen[tok] = true
			out = append(out, tok)
		}
	}
	type span struct {
		at  int
		tok string
	}
	var spans []span
	if hint != nil {
		for _, m := range hint.FindAllStringIndex(text, 32) {
			if m[1] > m[0] {
				spans = append(spans, span{m[0], strings.TrimSpace(text[m[0]:m[1]])})
			}
		}
	}
	at := 0
	for _, field := range strings.FieldsFunc(text, separates) {
		i := strings.Index(text[at:], field)
		if i >= 0 {
			at += i
		}
		if tok := trimToken(field); candidate(tok, hint) {
			spans = append(spans, span{at, tok})
		}
		at += len(field)
	}
	slices.SortStableFunc(spans, func(a, b span) int { return a.at - b.at })
	for _, s := range spans {
		add(s.tok)
	}
	return out
}

// separates reports the runes that never belong to an order id.
func separates(r rune) bool {
	if unicode.IsSpace(r) {
		return true
	}
	switch r {
	case ',', ';', '?', '!', '"', '(', ')', '[', ']', '{', '}', '<', '>', '`', '*', '|', '“', '”', '‘', '«', '»':
		return true
	}
	return false
}

// trimToken strips what surrounds an id in a sentence: trailing full
// stops and colons, quotes, a possessive 's, a leading #.
func trimToken(s string) string {
	for {
		before := s
		for _, suffix := range []string{"'s", "’s", "'S"} {
			s = strings.TrimSuffix(s, suffix)
		}
		s = strings.TrimRight(s, ".:'’-/")
		s = strings.TrimLeft(s, "#'’.:-/")
		if s == before {
			return s
		}
	}
}

var (
	datePattern   = regexp.MustCompile(`^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}/\d{1,2}/\d{1,2})$`)
	timePattern   = regexp.MustCompile(`^\d{1,2}:\d{2}(:\d{2})?([ap]m)?$`)
	amountPattern = regexp.MustCompile(`^[$€£¥]|^\d[\d,]*\.\d{2}$|%$|^\d+(st|nd|rd|th|h|d|pm|am)$`)
)

// candidate reports whether a token could be an order id.
func candidate(tok string, hint *regexp.Regexp) bool {
	if tok == "" || !strings.ContainsFunc(tok, unicode.IsDigit) || strings.HasPrefix(tok, "@") || strings.Contains(tok, "://") {
		return false
	}
	if hint != nil && hint.MatchString(tok) {
		return true
	}
	if datePattern.MatchString(tok) || timePattern.MatchString(strings.ToLower(tok)) || amountPattern.MatchString(strings.ToLower(tok)) {
		return false
	}
	digitsOnly := !strings.ContainsFunc(tok, func(r rune) bool { return !unicode.IsDigit(r) })
	return !(digitsOnly && len(tok) < 3)
}

// looksLikeID reports whether a token the ERP does not know was meant as
// an order id: it matches the hint, has the shape of an example, or mixes
// letters and digits the way ids do. A bare number does not.
func looksLikeID(tok string, hint *regexp.Regexp, examples []string) bool {
	if hint != nil && hint.MatchString(tok) {
		return true
	}
	for _, e := range examples {
		if shapeOf(e) == shapeOf(tok) {
			return true
		}
	}
	return strings.ContainsFunc(tok, unicode.IsLetter) || strings.ContainsAny(tok, "-/_.")
}

// run is a part of an id's shape: letters, digits or a separator.
type run struct {
	kind byte // 'L' letters, 'D' digits, 'S' separator
	text string
}

func runsOf(s string) []run {
	var out []run
	for _, r := range s {
		k := byte('S')
		switch {
		case unicode.IsLetter(r):
			k = 'L'
		case unicode.IsDigit(r):
			k = 'D'
		}
		if n := len(out); n > 0 && out[n-1].kind == k {
			out[n-1].text += string(r)
			continue
		}
		out = append(out, run{k, string(r)})
	}
	return out
}

// shapeOf is an id's shape: letters upper-cased, each digit a #, e.g.
// SO-100014 → SO-######.
func shapeOf(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if unicode.IsDigit(r) {
			b.WriteByte('#')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// maxVariants bounds the ids tried for one token.
const maxVariants = 3

// variants are the ids a token could have been meant as, written in the
// shape of the examples: their prefix and separators, the token's digits
// (grouped as the example groups them) and, for ids with leading zeros,
// the zeros.
func variants(tok string, examples []string) []string {
	var out []string
	seenShape := map[string]bool{}
	tr := runsOf(tok)
	var letters, digits string
	var groups []string
	for _, r := range tr {
		switch r.kind {
		case 'L':
			letters += strings.ToUpper(r.text)
		case 'D':
			digits += r.text
			groups = append(groups, r.text)
		}
	}
	if digits == "" {
		return nil
	}
	for _, e := range examples {
		if len(out) >= maxVariants {
			break
		}
		sh := shapeOf(e)
		if seenShape[sh] {
			continue
		}
		seenShape[sh] = true
		er := runsOf(e)
		var eLetters string
		var sizes []int
		for _, r := range er {
			switch r.kind {
			case 'L':
				eLetters += strings.ToUpper(r.text)
			case 'D':
				sizes = append(sizes, len(r.text))
			}
		}
		if letters != "" && letters != eLetters {
			continue
		}
		var fill []string
		switch {
		case len(sizes) == 1:
			d := digits
			first := er[slices.IndexFunc(er, func(r run) bool { return r.kind == 'D' })].text
			if len(d) < sizes[0] && strings.HasPrefix(first, "0") {
				d = strings.Repeat("0", sizes[0]-len(d)) + d
			}
			fill = []string{d}
		case len(groups) == len(sizes):
			fill = groups
		case len(digits) == sum(sizes):
			rest := digits
			for _, n := range sizes {
				fill = append(fill, rest[:n])
				rest = rest[n:]
			}
		default:
			continue
		}
		var b strings.Builder
		i := 0
		for _, r := range er {
			switch r.kind {
			case 'D':
				b.WriteString(fill[i])
				i++
			default:
				b.WriteString(r.text)
			}
		}
		if v := b.String(); v != tok && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func sum(ns []int) int {
	t := 0
	for _, n := range ns {
		t += n
	}
	return t
}
