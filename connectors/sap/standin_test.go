package sap_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/sap"
)

// standIn is an SAP S/4HANA stand-in written from SAP's published API
// documentation (OData V2 protocol as SAP Gateway implements it; the
// services' metadata in metadata_test.go). It serves the entity sets the
// adapter uses with SAP's property names and enforces what SAP enforces:
// basic authentication and the sap-client, the CSRF token and session
// cookie on writes (403 + X-CSRF-Token: Required), If-Match on PATCH (428
// without, 412 when stale), and $select/$expand/$filter naming only
// properties the entity type declares (400 otherwise). Every entity it
// holds is checked against the declared entity type.
type standIn struct {
	t         testing.TB
	sapClient string
	user      string
	pass      string

	mu         sync.Mutex
	token      string
	sessions   map[string]bool
	fetches    int
	rejectCSRF int // answer the next n writes 403 Required even with a good token
	sets       map[string][]entity
	atp        map[string][]map[string]any // "material|plant" → AvailabilityRecord
	calls      []string
	afterRead  func() // runs after an A_SalesOrder header read (to make the ETag stale)
	noETag     bool
}

// entity is one SAP entity: its type and properties; navigation
// properties hold []entity.
type entity struct {
	typ   string
	props map[string]any
	navs  map[string][]entity
}

func (s *standIn) check(e entity) entity {
	s.t.Helper()
	et, ok := sapMetadata[e.typ]
	if !ok {
		s.t.Fatalf("stand-in: %s is not a declared entity type", e.typ)
	}
	for p := range e.props {
		if !slices.Contains(et.properties, p) {
			s.t.Fatalf("stand-in: %s has no property %s", e.typ, p)
		}
	}
	for n, children := range e.navs {
		if !slices.Contains(et.navigation, n) {
			s.t.Fatalf("stand-in: %s has no navigation property %s", e.typ, n)
		}
		for _, c := range children {
			s.check(c)
		}
	}
	return e
}

func (s *standIn) put(set string, e entity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sets[set] = append(s.sets[set], s.check(e))
}

func odataDate(t time.Time) string { return fmt.Sprintf("/Date(%d)/", t.UnixMilli()) }

func dec(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }

// delivery and billing block codes of the stand-in's customising.
var testHolds = sap.HoldTable{
	Delivery: map[string]string{"Z1": connectors.HoldCompliance, "Z2": connectors.HoldPrice, "Z3": connectors.HoldData, "Z4": connectors.HoldDuplicate, "Z5": connectors.HoldStock},
	Billing:  map[string]string{"B2": connectors.HoldPrice, "B3": connectors.HoldData, "B4": connectors.HoldDuplicate, "B5": connectors.HoldStock, "B1": connectors.HoldCompliance},
}

func reverse(m map[string]string) map[string]string {
	r := map[string]string{}
	for k, v := range m {
		r[v] = k
	}
	return r
}

