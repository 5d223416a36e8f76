package rest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// ServerOptions configures a reference server.
type ServerOptions struct {
	// Token, when set, is the bearer token every request must carry.
	Token string
	// MaxRequestBytes bounds a request body; 0 means 1 MiB.
	MaxRequestBytes int64
}

// Server is a reference implementation of exdesk.systems/v1 over any
// connectors.Systems: recorded snapshots for integrators to compare with,
// and the server the tests and benchmarks run the REST connector against.
// POST /v1/actions keeps the first answer to each Idempotency-Key and
// replays it (same status, same body, header Idempotent-Replayed: true)
// without executing again; concurrent requests with one key wait for the
// first. It is safe for concurrent use.
type Server struct {
	sys  connectors.Systems
	opts ServerOptions

	mu   sync.Mutex
	keys map[string]*keyed
}

type keyed struct {
	done        chan struct{}
	fingerprint string
	status      int
	body        []byte
}

var _ http.Handler = (*Server)(nil)

// NewServer serves sys.
func NewServer(sys connectors.Systems, opts ServerOptions) *Server {
	if opts.MaxRequestBytes <= 0 {
		opts.MaxRequestBytes = 1 << 20
	}
	return &Server{sys: sys, opts: opts, keys: map[string]*keyed{}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"encoding the answer failed"}}`)
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, code, format string, args ...any) {
	var eb errorBody
	eb.Error.Code, eb.Error.Message = code, fmt.Sprintf(format, args...)
	writeJSON(w, status, eb)
}

// writeErr maps a connector error onto the contract's statuses.
func writeErr(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, connectors.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "%v", err)
	case errors.Is(err, connectors.ErrConflict):
		writeError(w, http.StatusConflict, "conflict", "%v", err)
	case errors.Is(err, connectors.ErrRefused):
		writeError(w, http.StatusUnprocessableEntity, "invalid", "%v", err)
	case errors.Is(err, connectors.ErrUnavailable):
		writeError(w, http.StatusServiceUnavailable, "unavailable", "%v", err)
	default:
		writeError(w, http.StatusInternalServerError, "internal", "%v", err)
	}
}

// ServeHTTP routes on the escaped path, one segment at a time, so an id
// holding %2F is one id.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.opts.Token != "" {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.Token)) != 1 {
			writeError(w, http.StatusUnauthorized, "unauthorized", "a valid bearer token is required")
			return
		}
	}
	raw := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	segs := make([]string, len(raw))
	for i, x := range raw {
		v, err := url.PathUnescape(x)
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request", "path segment %q is not validly escaped", x)
			return
		}
		segs[i] = v
	}
	if len(segs) < 2 || segs[0] != "v1" {
		writeError(w, http.StatusNotFound, "not_found", "no endpoint %s", r.URL.EscapedPath())
		return
	}
	if segs[1] == "actions" && len(segs) == 2 {
		if r.Method != http.MethodPost {
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use POST")
			return
		}
		s.action(w, r)
		return
	}
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use GET")
		return
	}
	ctx := r.Context()
	switch {
	case len(segs) == 2 && segs[1] == "clock":
		writeJSON(w, http.StatusOK, map[string]time.Time{"now": s.sys.Clock.Now().UTC()})
	case len(segs) == 2 && segs[1] == "sites":
		v, err := s.sys.Inventory.Sites(ctx)
		reply(w, err, func() any { return map[string]any{"sites": orEmpty(mapAll(v, normSite))} })
	case len(segs) == 2 && segs[1] == "carriers":
		v, err := s.sys.Carriers.Carriers(ctx)
		reply(w, err, func() any { return map[string]any{"carriers": orEmpty(mapAll(v, normCarrier))} })
	case len(segs) == 3 && segs[1] == "orders":
		v, err := s.sys.ERP.Order(ctx, segs[2])
		reply(w, err, func() any { return normOrder(v) })
	case len(segs) == 4 && segs[1] == "orders" && segs[3] == "shipments":
		v, err := s.sys.Carriers.OrderShipments(ctx, segs[2])
		reply(w, err, func() any { return map[string]any{"shipments": orEmpty(mapAll(v, normShipment))} })
	case len(segs) == 3 && segs[1] == "customers":
		v, err := s.sys.ERP.Customer(ctx, segs[2])
		reply(w, err, func() any { return normCustomer(v) })
	case len(segs) == 4 && segs[1] == "customers" && segs[3] == "orders":
		s.customerOrders(w, r, segs[2])
	case len(segs) == 4 && segs[1] == "customers" && segs[3] == "contracts":
		v, err := s.sys.ERP.Contracts(ctx, segs[2])
		reply(w, err, func() any { return map[string]any{"contracts": orEmpty(v)} })
	case len(segs) == 3 && segs[1] == "items":
		v, err := s.sys.ERP.Item(ctx, segs[2])
		reply(w, err, func() any { return normItem(v) })
	case len(segs) == 4 && segs[1] == "items" && segs[3] == "stock":
		v, err := s.sys.Inventory.Stock(ctx, segs[2])
		reply(w, err, func() any { return map[string]any{"inventory": orEmpty(mapAll(v, normStock))} })
	case len(segs) == 3 && segs[1] == "shipments":
		v, err := s.sys.Carriers.Shipment(ctx, segs[2])
		reply(w, err, func() any { return normShipment(v) })
	default:
		writeError(w, http.StatusNotFound, "not_found", "no endpoint %s", r.URL.EscapedPath())
	}
}

func reply(w http.ResponseWriter, err error, body func() any) {
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, body())
}

func (s *Server) customerOrders(w http.ResponseWriter, r *http.Request, customerID string) {
	ca := r.URL.Query().Get("created_after")
	since, err := time.Parse(time.RFC3339, ca)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "created_after must be an RFC 3339 time, got %q", ca)
		return
	}
	// The window through the ERP's index when it has one: a day's
	// orders, not the customer's whole history.
	found, err := connectors.FindCustomerOrders(r.Context(), s.sys.ERP, connectors.CustomerOrderQuery{CustomerID: customerID, Since: since})
	if err != nil {
		writeErr(w, err)
		return
	}
	out := make([]connectors.Order, 0, len(found))
	for _, o := range found {
		out = append(out, normOrder(o))
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": out})
}

// action executes POST /v1/actions once per Idempotency-Key.
func (s *Server) action(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", "the Idempotency-Key header (the action id) is required")
		return
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxRequestBytes))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "invalid_request", "the body is larger than %d bytes", s.opts.MaxRequestBytes)
		return
	}
	var req actionRequest
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "the body is not an action: %v", err)
		return
	}
	if req.ID != key {
		writeError(w, http.StatusUnprocessableEntity, "invalid", "the body's id %q differs from the Idempotency-Key %q", req.ID, key)
		return
	}
	fp, _ := json.Marshal(struct {
		T, O string
		A    connectors.Args
	}{req.Type, req.OrderID, req.Args})

	s.mu.Lock()
	k, seen := s.keys[key]
	if !seen {
		k = &keyed{done: make(chan struct{}), fingerprint: string(fp)}
		s.keys[key] = k
	}
	s.mu.Unlock()
	if seen {
		select {
		case <-k.done:
		case <-r.Context().Done():
			return
		}
		if k.fingerprint != string(fp) {
			writeError(w, http.StatusUnprocessableEntity, "invalid", "Idempotency-Key %q was used for another action", key)
			return
		}
		if k.body == nil { // the first attempt failed in a way that is not kept: try again
			s.action(w, reRead(r, b))
			return
		}
		w.Header().Set("Idempotent-Replayed", "true")
		writeRaw(w, k.status, k.body)
		return
	}

	// The action runs to its end even when the caller gives up, so that a
	// retry with the same key finds its answer.
	ctx := context.WithoutCancel(r.Context())
	a := connectors.Action{ID: key, Type: req.Type, OrderID: req.OrderID, Args: req.Args}
	status, body, keep := s.execute(ctx, a)
	s.mu.Lock()
	if keep {
		k.status, k.body = status, body
	} else {
		delete(s.keys, key)
	}
	s.mu.Unlock()
	close(k.done)
	writeRaw(w, status, body)
}

func reRead(r *http.Request, b []byte) *http.Request {
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(b))
	return r2
}

// execute runs a and returns the answer and whether it is kept for
// replays (every answer but a server failure).
func (s *Server) execute(ctx context.Context, a connectors.Action) (int, []byte, bool) {
	rec := &recorder{header: http.Header{}}
	if err := a.CheckArgs(); err != nil {
		writeError(rec, http.StatusUnprocessableEntity, "invalid", "%v", err)
		return rec.status, rec.body.Bytes(), true
	}
	e, err := s.sys.Executor.Execute(ctx, a)
	if err != nil {
		writeErr(rec, err)
		return rec.status, rec.body.Bytes(), rec.status < 500
	}
	writeJSON(rec, http.StatusOK, actionResult{ID: a.ID, Status: "executed", System: e.System, Detail: e.Detail})
	return rec.status, rec.body.Bytes(), true
}

// recorder is a minimal http.ResponseWriter that keeps the answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// The contract's arrays are never null: a connector's nil slices are
// written as [].

func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func mapAll[T any](v []T, f func(T) T) []T {
	for i := range v {
		v[i] = f(v[i])
	}
	return v
}

func normOrder(o connectors.Order) connectors.Order {
	o.Holds, o.Lines = orEmpty(o.Holds), orEmpty(o.Lines)
	return o
}

func normCustomer(c connectors.Customer) connectors.Customer {
	c.Documents = orEmpty(c.Documents)
	return c
}

func normItem(i connectors.Item) connectors.Item {
	i.Substitutes = orEmpty(i.Substitutes)
	return i
}

func normStock(s connectors.Stock) connectors.Stock {
	s.Inbound = orEmpty(s.Inbound)
	return s
}

func normShipment(s connectors.Shipment) connectors.Shipment {
	s.Events = orEmpty(s.Events)
	return s
}

func normCarrier(c connectors.Carrier) connectors.Carrier {
	c.Services, c.LanesWithoutCapacity = orEmpty(c.Services), orEmpty(c.LanesWithoutCapacity)
	return c
}

func normSite(s connectors.Site) connectors.Site {
	s.Lanes = orEmpty(s.Lanes)
	return s
}
