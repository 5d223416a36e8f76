package slackbot

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the bot's Prometheus metrics, registered on their own registry
// (no global state). Expose Registry with promhttp.
type Metrics struct {
	Registry *prometheus.Registry

	Requests     *prometheus.CounterVec   // endpoint, result
	AckSeconds   *prometheus.HistogramVec // endpoint
	Cases        *prometheus.CounterVec   // class, outcome
	FirstReply   prometheus.Histogram
	Approvals    *prometheus.CounterVec // role, result
	Rejections   *prometheus.CounterVec // role
	Overrides    *prometheus.CounterVec // kind
	Executions   *prometheus.CounterVec // result
	ModelTokens  *prometheus.CounterVec // model
	RateLimited  prometheus.Counter
	QueueDepth   prometheus.Gauge
	SlackFailure *prometheus.CounterVec // method
	// OutboxBacklog is the number of case messages not yet delivered.
	OutboxBacklog prometheus.Gauge
	// Folded counts cases posted inside a digest during a burst.
	Folded prometheus.Counter
	// Questions counts questions by result (answered, refused, limited, ignored).
	Questions *prometheus.CounterVec
}

// NewMetrics creates the metrics on a new registry, with Go and process
// collectors.
func NewMetrics() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exdesk_slack_requests_total",
			Help: "Slack requests by endpoint and result (ok, bad_signature, duplicate, busy, bad_request)."}, []string{"endpoint", "result"}),
		AckSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "exdesk_slack_ack_seconds",
			Help:    "Time from receiving a Slack request to acknowledging it.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 3}}, []string{"endpoint"}),
		Cases: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exdesk_cases_total",
			Help: "Cases posted to Slack by exception class and the top action's outcome (auto, approval, blocked, none, error)."}, []string{"class", "outcome"}),
		FirstReply: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "exdesk_slack_first_reply_seconds",
			Help:    "Time from a question's arrival to the first visible reply (status or answer).",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 10)}),
		Approvals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exdesk_approvals_total",
			Help: "Approve clicks by required role and result (approved, denied, already_decided)."}, []string{"role", "result"}),
		Rejections: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exdesk_rejections_total",
			Help: "Proposals rejected in Slack by required role."}, []string{"role"}),
		Overrides: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exdesk_overrides_total",
			Help: "People overriding the system: rejecting the recommended action, or an approved action the guard blocked on fresh data."}, []string{"kind"}),
		Executions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exdesk_executions_total",
			Help: "Action executions by result (succeeded, failed)."}, []string{"result"}),
		ModelTokens: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exdesk_model_tokens_total",
			Help: "Model tokens spent on cases posted to Slack, by model (playbook cases spend none)."}, []string{"model"}),
		RateLimited: prometheus.NewCounter(prometheus.CounterOpts{Name: "exdesk_slack_rate_limited_total",
			Help: "429 responses from Slack (each honoured by waiting Retry-After)."}),
		QueueDepth: prometheus.NewGauge(prometheus.GaugeOpts{Name: "exdesk_slack_queue_depth",
			Help: "Acknowledged Slack work waiting for a worker."}),
		SlackFailure: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exdesk_slack_call_failures_total",
			Help: "Slack Web API calls that failed after retries, by method."}, []string{"method"}),
		OutboxBacklog: prometheus.NewGauge(prometheus.GaugeOpts{Name: "exdesk_outbox_backlog",
			Help: "Case messages (posts, re-renders, thread notes) stored but not yet delivered to Slack."}),
		Folded: prometheus.NewCounter(prometheus.CounterOpts{Name: "exdesk_cases_folded_total",
			Help: "Cases posted inside a per-class digest because their channel's backlog was long."}),
		Questions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exdesk_questions_total",
			Help: "Questions by result (answered, refused, rate_limited, ignored)."}, []string{"result"}),
	}
	r.MustRegister(m.OutboxBacklog, m.Folded, m.Questions, m.Requests, m.AckSeconds, m.Cases, m.FirstReply, m.Approvals, m.Rejections, m.Overrides,
		m.Executions, m.ModelTokens, m.RateLimited, m.QueueDepth, m.SlackFailure,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}
