package policy

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Param is a named constant of the policy file's params section, such as
// a threshold. Conditions and reasons read it as params.NAME, so an amount
// is written once and every reason states the amount in force.
type Param struct {
	Name  string `json:"name"`  // params.credit_auto_max_total
	Expr  string `json:"expr"`  // as written: usd(2500)
	Value any    `json:"value"` // int64, float64, string or bool (money: int cents)
	Line  int    `json:"line"`
}

// RuleInfo describes one rule as `policy check` lists it.
type RuleInfo struct {
	Name string `json:"name"`
	// Actions are the action types the rule decides; none for a global rule.
	Actions []string `json:"actions,omitempty"`
	Global  bool     `json:"global,omitempty"`
	Outcome Outcome  `json:"outcome"`
	// Role approves an approval decision ("" on a global rule: the
	// action's approver).
	Role string `json:"role,omitempty"`
	// Approver approves an auto decision that a global rule turns into
	// approval.
	Approver string `json:"approver,omitempty"`
	// When is the condition as written, on one line ("" always holds).
	When string `json:"when"`
	Line int    `json:"line,omitempty"`
}

// Warning is a policy that loads but says something it should not: a
// reason that states an amount or a threshold literally, which goes stale
// the day the condition's threshold changes.
type Warning struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
	Rule string `json:"rule"`
	Msg  string `json:"message"`
}

func (w Warning) String() string {
	pos := w.File
	if w.Line > 0 {
		pos += fmt.Sprintf(":%d:%d", w.Line, w.Col)
	}
	return fmt.Sprintf("policy %s: warning: rule %s: %s", pos, w.Rule, w.Msg)
}

// Rules lists the rules in the order they are evaluated: the global rules,
// then each action group's rules (blocked, auto, approval).
func (e *Engine) Rules() []RuleInfo {
	out := make([]RuleInfo, len(e.rules))
	for i, r := range e.rules {
		r.Actions = slices.Clone(r.Actions)
		out[i] = r
	}
	return out
}

// Params lists the policy's parameters in the order written.
func (e *Engine) Params() []Param { return slices.Clone(e.params) }

// Warnings lists what the policy's reasons state literally (see Warning).
func (e *Engine) Warnings() []Warning { return slices.Clone(e.warns) }

var (
	moneyLit  = regexp.MustCompile(`\$\d[\d,]*(?:\.\d+)?`)
	numberTxt = regexp.MustCompile(`(?:^|[^\w.$,])(\d[\d,]*(?:\.\d+)?)`)
)

// lint warns about reason text (outside placeholders) that states an
// amount, or a number that is also a parameter's or a condition's literal:
// such a reason goes stale when the threshold changes.
func (c *compiler) lint(rs ruleSpec) {
	for _, alt := range rs.Reason {
		s := alt.Text
		for _, lit := range literals(s.Value) {
			for _, m := range moneyLit.FindAllStringIndex(lit.text, -1) {
				c.warn(rs, s, lit.off+utf8.RuneCountInString(lit.text[:m[0]]),
					"the reason states the amount %s in its text; name it in params and write {{ dollars(params.NAME) }}", lit.text[m[0]:m[1]])
			}
			for _, m := range numberTxt.FindAllStringSubmatchIndex(lit.text, -1) {
				num := lit.text[m[2]:m[3]]
				f, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", ""), 64)
				if err != nil || !c.numbers[f] {
					continue
				}
				c.warn(rs, s, lit.off+utf8.RuneCountInString(lit.text[:m[2]]),
					"the reason states %s, a threshold of the policy, in its text; write it from a parameter, {{ params.NAME }}", num)
			}
		}
	}
}

func (c *compiler) warn(rs ruleSpec, s scalar, off int, format string, args ...any) {
	w := Warning{Rule: strings.TrimSpace(rs.Name.Value), Msg: fmt.Sprintf(format, args...)}
	w.Line, w.Col = s.position(c.src, off)
	c.e.warns = append(c.e.warns, w)
}

// literal is the text of a reason template between placeholders, with its
// rune offset in the template.
type literal struct {
	text string
	off  int
}

func literals(src string) []literal {
	var out []literal
	off := 0
	for {
		i := strings.Index(src, "{{")
		if i < 0 {
			return append(out, literal{src, off})
		}
		out = append(out, literal{src[:i], off})
		j := strings.Index(src[i:], "}}")
		if j < 0 {
			return out
		}
		off += utf8.RuneCountInString(src[:i+j+2])
		src = src[i+j+2:]
	}
}

// FactValue is one fact a decision read, by its CEL name.
type FactValue struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// String formats the fact as NAME = VALUE, money as $1,234.56.
func (f FactValue) String() string {
	switch v := f.Value.(type) {
	case string:
		return fmt.Sprintf("%s = %q", f.Name, v)
	case float64:
		return fmt.Sprintf("%s = %s", f.Name, strconv.FormatFloat(v, 'f', -1, 64))
	}
	return fmt.Sprintf("%s = %v", f.Name, f.Value)
}

// Explain decides f as Decide does and also returns the facts that the
// rules and the reason read to reach the decision, in the order they were
// read (like `opa eval --explain`).
func (e *Engine) Explain(f Facts) (Decision, []FactValue) {
	var used []*variable
	d := e.decide(f, &used)
	if math.IsNaN(f.Confidence) {
		f.Confidence = 0
	}
	fv := reflect.ValueOf(&f).Elem()
	out := make([]FactValue, 0, len(used))
	for _, v := range used {
		x := fv
		for _, i := range v.index {
			x = x.Field(i)
		}
		out = append(out, FactValue{Name: v.name, Value: x.Interface()})
	}
	return d, out
}
