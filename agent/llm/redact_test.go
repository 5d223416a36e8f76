package llm

import (
	"encoding/json"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"email", "call me at jane.doe+po@acme-supply.co.uk today", "call me at [email] today"},
		{"two emails", "a@b.io, c.d@e.com", "[email], [email]"},
		{"us phone dashes", "phone 555-123-4567.", "phone [phone]."},
		{"us phone parens", "(555) 123-4567", "[phone]"},
		{"us phone dots", "555.123.4567", "[phone]"},
		{"international", "+44 20 7946 0958 or +1-312-555-0199", "[phone] or [phone]"},
		{"e164", "+493012345678", "[phone]"},
		{"date", "ship 2026-07-06 at 15:01:00", "ship 2026-07-06 at 15:01:00"},
		{"rfc3339", "2026-07-02T15:01:00Z", "2026-07-02T15:01:00Z"},
		{"order and po ids", "SO-10042 PO-575198 SKU-9133 C-481", "SO-10042 PO-575198 SKU-9133 C-481"},
		{"amounts", "total 22716.00, open AR 32284.5, ratio 1.099", "total 22716.00, open AR 32284.5, ratio 1.099"},
		{"postal code", "Riverton 20728 US", "Riverton 20728 US"},
		{"json numbers", `{"lines":[1,2,3],"qty":1200,"eta":"2026-07-09"}`, `{"lines":[1,2,3],"qty":1200,"eta":"2026-07-09"}`},
		{"no at sign", "nothing here", "nothing here"},
	}
	var r Redactor
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactKeepsJSONValid(t *testing.T) {
	b, _ := json.Marshal(map[string]any{"notes": "mail ops@x.com or ring (555) 123-4567", "qty": 120, "price": 378.6})
	out := Redactor{}.Redact(string(b))
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("redacted JSON invalid: %v: %s", err, out)
	}
	if v["notes"] != "mail [email] or ring [phone]" {
		t.Errorf("notes = %q", v["notes"])
	}
}

func FuzzRedact(f *testing.F) {
	for _, s := range []string{"a@b.co", "(555) 123-4567", `{"notes":"+1 312 555 0199"}`, "2026-07-06"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Redactor{}.Redact(s)
		if json.Valid([]byte(s)) && !json.Valid([]byte(out)) {
			t.Errorf("redaction broke JSON: %q -> %q", s, out)
		}
	})
}
