package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/ingest/x12"
)

// MaxX12Events bounds the events one interchange may map to (a 10,000-set
// interchange of 856s with several orders each fits).
const MaxX12Events = 50000

// X12Batch is what an interchange becomes: the events to publish, and the
// transaction sets skipped.
type X12Batch struct {
	Interchange *x12.Interchange
	Events      []connectors.Event
	Skipped     []x12.Skipped
}

// X12Events parses and maps an interchange. A malformed interchange is a
// *x12.SyntaxError (with the partial interchange in the batch, for an
// acknowledgement). Mapped events are validated like any exdesk event; a
// set whose events fail is skipped with the problem.
func X12Events(data []byte, o x12.Options) (X12Batch, error) {
	ic, err := x12.Parse(data)
	if err != nil {
		return X12Batch{Interchange: ic}, err
	}
	r := x12.Map(ic, o)
	b := X12Batch{Interchange: ic, Skipped: r.Skipped}
	for _, set := range r.Sets {
		var good []connectors.Event
		for _, ev := range set.Events {
			raw, err := json.Marshal(ev)
			if err == nil {
				ev, err = ParseEvent(raw)
			}
			if err != nil {
				good = nil
				st := setStart(ic, set.Group, set.Set)
				b.Skipped = append(b.Skipped, x12.Skipped{Group: set.Group, Set: set.Set, Type: set.Type, Segment: st, SegmentID: "ST",
					SetPos: 1, Code: "5", Reason: "the mapped event is not acceptable: " + err.Error()})
				break
			}
			good = append(good, ev)
		}
		b.Events = append(b.Events, good...)
	}
	if len(b.Events) > MaxX12Events {
		return b, &ValidationError{Problems: []FieldError{{Problem: fmt.Sprintf("the interchange maps to %d events; at most %d in one interchange", len(b.Events), MaxX12Events)}}}
	}
	return b, nil
}

// setStart returns the position of a set's ST in the interchange.
func setStart(ic *x12.Interchange, group, set string) int {
	for _, g := range ic.Groups {
		if g.Control != group {
			continue
		}
		for _, s := range g.Sets {
			if s.Control == set {
				return s.Segments[0].Pos
			}
		}
	}
	return 0
}

// X12Options configure X12Handler.
type X12Options struct {
	// Token is the bearer token (EXDESK_INGEST_TOKEN); empty disables the
	// endpoint (503).
	Token string
	// Map are the mapping defaults; ?direction= overrides Direction.
	Map x12.Options
	// Now stamps acknowledgements (default time.Now).
	Now func() time.Time
	// Log receives JSON logs; nil discards.
	Log *slog.Logger
	// Metrics; nil records nothing.
	Metrics *Metrics
}