// newStandIn holds snap the way S/4HANA would.
func newStandIn(t testing.TB, snap connectors.Snapshot) (*standIn, *httptest.Server) {
	s := &standIn{t: t, sapClient: "100", user: "EXDESK", pass: "pw", token: "tok-1", sessions: map[string]bool{}, sets: map[string][]entity{}, atp: map[string][]map[string]any{}}
	del, bil := reverse(testHolds.Delivery), reverse(testHolds.Billing)
	tiers := map[string]string{connectors.TierStrategic: "A", connectors.TierKey: "B", connectors.TierStandard: "C"}
	for _, c := range snap.Customers {
		s.put("A_Customer", entity{typ: "A_Customer", props: map[string]any{"Customer": c.ID, "CustomerName": c.Name, "CustomerClassification": tiers[c.Tier]}})
		s.put("CreditManagementAccount", entity{typ: "CreditManagementAccount", props: map[string]any{"BusinessPartner": c.ID, "CreditSegment": "0000",
			"CreditLimitAmount": dec(c.CreditLimit), "CreditAccountIsBlocked": c.CreditStop, "CreditSegmentCurrency": "USD"}})
	}
	for _, it := range snap.Items {
		s.put("A_Product", entity{typ: "A_Product", props: map[string]any{"Product": it.SKU, "BaseUnit": it.UOM, "IsRelevantForHzdsSubstances": it.Hazmat},
			navs: map[string][]entity{
				"to_Description": {{typ: "A_ProductDescription", props: map[string]any{"Product": it.SKU, "Language": "EN", "ProductDescription": it.Description}}},
				"to_Valuation":   {{typ: "A_ProductValuation", props: map[string]any{"Product": it.SKU, "ValuationArea": "1000", "StandardPrice": dec(it.UnitCost), "PriceUnitQty": "1"}}},
			}})
	}
	for _, o := range snap.Orders {
		p := map[string]any{"SalesOrder": o.ID, "SoldToParty": o.CustomerID, "PurchaseOrderByCustomer": o.PONumber,
			"CreationDate": odataDate(o.CreatedAt), "RequestedDeliveryDate": odataDate(o.RequestedShipDate.Time()),
			"TotalCreditCheckStatus": "A", "OverallSDProcessStatus": "A", "OverallTotalDeliveryStatus": "A", "OverallSDDocumentRejectionSts": "A",
			"DeliveryBlockReason": "", "HeaderBillingBlockReason": "", "LastChangeDateTime": odataDate(snap.Now)}
		for _, h := range o.Holds {
			switch {
			case h.Code == connectors.HoldCredit:
				p["TotalCreditCheckStatus"] = "B"
			case p["DeliveryBlockReason"] == "":
				p["DeliveryBlockReason"] = del[h.Code]
			default:
				p["HeaderBillingBlockReason"] = bil[h.Code]
			}
		}
		if o.Status == connectors.StatusCancelled {
			p["OverallSDDocumentRejectionSts"] = "C"
		}
		var items []entity
		for _, l := range o.Lines {
			item := strconv.Itoa(l.Line)
			items = append(items, entity{typ: "A_SalesOrderItem", props: map[string]any{"SalesOrder": o.ID, "SalesOrderItem": item, "Material": l.SKU,
				"RequestedQuantity": dec(float64(l.Qty)), "RequestedQuantityUnit": l.UOM, "NetAmount": dec(float64(l.Qty) * l.UnitPrice),
				"ProductionPlant": o.ShipFrom, "SalesDocumentRjcnReason": ""},
				navs: map[string][]entity{"to_ScheduleLine": {{typ: "A_SalesOrderScheduleLine", props: map[string]any{"SalesOrder": o.ID,
					"SalesOrderItem": item, "ScheduleLine": "1", "ConfdOrderQtyByMatlAvailCheck": dec(float64(l.Qty)), "DelivBlockReasonForSchedLine": ""}}}}})
		}
		street, house, _ := strings.Cut(o.ShipTo.Line1, " ")
		partner := entity{typ: "A_SalesOrderHeaderPartner", props: map[string]any{"SalesOrder": o.ID, "PartnerFunction": "WE", "Customer": o.CustomerID},
			navs: map[string][]entity{"to_Address": {{typ: "A_SalesOrderPartnerAddress", props: map[string]any{"SalesOrder": o.ID, "PartnerFunction": "WE",
				"AddressRepresentationCode": "", "OrganizationName1": o.ShipTo.Name, "StreetName": street, "HouseNumber": house,
				"CityName": o.ShipTo.City, "Region": o.ShipTo.Region, "PostalCode": o.ShipTo.PostalCode, "Country": o.ShipTo.Country}}}}}
		if o.Status == connectors.StatusShipped {
			p["OverallTotalDeliveryStatus"] = "C"
			doc := "80" + fmt.Sprint(len(s.sets["A_OutbDeliveryHeader"])+1)
			s.put("A_OutbDeliveryHeader", entity{typ: "A_OutbDeliveryHeader", props: map[string]any{"DeliveryDocument": doc, "DeliveryBlockReason": "",
				"PlannedGoodsIssueDate": odataDate(snap.Now), "OverallGoodsMovementStatus": "C", "SoldToParty": o.CustomerID}})
			s.put("A_OutbDeliveryItem", entity{typ: "A_OutbDeliveryItem", props: map[string]any{"DeliveryDocument": doc, "DeliveryDocumentItem": "10",
				"ReferenceSDDocument": o.ID, "ReferenceSDDocumentItem": "10"}})
		}
		s.put("A_SalesOrder", entity{typ: "A_SalesOrder", props: p, navs: map[string][]entity{"to_Item": items, "to_Partner": {partner}}})
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func oerror(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": map[string]any{"lang": "en", "value": msg}}})
}

func writeD(w http.ResponseWriter, d any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"d": d})
}

