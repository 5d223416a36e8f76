package policy

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/common/types/traits"

	"github.com/exdesk/exdesk/connectors"
)

// maxExprLen bounds one CEL expression in a policy file.
const maxExprLen = 4096

// newEnv returns the CEL environment rules compile in: one variable per leaf
// field of Facts, and the helper functions
//
//	usd(int) int       whole currency units to cents: usd(2500) == 250000
//	usd(double) int    currency units to cents, rounded: usd(2500.01) == 250001
//	dollars(int) string  cents formatted for reasons: dollars(250001) == "$2,500.01"
func newEnv(vars []variable) (*cel.Env, error) {
	opts := make([]cel.EnvOption, 0, len(vars)+2)
	for _, v := range vars {
		opts = append(opts, cel.Variable(v.name, v.typ))
	}
	opts = append(opts,
		cel.Function("usd",
			cel.Overload("usd_int", []*cel.Type{cel.IntType}, cel.IntType,
				cel.UnaryBinding(func(v ref.Val) ref.Val {
					n, ok := v.(types.Int)
					if !ok {
						return types.MaybeNoSuchOverloadErr(v)
					}
					if n > math.MaxInt64/100 || n < math.MinInt64/100 {
						return types.NewErr("usd(%d) overflows", int64(n))
					}
					return n * 100
				})),
			cel.Overload("usd_double", []*cel.Type{cel.DoubleType}, cel.IntType,
				cel.UnaryBinding(func(v ref.Val) ref.Val {
					f, ok := v.(types.Double)
					if !ok {
						return types.MaybeNoSuchOverloadErr(v)
					}
					if math.IsNaN(float64(f)) || math.Abs(float64(f)) > 9e13 {
						return types.NewErr("usd(%v) is out of range", float64(f))
					}
					return types.Int(connectors.Cents(float64(f)))
				}))),
		cel.Function("dollars",
			cel.Overload("dollars_int", []*cel.Type{cel.IntType}, cel.StringType,
				cel.UnaryBinding(func(v ref.Val) ref.Val {
					n, ok := v.(types.Int)
					if !ok {
						return types.MaybeNoSuchOverloadErr(v)
					}
					return types.String(connectors.FormatUSD(int64(n)))
				}))),
	)
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, fmt.Errorf("policy: CEL environment: %w", err)
	}
	return env, nil
}

func program(env *cel.Env, ast *cel.Ast) (cel.Program, error) {
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, err
	}
	return prg, nil
}

// evalBool evaluates a compiled condition; an evaluation error is returned
// so the caller can fail closed.
func evalBool(prg cel.Program, act *activation) (bool, error) {
	out, _, err := prg.Eval(act)
	if err != nil {
		return false, err
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("condition gave %v, not a bool", out)
	}
	return bool(b), nil
}

// text is a reason template: literal text with {{ CEL expression }}
// placeholders, compiled at load.
type text struct {
	lits  []string      // len(lits) == len(exprs)+1
	exprs []placeholder // placeholders
}

// placeholder is a compiled {{ expression }}. A bare variable or
// dollars(variable) — most placeholders — skips the CEL interpreter.
type placeholder struct {
	prg      cel.Program
	v        *variable // set for the fast path
	dollars  bool      // fast path: format v as money
	constant string    // the rendering of a placeholder that reads no fact
	isConst  bool
}

func (p placeholder) write(b *strings.Builder, act *activation) {
	if p.isConst {
		b.WriteString(p.constant)
		return
	}
	if p.v != nil {
		x := act.use(p.v)
		if p.dollars {
			b.WriteString(connectors.FormatUSD(x.Int()))
			return
		}
		writeVal(b, p.v.get(x))
		return
	}
	out, _, err := p.prg.Eval(act)
	if err != nil {
		b.WriteString("(unavailable: " + err.Error() + ")")
		return
	}
	writeVal(b, out)
}

