package llm

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Redaction placeholders.
const (
	RedactedEmail = "[email]"
	RedactedPhone = "[phone]"
)

var (
	// emailRE: a local part of letters (any script), digits, marks and
	// ._%+-, then a domain of such labels ending in a letter-only label of
	// two or more (IDN domains and TLDs included), or a bracketed address
	// literal (alice@[192.168.1.1], bob@[IPv6:2001:db8::1]).
	emailRE = regexp.MustCompile(`[\p{L}\p{N}\p{M}._%+\-]+@(?:(?:[\p{L}\p{N}\p{M}\-]+\.)+[\p{L}\p{M}]{2,}|\[(?:IPv6:)?[0-9A-Fa-f:.]+\])`)
	// phoneRE finds candidates in normalised text (see normalise): an
	// optional +country code, an optional group in parentheses, digit
	// groups joined by one separator each, and an optional extension.
	// isPhoneShape then decides which run of groups, if any, is a phone
	// number.
	phoneRE = regexp.MustCompile(`(?:\+\d{1,3}[ .\-/]?)?(?:\(\d{1,5}\)[ .\-/]?)?\d{1,15}(?:[ .\-/]\d{1,15}){0,7}(?:[ ]?(?:x|ext\.?|extension)[ ]?\d{1,6})?`)
	extRE   = regexp.MustCompile(`[ ]?(?:x|ext\.?|extension)[ ]?\d{1,6}$`)
)

// Redactor replaces email addresses and phone numbers in text sent to a
// model. The zero value is ready to use; it holds no state.
type Redactor struct{}

// Redact returns s with emails replaced by [email] and phone numbers by
// [phone]. Phone numbers are recognised in the shapes people write them
// (555-123-4567, (555) 123-4567, 1-800-555-0199, 5551234567,
// +44 20 7946 0958, 01511 2345678, 0151/2345678, with en dashes, slashes,
// fullwidth digits or an extension); dates, times, amounts, quantities,
// postal codes and ids (SO-100014, 0004472011, SO/2026/0390, UN1993) are
// left alone. Redact is meant for plain text: for JSON use RedactJSON,
// which redacts the decoded strings and so keeps the document valid.
// Redact is idempotent.
func (Redactor) Redact(s string) string {
	if strings.IndexByte(s, '@') >= 0 {
		s = emailRE.ReplaceAllString(s, RedactedEmail)
	}
	return redactPhones(s)
}

