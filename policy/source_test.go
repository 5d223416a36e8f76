package policy

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestScalarPosition(t *testing.T) {
	tests := []struct {
		name string
		doc  string // YAML with key v; the value's "X" is what the position must find
	}{
		{"plain", "v: a && X\n"},
		{"plain after indentation", "k:\n  v: a && X\n"},
		{"double quoted", "v: \"!a || X\"\n"},
		{"double quoted with escapes", "v: \"say \\\"hi\\\" X\"\n"},
		{"single quoted with an escaped quote", "v: 'it''s X'\n"},
		{"folded block", "v: >-\n  a &&\n  (b ||\n   X)\n"},
		{"literal block", "v: |\n  a\n  b X\n"},
		{"plain over lines", "v: a &&\n  b && X\n"},
		{"non-ASCII before", "v: \"× → X\"\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var doc struct {
				K struct {
					V scalar `yaml:"v"`
				} `yaml:"k"`
				V scalar `yaml:"v"`
			}
			if err := yaml.Unmarshal([]byte(tc.doc), &doc); err != nil {
				t.Fatal(err)
			}
			s := doc.V
			if s.Line == 0 {
				s = doc.K.V
			}
			off := strings.Index(s.Value, "X")
			if off < 0 {
				t.Fatalf("value %q lacks X", s.Value)
			}
			line, col := s.position([]byte(tc.doc), len([]rune(s.Value[:off])))
			wantLine, wantCol := at(t, []byte(tc.doc), "X")
			if line != wantLine || col != wantCol {
				t.Errorf("position of X in %q = %d:%d, want %d:%d", s.Value, line, col, wantLine, wantCol)
			}
		})
	}
}

// FuzzScalarPosition: any offset into any scalar of any document gives a
// position inside the document, never a panic.
func FuzzScalarPosition(f *testing.F) {
	f.Add([]byte("v: >-\n  a &&\n  b\n"), 3)
	f.Add([]byte("v: \"a\\\"b\"\n"), 2)
	f.Add([]byte("v: x\n"), 10)
	f.Fuzz(func(t *testing.T, doc []byte, off int) {
		var v struct {
			V scalar `yaml:"v"`
		}
		if yaml.Unmarshal(doc, &v) != nil || v.V.Line == 0 {
			return
		}
		line, col := v.V.position(doc, off)
		if line < 1 || col < 1 || line > bytes.Count(doc, []byte{'\n'})+1 {
			t.Fatalf("position %d:%d outside the document", line, col)
		}
	})
}

// TestCompileErrorStaysInFile: wherever a broken condition sits, the
// position it is reported at is a line of the file.
func TestCompileErrorStaysInFile(t *testing.T) {
	src := DefaultSource()
	lines := bytes.Count(src, []byte{'\n'})
	for _, f := range []string{"order.total", "customer.credit_stop", "action.hold_code", "params.min_confidence"} {
		broken := bytes.ReplaceAll(src, []byte(f), []byte(f+"x"))
		_, err := Load("p.yaml", broken)
		var ce *CompileError
		if !errors.As(err, &ce) || ce.Line < 1 || ce.Line > lines || ce.Col < 1 {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if got := strings.Split(string(broken), "\n")[ce.Line-1]; !strings.Contains(got, f+"x") {
			t.Errorf("%s: line %d is %q, not the broken name", f, ce.Line, got)
		}
	}
}
