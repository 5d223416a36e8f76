package sap_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/connectortest"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/connectors/sap"
)

const examples = "../../../shared/evals/examples"

func loadExample(t testing.TB, name string) *recorded.Connector {
	t.Helper()
	c, err := recorded.Load(examples + "/" + name)
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	return c
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newClient(t testing.TB, srvURL string, extra connectors.ERP) *sap.Client {
	t.Helper()
	c, err := sap.New(srvURL+"?sap-client=100", sap.Options{User: "EXDESK", Password: "pw", Holds: testHolds, Extra: extra,
		RequestTimeout: time.Second, Attempts: 2, Plants: []string{"1000", "1010"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPropertiesExistInSAPMetadata checks every property the adapter reads
// or writes against the entity types of SAP's published metadata.
func TestPropertiesExistInSAPMetadata(t *testing.T) {
	props := sap.Properties()
	if len(props) < 10 {
		t.Fatalf("the adapter lists only %d entity types", len(props))
	}
	for typ, names := range props {
		et, ok := sapMetadata[typ]
		if !ok {
			t.Errorf("%s is not an entity type of the services' metadata", typ)
			continue
		}
		for _, n := range names {
			if !slices.Contains(et.properties, n) && !slices.Contains(et.navigation, n) {
				t.Errorf("%s.%s is not in SAP's metadata for %s", typ, n, et.service)
			}
		}
	}
	for _, want := range []string{"TotalCreditCheckStatus", "DeliveryBlockReason", "HeaderBillingBlockReason", "LastChangeDateTime",
		"RequestedDeliveryDate", "PurchaseOrderByCustomer", "to_Item"} {
		if !slices.Contains(props["A_SalesOrder"], want) {
			t.Errorf("the adapter does not read A_SalesOrder.%s", want)
		}
	}
	for _, want := range []string{"Material", "RequestedQuantity", "RequestedQuantityUnit", "NetAmount", "ProductionPlant", "SalesDocumentRjcnReason"} {
		if !slices.Contains(props["A_SalesOrderItem"], want) {
			t.Errorf("the adapter does not read A_SalesOrderItem.%s", want)
		}
	}
	// The issue named NetPriceAmount for the item's price; SAP's metadata
	// for A_SalesOrderItem has no such property (NetAmount is the item's
	// net value), so the unit price is NetAmount / RequestedQuantity.
	if slices.Contains(sapMetadata["A_SalesOrderItem"].properties, "NetPriceAmount") || slices.Contains(props["A_SalesOrderItem"], "NetPriceAmount") {
		t.Error("A_SalesOrderItem has no NetPriceAmount in SAP's metadata")
	}
}

func TestOrderMapping(t *testing.T) {
	for _, name := range []string{"credit-supervisor-01.json", "compliance-valid-01.json", "shortage-alt-auto-01.json", "duplicate-same-po-01.json", "pricing-approval-01.json"} {
		t.Run(name, func(t *testing.T) {
			rec := loadExample(t, name)
			snap := rec.Snapshot()
			si, srv := newStandIn(t, snap)
			c := newClient(t, srv.URL, nil)
			ctx := ctxT(t)
			for _, want := range snap.Orders {
				before := si.callsOf("GET")
				got, err := c.Order(ctx, want.ID)
				if err != nil {
					t.Fatal(err)
				}
				if n := si.callsOf("GET") - before; n != 1 {
					t.Errorf("order %s took %d calls, want 1 ($expand)", want.ID, n)
				}
				if got.ID != want.ID || got.CustomerID != want.CustomerID || got.PONumber != want.PONumber || got.ShipFrom != want.ShipFrom ||
					got.ShipTo != want.ShipTo || !got.CreatedAt.Equal(want.CreatedAt) || got.RequestedShipDate != want.RequestedShipDate {
					t.Errorf("order %s =\n%+v\nwant\n%+v", want.ID, got, want)
				}
				var gh, wh []string
				for _, h := range got.Holds {
					gh = append(gh, h.Code)
				}
				for _, h := range want.Holds {
					wh = append(wh, h.Code)
				}
				slices.Sort(gh)
				slices.Sort(wh)
				if !slices.Equal(gh, wh) {
					t.Errorf("order %s holds %v, want %v", want.ID, gh, wh)
				}
				if len(got.Lines) != len(want.Lines) {
					t.Fatalf("order %s has %d lines, want %d", want.ID, len(got.Lines), len(want.Lines))
				}
				for i, l := range got.Lines {
					w := want.Lines[i]
					if l.Line != w.Line || l.SKU != w.SKU || l.Qty != w.Qty || l.UOM != w.UOM || connectors.Cents(l.UnitPrice) != connectors.Cents(w.UnitPrice) {
						t.Errorf("order %s line %+v, want %+v", want.ID, l, w)
					}
				}
				if connectors.OrderTotal(got) != connectors.OrderTotal(want) {
					t.Errorf("order %s total %d, want %d", want.ID, connectors.OrderTotal(got), connectors.OrderTotal(want))
				}
			}
			for _, want := range snap.Customers {
				got, err := c.Customer(ctx, want.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Name != want.Name || got.Tier != want.Tier || got.CreditLimit != want.CreditLimit || got.CreditStop != want.CreditStop {
					t.Errorf("customer %s = %+v, want %+v", want.ID, got, want)
				}
			}
			for _, want := range snap.Items {
				got, err := c.Item(ctx, want.SKU)
				if err != nil {
					t.Fatal(err)
				}
				if got.UOM != want.UOM || got.Hazmat != want.Hazmat || got.Description != want.Description || math.Abs(got.UnitCost-want.UnitCost) > 0.001 {
					t.Errorf("item %s = %+v, want %+v", want.SKU, got, want)
				}
			}
			if len(snap.Orders) > 0 {
				o := snap.Orders[0]
				got, err := c.CustomerOrders(ctx, o.CustomerID)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := rec.CustomerOrders(ctx, o.CustomerID)
				if len(got) != len(want) {
					t.Errorf("orders of %s: %d, want %d", o.CustomerID, len(got), len(want))
				}
			}
		})
	}
}

// TestExtraCompletesWhatSAPDoesNotHold: open AR, past due, documents and
// contract prices come from Options.Extra.
func TestExtraCompletesWhatSAPDoesNotHold(t *testing.T) {
	rec := loadExample(t, "credit-supervisor-01.json")
	snap := rec.Snapshot()
	_, srv := newStandIn(t, snap)
	c := newClient(t, srv.URL, rec)
	ctx := ctxT(t)
	want := snap.Customers[0]
	got, err := c.Customer(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.OpenAR != want.OpenAR || got.PastDueAmount != want.PastDueAmount || got.MaxDaysPastDue != want.MaxDaysPastDue || got.CreditLimit != want.CreditLimit {
		t.Fatalf("customer = %+v, want %+v", got, want)
	}
	cs, err := c.Contracts(ctx, want.ID)
	wc, _ := rec.Contracts(ctx, want.ID)
	if err != nil || len(cs) != len(wc) {
		t.Fatalf("contracts = %v, %v; want %d", cs, err, len(wc))
	}
}

func TestOrderStatusFromRejectionAndDeliveries(t *testing.T) {
	now := time.Date(2026, 5, 14, 9, 0, 0, 0, time.UTC)
	line := []connectors.Line{{Line: 10, SKU: "M-1", Qty: 2, UOM: "EA", UnitPrice: 5}}
	si, srv := newStandIn(t, connectors.Snapshot{Now: now, Orders: []connectors.Order{
		{ID: "4711", CustomerID: "17", Status: connectors.StatusShipped, CreatedAt: now, Lines: line},
		{ID: "4712", CustomerID: "17", Status: connectors.StatusCancelled, CreatedAt: now, Lines: line},
		{ID: "4713", CustomerID: "17", Status: connectors.StatusOpen, CreatedAt: now, Lines: line},
	}})
	c := newClient(t, srv.URL, nil)
	ctx := ctxT(t)
	for id, want := range map[string]string{"4711": connectors.StatusShipped, "4712": connectors.StatusCancelled, "4713": connectors.StatusOpen} {
		o, err := c.Order(ctx, id)
		if err != nil || o.Status != want {
			t.Errorf("order %s status %q, %v; want %q", id, o.Status, err, want)
		}
	}
	if n := si.callsOf("GET API_OUTBOUND_DELIVERY_SRV"); n != 2 {
		t.Errorf("deliveries were read with %d calls, want 2 (only for the delivered order)", n)
	}
	// A delivery block on the delivery and an unmapped schedule-line block.
	si.mu.Lock()
	si.sets["A_OutbDeliveryHeader"][0].props["DeliveryBlockReason"] = "Z5"
	si.sets["A_OutbDeliveryHeader"][0].props["OverallGoodsMovementStatus"] = "A"
	o3, _ := si.order("4713")
	o3.navs["to_Item"][0].navs["to_ScheduleLine"][0].props["DelivBlockReasonForSchedLine"] = "Q9"
	o3.navs["to_Item"][0].navs["to_ScheduleLine"][0].props["ConfdOrderQtyByMatlAvailCheck"] = "1.000"
	si.mu.Unlock()
	o, _ := c.Order(ctx, "4711")
	if o.Status != connectors.StatusOnHold || !o.HasHold(connectors.HoldStock) {
		t.Errorf("a blocked, not goods-issued delivery: %+v", o)
	}
	o, _ = c.Order(ctx, "4713")
	if !strings.Contains(o.Notes, "Q9") || !strings.Contains(o.Notes, "confirmed 1 of 2") || len(o.Holds) != 0 {
		t.Errorf("unmapped block and partial confirmation must be noted, not guessed: holds %v, notes %q", o.Holds, o.Notes)
	}
}

func TestWritesFetchAndReuseTheCSRFToken(t *testing.T) {
	rec := loadExample(t, "credit-supervisor-01.json")
	snap := rec.Snapshot()
	si, srv := newStandIn(t, snap)
	c := newClient(t, srv.URL, nil)
	ctx := ctxT(t)
	id := snap.Orders[0].ID
	e, err := c.Execute(ctx, connectors.Action{ID: "a1", Type: connectors.ActReleaseHold, OrderID: id, Args: connectors.Args{"hold_code": "CREDIT"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Detail, "ReleaseCreditBlock") || e.System != "erp" {
		t.Errorf("execution = %+v", e)
	}
	o, _ := c.Order(ctx, id)
	if o.HasHold(connectors.HoldCredit) {
		t.Fatal("the credit block is still there")
	}
	if _, err := c.Execute(ctx, connectors.Action{ID: "a2", Type: connectors.ActRescheduleOrder, OrderID: id, Args: connectors.Args{"new_ship_date": "2026-12-01"}}); err != nil {
		t.Fatal(err)
	}
	if si.fetches != 1 {
		t.Errorf("two writes fetched the token %d times, want once", si.fetches)
	}
	o, _ = c.Order(ctx, id)
	if o.RequestedShipDate.String() != "2026-12-01" {
		t.Errorf("rescheduled to %s", o.RequestedShipDate)
	}
	// The session expires: SAP answers 403 Required once; the adapter
	// fetches a new token and tries again, once.
	si.mu.Lock()
	si.token, si.rejectCSRF = "tok-2", 1
	si.mu.Unlock()
	if _, err := c.Execute(ctx, connectors.Action{ID: "a3", Type: connectors.ActRescheduleOrder, OrderID: id, Args: connectors.Args{"new_ship_date": "2026-12-02"}}); err != nil {
		t.Fatalf("after a refetch the write must go through: %v", err)
	}
	if si.fetches != 2 {
		t.Errorf("fetches = %d, want 2", si.fetches)
	}
	si.mu.Lock()
	si.rejectCSRF = 5
	si.mu.Unlock()
	_, err = c.Execute(ctx, connectors.Action{ID: "a4", Type: connectors.ActRescheduleOrder, OrderID: id, Args: connectors.Args{"new_ship_date": "2026-12-03"}})
	if err == nil || !strings.Contains(err.Error(), "403") || si.fetches != 3 {
		t.Fatalf("a token refused twice: want a 403 error after one refetch, got %v (fetches %d)", err, si.fetches)
	}
	// The same action id again: answered from memory, nothing sent.
	again, err := c.Execute(ctx, connectors.Action{ID: "a1", Type: connectors.ActReleaseHold, OrderID: id, Args: connectors.Args{"hold_code": "CREDIT"}})
	if err != nil || !again.Replayed {
		t.Fatalf("replay = %+v, %v", again, err)
	}
}

func TestStaleETagIsAConflictAndChangesNothing(t *testing.T) {
	rec := loadExample(t, "compliance-valid-01.json")
	snap := rec.Snapshot()
	si, srv := newStandIn(t, snap)
	c := newClient(t, srv.URL, nil)
	ctx := ctxT(t)
	id := snap.Orders[0].ID
	// Someone changes the order in SAP between the adapter's read and its PATCH.
	si.mu.Lock()
	si.afterRead = func() {
		o, _ := si.order(id)
		o.props["LastChangeDateTime"] = odataDate(snap.Now.Add(time.Hour))
		si.afterRead = nil
	}
	si.mu.Unlock()
	_, err := c.Execute(ctx, connectors.Action{ID: "a1", Type: connectors.ActReleaseHold, OrderID: id, Args: connectors.Args{"hold_code": "COMPLIANCE"}})
	if !errors.Is(err, connectors.ErrConflict) || !strings.Contains(err.Error(), "412") {
		t.Fatalf("want a 412 conflict, got %v", err)
	}
	o, _ := c.Order(ctx, id)
	if !o.HasHold(connectors.HoldCompliance) {
		t.Fatal("a conflict must change nothing")
	}
	// Without an ETag the adapter does not PATCH blind.
	si.mu.Lock()
	si.noETag = true
	si.mu.Unlock()
	patches := si.callsOf("PATCH")
	_, err = c.Execute(ctx, connectors.Action{ID: "a2", Type: connectors.ActReleaseHold, OrderID: id, Args: connectors.Args{"hold_code": "COMPLIANCE"}})
	if !errors.Is(err, connectors.ErrConflict) || si.callsOf("PATCH") != patches {
		t.Fatalf("no ETag: want a conflict and no PATCH, got %v", err)
	}
}

func TestStandInEnforcesTheProtocol(t *testing.T) {
	rec := loadExample(t, "compliance-valid-01.json")
	snap := rec.Snapshot()
	_, srv := newStandIn(t, snap)
	id := snap.Orders[0].ID
	do := func(method, path string, h map[string]string) int {
		req, _ := http.NewRequest(method, srv.URL+"/sap/opu/odata/sap/"+path, strings.NewReader(`{"DeliveryBlockReason":""}`))
		req.SetBasicAuth("EXDESK", "pw")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	tests := []struct {
		name, method, path string
		header             map[string]string
		want               int
	}{
		{"wrong client", "GET", "API_SALES_ORDER_SRV/A_SalesOrder('" + id + "')?sap-client=200", nil, 401},
		{"unknown $select", "GET", "API_SALES_ORDER_SRV/A_SalesOrder('" + id + "')?sap-client=100&$select=NetPriceAmount", nil, 400},
		{"unknown $expand", "GET", "API_SALES_ORDER_SRV/A_SalesOrder('" + id + "')?sap-client=100&$expand=to_Lines", nil, 400},
		{"unknown $filter property", "GET", "API_SALES_ORDER_SRV/A_SalesOrder?sap-client=100&$filter=Customer%20eq%20'1'", nil, 400},
		{"PATCH without token", "PATCH", "API_SALES_ORDER_SRV/A_SalesOrder('" + id + "')?sap-client=100", nil, 403},
		{"known", "GET", "API_SALES_ORDER_SRV/A_SalesOrder('" + id + "')?sap-client=100&$select=SalesOrder", nil, 200},
	}
	for _, tt := range tests {
		if got := do(tt.method, tt.path, tt.header); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestWithoutIfMatchSAPAnswers428(t *testing.T) {
	rec := loadExample(t, "compliance-valid-01.json")
	snap := rec.Snapshot()
	si, srv := newStandIn(t, snap)
	id := snap.Orders[0].ID
	jarClient := &http.Client{}
	jarClient.Jar = newJar()
	get, _ := http.NewRequest("GET", srv.URL+"/sap/opu/odata/sap/API_SALES_ORDER_SRV/?sap-client=100", nil)
	get.SetBasicAuth("EXDESK", "pw")
	get.Header.Set("X-CSRF-Token", "Fetch")
	res, err := jarClient.Do(get)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	patch, _ := http.NewRequest("PATCH", srv.URL+"/sap/opu/odata/sap/API_SALES_ORDER_SRV/A_SalesOrder('"+id+"')?sap-client=100", strings.NewReader(`{"DeliveryBlockReason":""}`))
	patch.SetBasicAuth("EXDESK", "pw")
	patch.Header.Set("X-CSRF-Token", res.Header.Get("X-CSRF-Token"))
	res, err = jarClient.Do(patch)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 428 {
		t.Fatalf("PATCH without If-Match: %d, want 428", res.StatusCode)
	}
	_ = si
}

func TestUnsupportedActionsAreRefused(t *testing.T) {
	rec := loadExample(t, "compliance-valid-01.json")
	snap := rec.Snapshot()
	si, srv := newStandIn(t, snap)
	c := newClient(t, srv.URL, nil)
	for _, a := range []connectors.Action{
		{ID: "x1", Type: connectors.ActCancelOrder, OrderID: snap.Orders[0].ID, Args: connectors.Args{"reason": "dup"}},
		{ID: "x2", Type: connectors.ActReleaseHold, OrderID: snap.Orders[0].ID, Args: connectors.Args{"hold_code": "PRICE"}},
		{ID: "x3", Type: connectors.ActReleaseHold, OrderID: snap.Orders[0].ID, Args: connectors.Args{"hold_code": "CREDIT"}},
	} {
		if _, err := c.Execute(ctxT(t), a); !errors.Is(err, connectors.ErrRefused) && !errors.Is(err, connectors.ErrConflict) {
			t.Errorf("%s: %v", a, err)
		}
	}
	if n := si.callsOf("PATCH") + si.callsOf("POST"); n != 0 {
		t.Errorf("refused actions sent %d writes", n)
	}
}

func TestStockFromTheAvailabilityTimeseries(t *testing.T) {
	si, srv := newStandIn(t, connectors.Snapshot{Now: time.Now()})
	now := time.Now().UTC()
	rec := func(start time.Time, qty string) map[string]any {
		return map[string]any{"PeriodStartUTCDateTime": odataDate(start), "PeriodStartTimeZone": "UTC", "PeriodEndUTCDateTime": odataDate(start.AddDate(0, 0, 1)),
			"PeriodEndTimeZone": "UTC", "AvailableQuantityInBaseUnit": qty, "BaseUnit": "EA"}
	}
	si.atp["M-1|1000"] = []map[string]any{rec(now.AddDate(0, 0, -2), "40.000"), rec(now.AddDate(0, 0, 3), "25.000"), rec(now.AddDate(0, 0, 6), "100.000")}
	c := newClient(t, srv.URL, nil)
	st, err := c.Stock(ctxT(t), "M-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 1 || st[0].Site != "1000" || st[0].OnHand != 25 || len(st[0].Inbound) != 1 || st[0].Inbound[0].Qty != 75 {
		t.Fatalf("stock = %+v", st)
	}
}

func TestConformanceERP(t *testing.T) {
	connectortest.Run(t, func(t *testing.T) connectortest.Fixture {
		rec := loadExample(t, "compliance-valid-01.json")
		snap := rec.Snapshot()
		_, srv := newStandIn(t, snap)
		c := newClient(t, srv.URL, nil)
		id := snap.Orders[0].ID
		return connectortest.Fixture{
			Systems: connectors.Systems{ERP: c, Executor: c, Clock: c},
			Orders:  []string{id},
			Action:  &connectors.Action{ID: "p-1", Type: connectors.ActReleaseHold, OrderID: id, Args: connectors.Args{"hold_code": "COMPLIANCE"}},
			Refused: &connectors.Action{ID: "p-2", Type: connectors.ActReleaseHold, OrderID: id, Args: connectors.Args{"hold_code": "PRICE"}},
		}
	})
}

func TestParseHolds(t *testing.T) {
	tests := []struct {
		in      string
		want    sap.HoldTable
		wantErr bool
	}{
		{"01=CREDIT, delivery:Z7=compliance,billing:02=PRICE", sap.HoldTable{Delivery: map[string]string{"01": "CREDIT", "Z7": "COMPLIANCE"}, Billing: map[string]string{"02": "PRICE"}}, false},
		{"", sap.HoldTable{Delivery: map[string]string{}, Billing: map[string]string{}}, false},
		{"01", sap.HoldTable{}, true},
		{"01=LATE", sap.HoldTable{}, true},
		{"shipping:01=CREDIT", sap.HoldTable{}, true},
		{"=CREDIT", sap.HoldTable{}, true},
		{"TOOLONG=CREDIT", sap.HoldTable{}, true},
	}
	for _, tt := range tests {
		got, err := sap.ParseHolds(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseHolds(%q) error = %v", tt.in, err)
			continue
		}
		if !tt.wantErr && (!mapsEqual(got.Delivery, tt.want.Delivery) || !mapsEqual(got.Billing, tt.want.Billing)) {
			t.Errorf("ParseHolds(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestParseDateAndDecimal(t *testing.T) {
	dates := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"/Date(1546992000000)/", time.Date(2019, 1, 9, 0, 0, 0, 0, time.UTC), false},
		{"/Date(1546992000000+0100)/", time.Date(2019, 1, 9, 0, 0, 0, 0, time.UTC), false},
		{"/Date(-86400000)/", time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC), false},
		{"", time.Time{}, false},
		{"2019-01-09", time.Time{}, true},
		{"/Date(99999999999999999)/", time.Time{}, true},
		{"/Date(1+9900)/", time.Time{}, true},
		{"/Date()/", time.Time{}, true},
	}
	for _, tt := range dates {
		got, err := sap.ParseDate(tt.in)
		if (err != nil) != tt.err || !got.Equal(tt.want) {
			t.Errorf("ParseDate(%q) = %v, %v", tt.in, got, err)
		}
	}
	decs := []struct {
		in   string
		want float64
		err  bool
	}{
		{"12.500", 12.5, false}, {"-3", -3, false}, {"0", 0, false}, {"", 0, false},
		{"1e5", 0, true}, {".5", 0, true}, {"1,5", 0, true}, {"NaN", 0, true}, {" 1", 0, true},
	}
	for _, tt := range decs {
		got, err := sap.ParseDecimal(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseDecimal(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"/Date(1546992000000)/", "/Date(1546992000000+0100)/", "/Date(-1)/", "", "/Date(9999999999999999)/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := sap.ParseDate(s)
		if err != nil {
			return
		}
		if s != "" {
			back, err := sap.ParseDate(sap.FormatDate(d))
			if err != nil || !back.Equal(d) {
				t.Fatalf("%q → %v → %q → %v, %v", s, d, sap.FormatDate(d), back, err)
			}
		}
	})
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"12.500", "-3", "0.000", "", "99999999999999999999.999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := sap.ParseDecimal(s)
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Fatalf("%q parsed to %v", s, v)
		}
	})
}

func FuzzParseHolds(f *testing.F) {
	f.Add("01=CREDIT,billing:02=PRICE")
	f.Add("delivery:Z1=compliance")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := sap.ParseHolds(s)
		if err != nil {
			return
		}
		for _, m := range []map[string]string{h.Delivery, h.Billing} {
			for code, hold := range m {
				if code == "" || hold == "" {
					t.Fatalf("%q gave an empty code or hold: %v", s, h)
				}
			}
		}
	})
}
