package ingest

import (
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// testutilValue reads a counter's value.
func testutilValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return -1
	}
	return m.GetCounter().GetValue()
}

// processedTotal sums the processed counter over outcomes.
func processedTotal(m *Metrics) int64 {
	var n float64
	for _, o := range []string{OutcomeOpened, OutcomeNoException, OutcomeCorrelated, OutcomeDuplicate,
		OutcomeUnmatched, OutcomeStateOnly} {
		n += testutilValue(m.Processed.WithLabelValues(o))
	}
	return int64(n)
}
