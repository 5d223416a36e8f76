package ingest

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the ingest path's Prometheus metrics. Create one set per
// process with NewMetrics and share it between the handler, the publisher
// and the workers.
type Metrics struct {
	// Received counts events by result: accepted, duplicate, rejected.
	Received *prometheus.CounterVec
	// Processed counts events a worker finished, by outcome: opened,
	// correlated, no_exception, duplicate.
	Processed *prometheus.CounterVec
	// Failures counts processing attempts that failed (and will be retried
	// or dead-lettered).
	Failures prometheus.Counter
	// DeadLettered counts events moved to the dead-letter stream.
	DeadLettered prometheus.Counter
	// Claimed counts entries claimed from other (dead or slow) consumers.
	Claimed prometheus.Counter
	// Latency is the time to process one event, lock to ack.
	Latency prometheus.Histogram
	// Lag is the number of stream entries not yet delivered to the group.
	Lag prometheus.Gauge
	// Pending is the number of entries delivered and not yet acknowledged.
	Pending prometheus.Gauge
	// Ignored counts what a source sent that maps to no event and was
	// accepted without one, by format (cloudevents, x12, webhook) and
	// reason (unknown_type, unmappable_set, not_actionable).
	Ignored *prometheus.CounterVec
	// Unmatched counts shipment_status events whose shipment no system
	// knows: they open no case; their state is kept.
	Unmatched prometheus.Counter
	// State counts reported states kept, by kind (shipment, inbound) and
	// result (applied, stale: older than the kept state).
	State *prometheus.CounterVec
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered, e.g. in tests).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Received: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exdesk_ingest_events_received_total",
			Help: "Events received by the ingest endpoint or backfill, by result (accepted, duplicate, rejected)."}, []string{"result"}),
		Processed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exdesk_ingest_events_processed_total",
			Help: "Events processed by ingest workers, by outcome."}, []string{"outcome"}),
		Failures: prometheus.NewCounter(prometheus.CounterOpts{Name: "exdesk_ingest_processing_failures_total",
			Help: "Processing attempts that failed and were left pending for a retry."}),
		DeadLettered: prometheus.NewCounter(prometheus.CounterOpts{Name: "exdesk_ingest_events_dead_lettered_total",
			Help: "Events moved to the dead-letter stream."}),
		Claimed: prometheus.NewCounter(prometheus.CounterOpts{Name: "exdesk_ingest_entries_claimed_total",
			Help: "Pending entries claimed from another consumer after the claim timeout."}),
		Latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "exdesk_ingest_processing_seconds",
			Help: "Time to process one event, from taking the order lock to the acknowledgement.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}),
		Lag: prometheus.NewGauge(prometheus.GaugeOpts{Name: "exdesk_ingest_stream_lag",
			Help: "Stream entries not yet delivered to the consumer group."}),
		Pending: prometheus.NewGauge(prometheus.GaugeOpts{Name: "exdesk_ingest_stream_pending",
			Help: "Stream entries delivered to a consumer and not yet acknowledged."}),
		Ignored: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exdesk_ingest_ignored_total",
			Help: "Source messages accepted without an event (unknown CloudEvents types, unmappable X12 sets, webhook events that say nothing), by format and reason."},
			[]string{"format", "reason"}),
		Unmatched: prometheus.NewCounter(prometheus.CounterOpts{Name: "exdesk_ingest_unmatched_shipments_total",
			Help: "shipment_status events whose shipment no system knows: no case opened, state kept."}),
		State: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "exdesk_ingest_state_reports_total",
			Help: "Shipment and inbound-supply states reported by events and kept, by kind and result (applied, stale)."},
			[]string{"kind", "result"}),
	}
	if reg != nil {
		reg.MustRegister(m.Received, m.Processed, m.Failures, m.DeadLettered, m.Claimed, m.Latency, m.Lag, m.Pending,
			m.Ignored, m.Unmatched, m.State)
	}
	return m
}
