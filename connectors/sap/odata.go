package sap

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// OData V2 JSON, as SAP Gateway writes it (OData Version 2.0, JSON Format,
// sections "Primitive types" and "Representing Collections of Entries"):
// a single entity is {"d": {…}}, a collection {"d": {"results": […]}},
// an expanded to-many navigation property {"results": […]}, an unexpanded
// one {"__deferred": {"uri": …}}; Edm.DateTime and Edm.DateTimeOffset are
// "/Date(<ms since 1970>[±hhmm])/"; Edm.Decimal is a string.

// ParseDate parses an OData V2 JSON date: /Date(ms)/, with an optional
// offset /Date(ms+hhmm)/ (the instant is ms; the offset only says the zone
// it was written in). The empty string is the zero time.
func ParseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	m := dateRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, fmt.Errorf("OData date %q is not /Date(milliseconds)/", truncate(s, 40))
	}
	ms, err := strconv.ParseInt(m[1], 10, 64)
	// Years 0001–9999: SAP's own range for dates.
	if err != nil || ms < -62135596800000 || ms > 253402300799999 {
		return time.Time{}, fmt.Errorf("OData date %q is out of range", truncate(s, 40))
	}
	t := time.UnixMilli(ms).UTC()
	if m[2] != "" {
		sign, hh, mm := m[2][0], m[2][1:3], m[2][3:5]
		h, _ := strconv.Atoi(hh)
		mi, _ := strconv.Atoi(mm)
		if h > 23 || mi > 59 {
			return time.Time{}, fmt.Errorf("OData date %q has an invalid offset", truncate(s, 40))
		}
		off := h*3600 + mi*60
		if sign == '-' {
			off = -off
		}
		t = t.In(time.FixedZone("", off))
	}
	return t, nil
}

var dateRE = regexp.MustCompile(`^/Date\((-?[0-9]{1,16})([+-][0-9]{4})?\)/$`)

// FormatDate writes t as an OData V2 JSON date /Date(ms)/.
func FormatDate(t time.Time) string { return fmt.Sprintf("/Date(%d)/", t.UnixMilli()) }

// ParseDecimal parses an Edm.Decimal as SAP writes it: an optional minus,
// digits, and an optional fraction ("12.500", "-3", ".5" is refused). The
// empty string is 0.
func ParseDecimal(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	if len(s) > 40 || !decimalRE.MatchString(s) {
		return 0, fmt.Errorf("OData decimal %q is not digits with an optional fraction", truncate(s, 40))
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("OData decimal %q is out of range", truncate(s, 40))
	}
	return f, nil
}

var decimalRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// date is an Edm.DateTime or Edm.DateTimeOffset property.
type date struct{ time.Time }

func (d *date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("OData date must be a string, got %s", truncate(string(b), 40))
	}
	t, err := ParseDate(s)
	if err != nil {
		return err
	}
	d.Time = t
	return nil
}

// decimal is an Edm.Decimal property: a string, or a number from a lenient
// server.
type decimal float64

func (d *decimal) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = 0
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var f float64
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("OData decimal must be a string, got %s", truncate(string(b), 40))
		}
		*d = decimal(f)
		return nil
	}
	f, err := ParseDecimal(s)
	if err != nil {
		return err
	}
	*d = decimal(f)
	return nil
}

// many is an expanded to-many navigation property ({"results": […]}); an
// unexpanded one ({"__deferred": …}) decodes as Deferred.
type many[T any] struct {
	Results  []T `json:"results"`
	Deferred *struct {
		URI string `json:"uri"`
	} `json:"__deferred"`
}

// single is {"d": {…}}; collection is {"d": {"results": […]}}.
type single[T any] struct {
	D *T `json:"d"`
}

type collection[T any] struct {
	D *struct {
		Results []T    `json:"results"`
		Next    string `json:"__next"`
	} `json:"d"`
}

type metadata struct {
	Etag string `json:"etag"`
}

// keyLiteral writes an Edm.String key value as an OData literal ('…', with
// quotes doubled) escaped for a path: A_SalesOrder('4711').
func keyLiteral(s string) string {
	return url.PathEscape("'" + strings.ReplaceAll(s, "'", "''") + "'")
}

// stringLiteral writes s as an OData string literal for $filter and
// function import parameters.
func stringLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// odataError is SAP Gateway's error body.
type odataError struct {
	Error struct {
		Code    string `json:"code"`
		Message struct {
			Value string `json:"value"`
		} `json:"message"`
	} `json:"error"`
}

func describe(body []byte) (string, string) {
	var e odataError
	if json.Unmarshal(body, &e) != nil {
		return "", ""
	}
	return e.Error.Code, e.Error.Message.Value
}

var errNoEntity = errors.New(`the answer has no "d" object`)
