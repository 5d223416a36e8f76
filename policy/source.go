package policy

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// scalar is a YAML scalar of the policy file with where it is written, so
// that a problem in a condition or a reason can be named by file, line and
// column.
type scalar struct {
	Value string
	Line  int // 1-based; 0 when unknown (a value built in code)
	Col   int // 1-based, in characters
	Style yaml.Style
}

// UnmarshalYAML keeps the scalar's value and position.
func (s *scalar) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a string, got a %s", n.Line, kindName(n.Kind))
	}
	*s = scalar{Value: n.Value, Line: n.Line, Col: n.Column, Style: n.Style}
	return nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}

// position returns the file line and column (1-based, in characters) of
// the character at rune offset off of s.Value. The scalar's text is found
// again in src by walking both, skipping what YAML folds away (indentation,
// line breaks, quotes); when the walk loses its way it falls back to the
// scalar's own position.
func (s scalar) position(src []byte, off int) (line, col int) {
	if s.Line == 0 {
		return 0, 0
	}
	p := lineStart(src, s.Line)
	if p < 0 {
		return s.Line, s.Col
	}
	switch {
	case s.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		// The value starts on the line after the | or > indicator.
		q := bytes.IndexByte(src[p:], '\n')
		if q < 0 {
			return s.Line, s.Col
		}
		p += q + 1
	default:
		p = advanceRunes(src, p, s.Col-1)
		if s.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			p++ // the opening quote
		}
	}
	double, single := s.Style&yaml.DoubleQuotedStyle != 0, s.Style&yaml.SingleQuotedStyle != 0
	i := 0
	for _, c := range s.Value {
		if i == off {
			break
		}
		i++
		for matched := false; !matched; {
			if p >= len(src) {
				return s.Line, s.Col
			}
			r, n := utf8.DecodeRune(src[p:])
			switch {
			case double && r == '\\', single && r == '\'':
				// An escape: two source characters stand for one of the value.
				p += n
				if p < len(src) {
					_, m := utf8.DecodeRune(src[p:])
					p += m
				}
				matched = true
			case r == c:
				p += n
				matched = true
			case isSpace(r):
				// Indentation, or a line break folded into a space.
				p += n
				matched = isSpace(c)
			default:
				return s.Line, s.Col
			}
		}
	}
	for p < len(src) {
		r, n := utf8.DecodeRune(src[p:])
		if !isSpace(r) {
			break
		}
		p += n
	}
	return lineCol(src, p)
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// lineStart returns the byte offset where 1-based line n starts, or -1.
func lineStart(src []byte, n int) int {
	p := 0
	for l := 1; l < n; l++ {
		q := bytes.IndexByte(src[p:], '\n')
		if q < 0 {
			return -1
		}
		p += q + 1
	}
	return p
}

// advanceRunes moves n runes forward from byte offset p on the same line.
func advanceRunes(src []byte, p, n int) int {
	for ; n > 0 && p < len(src) && src[p] != '\n'; n-- {
		_, size := utf8.DecodeRune(src[p:])
		p += size
	}
	return p
}

// lineCol returns the 1-based line and character column of byte offset p.
func lineCol(src []byte, p int) (line, col int) {
	line = 1 + bytes.Count(src[:p], []byte{'\n'})
	start := bytes.LastIndexByte(src[:p], '\n') + 1
	return line, 1 + utf8.RuneCount(src[start:p])
}
