package slackbot

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"golang.org/x/sync/errgroup"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
)

// Case event kinds the bot appends.
const (
	eventSlackThread = "slack.thread"
)

// slackThread is the data of a slack.thread case event: where a case is
// shown. TS is the thread; Message is the message that shows the case
// (the thread's root, a reply in a question's thread, or a digest of
// several cases when a burst was folded).
type slackThread struct {
	Channel string   `json:"channel"`
	TS      string   `json:"ts"`
	Message string   `json:"message,omitempty"`
	Digest  []string `json:"digest,omitempty"` // the cases the digest message shows
}

// ErrNoChannel is returned when no channel is configured for a case's
// class and there is no default.
var ErrNoChannel = errors.New("no Slack channel for the case's class")

// Outbox delivery settings.
const (
	outboxLease    = 2 * time.Minute
	outboxBatch    = 64
	deliverWorkers = 8
	digestBudget   = MaxBlocks - 3 // blocks for cases in one folded message
)

// Wake asks the outbox drainer to look at the outbox now (the Desk calls
// it after a change; casework.Options.Notify).
func (b *Bot) Wake() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// RunOutbox delivers the store's outbox to Slack until ctx ends: new cases
// posted to the channel of their class (or the asker's thread), cases'
// messages re-rendered from their current state, notes in their threads.
// Every replica runs it; a case's messages are leased to one replica at a
// time and delivered in order. Posting runs here, never under an order's
// lock, so a burst of cases to one channel does not slow ingest; when a
// channel's backlog of new cases exceeds Options.FoldAfter, they are
// folded into one message per class, most urgent first.
func (b *Bot) RunOutbox(ctx context.Context) error {
	t := time.NewTicker(b.drainEvery)
	defer t.Stop()
	for {
		b.Drain(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-b.wake:
		}
	}
}

// Drain delivers what the outbox holds now and returns. Drains of one
// replica run one at a time (its lease covers them all).
func (b *Bot) Drain(ctx context.Context) {
	b.drainMu.Lock()
	defer b.drainMu.Unlock()
	for ctx.Err() == nil {
		msgs, err := b.store.ClaimOutbox(ctx, b.instance, outboxLease, outboxBatch)
		if err != nil {
			if ctx.Err() == nil {
				b.log.Error("outbox not read", "err", err)
			}
			return
		}
		if len(msgs) == 0 {
			return
		}
		if n, err := b.store.OutboxBacklog(ctx); err == nil {
			b.m.OutboxBacklog.Set(float64(n))
		}
		b.deliver(ctx, msgs)
	}
}

// deliver folds bursts, then delivers each case's messages in order,
// several cases at once.
func (b *Bot) deliver(ctx context.Context, msgs []store.OutboxMessage) {
	byCase := map[string][]store.OutboxMessage{}
	var order []string
	for _, m := range msgs {
		if _, ok := byCase[m.CaseID]; !ok {
			order = append(order, m.CaseID)
		}
		byCase[m.CaseID] = append(byCase[m.CaseID], m)
	}
	folded := b.fold(ctx, byCase)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(deliverWorkers)
	for _, id := range order {
		ms := byCase[id]
		if len(ms) == 0 {
			continue
		}
		g.Go(func() error {
			if folded[id] || ms[0].Kind == store.OutboxCasePost {
				// The post renders the case as it stands when it is sent,
				// after everything this batch says happened: re-renders
				// and notes enqueued before it are in it already.
				if !folded[id] && !b.deliverOne(gctx, ms[0]) {
					return nil
				}
				if !folded[id] {
					ms = ms[1:]
				}
				for _, m := range ms {
					b.ack(gctx, m)
				}
				return nil
			}
			for i := 0; i < len(ms); i++ {
				m := ms[i]
				switch {
				case m.Kind == store.OutboxCaseRefresh && laterRefresh(ms[i+1:]):
					// A later re-render of the same case shows all this one would.
					b.ack(gctx, m)
					continue
				case m.Kind == store.OutboxCaseNote:
					// Consecutive notes go in one message.
					j := i + 1
					for j < len(ms) && ms[j].Kind == store.OutboxCaseNote {
						j++
					}
					if !b.deliverNotes(gctx, ms[i:j]) {
						return nil
					}
					i = j - 1
					continue
				}
				if !b.deliverOne(gctx, m) {
					return nil // later messages of the case wait for this one
				}
			}
			return nil
		})
	}
	_ = g.Wait()
}

