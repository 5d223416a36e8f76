package llm

import (
	"regexp"
	"strings"
)

// Redaction placeholders.
const (
	RedactedEmail = "[email]"
	RedactedPhone = "[phone]"
)

var (
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	// phoneRE finds candidates: an optional +country code, an area group
	// (parenthesised or followed by a separator), then two groups with a
	// separator between them; or an E.164 number (+ and 9 to 15 digits).
	phoneRE = regexp.MustCompile(`(?:\+\d{1,3}[ .\-]?)?(?:\(\d{2,4}\) ?|\d{2,4}[ .\-])\d{3,4}[ .\-]\d{3,4}|\+\d{9,15}`)
)

// Redactor replaces email addresses and phone numbers in text sent to a
// model. The zero value is ready to use; it holds no state.
type Redactor struct{}

// Redact returns s with emails replaced by [email] and phone numbers by
// [phone]. It leaves dates, times, amounts and ids alone, and it never
// touches a JSON quote or bracket, so redacted JSON stays valid.
func (Redactor) Redact(s string) string {
	if strings.IndexByte(s, '@') >= 0 {
		s = emailRE.ReplaceAllString(s, RedactedEmail)
	}
	locs := phoneRE.FindAllStringIndex(s, -1)
	if len(locs) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, l := range locs {
		if !isPhone(s, l[0], l[1]) {
			continue
		}
		b.WriteString(s[last:l[0]])
		b.WriteString(RedactedPhone)
		last = l[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// isPhone rejects candidates glued to other digits, letters or decimal
// points (part of a longer number or an id) and those with too few or too
// many digits.
func isPhone(s string, i, j int) bool {
	if i > 0 {
		c := s[i-1]
		if isAlnum(c) || c == '.' || c == '-' || c == '+' {
			return false
		}
	}
	if j < len(s) {
		c := s[j]
		if isAlnum(c) || c == '-' || (c == '.' && j+1 < len(s) && isDigit(s[j+1])) {
			return false
		}
	}
	n := 0
	for k := i; k < j; k++ {
		if isDigit(s[k]) {
			n++
		}
	}
	return n >= 9 && n <= 15
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
}
