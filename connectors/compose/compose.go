package compose

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/connectors/rest"
	"github.com/exdesk/exdesk/connectors/sap"
	"github.com/exdesk/exdesk/connectors/sim"
)

// Source kinds.
const (
	KindSim      = "sim"
	KindRecorded = "recorded"
	KindREST     = "rest"
	KindSAP      = "sap"
)

// Systems a per-system spec names.
const (
	SysERP       = "erp"
	SysInventory = "inventory"
	SysCarriers  = "carriers"
	SysTasks     = "tasks"
	SysERPExtra  = "erp-extra"
)

// Source is where one system's data comes from.
type Source struct {
	Kind string // sim, recorded, rest, sap
	Arg  string // the path or URL
}

func (s Source) String() string {
	if s.Kind == KindSim {
		return KindSim
	}
	return s.Kind + ":" + s.Arg
}

// Spec is a parsed --connectors value.
type Spec struct {
	ERP, Inventory, Carriers, Tasks Source
	// ERPExtra, when set, supplies what an SAP ERP does not hold.
	ERPExtra *Source
	// Single is true when one source serves every system.
	Single bool
}

// Parse reads a --connectors value. "" is sim.
func Parse(spec string) (Spec, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		spec = KindSim
	}
	if !strings.Contains(strings.SplitN(spec, ":", 2)[0], "=") {
		src, err := parseSource(spec)
		if err != nil {
			return Spec{}, err
		}
		if src.Kind == KindSAP {
			return Spec{}, fmt.Errorf("connectors %q: SAP serves the ERP only; name the other systems too, e.g. erp=%s,inventory=rest:https://…,carriers=rest:https://…", spec, src)
		}
		return Spec{ERP: src, Inventory: src, Carriers: src, Tasks: src, Single: true}, nil
	}
	var s Spec
	seen := map[string]bool{}
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		sys, val, ok := strings.Cut(part, "=")
		sys = strings.TrimSpace(sys)
		if !ok || !slices.Contains([]string{SysERP, SysInventory, SysCarriers, SysTasks, SysERPExtra}, sys) {
			return Spec{}, fmt.Errorf("connectors: %q is not system=source (systems: erp, inventory, carriers, tasks, erp-extra)", part)
		}
		if seen[sys] {
			return Spec{}, fmt.Errorf("connectors: %s is named twice", sys)
		}
		seen[sys] = true
		src, err := parseSource(strings.TrimSpace(val))
		if err != nil {
			return Spec{}, fmt.Errorf("connectors: %s: %w", sys, err)
		}
		if src.Kind == KindSAP && sys != SysERP {
			return Spec{}, fmt.Errorf("connectors: %s=%s: the SAP adapter serves the erp only", sys, src)
		}
		switch sys {
		case SysERP:
			s.ERP = src
		case SysInventory:
			s.Inventory = src
		case SysCarriers:
			s.Carriers = src
		case SysTasks:
			s.Tasks = src
		case SysERPExtra:
			s.ERPExtra = &src
		}
	}
	for sys, ok := range map[string]bool{SysERP: seen[SysERP], SysInventory: seen[SysInventory], SysCarriers: seen[SysCarriers]} {
		if !ok {
			return Spec{}, fmt.Errorf("connectors: %q names no %s source (erp, inventory and carriers are required)", spec, sys)
		}
	}
	if !seen[SysTasks] {
		s.Tasks = s.ERP
		if s.ERP.Kind == KindSAP {
			return Spec{}, fmt.Errorf("connectors: the SAP adapter does not open tasks; name tasks=rest:URL (or another source)")
		}
	}
	if s.ERPExtra != nil && s.ERP.Kind != KindSAP {
		return Spec{}, fmt.Errorf("connectors: erp-extra completes an SAP ERP; the erp here is %s", s.ERP)
	}
	return s, nil
}

