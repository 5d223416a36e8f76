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
	"slices"
	"strings"

	"github.com/google/cel-go/cel"
	"gopkg.in/yaml.v3"

	"github.com/exdesk/exdesk/connectors"
)

//go:embed default.yaml
var defaultYAML []byte

// DefaultName is the name of the embedded default policy.
const DefaultName = "default.yaml"

// EnvVar names the environment variable that points at a policy file
// overriding the embedded default.
const EnvVar = "EXDESK_POLICY"

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
}

// actionPolicy is the rules of one action type, in evaluation order.
type actionPolicy struct {
	approver string
	rules    []*rule // blocked rules, then auto, then approval; the last is unconditional
}

// rule is one compiled rule.
type rule struct {
	name     string
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
	Roles   []string     `yaml:"roles"`
	Global  []ruleSpec   `yaml:"global"`
	Actions []actionSpec `yaml:"actions"`
}

type actionSpec struct {
	Types    []string   `yaml:"types"`
	Approver string     `yaml:"approver"`
	Rules    []ruleSpec `yaml:"rules"`
}

type ruleSpec struct {
	Name     string     `yaml:"name"`
	Outcome  string     `yaml:"outcome"`
	Role     string     `yaml:"role"`
	Approver string     `yaml:"approver"`
	When     string     `yaml:"when"`
	Reason   reasonSpec `yaml:"reason"`
}

// reasonSpec is either one template string or a list of {when, text}
// alternatives, the first whose condition holds giving the reason.
type reasonSpec []reasonAlt

type reasonAlt struct {
	When string `yaml:"when"`
	Text string `yaml:"text"`
}

// UnmarshalYAML accepts a string or a list of {when, text}.
func (r *reasonSpec) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*r = reasonSpec{{Text: n.Value}}
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
	return Load(filepath.Base(path), src)
}

// FromEnv loads the file named by EXDESK_POLICY, or the embedded default
// when the variable is unset or empty.
func FromEnv() (*Engine, error) {
	if p := strings.TrimSpace(os.Getenv(EnvVar)); p != "" {
		e, err := LoadFile(p)
		if err != nil {
			return nil, fmt.Errorf("%s=%s: %w", EnvVar, p, err)
		}
		return e, nil
	}
	return Default()
}

// Load compiles a policy file named name (the name is used in errors and
// in Version). Every condition and reason is compiled here; a rule that does
// not compile is rejected with the rule's name and the CEL error.
func Load(name string, src []byte) (e *Engine, err error) {
	defer func() { // the YAML decoder is fed outside input; never let it take the process down
		if r := recover(); r != nil {
			e, err = nil, fmt.Errorf("policy %s: malformed file: %v", name, r)
		}
	}()
	var spec fileSpec
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&spec); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("policy %s: the file is empty", name)
		}
		return nil, fmt.Errorf("policy %s: %w", name, err)
	}
	e, err = compile(spec)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", name, err)
	}
	sum := sha256.Sum256(src)
	e.name = name
	e.version = name + "@" + hex.EncodeToString(sum[:6])
	return e, nil
}

