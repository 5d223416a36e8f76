package evals

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
)

// CaseFormat is the format tag of recorded case files.
const CaseFormat = "exdesk.case/v1"

// Case is one recorded case file.
type Case struct {
	Format   string              `json:"format"`
	ID       string              `json:"id"`
	Title    string              `json:"title"`
	Trigger  agent.Trigger       `json:"trigger"`
	Snapshot connectors.Snapshot `json:"snapshot"`
	Expected *Expected           `json:"expected,omitempty"`
	// File is where the case was loaded from.
	File string `json:"-"`
}

// Expected is a case's labelled outcome.
type Expected struct {
	ExceptionClass    string            `json:"exception_class"`
	AcceptableActions []string          `json:"acceptable_actions"`
	ForbiddenActions  []string          `json:"forbidden_actions"`
	Decision          *ExpectedDecision `json:"decision,omitempty"`
	MustMention       []string          `json:"must_mention"`
	AlsoDetected      []string          `json:"also_detected,omitempty"`
}

// ExpectedDecision is the guard decision expected for one action type.
type ExpectedDecision struct {
	Action  string         `json:"action"`
	Outcome policy.Outcome `json:"outcome"`
	Role    string         `json:"role,omitempty"`
}

// CaseError is a malformed case file: the file, the JSON path of the
// problem (e.g. $.snapshot.orders[0].lines[1].qty) and what is wrong.
type CaseError struct {
	File string
	Path string
	Msg  string
}

func (e *CaseError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.File, e.Path, e.Msg)
}

// Loaded is a case file and, when it is malformed, why.
type Loaded struct {
	File string
	Case *Case
	Err  error
}

// LoadDir loads every *.json file of dir, sorted by name. It fails only
// when dir cannot be read; a malformed file is returned with its error.
func LoadDir(dir string) ([]Loaded, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("cases: %w", err)
	}
	files := []string{dir}
	if info.IsDir() {
		files, err = filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			return nil, fmt.Errorf("cases: %w", err)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("cases: no *.json case files in %s", dir)
		}
	}
	sort.Strings(files)
	out := make([]Loaded, 0, len(files))
	for _, f := range files {
		c, err := LoadFile(f)
		out = append(out, Loaded{File: f, Case: c, Err: err})
	}
	return out, nil
}

// LoadFile reads and parses one case file.
func LoadFile(path string) (*Case, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &CaseError{File: path, Msg: err.Error()}
	}
	return Parse(path, b)
}

// Parse parses a case file's bytes. name is used in errors.
func Parse(name string, b []byte) (*Case, error) {
	var raw any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, &CaseError{File: name, Msg: syntaxMessage(b, err)}
	}
	if dec.More() {
		return nil, &CaseError{File: name, Msg: "trailing data after the case object; one case a file"}
	}
	if _, ok := raw.(map[string]any); !ok {
		return nil, &CaseError{File: name, Path: "$", Msg: "want a JSON object, got " + kindOf(raw)}
	}
	if err := checkShape(reflect.TypeFor[Case](), raw, "$"); err != nil {
		var pe *pathError
		if errors.As(err, &pe) {
			return nil, &CaseError{File: name, Path: pe.path, Msg: pe.msg}
		}
		return nil, &CaseError{File: name, Msg: err.Error()}
	}
	var c Case
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, &CaseError{File: name, Msg: err.Error()}
	}
	c.File = name
	if err := c.validate(); err != nil {
		var pe *pathError
		if errors.As(err, &pe) {
			return nil, &CaseError{File: name, Path: pe.path, Msg: pe.msg}
		}
		return nil, &CaseError{File: name, Msg: err.Error()}
	}
	return &c, nil
}

func syntaxMessage(b []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := position(b, se.Offset)
		return fmt.Sprintf("invalid JSON at line %d, column %d: %v", line, col, se)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected EOF") {
		line, col := position(b, int64(len(b)))
		return fmt.Sprintf("truncated JSON: the file ends at line %d, column %d before the case object is complete", line, col)
	}
	return "invalid JSON: " + err.Error()
}

