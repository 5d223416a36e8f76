package rest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/connectors/rest"
)

func TestContractIsValidOpenAPI(t *testing.T) {
	c, err := rest.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/v1/actions", "/v1/carriers", "/v1/clock", "/v1/customers/{customer_id}", "/v1/customers/{customer_id}/contracts",
		"/v1/customers/{customer_id}/orders", "/v1/items/{sku}", "/v1/items/{sku}/stock", "/v1/orders/{order_id}",
		"/v1/orders/{order_id}/shipments", "/v1/shipments/{shipment_id}", "/v1/sites"}
	got := c.Paths()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("paths = %v\nwant %v (REST.md)", got, want)
	}
	r, params, err := c.Route(http.MethodGet, "/v1/orders/SO%2F2026%2F0390/shipments")
	if err != nil || r.Path != "/v1/orders/{order_id}/shipments" || params["order_id"] != "SO/2026/0390" {
		t.Fatalf("route = %v %v %v", r, params, err)
	}
	if _, _, err := c.Route(http.MethodDelete, "/v1/orders/x"); !rest.IsRouteError(err) {
		t.Fatalf("DELETE must not route: %v", err)
	}
}

func TestContractRejectsWhatItDoesNotDescribe(t *testing.T) {
	c, err := rest.LoadContract()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	req := httptest.NewRequest(http.MethodGet, "/v1/orders/SO-1", nil)
	h := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"qty as a string", 200, `{"id":"SO-1","customer_id":"C","status":"open","ship_from":"DC","ship_to":{},"lines":[{"line":1,"sku":"S","qty":"2","unit_price":1}]}`},
		{"no lines", 200, `{"id":"SO-1","customer_id":"C","status":"open","ship_from":"DC","ship_to":{}}`},
		{"unknown status", 200, `{"id":"SO-1","customer_id":"C","status":"lost","ship_from":"DC","ship_to":{},"lines":[]}`},
		{"bad time", 200, `{"id":"SO-1","customer_id":"C","status":"open","ship_from":"DC","ship_to":{},"lines":[],"created_at":"yesterday"}`},
		{"error without code", 404, `{"error":{"message":"x"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.ValidateResponse(ctx, req, "", tt.status, h, []byte(tt.body)); err == nil {
				t.Fatal("the contract must reject it")
			}
		})
	}
	ok := `{"id":"SO-1","customer_id":"C","status":"open","ship_from":"DC","ship_to":{},"lines":[],"extra":"ignored"}`
	if err := c.ValidateResponse(ctx, req, "", 200, h, []byte(ok)); err != nil {
		t.Fatalf("unknown fields are ignored: %v", err)
	}
}

// TestReadsMatchTheSystemsServed reads every entity of an example through
// the reference server and compares with reading the connector directly.
func TestReadsMatchTheSystemsServed(t *testing.T) {
	for _, name := range []string{"compliance-valid-01.json", "delay-expedite-auto-01.json", "duplicate-same-po-01.json", "shortage-alt-auto-01.json"} {
		t.Run(name, func(t *testing.T) {
			rec := loadExample(t, name)
			c, _, _ := serve(t, rec.Systems(), rest.Options{})
			ctx := ctxT(t)
			snap := rec.Snapshot()
			same := func(what string, got, want any, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				gj, _ := json.Marshal(got)
				wj, _ := json.Marshal(want)
				if string(gj) != string(wj) && !(string(wj) == "null" && string(gj) == "[]") {
					t.Errorf("%s over REST =\n%s\nwant\n%s", what, gj, wj)
				}
			}
			for _, o := range snap.Orders {
				got, err := c.Order(ctx, o.ID)
				want, _ := rec.Order(ctx, o.ID)
				same("order "+o.ID, normOrder(got), normOrder(want), err)
				gs, err := c.OrderShipments(ctx, o.ID)
				ws, _ := rec.OrderShipments(ctx, o.ID)
				same("shipments of "+o.ID, len(gs), len(ws), err)
			}
			for _, x := range snap.Customers {
				got, err := c.Customer(ctx, x.ID)
				same("customer "+x.ID, got.CreditLimit, x.CreditLimit, err)
				gos, err := c.CustomerOrders(ctx, x.ID)
				wos, _ := rec.CustomerOrders(ctx, x.ID)
				same("orders of "+x.ID, len(gos), len(wos), err)
				gc, err := c.Contracts(ctx, x.ID)
				wc, _ := rec.Contracts(ctx, x.ID)
				same("contracts of "+x.ID, len(gc), len(wc), err)
			}
			for _, it := range snap.Items {
				got, err := c.Item(ctx, it.SKU)
				same("item "+it.SKU, got.UOM, it.UOM, err)
				gs, err := c.Stock(ctx, it.SKU)
				ws, _ := rec.Stock(ctx, it.SKU)
				same("stock of "+it.SKU, len(gs), len(ws), err)
			}
			sites, err := c.Sites(ctx)
			same("sites", len(sites), len(snap.Sites), err)
			carriers, err := c.Carriers(ctx)
			same("carriers", len(carriers), len(snap.Carriers), err)
			if now := c.Now(); !now.Equal(rec.Now()) {
				t.Errorf("clock = %s, want the snapshot's %s", now, rec.Now())
			}
			if _, err := c.Order(ctx, "SO-NOPE"); !errors.Is(err, connectors.ErrNotFound) {
				t.Errorf("unknown order: %v", err)
			}
		})
	}
}

func normOrder(o connectors.Order) connectors.Order {
	if o.Holds == nil {
		o.Holds = []connectors.Hold{}
	}
	if o.Lines == nil {
		o.Lines = []connectors.Line{}
	}
	return o
}

// slashy is a snapshot whose ids hold "/", spaces and "#".
func slashy() *recorded.Connector {
	now := time.Date(2026, 5, 14, 9, 0, 0, 0, time.UTC)
	return recorded.New(connectors.Snapshot{
		Now:       now,
		Customers: []connectors.Customer{{ID: "C/7 #1", Name: "Acme", Tier: connectors.TierKey, CreditLimit: 1000}},
		Items:     []connectors.Item{{SKU: "SKU 1/2#A", UOM: "EA"}, {SKU: "..", UOM: "EA"}},
		Orders: []connectors.Order{{ID: "SO/2026/0390", CustomerID: "C/7 #1", Channel: "edi", Status: connectors.StatusOnHold, CreatedAt: now,
			Holds: []connectors.Hold{{Code: connectors.HoldCredit}}, Lines: []connectors.Line{{Line: 1, SKU: "SKU 1/2#A", Qty: 1, UnitPrice: 5}}}},
		Inventory: []connectors.Stock{{SKU: "SKU 1/2#A", Site: "DC/1", OnHand: 3}},
		Shipments: []connectors.Shipment{{ID: "SH/1", OrderID: "SO/2026/0390", Status: connectors.ShipPlanned}},
	})
}

func TestIDsWithSlashesAreOneSegment(t *testing.T) {
	rec := slashy()
	c, v, _ := serve(t, rec.Systems(), rest.Options{})
	ctx := ctxT(t)
	o, err := c.Order(ctx, "SO/2026/0390")
	if err != nil || o.ID != "SO/2026/0390" {
		t.Fatalf("order = %+v, %v", o, err)
	}
	if _, err := c.Customer(ctx, "C/7 #1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Item(ctx, "SKU 1/2#A"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Item(ctx, ".."); err != nil {
		t.Fatalf("a dot-dot id must reach the server as an id: %v", err)
	}
	if st, err := c.Stock(ctx, "SKU 1/2#A"); err != nil || len(st) != 1 {
		t.Fatalf("stock = %v, %v", st, err)
	}
	if sh, err := c.OrderShipments(ctx, "SO/2026/0390"); err != nil || len(sh) != 1 {
		t.Fatalf("shipments = %v, %v", sh, err)
	}
	if _, err := c.Shipment(ctx, "SH/1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Execute(ctx, connectors.Action{ID: "p/1", Type: connectors.ActReleaseHold, OrderID: "SO/2026/0390",
		Args: connectors.Args{"hold_code": "CREDIT"}}); err != nil {
		t.Fatal(err)
	}
	paths := strings.Join(v.paths(), "\n")
	for _, want := range []string{"GET /v1/orders/SO%2F2026%2F0390", "GET /v1/customers/C%2F7%20%231", "GET /v1/items/SKU%201%2F2%23A",
		"GET /v1/items/%2E%2E", "GET /v1/items/SKU%201%2F2%23A/stock", "GET /v1/shipments/SH%2F1"} {
		if !strings.Contains(paths, want+"\n") && !strings.HasSuffix(paths, want) {
			t.Errorf("no request %s in\n%s", want, paths)
		}
	}
}

func TestClockFallsBackToTheLocalClockOn404(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":{"code":"not_found","message":"no clock here"}}`))
	}))
	defer srv.Close()
	c, err := rest.New(srv.URL, fast())
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if d := time.Since(c.Now()); d < 0 || d > time.Minute {
			t.Fatalf("want the local clock, off by %s", d)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("a system without a clock was asked %d times, want once", n)
	}
}