// deliverOne delivers one message and acknowledges it, or gives it back
// to be retried. It reports whether the case's next message may follow.
func (b *Bot) deliverOne(ctx context.Context, m store.OutboxMessage) bool {
	var err error
	switch m.Kind {
	case store.OutboxCasePost:
		err = b.deliverPost(ctx, m)
	case store.OutboxCaseRefresh:
		err = b.deliverRefresh(ctx, m)
	case store.OutboxCaseNote:
		return b.deliverNotes(ctx, []store.OutboxMessage{m})
	default:
		b.log.Warn("outbox message of an unknown kind dropped", "id", m.ID, "kind", m.Kind)
	}
	return b.settle(ctx, err, m)
}

// settle acknowledges delivered messages, or gives them back to be tried
// again, and reports whether the case's next message may follow.
func (b *Bot) settle(ctx context.Context, err error, ms ...store.OutboxMessage) bool {
	if err != nil {
		for _, m := range ms {
			wait := retryAfter(m.Attempts, err)
			b.log.Warn("outbox message not delivered; will retry", "id", m.ID, "case", m.CaseID, "kind", m.Kind,
				"attempt", m.Attempts+1, "retry_in", wait.String(), "err", err)
			if rerr := b.store.RetryOutbox(context.WithoutCancel(ctx), m.ID, b.instance, err.Error(), time.Now().Add(wait)); rerr != nil {
				b.log.Error("outbox retry not recorded", "id", m.ID, "err", rerr)
			}
		}
		return false
	}
	for _, m := range ms {
		b.ack(ctx, m)
	}
	return true
}

func (b *Bot) ack(ctx context.Context, m store.OutboxMessage) {
	if err := b.store.AckOutbox(context.WithoutCancel(ctx), m.ID, b.instance); err != nil {
		b.log.Error("outbox message delivered but not acknowledged", "id", m.ID, "err", err)
	}
}

// laterRefresh reports whether ms holds a re-render.
func laterRefresh(ms []store.OutboxMessage) bool {
	for _, m := range ms {
		if m.Kind == store.OutboxCaseRefresh {
			return true
		}
	}
	return false
}

// errNotPosted: a message about a case waits for the case's post.
var errNotPosted = errors.New("the case is not posted yet")

func retryAfter(attempts int, err error) time.Duration {
	if errors.Is(err, errNotPosted) {
		return 2 * time.Second
	}
	if errors.Is(err, ErrNoChannel) {
		return 5 * time.Minute
	}
	return min(time.Duration(1<<min(attempts, 10))*time.Second, 15*time.Minute)
}

// thread finds where a case is shown (store.ErrNotFound if nowhere yet).
func (b *Bot) thread(ctx context.Context, caseID string) (slackThread, error) {
	evs, err := b.store.ListCaseEvents(ctx, caseID)
	if err != nil {
		return slackThread{}, fmt.Errorf("case %s events: %w", caseID, err)
	}
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind != eventSlackThread {
			continue
		}
		var th slackThread
		if err := json.Unmarshal(evs[i].Data, &th); err == nil && th.Channel != "" {
			if th.Message == "" && len(th.Digest) == 0 {
				th.Message = th.TS
			}
			return th, nil
		}
	}
	return slackThread{}, fmt.Errorf("case %s has no Slack thread: %w", caseID, store.ErrNotFound)
}

// people renders a role's holders as mentions.
func (b *Bot) people(role string) string {
	users, groups := b.cfg.People(role)
	var parts []string
	for _, u := range users {
		parts = append(parts, "<@"+u+">")
	}
	for _, g := range groups {
		parts = append(parts, "<!subteam^"+g+">")
	}
	return strings.Join(parts, " ")
}

