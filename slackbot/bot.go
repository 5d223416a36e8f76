package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/policy"
	"github.com/exdesk/exdesk/store"
)

// SlackAPI is the part of the Slack Web API the bot calls; *slack.Client
// implements it.
type SlackAPI interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
	SetAssistantThreadsStatusContext(ctx context.Context, params slack.AssistantThreadsSetStatusParameters) error
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
	GetUserGroupMembersContext(ctx context.Context, userGroup string, options ...slack.GetUserGroupMembersOption) ([]string, error)
}

// Store is the part of store.Store the bot uses.
type Store interface {
	CreateCase(ctx context.Context, c *store.Case) error
	GetCase(ctx context.Context, id string) (*store.Case, error)
	UpdateCase(ctx context.Context, c *store.Case) error
	AppendCaseEvent(ctx context.Context, e *store.CaseEvent) error
	ListCaseEvents(ctx context.Context, caseID string) ([]store.CaseEvent, error)
	CreateProposal(ctx context.Context, p *store.Proposal) error
	GetProposal(ctx context.Context, id string) (*store.Proposal, error)
	ListProposals(ctx context.Context, caseID string) ([]store.Proposal, error)
	ListPendingProposals(ctx context.Context) ([]store.Proposal, error)
	ListApprovedProposals(ctx context.Context) ([]store.Proposal, error)
	Transition(ctx context.Context, id string, from, to store.State, by, note string) error
	SetProposalSlack(ctx context.Context, id, channel, ts string) error
	RecordExecution(ctx context.Context, e *store.Execution) error
	FinishExecution(ctx context.Context, proposalID string, status store.ExecStatus, result json.RawMessage, errText string) error
	GetExecution(ctx context.Context, proposalID string) (*store.Execution, error)
	AppendAudit(ctx context.Context, e *store.AuditEntry) error
	Ping(ctx context.Context) error
}

// Investigator investigates orders and executes actions; *agent.Investigator
// implements it.
type Investigator interface {
	Investigate(ctx context.Context, t agent.Trigger) (*agent.Case, error)
	Execute(ctx context.Context, a connectors.Action, confidence float64, approvedBy string) (connectors.Execution, policy.Decision, error)
	ExecuteAuto(ctx context.Context, c *agent.Case) (*connectors.Execution, error)
}

// Options configure a Bot. Slack, Store, Redis, Investigator and Config are
// required; SigningSecret is required for the HTTP handlers.
type Options struct {
	Slack        SlackAPI
	Store        Store
	Redis        *redis.Client
	Investigator Investigator
	Config       *Config

	// SigningSecret verifies HTTP requests (SLACK_SIGNING_SECRET).
	SigningSecret string
	// Now is the clock for signature windows; nil means time.Now.
	Now func() time.Time
	// Log receives JSON logs; nil discards.
	Log *slog.Logger
	// Metrics; nil creates a fresh set.
	Metrics *Metrics
	// Workers is the number of concurrent work items (default 8).
	Workers int
	// QueueSize bounds the acknowledged work waiting for a worker (default 4096).
	QueueSize int
	// ChannelInterval is the minimum spacing of messages to one channel (default 1s).
	ChannelInterval time.Duration
	// WorkTimeout bounds one work item (default 2m).
	WorkTimeout time.Duration
	// Instance names this replica in logs.
	Instance string
	// Resolved, when set, is called after an action of a case executed
	// (auto, approved, or recovered after a crash): the service marks the
	// case resolved and remembers it in case memory.
	Resolved func(ctx context.Context, r Resolved)
	// RecoverAfter is how long an approval may stay unfinished before
	// Resume takes it for a crash and finishes its execution (default 2m).
	RecoverAfter time.Duration
}

// Bot is the Slack surface. Create it with New, serve Handler (HTTP mode)
// or RunSocketMode, and Close it to finish in-flight work.
type Bot struct {
	slack  SlackAPI
	store  Store
	rec    *store.CaseRecorder
	mem    Memory
	inv    Investigator
	cfg    *Config
	auth   *Authorizer
	verify *Verifier
	log    *slog.Logger
	m      *Metrics
	out    *Outbox

	workTimeout  time.Duration
	recoverAfter time.Duration
	now          func() time.Time
	resolved     func(context.Context, Resolved)
	queue        chan job
	base         context.Context
	cancel       context.CancelFunc
	wg           sync.WaitGroup
	mu           sync.Mutex
	closed       bool
}

// Resolved says which action of a case executed, who decided it, and what
// the connector did.
type Resolved struct {
	CaseID     string
	ProposalID string
	By         string // the approver's Slack user id, or "policy" for auto actions
	Action     connectors.Action
	Execution  connectors.Execution
}

type job struct {
	name string
	run  func(ctx context.Context)
}