func TestExecuteMapsOutcomes(t *testing.T) {
	rec := loadExample(t, "compliance-valid-01.json")
	c, v, _ := serve(t, rec.Systems(), rest.Options{})
	ctx := ctxT(t)
	release := connectors.Action{ID: "case-1-a1", Type: connectors.ActReleaseHold, OrderID: "SO-10089", Args: connectors.Args{"hold_code": "COMPLIANCE"}}
	e, err := c.Execute(ctx, release)
	if err != nil || e.Replayed || e.ActionID != "case-1-a1" || e.System != "erp" || e.Detail == "" {
		t.Fatalf("execute = %+v, %v", e, err)
	}
	again, err := c.Execute(ctx, release)
	if err != nil || !again.Replayed || again.Detail != e.Detail {
		t.Fatalf("a repeated id must replay the first answer: %+v, %v", again, err)
	}
	if n := len(rec.Executions()); n != 1 {
		t.Fatalf("executed %d times, want 1", n)
	}
	_, err = c.Execute(ctx, connectors.Action{ID: "case-1-a2", Type: connectors.ActReleaseHold, OrderID: "SO-10089", Args: connectors.Args{"hold_code": "PRICE"}})
	var ae *connectors.ActionError
	if !errors.As(err, &ae) || !errors.Is(err, connectors.ErrRefused) || !strings.Contains(err.Error(), "PRICE") {
		t.Fatalf("a hold the order does not have: want 422 as ErrRefused, got %v", err)
	}
	_, err = c.Execute(ctx, connectors.Action{ID: "case-1-a3", Type: connectors.ActPartialShip, OrderID: "SO-NOPE"})
	if !errors.Is(err, connectors.ErrNotFound) {
		t.Fatalf("unknown order: %v", err)
	}
	before := len(v.paths())
	if _, err := c.Execute(ctx, connectors.Action{Type: connectors.ActPartialShip, OrderID: "SO-10089"}); !errors.Is(err, rest.ErrNoActionID) {
		t.Fatalf("an action without id: %v", err)
	}
	if len(v.paths()) != before {
		t.Fatal("an action without id must not be sent")
	}
	if n := len(rec.Executions()); n != 1 {
		t.Fatalf("refused actions changed something: %d executions", n)
	}
}

