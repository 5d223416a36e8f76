package policy

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"gopkg.in/yaml.v3"

	"github.com/exdesk/exdesk/connectors"
)

//go:embed default.yaml
var defaultYAML []byte

// DefaultName is the name of the embedded default policy.
const DefaultName = "default.yaml"

// Engine is a compiled policy: every rule's condition and reason compiled
// once at load. It is immutable and safe for concurrent use.
type Engine struct {
	name    string
	version string
	roles   []string
	roleSet map[string]bool
	actions map[string]*actionPolicy
	global  []*rule
	vars    map[string]*variable
	params  []Param
	rules   []RuleInfo
	warns   []Warning
}

// actionPolicy is the rules of one action type, in evaluation order.
type actionPolicy struct {
	approver string
	rules    []*rule // blocked rules, then auto, then approval; the last is unconditional
}

// rule is one compiled rule.
type rule struct {
	name     string
	line     int // where the rule's name is written
	outcome  Outcome
	role     string       // approval rules: who approves
	approver string       // auto rules: who approves when a global rule demotes it
	when     cel.Program  // nil: always
	reason   []reasonCase // first matching case wins; the last is unconditional
}

type reasonCase struct {
	when cel.Program // nil: always
	text *text
}

// The policy file's shape.
type fileSpec struct {
	Roles []string `yaml:"roles"`
	// Params are named constants (thresholds) that conditions and reasons
	// read as params.NAME: a mapping of NAME to a CEL constant expression
	// (usd(2500), 0.7, 90), or to a quoted string.
	Params  yaml.Node    `yaml:"params"`
	Global  []ruleSpec   `yaml:"global"`
	Actions []actionSpec `yaml:"actions"`
}

type actionSpec struct {
	Types    []string   `yaml:"types"`
	Approver string     `yaml:"approver"`
	Rules    []ruleSpec `yaml:"rules"`
}

type ruleSpec struct {
	Name     scalar     `yaml:"name"`
	Outcome  scalar     `yaml:"outcome"`
	Role     scalar     `yaml:"role"`
	Approver scalar     `yaml:"approver"`
	When     scalar     `yaml:"when"`
	Reason   reasonSpec `yaml:"reason"`
}

// reasonSpec is either one template string or a list of {when, text}
// alternatives, the first whose condition holds giving the reason.
type reasonSpec []reasonAlt

type reasonAlt struct {
	When scalar `yaml:"when"`
	Text scalar `yaml:"text"`
}

// UnmarshalYAML accepts a string or a list of {when, text}.
func (r *reasonSpec) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*r = reasonSpec{{Text: scalar{Value: n.Value, Line: n.Line, Col: n.Column, Style: n.Style}}}
		return nil
	case yaml.SequenceNode:
		out := make(reasonSpec, 0, len(n.Content))
		for _, c := range n.Content {
			if c.Kind != yaml.MappingNode {
				return fmt.Errorf("line %d: a reason alternative must be a mapping {when, text}", c.Line)
			}
			for i := 0; i+1 < len(c.Content); i += 2 {
				if k := c.Content[i].Value; k != "when" && k != "text" {
					return fmt.Errorf("line %d: field %q is not when or text", c.Content[i].Line, k)
				}
			}
			var a reasonAlt
			if err := c.Decode(&a); err != nil {
				return err
			}
			out = append(out, a)
		}
		*r = out
		return nil
	}
	return fmt.Errorf("line %d: reason must be a string or a list of {when, text}", n.Line)
}

// Default returns the engine of the embedded default policy (default.yaml).
func Default() (*Engine, error) { return Load(DefaultName, defaultYAML) }

// DefaultSource returns the embedded default policy file.
func DefaultSource() []byte { return bytes.Clone(defaultYAML) }

// LoadFile reads and compiles a policy file.
func LoadFile(path string) (*Engine, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	e, err := Load(filepath.Base(path), src)
	// Problems name the file as given, so that file:line:column opens it.
	var ce *CompileError
	if errors.As(err, &ce) {
		ce.File = path
		return nil, ce
	}
	if err != nil {
		return nil, err
	}
	for i := range e.warns {
		e.warns[i].File = path
	}
	return e, nil
}