// deliverPost posts a case: into the asker's thread when a question
// opened it, else as a new thread in the channel of its class.
func (b *Bot) deliverPost(ctx context.Context, m store.OutboxMessage) error {
	if _, err := b.thread(ctx, m.CaseID); err == nil {
		return nil // posted by an attempt that died before acknowledging
	}
	var post casework.Post
	if err := json.Unmarshal(m.Data, &post); err != nil {
		return fmt.Errorf("outbox post of %s: %w", m.CaseID, err)
	}
	v, err := b.desk.View(ctx, m.CaseID)
	if err != nil {
		return err
	}
	channel, threadTS := "", ""
	if o := post.Origin; o != nil && o.Surface == "slack" && o.Channel != "" {
		channel, threadTS = o.Channel, o.Thread
	} else {
		ch, ok := b.cfg.Channel(v.Case.Class)
		if !ok {
			return fmt.Errorf("%w %q (set channels.%s or channels.default in the config)", ErrNoChannel, v.Case.Class, v.Case.Class)
		}
		channel = ch
	}
	opts := []slack.MsgOption{slack.MsgOptionBlocks(RenderCase(v, RenderOptions{People: b.people})...), slack.MsgOptionText(RenderText(v.Case), false)}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	ts, err := b.post(ctx, channel, opts...)
	if err != nil {
		b.m.Cases.WithLabelValues(v.Case.Class, "error").Inc()
		return fmt.Errorf("posting case %s: %w", m.CaseID, err)
	}
	if threadTS == "" {
		threadTS = ts
	}
	b.recordThread(ctx, v, slackThread{Channel: channel, TS: threadTS, Message: ts})
	outcome := "none"
	if top, ok := v.Case.Top(); ok {
		outcome = string(top.Decision.Outcome)
	}
	b.m.Cases.WithLabelValues(v.Case.Class, outcome).Inc()
	if v.Case.Usage.Tokens > 0 {
		model := cmp.Or(v.Case.Model, "unknown")
		b.m.ModelTokens.WithLabelValues(model).Add(float64(v.Case.Usage.Tokens))
	}
	b.log.Info("case posted", "case", v.Case.ID, "order", v.Case.OrderID, "class", v.Case.Class, "top_outcome", outcome,
		"channel", channel, "ts", ts, "thread_ts", threadTS)
	return nil
}

// recordThread remembers where a case is shown: in the store (any replica
// finds it) and in the thread memory (follow-ups know the order).
func (b *Bot) recordThread(ctx context.Context, v *casework.CaseView, th slackThread) {
	ctx = context.WithoutCancel(ctx)
	ev := &store.CaseEvent{CaseID: v.Case.ID, Kind: eventSlackThread, Actor: "exdesk", Data: mustJSON(th)}
	if err := b.store.AppendCaseEvent(ctx, ev); err != nil {
		b.log.Error("case thread not recorded", "case", v.Case.ID, "err", err)
	}
	for _, a := range v.Actions {
		if a.Pending() {
			if err := b.store.SetProposalSlack(ctx, a.Stored.ID, th.Channel, th.Message); err != nil {
				b.log.Error("proposal's Slack message not recorded", "proposal", a.Stored.ID, "err", err)
			}
		}
	}
	if err := b.mem.SaveThread(ctx, Thread{Channel: th.Channel, TS: th.TS, OrderID: v.Case.OrderID, CaseID: v.Case.ID,
		Detected: v.Case.Trigger.Type == agent.TriggerEvent}); err != nil {
		b.log.Error("thread context not saved", "case", v.Case.ID, "err", err)
	}
	_ = b.mem.AddTurn(ctx, th.Channel, th.TS, Turn{Who: "exdesk", Text: v.Case.Summary, At: time.Now().UTC()})
}

// deliverRefresh re-renders the message that shows a case from its
// current state (chat.update): decided and superseded proposals lose
// their buttons, new ones get them.
func (b *Bot) deliverRefresh(ctx context.Context, m store.OutboxMessage) error {
	th, err := b.thread(ctx, m.CaseID)
	if errors.Is(err, store.ErrNotFound) {
		return b.unlessNeverPosted(ctx, m)
	}
	if err != nil {
		return err
	}
	if len(th.Digest) > 0 {
		return b.refreshDigest(ctx, th)
	}
	v, err := b.desk.View(ctx, m.CaseID)
	if err != nil {
		return err
	}
	return b.update(ctx, th.Channel, th.Message, slack.MsgOptionBlocks(RenderCase(v, RenderOptions{People: b.people})...), slack.MsgOptionText(RenderText(v.Case), false))
}