func parseSource(s string) (Source, error) {
	if s == KindSim {
		return Source{Kind: KindSim}, nil
	}
	kind, arg, ok := strings.Cut(s, ":")
	if !ok || arg == "" {
		return Source{}, fmt.Errorf("source %q: use sim, recorded:PATH, rest:URL or sap:URL", s)
	}
	switch kind {
	case KindRecorded:
		return Source{Kind: kind, Arg: arg}, nil
	case KindREST, KindSAP:
		u, err := url.Parse(arg)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Source{}, fmt.Errorf("source %q: %s needs an http(s) URL", s, kind)
		}
		if u.User != nil {
			return Source{}, fmt.Errorf("source %s:%s://%s…: credentials never go in the URL; use EXDESK_<SYSTEM>_TOKEN or the other variables", kind, u.Scheme, u.Host)
		}
		return Source{Kind: kind, Arg: arg}, nil
	}
	return Source{}, fmt.Errorf("source %q: unknown kind %q (sim, recorded, rest, sap)", s, kind)
}

// Options configures Open.
type Options struct {
	// Getenv looks up secrets and SAP customising; nil looks up nothing.
	Getenv func(string) string
	// Seed and Orders configure a sim source.
	Seed   int64
	Orders int
	// REST is the template of every rest client (timeouts, retries…);
	// System, Token and HTTPClient are set per system.
	REST rest.Options
	// CaseTimeout is the per-case deadline of reads when any source is
	// remote (rest, sap); 0 means one minute.
	CaseTimeout time.Duration
	// Transport, when set, carries every remote request (tests); nil
	// shares one tuned transport among all clients.
	Transport http.RoundTripper
}

// Set is what Open opened.
type Set struct {
	Spec    Spec
	Systems connectors.Systems
	// Sim is the simulated distributor when a source is sim (the demo
	// drives its events; workers replay the stream into it).
	Sim *sim.Sim
	// Warnings say what the caller should log (no secrets in them).
	Warnings []string
}

// Open parses spec and opens its sources. Two systems naming the same
// sim or recorded source share one connector, so an action executed
// through one is seen by the other.
func Open(ctx context.Context, spec string, opts Options) (*Set, error) {
	s, err := Parse(spec)
	if err != nil {
		return nil, err
	}
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	if opts.Transport == nil {
		opts.Transport = rest.NewTransport()
	}
	o := &opener{ctx: ctx, opts: opts, local: map[string]*recorded.Connector{}}
	set := &Set{Spec: s}
	if s.ERPExtra != nil {
		extra, err := o.open(SysERPExtra, *s.ERPExtra)
		if err != nil {
			return nil, err
		}
		o.extra = extra.(connectors.ERP)
	}
	erp, err := o.open(SysERP, s.ERP)
	if err != nil {
		return nil, err
	}
	inv, err := o.open(SysInventory, s.Inventory)
	if err != nil {
		return nil, err
	}
	car, err := o.open(SysCarriers, s.Carriers)
	if err != nil {
		return nil, err
	}
	tasks, err := o.open(SysTasks, s.Tasks)
	if err != nil {
		return nil, err
	}
	if s.ERP.Kind == KindSAP && s.ERPExtra == nil {
		set.Warnings = append(set.Warnings, "erp=sap without erp-extra: SAP's credit master data holds the credit limit and block, "+
			"not open AR, past-due amounts or customers' documents, and no contract prices are read; they read as zero or none. "+
			"Name erp-extra=rest:URL to supply them before letting the guard release credit holds automatically.")
	}
	set.Sim = o.sim
	sys := connectors.Systems{
		ERP:       erp.(connectors.ERP),
		Inventory: asInventory(inv),
		Carriers:  asCarriers(car),
		Clock:     clockOf(erp),
	}
	if sys.Inventory == nil || sys.Carriers == nil {
		return nil, errors.New("connectors: the inventory and carriers sources must serve inventory and carriers")
	}
	sys.Executor = route(map[string]connectors.Executor{
		"erp": erp.(connectors.Executor), "inventory": inv.(connectors.Executor), "carrier": car.(connectors.Executor), "tasks": tasks.(connectors.Executor),
	})
	if o.remote {
		sys.CaseTimeout = opts.CaseTimeout
		if sys.CaseTimeout <= 0 {
			sys.CaseTimeout = time.Minute
		}
	}
	set.Systems = sys
	return set, nil
}

