package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/queue"
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
	GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error)
}

// Store is the part of store.Store the Slack surface needs itself: the
// outbox it drains, where each case's thread is, and a readiness check.
// Everything else about cases goes through the Desk.
type Store interface {
	ClaimOutbox(ctx context.Context, owner string, lease time.Duration, maxCases int) ([]store.OutboxMessage, error)
	AckOutbox(ctx context.Context, id int64, owner string) error
	RetryOutbox(ctx context.Context, id int64, owner, errText string, next time.Time) error
	OutboxBacklog(ctx context.Context) (int, error)
	AppendCaseEvent(ctx context.Context, e *store.CaseEvent) error
	ListCaseEvents(ctx context.Context, caseID string) ([]store.CaseEvent, error)
	SetProposalSlack(ctx context.Context, id, channel, ts string) error
	Ping(ctx context.Context) error
}

var _ Store = (store.Store)(nil)

// Desk is the case lifecycle the bot drives; *casework.Desk implements it.
type Desk interface {
	Ask(ctx context.Context, q casework.Question) (casework.Answer, error)
	FindOrders(ctx context.Context, text string) (agent.Found, error)
	Preview(ctx context.Context, q casework.Question) (*agent.Case, error)
	View(ctx context.Context, caseID string) (*casework.CaseView, error)
	OpenCase(ctx context.Context, orderID string) (*casework.CaseView, error)
	Proposal(ctx context.Context, id string) (*store.Proposal, error)
	Approve(ctx context.Context, proposalID string, who casework.Approver) (casework.Result, error)
	Reject(ctx context.Context, proposalID string, who casework.Approver, reason string) (casework.Result, error)
	Recover(ctx context.Context) (int, error)
}

var _ Desk = (*casework.Desk)(nil)

// Options configure a Bot. Slack, Store, Redis, Desk and Config are
// required; SigningSecret is required for the HTTP handlers.
type Options struct {
	Slack  SlackAPI
	Store  Store
	Redis  *redis.Client
	Desk   Desk
	Config *Config

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
	// Instance names this replica in logs and in outbox leases.
	Instance string
	// DrainEvery is how often the outbox is polled for cases other
	// replicas stored (default 1s; a local change wakes the drainer at once).
	DrainEvery time.Duration
	// Queue, when set, answers "/exdesk queue" (store.Store implements it).
	Queue queue.Store
	// Today is the business date the queue counts promised dates from
	// (default: the wall clock).
	Today func() time.Time
	// ConsoleURL, when set, links queue entries to the console.
	ConsoleURL string
	// FoldAfter is the backlog of new cases for one channel above which
	// they are folded into one message per class, most urgent first
	// (default 5).
	FoldAfter int
}

// Bot is the Slack surface. Create it with New, serve Handler (HTTP mode)
// or RunSocketMode, and Close it to finish in-flight work.
type Bot struct {
	slack  SlackAPI
	store  Store
	mem    Memory
	desk   Desk
	cfg    *Config
	auth   *Authorizer
	verify *Verifier
	log    *slog.Logger
	m      *Metrics
	out    *Outbox

	workTimeout time.Duration
	now         func() time.Time
	instance    string
	drainEvery  time.Duration
	foldAfter   int
	wake        chan struct{}
	cases       queue.Store
	today       func() time.Time
	consoleURL  string
	drainMu     sync.Mutex
	queue       chan job
	base        context.Context
	cancel      context.CancelFunc
	wg          sync.WaitGroup
	mu          sync.Mutex
	closed      bool
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
	case o.Desk == nil:
		return nil, errors.New("slackbot: Options.Desk is required")
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
	if o.DrainEvery <= 0 {
		o.DrainEvery = time.Second
	}
	if o.FoldAfter <= 0 {
		o.FoldAfter = 5
	}
	if o.Instance == "" {
		o.Instance = store.NewID("slack-")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	b := &Bot{
		slack: o.Slack, store: o.Store, mem: Memory{R: o.Redis}, desk: o.Desk, cfg: o.Config,
		verify: &Verifier{Secret: []byte(o.SigningSecret), Now: o.Now},
		log:    o.Log, m: o.Metrics, workTimeout: o.WorkTimeout, now: o.Now, instance: o.Instance,
		drainEvery: o.DrainEvery, foldAfter: o.FoldAfter, wake: make(chan struct{}, 1),
		queue: make(chan job, o.QueueSize),
		cases: o.Queue, today: o.Today, consoleURL: strings.TrimRight(o.ConsoleURL, "/"),
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

// Authorizer is the bot's role check (the config's roles, user groups
// resolved through Slack and cached): other surfaces, such as the console,
// share it so a person holds the same roles everywhere.
func (b *Bot) Authorizer() *Authorizer { return b.auth }

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

// Resume finishes approvals a crash left half done (through the Desk,
// which re-checks each on fresh data and executes it at most once). Pending
// approvals need nothing: their buttons carry only the proposal id, which
// any replica resolves from the store. It returns how many it finished.
func (b *Bot) Resume(ctx context.Context) (int, error) {
	n, err := b.desk.Recover(ctx)
	if err != nil {
		return n, fmt.Errorf("finishing interrupted approvals: %w", err)
	}
	if n > 0 {
		b.Wake()
	}
	return n, nil
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
		// What the finished work told the outbox is delivered before
		// this replica goes (what is left, another replica delivers).
		b.Drain(ctx)
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
	ctx, span := slackSpan(ctx, "chat.postMessage", channel)
	err := b.out.Do(ctx, channel, func(ctx context.Context) error {
		var err error
		_, ts, err = b.slack.PostMessageContext(ctx, channel, opts...)
		return err
	})
	endSlackSpan(span, err)
	if err != nil {
		b.m.SlackFailure.WithLabelValues("chat.postMessage").Inc()
		return "", fmt.Errorf("chat.postMessage to %s: %w", channel, err)
	}
	return ts, nil
}

func (b *Bot) update(ctx context.Context, channel, ts string, opts ...slack.MsgOption) error {
	ctx, span := slackSpan(ctx, "chat.update", channel)
	err := b.out.Do(ctx, channel, func(ctx context.Context) error {
		_, _, _, err := b.slack.UpdateMessageContext(ctx, channel, ts, opts...)
		return err
	})
	endSlackSpan(span, err)
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

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(`null`)
	}
	return b
}