// Load compiles a policy file named name (the name is used in errors and
// in Version). Every parameter, condition and reason is compiled here; a
// file that does not load is a *CompileError naming the file, line and
// column, the rule and what is wrong (with a "did you mean" for a misspelt
// fact, parameter, function, role or field).
func Load(name string, src []byte) (e *Engine, err error) {
	defer func() { // the YAML decoder is fed outside input; never let it take the process down
		if r := recover(); r != nil {
			e, err = nil, &CompileError{File: name, Msg: fmt.Sprintf("malformed file: %v", r)}
		}
	}()
	var spec fileSpec
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&spec); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &CompileError{File: name, Msg: "the file is empty"}
		}
		return nil, yamlError(name, err)
	}
	e, err = compile(spec, src)
	if err != nil {
		var ce *CompileError
		if errors.As(err, &ce) {
			ce.File = name
			return nil, ce
		}
		return nil, fmt.Errorf("policy %s: %w", name, err)
	}
	for i := range e.warns {
		e.warns[i].File = name
	}
	sum := sha256.Sum256(src)
	e.name = name
	e.version = name + "@" + hex.EncodeToString(sum[:6])
	return e, nil
}

// compiler compiles one policy file.
type compiler struct {
	src   []byte
	env   *cel.Env
	e     *Engine
	names []string // fact variables, parameters and functions: the suggestions for a misspelt name
	// numbers are the numeric literals of the file's parameters and
	// conditions: a reason that repeats one is warned about.
	numbers map[float64]bool
}

// errAt returns a CompileError at s's position.
func (c *compiler) errAt(s scalar, rule, field, format string, args ...any) *CompileError {
	return &CompileError{Line: s.Line, Col: s.Col, Rule: rule, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func compile(spec fileSpec, src []byte) (*Engine, error) {
	vars, err := factVariables()
	if err != nil {
		return nil, err
	}
	env, err := newEnv(vars)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		roleSet: map[string]bool{},
		actions: map[string]*actionPolicy{},
		vars:    make(map[string]*variable, len(vars)),
	}
	c := &compiler{src: src, env: env, e: e, numbers: map[float64]bool{}}
	for i := range vars {
		e.vars[vars[i].name] = &vars[i]
		c.names = append(c.names, vars[i].name)
	}
	c.names = append(c.names, celFunctions...)
	if len(spec.Roles) == 0 {
		return nil, &CompileError{Field: "roles", Msg: "the file names no roles"}
	}
	for _, r := range spec.Roles {
		if strings.TrimSpace(r) == "" || e.roleSet[r] {
			return nil, &CompileError{Field: "roles", Msg: fmt.Sprintf("%q is empty or listed twice", r)}
		}
		e.roleSet[r] = true
		e.roles = append(e.roles, r)
	}
	slices.Sort(e.roles)
	if err := c.params(&spec.Params); err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, rs := range spec.Global {
		r, err := c.rule(rs, names)
		if err != nil {
			return nil, err
		}
		if r.outcome != Approval || r.role != "" || r.when == nil {
			return nil, c.errAt(rs.Name, r.name, "", "a global rule turns auto into approval by the action's approver: it needs outcome approval, a when condition and no role")
		}
		e.global = append(e.global, r)
		e.rules = append(e.rules, c.info(r, rs, nil, ""))
	}
	for i, as := range spec.Actions {
		where := fmt.Sprintf("actions[%d]", i)
		if len(as.Types) == 0 {
			return nil, &CompileError{Field: where, Msg: "no types listed"}
		}
		where += " (" + strings.Join(as.Types, ", ") + ")"
		if !e.roleSet[as.Approver] {
			return nil, &CompileError{Field: where, Msg: fmt.Sprintf("approver %q is not one of the roles", as.Approver), Suggest: nearest(as.Approver, e.roles)}
		}
		ap := &actionPolicy{approver: as.Approver}
		specs := map[*rule]ruleSpec{}
		for _, rs := range as.Rules {
			r, err := c.rule(rs, names)
			if err != nil {
				return nil, err
			}
			ap.rules = append(ap.rules, r)
			specs[r] = rs
		}
		if err := ap.order(); err != nil {
			return nil, &CompileError{Field: where, Msg: err.Error()}
		}
		for _, t := range as.Types {
			if _, ok := connectors.LookupAction(t); !ok {
				return nil, &CompileError{Field: where, Msg: fmt.Sprintf("%q is not an action type (known: %s)", t, strings.Join(connectors.ActionTypes(), ", ")),
					Suggest: nearest(t, connectors.ActionTypes())}
			}
			if e.actions[t] != nil {
				return nil, &CompileError{Field: where, Msg: fmt.Sprintf("action type %s has rules twice", t)}
			}
			e.actions[t] = ap
		}
		for _, r := range ap.rules {
			e.rules = append(e.rules, c.info(r, specs[r], as.Types, ap.approver))
		}
	}
	for _, t := range connectors.ActionTypes() {
		if e.actions[t] == nil {
			return nil, &CompileError{Field: "actions", Msg: fmt.Sprintf("action type %s has no rules: every action type must end in a decision", t)}
		}
	}
	for _, rs := range spec.Global {
		c.lint(rs)
	}
	for _, as := range spec.Actions {
		for _, rs := range as.Rules {
			c.lint(rs)
		}
	}
	return e, nil
}

// info describes a compiled rule for listings.
func (c *compiler) info(r *rule, rs ruleSpec, actionTypes []string, approver string) RuleInfo {
	ri := RuleInfo{Name: r.name, Actions: slices.Clone(actionTypes), Global: actionTypes == nil, Outcome: r.outcome,
		Role: r.role, Approver: r.approver, When: strings.Join(strings.Fields(rs.When.Value), " "), Line: r.line}
	if ri.Outcome == Approval && ri.Role == "" {
		ri.Role = approver // "" for a global rule: the action's approver
	}
	if ri.Outcome == Auto && ri.Approver == "" {
		ri.Approver = approver
	}
	return ri
}

var paramName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// params compiles the params section: each NAME becomes the CEL constant
// params.NAME, in the order written (a parameter may use those above it).
func (c *compiler) params(n *yaml.Node) error {
	if n.Kind == 0 {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return &CompileError{Line: n.Line, Col: n.Column, Field: "params", Msg: "want a mapping of NAME: value"}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		field := "params." + k.Value
		if !paramName.MatchString(k.Value) {
			return &CompileError{Line: k.Line, Col: k.Column, Field: field, Msg: "a parameter name is lower-case letters, digits and _"}
		}
		if seen[k.Value] {
			return &CompileError{Line: k.Line, Col: k.Column, Field: field, Msg: "the name is used twice"}
		}
		seen[k.Value] = true
		if v.Kind != yaml.ScalarNode {
			return &CompileError{Line: v.Line, Col: v.Column, Field: field, Msg: "want a constant such as usd(2500), 0.7 or \"text\""}
		}
		sc := scalar{Value: v.Value, Line: v.Line, Col: v.Column, Style: v.Style}
		var val ref.Val
		if v.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			val = types.String(v.Value)
		} else {
			x, err := c.constant(sc, field)
			if err != nil {
				return err
			}
			val = x
			c.collectNumbers(v.Value)
		}
		var t *cel.Type
		switch val.(type) {
		case types.Int:
			t = cel.IntType
		case types.Double:
			t = cel.DoubleType
		case types.String:
			t = cel.StringType
		case types.Bool:
			t = cel.BoolType
		default:
			return c.errAt(sc, "", field, "is of type %s; want an int, a double, a string or a bool", val.Type())
		}
		env, err := c.env.Extend(cel.Constant(field, t, val))
		if err != nil {
			return c.errAt(sc, "", field, "%v", err)
		}
		c.env = env
		c.names = append(c.names, field)
		c.e.params = append(c.e.params, Param{Name: field, Expr: v.Value, Value: val.Value(), Line: v.Line})
	}
	return nil
}

