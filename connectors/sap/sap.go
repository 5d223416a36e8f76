package sap

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/internal/httpx"
)

// Services the adapter calls, below ServicePath.
const (
	SalesOrderService      = "API_SALES_ORDER_SRV"
	BusinessPartnerService = "API_BUSINESS_PARTNER"
	CreditMasterService    = "API_CRDTMBUSINESSPARTNER"
	CreditBlockService     = "API_SLS_DOC_WITH_CREDIT_BLOCK"
	ProductService         = "API_PRODUCT_SRV"
	DeliveryService        = "API_OUTBOUND_DELIVERY_SRV"
	AvailabilityService    = "API_PRODUCT_AVAILY_INFO_BASIC"
)

// Options configures a Client. The zero value of every field is its default.
type Options struct {
	// HTTPClient sends the requests; its transport may carry an OAuth 2.0
	// token source. The client keeps its own cookie jar for the CSRF
	// session whatever HTTPClient's jar is.
	HTTPClient *http.Client
	// User and Password, when set, are sent as basic authentication.
	User, Password string
	// Token, when set, is sent as a bearer token.
	Token string
	// SAPClient is the sap-client parameter sent with every request
	// ("" leaves it out: the system's default client).
	SAPClient string
	// ServicePath is where the OData services live (default
	// /sap/opu/odata/sap).
	ServicePath string
	// Holds maps SAP block codes to exdesk holds. Codes are customer
	// configured in SAP; the zero table maps none (see ParseHolds).
	Holds HoldTable
	// Tiers maps A_Customer CustomerClassification to exdesk tiers (default
	// A strategic, B key, anything else standard).
	Tiers map[string]string
	// Regions maps SAP ship-to Region codes to the region codes the
	// inventory and carrier systems use for lanes; an unmapped region is
	// passed through.
	Regions map[string]string
	// CreditSegment is the credit segment read (default 0000, SAP's main
	// credit segment).
	CreditSegment string
	// Language of product descriptions (default EN).
	Language string
	// ATPCheckingRule and Plants are what Stock asks
	// CalculateAvailabilityTimeseries (default rule A).
	ATPCheckingRule string
	Plants          []string
	// MaxOrders bounds the orders read for a customer (default 1000).
	MaxOrders int
	// Extra, when set, supplies what SAP's standard APIs above do not hold:
	// a customer's open AR, past due amount and days, documents,
	// preferences and payment terms; an item's compliance attributes,
	// substitutes and list price; contract prices.
	Extra connectors.ERP
	// Timeouts, retries, body limit and breaker of reads, as in rest.
	RequestTimeout time.Duration
	Attempts       int
	MaxBodyBytes   int64
	BreakAfter     uint32
	BreakFor       time.Duration
}

// HoldTable maps SAP block codes to exdesk hold codes: delivery blocks
// (A_SalesOrder DeliveryBlockReason, schedule line
// DelivBlockReasonForSchedLine, A_OutbDeliveryHeader DeliveryBlockReason)
// and billing blocks (A_SalesOrder HeaderBillingBlockReason).
type HoldTable struct {
	Delivery map[string]string
	Billing  map[string]string
}

// ParseHolds reads a hold table written as
// "delivery:01=CREDIT,delivery:Z7=COMPLIANCE,billing:02=PRICE" (a code
// without a prefix is a delivery block).
func ParseHolds(s string) (HoldTable, error) {
	t := HoldTable{Delivery: map[string]string{}, Billing: map[string]string{}}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		code, hold, ok := strings.Cut(part, "=")
		if !ok {
			return HoldTable{}, fmt.Errorf("sap holds: %q is not code=HOLD", part)
		}
		m := t.Delivery
		switch kind, c, found := strings.Cut(code, ":"); {
		case !found:
		case kind == "delivery":
			code = c
		case kind == "billing":
			m, code = t.Billing, c
		default:
			return HoldTable{}, fmt.Errorf("sap holds: %q: block kind %q is neither delivery nor billing", part, kind)
		}
		hold = strings.ToUpper(strings.TrimSpace(hold))
		if !slices.Contains([]string{connectors.HoldCredit, connectors.HoldCompliance, connectors.HoldPrice, connectors.HoldData,
			connectors.HoldDuplicate, connectors.HoldStock}, hold) {
			return HoldTable{}, fmt.Errorf("sap holds: %q: %q is not an exdesk hold code", part, hold)
		}
		code = strings.TrimSpace(code)
		if code == "" || len(code) > 4 {
			return HoldTable{}, fmt.Errorf("sap holds: %q: a block code has 1 to 4 characters", part)
		}
		m[code] = hold
	}
	return t, nil
}