func asInventory(x any) connectors.Inventory { i, _ := x.(connectors.Inventory); return i }
func asCarriers(x any) connectors.Carriers   { c, _ := x.(connectors.Carriers); return c }

func clockOf(x any) connectors.Clock {
	if c, ok := x.(connectors.Clock); ok {
		return c
	}
	return localClock{}
}

type localClock struct{}

func (localClock) Now() time.Time { return time.Now() }

type opener struct {
	ctx    context.Context
	opts   Options
	local  map[string]*recorded.Connector
	sim    *sim.Sim
	extra  connectors.ERP
	remote bool
}

// envName is the SYSTEM part of EXDESK_<SYSTEM>_….
func envName(system string) string {
	return strings.ToUpper(strings.ReplaceAll(system, "-", "_"))
}

func (o *opener) open(system string, src Source) (any, error) {
	switch src.Kind {
	case KindSim:
		if o.sim == nil {
			o.sim = sim.New(sim.Options{Seed: o.opts.Seed, Orders: o.opts.Orders})
			o.sim.ApplyAll()
		}
		return o.sim.Connector(), nil
	case KindRecorded:
		if c, ok := o.local[src.Arg]; ok {
			return c, nil
		}
		c, err := recorded.Load(src.Arg)
		if err != nil {
			return nil, err
		}
		o.local[src.Arg] = c
		return c, nil
	case KindREST:
		o.remote = true
		hc, token, err := o.auth(system)
		if err != nil {
			return nil, err
		}
		ro := o.opts.REST
		ro.System, ro.Token, ro.HTTPClient = system, token, hc
		if system == SysCarriers {
			ro.System = "carriers"
		}
		return rest.New(src.Arg, ro)
	case KindSAP:
		o.remote = true
		return o.openSAP(src)
	}
	return nil, fmt.Errorf("connectors: unknown source %s", src)
}

// HTTPClient returns the HTTP client and static bearer token of one
// system (erp, inventory, carriers, tasks, erp-extra) from opts.Getenv:
// EXDESK_<SYSTEM>_TOKEN, or OAuth 2.0 client credentials (not both).
func HTTPClient(ctx context.Context, system string, opts Options) (*http.Client, string, error) {
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	if opts.Transport == nil {
		opts.Transport = rest.NewTransport()
	}
	return (&opener{ctx: ctx, opts: opts}).auth(system)
}

// auth returns the HTTP client and static token of a system from the
// lookup: a token, or OAuth 2.0 client credentials (not both).
func (o *opener) auth(system string) (*http.Client, string, error) {
	p := "EXDESK_" + envName(system) + "_"
	get := func(k string) string { return strings.TrimSpace(o.opts.Getenv(p + k)) }
	token, id := get("TOKEN"), get("CLIENT_ID")
	base := &http.Client{Transport: o.opts.Transport}
	switch {
	case token != "" && id != "":
		return nil, "", fmt.Errorf("connectors: %s: set %sTOKEN or %sCLIENT_ID, not both", system, p, p)
	case id == "":
		return base, token, nil
	}
	secret, tokenURL := get("CLIENT_SECRET"), get("TOKEN_URL")
	if secret == "" || tokenURL == "" {
		return nil, "", fmt.Errorf("connectors: %s: %sCLIENT_ID needs %sCLIENT_SECRET and %sTOKEN_URL", system, p, p, p)
	}
	if u, err := url.Parse(tokenURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, "", fmt.Errorf("connectors: %s: %sTOKEN_URL is not an http(s) URL", system, p)
	}
	cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: tokenURL, Scopes: strings.Fields(strings.ReplaceAll(get("SCOPES"), ",", " "))}
	// Token requests use the same transport with a timeout; the context
	// lives as long as the process, since the source refreshes tokens.
	tctx := context.WithValue(context.WithoutCancel(o.ctx), oauth2.HTTPClient, &http.Client{Transport: o.opts.Transport, Timeout: 10 * time.Second})
	return &http.Client{Transport: &oauth2.Transport{Source: cc.TokenSource(tctx), Base: o.opts.Transport}}, "", nil
}