// constant compiles and evaluates a parameter's expression, which may read
// no fact.
func (c *compiler) constant(s scalar, field string) (ref.Val, error) {
	ast, err := c.compileAST(s, 0, s.Value, "", field)
	if err != nil {
		return nil, err
	}
	for _, r := range ast.NativeRep().ReferenceMap() {
		if r.Value == nil && len(r.OverloadIDs) == 0 && r.Name != "" {
			return nil, c.errAt(s, "", field, "a parameter is a constant; it cannot read the fact %s", r.Name)
		}
	}
	prg, err := program(c.env, ast)
	if err != nil {
		return nil, c.errAt(s, "", field, "%v", err)
	}
	out, _, err := prg.Eval(cel.NoVars())
	if err != nil {
		return nil, c.errAt(s, "", field, "%v", err)
	}
	return out, nil
}

var numberLit = regexp.MustCompile(`(?:^|[^\w.])(\d+(?:\.\d+)?)`)

// collectNumbers notes the numeric literals of a condition or parameter.
func (c *compiler) collectNumbers(src string) {
	for _, m := range numberLit.FindAllStringSubmatch(src, -1) {
		if f, err := strconv.ParseFloat(m[1], 64); err == nil && f != 0 && f != 1 {
			c.numbers[f] = true
		}
	}
}