// compileText compiles the reason template in s: literal text with
// {{ CEL expression }} placeholders.
func (c *compiler) compileText(s scalar, rule, field string) (*text, error) {
	src := s.Value
	t := &text{}
	rest, consumed := src, 0 // consumed: runes of src before rest
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			if j := strings.Index(rest, "}}"); j >= 0 {
				return nil, c.errAtOffset(s, consumed+utf8.RuneCountInString(rest[:j]), rule, field, "unmatched }} in %q", src)
			}
			t.lits = append(t.lits, rest)
			return t, nil
		}
		j := strings.Index(rest[i+2:], "}}")
		if j < 0 {
			return nil, c.errAtOffset(s, consumed+utf8.RuneCountInString(rest[:i]), rule, field, "unclosed {{ in %q", src)
		}
		inner := rest[i+2 : i+2+j]
		expr := strings.TrimSpace(inner)
		base := consumed + utf8.RuneCountInString(rest[:i+2]) + utf8.RuneCountInString(inner[:strings.Index(inner, expr)])
		ast, err := c.compileAST(s, base, expr, rule, field)
		if err != nil {
			var ce *CompileError
			if errors.As(err, &ce) {
				ce.Msg = fmt.Sprintf("placeholder {{ %s }}: %s", expr, ce.Msg)
			}
			return nil, err
		}
		switch ot := ast.OutputType(); {
		case ot.IsExactType(cel.StringType), ot.IsExactType(cel.IntType), ot.IsExactType(cel.DoubleType),
			ot.IsExactType(cel.BoolType), ot.IsExactType(cel.ListType(cel.StringType)), ot.IsExactType(cel.ListType(cel.IntType)):
		default:
			return nil, c.errAtOffset(s, base, rule, field, "placeholder {{ %s }} is of type %s; want string, int, double, bool or a list", expr, ot)
		}
		prg, err := program(c.env, ast)
		if err != nil {
			return nil, c.errAtOffset(s, base, rule, field, "placeholder {{ %s }}: %v", expr, err)
		}
		ph := placeholder{prg: prg}
		vars := c.e.vars
		if v, ok := vars[expr]; ok {
			ph.v = v
		} else if inner, ok := strings.CutPrefix(expr, "dollars("); ok && strings.HasSuffix(inner, ")") {
			if v, ok := vars[strings.TrimSpace(strings.TrimSuffix(inner, ")"))]; ok && v.typ == cel.IntType {
				ph.v, ph.dollars = v, true
			}
		}
		if ph.v == nil {
			// A placeholder that reads no fact (a parameter) is rendered once, here.
			if out, _, err := prg.Eval(cel.NoVars()); err == nil {
				var b strings.Builder
				writeVal(&b, out)
				ph.constant, ph.isConst = b.String(), true
			}
		}
		t.lits = append(t.lits, rest[:i])
		t.exprs = append(t.exprs, ph)
		consumed += utf8.RuneCountInString(rest[:i+2+j+2])
		rest = rest[i+2+j+2:]
	}
}

// errAtOffset returns a CompileError at rune offset off of s.
func (c *compiler) errAtOffset(s scalar, off int, rule, field, format string, args ...any) *CompileError {
	ce := c.errAt(s, rule, field, format, args...)
	ce.Line, ce.Col = s.position(c.src, off)
	return ce
}

func (t *text) render(act *activation) string {
	if len(t.exprs) == 0 {
		return t.lits[0]
	}
	var b strings.Builder
	b.Grow(128)
	for i, p := range t.exprs {
		b.WriteString(t.lits[i])
		p.write(&b, act)
	}
	b.WriteString(t.lits[len(t.lits)-1])
	return b.String()
}

func writeVal(b *strings.Builder, v ref.Val) {
	switch x := v.(type) {
	case types.String:
		b.WriteString(string(x))
	case types.Int:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case types.Double:
		b.WriteString(strconv.FormatFloat(float64(x), 'f', -1, 64))
	case types.Bool:
		b.WriteString(strconv.FormatBool(bool(x)))
	case traits.Lister:
		n, _ := x.Size().(types.Int)
		if n == 0 {
			b.WriteString("none")
			return
		}
		for i := types.Int(0); i < n; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			writeVal(b, x.Get(i))
		}
	default:
		fmt.Fprint(b, v.Value())
	}
}
