package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/exdesk/exdesk/connectors/internal/httpx"

	"github.com/exdesk/exdesk/connectors"
)

// Defaults of Options; a zero field takes its default.
const (
	DefaultRequestTimeout = httpx.DefaultRequestTimeout
	DefaultAttempts       = httpx.DefaultAttempts
	DefaultMaxBodyBytes   = httpx.DefaultMaxBodyBytes
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
	// RequestTimeout bounds one attempt, headers and body (default 5 s).
	RequestTimeout time.Duration
	// Attempts is how many times a read, or a write carrying an
	// Idempotency-Key, is tried in all (default 3).
	Attempts int
	// Backoff is the first retry's base wait (default 100 ms); each retry
	// doubles it, up to MaxBackoff (default 2 s), and a random jitter of up
	// to the wait is added.
	Backoff, MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After honoured (default 10 s); a
	// system asking for more is reported unavailable at once.
	MaxRetryAfter time.Duration
	// MaxBodyBytes bounds a response body (default 8 MiB).
	MaxBodyBytes int64
	// BreakAfter consecutive failed attempts (default 5) open the circuit
	// breaker for BreakFor (default 30 s): calls then fail at once with
	// connectors.ErrUnavailable.
	BreakAfter uint32
	BreakFor   time.Duration
	// UserAgent is sent with every request.
	UserAgent string
}

// NewTransport returns an HTTP transport tuned for many small requests to
// a few hosts: kept-alive connections are reused, up to 64 idle per host.
func NewTransport() *http.Transport { return httpx.NewTransport() }

// Client reads one system through exdesk.systems/v1 and executes the
// actions it owns. It implements connectors.ERP, Inventory, Carriers,
// Executor and Clock; composition decides which system uses which client.
// It is safe for concurrent use.
type Client struct {
	base   *url.URL
	token  string
	agent  string
	caller *httpx.Caller

	mu      sync.Mutex
	noClock bool          // GET /v1/clock answered 404
	offset  time.Duration // last known system time − local time
}

var (
	_ connectors.ERP                = (*Client)(nil)
	_ connectors.CustomerOrderIndex = (*Client)(nil)
	_ connectors.Inventory          = (*Client)(nil)
	_ connectors.Carriers           = (*Client)(nil)
	_ connectors.Executor           = (*Client)(nil)
	_ connectors.Clock              = (*Client)(nil)
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
	agent := opts.UserAgent
	if agent == "" {
		agent = "exdesk-rest-connector/1"
	}
	return &Client{base: u, token: opts.Token, agent: agent, caller: httpx.New(httpx.Options{
		System: opts.System, HTTPClient: opts.HTTPClient, RequestTimeout: opts.RequestTimeout, Attempts: opts.Attempts,
		Backoff: opts.Backoff, MaxBackoff: opts.MaxBackoff, MaxRetryAfter: opts.MaxRetryAfter, MaxBodyBytes: opts.MaxBodyBytes,
		BreakAfter: opts.BreakAfter, BreakFor: opts.BreakFor,
	})}, nil
}

// System returns the name of the system the client reads.
func (c *Client) System() string { return c.caller.Options().System }

// Error is a call that failed: it names the system, the method, the path
// (escaped, as sent) and the status when there was one. A 404's Err is a
// *connectors.NotFoundError.
type Error = httpx.Error

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// describe reads the contract's {"error": {"code", "message"}} body.
func describe(body []byte) (string, string) {
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil {
		return "", ""
	}
	return eb.Error.Code, eb.Error.Message
}

func truncate(s string, n int) string { return httpx.Truncate(s, n) }

// request builds a call of path (escaped, relative to the base URL).
func (c *Client) request(method, path string, query url.Values, body []byte, retry bool) httpx.Request {
	u := *c.base
	raw := c.base.EscapedPath() + path
	u.Path, _ = url.PathUnescape(raw)
	u.RawPath = raw
	if query != nil {
		u.RawQuery = query.Encode()
	}
	h := http.Header{"Accept": {"application/json"}, "User-Agent": {c.agent}}
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		h.Set("Authorization", "Bearer "+c.token)
	}
	return httpx.Request{Method: method, URL: &u, Header: h, Body: body, Retry: retry}
}

