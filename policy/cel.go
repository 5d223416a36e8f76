package policy

import (
	"fmt"
	"math"
	"strconv"
	"strings"

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

// compileBool compiles a condition that must be a bool.
func compileBool(env *cel.Env, src string) (cel.Program, error) {
	ast, err := compileAST(env, src)
	if err != nil {
		return nil, err
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		return nil, fmt.Errorf("%q is of type %s, want bool", src, ast.OutputType())
	}
	return program(env, ast)
}

func compileAST(env *cel.Env, src string) (*cel.Ast, error) {
	if len(src) > maxExprLen {
		return nil, fmt.Errorf("expression is %d characters long, over the %d limit", len(src), maxExprLen)
	}
	ast, iss := env.Compile(src)
	if iss != nil && iss.Err() != nil {
		return nil, iss.Err()
	}
	return ast, nil
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
	prg     cel.Program
	v       *variable // set for the fast path
	dollars bool      // fast path: format v as money
}

func (p placeholder) write(b *strings.Builder, act *activation) {
	if p.v != nil {
		x := act.field(p.v)
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

func compileText(env *cel.Env, vars map[string]*variable, src string) (*text, error) {
	t := &text{}
	rest := src
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			if strings.Contains(rest, "}}") {
				return nil, fmt.Errorf("unmatched }} in %q", src)
			}
			t.lits = append(t.lits, rest)
			return t, nil
		}
		j := strings.Index(rest[i+2:], "}}")
		if j < 0 {
			return nil, fmt.Errorf("unclosed {{ in %q", src)
		}
		expr := strings.TrimSpace(rest[i+2 : i+2+j])
		ast, err := compileAST(env, expr)
		if err != nil {
			return nil, fmt.Errorf("placeholder {{ %s }}: %w", expr, err)
		}
		switch ot := ast.OutputType(); {
		case ot.IsExactType(cel.StringType), ot.IsExactType(cel.IntType), ot.IsExactType(cel.DoubleType),
			ot.IsExactType(cel.BoolType), ot.IsExactType(cel.ListType(cel.StringType)), ot.IsExactType(cel.ListType(cel.IntType)):
		default:
			return nil, fmt.Errorf("placeholder {{ %s }} is of type %s; want string, int, double, bool or a list", expr, ot)
		}
		prg, err := program(env, ast)
		if err != nil {
			return nil, fmt.Errorf("placeholder {{ %s }}: %w", expr, err)
		}
		ph := placeholder{prg: prg}
		if v, ok := vars[expr]; ok {
			ph.v = v
		} else if inner, ok := strings.CutPrefix(expr, "dollars("); ok && strings.HasSuffix(inner, ")") {
			if v, ok := vars[strings.TrimSpace(strings.TrimSuffix(inner, ")"))]; ok && v.typ == cel.IntType {
				ph.v, ph.dollars = v, true
			}
		}
		t.lits = append(t.lits, rest[:i])
		t.exprs = append(t.exprs, ph)
		rest = rest[i+2+j+2:]
	}
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
