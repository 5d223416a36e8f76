package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/exdesk/exdesk/connectors"
)

// Defaults of Options; a zero field takes its default.
const (
	DefaultRequestTimeout = 5 * time.Second
	DefaultAttempts       = 3
	DefaultBackoff        = 100 * time.Millisecond
	DefaultMaxBackoff     = 2 * time.Second
	DefaultMaxRetryAfter  = 10 * time.Second
	DefaultMaxBodyBytes   = 8 << 20
	DefaultBreakFailures  = 5
	DefaultBreakFor       = 30 * time.Second
)

// Options configures a Client. The zero value of every field is its default.
type Options struct {
	// System names the system this client reads (erp, inventory, carriers,
	// tasks) in errors and in its circuit breaker. Default "systems".
	System string
	// HTTPClient sends the requests; its transport carries any OAuth 2.0
	// token source. Nil uses a client on NewTransport. Its Timeout should be
	// zero: RequestTimeout bounds each attempt.
	HTTPClient *http.Client
	// Token, when set, is sent as Authorization: Bearer <token>.
	Token string
	// RequestTimeout bounds one attempt, headers and body.
	RequestTimeout time.Duration
	// Attempts is how many times a read, or a write carrying an
	// Idempotency-Key, is tried in all.
	Attempts int
	// Backoff is the first retry's base wait; each retry doubles it, up to
	// MaxBackoff, and a random jitter of up to the wait is added.
	Backoff, MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After honoured; a system asking for
	// more is reported unavailable at once.
	MaxRetryAfter time.Duration
	// MaxBodyBytes bounds a response body; a larger one is an error.
	MaxBodyBytes int64
	// BreakAfter consecutive failed attempts open the circuit breaker for
	// BreakFor: calls then fail at once with connectors.ErrUnavailable.
	BreakAfter uint32
	BreakFor   time.Duration
	// UserAgent is sent with every request.
	UserAgent string
}

func (o Options) withDefaults() Options {
	if o.System == "" {
		o.System = "systems"
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Transport: NewTransport()}
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.Attempts <= 0 {
		o.Attempts = DefaultAttempts
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.BreakAfter == 0 {
		o.BreakAfter = DefaultBreakFailures
	}
	if o.BreakFor <= 0 {
		o.BreakFor = DefaultBreakFor
	}
	if o.UserAgent == "" {
		o.UserAgent = "exdesk-rest-connector/1"
	}
	return o
}

// NewTransport returns an HTTP transport tuned for many small requests to
// a few hosts: kept-alive connections are reused, up to 64 idle per host.
func NewTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 64
	t.IdleConnTimeout = 90 * time.Second
	return t
}

// Client reads one system through exdesk.systems/v1 and executes the
// actions it owns. It implements connectors.ERP, Inventory, Carriers,
// Executor and Clock; composition decides which system uses which client.
// It is safe for concurrent use.
type Client struct {
	base    *url.URL
	opts    Options
	breaker *gobreaker.CircuitBreaker[*response]

	mu      sync.Mutex
	noClock bool          // GET /v1/clock answered 404
	offset  time.Duration // last known system time − local time
}

var (
	_ connectors.ERP       = (*Client)(nil)
	_ connectors.Inventory = (*Client)(nil)
	_ connectors.Carriers  = (*Client)(nil)
	_ connectors.Executor  = (*Client)(nil)
	_ connectors.Clock     = (*Client)(nil)
)