// compileAST compiles the CEL expression expr, which starts at rune offset
// base of s, reporting a problem at its file position.
func (c *compiler) compileAST(s scalar, base int, expr, rule, field string) (*cel.Ast, error) {
	if len(expr) > maxExprLen {
		return nil, c.errAt(s, rule, field, "expression is %d characters long, over the %d limit", len(expr), maxExprLen)
	}
	ast, iss := c.env.Compile(expr)
	if iss != nil && iss.Err() != nil {
		ce := celIssue(iss, expr, s, base, c.src, c.names)
		ce.Rule, ce.Field = rule, field
		return nil, ce
	}
	return ast, nil
}

// compileBool compiles the condition in s, which must be a bool.
func (c *compiler) compileBool(s scalar, rule, field string) (cel.Program, error) {
	expr := strings.TrimSpace(s.Value)
	base := utf8.RuneCountInString(s.Value[:strings.Index(s.Value, expr)])
	ast, err := c.compileAST(s, base, expr, rule, field)
	if err != nil {
		return nil, err
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		return nil, c.errAt(s, rule, field, "%q is of type %s, want bool", expr, ast.OutputType())
	}
	c.collectNumbers(expr)
	prg, err := program(c.env, ast)
	if err != nil {
		return nil, c.errAt(s, rule, field, "%v", err)
	}
	return prg, nil
}

var outcomeRank = map[Outcome]int{Blocked: 0, Auto: 1, Approval: 2}

// order sorts the rules blocked → auto → approval (stable within a group)
// and checks that the last is an unconditional fallback and that no rule
// sits unreachable behind an unconditional one.
func (ap *actionPolicy) order() error {
	if len(ap.rules) == 0 {
		return errors.New("no rules: every action type must end in a decision")
	}
	slices.SortStableFunc(ap.rules, func(a, b *rule) int { return outcomeRank[a.outcome] - outcomeRank[b.outcome] })
	for i, r := range ap.rules[:len(ap.rules)-1] {
		if r.when == nil {
			return fmt.Errorf("rule %s has no condition, so rule %s after it can never apply", r.name, ap.rules[i+1].name)
		}
	}
	last := ap.rules[len(ap.rules)-1]
	if last.when != nil || last.outcome == Blocked {
		return fmt.Errorf("the last rule (%s) must be an unconditional auto or approval rule so every action ends in a decision", last.name)
	}
	return nil
}

func (c *compiler) rule(rs ruleSpec, names map[string]bool) (*rule, error) {
	name := strings.TrimSpace(rs.Name.Value)
	if name == "" {
		at := rs.Name
		if at.Line == 0 {
			at = rs.When
		}
		return nil, c.errAt(at, "", "", "a rule has no name (when: %q)", rs.When.Value)
	}
	if names[name] {
		return nil, c.errAt(rs.Name, name, "", "the name is used twice")
	}
	names[name] = true
	e := c.e
	r := &rule{name: name, line: rs.Name.Line, outcome: Outcome(rs.Outcome.Value), role: rs.Role.Value, approver: rs.Approver.Value}
	switch r.outcome {
	case Blocked, Auto:
		if r.role != "" {
			return nil, c.errAt(rs.Role, name, "role", "only approval rules have a role (use approver on auto rules)")
		}
	case Approval:
		if !e.roleSet[r.role] && !(r.role == "" && r.approver == "") {
			return nil, c.errAt(rs.Role, name, "role", "%q is not one of the roles", r.role).suggest(nearest(r.role, e.roles))
		}
	default:
		at := rs.Outcome
		if at.Line == 0 {
			at = rs.Name
		}
		return nil, c.errAt(at, name, "outcome", "%q is not blocked, auto or approval", rs.Outcome.Value).
			suggest(nearest(rs.Outcome.Value, []string{string(Blocked), string(Auto), string(Approval)}))
	}
	if r.approver != "" && (r.outcome != Auto || !e.roleSet[r.approver]) {
		return nil, c.errAt(rs.Approver, name, "approver", "%q must be one of the roles, on an auto rule", r.approver).suggest(nearest(r.approver, e.roles))
	}
	if w := strings.TrimSpace(rs.When.Value); w != "" && w != "true" {
		prg, err := c.compileBool(rs.When, name, "when")
		if err != nil {
			return nil, err
		}
		r.when = prg
	}
	if len(rs.Reason) == 0 {
		return nil, c.errAt(rs.Name, name, "", "no reason: every decision must explain itself")
	}
	for i, alt := range rs.Reason {
		var rc reasonCase
		field := "reason"
		if len(rs.Reason) > 1 {
			field = fmt.Sprintf("reason[%d]", i)
		}
		if w := strings.TrimSpace(alt.When.Value); w != "" && w != "true" {
			if i == len(rs.Reason)-1 {
				return nil, c.errAt(alt.When, name, field+".when", "the last alternative must have no when")
			}
			prg, err := c.compileBool(alt.When, name, field+".when")
			if err != nil {
				return nil, err
			}
			rc.when = prg
		}
		if strings.TrimSpace(alt.Text.Value) == "" {
			at := alt.Text
			if at.Line == 0 {
				at = rs.Name
			}
			return nil, c.errAt(at, name, field, "no text")
		}
		if len(rs.Reason) > 1 {
			field += ".text"
		}
		t, err := c.compileText(alt.Text, name, field)
		if err != nil {
			return nil, err
		}
		rc.text = t
		r.reason = append(r.reason, rc)
	}
	return r, nil
}

