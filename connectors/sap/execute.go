package sap

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/internal/httpx"
)

// Execute implements connectors.Executor for the actions the ERP owns and
// SAP's standard APIs can carry out:
//
//   - release_hold CREDIT: API_SLS_DOC_WITH_CREDIT_BLOCK ReleaseCreditBlock
//     (POST, SalesDocument='…');
//   - release_hold of a hold mapped from the order's DeliveryBlockReason or
//     HeaderBillingBlockReason: PATCH A_SalesOrder setting it to "";
//   - reschedule_order: PATCH A_SalesOrder RequestedDeliveryDate.
//
// Every write fetches a CSRF token first (GET with X-CSRF-Token: Fetch),
// reuses it and the session cookie, and fetches it again once when SAP
// answers 403 with X-CSRF-Token: Required. Every PATCH carries If-Match
// with the ETag just read; SAP's 412 (changed since) and 428 (no If-Match)
// are *connectors.ActionError conflicts: nothing changed. SAP has no
// idempotency keys, so writes are not retried, and an action id executed
// before by this client is answered from memory (Replayed).
func (c *Client) Execute(ctx context.Context, a connectors.Action) (connectors.Execution, error) {
	if err := a.CheckArgs(); err != nil {
		return connectors.Execution{}, c.refuse(a, err.Error())
	}
	if a.ID != "" {
		c.execMu.Lock()
		prev, ok := c.execs[a.ID]
		c.execMu.Unlock()
		if ok {
			prev.Replayed = true
			return prev, nil
		}
	}
	var detail string
	var err error
	switch a.Type {
	case connectors.ActReleaseHold:
		detail, err = c.releaseHold(ctx, a)
	case connectors.ActRescheduleOrder:
		detail, err = c.reschedule(ctx, a)
	default:
		return connectors.Execution{}, c.refuse(a, fmt.Sprintf("the SAP adapter does not execute %s; do it in SAP", a.Type))
	}
	if err != nil {
		return connectors.Execution{}, err
	}
	e := connectors.Execution{ActionID: a.ID, Type: a.Type, OrderID: a.OrderID, System: "erp", Detail: detail, At: c.Now().UTC()}
	if a.ID != "" {
		c.execMu.Lock()
		c.execs[a.ID] = e
		c.execMu.Unlock()
	}
	return e, nil
}

func (c *Client) refuse(a connectors.Action, msg string) error {
	return &connectors.ActionError{System: "erp", ActionID: a.ID, Code: connectors.CodeInvalid, Message: msg}
}

func (c *Client) conflict(a connectors.Action, msg string) error {
	return &connectors.ActionError{System: "erp", ActionID: a.ID, Code: connectors.CodeConflict, Message: msg}
}

// header reads the order's blocks and its ETag (the ETag header, else
// __metadata.etag: SAP derives it from LastChangeDateTime).
func (c *Client) orderHeader(ctx context.Context, id string) (orderHeader, string, error) {
	q := url.Values{"$select": {"SalesOrder,DeliveryBlockReason,HeaderBillingBlockReason,TotalCreditCheckStatus,LastChangeDateTime"}}
	req := httpx.Request{Method: http.MethodGet, URL: c.url(SalesOrderService, "A_SalesOrder("+keyLiteral(id)+")", q), Header: c.header(), Retry: true}
	resp, err := c.caller.Do(ctx, req, describe)
	if err != nil {
		return orderHeader{}, "", err
	}
	switch resp.Status {
	case http.StatusOK:
	case http.StatusNotFound:
		return orderHeader{}, "", c.caller.Fail(req, resp, describe, connectors.NotFound("order", id))
	default:
		return orderHeader{}, "", c.caller.Fail(req, resp, describe, nil)
	}
	var env single[orderHeader]
	if err := json.Unmarshal(resp.Body, &env); err != nil || env.D == nil {
		if err == nil {
			err = errNoEntity
		}
		return orderHeader{}, "", c.caller.Fail(req, resp, nil, err)
	}
	etag := resp.Header.Get("ETag")
	if etag == "" {
		etag = env.D.Metadata.Etag
	}
	return *env.D, etag, nil
}