// unlessNeverPosted: a message about a case that has no thread waits for
// the case's post, unless the case is one that is never posted.
func (b *Bot) unlessNeverPosted(ctx context.Context, m store.OutboxMessage) error {
	v, err := b.desk.View(ctx, m.CaseID)
	if err != nil {
		return err
	}
	if v.Case.Class == "" || v.Case.Class == "none" {
		return nil
	}
	return errNotPosted
}

// deliverNotes says in a case's thread what happened: consecutive notes
// in one message, except a superseded proposal's, which carries the
// buttons of its replacement.
func (b *Bot) deliverNotes(ctx context.Context, ms []store.OutboxMessage) bool {
	th, err := b.thread(ctx, ms[0].CaseID)
	if errors.Is(err, store.ErrNotFound) {
		return b.settle(ctx, b.unlessNeverPosted(ctx, ms[0]), ms...)
	}
	if err != nil {
		return b.settle(ctx, err, ms...)
	}
	v, err := b.desk.View(ctx, ms[0].CaseID)
	if err != nil {
		return b.settle(ctx, err, ms...)
	}
	var texts []string
	var pending []store.OutboxMessage
	flush := func() bool {
		if len(texts) == 0 {
			return true
		}
		_, err := b.post(ctx, th.Channel, slack.MsgOptionText(clip(strings.Join(texts, "\n"), 3000), false), slack.MsgOptionTS(th.TS))
		ok := b.settle(ctx, err, pending...)
		texts, pending = nil, nil
		return ok
	}
	for _, m := range ms {
		var n casework.Note
		if err := json.Unmarshal(m.Data, &n); err != nil {
			b.log.Warn("unreadable outbox note dropped", "id", m.ID, "err", err)
			b.ack(ctx, m)
			continue
		}
		b.countNote(n)
		text, blocks := b.renderNote(v, n, len(th.Digest) > 0)
		if len(blocks) == 0 {
			texts, pending = append(texts, text), append(pending, m)
			continue
		}
		if !flush() {
			return false
		}
		ts, err := b.post(ctx, th.Channel, slack.MsgOptionText(text, false), slack.MsgOptionTS(th.TS), slack.MsgOptionBlocks(blocks...))
		if !b.settle(ctx, err, m) {
			return false
		}
		if n.Replacement != "" {
			if err := b.store.SetProposalSlack(context.WithoutCancel(ctx), n.Replacement, th.Channel, ts); err != nil {
				b.log.Error("proposal's Slack message not recorded", "proposal", n.Replacement, "err", err)
			}
		}
	}
	return flush()
}

// countNote counts executions for metrics.
func (b *Bot) countNote(n casework.Note) {
	switch n.Kind {
	case casework.NoteDecision, casework.NoteExecuted:
		switch n.State {
		case string(store.Executed):
			b.m.Executions.WithLabelValues("succeeded").Inc()
		case string(store.Failed):
			b.m.Executions.WithLabelValues("failed").Inc()
		}
	}
}