// get reads path into out. A 404 is kind/id not found.
func (c *Client) get(ctx context.Context, path string, query url.Values, kind, id string, out any) error {
	req := c.request(http.MethodGet, path, query, nil, true)
	return c.caller.GetJSON(ctx, req, describe, connectors.NotFound(kind, id), "the JSON the contract describes", out)
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
	return c.caller.Fail(c.request(http.MethodGet, path, nil, nil, false), &httpx.Response{Status: http.StatusOK}, nil,
		fmt.Errorf("asked for %s %q, the answer is %s %q", kind, want, kind, got))
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

// FindCustomerOrders implements connectors.CustomerOrderIndex. The
// contract filters a customer's orders by creation time only
// (created_after), not by PO number: a query without a PO number reads just
// its window, but one with a PO number reads the customer's whole history,
// as CustomerOrders does, because a same-PO order may be of any age. The
// duplicate check of an order with a PO number therefore costs over REST
// what it did before the index: one request listing every order of the
// customer.
func (c *Client) FindCustomerOrders(ctx context.Context, q connectors.CustomerOrderQuery) ([]connectors.Order, error) {
	since := q.Since
	if q.PONumber != "" {
		since = time.Unix(0, 0)
	}
	// created_after has second precision: asking from the second q.Since
	// falls in is a superset, filtered to q here.
	list, err := c.CustomerOrdersSince(ctx, q.CustomerID, since)
	if err != nil {
		return nil, err
	}
	return connectors.FilterCustomerOrders(list, q), nil
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
	system := c.System()
	if a.ID == "" {
		return connectors.Execution{}, fmt.Errorf("%s: %s: %w", system, a, ErrNoActionID)
	}
	if err := a.CheckArgs(); err != nil {
		return connectors.Execution{}, &connectors.ActionError{System: system, ActionID: a.ID, Code: connectors.CodeInvalid, Message: err.Error()}
	}
	body, err := json.Marshal(actionRequest{ID: a.ID, Type: a.Type, OrderID: a.OrderID, Args: a.Args})
	if err != nil {
		return connectors.Execution{}, err
	}
	req := c.request(http.MethodPost, "/v1/actions", nil, body, true)
	req.Header.Set("Idempotency-Key", a.ID)
	resp, err := c.caller.Do(ctx, req, describe)
	if err != nil {
		return connectors.Execution{}, err
	}
	switch resp.Status {
	case http.StatusOK:
	case http.StatusConflict, http.StatusUnprocessableEntity:
		_, msg := describe(resp.Body)
		code := connectors.CodeInvalid
		if resp.Status == http.StatusConflict {
			code = connectors.CodeConflict
		}
		return connectors.Execution{}, &connectors.ActionError{System: system, ActionID: a.ID, Code: code, Message: truncate(msg, 500)}
	case http.StatusNotFound:
		return connectors.Execution{}, c.caller.Fail(req, resp, describe, connectors.NotFound("order", a.OrderID))
	default:
		return connectors.Execution{}, c.caller.Fail(req, resp, describe, nil)
	}
	var r actionResult
	if err := json.Unmarshal(resp.Body, &r); err != nil || r.Status != "executed" {
		if err == nil {
			err = fmt.Errorf("status %q, want \"executed\"", r.Status)
		}
		return connectors.Execution{}, c.caller.Fail(req, resp, nil,
			fmt.Errorf("the answer is not the ActionResult the contract describes (the action may have run: retry with the same id): %w", err))
	}
	if r.System != "" {
		system = r.System
	}
	return connectors.Execution{ActionID: a.ID, Type: a.Type, OrderID: a.OrderID, System: system, Detail: r.Detail,
		At: time.Now().UTC(), Replayed: resp.Header.Get("Idempotent-Replayed") == "true"}, nil
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
	ctx, cancel := context.WithTimeout(context.Background(), c.caller.Options().RequestTimeout)
	defer cancel()
	resp, err := c.caller.Do(ctx, c.request(http.MethodGet, "/v1/clock", nil, nil, false), nil)
	if err != nil {
		return time.Now().Add(offset)
	}
	if resp.Status == http.StatusNotFound {
		c.mu.Lock()
		c.noClock = true
		c.mu.Unlock()
		return time.Now()
	}
	var clk struct {
		Now time.Time `json:"now"`
	}
	if resp.Status != http.StatusOK || json.Unmarshal(resp.Body, &clk) != nil || clk.Now.IsZero() {
		return time.Now().Add(offset)
	}
	c.mu.Lock()
	c.offset = time.Until(clk.Now)
	c.mu.Unlock()
	return clk.Now
}