func (s *standIn) etag(e entity) string {
	t, _ := sap.ParseDate(e.props["LastChangeDateTime"].(string))
	return `W/"datetimeoffset'` + url.QueryEscape(t.UTC().Format("2006-01-02T15:04:05.0000000Z")) + `'"`
}

var (
	keyRE       = regexp.MustCompile(`^([A-Za-z_]+)(?:\((.*)\))?$`)
	termRE      = regexp.MustCompile(`^([A-Za-z_]+) (eq|ge) (?:'((?:[^']|'')*)'|datetime'([0-9T:.-]+)')$`)
	serviceRoot = "/sap/opu/odata/sap/"
)

func unquote(s string) (string, bool) {
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' {
		return "", false
	}
	return strings.ReplaceAll(s[1:len(s)-1], "''", "'"), true
}

// keys parses 'v' or K1='v1',K2='v2'.
func parseKeys(s string, keyNames []string) (map[string]string, bool) {
	out := map[string]string{}
	if v, ok := unquote(s); ok && len(keyNames) == 1 {
		out[keyNames[0]] = v
		return out, true
	}
	for _, part := range splitTop(s) {
		k, v, ok := strings.Cut(part, "=")
		uv, ok2 := unquote(v)
		if !ok || !ok2 || !slices.Contains(keyNames, k) {
			return nil, false
		}
		out[k] = uv
	}
	return out, len(out) == len(keyNames)
}

// splitTop splits on commas outside quotes.
func splitTop(s string) []string {
	var out []string
	in, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\'':
			in = !in
		case ',':
			if !in {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, p, ok := r.BasicAuth(); !ok || u != s.user || p != s.pass {
		oerror(w, 401, "/IWFND/CM_CONSUMER/401", "logon failed")
		return
	}
	if r.URL.Query().Get("sap-client") != s.sapClient {
		oerror(w, 401, "/IWFND/CM_CONSUMER/401", "logon to client "+r.URL.Query().Get("sap-client")+" failed")
		return
	}
	for k := range r.URL.Query() {
		if strings.HasPrefix(k, "$") && !slices.Contains([]string{"$select", "$expand", "$filter", "$top", "$orderby", "$format"}, k) {
			oerror(w, 400, "/IWBEP/CM_MGW_RT/000", "system query option "+k+" is not supported")
			return
		}
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), serviceRoot)
	if !ok {
		oerror(w, 404, "/IWFND/MED/170", "no service")
		return
	}
	service, resource, _ := strings.Cut(rest, "/")
	resource, err := url.PathUnescape(resource)
	if err != nil {
		oerror(w, 400, "/IWBEP/CM_MGW_RT/000", "bad path")
		return
	}
	s.calls = append(s.calls, r.Method+" "+service+"/"+keyRE.ReplaceAllString(resource, "$1"))
	if r.Method == http.MethodGet && strings.EqualFold(r.Header.Get("X-CSRF-Token"), "Fetch") {
		s.fetches++
		sess := fmt.Sprintf("s%d", s.fetches)
		s.sessions[sess] = true
		http.SetCookie(w, &http.Cookie{Name: "SAP_SESSIONID_S4H_" + s.sapClient, Value: sess, Path: "/"})
		w.Header().Set("X-CSRF-Token", s.token)
	}
	if r.Method != http.MethodGet {
		ck, err := r.Cookie("SAP_SESSIONID_S4H_" + s.sapClient)
		if s.rejectCSRF > 0 || err != nil || !s.sessions[ck.Value] || r.Header.Get("X-CSRF-Token") != s.token {
			if s.rejectCSRF > 0 {
				s.rejectCSRF--
			}
			w.Header().Set("X-CSRF-Token", "Required")
			oerror(w, 403, "/IWFND/CM_CSRF/000", "CSRF token validation failed")
			return
		}
	}
	switch {
	case resource == "" && r.Method == http.MethodGet:
		writeD(w, map[string]any{"EntitySets": []string{}})
	case service == "API_SLS_DOC_WITH_CREDIT_BLOCK" && resource == "ReleaseCreditBlock" && r.Method == http.MethodPost:
		s.releaseCreditBlock(w, r)
	case service == "API_PRODUCT_AVAILY_INFO_BASIC" && resource == "CalculateAvailabilityTimeseries" && r.Method == http.MethodGet:
		s.availability(w, r)
	case r.Method == http.MethodGet:
		s.get(w, r, resource)
	case r.Method == http.MethodPatch:
		s.patch(w, r, resource)
	default:
		oerror(w, 405, "/IWBEP/CM_MGW_RT/000", "method not allowed")
	}
}