// New returns a client of the API at baseURL (http or https; a path prefix
// is kept: https://mw.example.com/exdesk serves /exdesk/v1/orders/…).
func New(baseURL string, opts Options) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("rest: base URL %q: %w", baseURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("rest: base URL %q must be http(s)://host[:port][/path]", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("rest: base URL %q must not carry a query, a fragment or credentials (secrets come from the environment)", baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	opts = opts.withDefaults()
	c := &Client{base: u, opts: opts}
	c.breaker = gobreaker.NewCircuitBreaker[*response](gobreaker.Settings{
		Name:        opts.System,
		MaxRequests: 1,
		Timeout:     opts.BreakFor,
		ReadyToTrip: func(n gobreaker.Counts) bool { return n.ConsecutiveFailures >= opts.BreakAfter },
		IsExcluded: func(err error) bool {
			var ce *callerGone
			return errors.As(err, &ce)
		},
	})
	return c, nil
}

// System returns the name of the system the client reads.
func (c *Client) System() string { return c.opts.System }

// Error is a call that failed: it names the system, the method, the path
// (escaped, as sent) and the status when there was one.
type Error struct {
	System, Method, Path string
	Status               int    // 0 when no response came back
	Code, Message        string // from the {"error": …} body, when there was one
	Err                  error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s %s", e.System, e.Method, e.Path)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Code != "" || e.Message != "" {
		fmt.Fprintf(&b, ": %s", strings.TrimPrefix(e.Code+": "+e.Message, ": "))
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap returns the cause (a *connectors.NotFoundError for a 404).
func (e *Error) Unwrap() error { return e.Err }

type response struct {
	status int
	header http.Header
	body   []byte
}

// failedStatus is an attempt answered with a status that counts against
// the breaker (429, 5xx); the response rides along.
type failedStatus struct{ resp *response }

func (f *failedStatus) Error() string { return fmt.Sprintf("status %d", f.resp.status) }

// callerGone is an attempt stopped by the caller's context: it says
// nothing about the system and is not counted by the breaker.
type callerGone struct{ err error }

func (c *callerGone) Error() string { return c.err.Error() }
func (c *callerGone) Unwrap() error { return c.err }

// errTooLarge is a response body over MaxBodyBytes.
var errTooLarge = errors.New("response body too large")

type call struct {
	method  string
	path    string // escaped, relative to the base URL
	query   url.Values
	body    []byte
	idemKey string
	retry   bool
}

func (c *Client) target(path string) string {
	return c.base.EscapedPath() + path
}

// do sends a call with retries and the breaker. It returns the final
// response for any status below 500 other than 429; the caller maps it.
func (c *Client) do(ctx context.Context, cl call) (*response, error) {
	attempts := 1
	if cl.retry {
		attempts = c.opts.Attempts
	}
	fail := func(status int, err error) error {
		return &Error{System: c.opts.System, Method: cl.method, Path: c.target(cl.path), Status: status, Err: err}
	}
	for attempt := 1; ; attempt++ {
		resp, err := c.breaker.Execute(func() (*response, error) { return c.once(ctx, cl) })
		var fs *failedStatus
		switch {
		case err == nil:
			return resp, nil
		case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
			return nil, connectors.Unavailable(c.opts.System, fail(0, fmt.Errorf(
				"not called: %d attempts in a row failed, so calls stop for %s (circuit breaker open)", c.opts.BreakAfter, c.opts.BreakFor)))
		case ctx.Err() != nil:
			return nil, fail(0, ctx.Err())
		case errors.Is(err, errTooLarge):
			return nil, fail(200, err)
		case errors.As(err, &fs):
			resp = fs.resp
		}
		transient := fail(0, err)
		if resp != nil {
			transient = c.statusError(cl, resp)
		}
		if attempt >= attempts {
			if attempts > 1 {
				return nil, connectors.Unavailable(c.opts.System, fmt.Errorf("%w (after %d attempts)", transient, attempts))
			}
			return nil, connectors.Unavailable(c.opts.System, transient)
		}
		wait := c.backoff(attempt)
		if resp != nil {
			if ra, ok := retryAfter(resp.header); ok {
				if ra > c.opts.MaxRetryAfter {
					return nil, connectors.Unavailable(c.opts.System, fmt.Errorf("%w: asked to retry after %s, more than the %s this client waits", transient, ra, c.opts.MaxRetryAfter))
				}
				wait = max(wait, ra)
			}
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, connectors.Unavailable(c.opts.System, fmt.Errorf("%w (no time left to retry)", transient))
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, fail(0, ctx.Err())
		}
	}
}

// backoff is base·2^(attempt−1), capped, plus a random jitter of up to
// itself, so retries from many cases do not arrive together.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.opts.Backoff << min(attempt-1, 16)
	if d <= 0 || d > c.opts.MaxBackoff {
		d = c.opts.MaxBackoff
	}
	return d + rand.N(d+1)
}

func retryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// once makes one attempt. A 429 or 5xx answer is a *failedStatus error.
func (c *Client) once(ctx context.Context, cl call) (*response, error) {
	actx, cancel := context.WithTimeout(ctx, c.opts.RequestTimeout)
	defer cancel()
	u := *c.base
	raw := c.base.EscapedPath() + cl.path
	p, err := url.PathUnescape(raw)
	if err != nil {
		return nil, err
	}
	u.Path, u.RawPath = p, raw
	if cl.query != nil {
		u.RawQuery = cl.query.Encode()
	}
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(actx, cl.method, u.String(), body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.opts.UserAgent)
	if cl.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if cl.idemKey != "" {
		req.Header.Set("Idempotency-Key", cl.idemKey)
	}
	if c.opts.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.opts.Token)
	}
	res, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, c.attemptError(ctx, err)
	}
	defer res.Body.Close()
	if res.ContentLength > c.opts.MaxBodyBytes {
		return nil, fmt.Errorf("%w: %d bytes announced, the limit is %d", errTooLarge, res.ContentLength, c.opts.MaxBodyBytes)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, c.opts.MaxBodyBytes+1))
	if err != nil {
		return nil, c.attemptError(ctx, fmt.Errorf("reading the body after %d bytes: %w", len(b), err))
	}
	if int64(len(b)) > c.opts.MaxBodyBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", errTooLarge, c.opts.MaxBodyBytes)
	}
	resp := &response{status: res.StatusCode, header: res.Header, body: b}
	if res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500 {
		return nil, &failedStatus{resp}
	}
	return resp, nil
}