// renderNote renders a note (escaping what came from outside); a
// superseded proposal's note carries the buttons of its replacement,
// mentioning the people of the role it needs now.
func (b *Bot) renderNote(v *casework.CaseView, n casework.Note, folded bool) (string, []slack.Block) {
	what := escape(agent.Describe(n.Action))
	var s string
	switch n.Kind {
	case casework.NoteEvent:
		s = ":inbox_tray: New " + escape(n.Event.Type) + " event from " + escape(n.Event.Source)
		if !n.Event.At.IsZero() {
			s += " at " + n.Event.At.UTC().Format("2006-01-02 15:04 UTC")
		}
		s += " (event `" + escape(n.Event.ID) + "`)."
		switch {
		case n.Now == nil:
		case n.Now.Class == "none":
			s += " Investigated again on current data: the order no longer shows an exception."
		case n.Now.Same:
			s += fmt.Sprintf(" Investigated again on current data: still %s; the recommendation stands: %s (%s).",
				escape(humanClass(n.Now.Class)), escape(n.Now.Top), escape(outcomeWords(n.Now.Decision)))
		default:
			s += " Investigated again on current data, the case now reads: " + escape(n.Now.Summary)
		}
	case casework.NoteExecuted:
		s = ":gear: Executed automatically: *" + what + "* — " + escape(n.Detail)
	case casework.NoteDecision:
		if n.Recovered {
			s = fmt.Sprintf(":arrows_counterclockwise: finished %s's approval of *%s* after a restart — ", who(n.By), what)
			if n.State == string(store.Executed) {
				s += "executed: " + escape(n.Detail)
			} else {
				s += "not executed: " + escape(n.Detail)
			}
			break
		}
		switch n.State {
		case string(store.Executed):
			s = fmt.Sprintf(":white_check_mark: %s approved *%s* — executed: %s", who(n.By), what, escape(n.Detail))
		case string(store.Failed):
			s = fmt.Sprintf(":warning: %s approved *%s* — not executed: %s", who(n.By), what, escape(n.Detail))
		case string(store.Rejected):
			s = fmt.Sprintf(":x: %s rejected *%s*", who(n.By), what)
			if n.Reason != "" {
				s += ": " + escape(n.Reason)
			}
		default:
			s = fmt.Sprintf(":no_entry: %s's approval of *%s* was refused: %s", who(n.By), what, escape(n.Detail))
		}
	case casework.NoteSuperseded:
		role := ""
		if n.Fresh != nil {
			role = n.Fresh.Role
		}
		s = fmt.Sprintf(":arrows_counterclockwise: *%s* was not executed: on fresh data the guard requires approval by %s",
			what, roleWords(role, b.people))
		if n.Fresh != nil {
			s += fmt.Sprintf(" (%s: %s)", escape(n.Fresh.Rule), escape(n.Fresh.Reason))
		}
		s += fmt.Sprintf(". %s's approval no longer applies; it is proposed again here.", who(n.By))
		if p, ok := v.Proposals[n.Replacement]; ok && p.State == store.Pending {
			dec := policy.Decision{Outcome: policy.Outcome(p.Outcome), Role: p.Role, Rule: p.Rule, Reason: p.Reason}
			return stripForText(s), []slack.Block{slack.NewSectionBlock(md(clip(s, MaxSectionText)), nil, nil), buttons(v.Case, &p, dec)}
		}
	case casework.NoteResolved:
		s = ":checkered_flag: Case resolved: " + escape(n.Detail)
	default:
		s = "Case " + escape(v.Case.ID) + " changed."
	}
	if folded {
		s = "*" + escape(v.Case.OrderID) + "* · " + s
	}
	return clip(s, 3000), nil
}

// stripForText is the notification text of a message with blocks.
func stripForText(s string) string { return clip(s, 3000) }

// --- folding bursts ------------------------------------------------------------

// fold posts the new cases of a channel whose backlog exceeds FoldAfter
// as digests, one message per class with the most urgent cases first, and
// returns the cases it posted (their post messages acknowledged).
func (b *Bot) fold(ctx context.Context, byCase map[string][]store.OutboxMessage) map[string]bool {
	posted := map[string]bool{}
	type entry struct {
		msg  store.OutboxMessage
		view *casework.CaseView
	}
	perChannel := map[string][]entry{}
	for id, ms := range byCase {
		if len(ms) == 0 || ms[0].Kind != store.OutboxCasePost {
			continue
		}
		var post casework.Post
		if json.Unmarshal(ms[0].Data, &post) != nil || post.Origin != nil {
			continue // a question's case goes to the asker
		}
		ch, ok := b.cfg.Channel(post.Class)
		if !ok {
			continue
		}
		if _, err := b.thread(ctx, id); err == nil {
			continue
		}
		perChannel[ch] = append(perChannel[ch], entry{msg: ms[0]})
	}
	for channel, es := range perChannel {
		if len(es) <= b.foldAfter {
			continue
		}
		byClass := map[string][]entry{}
		for _, e := range es {
			v, err := b.desk.View(ctx, e.msg.CaseID)
			if err != nil {
				continue // delivered on its own
			}
			e.view = v
			byClass[v.Case.Class] = append(byClass[v.Case.Class], e)
		}
		for class, group := range byClass {
			slices.SortFunc(group, func(x, y entry) int { return urgency(y.view) - urgency(x.view) })
			for len(group) > 0 {
				n, used := 0, 0
				for n < len(group) && used+digestBlocks(group[n].view) <= digestBudget {
					used += digestBlocks(group[n].view)
					n++
				}
				part := group[:n]
				group = group[n:]
				views := make([]*casework.CaseView, n)
				ids := make([]string, n)
				for i, e := range part {
					views[i], ids[i] = e.view, e.view.Case.ID
				}
				ts, err := b.post(ctx, channel, slack.MsgOptionBlocks(renderDigest(class, views, b.people)...),
					slack.MsgOptionText(digestText(class, views), false))
				if err != nil {
					b.log.Warn("digest not posted; its cases are posted one by one", "channel", channel, "class", class, "err", err)
					continue
				}
				for i, e := range part {
					b.recordThread(ctx, e.view, slackThread{Channel: channel, TS: ts, Message: ts, Digest: ids})
					if err := b.store.AckOutbox(context.WithoutCancel(ctx), e.msg.ID, b.instance); err != nil {
						b.log.Error("outbox message delivered but not acknowledged", "id", e.msg.ID, "err", err)
					}
					byCase[ids[i]] = byCase[ids[i]][1:]
					posted[ids[i]] = true
				}
				b.m.Folded.Add(float64(n))
				b.log.Info("cases folded into a digest", "channel", channel, "class", class, "cases", n, "ts", ts)
			}
		}
	}
	return posted
}