func (s *standIn) get(w http.ResponseWriter, r *http.Request, resource string) {
	m := keyRE.FindStringSubmatch(resource)
	if m == nil {
		oerror(w, 404, "/IWBEP/CM_MGW_RT/000", "resource not found")
		return
	}
	set, keyStr := m[1], m[2]
	et, ok := sapMetadata[set]
	if !ok {
		oerror(w, 404, "/IWBEP/CM_MGW_RT/021", "entity set "+set+" not found")
		return
	}
	q := r.URL.Query()
	sel, exp := fields(q.Get("$select")), fields(q.Get("$expand"))
	if msg := s.checkSelectExpand(set, sel, exp); msg != "" {
		oerror(w, 400, "/IWBEP/CM_MGW_RT/022", msg)
		return
	}
	if strings.Contains(resource, "(") {
		keys, ok := parseKeys(keyStr, et.keys)
		if !ok {
			oerror(w, 400, "/IWBEP/CM_MGW_RT/020", "the key predicate is invalid")
			return
		}
		for _, e := range s.sets[set] {
			if matchKeys(e, keys) {
				out := s.render(e, sel, exp)
				if set == "A_SalesOrder" && !s.noETag {
					w.Header().Set("ETag", s.etag(e))
					out["__metadata"].(map[string]any)["etag"] = s.etag(e)
				}
				writeD(w, out)
				if set == "A_SalesOrder" && s.afterRead != nil {
					s.afterRead()
				}
				return
			}
		}
		oerror(w, 404, "/IWBEP/CM_MGW_RT/020", "resource not found for segment '"+set+"'")
		return
	}
	match, msg := s.filter(set, q.Get("$filter"))
	if msg != "" {
		oerror(w, 400, "/IWBEP/CM_MGW_RT/022", msg)
		return
	}
	results := []any{}
	for _, e := range s.sets[set] {
		if match(e) {
			results = append(results, s.render(e, sel, exp))
		}
	}
	if top, err := strconv.Atoi(q.Get("$top")); err == nil && top < len(results) {
		results = results[:top]
	}
	writeD(w, map[string]any{"results": results})
}

func matchKeys(e entity, keys map[string]string) bool {
	for k, v := range keys {
		if e.props[k] != v {
			return false
		}
	}
	return true
}