// attemptError names a per-attempt timeout and marks the caller's own
// cancellation, which the breaker does not count.
func (c *Client) attemptError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return &callerGone{err}
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("no complete answer within %s: %w", c.opts.RequestTimeout, err)
	}
	return err
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (c *Client) statusError(cl call, resp *response) *Error {
	e := &Error{System: c.opts.System, Method: cl.method, Path: c.target(cl.path), Status: resp.status}
	var eb errorBody
	if json.Unmarshal(resp.body, &eb) == nil {
		e.Code, e.Message = eb.Error.Code, truncate(eb.Error.Message, 500)
	}
	return e
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// get reads path into out. A 404 is kind/id not found.
func (c *Client) get(ctx context.Context, path string, query url.Values, kind, id string, out any) error {
	cl := call{method: http.MethodGet, path: path, query: query, retry: true}
	resp, err := c.do(ctx, cl)
	if err != nil {
		return err
	}
	switch {
	case resp.status == http.StatusOK:
	case resp.status == http.StatusNotFound:
		e := c.statusError(cl, resp)
		e.Err = connectors.NotFound(kind, id)
		return e
	default:
		return c.statusError(cl, resp)
	}
	if err := json.Unmarshal(resp.body, out); err != nil {
		return &Error{System: c.opts.System, Method: cl.method, Path: c.target(cl.path), Status: resp.status,
			Err: fmt.Errorf("the body is not the JSON the contract describes: %w", err)}
	}
	return nil
}

// seg escapes an id as exactly one path segment: "/" becomes %2F, and the
// dot segments "." and ".." are escaped too so no server resolves them.
func seg(id string) string {
	switch id {
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	return url.PathEscape(id)
}

func (c *Client) mismatch(path, kind, want, got string) error {
	return &Error{System: c.opts.System, Method: http.MethodGet, Path: c.target(path), Status: http.StatusOK,
		Err: fmt.Errorf("asked for %s %q, the answer is %s %q", kind, want, kind, got)}
}

// Order implements connectors.ERP: GET /v1/orders/{order_id}.
func (c *Client) Order(ctx context.Context, id string) (connectors.Order, error) {
	if id == "" {
		return connectors.Order{}, connectors.NotFound("order", id)
	}
	path := "/v1/orders/" + seg(id)
	var o connectors.Order
	if err := c.get(ctx, path, nil, "order", id, &o); err != nil {
		return connectors.Order{}, err
	}
	if o.ID != id {
		return connectors.Order{}, c.mismatch(path, "order", id, o.ID)
	}
	return o, nil
}

// Customer implements connectors.ERP: GET /v1/customers/{customer_id}.
func (c *Client) Customer(ctx context.Context, id string) (connectors.Customer, error) {
	if id == "" {
		return connectors.Customer{}, connectors.NotFound("customer", id)
	}
	path := "/v1/customers/" + seg(id)
	var x connectors.Customer
	if err := c.get(ctx, path, nil, "customer", id, &x); err != nil {
		return connectors.Customer{}, err
	}
	if x.ID != id {
		return connectors.Customer{}, c.mismatch(path, "customer", id, x.ID)
	}
	return x, nil
}

// Item implements connectors.ERP: GET /v1/items/{sku}.
func (c *Client) Item(ctx context.Context, sku string) (connectors.Item, error) {
	if sku == "" {
		return connectors.Item{}, connectors.NotFound("item", sku)
	}
	path := "/v1/items/" + seg(sku)
	var x connectors.Item
	if err := c.get(ctx, path, nil, "item", sku, &x); err != nil {
		return connectors.Item{}, err
	}
	if x.SKU != sku {
		return connectors.Item{}, c.mismatch(path, "item", sku, x.SKU)
	}
	return x, nil
}

// CustomerOrders implements connectors.ERP: every order of the customer
// (created_after 1970-01-01T00:00:00Z). Same-PO duplicates may be far
// apart, so the duplicate check needs the whole history.
func (c *Client) CustomerOrders(ctx context.Context, customerID string) ([]connectors.Order, error) {
	return c.CustomerOrdersSince(ctx, customerID, time.Unix(0, 0))
}

// CustomerOrdersSince returns the customer's orders created at or after
// since: GET /v1/customers/{customer_id}/orders?created_after=….
func (c *Client) CustomerOrdersSince(ctx context.Context, customerID string, since time.Time) ([]connectors.Order, error) {
	if customerID == "" {
		return nil, connectors.NotFound("customer", customerID)
	}
	var out struct {
		Orders []connectors.Order `json:"orders"`
	}
	q := url.Values{"created_after": {since.UTC().Format(time.RFC3339)}}
	if err := c.get(ctx, "/v1/customers/"+seg(customerID)+"/orders", q, "customer", customerID, &out); err != nil {
		return nil, err
	}
	return out.Orders, nil
}

// Contracts implements connectors.ERP: GET /v1/customers/{customer_id}/contracts.
func (c *Client) Contracts(ctx context.Context, customerID string) ([]connectors.Contract, error) {
	if customerID == "" {
		return nil, connectors.NotFound("customer", customerID)
	}
	var out struct {
		Contracts []connectors.Contract `json:"contracts"`
	}
	if err := c.get(ctx, "/v1/customers/"+seg(customerID)+"/contracts", nil, "customer", customerID, &out); err != nil {
		return nil, err
	}
	return out.Contracts, nil
}

// Stock implements connectors.Inventory: GET /v1/items/{sku}/stock.
func (c *Client) Stock(ctx context.Context, sku string) ([]connectors.Stock, error) {
	if sku == "" {
		return nil, connectors.NotFound("item", sku)
	}
	var out struct {
		Inventory []connectors.Stock `json:"inventory"`
	}
	if err := c.get(ctx, "/v1/items/"+seg(sku)+"/stock", nil, "item", sku, &out); err != nil {
		return nil, err
	}
	return out.Inventory, nil
}

// Sites implements connectors.Inventory: GET /v1/sites.
func (c *Client) Sites(ctx context.Context) ([]connectors.Site, error) {
	var out struct {
		Sites []connectors.Site `json:"sites"`
	}
	if err := c.get(ctx, "/v1/sites", nil, "sites", "", &out); err != nil {
		return nil, err
	}
	return out.Sites, nil
}

// OrderShipments implements connectors.Carriers: GET /v1/orders/{order_id}/shipments.
func (c *Client) OrderShipments(ctx context.Context, orderID string) ([]connectors.Shipment, error) {
	if orderID == "" {
		return nil, connectors.NotFound("order", orderID)
	}
	var out struct {
		Shipments []connectors.Shipment `json:"shipments"`
	}
	if err := c.get(ctx, "/v1/orders/"+seg(orderID)+"/shipments", nil, "order", orderID, &out); err != nil {
		return nil, err
	}
	return out.Shipments, nil
}

// Shipment implements connectors.Carriers: GET /v1/shipments/{shipment_id}.
func (c *Client) Shipment(ctx context.Context, id string) (connectors.Shipment, error) {
	if id == "" {
		return connectors.Shipment{}, connectors.NotFound("shipment", id)
	}
	path := "/v1/shipments/" + seg(id)
	var x connectors.Shipment
	if err := c.get(ctx, path, nil, "shipment", id, &x); err != nil {
		return connectors.Shipment{}, err
	}
	if x.ID != id {
		return connectors.Shipment{}, c.mismatch(path, "shipment", id, x.ID)
	}
	return x, nil
}

// Carriers implements connectors.Carriers: GET /v1/carriers.
func (c *Client) Carriers(ctx context.Context) ([]connectors.Carrier, error) {
	var out struct {
		Carriers []connectors.Carrier `json:"carriers"`
	}
	if err := c.get(ctx, "/v1/carriers", nil, "carriers", "", &out); err != nil {
		return nil, err
	}
	return out.Carriers, nil
}

// actionRequest is the body of POST /v1/actions.
type actionRequest struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	OrderID string          `json:"order_id"`
	Args    connectors.Args `json:"args"`
}

// actionResult is the 200 answer of POST /v1/actions.
type actionResult struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	System string `json:"system"`
	Detail string `json:"detail"`
}