func TestServerRejectsKeyReuseAndBadBodies(t *testing.T) {
	rec := loadExample(t, "compliance-valid-01.json")
	srv := httptest.NewServer(rest.NewServer(rec.Systems(), rest.ServerOptions{Token: "s3cret"}))
	defer srv.Close()
	post := func(key, body, token string) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/actions", strings.NewReader(body))
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	body := func(id, typ, args string) string {
		return `{"id":"` + id + `","type":"` + typ + `","order_id":"SO-10089","args":` + args + `}`
	}
	tests := []struct {
		name       string
		key, body  string
		token      string
		wantStatus int
	}{
		{"no token", "k1", body("k1", "notify_customer", `{"message":"hi"}`), "wrong", 401},
		{"no key", "", body("k1", "notify_customer", `{"message":"hi"}`), "s3cret", 400},
		{"key differs from id", "k2", body("k1", "notify_customer", `{"message":"hi"}`), "s3cret", 422},
		{"not JSON", "k3", `{"id":`, "s3cret", 400},
		{"bad args", "k4", body("k4", "release_hold", `{}`), "s3cret", 422},
		{"first use", "k5", body("k5", "notify_customer", `{"message":"hi"}`), "s3cret", 200},
		{"same key, same action", "k5", body("k5", "notify_customer", `{"message":"hi"}`), "s3cret", 200},
		{"same key, other action", "k5", body("k5", "notify_customer", `{"message":"bye"}`), "s3cret", 422},
	}
	for _, tt := range tests {
		if got := post(tt.key, tt.body, tt.token); got != tt.wantStatus {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.wantStatus)
		}
	}
	if n := len(rec.Executions()); n != 1 {
		t.Fatalf("executions = %d, want 1", n)
	}
}

