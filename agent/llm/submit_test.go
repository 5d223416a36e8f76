package llm

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/exdesk/exdesk/connectors"
)

func TestParseSubmission(t *testing.T) {
	const order = "SO-10047"
	tests := []struct {
		name    string
		args    string
		wantErr []string // substrings of the error; nil means valid
		check   func(t *testing.T, s *Submission)
	}{
		{
			name: "valid object args with nulls",
			args: `{"exception_class":"credit_hold","severity":"high","also_detected":["credit_hold","pricing_mismatch","pricing_mismatch"],"summary":"SO-10047 is over its limit","actions":[{"type":"release_hold","args":{"hold_code":"CREDIT","site":null},"rationale":"r","confidence":1.7},{"type":"request_prepayment","args":{"amount":5000},"rationale":"r","confidence":-2}]}`,
			check: func(t *testing.T, s *Submission) {
				if s.Class != "credit_hold" || len(s.Proposals) != 2 {
					t.Fatalf("got %+v", s)
				}
				if got := s.AlsoDetected; len(got) != 1 || got[0] != "pricing_mismatch" {
					t.Errorf("also_detected = %v", got)
				}
				if c := s.Proposals[0].Confidence; c != 1 {
					t.Errorf("confidence not clamped high: %v", c)
				}
				if c := s.Proposals[1].Confidence; c != 0 {
					t.Errorf("confidence not clamped low: %v", c)
				}
				if a := s.Proposals[0].Action; a.OrderID != order || a.Str("hold_code") != "CREDIT" || len(a.Args) != 1 {
					t.Errorf("action = %+v", a)
				}
			},
		},
		{
			name: "args as a JSON string, summary without order id",
			args: `{"exception_class":"inventory_shortage","severity":"low","also_detected":[],"summary":"short on line 1","actions":[{"type":"allocate_from_site","args":"{\"site\":\"DC-ATL\",\"lines\":[1]}","rationale":"r"}]}`,
			check: func(t *testing.T, s *Submission) {
				a := s.Proposals[0]
				if a.Action.Str("site") != "DC-ATL" || len(a.Action.Ints("lines")) != 1 || a.Confidence != DefaultConfidence {
					t.Errorf("proposal = %+v", a)
				}
				if !strings.HasPrefix(s.Summary, order) {
					t.Errorf("summary = %q", s.Summary)
				}
			},
		},
		{name: "not JSON", args: `{"exception_class":`, wantErr: []string{"not a JSON object"}},
		{name: "unknown class and severity", args: `{"exception_class":"fraud","severity":"meh","also_detected":["x"],"summary":"s","actions":[]}`, wantErr: []string{`exception_class "fraud"`, `severity "meh"`, `also_detected[0]`}},
		{name: "unknown action type", args: `{"exception_class":"credit_hold","severity":"low","also_detected":[],"summary":"s","actions":[{"type":"approve_everything","args":{},"rationale":"","confidence":1}]}`, wantErr: []string{`actions[0]`, `unknown action type "approve_everything"`}},
		{name: "missing arg", args: `{"exception_class":"credit_hold","severity":"low","also_detected":[],"summary":"s","actions":[{"type":"release_hold","args":{"hold_code":null},"rationale":"","confidence":1}]}`, wantErr: []string{`"hold_code" is required`}},
		{name: "ill-typed arg", args: `{"exception_class":"pricing_mismatch","severity":"low","also_detected":[],"summary":"s","actions":[{"type":"correct_price","args":{"line":1.5,"price":3},"rationale":"","confidence":1}]}`, wantErr: []string{`"line" must be an integer`}},
		{name: "foreign arg", args: `{"exception_class":"credit_hold","severity":"low","also_detected":[],"summary":"s","actions":[{"type":"partial_ship","args":{"hold_code":"CREDIT"},"rationale":"","confidence":1}]}`, wantErr: []string{`not an argument of this action`}},
		{name: "empty summary", args: `{"exception_class":"none","severity":"low","also_detected":[],"summary":" ","actions":[]}`, wantErr: []string{"summary is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSubmission(tt.args, order)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				tt.check(t, s)
				return
			}
			if !errors.Is(err, ErrBadSubmission) {
				t.Fatalf("err = %v, want ErrBadSubmission", err)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestSubmitSchemaIsStrict(t *testing.T) {
	var walk func(path string, v any)
	walk = func(path string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		if props, ok := m["properties"].(map[string]any); ok {
			if m["additionalProperties"] != false {
				t.Errorf("%s: additionalProperties not false", path)
			}
			req, _ := m["required"].([]string)
			if len(req) != len(props) {
				t.Errorf("%s: required %v does not list all %d properties", path, req, len(props))
			}
			for k, p := range props {
				walk(path+"."+k, p)
			}
		}
		if items, ok := m["items"]; ok {
			walk(path+"[]", items)
		}
	}
	walk("$", SubmitSchema())
	// every arg of the vocabulary is in the schema
	b, _ := json.Marshal(SubmitSchema())
	for _, s := range connectors.ActionSpecs() {
		for _, a := range s.Args {
			if !strings.Contains(string(b), `"`+a.Name+`"`) {
				t.Errorf("schema lacks arg %s", a.Name)
			}
		}
	}
}

func FuzzParseSubmission(f *testing.F) {
	seeds := []string{
		`{"exception_class":"credit_hold","severity":"high","also_detected":[],"summary":"SO-1","actions":[{"type":"release_hold","args":{"hold_code":"CREDIT"},"rationale":"r","confidence":0.9}]}`,
		`{"exception_class":"inventory_shortage","severity":"low","also_detected":["x"],"summary":"","actions":[{"type":"allocate_from_site","args":"{\"site\":\"A\",\"lines\":[1,2]}","confidence":5}]}`,
		`{"actions":[{"type":"correct_price","args":{"line":"1","price":[]}}]}`,
		`[]`, `null`, `{"actions":[{"args":"\"x\""}]}`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		s, err := ParseSubmission(args, "SO-1")
		if err != nil {
			if !errors.Is(err, ErrBadSubmission) {
				t.Fatalf("error does not wrap ErrBadSubmission: %v", err)
			}
			return
		}
		for _, p := range s.Proposals {
			if p.Confidence < 0 || p.Confidence > 1 || math.IsNaN(p.Confidence) {
				t.Errorf("confidence %v out of [0,1]", p.Confidence)
			}
			if p.Action.OrderID != "SO-1" {
				t.Errorf("action targets %q", p.Action.OrderID)
			}
			a := p.Action
			if err := a.CheckArgs(); err != nil {
				t.Errorf("accepted action fails CheckArgs: %v", err)
			}
		}
	})
}

func TestSubmissionActionOrder(t *testing.T) {
	args := `{"exception_class":"duplicate_order","severity":"low","also_detected":[],"summary":"SO-1 duplicates SO-2","evidence":[],
	"actions":[{"type":"cancel_order","order_id":"so-2","args":{"reason":"dup","duplicate_of":"SO-1"},"rationale":"newer","confidence":0.9},
	           {"type":"notify_customer","order_id":null,"args":{"message":"hi"},"rationale":"tell","confidence":0.9}]}`
	s, err := ParseSubmission(args, "SO-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{s.Proposals[0].Action.OrderID, s.Proposals[1].Action.OrderID}; got[0] != "SO-2" || got[1] != "SO-1" {
		t.Fatalf("orders = %v, want [SO-2 SO-1]", got)
	}
}