// New validates the options and starts the workers.
func New(o Options) (*Bot, error) {
	switch {
	case o.Slack == nil:
		return nil, errors.New("slackbot: Options.Slack is required")
	case o.Store == nil:
		return nil, errors.New("slackbot: Options.Store is required")
	case o.Redis == nil:
		return nil, errors.New("slackbot: Options.Redis is required")
	case o.Investigator == nil:
		return nil, errors.New("slackbot: Options.Investigator is required")
	case o.Config == nil:
		return nil, errors.New("slackbot: Options.Config is required")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Instance != "" {
		o.Log = o.Log.With("instance", o.Instance)
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics()
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 4096
	}
	if o.WorkTimeout <= 0 {
		o.WorkTimeout = 2 * time.Minute
	}
	if o.RecoverAfter <= 0 {
		o.RecoverAfter = 2 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	b := &Bot{
		slack: o.Slack, store: o.Store, rec: &store.CaseRecorder{Store: o.Store}, mem: Memory{R: o.Redis}, inv: o.Investigator, cfg: o.Config,
		verify: &Verifier{Secret: []byte(o.SigningSecret), Now: o.Now},
		log:    o.Log, m: o.Metrics, workTimeout: o.WorkTimeout, recoverAfter: o.RecoverAfter, now: o.Now, resolved: o.Resolved,
		queue: make(chan job, o.QueueSize),
	}
	b.auth = NewAuthorizer(o.Config, groupsOf{o.Slack}, 5*time.Minute)
	b.out = &Outbox{Interval: o.ChannelInterval, Log: o.Log,
		OnRateLimit: func(string, time.Duration) { b.m.RateLimited.Inc() }}
	b.base, b.cancel = context.WithCancel(context.Background())
	for range o.Workers {
		b.wg.Add(1)
		go b.worker()
	}
	return b, nil
}

// Metrics returns the bot's metrics.
func (b *Bot) Metrics() *Metrics { return b.m }

// Ready checks Redis and the store.
func (b *Bot) Ready(ctx context.Context) error {
	if err := b.mem.Ping(ctx); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	if err := b.store.Ping(ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// Resume reports the approvals still pending in the store (they survive a
// restart: their buttons carry only the proposal id, which any replica
// resolves from the store).
func (b *Bot) Resume(ctx context.Context) (int, error) {
	ps, err := b.store.ListPendingProposals(ctx)
	if err != nil {
		return 0, fmt.Errorf("listing pending approvals: %w", err)
	}
	for _, p := range ps {
		b.log.Info("approval pending", "proposal", p.ID, "case", p.CaseID, "order", p.OrderID, "role", p.Role, "channel", p.SlackChannel, "ts", p.SlackTS)
	}
	if _, err := b.RecoverApproved(ctx); err != nil {
		return len(ps), err
	}
	return len(ps), nil
}

// RecoverApproved finishes approvals that a crash left half done: approved
// longer than Options.RecoverAfter ago, but never marked executed or
// failed. Each is executed through the same path as a click (the guard
// re-checked on fresh data, the execution claimed once in the store, the
// connector deduplicating on the proposal id, so an action that did run
// before the crash is not run again) and the outcome is posted in its
// thread. It returns how many it finished.
func (b *Bot) RecoverApproved(ctx context.Context) (int, error) {
	ps, err := b.store.ListApprovedProposals(ctx)
	if err != nil {
		return 0, fmt.Errorf("listing unfinished approvals: %w", err)
	}
	n := 0
	for _, p := range ps {
		if b.now().Sub(p.DecidedAt) < b.recoverAfter {
			continue // another replica may still be executing it
		}
		a := p.Action
		a.ID = p.ID
		if err := b.store.RecordExecution(ctx, &store.Execution{ProposalID: p.ID, CaseID: p.CaseID, Action: a, By: p.DecidedBy}); err != nil && !errors.Is(err, store.ErrAlreadyExecuted) {
			b.log.Error("unfinished approval not recovered", "proposal", p.ID, "err", err)
			continue
		}
		e, d, execErr := b.inv.Execute(ctx, a, b.confidenceOf(ctx, &p), p.DecidedBy)
		var ep *connectors.Execution
		if execErr == nil {
			ep = &e
		}
		state := b.finishExecution(ctx, p.CaseID, p.ID, p.DecidedBy, ep, execErr)
		b.audit(ctx, store.AuditEntry{Actor: "executor", Kind: "approval.recovered", CaseID: p.CaseID, ProposalID: p.ID,
			Outcome: string(state), Data: mustJSON(map[string]any{"approved_by": p.DecidedBy, "approved_at": p.DecidedAt})})
		n++
		if p.SlackChannel == "" {
			continue
		}
		if err := b.refresh(ctx, p.CaseID, p.SlackChannel, p.SlackTS); err != nil {
			b.log.Error("case message not updated", "proposal", p.ID, "err", err)
		}
		thread := p.SlackTS
		if th, err := b.caseThread(ctx, p.CaseID); err == nil && th.TS != "" {
			thread = th.TS
		}
		msg := fmt.Sprintf(":arrows_counterclockwise: finished <@%s>'s approval of *%s* after a restart — ", p.DecidedBy, escape(agent.Describe(a)))
		if state == store.Executed {
			msg += "executed: " + escape(e.Detail)
		} else {
			msg += "not executed: " + escape(failureWords(execErr, d))
		}
		b.reply(ctx, p.SlackChannel, thread, msg)
	}
	return n, nil
}

// confidenceOf is the planner's confidence in the proposal's action, from
// its case (1 when the case cannot be read).
func (b *Bot) confidenceOf(ctx context.Context, p *store.Proposal) float64 {
	cs, err := b.loadCase(ctx, p.CaseID)
	if err != nil {
		return 1
	}
	for _, act := range cs.Actions {
		if act.Action.ID == p.ID {
			return act.Confidence
		}
	}
	return 1
}

// submit queues work without blocking; false when the queue is full or closed.
func (b *Bot) submit(name string, run func(ctx context.Context)) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	select {
	case b.queue <- job{name: name, run: run}:
		b.m.QueueDepth.Inc()
		return true
	default:
		return false
	}
}

func (b *Bot) worker() {
	defer b.wg.Done()
	for j := range b.queue {
		b.m.QueueDepth.Dec()
		b.runJob(j)
	}
}

func (b *Bot) runJob(j job) {
	ctx, cancel := context.WithTimeout(b.base, b.workTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("work item panicked", "job", j.name, "panic", fmt.Sprint(r))
		}
	}()
	j.run(ctx)
}

// Close stops taking work and waits for queued and in-flight work to
// finish, or for ctx to end (then in-flight work is cancelled).
func (b *Bot) Close(ctx context.Context) error {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.queue)
	}
	b.mu.Unlock()
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
		b.cancel()
		return nil
	case <-ctx.Done():
		b.cancel()
		<-done
		return fmt.Errorf("slackbot: in-flight work cancelled at shutdown: %w", ctx.Err())
	}
}

