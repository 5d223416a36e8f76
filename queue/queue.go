package queue

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/exdesk/exdesk/store"
)

// Store is what Rank reads; store.Store implements it.
type Store interface {
	ListCases(ctx context.Context, f store.CaseFilter) ([]store.Case, error)
	CaseProposals(ctx context.Context, caseIDs []string) ([]store.Proposal, error)
}

// Item statuses.
const (
	StatusAwaiting = "awaiting_approval" // a proposal waits for a person
	StatusBlocked  = "blocked"           // nothing can proceed; the guard blocks the natural action
	StatusOpen     = "open"              // open, nothing waits for a person
)

// Item is one open case in the queue.
type Item struct {
	Case         store.Case
	CustomerName string
	Tier         string
	Revenue      float64
	PromisedDate string // YYYY-MM-DD, "" when unknown
	// DaysLeft is the whole days from Today to the promised date
	// (negative: late); meaningless when PromisedDate is "".
	DaysLeft int
	Site     string
	Status   string
	// Pending are the proposals waiting for a person's decision.
	Pending []store.Proposal
	// Roles are the roles the pending proposals wait on, sorted.
	Roles []string
	Age   time.Duration
	// Priority is the sum of Points; higher first.
	Priority float64
	Points   Points
}

// Points are the parts of an item's priority.
type Points struct {
	Tier, Revenue, SLA, Age float64
}

// Why explains the priority in one line.
func (it Item) Why() string {
	var parts []string
	if it.Tier != "" {
		parts = append(parts, it.Tier+" customer")
	}
	if it.Revenue > 0 {
		parts = append(parts, fmt.Sprintf("$%s at risk", thousands(it.Revenue)))
	}
	if it.PromisedDate != "" {
		switch {
		case it.DaysLeft == -1:
			parts = append(parts, "1 day late")
		case it.DaysLeft < 0:
			parts = append(parts, fmt.Sprintf("%d days late", -it.DaysLeft))
		case it.DaysLeft == 0:
			parts = append(parts, "due today")
		case it.DaysLeft == 1:
			parts = append(parts, "due in 1 day")
		default:
			parts = append(parts, fmt.Sprintf("due in %d days", it.DaysLeft))
		}
	}
	parts = append(parts, Age(it.Age)+" old")
	return strings.Join(parts, ", ")
}

