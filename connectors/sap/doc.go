// Package sap is exdesk's ERP over SAP S/4HANA's standard OData V2 APIs.
// What SAP does not hold (sites and lanes, carriers and shipments) comes
// from other systems through composition (connectors/compose); what SAP's
// standard APIs used here do not expose about customers, items and
// contracts comes from Options.Extra.
//
// # Flow
//
// A read builds one OData request per entity with $select (only the
// properties mapped below) and $expand (items, schedule lines, partners and
// addresses come with the order: one call), sends it through the shared
// HTTP engine (per-attempt timeout, retries with backoff, circuit breaker:
// connectors/internal/httpx) with the sap-client parameter, and maps the
// OData V2 JSON ({"d": …}, /Date(ms)/ dates, decimals as strings) onto the
// exdesk.case/v1 entities. A write fetches a CSRF token (GET with
// X-CSRF-Token: Fetch; token and session cookie are reused; a 403 with
// X-CSRF-Token: Required fetches it again, once), reads the order's ETag,
// and PATCHes with If-Match: 412 (changed since read) and 428 (If-Match
// missing) become a conflict that changed nothing. SAP has no idempotency
// keys: writes are not retried, and an action id executed before is
// answered from memory.
//
// # Mapping
//
//	exdesk                     SAP (service, entity, property)
//	order.id                   API_SALES_ORDER_SRV A_SalesOrder SalesOrder
//	order.customer_id          A_SalesOrder SoldToParty
//	order.po_number            A_SalesOrder PurchaseOrderByCustomer
//	order.created_at           A_SalesOrder CreationDate (a date: SAP keeps no creation time here)
//	order.requested_ship_date  A_SalesOrder RequestedDeliveryDate
//	order.status               cancelled: OverallSDDocumentRejectionSts C; shipped: OverallTotalDeliveryStatus C
//	                           and every outbound delivery's OverallGoodsMovementStatus C; on_hold: any hold; else open
//	hold CREDIT                A_SalesOrder TotalCreditCheckStatus B (not OK) or C (not OK, partly released)
//	other holds                A_SalesOrder DeliveryBlockReason and HeaderBillingBlockReason, schedule line
//	                           DelivBlockReasonForSchedLine, A_OutbDeliveryHeader DeliveryBlockReason,
//	                           through the configurable block code → hold table (Options.Holds); unmapped
//	                           codes are named in the order's notes, never guessed
//	hold placed_at             A_SalesOrder LastChangeDateTime (also the ETag)
//	order.lines[]              A_SalesOrderItem (to_Item) without SalesDocumentRjcnReason
//	line.line                  SalesOrderItem (a number)
//	line.sku                   Material
//	line.qty, line.uom         RequestedQuantity, RequestedQuantityUnit
//	line.unit_price            NetAmount / RequestedQuantity (A_SalesOrderItem has no NetPriceAmount)
//	order.ship_from            first item's ProductionPlant
//	order.ship_to              partner function WE (to_Partner) → A_SalesOrderPartnerAddress: OrganizationName1
//	                           (else AddresseeFullName), StreetName + HouseNumber, CityName, Region (through
//	                           Options.Regions), PostalCode, Country
//	order.notes                schedule lines' ConfdOrderQtyByMatlAvailCheck below the quantity; deliveries'
//	                           PlannedGoodsIssueDate; unmapped blocks
//	customer.name, tier        API_BUSINESS_PARTNER A_Customer CustomerName, CustomerClassification (Options.Tiers)
//	customer.credit_limit      API_CRDTMBUSINESSPARTNER CreditManagementAccount CreditLimitAmount (segment 0000)
//	customer.credit_stop       CreditManagementAccount CreditAccountIsBlocked
//	customer open AR, past     not in these APIs: from Options.Extra (compose: erp-extra=…)
//	  due, documents, terms
//	item.uom, description      API_PRODUCT_SRV A_Product BaseUnit, to_Description ProductDescription (Options.Language)
//	item.hazmat                A_Product IsRelevantForHzdsSubstances
//	item.unit_cost             to_Valuation StandardPrice / PriceUnitQty (first valuation area)
//	customer's orders          A_SalesOrder $filter=SoldToParty eq '…', $orderby CreationDate desc, $top MaxOrders
//	contracts                  Options.Extra (SAP pricing condition records are not read)
//	stock (Client.Stock)       API_PRODUCT_AVAILY_INFO_BASIC CalculateAvailabilityTimeseries(ATPCheckingRule,
//	                           Material, SupplyingPlant) → AvailabilityRecord PeriodStartUTCDateTime,
//	                           AvailableQuantityInBaseUnit
//	release_hold CREDIT        API_SLS_DOC_WITH_CREDIT_BLOCK ReleaseCreditBlock (POST, SalesDocument)
//	release_hold other         PATCH A_SalesOrder DeliveryBlockReason or HeaderBillingBlockReason = "" (If-Match)
//	reschedule_order           PATCH A_SalesOrder RequestedDeliveryDate (If-Match)
//	other actions              refused: done in SAP
//
// # Sources
//
// Property names follow SAP's published service metadata, as the SAP
// Business Accelerator Hub publishes it for API_SALES_ORDER_SRV,
// API_BUSINESS_PARTNER, API_PRODUCT_SRV and API_OUTBOUND_DELIVERY_SRV
// (their $metadata EDMX), API_CRDTMBUSINESSPARTNER's CreditManagementAccount,
// API_PRODUCT_AVAILY_INFO_BASIC's AvailabilityRecord and function imports,
// and the SAP Cloud SDK's description of API_SLS_DOC_WITH_CREDIT_BLOCK
// (communication scenario SAP_COM_0325); the OData V2 JSON format and SAP
// Gateway's CSRF and ETag handling follow the OData Version 2.0
// specification and SAP Gateway's developer documentation. The facts are
// listed in metadata_test.go; a test checks Properties against them.
package sap