// groupsOf adapts SlackAPI to GroupMembers.
type groupsOf struct{ api SlackAPI }

func (g groupsOf) GetUserGroupMembersContext(ctx context.Context, group string) ([]string, error) {
	return g.api.GetUserGroupMembersContext(ctx, group)
}

// --- outbound -----------------------------------------------------------------

// post sends a message through the channel's queue and returns its ts.
func (b *Bot) post(ctx context.Context, channel string, opts ...slack.MsgOption) (string, error) {
	var ts string
	err := b.out.Do(ctx, channel, func(ctx context.Context) error {
		var err error
		_, ts, err = b.slack.PostMessageContext(ctx, channel, opts...)
		return err
	})
	if err != nil {
		b.m.SlackFailure.WithLabelValues("chat.postMessage").Inc()
		return "", fmt.Errorf("chat.postMessage to %s: %w", channel, err)
	}
	return ts, nil
}

func (b *Bot) update(ctx context.Context, channel, ts string, opts ...slack.MsgOption) error {
	err := b.out.Do(ctx, channel, func(ctx context.Context) error {
		_, _, _, err := b.slack.UpdateMessageContext(ctx, channel, ts, opts...)
		return err
	})
	if err != nil {
		b.m.SlackFailure.WithLabelValues("chat.update").Inc()
		return fmt.Errorf("chat.update %s/%s: %w", channel, ts, err)
	}
	return nil
}

// ephemeral messages are seen by one user, so they queue per user and
// channel: 49 "already decided" notes do not hold up the channel's thread.
func (b *Bot) ephemeral(ctx context.Context, channel, user, text string) {
	err := b.out.Do(ctx, channel+"/"+user, func(ctx context.Context) error {
		_, err := b.slack.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(text, false))
		return err
	})
	if err != nil {
		b.m.SlackFailure.WithLabelValues("chat.postEphemeral").Inc()
		b.log.Error("ephemeral message not delivered", "channel", channel, "user", user, "err", err)
	}
}

// reply posts text in a thread; failures are logged (the caller has nothing
// better to do with them).
func (b *Bot) reply(ctx context.Context, channel, threadTS, text string) {
	if _, err := b.post(ctx, channel, slack.MsgOptionText(text, false), slack.MsgOptionTS(threadTS)); err != nil {
		b.log.Error("thread reply not delivered", "channel", channel, "thread_ts", threadTS, "err", err)
	}
}

func (b *Bot) audit(ctx context.Context, e store.AuditEntry) {
	if err := b.store.AppendAudit(ctx, &e); err != nil {
		b.log.Error("audit entry not written", "kind", e.Kind, "proposal", e.ProposalID, "err", err)
	}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(`null`)
	}
	return b
}