func TestCheckPassesTheReferenceServer(t *testing.T) {
	rec := loadExample(t, "delay-expedite-auto-01.json")
	srv := httptest.NewServer(rest.NewServer(rec.Systems(), rest.ServerOptions{}))
	defer srv.Close()
	res, err := rest.Check(ctxT(t), rest.CheckOptions{BaseURL: srv.URL, Orders: []string{"SO-10166"}})
	if err != nil {
		t.Fatal(err)
	}
	endpoints := map[string]bool{}
	for _, r := range res {
		endpoints[r.Endpoint] = true
		if !r.Valid {
			t.Errorf("%s %s: %d %s", r.Endpoint, r.Target, r.Status, r.Problem)
		}
	}
	for _, want := range []string{"GET /v1/clock", "GET /v1/orders/{order_id}", "GET /v1/orders/{order_id}/shipments", "GET /v1/customers/{customer_id}",
		"GET /v1/customers/{customer_id}/orders", "GET /v1/customers/{customer_id}/contracts", "GET /v1/items/{sku}", "GET /v1/items/{sku}/stock",
		"GET /v1/shipments/{shipment_id}", "GET /v1/sites", "GET /v1/carriers", "GET /v1/orders/{order_id} (unknown id)"} {
		if !endpoints[want] {
			t.Errorf("the check did not call %s", want)
		}
	}
}

func TestCheckReportsAnImplementationThatBreaksTheContract(t *testing.T) {
	rec := loadExample(t, "delay-expedite-auto-01.json")
	ref := rest.NewServer(rec.Systems(), rest.ServerOptions{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/v1/items/") && !strings.HasSuffix(r.URL.Path, "/stock"):
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"sku": 12}`)) // wrong type, no uom
		case strings.HasPrefix(r.URL.Path, "/v1/orders/exdesk-check"):
			w.WriteHeader(http.StatusOK) // an unknown id must be 404
			_, _ = w.Write([]byte(`{}`))
		default:
			ref.ServeHTTP(w, r)
		}
	}))
	defer srv.Close()
	res, err := rest.Check(ctxT(t), rest.CheckOptions{BaseURL: srv.URL, Orders: []string{"SO-10166"}})
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]bool{}
	for _, r := range res {
		if !r.Valid {
			bad[r.Endpoint] = true
		}
	}
	if !bad["GET /v1/items/{sku}"] || !bad["GET /v1/orders/{order_id} (unknown id)"] || len(bad) != 2 {
		t.Fatalf("invalid endpoints = %v", bad)
	}
}

func TestErrorsNameSystemPathAndStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"error":{"code":"forbidden","message":"token lacks orders:read"}}`))
	}))
	defer srv.Close()
	c, _ := rest.New(srv.URL+"/exdesk/", fast())
	_, err := c.Order(ctxT(t), "SO/1")
	var re *rest.Error
	if !errors.As(err, &re) || re.Status != 403 || re.System != "erp" || re.Path != "/exdesk/v1/orders/SO%2F1" {
		t.Fatalf("err = %#v", err)
	}
	for _, want := range []string{"erp", "GET /exdesk/v1/orders/SO%2F1", "403", "token lacks orders:read"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
}

func TestNewRejectsBadBaseURLs(t *testing.T) {
	for _, u := range []string{"", "ftp://x", "http://", "https://u:p@host", "http://host?x=1", "://"} {
		if _, err := rest.New(u, rest.Options{}); err == nil {
			t.Errorf("New(%q) must fail", u)
		}
	}
	if _, err := rest.New("https://mw.example.com/exdesk/", rest.Options{}); err != nil {
		t.Error(err)
	}
}