// Age formats a duration as 45m, 6h or 3d.
func Age(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func thousands(x float64) string {
	s := fmt.Sprintf("%.0f", x)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Filter selects items. Zero fields do not filter.
type Filter struct {
	Class    string
	Status   string // StatusAwaiting, StatusBlocked, StatusOpen
	Role     string // waiting on this role
	Site     string
	Customer string // customer id or a part of its name (case-insensitive)
	// WaitingOn keeps the items waiting on any of these roles ("waiting
	// on me": the signed-in user's roles). Non-nil and empty keeps none.
	WaitingOn []string
	Limit     int // 0: all
}

// Options say what time it is.
type Options struct {
	// Now is the wall clock that ages cases (default time.Now).
	Now func() time.Time
	// Today is the business date the promised dates are counted from
	// (default Now); the connectors' clock in a simulation.
	Today func() time.Time
}

// doc is the part of a case document the queue reads.
type doc struct {
	CustomerName string  `json:"customer_name"`
	Tier         string  `json:"customer_tier"`
	Revenue      float64 `json:"revenue_exposure"`
	PromisedDate string  `json:"promised_date"`
	Site         string  `json:"site"`
	Actions      []struct {
		Decision struct {
			Outcome string `json:"outcome"`
		} `json:"decision"`
	} `json:"actions"`
}

// Rank returns the open cases matching f, highest priority first.
func Rank(ctx context.Context, st Store, f Filter, o Options) ([]Item, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Today == nil {
		o.Today = o.Now
	}
	cases, err := st.ListCases(ctx, store.CaseFilter{OpenOnly: true})
	if err != nil {
		return nil, fmt.Errorf("queue: open cases: %w", err)
	}
	ids := make([]string, len(cases))
	for i, c := range cases {
		ids[i] = c.ID
	}
	ps, err := st.CaseProposals(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("queue: proposals: %w", err)
	}
	pending := map[string][]store.Proposal{}
	for _, p := range ps {
		if p.State == store.Pending && p.Outcome == "approval" {
			pending[p.CaseID] = append(pending[p.CaseID], p)
		}
	}
	now, today := o.Now(), dateOf(o.Today())
	items := make([]Item, 0, len(cases))
	for _, c := range cases {
		it := item(c, pending[c.ID], now, today)
		if f.Keeps(&it) {
			items = append(items, it)
		}
	}
	slices.SortStableFunc(items, func(a, b Item) int {
		if c := cmp.Compare(b.Priority, a.Priority); c != 0 {
			return c
		}
		if c := a.Case.CreatedAt.Compare(b.Case.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Case.ID, b.Case.ID)
	})
	if f.Limit > 0 && len(items) > f.Limit {
		items = items[:f.Limit]
	}
	return items, nil
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func item(c store.Case, pending []store.Proposal, now, today time.Time) Item {
	var d doc
	_ = json.Unmarshal(c.Document, &d) // an unreadable document ranks on the record alone
	it := Item{Case: c, CustomerName: d.CustomerName, Tier: d.Tier, Revenue: d.Revenue, PromisedDate: d.PromisedDate,
		Site: d.Site, Pending: pending, Age: max(0, now.Sub(c.CreatedAt))}
	for _, p := range pending {
		if p.Role != "" && !slices.Contains(it.Roles, p.Role) {
			it.Roles = append(it.Roles, p.Role)
		}
	}
	slices.Sort(it.Roles)
	switch {
	case len(pending) > 0:
		it.Status = StatusAwaiting
	case len(d.Actions) > 0 && d.Actions[0].Decision.Outcome == "blocked":
		it.Status = StatusBlocked
	default:
		it.Status = StatusOpen
	}
	switch d.Tier {
	case "strategic":
		it.Points.Tier = 30
	case "key":
		it.Points.Tier = 20
	default:
		it.Points.Tier = 10
	}
	// Revenue: 10 points a decade of dollars over $100 ($1k 10, $10k 20, $100k 30).
	if d.Revenue > 100 {
		it.Points.Revenue = math.Round(10*math.Log10(d.Revenue/100)*10) / 10
	}
	if pd, err := time.Parse(time.DateOnly, d.PromisedDate); err == nil {
		it.DaysLeft = int(math.Round(pd.Sub(today).Hours() / 24))
		switch {
		case it.DaysLeft <= 0:
			it.Points.SLA = 40
		case it.DaysLeft <= 1:
			it.Points.SLA = 30
		case it.DaysLeft <= 3:
			it.Points.SLA = 15
		case it.DaysLeft <= 7:
			it.Points.SLA = 5
		}
	} else {
		it.PromisedDate = ""
	}
	// Age: a point every 4 hours, at most 20 (3⅓ days).
	it.Points.Age = min(20, math.Floor(it.Age.Hours()/4))
	it.Priority = it.Points.Tier + it.Points.Revenue + it.Points.SLA + it.Points.Age
	return it
}

// Keeps reports whether the filter keeps it.
func (f Filter) Keeps(it *Item) bool {
	switch {
	case f.Class != "" && it.Case.Class != f.Class:
		return false
	case f.Status != "" && it.Status != f.Status:
		return false
	case f.Role != "" && !slices.Contains(it.Roles, f.Role):
		return false
	case f.Site != "" && !strings.EqualFold(it.Site, f.Site):
		return false
	case f.Customer != "" && !strings.EqualFold(it.Case.CustomerID, f.Customer) &&
		!strings.Contains(strings.ToLower(it.CustomerName), strings.ToLower(f.Customer)):
		return false
	case f.WaitingOn != nil && !slices.ContainsFunc(it.Roles, func(r string) bool { return slices.Contains(f.WaitingOn, r) }):
		return false
	}
	return true
}
