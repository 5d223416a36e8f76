package cloudevents

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Content types of the HTTP binding.
const (
	ContentTypeStructured = "application/cloudevents+json"
	ContentTypeBatch      = "application/cloudevents-batch+json"
)

// Limits on what a source may send.
const (
	MaxBatch        = 10000
	MaxDataBytes    = 256 << 10
	maxIDLen        = 200
	maxURILen       = 1024
	maxTypeLen      = 256
	maxSubjectLen   = 256
	maxExtensions   = 32
	maxExtensionLen = 1024
)

// Event is one CloudEvent.
type Event struct {
	ID, Source, SpecVersion, Type string
	Subject, DataContentType      string
	DataSchema                    string
	Time                          time.Time
	// Data is the data as JSON: the JSON value of a JSON event, or a JSON
	// string holding the text of non-JSON data (data_base64 decoded).
	Data json.RawMessage
	// Extensions are the extension attributes, as strings.
	Extensions map[string]string
}

// Problem is one thing wrong with one event: Index is its position in a
// batch (-1 for a single event), Attribute the attribute ("" for the
// event as a whole).
type Problem struct {
	Index     int
	ID        string
	Attribute string
	Problem   string
}

// Problems is every problem found in a request (at most 100).
type Problems []Problem

func (p Problems) Error() string {
	if len(p) == 0 {
		return "invalid CloudEvents"
	}
	s := p[0].String()
	if len(p) > 1 {
		s += fmt.Sprintf(" (and %d more)", len(p)-1)
	}
	return s
}

func (p Problem) String() string {
	where := "cloudevent"
	if p.Index >= 0 {
		where = fmt.Sprintf("cloudevents[%d]", p.Index)
	}
	if p.Attribute != "" {
		where += "." + p.Attribute
	}
	return where + ": " + p.Problem
}

func (p *Problems) add(pr Problem) {
	if len(*p) < 100 {
		*p = append(*p, pr)
	}
}

// Mode is how a request carries CloudEvents, or ModeNone.
type Mode int

// Modes of the HTTP binding.
const (
	ModeNone Mode = iota
	ModeStructured
	ModeBatch
	ModeBinary
)

// ModeOf says how an HTTP request carries CloudEvents.
func ModeOf(h http.Header) Mode {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	switch {
	case mt == ContentTypeStructured:
		return ModeStructured
	case mt == ContentTypeBatch:
		return ModeBatch
	case h.Get("ce-specversion") != "":
		return ModeBinary
	}
	return ModeNone
}

// Read reads the CloudEvents of an HTTP request: every event, or the
// Problems of the bad ones (none is returned when any is bad).
func Read(h http.Header, body []byte) ([]Event, error) {
	switch ModeOf(h) {
	case ModeStructured:
		e, err := ReadStructured(body)
		if err != nil {
			return nil, err
		}
		return []Event{e}, nil
	case ModeBatch:
		return ReadBatch(body)
	case ModeBinary:
		e, err := ReadBinary(h, body)
		if err != nil {
			return nil, err
		}
		return []Event{e}, nil
	}
	return nil, Problems{{Index: -1, Problem: "not a CloudEvents request: send " + ContentTypeStructured + ", " + ContentTypeBatch + " or ce-* headers"}}
}

// ReadStructured reads one event in the JSON event format.
func ReadStructured(body []byte) (Event, error) {
	var ps Problems
	e := readJSON(bytes.TrimSpace(body), -1, &ps)
	if len(ps) > 0 {
		return Event{}, ps
	}
	return e, nil
}

// ReadBatch reads a JSON array of events.
func ReadBatch(body []byte) ([]Event, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(bytes.TrimSpace(body), &raws); err != nil {
		return nil, Problems{{Index: -1, Problem: "a batch must be a JSON array of events: " + err.Error()}}
	}
	switch {
	case len(raws) == 0:
		return nil, Problems{{Index: -1, Problem: "no events in the batch"}}
	case len(raws) > MaxBatch:
		return nil, Problems{{Index: -1, Problem: fmt.Sprintf("%d events in one batch; at most %d", len(raws), MaxBatch)}}
	}
	var ps Problems
	out := make([]Event, 0, len(raws))
	for i, raw := range raws {
		out = append(out, readJSON(raw, i, &ps))
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return out, nil
}

// attrs validates attributes shared by both formats.
type attrs struct {
	index int
	id    string
	ps    *Problems
}

func (a *attrs) bad(attr, format string, args ...any) {
	a.ps.add(Problem{Index: a.index, ID: a.id, Attribute: attr, Problem: fmt.Sprintf(format, args...)})
}

func (a *attrs) text(attr, v string, maxLen int, required bool) string {
	switch {
	case v == "" && required:
		a.bad(attr, "required")
	case len(v) > maxLen:
		a.bad(attr, "longer than %d bytes", maxLen)
	case !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl):
		a.bad(attr, "contains control characters or invalid UTF-8")
	default:
		return v
	}
	return ""
}

