package casework

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/store"
)

// Question is a question about an order from a person on a surface.
type Question struct {
	Text string
	// OrderID is the order asked about; empty: the first order Text names
	// that the ERP knows (FindOrders).
	OrderID string
	Asker   Actor
}

// Answer is what a question gets: the case of the order, read-only.
type Answer struct {
	// View is the case as it stands (nil when the order shows no
	// exception: then Case is the fresh investigation, not stored).
	View *CaseView
	// Case is the fresh investigation when no open case existed.
	Case *agent.Case
	// Opened: this question opened the case (its post goes to the asker's
	// thread through the outbox).
	Opened bool
}

// maxQuestionChars bounds the question text kept in the case's events.
const maxQuestionChars = 500

// Ask answers a question about an order. It never executes anything: an
// open case of the order is shown as it stands; otherwise the order is
// investigated, and a case with an exception is stored as a
// question-driven case (its auto actions are not executed; its approval
// actions wait for a person). Who asked is recorded in the case's events
// and audit trail.
func (d *Desk) Ask(ctx context.Context, q Question) (Answer, error) {
	t := agent.Trigger{Type: agent.TriggerQuestion, Question: q.Text, OrderID: q.OrderID}
	if t.OrderID == "" {
		found, err := d.FindOrders(ctx, q.Text)
		if err != nil {
			return Answer{}, err
		}
		if err := found.Err(); err != nil {
			return Answer{}, err
		}
		t.OrderID = found.OrderIDs[0]
	}
	orderID, err := t.ResolveOrderID()
	if err != nil {
		return Answer{}, err
	}
	t.OrderID = orderID
	asked := map[string]any{"asker": q.Asker, "question": clipRunes(q.Text, maxQuestionChars)}
	for attempt := 0; attempt < 2; attempt++ {
		open, err := d.st.ListCases(ctx, store.CaseFilter{OrderID: orderID, OpenOnly: true, Limit: 1})
		if err != nil {
			return Answer{}, fmt.Errorf("finding the open case of %s: %w", orderID, err)
		}
		if len(open) > 0 {
			if err := d.noteQuestion(ctx, open[0].ID, q, asked); err != nil {
				return Answer{}, err
			}
			v, err := d.View(ctx, open[0].ID)
			if err != nil {
				return Answer{}, err
			}
			return Answer{View: v}, nil
		}
		c, err := d.inv.Investigate(ctx, t)
		if err != nil {
			return Answer{}, err
		}
		if c.Class == connectors.ClassNone {
			return Answer{Case: c}, nil
		}
		c.ID = store.NewID("case-" + orderID + "-q")
		done, err := d.doneEffects(ctx, c)
		if err != nil {
			return Answer{}, err
		}
		err = d.inTx(ctx, func(tx store.Tx) error {
			if _, err := d.create(ctx, tx, c, done, byQuestion, q.Asker, map[string]any{"question": asked["question"]}); err != nil {
				return err
			}
			return tx.AppendCaseEvent(ctx, &store.CaseEvent{CaseID: c.ID, Kind: KindQuestion, Actor: q.Asker.ID, Data: mustJSON(asked)})
		})
		if errors.Is(err, store.ErrOpenCase) {
			continue // an event opened the order's case meanwhile: show it
		}
		if err != nil {
			return Answer{}, err
		}
		v, err := d.View(ctx, c.ID)
		if err != nil {
			return Answer{}, err
		}
		return Answer{View: v, Case: c, Opened: true}, nil
	}
	return Answer{}, fmt.Errorf("the open case of %s changed while answering; ask again", orderID)
}

// OrderFinding finds the orders a question names, confirmed in the ERP;
// *agent.Investigator implements it (with its order-id hint and examples).
type OrderFinding interface {
	FindOrders(ctx context.Context, text string) (agent.Found, error)
}

var _ OrderFinding = (*agent.Investigator)(nil)

// FindOrders finds the orders a question names: through the investigator
// when it can (OrderFinding), else in the desk's ERP with no hint.
func (d *Desk) FindOrders(ctx context.Context, text string) (agent.Found, error) {
	if f, ok := d.inv.(OrderFinding); ok {
		return f.FindOrders(ctx, text)
	}
	return agent.OrderFinder{ERP: d.sys.ERP}.Find(ctx, text)
}

// Preview investigates an order read-only on current data: nothing is
// stored and nothing executes. Follow-up questions in a case's thread use
// it to say how the case reads now.
func (d *Desk) Preview(ctx context.Context, q Question) (*agent.Case, error) {
	t := agent.Trigger{Type: agent.TriggerQuestion, Question: q.Text, OrderID: q.OrderID}
	c, err := d.inv.Investigate(ctx, t)
	if err != nil {
		return nil, err
	}
	if sc, err := d.openCase(ctx, c.OrderID); err == nil && sc != nil {
		if err := d.noteQuestion(ctx, sc.ID, q, map[string]any{"asker": q.Asker, "question": clipRunes(q.Text, maxQuestionChars),
			"follow_up": true}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (d *Desk) openCase(ctx context.Context, orderID string) (*store.Case, error) {
	open, err := d.st.ListCases(ctx, store.CaseFilter{OrderID: orderID, OpenOnly: true, Limit: 1})
	if err != nil || len(open) == 0 {
		return nil, err
	}
	return &open[0], nil
}

// noteQuestion records who asked about an open case.
func (d *Desk) noteQuestion(ctx context.Context, caseID string, q Question, data map[string]any) error {
	return d.st.InTx(ctx, func(tx store.Tx) error {
		if err := tx.AppendCaseEvent(ctx, &store.CaseEvent{CaseID: caseID, Kind: KindQuestion, Actor: q.Asker.ID, Data: mustJSON(data)}); err != nil {
			return fmt.Errorf("recording the question on case %s: %w", caseID, err)
		}
		return tx.AppendAudit(ctx, audit(q.Asker.ID, "case.question", caseID, "", "", "asked", data))
	})
}

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
