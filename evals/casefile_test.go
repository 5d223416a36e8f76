package evals_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/exdesk/exdesk/evals"
)

const examples = "../../shared/evals/examples"

func readExample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(examples + "/" + name)
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("shared examples not available: %v", err)
		}
		t.Fatal(err)
	}
	return b
}

func TestParseErrorsNameFileAndPath(t *testing.T) {
	good := string(readExample(t, "credit-supervisor-01.json"))
	tests := []struct {
		name, src, path, msg string
	}{
		{"truncated", good[:len(good)/2], "", "truncated JSON"},
		{"syntax", `{"format": "exdesk.case/v1",, }`, "", "invalid JSON at line 1"},
		{"not an object", `[1,2]`, "$", "want a JSON object"},
		{"wrong format", strings.Replace(good, `"exdesk.case/v1"`, `"exdesk.case/v9"`, 1), "$.format", "unsupported format"},
		{"qty as string", strings.Replace(good, `"qty": 60`, `"qty": "sixty"`, 1), "$.snapshot.orders[0].lines[0].qty", "want an integer"},
		{"fractional qty", strings.Replace(good, `"qty": 60`, `"qty": 60.5`, 1), "$.snapshot.orders[0].lines[0].qty", "want an integer"},
		{"bad time", strings.Replace(good, `"now": "2026-07-03T10:01:00Z"`, `"now": "yesterday"`, 1), "$.snapshot.now", "RFC 3339"},
		{"bad date", strings.Replace(good, `"requested_ship_date": "2026-07-06"`, `"requested_ship_date": "07/06/2026"`, 1), "$.snapshot.orders[0].requested_ship_date", "YYYY-MM-DD"},
		{"bool as string", strings.Replace(good, `"credit_stop": false`, `"credit_stop": "no"`, 1), "$.snapshot.customers[0].credit_stop", "want true or false"},
		{"missing id", strings.Replace(good, `"id": "credit-supervisor-01",`, ``, 1), "$.id", "required field is missing"},
		{"missing order", strings.Replace(good, `"order_id": "SO-10047"`, `"order_id": "SO-99999"`, 1), "$.trigger.order_id", "not in snapshot.orders"},
		{"unknown trigger", strings.Replace(good, `"type": "event"`, `"type": "email"`, 1), "$.trigger.type", "want \"event\" or \"question\""},
		{"unknown class", strings.Replace(good, `"exception_class": "credit_hold"`, `"exception_class": "credit"`, 1), "$.expected.exception_class", "unknown class"},
		{"unknown action", strings.Replace(good, `"forbidden_actions": [
      "cancel_order"`, `"forbidden_actions": [
      "nuke_order"`, 1), "$.expected.forbidden_actions[0]", "unknown action type"},
		{"approval without role", strings.Replace(good, `"role": "finance_supervisor"`, `"role": ""`, 1), "$.expected.decision.role", "must name the role"},
		{"trailing data", good + "{}", "", "trailing data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(tt.src, "") {
				t.Fatal("bad fixture")
			}
			_, err := evals.Parse("case.json", []byte(tt.src))
			var ce *evals.CaseError
			if !errors.As(err, &ce) {
				t.Fatalf("want *CaseError, got %v", err)
			}
			if ce.File != "case.json" || ce.Path != tt.path || !strings.Contains(ce.Msg, tt.msg) {
				t.Fatalf("got %q (path %q), want path %q and message containing %q", err, ce.Path, tt.path, tt.msg)
			}
		})
	}
}

func TestParseAcceptsEveryExample(t *testing.T) {
	loaded, err := evals.LoadDir(examples)
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	for _, l := range loaded {
		if l.Err != nil {
			t.Errorf("%v", l.Err)
		}
	}
}

func TestUnknownFieldsAreIgnored(t *testing.T) {
	good := string(readExample(t, "credit-supervisor-01.json"))
	src := strings.Replace(good, `"title":`, `"exported_by": {"system": "x"}, "title":`, 1)
	if _, err := evals.Parse("case.json", []byte(src)); err != nil {
		t.Fatal(err)
	}
}

func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile(examples + "/credit-supervisor-01.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"format":"exdesk.case/v1","id":"x","trigger":{"type":"question","question":"SO-1?"},"snapshot":{"now":"2026-01-01T00:00:00Z","orders":[],"customers":[]}}`))
	f.Add([]byte(`{`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := evals.Parse("fuzz.json", b)
		if err == nil && c == nil {
			t.Fatal("nil case without error")
		}
		if err != nil {
			var ce *evals.CaseError
			if !errors.As(err, &ce) {
				t.Fatalf("error is not a *CaseError: %v", err)
			}
		}
	})
}
