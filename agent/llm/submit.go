package llm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
)

// SubmitTool is the name of the tool the model calls to finish a case.
const SubmitTool = "submit_case"

// MaxActions is the most actions one submission may propose.
const MaxActions = 10

// DefaultConfidence is the confidence of a proposed action that carries
// none (only non-strict servers can omit it): low enough that the guard
// asks a person.
const DefaultConfidence = 0.5

func severities() []string {
	return []string{agent.SeverityLow, agent.SeverityMedium, agent.SeverityHigh, agent.SeverityCritical}
}

// submitDescription tells the model what submit_case takes.
const submitDescription = "Finish the case: your reading of it and the actions you propose, best first. " +
	"args is an object with every argument name of the vocabulary; set the arguments of the action's type and leave every other one null. " +
	"The policy guard decides every action; a submission with an unknown class, action type or bad arguments comes back as an error to fix."

// SubmitSchema returns the strict-mode JSON Schema of submit_case's
// arguments. Action args are an object listing every argument name of the
// vocabulary, each nullable: the model sets those of the action's type and
// leaves the others null (strict mode cannot express a per-type union).
// ParseSubmission also accepts args as a JSON-encoded string of an object,
// as some non-strict servers send.
func SubmitSchema() map[string]any {
	classes := append(connectors.Classes(), connectors.ClassNone)
	argProps := map[string]any{}
	var argNames []string
	for _, spec := range connectors.ActionSpecs() {
		for _, a := range spec.Args {
			if _, dup := argProps[a.Name]; dup {
				continue
			}
			argNames = append(argNames, a.Name)
			argProps[a.Name] = argSchema(a.Kind)
		}
	}
	slices.Sort(argNames)
	action := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"type":       map[string]any{"type": "string", "enum": toAny(connectors.ActionTypes())},
			"order_id":   map[string]any{"type": []any{"string", "null"}, "description": "the order the action changes; null for the case's order (set it to cancel the newer order of a duplicate pair)"},
			"args":       map[string]any{"type": "object", "properties": argProps, "required": argNames, "additionalProperties": false},
			"rationale":  map[string]any{"type": "string", "description": "one sentence citing the evidence"},
			"confidence": map[string]any{"type": "number", "description": "0 to 1"},
		},
		"required":             []string{"type", "order_id", "args", "rationale", "confidence"},
		"additionalProperties": false,
	}
	return map[string]any{
		"type": "object",
		"properties": map[string]any{
			"exception_class": map[string]any{"type": "string", "enum": toAny(classes)},
			"severity":        map[string]any{"type": "string", "enum": toAny(severities())},
			"also_detected":   map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": toAny(connectors.Classes())}},
			"summary":         map[string]any{"type": "string", "description": "names the order id, the exception and the numbers behind it"},
			"actions":         map[string]any{"type": "array", "items": action, "description": "best first"},
			"evidence": map[string]any{"type": "array", "description": "the facts the summary rests on, each citing the id of your tool call it came from",
				"items": map[string]any{"type": "object", "properties": map[string]any{
					"fact":         map[string]any{"type": "string"},
					"tool_call_id": map[string]any{"type": "string", "description": "the id of the tool call whose result shows the fact"},
				}, "required": []string{"fact", "tool_call_id"}, "additionalProperties": false}},
		},
		"required":             []string{"exception_class", "severity", "also_detected", "summary", "actions", "evidence"},
		"additionalProperties": false,
	}
}

