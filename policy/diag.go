package policy

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/cel-go/cel"
	"gopkg.in/yaml.v3"
)

// CompileError is a policy file that does not load: where the problem is
// (file, line and column, when known), the rule and field it is in, what
// is wrong and, for a misspelt name, the nearest known one.
type CompileError struct {
	File    string // the policy's name
	Line    int    // 1-based; 0 when unknown
	Col     int    // 1-based, in characters; 0 when unknown
	Rule    string // the rule's name; "" for problems outside a rule
	Field   string // e.g. "when", "reason[1].text", "params.max_total"
	Msg     string
	Suggest string // "did you mean": a fact, parameter, function, role or field name
}

// Error reads "policy FILE:LINE:COL: rule NAME: FIELD: MSG; did you mean X?".
func (e *CompileError) Error() string {
	var b strings.Builder
	b.WriteString("policy ")
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	if e.Rule != "" {
		b.WriteString("rule " + e.Rule + ": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	if e.Suggest != "" {
		b.WriteString("; did you mean " + e.Suggest + "?")
	}
	return b.String()
}

// celIssue turns the first error of a CEL compilation of expr (which sits
// at rune offset base of s) into a CompileError with its file position and,
// for an undeclared name, the nearest known one.
func celIssue(iss *cel.Issues, expr string, s scalar, base int, src []byte, names []string) *CompileError {
	errs := iss.Errors()
	if len(errs) == 0 {
		return &CompileError{Msg: iss.Err().Error()}
	}
	first := errs[0]
	msg := strings.TrimSuffix(first.Message, " (in container '')")
	off := runeOffset(expr, first.Location.Line(), first.Location.Column())
	ce := &CompileError{Msg: msg}
	if m := undeclaredRef.FindStringSubmatch(msg); m != nil {
		name := dottedNameAt(expr, off)
		if !strings.HasPrefix(name, m[1]) {
			// A call is reported at its parenthesis: point at the name.
			if n := utf8.RuneCountInString(m[1]); off >= n && string([]rune(expr)[off-n:off]) == m[1] {
				off -= n
			}
			name = m[1]
		}
		ce.Msg = fmt.Sprintf("undeclared reference to %q", name)
		ce.Suggest = nearest(name, names)
	}
	ce.Line, ce.Col = s.position(src, base+off)
	if len(errs) > 1 {
		ce.Msg += fmt.Sprintf(" (and %d more %s)", len(errs)-1, plural(len(errs)-1, "error", "errors"))
	}
	return ce
}

var undeclaredRef = regexp.MustCompile(`^undeclared reference to '([^']+)'`)

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// runeOffset converts CEL's 1-based line and 0-based column (in
// characters) within expr into a rune offset.
func runeOffset(expr string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(expr, '\n')
		if i < 0 {
			break
		}
		off += utf8.RuneCountInString(expr[:i+1])
		expr = expr[i+1:]
	}
	return off + max(col, 0)
}

// dottedNameAt returns the dotted identifier (order.totl) that starts at
// rune offset off of expr.
func dottedNameAt(expr string, off int) string {
	rs := []rune(expr)
	if off < 0 || off >= len(rs) {
		return ""
	}
	end := off
	for end < len(rs) && (rs[end] == '_' || rs[end] == '.' || rs[end] >= 'a' && rs[end] <= 'z' ||
		rs[end] >= 'A' && rs[end] <= 'Z' || rs[end] >= '0' && rs[end] <= '9') {
		end++
	}
	return strings.TrimRight(string(rs[off:end]), ".")
}

// nearest returns the known name closest to name, when it is close enough
// to be a misspelling (at most a third of its letters differ), else "".
func nearest(name string, known []string) string {
	best, bestD := "", -1
	for _, k := range known {
		if k == name {
			return ""
		}
		d := editDistance(name, k)
		if bestD < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	if bestD < 0 || bestD > max(2, utf8.RuneCountInString(name)/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// celFunctions are the functions a condition may call beside the facts,
// offered as suggestions for a misspelt call.
var celFunctions = []string{"usd", "dollars", "size", "has", "int", "double", "string", "matches",
	"contains", "startsWith", "endsWith", "all", "exists", "exists_one", "map", "filter"}

// yamlError rewrites a YAML decoding error of the policy file as
// "policy FILE:LINE: problem", with a "did you mean" for an unknown field.
func yamlError(name string, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			return &CompileError{File: name, Line: line, Msg: m[2]}
		}
		return &CompileError{File: name, Msg: msg}
	}
	first := te.Errors[0]
	ce := &CompileError{File: name, Msg: first}
	if m := yamlLine.FindStringSubmatch(first); m != nil {
		ce.Line, _ = strconv.Atoi(m[1])
		ce.Msg = m[2]
	}
	if m := unknownField.FindStringSubmatch(ce.Msg); m != nil {
		ce.Msg = fmt.Sprintf("unknown field %q", m[1])
		if t, ok := specTypes[m[2]]; ok {
			ce.Msg += " in " + t.what
			ce.Suggest = nearest(m[1], yamlFields(t.typ))
		}
	}
	if len(te.Errors) > 1 {
		ce.Msg += fmt.Sprintf(" (and %d more %s)", len(te.Errors)-1, plural(len(te.Errors)-1, "error", "errors"))
	}
	return ce
}

var (
	yamlLine     = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownField = regexp.MustCompile(`^field (\S+) not found in type policy\.(\w+)$`)
	specTypes    = map[string]struct {
		what string
		typ  reflect.Type
	}{
		"fileSpec":   {"the policy file", reflect.TypeFor[fileSpec]()},
		"actionSpec": {"an actions entry", reflect.TypeFor[actionSpec]()},
		"ruleSpec":   {"a rule", reflect.TypeFor[ruleSpec]()},
		"reasonAlt":  {"a reason alternative", reflect.TypeFor[reasonAlt]()},
	}
)

// yamlFields lists the YAML field names of a struct type.
func yamlFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if n, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); n != "" && n != "-" {
			out = append(out, n)
		}
	}
	return out
}
