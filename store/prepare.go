package store

import (
	"encoding/json"
	"fmt"
)

// The Prepare functions validate a record and fill the fields a store
// assigns (ids, times, defaults) the same way in every implementation.

// PrepareCase validates c for CreateCase and fills its defaults.
func PrepareCase(c *Case) error {
	if c.OrderID == "" {
		return fmt.Errorf("case: order id is required: %w", ErrInvalid)
	}
	if c.ID == "" {
		c.ID = NewID("c_")
	}
	if c.Status == "" {
		c.Status = CaseOpen
	}
	if c.AlsoDetected == nil {
		c.AlsoDetected = []string{}
	}
	doc, err := checkJSON("case document", c.Document)
	if err != nil {
		return err
	}
	c.Document = doc
	now := Now()
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	} else {
		c.CreatedAt = Stamp(c.CreatedAt)
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	} else {
		c.UpdatedAt = Stamp(c.UpdatedAt)
	}
	if !c.ResolvedAt.IsZero() {
		c.ResolvedAt = Stamp(c.ResolvedAt)
	}
	return nil
}

// PrepareCaseUpdate validates c for UpdateCase and sets UpdatedAt to now.
func PrepareCaseUpdate(c *Case) error {
	if c.ID == "" {
		return fmt.Errorf("case update: id is required: %w", ErrInvalid)
	}
	if c.AlsoDetected == nil {
		c.AlsoDetected = []string{}
	}
	doc, err := checkJSON("case document", c.Document)
	if err != nil {
		return err
	}
	c.Document = doc
	c.UpdatedAt = Now()
	return nil
}

// PrepareEvent validates e for AppendCaseEvent and fills its time.
func PrepareEvent(e *CaseEvent) error {
	if e.CaseID == "" || e.Kind == "" {
		return fmt.Errorf("case event: case id and kind are required: %w", ErrInvalid)
	}
	data, err := checkJSON("case event data", e.Data)
	if err != nil {
		return err
	}
	e.Data = data
	if e.At.IsZero() {
		e.At = Now()
	} else {
		e.At = Stamp(e.At)
	}
	return nil
}

// PrepareProposal validates p for CreateProposal: a new id when empty,
// state pending with no decision (unless p is created settled: rejected or
// expired, with DecidedBy), the action carrying the proposal id and order
// id.
func PrepareProposal(p *Proposal) error {
	if p.CaseID == "" || p.Action.Type == "" {
		return fmt.Errorf("proposal: case id and action type are required: %w", ErrInvalid)
	}
	if p.ID == "" {
		p.ID = NewID("p_")
	}
	if p.OrderID == "" {
		p.OrderID = p.Action.OrderID
	}
	if p.Action.ID == "" {
		p.Action.ID = p.ID
	}
	if p.Action.OrderID == "" {
		p.Action.OrderID = p.OrderID
	}
	p.ActionKey = p.Action.Key()
	if p.CreatedAt.IsZero() {
		p.CreatedAt = Now()
	} else {
		p.CreatedAt = Stamp(p.CreatedAt)
	}
	switch {
	case (p.State == Rejected || p.State == Expired) && p.DecidedBy != "":
		// Settled at creation (a blocked action, an auto alternative):
		// decided when created, by whoever settled it.
		p.DecidedAt = p.CreatedAt
	default:
		p.State = Pending
		p.DecidedBy, p.DecidedAt = "", timeZero
	}
	return nil
}

// PrepareExecution validates e for RecordExecution and fills its defaults.
func PrepareExecution(e *Execution) error {
	if e.ProposalID == "" {
		return fmt.Errorf("execution: proposal id is required: %w", ErrInvalid)
	}
	if e.Status == "" {
		e.Status = ExecStarted
	}
	if e.OrderID == "" {
		e.OrderID = e.Action.OrderID
	}
	e.ActionKey = e.Action.Key()
	res, err := checkJSON("execution result", e.Result)
	if err != nil {
		return err
	}
	e.Result = res
	if e.StartedAt.IsZero() {
		e.StartedAt = Now()
	} else {
		e.StartedAt = Stamp(e.StartedAt)
	}
	if !e.FinishedAt.IsZero() {
		e.FinishedAt = Stamp(e.FinishedAt)
	}
	return nil
}

// PrepareMemory validates m for PutMemory.
func PrepareMemory(m *Memory) error {
	if m.CaseID == "" {
		return fmt.Errorf("memory: case id is required: %w", ErrInvalid)
	}
	if err := CheckEmbedding(m.Embedding); err != nil {
		return fmt.Errorf("memory %s: %w", m.CaseID, err)
	}
	if m.ResolvedAt.IsZero() {
		m.ResolvedAt = Now()
	} else {
		m.ResolvedAt = Stamp(m.ResolvedAt)
	}
	return nil
}

// CheckJSONOrNull returns raw, or null when empty, after checking that it
// is JSON (ErrInvalid otherwise).
func CheckJSONOrNull(what string, raw json.RawMessage) (json.RawMessage, error) {
	return checkJSON(what, raw)
}

func checkJSON(what string, raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 {
		return json.RawMessage("null"), nil
	}
	if !json.Valid(raw) {
		return nil, fmt.Errorf("%s is not valid JSON: %w", what, ErrInvalid)
	}
	return raw, nil
}