// ParseMap reads "A=strategic,B=key" into a map.
func ParseMap(s string) (map[string]string, error) {
	m := map[string]string{}
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%q is not key=value", part)
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m, nil
}

// Client is exdesk's ERP over SAP S/4HANA's standard OData V2 APIs. It
// implements connectors.ERP, connectors.Executor (the ERP's actions) and
// connectors.Clock (the local clock: SAP has no business clock to ask),
// and offers Stock from the availability API. It is safe for concurrent
// use.
type Client struct {
	base   *url.URL
	opts   Options
	caller *httpx.Caller

	csrfMu sync.Mutex
	csrf   string

	execMu sync.Mutex
	execs  map[string]connectors.Execution // by action id: SAP has no idempotency keys
}

var (
	_ connectors.ERP      = (*Client)(nil)
	_ connectors.Executor = (*Client)(nil)
	_ connectors.Clock    = (*Client)(nil)
)

// New returns a client of the SAP system at baseURL (https://host[:port]).
func New(baseURL string, opts Options) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Fragment != "" {
		return nil, fmt.Errorf("sap: base URL %q must be http(s)://host[:port][/path] without credentials (secrets come from the environment)", baseURL)
	}
	if sc := u.Query().Get("sap-client"); sc != "" && opts.SAPClient == "" {
		opts.SAPClient = sc
	}
	u.RawQuery = ""
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	if opts.ServicePath == "" {
		opts.ServicePath = "/sap/opu/odata/sap"
	}
	if opts.CreditSegment == "" {
		opts.CreditSegment = "0000"
	}
	if opts.Language == "" {
		opts.Language = "EN"
	}
	if opts.ATPCheckingRule == "" {
		opts.ATPCheckingRule = "A"
	}
	if opts.MaxOrders <= 0 {
		opts.MaxOrders = 1000
	}
	if opts.Tiers == nil {
		opts.Tiers = map[string]string{"A": connectors.TierStrategic, "B": connectors.TierKey}
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Transport: httpx.NewTransport()}
	if opts.HTTPClient != nil {
		hc.Transport = opts.HTTPClient.Transport
		hc.CheckRedirect = opts.HTTPClient.CheckRedirect
	}
	return &Client{base: u, opts: opts, execs: map[string]connectors.Execution{}, caller: httpx.New(httpx.Options{
		System: "erp", HTTPClient: hc, RequestTimeout: opts.RequestTimeout, Attempts: opts.Attempts,
		MaxBodyBytes: opts.MaxBodyBytes, BreakAfter: opts.BreakAfter, BreakFor: opts.BreakFor,
	})}, nil
}

// Now implements connectors.Clock with the local clock.
func (c *Client) Now() time.Time { return time.Now() }

// url builds service/rest?query with sap-client. rest is already escaped.
func (c *Client) url(service, rest string, q url.Values) *url.URL {
	u := *c.base
	raw := c.base.EscapedPath() + c.opts.ServicePath + "/" + service + "/" + rest
	u.Path, _ = url.PathUnescape(raw)
	u.RawPath = raw
	if q == nil {
		q = url.Values{}
	}
	if c.opts.SAPClient != "" {
		q.Set("sap-client", c.opts.SAPClient)
	}
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return &u
}

func (c *Client) header() http.Header {
	h := http.Header{"Accept": {"application/json"}, "User-Agent": {"exdesk-sap-connector/1"}}
	switch {
	case c.opts.User != "":
		h.Set("Authorization", "Basic "+basic(c.opts.User, c.opts.Password))
	case c.opts.Token != "":
		h.Set("Authorization", "Bearer "+c.opts.Token)
	}
	return h
}

