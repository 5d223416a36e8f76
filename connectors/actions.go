package connectors

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Action types (DESIGN.md, action vocabulary).
const (
	ActReleaseHold         = "release_hold"
	ActAllocateFromSite    = "allocate_from_site"
	ActSubstituteItem      = "substitute_item"
	ActPartialShip         = "partial_ship"
	ActRescheduleOrder     = "reschedule_order"
	ActExpediteShipment    = "expedite_shipment"
	ActRebookCarrier       = "rebook_carrier"
	ActCorrectPrice        = "correct_price"
	ActCancelOrder         = "cancel_order"
	ActRequestCreditReview = "request_credit_review"
	ActRequestPrepayment   = "request_prepayment"
	ActRequestDocuments    = "request_documents"
	ActRequestDataFix      = "request_data_fix"
	ActNotifyCustomer      = "notify_customer"
	ActEscalate            = "escalate"
)

// ArgKind is the JSON shape of an action argument.
type ArgKind string

// Argument kinds.
const (
	ArgString ArgKind = "string"
	ArgInt    ArgKind = "integer"
	ArgInts   ArgKind = "integer[]"
	ArgMoney  ArgKind = "number"
	ArgDate   ArgKind = "date"
)

// ArgSpec describes one argument of an action type.
type ArgSpec struct {
	Name     string
	Kind     ArgKind
	Optional bool
}

// ActionSpec describes an action type of the vocabulary.
type ActionSpec struct {
	Type   string
	System string // which system executes it
	Args   []ArgSpec
	Doc    string
}

var actionSpecs = []ActionSpec{
	{ActReleaseHold, "erp", []ArgSpec{{"hold_code", ArgString, false}}, "removes that hold from the order"},
	{ActAllocateFromSite, "inventory", []ArgSpec{{"site", ArgString, false}, {"lines", ArgInts, false}}, "ships those lines from another site"},
	{ActSubstituteItem, "erp", []ArgSpec{{"line", ArgInt, false}, {"sku", ArgString, false}}, "replaces the line's item with an approved substitute"},
	{ActPartialShip, "erp", nil, "ships what is available now, backorders the rest"},
	{ActRescheduleOrder, "erp", []ArgSpec{{"new_ship_date", ArgDate, false}}, "moves the requested ship date"},
	{ActExpediteShipment, "carrier", []ArgSpec{{"shipment_id", ArgString, false}, {"service_level", ArgString, false}}, "upgrades the shipment's service"},
	{ActRebookCarrier, "carrier", []ArgSpec{{"shipment_id", ArgString, false}, {"carrier", ArgString, false}}, "moves the shipment to another carrier"},
	{ActCorrectPrice, "erp", []ArgSpec{{"line", ArgInt, false}, {"price", ArgMoney, false}}, "sets the line price"},
	{ActCancelOrder, "erp", []ArgSpec{{"reason", ArgString, false}, {"duplicate_of", ArgString, true}}, "cancels the order"},
	{ActRequestCreditReview, "tasks", []ArgSpec{{"note", ArgString, false}}, "opens a task for credit"},
	{ActRequestPrepayment, "tasks", []ArgSpec{{"amount", ArgMoney, false}}, "asks the customer to prepay"},
	{ActRequestDocuments, "tasks", []ArgSpec{{"document_type", ArgString, false}}, "asks the customer for a document"},
	{ActRequestDataFix, "tasks", []ArgSpec{{"entity", ArgString, false}, {"field", ArgString, false}}, "opens a data-stewardship task"},
	{ActNotifyCustomer, "tasks", []ArgSpec{{"message", ArgString, false}}, "sends the customer an update"},
	{ActEscalate, "tasks", []ArgSpec{{"role", ArgString, false}, {"note", ArgString, false}}, "hands the case to a role"},
}

// ActionSpecs returns the action vocabulary in a stable order.
func ActionSpecs() []ActionSpec { return append([]ActionSpec(nil), actionSpecs...) }

// LookupAction returns the spec of an action type.
func LookupAction(typ string) (ActionSpec, bool) {
	for _, s := range actionSpecs {
		if s.Type == typ {
			return s, true
		}
	}
	return ActionSpec{}, false
}

// ActionTypes returns every action type, sorted.
func ActionTypes() []string {
	out := make([]string, len(actionSpecs))
	for i, s := range actionSpecs {
		out[i] = s.Type
	}
	sort.Strings(out)
	return out
}

// Args are an action's arguments as JSON would carry them.
type Args map[string]any

// Action is a proposed or executed change to a system of record.
type Action struct {
	// ID identifies the proposal; executors deduplicate on it.
	ID      string `json:"id,omitempty"`
	Type    string `json:"type"`
	OrderID string `json:"order_id,omitempty"`
	Args    Args   `json:"args"`
}