func argSchema(k connectors.ArgKind) map[string]any {
	switch k {
	case connectors.ArgInt:
		return map[string]any{"type": []any{"integer", "null"}}
	case connectors.ArgInts:
		return map[string]any{"type": []any{"array", "null"}, "items": map[string]any{"type": "integer"}}
	case connectors.ArgMoney:
		return map[string]any{"type": []any{"number", "null"}}
	case connectors.ArgDate:
		return map[string]any{"type": []any{"string", "null"}, "description": "YYYY-MM-DD"}
	}
	return map[string]any{"type": []any{"string", "null"}}
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// Submission is a validated submit_case call.
type Submission struct {
	Class        string
	Severity     string
	AlsoDetected []string
	Summary      string
	Proposals    []agent.Proposed
	// Evidence are the facts the model cites, with the model's tool call id.
	Evidence []Evidence
}

// Evidence is a fact the model cites with the id of its tool call.
type Evidence struct {
	Fact       string `json:"fact"`
	ToolCallID string `json:"tool_call_id"`
}

// ErrBadSubmission is wrapped by ParseSubmission's errors.
var ErrBadSubmission = errors.New("invalid submit_case")

// SubmissionError lists everything wrong with a submission, each problem
// with its JSON path, so the model can fix them all in one retry.
type SubmissionError struct {
	Problems []string
}

func (e *SubmissionError) Error() string {
	return "submit_case was not accepted: " + strings.Join(e.Problems, "; ")
}

// Is makes errors.Is(err, ErrBadSubmission) true.
func (e *SubmissionError) Is(target error) bool { return target == ErrBadSubmission }

type rawSubmission struct {
	ExceptionClass string      `json:"exception_class"`
	Severity       string      `json:"severity"`
	AlsoDetected   []string    `json:"also_detected"`
	Summary        string      `json:"summary"`
	Actions        []rawAction `json:"actions"`
	Evidence       []Evidence  `json:"evidence"`
}

type rawAction struct {
	Type       string          `json:"type"`
	OrderID    *string         `json:"order_id"`
	Args       json.RawMessage `json:"args"`
	Rationale  string          `json:"rationale"`
	Confidence *float64        `json:"confidence"`
}

// ParseSubmission decodes and validates submit_case arguments for order
// orderID. An action targets orderID unless it names another order (the
// newer order of a duplicate pair); the investigator rejects an action on
// an order of another customer. Confidence is clamped to [0, 1]. Problems come back as a
// *SubmissionError (wrapping ErrBadSubmission) listing all of them.
func ParseSubmission(args string, orderID string) (*Submission, error) {
	var raw rawSubmission
	if err := json.Unmarshal([]byte(args), &raw); err != nil {
		return nil, &SubmissionError{Problems: []string{fmt.Sprintf("arguments are not a JSON object of the submit_case schema: %v", err)}}
	}
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	s := &Submission{Class: strings.TrimSpace(raw.ExceptionClass), Severity: strings.TrimSpace(raw.Severity), Summary: strings.TrimSpace(raw.Summary), AlsoDetected: []string{}}
	if !connectors.ValidClass(s.Class) {
		add("exception_class %q is not a class (use one of: %s)", raw.ExceptionClass, strings.Join(append(connectors.Classes(), connectors.ClassNone), ", "))
	}
	if !slices.Contains(severities(), s.Severity) {
		add("severity %q is not one of %s", raw.Severity, strings.Join(severities(), ", "))
	}
	for i, c := range raw.AlsoDetected {
		switch {
		case !connectors.ValidClass(c) || c == connectors.ClassNone:
			add("also_detected[%d] %q is not a class", i, c)
		case c != s.Class && !slices.Contains(s.AlsoDetected, c):
			s.AlsoDetected = append(s.AlsoDetected, c)
		}
	}
	if s.Summary == "" {
		add("summary is empty: say what the exception is, with the order id and the numbers behind it")
	} else if orderID != "" && !strings.Contains(strings.ToUpper(s.Summary), strings.ToUpper(orderID)) {
		s.Summary = orderID + ": " + s.Summary
	}
	if len(raw.Actions) > MaxActions {
		add("actions lists %d actions; propose at most %d", len(raw.Actions), MaxActions)
		raw.Actions = raw.Actions[:MaxActions]
	}
	for i, ra := range raw.Actions {
		p, err := parseAction(ra, orderID)
		if err != nil {
			add("actions[%d]: %v", i, err)
			continue
		}
		s.Proposals = append(s.Proposals, p)
	}
	for i, e := range raw.Evidence {
		e.Fact, e.ToolCallID = strings.TrimSpace(e.Fact), strings.TrimSpace(e.ToolCallID)
		if e.Fact == "" || e.ToolCallID == "" {
			add("evidence[%d] needs both a fact and the tool_call_id it came from", i)
			continue
		}
		s.Evidence = append(s.Evidence, e)
	}
	if len(problems) > 0 {
		return nil, &SubmissionError{Problems: problems}
	}
	return s, nil
}

func parseAction(ra rawAction, orderID string) (agent.Proposed, error) {
	args, err := decodeActionArgs(ra.Args)
	if err != nil {
		return agent.Proposed{}, err
	}
	target := orderID
	if ra.OrderID != nil && strings.TrimSpace(*ra.OrderID) != "" {
		target = strings.ToUpper(strings.TrimSpace(*ra.OrderID))
	}
	a := connectors.Action{Type: strings.TrimSpace(ra.Type), OrderID: target, Args: args}
	if err := a.CheckArgs(); err != nil {
		return agent.Proposed{}, err
	}
	conf := DefaultConfidence
	if ra.Confidence != nil {
		conf = clamp01(*ra.Confidence)
	}
	return agent.Proposed{Action: a, Rationale: strings.TrimSpace(ra.Rationale), Confidence: conf}, nil
}

// decodeActionArgs accepts an object (null members dropped), a
// JSON-encoded string of an object, or null / absent (no args).
func decodeActionArgs(b json.RawMessage) (connectors.Args, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		return connectors.Args{}, nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("args: %v", err)
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return connectors.Args{}, nil
		}
		b = []byte(s)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("args must be an object of argument names to values: %v", err)
	}
	out := connectors.Args{}
	for k, v := range m {
		if v != nil {
			out[k] = v
		}
	}
	return out, nil
}

func clamp01(f float64) float64 {
	switch {
	case math.IsNaN(f) || f < 0:
		return 0
	case f > 1:
		return 1
	}
	return f
}