func (c *Client) releaseHold(ctx context.Context, a connectors.Action) (string, error) {
	code := a.Str("hold_code")
	h, etag, err := c.orderHeader(ctx, a.OrderID)
	if err != nil {
		return "", err
	}
	if code == connectors.HoldCredit {
		if !creditBlocked(h.TotalCreditCheckStatus) {
			return "", c.conflict(a, fmt.Sprintf("sales order %s is not credit blocked (TotalCreditCheckStatus %q)", a.OrderID, h.TotalCreditCheckStatus))
		}
		q := url.Values{"SalesDocument": {stringLiteral(a.OrderID)}}
		if err := c.write(ctx, a, http.MethodPost, c.url(CreditBlockService, "ReleaseCreditBlock", q), "", nil); err != nil {
			return "", err
		}
		return fmt.Sprintf("released the SAP credit block of sales order %s (ReleaseCreditBlock)", a.OrderID), nil
	}
	field := ""
	switch {
	case h.DeliveryBlockReason != "" && c.opts.Holds.Delivery[h.DeliveryBlockReason] == code:
		field = "DeliveryBlockReason"
	case h.HeaderBillingBlockReason != "" && c.opts.Holds.Billing[h.HeaderBillingBlockReason] == code:
		field = "HeaderBillingBlockReason"
	default:
		return "", c.refuse(a, fmt.Sprintf("sales order %s has no header delivery or billing block mapped to %s (a schedule-line or delivery block is released in SAP)", a.OrderID, code))
	}
	old := h.DeliveryBlockReason
	if field == "HeaderBillingBlockReason" {
		old = h.HeaderBillingBlockReason
	}
	if err := c.patchOrder(ctx, a, etag, map[string]any{field: ""}); err != nil {
		return "", err
	}
	return fmt.Sprintf("removed %s %s (%s hold) from sales order %s", field, old, code, a.OrderID), nil
}

func (c *Client) reschedule(ctx context.Context, a connectors.Action) (string, error) {
	d, _ := connectors.ParseDate(a.Str("new_ship_date"))
	_, etag, err := c.orderHeader(ctx, a.OrderID)
	if err != nil {
		return "", err
	}
	if err := c.patchOrder(ctx, a, etag, map[string]any{"RequestedDeliveryDate": FormatDate(d.Time())}); err != nil {
		return "", err
	}
	return fmt.Sprintf("moved the requested delivery date of sales order %s to %s", a.OrderID, d), nil
}

func (c *Client) patchOrder(ctx context.Context, a connectors.Action, etag string, fields map[string]any) error {
	if etag == "" {
		return c.conflict(a, "SAP gave no ETag for sales order "+a.OrderID+": refusing to change it blind")
	}
	body, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	return c.write(ctx, a, http.MethodPatch, c.url(SalesOrderService, "A_SalesOrder("+keyLiteral(a.OrderID)+")", nil), etag, body)
}

// write sends one write with the CSRF token, fetching it when there is
// none and once more when SAP says it is required. It is never retried
// otherwise: SAP has no idempotency key.
func (c *Client) write(ctx context.Context, a connectors.Action, method string, u *url.URL, etag string, body []byte) error {
	service := strings.Split(strings.TrimPrefix(u.Path, c.base.Path+c.opts.ServicePath+"/"), "/")[0]
	for try := 0; ; try++ {
		token, err := c.token(ctx, service, try > 0)
		if err != nil {
			return err
		}
		h := c.header()
		h.Set("X-CSRF-Token", token)
		if body != nil {
			h.Set("Content-Type", "application/json")
		}
		if etag != "" {
			h.Set("If-Match", etag)
		}
		req := httpx.Request{Method: method, URL: u, Header: h, Body: body}
		resp, err := c.caller.Do(ctx, req, describe)
		if err != nil {
			return err
		}
		_, msg := describe(resp.Body)
		switch {
		case resp.Status >= 200 && resp.Status < 300:
			return nil
		case resp.Status == http.StatusForbidden && strings.EqualFold(resp.Header.Get("X-CSRF-Token"), "Required") && try == 0:
			continue // the token expired with the session: fetch it again, once
		case resp.Status == http.StatusPreconditionFailed:
			return c.conflict(a, "sales order "+a.OrderID+" changed in SAP since it was read (412); investigate it again")
		case resp.Status == http.StatusPreconditionRequired:
			return c.conflict(a, "SAP requires If-Match for sales order "+a.OrderID+" (428)")
		case resp.Status == http.StatusNotFound:
			return c.caller.Fail(req, resp, describe, connectors.NotFound("order", a.OrderID))
		case resp.Status == http.StatusConflict:
			return c.conflict(a, msg)
		case resp.Status >= 400 && resp.Status < 500 && resp.Status != http.StatusUnauthorized && resp.Status != http.StatusForbidden:
			return c.refuse(a, "SAP: "+msg)
		default:
			return c.caller.Fail(req, resp, describe, nil)
		}
	}
}

// token returns the CSRF token, fetching it (GET the service document with
// X-CSRF-Token: Fetch) when there is none or refresh is set.
func (c *Client) token(ctx context.Context, service string, refresh bool) (string, error) {
	c.csrfMu.Lock()
	defer c.csrfMu.Unlock()
	if c.csrf != "" && !refresh {
		return c.csrf, nil
	}
	h := c.header()
	h.Set("X-CSRF-Token", "Fetch")
	req := httpx.Request{Method: http.MethodGet, URL: c.url(service, "", nil), Header: h, Retry: true}
	resp, err := c.caller.Do(ctx, req, describe)
	if err != nil {
		return "", err
	}
	tok := resp.Header.Get("X-CSRF-Token")
	if resp.Status != http.StatusOK || tok == "" || strings.EqualFold(tok, "Required") {
		return "", c.caller.Fail(req, resp, describe, errors.New("SAP gave no CSRF token"))
	}
	c.csrf = tok
	return tok, nil
}