func (ce *CompileError) suggest(s string) *CompileError {
	ce.Suggest = s
	return ce
}

// Decide applies the policy to f. It is pure: no I/O, no clock. The rules
// of f.Action.Type run blocked first, then auto, then approval, and the
// first that holds decides; a global rule (low confidence) then turns an
// auto decision into approval by the action's approver. A rule whose
// condition fails to evaluate blocks the action (fail closed). A confidence
// that is not a number counts as 0.
func (e *Engine) Decide(f Facts) Decision { return e.decide(f, nil) }

// decide is Decide; used, when set, collects the variables read.
func (e *Engine) decide(f Facts, used *[]*variable) Decision {
	if math.IsNaN(f.Confidence) {
		f.Confidence = 0
	}
	act := &activation{vars: e.vars, facts: reflect.ValueOf(&f).Elem(), used: used}
	ap := e.actions[f.Action.Type]
	if ap == nil {
		return Decision{Outcome: Blocked, Rule: "policy.unknown_action",
			Reason: fmt.Sprintf("action type %q is not one the policy knows", f.Action.Type)}
	}
	for _, r := range ap.rules {
		if r.when != nil {
			ok, err := evalBool(r.when, act)
			if err != nil {
				return Decision{Outcome: Blocked, Rule: r.name,
					Reason: fmt.Sprintf("rule %s could not be evaluated (%v), so the action is blocked", r.name, err)}
			}
			if !ok {
				continue
			}
		}
		d := Decision{Outcome: r.outcome, Role: r.role, Rule: r.name, Reason: r.explain(act)}
		if d.Outcome == Approval && d.Role == "" {
			d.Role = ap.approver
		}
		if d.Outcome == Auto {
			d = e.demote(d, r, ap, act)
		}
		return d
	}
	// Unreachable: load guarantees an unconditional last rule.
	return Decision{Outcome: Blocked, Rule: "policy.no_rule",
		Reason: fmt.Sprintf("no rule of the policy decides %s", f.Action.Type)}
}

// demote applies the global rules to an auto decision.
func (e *Engine) demote(d Decision, r *rule, ap *actionPolicy, act *activation) Decision {
	for _, g := range e.global {
		ok, err := evalBool(g.when, act)
		if err != nil || ok {
			role := r.approver
			if role == "" {
				role = ap.approver
			}
			reason := ""
			if err != nil {
				reason = fmt.Sprintf("global rule %s could not be evaluated (%v)", g.name, err)
			} else {
				reason = g.explain(act)
			}
			return Decision{Outcome: Approval, Role: role, Rule: g.name,
				Reason: reason + "; otherwise " + r.name + " would allow it: " + d.Reason}
		}
	}
	return d
}

func (r *rule) explain(act *activation) string {
	for _, rc := range r.reason {
		if rc.when != nil {
			if ok, err := evalBool(rc.when, act); err != nil || !ok {
				continue
			}
		}
		return rc.text.render(act)
	}
	return r.name
}

// Roles returns the roles the policy names, sorted.
func (e *Engine) Roles() []string { return slices.Clone(e.roles) }

// HasRole reports whether the policy names role.
func (e *Engine) HasRole(role string) bool { return e.roleSet[role] }

// Approver returns the role that approves actionType when an auto decision
// needs a person (low confidence), or "" for an unknown action type.
func (e *Engine) Approver(actionType string) string {
	if ap := e.actions[actionType]; ap != nil {
		return ap.approver
	}
	return ""
}

// Version identifies the policy: its name and a prefix of the sha256 of
// its source, e.g. "default.yaml@3f2a9c01b7d4". Cases store it with each
// decision.
func (e *Engine) Version() string { return e.version }

// Name returns the name the policy was loaded under.
func (e *Engine) Name() string { return e.name }