func position(b []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(b)); i++ {
		if b[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

type pathError struct{ path, msg string }

func (e *pathError) Error() string { return e.path + ": " + e.msg }

func perr(path, format string, args ...any) error {
	return &pathError{path: path, msg: fmt.Sprintf(format, args...)}
}

// required lists the fields a case file must carry, by path pattern.
var requiredFields = map[string][]string{
	"Case":             {"format", "id", "trigger", "snapshot"},
	"Trigger":          {"type"},
	"Snapshot":         {"now", "orders", "customers"},
	"Customer":         {"id", "credit_limit"},
	"Item":             {"sku", "uom"},
	"Order":            {"id", "customer_id", "status", "lines", "ship_from", "ship_to"},
	"Line":             {"line", "sku", "qty", "unit_price"},
	"Hold":             {"code"},
	"Stock":            {"sku", "site", "on_hand"},
	"Inbound":          {"qty", "eta"},
	"Contract":         {"customer_id", "sku", "price", "valid_from", "valid_to"},
	"Shipment":         {"id", "order_id", "carrier", "status", "promised_delivery", "eta"},
	"ShipmentEvent":    {"code"},
	"Carrier":          {"code"},
	"Service":          {"service_level", "transit_days", "cost_per_order"},
	"Site":             {"id"},
	"Lane":             {"region", "freight_cost"},
	"Expected":         {"exception_class"},
	"ExpectedDecision": {"action", "outcome"},
	"Document":         {"type"},
}

var (
	timeType = reflect.TypeFor[time.Time]()
	dateType = reflect.TypeFor[connectors.Date]()
	rawType  = reflect.TypeFor[json.RawMessage]()
)

// checkShape walks a decoded JSON value against the Go type it must fill
// and reports the first missing required field or wrong type with its path.
func checkShape(t reflect.Type, v any, path string) error {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return nil // absent; required-ness is checked by the parent
	}
	switch {
	case t == rawType:
		return nil
	case t == timeType:
		s, ok := v.(string)
		if !ok {
			return perr(path, "want an RFC 3339 time string, got %s", kindOf(v))
		}
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			return perr(path, "want an RFC 3339 time like 2026-05-14T09:12:00Z, got %q", s)
		}
		return nil
	case t == dateType:
		s, ok := v.(string)
		if !ok {
			return perr(path, "want a date string YYYY-MM-DD, got %s", kindOf(v))
		}
		if _, err := connectors.ParseDate(s); err != nil {
			return perr(path, "want a date YYYY-MM-DD, got %q", s)
		}
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		if _, ok := v.(string); !ok {
			return perr(path, "want a string, got %s", kindOf(v))
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return perr(path, "want true or false, got %s", kindOf(v))
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, ok := v.(json.Number)
		if !ok {
			return perr(path, "want an integer, got %s", kindOf(v))
		}
		if _, err := strconv.ParseInt(string(n), 10, 64); err != nil {
			return perr(path, "want an integer, got %s", n)
		}
	case reflect.Float64, reflect.Float32:
		if _, ok := v.(json.Number); !ok {
			return perr(path, "want a number, got %s", kindOf(v))
		}
	case reflect.Slice:
		l, ok := v.([]any)
		if !ok {
			return perr(path, "want an array, got %s", kindOf(v))
		}
		for i, e := range l {
			if err := checkShape(t.Elem(), e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		if _, ok := v.(map[string]any); !ok {
			return perr(path, "want an object, got %s", kindOf(v))
		}
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return perr(path, "want an object, got %s", kindOf(v))
		}
		for _, name := range requiredFields[t.Name()] {
			if m[name] == nil {
				return perr(path+"."+name, "required field is missing")
			}
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			if fv, ok := m[name]; ok {
				if err := checkShape(f.Type, fv, path+"."+name); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func kindOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > 40 {
			x = x[:40] + "…"
		}
		return fmt.Sprintf("string %q", x)
	case json.Number:
		return "number " + string(x)
	case bool:
		return "boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

var validEvents = map[string]bool{
	connectors.EventHoldPlaced: true, connectors.EventOrderCreated: true, connectors.EventOrderChanged: true,
	connectors.EventShipmentStatus: true, connectors.EventInventoryChanged: true,
}

func (c *Case) validate() error {
	if c.Format != CaseFormat {
		return perr("$.format", "unsupported format %q; this version reads %q", c.Format, CaseFormat)
	}
	if strings.TrimSpace(c.ID) == "" {
		return perr("$.id", "must not be empty")
	}
	switch c.Trigger.Type {
	case agent.TriggerEvent:
		if !validEvents[c.Trigger.Event] {
			return perr("$.trigger.event", "unknown event %q; one of hold_placed, order_created, order_changed, shipment_status, inventory_changed", c.Trigger.Event)
		}
		if c.Trigger.OrderID == "" {
			return perr("$.trigger.order_id", "an event trigger must name its order")
		}
	case agent.TriggerQuestion:
		if strings.TrimSpace(c.Trigger.Question) == "" {
			return perr("$.trigger.question", "a question trigger needs the question text")
		}
	default:
		return perr("$.trigger.type", "want \"event\" or \"question\", got %q", c.Trigger.Type)
	}
	if id, err := c.Trigger.ResolveOrderID(); err == nil {
		found := false
		for _, o := range c.Snapshot.Orders {
			found = found || o.ID == id
		}
		if !found {
			return perr("$.trigger.order_id", "order %q is not in snapshot.orders", id)
		}
	}
	customers := map[string]bool{}
	for _, cu := range c.Snapshot.Customers {
		customers[cu.ID] = true
	}
	for i, o := range c.Snapshot.Orders {
		if !customers[o.CustomerID] {
			return perr(fmt.Sprintf("$.snapshot.orders[%d].customer_id", i), "customer %q is not in snapshot.customers", o.CustomerID)
		}
	}
	if e := c.Expected; e != nil {
		if !connectors.ValidClass(e.ExceptionClass) {
			return perr("$.expected.exception_class", "unknown class %q; one of %s", e.ExceptionClass, strings.Join(connectors.Classes(), ", "))
		}
		for i, cl := range e.AlsoDetected {
			if !connectors.ValidClass(cl) {
				return perr(fmt.Sprintf("$.expected.also_detected[%d]", i), "unknown class %q", cl)
			}
		}
		for _, l := range []struct {
			name  string
			types []string
		}{{"acceptable_actions", e.AcceptableActions}, {"forbidden_actions", e.ForbiddenActions}} {
			for i, t := range l.types {
				if _, ok := connectors.LookupAction(t); !ok {
					return perr(fmt.Sprintf("$.expected.%s[%d]", l.name, i), "unknown action type %q", t)
				}
			}
		}
		if d := e.Decision; d != nil {
			if _, ok := connectors.LookupAction(d.Action); !ok {
				return perr("$.expected.decision.action", "unknown action type %q", d.Action)
			}
			switch d.Outcome {
			case policy.Auto, policy.Blocked:
			case policy.Approval:
				if d.Role == "" {
					return perr("$.expected.decision.role", "an approval decision must name the role")
				}
			default:
				return perr("$.expected.decision.outcome", "want auto, approval or blocked, got %q", d.Outcome)
			}
		}
	}
	return nil
}
