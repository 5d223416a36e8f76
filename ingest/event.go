package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/exdesk/exdesk/connectors"
)

// Limits on what a source may send.
const (
	// MaxBatch is the most events one request may carry.
	MaxBatch = 10000
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes = 16 << 20
	maxIDLen     = 200
	maxOrderLen  = 64
	maxTypeLen   = 64
	maxDataBytes = 256 << 10
)

// Sources are the systems that may send events.
var sources = []string{"erp", "wms", "tms", "edi"}

// ErrInvalid is wrapped by every validation error: a bad event, a bad batch.
var ErrInvalid = errors.New("invalid event")

// FieldError is one problem with one event: Where locates the event
// ("events[2]", "event", "line 7"), Field names the field ("" for the event
// as a whole).
type FieldError struct {
	Where   string
	Field   string
	Problem string
}

func (e FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.Where)
	if e.Field != "" {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.Field)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Problem)
	return b.String()
}

// ValidationError lists every problem found in a batch (at most
// maxProblems). It wraps ErrInvalid.
type ValidationError struct {
	Problems []FieldError
}

const maxProblems = 100

func (e *ValidationError) Error() string {
	if len(e.Problems) == 0 {
		return ErrInvalid.Error()
	}
	s := e.Problems[0].Error()
	if n := len(e.Problems) - 1; n > 0 {
		s += fmt.Sprintf(" (and %d more)", n)
	}
	return s
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Messages returns each problem as text.
func (e *ValidationError) Messages() []string {
	out := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p.Error()
	}
	return out
}

func (e *ValidationError) add(p FieldError) {
	if len(e.Problems) < maxProblems {
		e.Problems = append(e.Problems, p)
	}
}

// ParseEvents parses a request body: one event object or an array of them.
// It returns every event, normalised, or a *ValidationError naming each bad
// field as events[i].field (event.field for a single object). No event of a
// batch is returned when any is bad.
func ParseEvents(body []byte) ([]connectors.Event, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, &ValidationError{Problems: []FieldError{{Problem: "empty body: send one event object or an array of events"}}}
	}
	if trimmed[0] != '[' {
		ev, err := ParseEvent(trimmed)
		if err != nil {
			return nil, locate(err, "event")
		}
		return []connectors.Event{ev}, nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(trimmed, &raws); err != nil {
		return nil, &ValidationError{Problems: []FieldError{{Problem: "not a JSON array of events: " + jsonProblem(err)}}}
	}
	switch {
	case len(raws) == 0:
		return nil, &ValidationError{Problems: []FieldError{{Problem: "no events in the array"}}}
	case len(raws) > MaxBatch:
		return nil, &ValidationError{Problems: []FieldError{{Problem: fmt.Sprintf("%d events in one batch; at most %d", len(raws), MaxBatch)}}}
	}
	out := make([]connectors.Event, 0, len(raws))
	verr := &ValidationError{}
	for i, raw := range raws {
		ev, err := ParseEvent(raw)
		if err != nil {
			var v *ValidationError
			if errors.As(locate(err, fmt.Sprintf("events[%d]", i)), &v) {
				for _, p := range v.Problems {
					verr.add(p)
				}
			}
			continue
		}
		out = append(out, ev)
	}
	if len(verr.Problems) > 0 {
		return nil, verr
	}
	return out, nil
}

// locate prefixes every problem of a *ValidationError with where.
func locate(err error, where string) error {
	var v *ValidationError
	if !errors.As(err, &v) {
		return err
	}
	for i := range v.Problems {
		v.Problems[i].Where = where
	}
	return v
}