func (o *opener) openSAP(src Source) (*sap.Client, error) {
	get := func(k string) string { return strings.TrimSpace(o.opts.Getenv(k)) }
	hc, token, err := o.auth(SysERP)
	if err != nil {
		return nil, err
	}
	so := sap.Options{HTTPClient: hc, Token: token, User: get("EXDESK_ERP_USER"), Password: o.opts.Getenv("EXDESK_ERP_PASSWORD"),
		SAPClient: get("EXDESK_SAP_CLIENT"), CreditSegment: get("EXDESK_SAP_CREDIT_SEGMENT"),
		RequestTimeout: o.opts.REST.RequestTimeout, Attempts: o.opts.REST.Attempts, MaxBodyBytes: o.opts.REST.MaxBodyBytes,
		BreakAfter: o.opts.REST.BreakAfter, BreakFor: o.opts.REST.BreakFor, Extra: o.extra}
	if (so.User == "") != (so.Password == "") {
		return nil, errors.New("connectors: erp=sap: set both EXDESK_ERP_USER and EXDESK_ERP_PASSWORD, or neither")
	}
	if so.User != "" && (token != "" || get("EXDESK_ERP_CLIENT_ID") != "") {
		return nil, errors.New("connectors: erp=sap: use basic authentication (EXDESK_ERP_USER) or a token, not both")
	}
	if so.Holds, err = sap.ParseHolds(get("EXDESK_SAP_HOLDS")); err != nil {
		return nil, fmt.Errorf("connectors: EXDESK_SAP_HOLDS: %w", err)
	}
	if v := get("EXDESK_SAP_TIERS"); v != "" {
		if so.Tiers, err = sap.ParseMap(v); err != nil {
			return nil, fmt.Errorf("connectors: EXDESK_SAP_TIERS: %w", err)
		}
	}
	if v := get("EXDESK_SAP_REGIONS"); v != "" {
		if so.Regions, err = sap.ParseMap(v); err != nil {
			return nil, fmt.Errorf("connectors: EXDESK_SAP_REGIONS: %w", err)
		}
	}
	so.Plants = strings.FieldsFunc(get("EXDESK_SAP_PLANTS"), func(r rune) bool { return r == ',' || r == ' ' })
	return sap.New(src.Arg, so)
}

// route sends each action to the executor of the system that owns it. When
// every system has the same executor, it is returned as is (keeping what
// else it implements, such as an execution lookup).
func route(by map[string]connectors.Executor) connectors.Executor {
	first := by["erp"]
	same := true
	for _, e := range by {
		same = same && e == first
	}
	if same {
		return first
	}
	return &router{by: by}
}

type router struct {
	by map[string]connectors.Executor
}

func (r *router) Execute(ctx context.Context, a connectors.Action) (connectors.Execution, error) {
	spec, ok := connectors.LookupAction(a.Type)
	if !ok {
		return connectors.Execution{}, &connectors.ActionError{System: "exdesk", ActionID: a.ID, Code: connectors.CodeInvalid,
			Message: fmt.Sprintf("unknown action type %q", a.Type)}
	}
	e, ok := r.by[spec.System]
	if !ok || e == nil {
		return connectors.Execution{}, fmt.Errorf("connectors: no system executes %s actions (%s)", spec.System, a.Type)
	}
	return e.Execute(ctx, a)
}