// ErrNoActionID is returned by Execute for an action without an id: it
// cannot carry an Idempotency-Key, so it is not sent at all.
var ErrNoActionID = errors.New("action has no id to send as its Idempotency-Key")

// Execute implements connectors.Executor: POST /v1/actions with the
// action's id as Idempotency-Key. A failed attempt (no answer, a timeout,
// 429, 5xx) is retried with the same key, so the system executes it at
// most once. 409 and 422 are *connectors.ActionError (nothing changed); a
// 404 is the order not found.
func (c *Client) Execute(ctx context.Context, a connectors.Action) (connectors.Execution, error) {
	if a.ID == "" {
		return connectors.Execution{}, fmt.Errorf("%s: %s: %w", c.opts.System, a, ErrNoActionID)
	}
	if err := a.CheckArgs(); err != nil {
		return connectors.Execution{}, &connectors.ActionError{System: c.opts.System, ActionID: a.ID, Code: connectors.CodeInvalid, Message: err.Error()}
	}
	body, err := json.Marshal(actionRequest{ID: a.ID, Type: a.Type, OrderID: a.OrderID, Args: a.Args})
	if err != nil {
		return connectors.Execution{}, err
	}
	cl := call{method: http.MethodPost, path: "/v1/actions", body: body, idemKey: a.ID, retry: true}
	resp, err := c.do(ctx, cl)
	if err != nil {
		return connectors.Execution{}, err
	}
	switch resp.status {
	case http.StatusOK:
	case http.StatusConflict, http.StatusUnprocessableEntity:
		se := c.statusError(cl, resp)
		code := connectors.CodeInvalid
		if resp.status == http.StatusConflict {
			code = connectors.CodeConflict
		}
		return connectors.Execution{}, &connectors.ActionError{System: c.opts.System, ActionID: a.ID, Code: code, Message: se.Message}
	case http.StatusNotFound:
		se := c.statusError(cl, resp)
		se.Err = connectors.NotFound("order", a.OrderID)
		return connectors.Execution{}, se
	default:
		return connectors.Execution{}, c.statusError(cl, resp)
	}
	var r actionResult
	if err := json.Unmarshal(resp.body, &r); err != nil || r.Status != "executed" {
		if err == nil {
			err = fmt.Errorf("status %q, want \"executed\"", r.Status)
		}
		return connectors.Execution{}, &Error{System: c.opts.System, Method: cl.method, Path: c.target(cl.path), Status: resp.status,
			Err: fmt.Errorf("the answer is not the ActionResult the contract describes (the action may have run: retry with the same id): %w", err)}
	}
	system := r.System
	if system == "" {
		system = c.opts.System
	}
	return connectors.Execution{ActionID: a.ID, Type: a.Type, OrderID: a.OrderID, System: system, Detail: r.Detail,
		At: time.Now().UTC(), Replayed: resp.header.Get("Idempotent-Replayed") == "true"}, nil
}

// Now implements connectors.Clock: the system's business time from GET
// /v1/clock. A system without a clock (404) is not asked again and the
// local clock is used; when the clock cannot be read, the local clock
// moved by the last known offset is.
func (c *Client) Now() time.Time {
	c.mu.Lock()
	noClock, offset := c.noClock, c.offset
	c.mu.Unlock()
	if noClock {
		return time.Now()
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.RequestTimeout)
	defer cancel()
	resp, err := c.do(ctx, call{method: http.MethodGet, path: "/v1/clock"})
	if err != nil {
		return time.Now().Add(offset)
	}
	if resp.status == http.StatusNotFound {
		c.mu.Lock()
		c.noClock = true
		c.mu.Unlock()
		return time.Now()
	}
	var clk struct {
		Now time.Time `json:"now"`
	}
	if resp.status != http.StatusOK || json.Unmarshal(resp.body, &clk) != nil || clk.Now.IsZero() {
		return time.Now().Add(offset)
	}
	c.mu.Lock()
	c.offset = time.Until(clk.Now)
	c.mu.Unlock()
	return clk.Now
}