func basic(user, pass string) string {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(user, pass)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

// get reads an entity or a collection into out; a 404 is kind/id not found.
func (c *Client) get(ctx context.Context, u *url.URL, kind, id string, out any) error {
	req := httpx.Request{Method: http.MethodGet, URL: u, Header: c.header(), Retry: true}
	return c.caller.GetJSON(ctx, req, describe, connectors.NotFound(kind, id), "the OData V2 JSON the service's metadata describes", out)
}

// The adapter's view of SAP's entity types: only the properties it reads
// or writes, named exactly as the services' $metadata names them.

// salesOrder is API_SALES_ORDER_SRV A_SalesOrder.
type salesOrder struct {
	Metadata                      metadata           `json:"__metadata"`
	SalesOrder                    string             `json:"SalesOrder"`
	SoldToParty                   string             `json:"SoldToParty"`
	PurchaseOrderByCustomer       string             `json:"PurchaseOrderByCustomer"`
	CreationDate                  date               `json:"CreationDate"`
	RequestedDeliveryDate         date               `json:"RequestedDeliveryDate"`
	TotalCreditCheckStatus        string             `json:"TotalCreditCheckStatus"`
	OverallSDProcessStatus        string             `json:"OverallSDProcessStatus"`
	OverallTotalDeliveryStatus    string             `json:"OverallTotalDeliveryStatus"`
	OverallSDDocumentRejectionSts string             `json:"OverallSDDocumentRejectionSts"`
	DeliveryBlockReason           string             `json:"DeliveryBlockReason"`
	HeaderBillingBlockReason      string             `json:"HeaderBillingBlockReason"`
	LastChangeDateTime            date               `json:"LastChangeDateTime"`
	ToItem                        many[salesItem]    `json:"to_Item"`
	ToPartner                     many[orderPartner] `json:"to_Partner"`
}

// salesItem is A_SalesOrderItem.
type salesItem struct {
	SalesOrderItem          string             `json:"SalesOrderItem"`
	Material                string             `json:"Material"`
	RequestedQuantity       decimal            `json:"RequestedQuantity"`
	RequestedQuantityUnit   string             `json:"RequestedQuantityUnit"`
	NetAmount               decimal            `json:"NetAmount"`
	ProductionPlant         string             `json:"ProductionPlant"`
	SalesDocumentRjcnReason string             `json:"SalesDocumentRjcnReason"`
	ToScheduleLine          many[scheduleLine] `json:"to_ScheduleLine"`
}

// scheduleLine is A_SalesOrderScheduleLine.
type scheduleLine struct {
	ScheduleLine                  string  `json:"ScheduleLine"`
	ConfdOrderQtyByMatlAvailCheck decimal `json:"ConfdOrderQtyByMatlAvailCheck"`
	DelivBlockReasonForSchedLine  string  `json:"DelivBlockReasonForSchedLine"`
}

// orderPartner is A_SalesOrderHeaderPartner.
type orderPartner struct {
	PartnerFunction string               `json:"PartnerFunction"`
	Customer        string               `json:"Customer"`
	ToAddress       many[partnerAddress] `json:"to_Address"`
}

// partnerAddress is A_SalesOrderPartnerAddress.
type partnerAddress struct {
	AddresseeFullName string `json:"AddresseeFullName"`
	OrganizationName1 string `json:"OrganizationName1"`
	StreetName        string `json:"StreetName"`
	HouseNumber       string `json:"HouseNumber"`
	CityName          string `json:"CityName"`
	Region            string `json:"Region"`
	PostalCode        string `json:"PostalCode"`
	Country           string `json:"Country"`
}

// orderHeader is what a write reads first: the blocks and the ETag.
type orderHeader struct {
	Metadata                 metadata `json:"__metadata"`
	SalesOrder               string   `json:"SalesOrder"`
	DeliveryBlockReason      string   `json:"DeliveryBlockReason"`
	HeaderBillingBlockReason string   `json:"HeaderBillingBlockReason"`
	TotalCreditCheckStatus   string   `json:"TotalCreditCheckStatus"`
	LastChangeDateTime       date     `json:"LastChangeDateTime"`
}

// deliveryItem is API_OUTBOUND_DELIVERY_SRV A_OutbDeliveryItem.
type deliveryItem struct {
	DeliveryDocument    string `json:"DeliveryDocument"`
	ReferenceSDDocument string `json:"ReferenceSDDocument"`
}

// deliveryHeader is A_OutbDeliveryHeader.
type deliveryHeader struct {
	DeliveryDocument           string `json:"DeliveryDocument"`
	DeliveryBlockReason        string `json:"DeliveryBlockReason"`
	PlannedGoodsIssueDate      date   `json:"PlannedGoodsIssueDate"`
	OverallGoodsMovementStatus string `json:"OverallGoodsMovementStatus"`
}

// customer is API_BUSINESS_PARTNER A_Customer.
type customer struct {
	Customer               string `json:"Customer"`
	CustomerName           string `json:"CustomerName"`
	CustomerClassification string `json:"CustomerClassification"`
}

// creditAccount is API_CRDTMBUSINESSPARTNER CreditManagementAccount.
type creditAccount struct {
	BusinessPartner        string  `json:"BusinessPartner"`
	CreditSegment          string  `json:"CreditSegment"`
	CreditLimitAmount      decimal `json:"CreditLimitAmount"`
	CreditAccountIsBlocked bool    `json:"CreditAccountIsBlocked"`
	CreditSegmentCurrency  string  `json:"CreditSegmentCurrency"`
}

// product is API_PRODUCT_SRV A_Product.
type product struct {
	Product                     string                   `json:"Product"`
	BaseUnit                    string                   `json:"BaseUnit"`
	IsRelevantForHzdsSubstances bool                     `json:"IsRelevantForHzdsSubstances"`
	ToDescription               many[productDescription] `json:"to_Description"`
	ToValuation                 many[productValuation]   `json:"to_Valuation"`
}

// productDescription is A_ProductDescription.
type productDescription struct {
	Language           string `json:"Language"`
	ProductDescription string `json:"ProductDescription"`
}

// productValuation is A_ProductValuation.
type productValuation struct {
	ValuationArea string  `json:"ValuationArea"`
	StandardPrice decimal `json:"StandardPrice"`
	PriceUnitQty  decimal `json:"PriceUnitQty"`
}

// availabilityRecord is API_PRODUCT_AVAILY_INFO_BASIC AvailabilityRecord.
type availabilityRecord struct {
	PeriodStartUTCDateTime      date    `json:"PeriodStartUTCDateTime"`
	AvailableQuantityInBaseUnit decimal `json:"AvailableQuantityInBaseUnit"`
	BaseUnit                    string  `json:"BaseUnit"`
}

// orderSelect and orderExpand make one order one call: the header
// properties mapped below, the items with their schedule lines, and the
// partners with their addresses.
const orderSelect = "SalesOrder,SoldToParty,PurchaseOrderByCustomer,CreationDate,RequestedDeliveryDate," +
	"TotalCreditCheckStatus,OverallSDProcessStatus,OverallTotalDeliveryStatus,OverallSDDocumentRejectionSts," +
	"DeliveryBlockReason,HeaderBillingBlockReason,LastChangeDateTime,to_Item,to_Partner"

const orderExpand = "to_Item,to_Item/to_ScheduleLine,to_Partner,to_Partner/to_Address"

// Order implements connectors.ERP: A_SalesOrder('id') with its items,
// schedule lines and ship-to address in one call, and, when SAP says it
// has delivered some of it, its outbound deliveries.
func (c *Client) Order(ctx context.Context, id string) (connectors.Order, error) {
	if id == "" {
		return connectors.Order{}, connectors.NotFound("order", id)
	}
	q := url.Values{"$select": {orderSelect}, "$expand": {orderExpand}}
	var env single[salesOrder]
	if err := c.get(ctx, c.url(SalesOrderService, "A_SalesOrder("+keyLiteral(id)+")", q), "order", id, &env); err != nil {
		return connectors.Order{}, err
	}
	if env.D == nil {
		return connectors.Order{}, fmt.Errorf("sap: order %s: %w", id, errNoEntity)
	}
	if env.D.SalesOrder != id {
		return connectors.Order{}, fmt.Errorf("sap: asked for sales order %q, the answer is %q", id, env.D.SalesOrder)
	}
	var dels []deliveryHeader
	if s := env.D.OverallTotalDeliveryStatus; s == "B" || s == "C" {
		var err error
		if dels, err = c.deliveries(ctx, id); err != nil {
			return connectors.Order{}, err
		}
	}
	return c.mapOrder(*env.D, dels)
}

func (c *Client) deliveries(ctx context.Context, orderID string) ([]deliveryHeader, error) {
	q := url.Values{"$filter": {"ReferenceSDDocument eq " + stringLiteral(orderID)}, "$select": {"DeliveryDocument,ReferenceSDDocument"}}
	var items collection[deliveryItem]
	if err := c.get(ctx, c.url(DeliveryService, "A_OutbDeliveryItem", q), "order", orderID, &items); err != nil {
		return nil, err
	}
	var docs []string
	if items.D != nil {
		for _, it := range items.D.Results {
			if it.DeliveryDocument != "" && !slices.Contains(docs, it.DeliveryDocument) {
				docs = append(docs, it.DeliveryDocument)
			}
		}
	}
	if len(docs) == 0 {
		return nil, nil
	}
	var f []string
	for _, d := range docs {
		f = append(f, "DeliveryDocument eq "+stringLiteral(d))
	}
	q = url.Values{"$filter": {strings.Join(f, " or ")},
		"$select": {"DeliveryDocument,DeliveryBlockReason,PlannedGoodsIssueDate,OverallGoodsMovementStatus"}}
	var heads collection[deliveryHeader]
	if err := c.get(ctx, c.url(DeliveryService, "A_OutbDeliveryHeader", q), "order", orderID, &heads); err != nil {
		return nil, err
	}
	if heads.D == nil {
		return nil, nil
	}
	return heads.D.Results, nil
}

// creditBlocked reports whether TotalCreditCheckStatus says the credit
// check failed: B (not OK) or C (not OK, partially released). A is OK, D
// released by a credit representative, "" not checked.
func creditBlocked(status string) bool { return status == "B" || status == "C" }

func (c *Client) mapOrder(so salesOrder, dels []deliveryHeader) (connectors.Order, error) {
	o := connectors.Order{
		ID: so.SalesOrder, CustomerID: so.SoldToParty, PONumber: so.PurchaseOrderByCustomer,
		CreatedAt: so.CreationDate.UTC(), RequestedShipDate: dateOf(so.RequestedDeliveryDate),
		Holds: []connectors.Hold{}, Lines: []connectors.Line{},
	}
	var notes, unmapped []string
	placed := so.LastChangeDateTime.UTC()
	addHold := func(code, reason string) {
		if !o.HasHold(code) {
			o.Holds = append(o.Holds, connectors.Hold{Code: code, Reason: reason, PlacedAt: placed})
		}
	}
	block := func(table map[string]string, kind, code, where string) {
		if code == "" {
			return
		}
		if hold, ok := table[code]; ok {
			addHold(hold, fmt.Sprintf("SAP %s block %s on %s", kind, code, where))
			return
		}
		unmapped = append(unmapped, fmt.Sprintf("%s block %s on %s", kind, code, where))
	}
	if creditBlocked(so.TotalCreditCheckStatus) {
		addHold(connectors.HoldCredit, fmt.Sprintf("SAP credit check not OK (TotalCreditCheckStatus %s)", so.TotalCreditCheckStatus))
	}
	block(c.opts.Holds.Delivery, "delivery", so.DeliveryBlockReason, "the order")
	block(c.opts.Holds.Billing, "billing", so.HeaderBillingBlockReason, "the order")
	for _, it := range so.ToItem.Results {
		if it.SalesDocumentRjcnReason != "" {
			continue // a rejected item is not part of the order any more
		}
		n, err := strconv.Atoi(strings.TrimLeft(it.SalesOrderItem, "0"))
		if err != nil || n <= 0 {
			return connectors.Order{}, fmt.Errorf("sap: order %s: item number %q is not a positive number", so.SalesOrder, truncate(it.SalesOrderItem, 20))
		}
		qty := float64(it.RequestedQuantity)
		if qty < 0 || qty > math.MaxInt32 || qty != math.Trunc(qty) {
			return connectors.Order{}, fmt.Errorf("sap: order %s item %d: quantity %v is not a whole number exdesk can carry", so.SalesOrder, n, qty)
		}
		price := 0.0
		if qty > 0 {
			price = float64(it.NetAmount) / qty
		}
		o.Lines = append(o.Lines, connectors.Line{Line: n, SKU: it.Material, Qty: int(qty), UOM: it.RequestedQuantityUnit, UnitPrice: price})
		if o.ShipFrom == "" {
			o.ShipFrom = it.ProductionPlant
		}
		confirmed := 0.0
		for _, sl := range it.ToScheduleLine.Results {
			confirmed += float64(sl.ConfdOrderQtyByMatlAvailCheck)
			block(c.opts.Holds.Delivery, "delivery", sl.DelivBlockReasonForSchedLine, fmt.Sprintf("item %d schedule line %s", n, sl.ScheduleLine))
		}
		if len(it.ToScheduleLine.Results) > 0 && confirmed < qty {
			notes = append(notes, fmt.Sprintf("SAP availability check confirmed %g of %g %s on item %d.", confirmed, qty, it.RequestedQuantityUnit, n))
		}
	}
	for _, p := range so.ToPartner.Results {
		if p.PartnerFunction != "WE" || len(p.ToAddress.Results) == 0 { // WE: ship-to party
			continue
		}
		a := p.ToAddress.Results[0]
		name := a.OrganizationName1
		if name == "" {
			name = a.AddresseeFullName
		}
		region := a.Region
		if r, ok := c.opts.Regions[region]; ok {
			region = r
		}
		o.ShipTo = connectors.Address{Name: name, Line1: strings.TrimSpace(a.StreetName + " " + a.HouseNumber), City: a.CityName,
			Region: region, PostalCode: a.PostalCode, Country: a.Country}
	}
	goodsIssued := len(dels) > 0
	for _, d := range dels {
		block(c.opts.Holds.Delivery, "delivery", d.DeliveryBlockReason, "delivery "+d.DeliveryDocument)
		goodsIssued = goodsIssued && d.OverallGoodsMovementStatus == "C"
		if d.OverallGoodsMovementStatus != "C" && !d.PlannedGoodsIssueDate.IsZero() {
			notes = append(notes, fmt.Sprintf("SAP delivery %s plans goods issue on %s.", d.DeliveryDocument, dateOf(d.PlannedGoodsIssueDate)))
		}
	}
	if len(unmapped) > 0 {
		notes = append(notes, "SAP blocks not mapped to exdesk holds (EXDESK_SAP_HOLDS): "+strings.Join(unmapped, "; ")+".")
	}
	o.Notes = strings.Join(notes, " ")
	switch {
	case so.OverallSDDocumentRejectionSts == "C":
		o.Status = connectors.StatusCancelled
	case goodsIssued && so.OverallTotalDeliveryStatus == "C":
		o.Status = connectors.StatusShipped
	case len(o.Holds) > 0:
		o.Status = connectors.StatusOnHold
	default:
		o.Status = connectors.StatusOpen
	}
	return o, nil
}

func dateOf(d date) connectors.Date {
	if d.IsZero() {
		return connectors.Date{}
	}
	return connectors.NewDate(d.UTC())
}

// Customer implements connectors.ERP: A_Customer('id') for the name and
// classification, and CreditManagementAccount(BusinessPartner='id',
// CreditSegment='…') for the credit limit and block. The business partner
// number is taken to be the customer number (S/4HANA's customer-vendor
// integration with identical numbers). What those APIs do not hold comes
// from Options.Extra.
func (c *Client) Customer(ctx context.Context, id string) (connectors.Customer, error) {
	if id == "" {
		return connectors.Customer{}, connectors.NotFound("customer", id)
	}
	var cu single[customer]
	q := url.Values{"$select": {"Customer,CustomerName,CustomerClassification"}}
	if err := c.get(ctx, c.url(BusinessPartnerService, "A_Customer("+keyLiteral(id)+")", q), "customer", id, &cu); err != nil {
		return connectors.Customer{}, err
	}
	if cu.D == nil || cu.D.Customer != id {
		return connectors.Customer{}, fmt.Errorf("sap: asked for customer %q, the answer is not it", id)
	}
	x := connectors.Customer{ID: id, Name: cu.D.CustomerName, Tier: connectors.TierStandard, Documents: []connectors.Document{}}
	if t, ok := c.opts.Tiers[cu.D.CustomerClassification]; ok {
		x.Tier = t
	}
	var acct single[creditAccount]
	key := "CreditManagementAccount(BusinessPartner=" + keyLiteral(id) + ",CreditSegment=" + keyLiteral(c.opts.CreditSegment) + ")"
	q = url.Values{"$select": {"BusinessPartner,CreditSegment,CreditLimitAmount,CreditAccountIsBlocked,CreditSegmentCurrency"}}
	switch err := c.get(ctx, c.url(CreditMasterService, key, q), "customer", id, &acct); {
	case errors.Is(err, connectors.ErrNotFound):
		// No credit account in the segment: no credit granted.
	case err != nil:
		return connectors.Customer{}, err
	case acct.D != nil:
		x.CreditLimit = float64(acct.D.CreditLimitAmount)
		x.CreditStop = acct.D.CreditAccountIsBlocked
	}
	if c.opts.Extra != nil {
		e, err := c.opts.Extra.Customer(ctx, id)
		switch {
		case errors.Is(err, connectors.ErrNotFound):
		case err != nil:
			return connectors.Customer{}, fmt.Errorf("sap: customer %s, the data SAP does not hold: %w", id, err)
		default:
			x.OpenAR, x.PastDueAmount, x.MaxDaysPastDue = e.OpenAR, e.PastDueAmount, e.MaxDaysPastDue
			x.PaymentTerms, x.AllowsSubstitution, x.AllowsPartialShipment = e.PaymentTerms, e.AllowsSubstitution, e.AllowsPartialShipment
			x.Documents = slices.Clone(e.Documents)
			x.CreditStop = x.CreditStop || e.CreditStop
			if cu.D.CustomerClassification == "" && e.Tier != "" {
				x.Tier = e.Tier
			}
		}
	}
	return x, nil
}

// Item implements connectors.ERP: A_Product('sku') with its description
// and valuation in one call. Hazmat is IsRelevantForHzdsSubstances; the
// unit cost is the first valuation area's StandardPrice per PriceUnitQty.
func (c *Client) Item(ctx context.Context, sku string) (connectors.Item, error) {
	if sku == "" {
		return connectors.Item{}, connectors.NotFound("item", sku)
	}
	q := url.Values{"$select": {"Product,BaseUnit,IsRelevantForHzdsSubstances,to_Description,to_Valuation"},
		"$expand": {"to_Description,to_Valuation"}}
	var env single[product]
	if err := c.get(ctx, c.url(ProductService, "A_Product("+keyLiteral(sku)+")", q), "item", sku, &env); err != nil {
		return connectors.Item{}, err
	}
	if env.D == nil || env.D.Product != sku {
		return connectors.Item{}, fmt.Errorf("sap: asked for product %q, the answer is not it", sku)
	}
	p := env.D
	it := connectors.Item{SKU: sku, UOM: p.BaseUnit, Hazmat: p.IsRelevantForHzdsSubstances, Substitutes: []string{}}
	for _, d := range p.ToDescription.Results {
		if strings.EqualFold(d.Language, c.opts.Language) {
			it.Description = d.ProductDescription
		}
	}
	if v := p.ToValuation.Results; len(v) > 0 && v[0].PriceUnitQty > 0 {
		it.UnitCost = float64(v[0].StandardPrice) / float64(v[0].PriceUnitQty)
	}
	if c.opts.Extra != nil {
		e, err := c.opts.Extra.Item(ctx, sku)
		switch {
		case errors.Is(err, connectors.ErrNotFound):
		case err != nil:
			return connectors.Item{}, fmt.Errorf("sap: item %s, the data SAP does not hold: %w", sku, err)
		default:
			it.Hazmat = it.Hazmat || e.Hazmat
			it.UNNumber, it.Regulated, it.RequiredDocument = e.UNNumber, e.Regulated, e.RequiredDocument
			it.Substitutes, it.ListPrice = slices.Clone(e.Substitutes), e.ListPrice
			if it.UnitCost == 0 {
				it.UnitCost = e.UnitCost
			}
		}
	}
	return it, nil
}

// CustomerOrders implements connectors.ERP: A_SalesOrder filtered on
// SoldToParty, newest first, at most Options.MaxOrders, each with its
// items and partners (deliveries are not read for lists: an order's
// status in a list is from its header).
func (c *Client) CustomerOrders(ctx context.Context, customerID string) ([]connectors.Order, error) {
	if customerID == "" {
		return nil, connectors.NotFound("customer", customerID)
	}
	q := url.Values{"$filter": {"SoldToParty eq " + stringLiteral(customerID)}, "$select": {orderSelect}, "$expand": {orderExpand},
		"$orderby": {"CreationDate desc"}, "$top": {strconv.Itoa(c.opts.MaxOrders)}}
	var env collection[salesOrder]
	if err := c.get(ctx, c.url(SalesOrderService, "A_SalesOrder", q), "customer", customerID, &env); err != nil {
		return nil, err
	}
	out := []connectors.Order{}
	if env.D == nil {
		return out, nil
	}
	for _, so := range env.D.Results {
		if so.SoldToParty != customerID {
			return nil, fmt.Errorf("sap: the orders of %q hold order %s of %q: the $filter was not applied", customerID, so.SalesOrder, so.SoldToParty)
		}
		o, err := c.mapOrder(so, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out, nil
}

// Contracts implements connectors.ERP from Options.Extra: the adapter does
// not read SAP's pricing condition records.
func (c *Client) Contracts(ctx context.Context, customerID string) ([]connectors.Contract, error) {
	if c.opts.Extra == nil {
		return []connectors.Contract{}, nil
	}
	return c.opts.Extra.Contracts(ctx, customerID)
}

// Stock answers connectors.Inventory.Stock from SAP's availability check:
// CalculateAvailabilityTimeseries for the sku at each of Options.Plants.
// What can be promised now without breaking a later period (the least
// available quantity from now on) is on hand; each later rise of what can
// be promised is an inbound receipt due at the start of its period.
func (c *Client) Stock(ctx context.Context, sku string) ([]connectors.Stock, error) {
	now := time.Now()
	var out []connectors.Stock
	for _, plant := range c.opts.Plants {
		q := url.Values{"ATPCheckingRule": {stringLiteral(c.opts.ATPCheckingRule)}, "Material": {stringLiteral(sku)},
			"SupplyingPlant": {stringLiteral(plant)}}
		var env collection[availabilityRecord]
		if err := c.get(ctx, c.url(AvailabilityService, "CalculateAvailabilityTimeseries", q), "item", sku, &env); err != nil {
			return nil, err
		}
		if env.D == nil || len(env.D.Results) == 0 {
			continue
		}
		recs := env.D.Results
		sort.Slice(recs, func(i, j int) bool { return recs[i].PeriodStartUTCDateTime.Before(recs[j].PeriodStartUTCDateTime.Time) })
		s := connectors.Stock{SKU: sku, Site: plant, Inbound: []connectors.Inbound{}}
		cur := 0
		for i, r := range recs {
			if !r.PeriodStartUTCDateTime.After(now) {
				cur = i
			}
		}
		// What can be promised by a period without breaking a later one is
		// the least cumulative availability from that period on: it never
		// falls, and each rise is a receipt.
		recs = recs[cur:]
		promisable := make([]float64, len(recs))
		least := math.Inf(1)
		for i := len(recs) - 1; i >= 0; i-- {
			least = min(least, float64(recs[i].AvailableQuantityInBaseUnit))
			promisable[i] = max(least, 0)
		}
		s.OnHand = int(math.Floor(promisable[0]))
		for i := 1; i < len(recs); i++ {
			if rise := math.Floor(promisable[i]) - math.Floor(promisable[i-1]); rise > 0 {
				d := dateOf(recs[i].PeriodStartUTCDateTime)
				s.Inbound = append(s.Inbound, connectors.Inbound{Ref: "ATP " + d.String(), Qty: int(rise), ETA: d})
			}
		}
		out = append(out, s)
	}
	return out, nil
}