// RedactJSON redacts every string value of the JSON document raw, decoded,
// and encodes the ones that changed again: the result is valid JSON
// whenever raw is. Object keys, numbers and the layout are kept byte for
// byte, so a document with nothing to redact comes back unchanged. Input
// that is not valid JSON is redacted as text.
func (r Redactor) RedactJSON(raw string) string {
	if !json.Valid([]byte(raw)) {
		return r.Redact(raw)
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(raw); {
		if raw[i] != '"' {
			i++
			continue
		}
		j := stringEnd(raw, i)
		if !isKey(raw, j) {
			var s string
			if err := json.Unmarshal([]byte(raw[i:j]), &s); err == nil {
				if red := r.Redact(s); red != s {
					enc, err := json.Marshal(red)
					if err == nil {
						b.WriteString(raw[last:i])
						b.Write(enc)
						last = j
					}
				}
			}
		}
		i = j
	}
	if last == 0 {
		return raw
	}
	b.WriteString(raw[last:])
	return b.String()
}

// stringEnd returns the index just past the JSON string literal that
// starts at raw[i] (a quote), in a valid document.
func stringEnd(raw string, i int) int {
	for j := i + 1; j < len(raw); j++ {
		switch raw[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(raw)
}

// isKey reports whether the string literal ending before raw[j] is an
// object key: the next non-space byte is a colon.
func isKey(raw string, j int) bool {
	for ; j < len(raw); j++ {
		switch raw[j] {
		case ' ', '\t', '\n', '\r':
			continue
		case ':':
			return true
		}
		return false
	}
	return false
}

// normalised is text with the characters that can write a phone number
// mapped to ASCII (fullwidth digits and signs, dashes, unusual spaces),
// and where each of its bytes came from in the original.
type normalised struct {
	text       string
	start, end []int // original byte span of each normalised byte
}

func normalise(s string) normalised {
	var b strings.Builder
	n := normalised{start: make([]int, 0, len(s)), end: make([]int, 0, len(s))}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		c, ok := asciiOf(r)
		if !ok || size == 1 {
			// Keep the bytes as they are: the patterns only look at ASCII.
			for k := range size {
				b.WriteByte(s[i+k])
				n.start, n.end = append(n.start, i), append(n.end, i+size)
			}
		} else {
			b.WriteByte(c)
			n.start, n.end = append(n.start, i), append(n.end, i+size)
		}
		i += size
	}
	n.text = b.String()
	return n
}

// asciiOf maps the non-ASCII characters a phone number may be written
// with onto ASCII.
func asciiOf(r rune) (byte, bool) {
	switch {
	case r < utf8.RuneSelf:
		return byte(r), true
	case r >= '０' && r <= '９':
		return byte('0' + r - '０'), true
	case r >= 0x2010 && r <= 0x2015, r == 0x2212, r == 0xFF0D, r == 0xFE63:
		return '-', true // hyphens, en and em dashes, minus
	case r == 0x00A0, r == 0x2007, r == 0x202F, r == 0x3000, r == 0x2009:
		return ' ', true // non-breaking, figure, thin and ideographic spaces
	case r == 0xFF0B:
		return '+', true
	case r == 0xFF08:
		return '(', true
	case r == 0xFF09:
		return ')', true
	case r == 0xFF0F:
		return '/', true
	case r == 0xFF0E:
		return '.', true
	}
	return 0, false
}

func redactPhones(s string) string {
	if !hasDigit(s) {
		return s
	}
	n := normalise(s)
	locs := phoneRE.FindAllStringIndex(n.text, -1)
	var b strings.Builder
	last := 0 // in s
	for _, l := range locs {
		for _, span := range phoneSpans(n.text, l[0], l[1]) {
			from, to := n.start[span[0]], n.end[span[1]-1]
			b.WriteString(s[last:from])
			b.WriteString(RedactedPhone)
			last = to
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	// Fullwidth digits start with the byte 0xEF.
	return strings.IndexByte(s, 0xEF) >= 0
}

// group is one run of digits in a candidate, with the byte before it.
type group struct {
	from, to int  // in the normalised text
	sep      byte // the separator before it (0 for the first)
	paren    bool // written in parentheses
}

// phoneSpans returns the spans of t[i:j] (a phoneRE match) that are phone
// numbers: the longest run of its digit groups that has a phone's shape
// and stands on its own, then the same on what follows it.
func phoneSpans(t string, i, j int) [][2]int {
	ext := 0
	if loc := extRE.FindStringIndex(t[i:j]); loc != nil {
		ext = j - (i + loc[0])
	}
	plus := t[i] == '+'
	var gs []group
	for k := i; k < j-ext; {
		if !isDigit(t[k]) {
			k++
			continue
		}
		g := group{from: k}
		for k < j-ext && isDigit(t[k]) {
			k++
		}
		g.to = k
		if g.from > i {
			g.sep = t[g.from-1]
			g.paren = g.sep == '('
		}
		gs = append(gs, g)
	}
	var out [][2]int
	for a := 0; a < len(gs); {
		found := false
		for b := len(gs); b > a; b-- {
			withPlus := plus && a == 0
			from, to := gs[a].from, gs[b-1].to
			if withPlus {
				from = i
			} else if gs[a].paren {
				from--
			}
			if b == len(gs) && ext > 0 {
				to = j
			}
			if a > 0 && gs[a].sep != ' ' && !gs[a].paren {
				continue // glued to the digits before it
			}
			if !isPhoneShape(t, gs[a:b], withPlus) || !standsAlone(t, from, to) {
				continue
			}
			out = append(out, [2]int{from, to})
			a, found = b, true
			break
		}
		if !found {
			a++
		}
	}
	return out
}

// isPhoneShape reports whether the digit groups are written the way a
// phone number is.
func isPhoneShape(t string, gs []group, plus bool) bool {
	n, longest := 0, 0
	lens := make([]int, len(gs))
	for k, g := range gs {
		lens[k] = g.to - g.from
		n += lens[k]
		longest = max(longest, lens[k])
	}
	first := t[gs[0].from:gs[0].to]
	switch {
	case plus:
		return n >= 8 && n <= 15
	case hasDate(t, gs):
		return false
	case gs[0].paren || len(gs) > 1 && gs[1].paren && first == "1":
		return n >= 9 && n <= 12 && longest <= 8
	case len(gs) == 1:
		// A bare run: a North American number (area code 2-9), with or
		// without its leading 1. Ids with leading zeros stay.
		return n == 10 && first[0] >= '2' || n == 11 && first[0] == '1' && first[1] >= '2'
	case sameLens(lens, 3, 3, 4):
		return first[0] >= '2'
	case sameLens(lens, 1, 3, 3, 4):
		return first == "1"
	case strings.HasPrefix(first, "00"):
		// International prefix written with 00.
		return n >= 11 && n <= 15 && longest <= 8
	case first[0] == '0':
		// A national number with its trunk 0: 01511 2345678,
		// 020 7946 0958, 0151/2345678, 06 12 34 56 78.
		return lens[0] >= 2 && lens[0] <= 5 && n >= 10 && n <= 12 && longest <= 8 && minLen(lens[1:]) >= 2
	}
	return false
}

func sameLens(lens []int, want ...int) bool {
	if len(lens) != len(want) {
		return false
	}
	for k := range want {
		if lens[k] != want[k] {
			return false
		}
	}
	return true
}

func minLen(lens []int) int {
	m := 1 << 30
	for _, l := range lens {
		m = min(m, l)
	}
	return m
}

// hasDate reports whether three consecutive groups read as a date
// (2026-05-14, 14/05/2026, 14.05.2026) with one separator twice.
func hasDate(t string, gs []group) bool {
	for k := 0; k+2 < len(gs); k++ {
		a, b, c := gs[k].to-gs[k].from, gs[k+1].to-gs[k+1].from, gs[k+2].to-gs[k+2].from
		s1, s2 := gs[k+1].sep, gs[k+2].sep
		if s1 != s2 || s1 == ' ' {
			continue
		}
		if a == 4 && b <= 2 && c <= 2 || a <= 2 && b <= 2 && c == 4 {
			return true
		}
	}
	return false
}

// standsAlone rejects a span glued to letters, digits or id punctuation
// on either side: part of an id (SO-100014, SO/2026/0390), a decimal, a
// time (10:30) or a longer number.
func standsAlone(t string, from, to int) bool {
	if from > 0 {
		c := t[from-1]
		if isAlnum(c) || c == '+' || c == ':' || c == '#' {
			return false
		}
		if (c == '-' || c == '.' || c == '/') && (from < 2 || isAlnum(t[from-2]) || t[from-2] == '-' || t[from-2] == '/') {
			return false
		}
		if c >= utf8.RuneSelf && precededByLetter(t[:from]) {
			return false
		}
	}
	if to < len(t) {
		c := t[to]
		if isAlnum(c) || c == '-' || c == '/' || c == '@' {
			return false
		}
		if (c == '.' || c == ':' || c == ',') && to+1 < len(t) && isDigit(t[to+1]) {
			return false
		}
		if c >= utf8.RuneSelf && followedByLetter(t[to:]) {
			return false
		}
	}
	return true
}

func precededByLetter(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return isLetterRune(r)
}

func followedByLetter(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isLetterRune(r)
}

// isLetterRune reports the letters that glue an id together in the
// alphabets ids are written in (Latin, Greek, Cyrillic: ÜN1993, АБ-5551234567).
// Scripts written without spaces (CJK) do not glue: 电话5551234567 is a
// number after a word.
func isLetterRune(r rune) bool { return r < 0x0530 && unicode.IsLetter(r) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
}