// X12Handler serves POST /v1/edi/x12: one X12 interchange a request,
// authorised like /v1/events. A malformed interchange gets 400 naming the
// segment and element, and nothing is queued. A good one is mapped and its
// events published; sets that cannot be mapped are skipped and listed.
// The answer is 202 with JSON {accepted, duplicates, sets, skipped}, or,
// with ?ack=997 or ?ack=999, the functional acknowledgement itself
// (Content-Type application/edi-x12; the counts in X-Exdesk-Accepted,
// X-Exdesk-Duplicates and X-Exdesk-Skipped headers) — also for a rejected
// interchange whose envelope could be read (400).
func X12Handler(pub EventPublisher, o X12Options) http.Handler {
	if o.Now == nil {
		o.Now = time.Now
	}
	g := newGate(o.Token, o.Log, o.Metrics)
	mux := http.NewServeMux()
	mux.Handle("POST /v1/edi/x12", g.wrap(func(w http.ResponseWriter, r *http.Request, body []byte) {
		q := r.URL.Query()
		kind := q.Get("ack")
		if kind != "" && kind != x12.Ack997 && kind != x12.Ack999 {
			writeJSON(w, http.StatusBadRequest, errorBody{Error: fmt.Sprintf("ack=%q: ask for ack=997 or ack=999", kind)})
			return
		}
		mo := o.Map
		switch d := q.Get("direction"); d {
		case "":
		case x12.Inbound, x12.Outbound:
			mo.Direction = d
		default:
			writeJSON(w, http.StatusBadRequest, errorBody{Error: fmt.Sprintf("direction=%q: use inbound or outbound", d)})
			return
		}
		mo.Now = o.Now()
		batch, err := X12Events(body, mo)
		if err != nil {
			g.m.rejected()
			var se *x12.SyntaxError
			if errors.As(err, &se) {
				g.log.Info("x12 interchange rejected", "err", se.Error(), "remote", r.RemoteAddr)
				if kind != "" && batch.Interchange != nil {
					ack := x12.Ack(batch.Interchange, x12.AckOptions{Kind: kind, Now: o.Now(), Rejected: true,
						Outcomes: []x12.SetOutcome{x12.OutcomeOf(se)}, GroupOf: se.Group, GroupCode: se.GroupCode})
					w.Header().Set("X-Exdesk-Error", headerText(se.Error()))
					writeX12(w, http.StatusBadRequest, ack)
					return
				}
				writeJSON(w, http.StatusBadRequest, x12Error{Error: "malformed X12 interchange: " + se.Error(), Segment: se.Segment,
					SegmentID: se.SegmentID, Element: se.Element, Group: se.Group, Set: se.Set})
				return
			}
			var v *ValidationError
			if errors.As(err, &v) {
				writeJSON(w, http.StatusBadRequest, errorBody{Error: v.Error(), Errors: v.Messages()})
				return
			}
			writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error()})
			return
		}
		res := Result{Duplicates: []string{}}
		if len(batch.Events) > 0 {
			if res, err = pub.Publish(r.Context(), batch.Events); err != nil {
				g.log.Error("x12 events not published", "count", len(batch.Events), "err", err)
				writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: "events not queued; retry: " + err.Error()})
				return
			}
		}
		if g.m != nil && len(batch.Skipped) > 0 {
			g.m.Ignored.WithLabelValues("x12", "unmappable_set").Add(float64(len(batch.Skipped)))
		}
		for _, s := range batch.Skipped {
			g.log.Info("x12 transaction set skipped", "interchange", batch.Interchange.Control, "group", s.Group, "set", s.Set,
				"type", s.Type, "segment", s.Segment, "reason", s.Reason)
		}
		sets := 0
		for _, gr := range batch.Interchange.Groups {
			sets += len(gr.Sets)
		}
		if kind != "" {
			outcomes := make([]x12.SetOutcome, 0, len(batch.Skipped))
			for _, s := range batch.Skipped {
				outcomes = append(outcomes, s.Outcome())
			}
			w.Header().Set("X-Exdesk-Accepted", strconv.Itoa(res.Accepted))
			w.Header().Set("X-Exdesk-Duplicates", strconv.Itoa(len(res.Duplicates)))
			w.Header().Set("X-Exdesk-Skipped", strconv.Itoa(len(batch.Skipped)))
			writeX12(w, http.StatusAccepted, x12.Ack(batch.Interchange, x12.AckOptions{Kind: kind, Now: o.Now(), Outcomes: outcomes}))
			return
		}
		skipped := batch.Skipped
		if skipped == nil {
			skipped = []x12.Skipped{}
		}
		writeJSON(w, http.StatusAccepted, x12Result{Result: res, Sets: sets, Skipped: skipped})
	}))
	mux.HandleFunc("/v1/edi/x12", methodNotAllowed)
	return mux
}

type x12Result struct {
	Result
	// Sets is the number of transaction sets in the interchange.
	Sets    int           `json:"sets"`
	Skipped []x12.Skipped `json:"skipped"`
}

type x12Error struct {
	Error     string `json:"error"`
	Segment   int    `json:"segment"`
	SegmentID string `json:"segment_id,omitempty"`
	Element   int    `json:"element,omitempty"`
	Group     string `json:"group,omitempty"`
	Set       string `json:"set,omitempty"`
}

func writeX12(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/edi-x12")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// headerText makes s safe for a header value.
func headerText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return ' '
		}
		return r
	}, s)
}