func (a *attrs) check(e *Event) {
	e.ID = a.text("id", e.ID, maxIDLen, true)
	a.id = e.ID
	e.Source = a.text("source", e.Source, maxURILen, true)
	if e.Source != "" {
		if _, err := url.Parse(e.Source); err != nil {
			a.bad("source", "%q is not a URI-reference", e.Source)
		}
	}
	switch e.SpecVersion {
	case "1.0":
	case "":
		a.bad("specversion", "required")
	default:
		a.bad("specversion", "%q is not supported: send 1.0", e.SpecVersion)
	}
	e.Type = a.text("type", e.Type, maxTypeLen, true)
	e.Subject = a.text("subject", e.Subject, maxSubjectLen, false)
	e.DataContentType = a.text("datacontenttype", e.DataContentType, maxTypeLen, false)
	e.DataSchema = a.text("dataschema", e.DataSchema, maxURILen, false)
	if len(e.Extensions) > maxExtensions {
		a.bad("", "%d extension attributes; at most %d", len(e.Extensions), maxExtensions)
	}
	names := make([]string, 0, len(e.Extensions))
	for k := range e.Extensions {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if !validName(k) {
			a.bad(k, "extension attribute names are lower-case letters and digits, at most 20")
		}
		if len(e.Extensions[k]) > maxExtensionLen {
			a.bad(k, "longer than %d bytes", maxExtensionLen)
		}
	}
	if len(e.Data) > MaxDataBytes {
		a.bad("data", "larger than %d bytes", MaxDataBytes)
	}
}

func validName(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// contextAttrs are the attributes of the JSON format that are not
// extensions.
var contextAttrs = []string{"id", "source", "specversion", "type", "subject", "time", "datacontenttype", "dataschema", "data", "data_base64"}

// readJSON reads one event of the JSON format.
func readJSON(raw json.RawMessage, index int, ps *Problems) Event {
	a := &attrs{index: index, ps: ps}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		a.bad("", "not a JSON object")
		return Event{}
	}
	str := func(name string) string {
		r, ok := fields[name]
		if !ok || string(r) == "null" {
			return ""
		}
		var s string
		if err := json.Unmarshal(r, &s); err != nil {
			a.bad(name, "must be a string")
		}
		return s
	}
	e := Event{ID: str("id"), Source: str("source"), SpecVersion: str("specversion"), Type: str("type"), Subject: str("subject"),
		DataContentType: str("datacontenttype"), DataSchema: str("dataschema")}
	a.id = e.ID
	if t := str("time"); t != "" {
		if at, err := parseTime(t); err != nil {
			a.bad("time", "%q is not an RFC 3339 time", t)
		} else {
			e.Time = at
		}
	}
	if d, ok := fields["data"]; ok && string(d) != "null" {
		e.Data = d
	}
	if b64 := str("data_base64"); b64 != "" {
		if e.Data != nil {
			a.bad("data_base64", "an event has data or data_base64, not both")
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		switch {
		case err != nil:
			a.bad("data_base64", "not base64")
		case len(raw) > MaxDataBytes:
			a.bad("data_base64", "larger than %d bytes", MaxDataBytes)
		default:
			e.Data = dataOf(raw, e.DataContentType)
		}
	}
	for k, v := range fields {
		if slices.Contains(contextAttrs, k) {
			continue
		}
		if e.Extensions == nil {
			e.Extensions = map[string]string{}
		}
		var s any
		if err := json.Unmarshal(v, &s); err != nil {
			continue
		}
		switch x := s.(type) {
		case string:
			e.Extensions[k] = x
		case float64, bool:
			e.Extensions[k] = string(v)
		default:
			a.bad(k, "extension attributes are strings, numbers or booleans")
		}
	}
	a.check(&e)
	return e
}

// dataOf returns raw data as JSON: itself when the content type is JSON
// and it is valid JSON, else a JSON string of its text.
func dataOf(raw []byte, contentType string) json.RawMessage {
	mt, _, _ := mime.ParseMediaType(contentType)
	if (mt == "" || mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/json") && json.Valid(raw) {
		return json.RawMessage(bytes.TrimSpace(raw))
	}
	b, _ := json.Marshal(strings.ToValidUTF8(string(raw), "?"))
	return b
}

// ReadBinary reads an event of the binary HTTP mode: ce-* headers (percent
// encoded), the body as data.
func ReadBinary(h http.Header, body []byte) (Event, error) {
	var ps Problems
	a := &attrs{index: -1, ps: &ps}
	get := func(name string) string {
		v := h.Get("ce-" + name)
		if v == "" {
			return ""
		}
		d, err := url.PathUnescape(v)
		if err != nil {
			a.bad(name, "ce-%s is not percent-encoded correctly", name)
			return ""
		}
		return d
	}
	e := Event{ID: get("id"), Source: get("source"), SpecVersion: get("specversion"), Type: get("type"), Subject: get("subject"),
		DataSchema: get("dataschema"), DataContentType: h.Get("Content-Type")}
	a.id = e.ID
	if t := get("time"); t != "" {
		if at, err := parseTime(t); err != nil {
			a.bad("time", "%q is not an RFC 3339 time", t)
		} else {
			e.Time = at
		}
	}
	for k := range h {
		lk := strings.ToLower(k)
		name, ok := strings.CutPrefix(lk, "ce-")
		if !ok || slices.Contains(contextAttrs, name) {
			continue
		}
		if e.Extensions == nil {
			e.Extensions = map[string]string{}
		}
		e.Extensions[name] = get(name)
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if len(body) > MaxDataBytes {
			a.bad("data", "larger than %d bytes", MaxDataBytes)
		} else {
			e.Data = dataOf(body, e.DataContentType)
		}
	}
	a.check(&e)
	if len(ps) > 0 {
		return Event{}, ps
	}
	return e, nil
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}
