package tools_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/tools"
)

func loadExample(t testing.TB, name string) *recorded.Connector {
	t.Helper()
	c, err := recorded.Load("../../shared/evals/examples/" + name)
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("shared examples not available: %v", err)
		}
		t.Fatal(err)
	}
	return c
}

// checkStrict asserts a schema node satisfies OpenAI strict mode.
func checkStrict(t *testing.T, tool, path string, s map[string]any) {
	t.Helper()
	typ := s["type"]
	isObject := typ == "object"
	if l, ok := typ.([]any); ok && len(l) > 0 && l[0] == "object" {
		isObject = true
	}
	if isObject {
		if s["additionalProperties"] != false {
			t.Errorf("%s %s: additionalProperties must be false", tool, path)
		}
		props, _ := s["properties"].(map[string]any)
		req, _ := s["required"].([]any)
		if len(req) != len(props) {
			t.Errorf("%s %s: required lists %d of %d properties", tool, path, len(req), len(props))
		}
		for _, r := range req {
			if _, ok := props[r.(string)]; !ok {
				t.Errorf("%s %s: required names unknown property %v", tool, path, r)
			}
		}
		for name, p := range props {
			checkStrict(t, tool, path+"."+name, p.(map[string]any))
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		checkStrict(t, tool, path+"[]", items)
	}
}

func TestEveryToolSchemaIsStrict(t *testing.T) {
	reg := tools.NewToolbox(recorded.New(connectors.Snapshot{}).Systems()).Registry()
	infos, err := reg.Infos()
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) < 11 {
		t.Fatalf("want at least 11 tools, got %d", len(infos))
	}
	for _, info := range infos {
		var s map[string]any
		if err := json.Unmarshal(info.Parameters, &s); err != nil {
			t.Fatalf("%s: %v", info.Name, err)
		}
		if s["type"] != "object" {
			t.Errorf("%s: top-level schema must be an object", info.Name)
		}
		checkStrict(t, info.Name, "$", s)
		if info.Description == "" {
			t.Errorf("%s: no description", info.Name)
		}
	}
}

func TestSchemaNullableOptional(t *testing.T) {
	type in struct {
		A string  `json:"a"`
		B *string `json:"b" enum:"x,y"`
	}
	s, err := tools.Schema(reflectType[in]())
	if err != nil {
		t.Fatal(err)
	}
	b := s["properties"].(map[string]any)["b"].(map[string]any)
	typ, ok := b["type"].([]any)
	if !ok || len(typ) != 2 || typ[1] != "null" {
		t.Fatalf("optional field must be nullable, got %v", b["type"])
	}
	if enum := b["enum"].([]any); len(enum) != 3 || enum[2] != nil {
		t.Fatalf("nullable enum must allow null, got %v", enum)
	}
}

func TestRegistryErrors(t *testing.T) {
	conn := loadExample(t, "credit-supervisor-01.json")
	reg := tools.NewToolbox(conn.Systems()).Registry()
	ctx := context.Background()
	tests := []struct {
		name, tool, args, code string
	}{
		{"unknown tool", "delete_everything", `{}`, tools.CodeUnknownTool},
		{"malformed json", "get_order", `{"order_id":`, tools.CodeBadArguments},
		{"missing argument", "get_order", `{}`, tools.CodeBadArguments},
		{"unknown argument", "get_order", `{"order_id":"SO-10047","x":1}`, tools.CodeBadArguments},
		{"wrong type", "get_order", `{"order_id":42}`, tools.CodeBadArguments},
		{"empty order id", "get_order", `{"order_id":""}`, tools.CodeBadArguments},
		{"unknown order", "get_order", `{"order_id":"SO-1"}`, tools.CodeNotFound},
		{"bad line", "find_substitutes", `{"order_id":"SO-10047","line":9}`, tools.CodeBadArguments},
		{"bad action", "estimate_impact", `{"order_id":"SO-10047","action":"launch","site":null,"lines":[],"line":null,"sku":null,"price":null,"shipment_id":null,"service_level":null,"carrier":null}`, tools.CodeBadArguments},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := &tools.Calls{}
			_, _, err := reg.Call(ctx, calls, tt.tool, json.RawMessage(tt.args))
			var te *tools.ToolError
			if !errors.As(err, &te) {
				t.Fatalf("want a ToolError, got %v", err)
			}
			if te.Code != tt.code {
				t.Fatalf("code = %s, want %s (%v)", te.Code, tt.code, te)
			}
			if got := calls.List(); len(got) != 1 || got[0].Error == "" {
				t.Fatalf("the failed call must be recorded with its error: %+v", got)
			}
		})
	}
}

func TestCreditPosition(t *testing.T) {
	conn := loadExample(t, "credit-supervisor-01.json")
	tb := tools.NewToolbox(conn.Systems())
	p, id, err := tools.Run(context.Background(), &tools.Calls{}, tb.CreditPosition, tools.OrderQuery{OrderID: "SO-10047"})
	if err != nil {
		t.Fatal(err)
	}
	if id != "t1" {
		t.Errorf("call id = %q, want t1", id)
	}
	if p.Exposure != 55000 || !p.OverLimit || p.OrderTotal != 22716 || !p.CreditHold {
		t.Fatalf("unexpected position %+v", p)
	}
}

func TestAvailabilityFindsCheapestCoveringSite(t *testing.T) {
	conn := loadExample(t, "shortage-alt-approval-01.json")
	tb := tools.NewToolbox(conn.Systems())
	a, _, err := tools.Run(context.Background(), nil, tb.Availability, tools.OrderQuery{OrderID: "SO-10103"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.ShortLines) != 1 || a.ShortLines[0] != 1 {
		t.Fatalf("short lines = %v, want [1]", a.ShortLines)
	}
	if a.Alternate == nil || a.Alternate.Site != "DC-ATL" || a.Alternate.AddedFreight != 244.85 {
		t.Fatalf("alternate = %+v, want DC-ATL with $244.85 added", a.Alternate)
	}
}

func TestDuplicatesNameTheNewerOrder(t *testing.T) {
	conn := loadExample(t, "duplicate-same-po-01.json")
	tb := tools.NewToolbox(conn.Systems())
	d, _, err := tools.Run(context.Background(), nil, tb.DuplicateOrders, tools.OrderQuery{OrderID: "SO-10145"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Candidates) != 1 || d.Candidates[0].Newer != "SO-10138" || !d.Candidates[0].SamePO {
		t.Fatalf("candidates = %+v", d.Candidates)
	}
}