// ParseEvent parses and validates one event object. Problems are reported
// without a location (Where is empty); unknown fields are refused so a
// misspelt field is not silently dropped.
func ParseEvent(raw []byte) (connectors.Event, error) {
	var ev connectors.Event
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		problem := "not a JSON object"
		if err != nil {
			problem += ": " + jsonProblem(err)
		}
		return ev, &ValidationError{Problems: []FieldError{{Problem: problem}}}
	}
	v := &ValidationError{}
	str := func(name string, maxLen int) string {
		r, ok := fields[name]
		if !ok || string(r) == "null" {
			v.add(FieldError{Field: name, Problem: "required"})
			return ""
		}
		var s string
		if err := json.Unmarshal(r, &s); err != nil {
			v.add(FieldError{Field: name, Problem: "must be a string"})
			return ""
		}
		s = strings.TrimSpace(s)
		switch {
		case s == "":
			v.add(FieldError{Field: name, Problem: "required"})
		case len(s) > maxLen:
			v.add(FieldError{Field: name, Problem: fmt.Sprintf("longer than %d bytes", maxLen)})
		case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
			v.add(FieldError{Field: name, Problem: "contains control characters or invalid UTF-8"})
		default:
			return s
		}
		return ""
	}
	ev.ID = str("id", maxIDLen)
	if src := str("source", 16); src != "" {
		src = strings.ToLower(src)
		if !slices.Contains(sources, src) {
			v.add(FieldError{Field: "source", Problem: fmt.Sprintf("%q is not one of %s", src, strings.Join(sources, ", "))})
		}
		ev.Source = src
	}
	if typ := str("type", maxTypeLen); typ != "" {
		if !validName(typ) {
			v.add(FieldError{Field: "type", Problem: fmt.Sprintf("%q must be lower case letters, digits, '_' or '.', starting with a letter (e.g. %s)", typ, connectors.EventHoldPlaced)})
		}
		ev.Type = typ
	}
	// An event that carries the state of a shipment it names, or of
	// inbound supply, may leave the order to be found from the shipment.
	if r := fields["order_id"]; !namesStateKey(fields) || len(r) > 0 && string(r) != "null" && string(r) != `""` {
		if oid := str("order_id", maxOrderLen); oid != "" {
			if strings.ContainsFunc(oid, unicode.IsSpace) {
				v.add(FieldError{Field: "order_id", Problem: "must not contain spaces"})
			}
			ev.OrderID = strings.ToUpper(oid)
		}
	}
	if at := str("at", 64); at != "" {
		t, err := time.Parse(time.RFC3339Nano, at)
		switch {
		case err != nil:
			v.add(FieldError{Field: "at", Problem: fmt.Sprintf("%q is not an RFC 3339 time such as 2026-11-26T09:30:00Z", at)})
		case t.Year() < 2000 || t.Year() > 2200:
			v.add(FieldError{Field: "at", Problem: fmt.Sprintf("year %d is out of range", t.Year())})
		default:
			ev.At = t.UTC()
		}
	}
	if r, ok := fields["data"]; ok {
		r = bytes.TrimSpace(r)
		switch {
		case string(r) == "null":
		case len(r) > maxDataBytes:
			v.add(FieldError{Field: "data", Problem: fmt.Sprintf("larger than %d bytes", maxDataBytes)})
		case len(r) == 0 || r[0] != '{':
			v.add(FieldError{Field: "data", Problem: "must be a JSON object"})
		default:
			ev.Data = append(json.RawMessage(nil), r...)
		}
	}
	if r, ok := fields["shipment"]; ok && string(r) != "null" {
		ev.Shipment = parseShipment(r, v)
		if ev.Type != "" && ev.Type != connectors.EventShipmentStatus {
			v.add(FieldError{Field: "shipment", Problem: "only shipment_status events carry a shipment's state"})
		}
	}
	if r, ok := fields["inbound"]; ok && string(r) != "null" {
		ev.Inbound = parseInbound(r, v)
		if ev.Type != "" && ev.Type != connectors.EventInventoryChanged {
			v.add(FieldError{Field: "inbound", Problem: "only inventory_changed events carry inbound supply"})
		}
	}
	var unknown []string
	for k := range fields {
		switch k {
		case "id", "source", "type", "order_id", "at", "data", "shipment", "inbound":
		default:
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		v.add(FieldError{Field: k, Problem: "unknown field"})
	}
	if len(v.Problems) > 0 {
		return connectors.Event{}, v
	}
	return ev, nil
}

func validName(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
		case i > 0 && (r >= '0' && r <= '9' || r == '_' || r == '.'):
		default:
			return false
		}
	}
	return s != ""
}

// jsonProblem words a decoding error briefly.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v at byte %d", se, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("found %s where %s was expected", te.Value, jsonKind(te.Type))
	}
	return err.Error()
}

// jsonKind names what JSON a Go type decodes from, for senders who know
// JSON and not our types (whose names also change between Go releases:
// json.RawMessage reads as jsontext.Value from Go 1.27 on).
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	switch t.Kind() {
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return "a JSON value" // json.RawMessage and []byte
		}
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another value"
}
