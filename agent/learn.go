package agent

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/tools"
)

// Learning ranks a case's proposals by how people decided on the same
// action type in similar past cases (same class, similar facts: case
// memory's embedding of the order). An action approvers keep rejecting is
// ranked down and its confidence capped at DemotedConfidence; an action
// approved and executed in most similar cases is ranked up. Each move is
// explained in the action's rationale ("rejected in 4 of the last 5
// similar cases: …").
//
// Learning never touches the policy: the guard decides every action as
// before. Its one effect on a decision is through confidence: the
// policy's global rule turns auto into approval below 0.7, so an action
// people keep rejecting is no longer executed without a person.
type Learning struct {
	// Memory finds similar resolved cases with their decisions
	// (store.MemorySearch with Decisions set). Required.
	Memory tools.CaseMemory
	// Cases is how many similar cases are read (default 10).
	Cases int
	// Last is how many of the most recent similar cases with a decision on
	// an action type count (default 5).
	Last int
	// MinSimilarity is the least similarity (1 identical … 0 unrelated)
	// of a past case that counts (default 0.6).
	MinSimilarity float64
	// MinDecisions is how many decided cases it takes to move an action
	// (default 3).
	MinDecisions int
	// Share is the share of those cases, rejected or approved, that moves
	// it (default 0.6).
	Share float64
	// DemotedConfidence caps the confidence of a demoted action (default
	// 0.6, under the policy's 0.7 auto threshold).
	DemotedConfidence float64
}

// Learned is what past decisions said about one of a case's actions.
type Learned struct {
	Action   string `json:"action"`
	Rejected int    `json:"rejected"`
	Approved int    `json:"approved"`
	Of       int    `json:"of"`
	// Move is -1 (ranked down), 0 or +1 (ranked up).
	Move int `json:"move"`
	// Note is the sentence the thread shows.
	Note string `json:"note"`
	// Cases are the past cases counted, most recent first.
	Cases []string `json:"cases"`
}

func (l *Learning) defaults() Learning {
	o := *l
	o.Cases = cmp.Or(o.Cases, 10)
	o.Last = cmp.Or(o.Last, 5)
	o.MinSimilarity = cmp.Or(o.MinSimilarity, 0.6)
	o.MinDecisions = cmp.Or(o.MinDecisions, 3)
	o.Share = cmp.Or(o.Share, 0.6)
	o.DemotedConfidence = cmp.Or(o.DemotedConfidence, 0.6)
	return o
}

// Apply reorders props (stably: ranked-up first, untouched, ranked-down
// last), caps the confidence of demoted ones and explains each move in
// its rationale. It returns what it learned per action type. An error of
// the memory is returned with props unchanged.
func (l *Learning) Apply(ctx context.Context, o connectors.Order, class string, props []Proposed) ([]Proposed, []Learned, error) {
	if l == nil || l.Memory == nil || len(props) == 0 || class == "" {
		return props, nil, nil
	}
	cfg := l.defaults()
	past, err := cfg.Memory.Similar(ctx, tools.MemoryText(o, class), class, o.CustomerID, cfg.Cases)
	if err != nil {
		return props, nil, fmt.Errorf("learning from outcomes: %w", err)
	}
	similar := past[:0:0]
	for _, pc := range past {
		if pc.SameClass && pc.Similarity >= cfg.MinSimilarity && pc.CaseID != "" {
			similar = append(similar, pc)
		}
	}
	slices.SortStableFunc(similar, func(a, b tools.PastCase) int { return b.ResolvedAt.Compare(a.ResolvedAt) })
	learned := map[string]*Learned{}
	var order []string
	for _, p := range props {
		t := p.Action.Type
		if _, ok := learned[t]; ok {
			continue
		}
		ln := cfg.judge(t, similar)
		learned[t] = &ln
		order = append(order, t)
	}
	out := slices.Clone(props)
	for i := range out {
		ln := learned[out[i].Action.Type]
		if ln.Move == 0 {
			continue
		}
		if ln.Move < 0 {
			out[i].Confidence = min(out[i].Confidence, cfg.DemotedConfidence)
		}
		out[i].Rationale = strings.TrimSpace(out[i].Rationale + " Learned: " + ln.Note)
	}
	slices.SortStableFunc(out, func(a, b Proposed) int {
		return cmp.Compare(learned[b.Action.Type].Move, learned[a.Action.Type].Move)
	})
	var res []Learned
	for _, t := range order {
		if ln := learned[t]; ln.Of > 0 {
			res = append(res, *ln)
		}
	}
	return out, res, nil
}

// judge counts the most recent similar cases with a person's decision on
// an action of type t: rejected when any such proposal was rejected,
// approved when one was approved (and executed) and none rejected.
func (l Learning) judge(t string, similar []tools.PastCase) Learned {
	ln := Learned{Action: t}
	var reasons []string
	for _, pc := range similar {
		if ln.Of == l.Last {
			break
		}
		rejected, approved := false, false
		reason := ""
		for _, d := range pc.Decisions {
			if d.Action != t {
				continue
			}
			switch d.State {
			case "rejected":
				rejected = true
				if reason == "" {
					reason = d.Reason
				}
			case "approved", "executed":
				approved = true
			}
		}
		switch {
		case rejected:
			ln.Rejected++
			if reason != "" && !slices.Contains(reasons, reason) {
				reasons = append(reasons, reason)
			}
		case approved:
			ln.Approved++
		default:
			continue
		}
		ln.Of++
		ln.Cases = append(ln.Cases, pc.CaseID)
	}
	if ln.Of < l.MinDecisions {
		return ln
	}
	switch {
	case float64(ln.Rejected) >= l.Share*float64(ln.Of):
		ln.Move = -1
		ln.Note = fmt.Sprintf("rejected in %d of the last %d similar cases", ln.Rejected, ln.Of)
		if len(reasons) > 0 {
			if len(reasons) > 3 {
				reasons = reasons[:3]
			}
			ln.Note += ": " + strings.Join(quoteAll(reasons), "; ")
		}
		ln.Note += " (ranked lower; confidence capped, so it needs a person's approval)."
	case float64(ln.Approved) >= l.Share*float64(ln.Of):
		ln.Move = 1
		ln.Note = fmt.Sprintf("approved and executed in %d of the last %d similar cases (ranked higher).", ln.Approved, ln.Of)
	}
	return ln
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		if len(s) > 120 {
			s = s[:117] + "..."
		}
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