// String renders the action as type(k=v, ...) with keys sorted.
func (a Action) String() string {
	keys := make([]string, 0, len(a.Args))
	for k := range a.Args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(a.Type)
	b.WriteByte('(')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s=%v", k, a.Args[k])
	}
	b.WriteByte(')')
	return b.String()
}

// ArgError is a missing or ill-typed action argument.
type ArgError struct {
	Action, Arg, Problem string
}

func (e *ArgError) Error() string {
	return fmt.Sprintf("%s: argument %q %s", e.Action, e.Arg, e.Problem)
}

// CheckArgs checks that a's type is in the vocabulary and that its
// arguments have the right names and shapes. It normalises numbers decoded
// from JSON (float64) into the kinds the spec names.
func (a *Action) CheckArgs() error {
	spec, ok := LookupAction(a.Type)
	if !ok {
		return fmt.Errorf("unknown action type %q (known: %s)", a.Type, strings.Join(ActionTypes(), ", "))
	}
	if a.Args == nil {
		a.Args = Args{}
	}
	for _, s := range spec.Args {
		v, present := a.Args[s.Name]
		if !present || v == nil {
			if s.Optional {
				delete(a.Args, s.Name)
				continue
			}
			return &ArgError{a.Type, s.Name, "is required"}
		}
		nv, err := normalise(s.Kind, v)
		if err != nil {
			return &ArgError{a.Type, s.Name, err.Error()}
		}
		a.Args[s.Name] = nv
	}
	for k := range a.Args {
		if !spec.hasArg(k) {
			return &ArgError{a.Type, k, "is not an argument of this action"}
		}
	}
	return nil
}

func (s ActionSpec) hasArg(name string) bool {
	for _, a := range s.Args {
		if a.Name == name {
			return true
		}
	}
	return false
}

func normalise(kind ArgKind, v any) (any, error) {
	switch kind {
	case ArgString:
		s, ok := v.(string)
		if !ok || strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("must be a non-empty string")
		}
		return s, nil
	case ArgDate:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("must be a date string YYYY-MM-DD")
		}
		if _, err := ParseDate(s); err != nil || s == "" {
			return nil, fmt.Errorf("must be a date YYYY-MM-DD, got %q", s)
		}
		return s, nil
	case ArgInt:
		return toInt(v)
	case ArgMoney:
		switch n := v.(type) {
		case float64:
			return n, nil
		case int:
			return float64(n), nil
		case int64:
			return float64(n), nil
		case json.Number:
			return n.Float64()
		}
		return nil, fmt.Errorf("must be a number")
	case ArgInts:
		switch l := v.(type) {
		case []int:
			if len(l) == 0 {
				return nil, fmt.Errorf("must list at least one line")
			}
			return l, nil
		case []any:
			if len(l) == 0 {
				return nil, fmt.Errorf("must list at least one line")
			}
			out := make([]int, len(l))
			for i, e := range l {
				n, err := toInt(e)
				if err != nil {
					return nil, fmt.Errorf("element %d %v", i, err)
				}
				out[i] = n
			}
			return out, nil
		}
		return nil, fmt.Errorf("must be a list of integers")
	}
	return nil, fmt.Errorf("has unknown kind %s", kind)
}

func toInt(v any) (int, error) {
	switch n := v.(type) {
	case int:
		return n, nil
	case int64:
		return int(n), nil
	case float64:
		if n != math.Trunc(n) {
			return 0, fmt.Errorf("must be an integer, got %v", n)
		}
		return int(n), nil
	case json.Number:
		i, err := n.Int64()
		return int(i), err
	}
	return 0, fmt.Errorf("must be an integer")
}

// Str returns a string argument, or "".
func (a Action) Str(name string) string { s, _ := a.Args[name].(string); return s }

// Int returns an integer argument (after CheckArgs), or 0.
func (a Action) Int(name string) int { n, _ := toInt(a.Args[name]); return n }

// Money returns a number argument (after CheckArgs), or 0.
func (a Action) Money(name string) float64 {
	v, _ := normalise(ArgMoney, a.Args[name])
	f, _ := v.(float64)
	return f
}

// Ints returns an integer-list argument (after CheckArgs), or nil.
func (a Action) Ints(name string) []int {
	v, _ := normalise(ArgInts, a.Args[name])
	l, _ := v.([]int)
	return l
}

// Key identifies what executing the action does, whatever proposal carries
// it: its type, its order and its arguments (canonical JSON, keys sorted).
// Two actions with the same key have the same business effect, so an
// action whose key was executed on the order is done, not proposed again.
func (a Action) Key() string {
	args := a.Args
	if args == nil {
		args = Args{}
	}
	b, err := json.Marshal(args)
	if err != nil {
		b = []byte(a.String())
	}
	return a.Type + "|" + a.OrderID + "|" + string(b)
}
