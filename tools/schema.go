package tools

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// Schema derives a JSON Schema for t that satisfies OpenAI's strict mode:
// every object lists all its properties in "required" and sets
// "additionalProperties": false; pointer fields are nullable. Field names
// come from `json` tags, descriptions from `desc` tags, enumerations from
// `enum` tags (comma-separated).
func Schema(t reflect.Type) (map[string]any, error) {
	return schemaOf(t, "", map[reflect.Type]bool{})
}

var timeType = reflect.TypeOf(time.Time{})

func schemaOf(t reflect.Type, path string, seen map[reflect.Type]bool) (map[string]any, error) {
	nullable := false
	if t.Kind() == reflect.Pointer {
		nullable = true
		t = t.Elem()
	}
	var s map[string]any
	switch {
	case t == timeType:
		s = map[string]any{"type": "string", "description": "RFC 3339 time"}
	case t.Kind() == reflect.String:
		s = map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		s = map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		s = map[string]any{"type": "integer"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		s = map[string]any{"type": "number"}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		items, err := schemaOf(t.Elem(), path+"[]", seen)
		if err != nil {
			return nil, err
		}
		s = map[string]any{"type": "array", "items": items}
	case t.Kind() == reflect.Struct:
		if seen[t] {
			return nil, fmt.Errorf("schema: recursive type %s at %s", t, path)
		}
		seen[t] = true
		defer delete(seen, t)
		props := map[string]any{}
		required := []string{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			fs, err := schemaOf(f.Type, path+"."+name, seen)
			if err != nil {
				return nil, err
			}
			if d := f.Tag.Get("desc"); d != "" {
				fs["description"] = d
			}
			if e := f.Tag.Get("enum"); e != "" {
				vals := strings.Split(e, ",")
				enum := make([]any, 0, len(vals)+1)
				for _, v := range vals {
					enum = append(enum, v)
				}
				if f.Type.Kind() == reflect.Pointer {
					enum = append(enum, nil)
				}
				fs["enum"] = enum
			}
			props[name] = fs
			required = append(required, name)
		}
		s = map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
	default:
		return nil, fmt.Errorf("schema: unsupported kind %s at %s", t.Kind(), path)
	}
	if nullable {
		s["type"] = []any{s["type"], "null"}
	}
	return s, nil
}
