package rest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/exdesk/exdesk/connectors"
)

// CheckOptions says what Check calls.
type CheckOptions struct {
	// BaseURL is the implementation's base URL (http(s)://host[/path]).
	BaseURL string
	// HTTPClient sends the requests (nil: a client on NewTransport); its
	// transport carries any OAuth 2.0 token.
	HTTPClient *http.Client
	// Token, when set, is sent as a bearer token.
	Token string
	// Orders are order ids to read. Customers, SKUs and Shipments are read
	// too; those the orders name are added to them.
	Orders, Customers, SKUs, Shipments []string
	// Timeout bounds each call; 0 means DefaultRequestTimeout.
	Timeout time.Duration
	// MaxBodyBytes bounds each answer; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
}

// CheckResult is one call of the conformance check.
type CheckResult struct {
	Endpoint string        // GET /v1/orders/{order_id}
	Target   string        // the escaped path called
	Status   int           // 0 when no answer came
	Valid    bool          // the answer is what the contract says it must be
	Problem  string        // why not
	Latency  time.Duration // until the whole body was read
}

// Check calls each read of the contract on the ids it is given (and those
// their answers name), validates every answer against the contract, and
// times it. An unknown id must answer 404 not_found. GET /v1/clock may
// answer 404. It returns an error only when it cannot run at all.
func Check(ctx context.Context, opts CheckOptions) ([]CheckResult, error) {
	contract, err := LoadContract()
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(strings.TrimSuffix(opts.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("rest check: base URL %q must be http(s)://host[:port][/path]", opts.BaseURL)
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Transport: NewTransport()}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultRequestTimeout
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	ck := &checker{ctx: ctx, c: contract, base: base, opts: opts}

	ck.get("/v1/clock", nil, true, nil)
	customers, skus, shipments := slices.Clone(opts.Customers), slices.Clone(opts.SKUs), slices.Clone(opts.Shipments)
	for _, id := range opts.Orders {
		var o connectors.Order
		if ck.get("/v1/orders/"+seg(id), nil, false, &o) {
			customers = appendNew(customers, o.CustomerID)
			for _, l := range o.Lines {
				skus = appendNew(skus, l.SKU)
			}
		}
		var shs struct {
			Shipments []connectors.Shipment `json:"shipments"`
		}
		if ck.get("/v1/orders/"+seg(id)+"/shipments", nil, false, &shs) {
			for _, s := range shs.Shipments {
				shipments = appendNew(shipments, s.ID)
			}
		}
	}
	since := url.Values{"created_after": {time.Now().UTC().AddDate(0, 0, -30).Format(time.RFC3339)}}
	for _, id := range customers {
		ck.get("/v1/customers/"+seg(id), nil, false, nil)
		ck.get("/v1/customers/"+seg(id)+"/orders", since, false, nil)
		ck.get("/v1/customers/"+seg(id)+"/contracts", nil, false, nil)
	}
	for _, sku := range skus {
		ck.get("/v1/items/"+seg(sku), nil, false, nil)
		ck.get("/v1/items/"+seg(sku)+"/stock", nil, false, nil)
	}
	for _, id := range shipments {
		ck.get("/v1/shipments/"+seg(id), nil, false, nil)
	}
	ck.get("/v1/sites", nil, false, nil)
	ck.get("/v1/carriers", nil, false, nil)
	ck.unknown()
	return ck.results, nil
}

func appendNew(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

type checker struct {
	ctx     context.Context
	c       *Contract
	base    *url.URL
	opts    CheckOptions
	results []CheckResult
}

// get calls path, validates the answer, and decodes a valid 200 into out.
func (ck *checker) get(path string, q url.Values, may404 bool, out any) bool {
	r, status, body := ck.call(path, q)
	if status == 0 {
		return false
	}
	if status != http.StatusOK && !(may404 && status == http.StatusNotFound) {
		r.Valid = false
		r.Problem = fmt.Sprintf("want 200, got %d: %s", status, truncate(strings.TrimSpace(string(body)), 200))
	}
	ck.results[len(ck.results)-1] = r
	if r.Valid && status == http.StatusOK && out != nil {
		return json.Unmarshal(body, out) == nil
	}
	return false
}

// unknown checks that an id nobody has answers 404 with the error body.
func (ck *checker) unknown() {
	var b [6]byte
	_, _ = rand.Read(b[:])
	r, status, _ := ck.call("/v1/orders/"+seg("exdesk-check/"+hex.EncodeToString(b[:])), nil)
	if status != 0 && status != http.StatusNotFound {
		r.Valid, r.Problem = false, fmt.Sprintf("an unknown order id must answer 404 not_found, got %d", status)
	}
	r.Endpoint += " (unknown id)"
	ck.results[len(ck.results)-1] = r
}

// call sends one GET and records its result, validated against the
// contract whatever its status.
func (ck *checker) call(path string, q url.Values) (CheckResult, int, []byte) {
	target := ck.base.EscapedPath() + path
	r := CheckResult{Target: target}
	if route, _, err := ck.c.Route(http.MethodGet, path); err == nil {
		r.Endpoint = "GET " + route.Path
	} else {
		r.Endpoint = "GET " + path
	}
	record := func(status int, body []byte, problem string) (CheckResult, int, []byte) {
		r.Status, r.Problem, r.Valid = status, problem, problem == ""
		ck.results = append(ck.results, r)
		return r, status, body
	}
	ctx, cancel := context.WithTimeout(ck.ctx, ck.opts.Timeout)
	defer cancel()
	u := *ck.base
	u.RawPath = target
	u.Path, _ = url.PathUnescape(target)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return record(0, nil, err.Error())
	}
	req.Header.Set("Accept", "application/json")
	if ck.opts.Token != "" {
		req.Header.Set("Authorization", "Bearer "+ck.opts.Token)
	}
	began := time.Now()
	res, err := ck.opts.HTTPClient.Do(req)
	if err != nil {
		r.Latency = time.Since(began)
		return record(0, nil, "no answer: "+err.Error())
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, ck.opts.MaxBodyBytes+1))
	r.Latency = time.Since(began)
	switch {
	case err != nil:
		return record(res.StatusCode, nil, "reading the body: "+err.Error())
	case int64(len(body)) > ck.opts.MaxBodyBytes:
		return record(res.StatusCode, nil, fmt.Sprintf("the body is larger than %d bytes", ck.opts.MaxBodyBytes))
	}
	if err := ck.c.ValidateResponse(ctx, req, ck.base.EscapedPath(), res.StatusCode, res.Header, body); err != nil {
		return record(res.StatusCode, body, firstLine(err.Error()))
	}
	return record(res.StatusCode, body, "")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return truncate(s, 300)
}