// urgency orders cases in a digest: severity first, then revenue exposed.
func urgency(v *casework.CaseView) int {
	rank := map[string]int{agent.SeverityCritical: 4, agent.SeverityHigh: 3, agent.SeverityMedium: 2, agent.SeverityLow: 1}
	return rank[v.Case.Severity]*1_000_000_000 + int(min(v.Case.Revenue, 999_999_999))
}

// refreshDigest re-renders a digest from its cases' current state.
func (b *Bot) refreshDigest(ctx context.Context, th slackThread) error {
	var views []*casework.CaseView
	for _, id := range th.Digest {
		v, err := b.desk.View(ctx, id)
		if err != nil {
			return err
		}
		views = append(views, v)
	}
	if len(views) == 0 {
		return nil
	}
	class := views[0].Case.Class
	return b.update(ctx, th.Channel, th.Message, slack.MsgOptionBlocks(renderDigest(class, views, b.people)...),
		slack.MsgOptionText(digestText(class, views), false))
}

func digestText(class string, views []*casework.CaseView) string {
	return clip(fmt.Sprintf("%d %s cases", len(views), escape(humanClass(class))), 3000)
}

// renderDigest renders several cases of one class in one message, most
// urgent first: each case's summary line and its top action, with the
// buttons of a pending approval.
func renderDigest(class string, views []*casework.CaseView, people People) []slack.Block {
	var b blockList
	b.add(slack.NewHeaderBlock(plain(clip(fmt.Sprintf("%d %s cases", len(views), humanClass(class)), maxHeaderText))))
	b.add(slack.NewContextBlock("", md("Many cases arrived at once; they are folded into this message, most urgent first. Each case's updates are in this thread.")))
	for _, v := range views {
		if b.len()+digestBlocks(v) > MaxBlocks {
			break
		}
		c := v.Case
		line := fmt.Sprintf("*%s* · %s · %s · %s\n%s", escape(c.OrderID), escape(c.Severity),
			connectors.FormatUSD(connectors.Cents(c.Revenue)), escape(c.CustomerName), escape(clip(c.Summary, 400)))
		if v.Record.Status == store.CaseResolved {
			line = "~resolved~ " + line
		}
		top, pending := digestTop(v)
		switch {
		case top == nil:
		case pending:
			line += fmt.Sprintf("\n*%s* — needs approval by %s", escape(capitalise(agent.Describe(top.Action))), roleWords(top.Decision.Role, people))
		default:
			if st := statusLine(*top); st != "" {
				line += "\n" + st
			}
		}
		b.add(slack.NewSectionBlock(md(clip(line, MaxSectionText)), nil, nil))
		if pending {
			b.add(buttons(c, top.Stored, top.Decision))
		}
	}
	return b.blocks
}

// digestTop is the action a digest shows for a case: the top one that can
// proceed, and whether it waits for a person.
func digestTop(v *casework.CaseView) (*casework.ActionView, bool) {
	for i := range v.Actions {
		a := &v.Actions[i]
		if a.Decision.Outcome == policy.Blocked || a.DoneBefore {
			continue
		}
		return a, a.Pending()
	}
	return nil, false
}

// digestBlocks is how many blocks a case takes in a digest.
func digestBlocks(v *casework.CaseView) int {
	if _, pending := digestTop(v); pending {
		return 2
	}
	return 1
}