func fields(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (s *standIn) checkSelectExpand(set string, sel, exp []string) string {
	et := sapMetadata[set]
	for _, p := range sel {
		if !slices.Contains(et.properties, p) && !slices.Contains(et.navigation, p) {
			return fmt.Sprintf("property %s at offset 0 is invalid for %s", p, set)
		}
	}
	for _, path := range exp {
		typ := set
		for _, nav := range strings.Split(path, "/") {
			t, ok := navTarget[typ+"/"+nav]
			if !ok || !slices.Contains(sapMetadata[typ].navigation, nav) {
				return fmt.Sprintf("navigation property %s of %s is invalid", nav, typ)
			}
			typ = t
		}
	}
	return ""
}

// navTarget is the entity type each navigation property leads to.
var navTarget = map[string]string{
	"A_SalesOrder/to_Item": "A_SalesOrderItem", "A_SalesOrderItem/to_ScheduleLine": "A_SalesOrderScheduleLine",
	"A_SalesOrder/to_Partner": "A_SalesOrderHeaderPartner", "A_SalesOrderHeaderPartner/to_Address": "A_SalesOrderPartnerAddress",
	"A_Product/to_Description": "A_ProductDescription", "A_Product/to_Valuation": "A_ProductValuation",
}

// render writes e as OData V2 JSON: the selected properties (all when
// none are), expanded navigation properties as {"results": […]}, the others
// as {"__deferred": …}.
func (s *standIn) render(e entity, sel, exp []string) map[string]any {
	out := map[string]any{"__metadata": map[string]any{"type": sapMetadata[e.typ].service + "." + e.typ + "Type"}}
	for k, v := range e.props {
		if len(sel) == 0 || slices.Contains(sel, k) {
			out[k] = v
		}
	}
	for _, nav := range sapMetadata[e.typ].navigation {
		if len(sel) > 0 && !slices.Contains(sel, nav) {
			continue
		}
		var sub []string
		expanded := false
		for _, p := range exp {
			head, tail, _ := strings.Cut(p, "/")
			if head == nav {
				expanded = true
				if tail != "" {
					sub = append(sub, tail)
				}
			}
		}
		if !expanded {
			out[nav] = map[string]any{"__deferred": map[string]any{"uri": "…/" + nav}}
			continue
		}
		results := []any{}
		for _, c := range e.navs[nav] {
			results = append(results, s.render(c, nil, sub))
		}
		out[nav] = map[string]any{"results": results}
	}
	return out
}

// filter supports what SAP Gateway supports and the adapter uses:
// Prop eq 'v', Prop ge datetime'…', joined by " and " or " or ".
func (s *standIn) filter(set, f string) (func(entity) bool, string) {
	if f == "" {
		return func(entity) bool { return true }, ""
	}
	op := " and "
	if strings.Contains(f, " or ") {
		op = " or "
	}
	var terms []func(entity) bool
	for _, t := range strings.Split(f, op) {
		m := termRE.FindStringSubmatch(strings.TrimSpace(t))
		if m == nil {
			return nil, "invalid filter expression: " + t
		}
		prop := m[1]
		if !slices.Contains(sapMetadata[set].properties, prop) {
			return nil, "property " + prop + " not found in type " + set
		}
		switch m[2] {
		case "eq":
			v := strings.ReplaceAll(m[3], "''", "'")
			terms = append(terms, func(e entity) bool { return e.props[prop] == v })
		case "ge":
			since, err := time.Parse("2006-01-02T15:04:05", m[4])
			if err != nil {
				return nil, "invalid datetime literal"
			}
			terms = append(terms, func(e entity) bool {
				t, _ := sap.ParseDate(fmt.Sprint(e.props[prop]))
				return !t.Before(since)
			})
		}
	}
	return func(e entity) bool {
		for _, t := range terms {
			if t(e) == (op == " or ") {
				return op == " or "
			}
		}
		return op != " or "
	}, ""
}

func (s *standIn) order(id string) (entity, bool) {
	for _, e := range s.sets["A_SalesOrder"] {
		if e.props["SalesOrder"] == id {
			return e, true
		}
	}
	return entity{}, false
}

func (s *standIn) patch(w http.ResponseWriter, r *http.Request, resource string) {
	m := keyRE.FindStringSubmatch(resource)
	if m == nil || m[1] != "A_SalesOrder" {
		oerror(w, 405, "/IWBEP/CM_MGW_RT/000", "not updatable")
		return
	}
	keys, ok := parseKeys(m[2], []string{"SalesOrder"})
	if !ok {
		oerror(w, 400, "/IWBEP/CM_MGW_RT/020", "the key predicate is invalid")
		return
	}
	e, ok := s.order(keys["SalesOrder"])
	if !ok {
		oerror(w, 404, "/IWBEP/CM_MGW_RT/020", "resource not found")
		return
	}
	ifMatch := r.Header.Get("If-Match")
	switch {
	case ifMatch == "":
		oerror(w, 428, "/IWBEP/CM_MGW_RT/100", "the request must be conditional: If-Match is required")
		return
	case ifMatch != s.etag(e):
		oerror(w, 412, "/IWBEP/CM_MGW_RT/101", "the entity was changed: precondition failed")
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		oerror(w, 400, "/IWBEP/CM_MGW_RT/000", "malformed body")
		return
	}
	for k, v := range body {
		if !slices.Contains(sapMetadata["A_SalesOrder"].properties, k) {
			oerror(w, 400, "/IWBEP/CM_MGW_RT/022", "property "+k+" is invalid")
			return
		}
		if _, isStr := v.(string); !isStr {
			oerror(w, 400, "/IWBEP/CM_MGW_RT/000", "property "+k+" must be a string")
			return
		}
		e.props[k] = v
	}
	last, _ := sap.ParseDate(e.props["LastChangeDateTime"].(string))
	e.props["LastChangeDateTime"] = odataDate(last.Add(time.Second))
	w.WriteHeader(http.StatusNoContent)
}

func (s *standIn) releaseCreditBlock(w http.ResponseWriter, r *http.Request) {
	doc, ok := unquote(r.URL.Query().Get("SalesDocument"))
	if !ok {
		oerror(w, 400, "/IWBEP/CM_MGW_RT/000", "parameter SalesDocument is missing")
		return
	}
	e, found := s.order(doc)
	if !found {
		oerror(w, 404, "/IWBEP/CM_MGW_RT/020", "sales document not found")
		return
	}
	if st := e.props["TotalCreditCheckStatus"]; st != "B" && st != "C" {
		oerror(w, 400, "V1/000", "sales document "+doc+" is not blocked for credit")
		return
	}
	e.props["TotalCreditCheckStatus"] = "D"
	last, _ := sap.ParseDate(e.props["LastChangeDateTime"].(string))
	e.props["LastChangeDateTime"] = odataDate(last.Add(time.Second))
	writeD(w, map[string]any{"SalesDocument": doc})
}

// availability: material/plant → available quantity per period.
func (s *standIn) availability(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rule, ok1 := unquote(q.Get("ATPCheckingRule"))
	mat, ok2 := unquote(q.Get("Material"))
	plant, ok3 := unquote(q.Get("SupplyingPlant"))
	if !ok1 || !ok2 || !ok3 || rule == "" {
		oerror(w, 400, "/IWBEP/CM_MGW_RT/000", "parameters ATPCheckingRule, Material and SupplyingPlant are required")
		return
	}
	results := []any{}
	for _, rec := range s.atp[mat+"|"+plant] {
		for p := range rec {
			if !slices.Contains(sapMetadata["AvailabilityRecord"].properties, p) {
				s.t.Errorf("stand-in: AvailabilityRecord has no property %s", p)
			}
		}
		results = append(results, rec)
	}
	sort.Slice(results, func(i, j int) bool {
		return results[i].(map[string]any)["PeriodStartUTCDateTime"].(string) < results[j].(map[string]any)["PeriodStartUTCDateTime"].(string)
	})
	writeD(w, map[string]any{"results": results})
}

func (s *standIn) callsOf(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

func newJar() http.CookieJar {
	j, _ := cookiejar.New(nil)
	return j
}
