package rest

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPI returns the contract exdesk.systems/v1 as an OpenAPI 3.0 document
// (YAML): what a distributor's integration layer implements.
func OpenAPI() []byte { return bytes.Clone(openapiYAML) }

// Contract validates requests and responses against the OpenAPI document.
// Its routing is its own: ids are matched on the escaped path one segment
// at a time, so an id holding %2F stays one segment.
type Contract struct {
	doc    *openapi3.T
	routes []contractRoute
}

type contractRoute struct {
	segments []string // "v1", "orders", "{order_id}"
	route    *routers.Route
}

// LoadContract parses and checks the embedded OpenAPI document.
func LoadContract() (*Contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(openapiYAML)
	if err != nil {
		return nil, fmt.Errorf("rest: openapi.yaml: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("rest: openapi.yaml is not a valid OpenAPI 3.0 document: %w", err)
	}
	c := &Contract{doc: doc}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			c.routes = append(c.routes, contractRoute{
				segments: strings.Split(strings.TrimPrefix(path, "/"), "/"),
				route:    &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op},
			})
		}
	}
	return c, nil
}

// Paths returns the contract's path templates (such as /v1/orders/{order_id}).
func (c *Contract) Paths() []string { return c.doc.Paths.InMatchingOrder() }

// Route finds the operation of method on an escaped path relative to the
// base URL (such as /v1/orders/SO%2F2026%2F0390) and its unescaped path
// parameters.
func (c *Contract) Route(method, escapedPath string) (*routers.Route, map[string]string, error) {
	segs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	methodFound := false
	for _, r := range c.routes {
		params, ok := match(r.segments, segs)
		if !ok {
			continue
		}
		if r.route.Method != method {
			methodFound = true
			continue
		}
		return r.route, params, nil
	}
	if methodFound {
		return nil, nil, fmt.Errorf("%s %s: %w", method, escapedPath, routers.ErrMethodNotAllowed)
	}
	return nil, nil, fmt.Errorf("%s %s: %w", method, escapedPath, routers.ErrPathNotFound)
}

func match(tmpl, segs []string) (map[string]string, bool) {
	if len(tmpl) != len(segs) {
		return nil, false
	}
	params := map[string]string{}
	for i, t := range tmpl {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			v, err := url.PathUnescape(segs[i])
			if err != nil || v == "" {
				return nil, false
			}
			params[t[1:len(t)-1]] = v
			continue
		}
		if t != segs[i] {
			return nil, false
		}
	}
	return params, true
}

func (c *Contract) input(req *http.Request, basePath string) (*openapi3filter.RequestValidationInput, error) {
	path := strings.TrimPrefix(req.URL.EscapedPath(), strings.TrimSuffix(basePath, "/"))
	route, params, err := c.Route(req.Method, path)
	if err != nil {
		return nil, err
	}
	return &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}, nil
}

// ValidateRequest checks a request (its path, query, headers and body)
// against the contract. basePath is the path of the system's base URL, ""
// when the API is served at the root. The request's body is left readable.
func (c *Contract) ValidateRequest(ctx context.Context, req *http.Request, basePath string) error {
	in, err := c.input(req, basePath)
	if err != nil {
		return err
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		body, err = io.ReadAll(req.Body)
		if err != nil {
			return err
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	clone := req.Clone(ctx)
	if body != nil {
		clone.Body = io.NopCloser(bytes.NewReader(body))
	}
	in.Request = clone
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		return fmt.Errorf("request %s %s does not follow the contract: %w", req.Method, req.URL.EscapedPath(), err)
	}
	return nil
}

// ValidateResponse checks a response to req (status, headers, body)
// against the contract.
func (c *Contract) ValidateResponse(ctx context.Context, req *http.Request, basePath string, status int, header http.Header, body []byte) error {
	in, err := c.input(req, basePath)
	if err != nil {
		return err
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		return fmt.Errorf("response %d to %s %s does not follow the contract: %w", status, req.Method, req.URL.EscapedPath(), err)
	}
	return nil
}

// IsRouteError reports whether err says a request matched no operation.
func IsRouteError(err error) bool {
	var re *routers.RouteError
	return errors.As(err, &re)
}