func compile(spec fileSpec) (*Engine, error) {
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
	for i := range vars {
		e.vars[vars[i].name] = &vars[i]
	}
	if len(spec.Roles) == 0 {
		return nil, errors.New("roles: the file names no roles")
	}
	for _, r := range spec.Roles {
		if strings.TrimSpace(r) == "" || e.roleSet[r] {
			return nil, fmt.Errorf("roles: %q is empty or listed twice", r)
		}
		e.roleSet[r] = true
		e.roles = append(e.roles, r)
	}
	slices.Sort(e.roles)
	names := map[string]bool{}
	for _, rs := range spec.Global {
		r, err := e.compileRule(env, rs, names)
		if err != nil {
			return nil, err
		}
		if r.outcome != Approval || r.role != "" || r.when == nil {
			return nil, fmt.Errorf("rule %s: a global rule turns auto into approval by the action's approver: it needs outcome approval, a when condition and no role", r.name)
		}
		e.global = append(e.global, r)
	}
	for i, as := range spec.Actions {
		if len(as.Types) == 0 {
			return nil, fmt.Errorf("actions[%d]: no types listed", i)
		}
		if !e.roleSet[as.Approver] {
			return nil, fmt.Errorf("actions[%d] (%s): approver %q is not one of the roles", i, strings.Join(as.Types, ", "), as.Approver)
		}
		ap := &actionPolicy{approver: as.Approver}
		for _, rs := range as.Rules {
			r, err := e.compileRule(env, rs, names)
			if err != nil {
				return nil, err
			}
			ap.rules = append(ap.rules, r)
		}
		if err := ap.order(); err != nil {
			return nil, fmt.Errorf("actions[%d] (%s): %w", i, strings.Join(as.Types, ", "), err)
		}
		for _, t := range as.Types {
			if _, ok := connectors.LookupAction(t); !ok {
				return nil, fmt.Errorf("actions[%d]: %q is not an action type (known: %s)", i, t, strings.Join(connectors.ActionTypes(), ", "))
			}
			if e.actions[t] != nil {
				return nil, fmt.Errorf("actions[%d]: action type %s has rules twice", i, t)
			}
			e.actions[t] = ap
		}
	}
	for _, t := range connectors.ActionTypes() {
		if e.actions[t] == nil {
			return nil, fmt.Errorf("action type %s has no rules: every action type must end in a decision", t)
		}
	}
	return e, nil
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

func (e *Engine) compileRule(env *cel.Env, rs ruleSpec, names map[string]bool) (*rule, error) {
	if strings.TrimSpace(rs.Name) == "" {
		return nil, fmt.Errorf("a rule has no name (when: %q)", rs.When)
	}
	if names[rs.Name] {
		return nil, fmt.Errorf("rule %s: the name is used twice", rs.Name)
	}
	names[rs.Name] = true
	r := &rule{name: rs.Name, outcome: Outcome(rs.Outcome), role: rs.Role, approver: rs.Approver}
	switch r.outcome {
	case Blocked, Auto:
		if r.role != "" {
			return nil, fmt.Errorf("rule %s: only approval rules have a role (use approver on auto rules)", r.name)
		}
	case Approval:
		if !e.roleSet[r.role] && !(r.role == "" && rs.Approver == "") {
			return nil, fmt.Errorf("rule %s: role %q is not one of the roles", r.name, r.role)
		}
	default:
		return nil, fmt.Errorf("rule %s: outcome %q is not blocked, auto or approval", r.name, rs.Outcome)
	}
	if r.approver != "" && (r.outcome != Auto || !e.roleSet[r.approver]) {
		return nil, fmt.Errorf("rule %s: approver %q must be one of the roles, on an auto rule", r.name, r.approver)
	}
	if w := strings.TrimSpace(rs.When); w != "" && w != "true" {
		prg, err := compileBool(env, w)
		if err != nil {
			return nil, fmt.Errorf("rule %s: when: %w", r.name, err)
		}
		r.when = prg
	}
	if len(rs.Reason) == 0 {
		return nil, fmt.Errorf("rule %s: no reason: every decision must explain itself", r.name)
	}
	for i, alt := range rs.Reason {
		var rc reasonCase
		if w := strings.TrimSpace(alt.When); w != "" && w != "true" {
			if i == len(rs.Reason)-1 {
				return nil, fmt.Errorf("rule %s: reason: the last alternative must have no when", r.name)
			}
			prg, err := compileBool(env, w)
			if err != nil {
				return nil, fmt.Errorf("rule %s: reason[%d].when: %w", r.name, i, err)
			}
			rc.when = prg
		}
		if strings.TrimSpace(alt.Text) == "" {
			return nil, fmt.Errorf("rule %s: reason[%d] has no text", r.name, i)
		}
		t, err := compileText(env, e.vars, alt.Text)
		if err != nil {
			return nil, fmt.Errorf("rule %s: reason: %w", r.name, err)
		}
		rc.text = t
		r.reason = append(r.reason, rc)
	}
	return r, nil
}

// Decide applies the policy to f. It is pure: no I/O, no clock. The rules
// of f.Action.Type run blocked first, then auto, then approval, and the
// first that holds decides; a global rule (low confidence) then turns an
// auto decision into approval by the action's approver. A rule whose
// condition fails to evaluate blocks the action (fail closed). A confidence
// that is not a number counts as 0.
func (e *Engine) Decide(f Facts) Decision {
	if math.IsNaN(f.Confidence) {
		f.Confidence = 0
	}
	act := &activation{vars: e.vars, facts: reflect.ValueOf(&f).Elem()}
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
