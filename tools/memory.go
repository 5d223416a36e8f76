package tools

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// SimilarCasesName is the name of the case-memory tool.
const SimilarCasesName = "find_similar_cases"

// PastCase is a resolved case from case memory.
type PastCase struct {
	CaseID       string    `json:"case_id"`
	OrderID      string    `json:"order_id"`
	CustomerID   string    `json:"customer_id"`
	Class        string    `json:"exception_class"`
	Resolution   string    `json:"resolution" desc:"how the case was resolved"`
	ResolvedBy   string    `json:"resolved_by"`
	ResolvedAt   time.Time `json:"resolved_at"`
	Similarity   float64   `json:"similarity" desc:"1 identical … 0 unrelated"`
	SameClass    bool      `json:"same_class"`
	SameCustomer bool      `json:"same_customer"`
	// Decisions are what people decided on the case's proposed actions,
	// when the memory knows them.
	Decisions []PastDecision `json:"decisions,omitempty"`
}

// PastDecision is a person's decision on an action proposed in a past
// case.
type PastDecision struct {
	Action string    `json:"action" desc:"the action type"`
	State  string    `json:"state" desc:"approved, executed, failed or rejected"`
	Role   string    `json:"role,omitempty"`
	By     string    `json:"by"`
	Reason string    `json:"reason,omitempty" desc:"the approver's reason, for a rejection"`
	At     time.Time `json:"at"`
}

// CaseMemory finds resolved cases similar to a text, same class first.
type CaseMemory interface {
	Similar(ctx context.Context, text, class, customerID string, k int) ([]PastCase, error)
}

// SimilarQuery asks for past cases like an order's.
type SimilarQuery struct {
	OrderID string  `json:"order_id" desc:"the sales order id"`
	Class   *string `json:"exception_class" desc:"the class to rank first; null for the order's holds' classes"`
	Limit   *int    `json:"limit" desc:"how many cases, 1-10; null for 3"`
}

// Validate implements Validator.
func (q *SimilarQuery) Validate() error {
	if err := checkOrderID(q.OrderID); err != nil {
		return err
	}
	if q.Limit != nil && (*q.Limit < 1 || *q.Limit > 10) {
		return fmt.Errorf("limit must be between 1 and 10, got %d", *q.Limit)
	}
	return nil
}

// SimilarReport lists past cases like the order's.
type SimilarReport struct {
	OrderID string     `json:"order_id"`
	Cases   []PastCase `json:"cases"`
}

// SimilarTool is the case-memory tool. It reads the order through the
// systems it is bound to; Rebind binds it to an investigation's scoped
// view.
type SimilarTool struct {
	*Tool[SimilarQuery, SimilarReport]
	mem CaseMemory
}

var _ Rebinder = (*SimilarTool)(nil)

// Rebind returns the tool reading through sys.
func (t *SimilarTool) Rebind(sys connectors.Systems) Handle { return SimilarCases(sys, t.mem) }

// SimilarCases returns the case-memory tool over mem.
func SimilarCases(sys connectors.Systems, mem CaseMemory) *SimilarTool {
	return &SimilarTool{Tool: similarCases(sys, mem), mem: mem}
}

func similarCases(sys connectors.Systems, mem CaseMemory) *Tool[SimilarQuery, SimilarReport] {
	return New(SimilarCasesName,
		"Find resolved past cases most like this order's (same class ranked first, same customer noted), with how each was resolved, by whom and when.",
		func(ctx context.Context, q SimilarQuery) (SimilarReport, error) {
			o, err := sys.ERP.Order(ctx, q.OrderID)
			if err != nil {
				return SimilarReport{}, err
			}
			class := ""
			if q.Class != nil {
				class = *q.Class
			}
			k := 3
			if q.Limit != nil {
				k = *q.Limit
			}
			cases, err := mem.Similar(ctx, MemoryText(o, class), class, o.CustomerID, k)
			if err != nil {
				return SimilarReport{}, err
			}
			for i := range cases {
				cases[i].Similarity = math.Round(cases[i].Similarity*1000) / 1000
			}
			return SimilarReport{OrderID: o.ID, Cases: cases}, nil
		})
}

// MemoryText is the text an order's case is remembered and searched by:
// class, customer, holds, skus, sites and carrier. Free text (notes) is
// left out.
func MemoryText(o connectors.Order, class string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s customer %s ship_from %s region %s carrier %s status %s", class, o.CustomerID, o.ShipFrom, o.ShipTo.Region, o.Carrier, o.Status)
	for _, h := range o.Holds {
		fmt.Fprintf(&b, " hold %s", h.Code)
	}
	for _, l := range o.Lines {
		fmt.Fprintf(&b, " sku %s", l.SKU)
	}
	return b.String()
}
