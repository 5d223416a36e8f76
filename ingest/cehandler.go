package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/ingest/cloudevents"
)

// ceResult answers a CloudEvents request.
type ceResult struct {
	Result
	// Ignored lists the events accepted without an exdesk event (unknown
	// types), with the reason.
	Ignored []cloudevents.Ignored `json:"ignored"`
}

// CloudEvents turns the CloudEvents of a request into validated exdesk
// events: every event or the problems of the bad ones (nothing of a batch
// when any is bad), and the ones ignored.
func CloudEvents(header http.Header, body []byte, now time.Time) ([]connectors.Event, []cloudevents.Ignored, error) {
	ces, err := cloudevents.Read(header, body)
	if err != nil {
		var ps cloudevents.Problems
		if errors.As(err, &ps) {
			v := &ValidationError{}
			for _, p := range ps {
				where := "cloudevent"
				if p.Index >= 0 {
					where = fmt.Sprintf("cloudevents[%d]", p.Index)
				}
				v.add(FieldError{Where: where, Field: p.Attribute, Problem: p.Problem})
			}
			return nil, nil, v
		}
		return nil, nil, err
	}
	var (
		out     = make([]connectors.Event, 0, len(ces))
		ignored = []cloudevents.Ignored{}
		verr    = &ValidationError{}
	)
	for i, ce := range ces {
		ev, ign := cloudevents.Map(ce, cloudevents.Options{Now: now})
		if ign != nil {
			ignored = append(ignored, *ign)
			continue
		}
		raw, err := json.Marshal(ev)
		if err == nil {
			ev, err = ParseEvent(raw)
		}
		if err != nil {
			where := "cloudevent"
			if len(ces) > 1 || cloudevents.ModeOf(header) == cloudevents.ModeBatch {
				where = fmt.Sprintf("cloudevents[%d]", i)
			}
			var v *ValidationError
			if errors.As(err, &v) {
				for _, p := range v.Problems {
					p.Where = where + " (" + ce.Type + " " + ce.ID + ")"
					verr.add(p)
				}
				continue
			}
			verr.add(FieldError{Where: where, Problem: err.Error()})
			continue
		}
		out = append(out, ev)
	}
	if len(verr.Problems) > 0 {
		return nil, nil, verr
	}
	return out, ignored, nil
}

func (h *handler) serveCloudEvents(w http.ResponseWriter, r *http.Request, body []byte) {
	events, ignored, err := CloudEvents(r.Header, body, time.Now())
	if err != nil {
		h.m.rejected()
		var v *ValidationError
		if errors.As(err, &v) {
			h.log.Info("cloudevents rejected", "problems", len(v.Problems), "first", v.Error(), "remote", r.RemoteAddr)
			writeJSON(w, http.StatusBadRequest, errorBody{Error: v.Error(), Errors: v.Messages()})
			return
		}
		writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error()})
		return
	}
	for _, ig := range ignored {
		if h.m != nil {
			h.m.Ignored.WithLabelValues("cloudevents", ig.Reason).Inc()
		}
		h.log.Info("cloudevent ignored", "id", ig.ID, "source", ig.Source, "type", ig.Type, "reason", ig.Reason)
	}
	res := Result{Duplicates: []string{}}
	if len(events) > 0 {
		if res, err = h.pub.Publish(r.Context(), events); err != nil {
			h.log.Error("events not published", "count", len(events), "err", err)
			writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: "events not queued; retry: " + err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusAccepted, ceResult{Result: res, Ignored: ignored})
}
