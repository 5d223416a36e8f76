package console

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/casework"
	"github.com/exdesk/exdesk/kpi"
	"github.com/exdesk/exdesk/queue"
	"github.com/exdesk/exdesk/store"
	"github.com/exdesk/exdesk/tools"
)

var funcs = template.FuncMap{
	"describe": func(a any) string {
		switch v := a.(type) {
		case store.Proposal:
			return agent.Describe(v.Action)
		case *store.Proposal:
			return agent.Describe(v.Action)
		}
		return ""
	},
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "–"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"iso":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"age":   queue.Age,
	"money": func(x float64) string { return fmt.Sprintf("$%.2f", x) },
	"pct":   func(x float64) string { return fmt.Sprintf("%.0f%%", 100*x) },
	"label": func(s string) string { return strings.ReplaceAll(s, "_", " ") },
	"join":  strings.Join,
}

// page is what every page's layout reads.
type page struct {
	Title string
	Nav   string
	User  string
	Name  string
	Roles []string
	CSRF  string
}

func (c *Console) page(ctx context.Context, s *session, title, nav string) page {
	roles, err := c.roles.RolesOf(ctx, s.User)
	if err != nil {
		c.log.Warn("roles not fully resolved", "user", s.User, "err", err)
	}
	return page{Title: title, Nav: nav, User: s.User, Name: s.Name, Roles: roles, CSRF: s.CSRF}
}

// filterOf reads the queue's filters from the query; "mine" keeps what
// waits on the signed-in user's roles.
func filterOf(q url.Values, roles []string) queue.Filter {
	f := queue.Filter{Class: q.Get("class"), Status: q.Get("status"), Role: q.Get("role"), Site: q.Get("site"),
		Customer: strings.TrimSpace(q.Get("customer"))}
	if q.Get("mine") != "" {
		f.WaitingOn = roles
		if f.WaitingOn == nil {
			f.WaitingOn = []string{}
		}
	}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		f.Limit = min(n, 1000)
	}
	return f
}

type queuePage struct {
	page
	Items   []queue.Item
	Filter  queue.Filter
	Mine    bool
	Classes []string
	Sites   []string
	AllRole []string
	Took    time.Duration
}

func (c *Console) queuePage(w http.ResponseWriter, r *http.Request, s *session) {
	began := time.Now()
	p := c.page(r.Context(), s, "Queue", "queue")
	f := filterOf(r.URL.Query(), p.Roles)
	all, err := queue.Rank(r.Context(), c.st, queue.Filter{}, queue.Options{Now: c.now, Today: c.today})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	data := queuePage{page: p, Filter: f, Mine: r.URL.Query().Get("mine") != ""}
	for _, it := range all {
		if f.Keeps(&it) {
			data.Items = append(data.Items, it)
		}
		data.Classes = appendNew(data.Classes, it.Case.Class)
		data.Sites = appendNew(data.Sites, it.Site)
		for _, role := range it.Roles {
			data.AllRole = appendNew(data.AllRole, role)
		}
	}
	if f.Limit > 0 && len(data.Items) > f.Limit {
		data.Items = data.Items[:f.Limit]
	}
	slices.Sort(data.Classes)
	slices.Sort(data.Sites)
	slices.Sort(data.AllRole)
	data.Took = time.Since(began).Round(time.Microsecond)
	c.render(w, r, "queue", data)
}

func appendNew(ss []string, s string) []string {
	if s == "" || slices.Contains(ss, s) {
		return ss
	}
	return append(ss, s)
}

// queueItem is an item as JSON shows it.
type queueItem struct {
	CaseID       string   `json:"case_id"`
	OrderID      string   `json:"order_id"`
	Class        string   `json:"class"`
	Status       string   `json:"status"`
	CustomerID   string   `json:"customer_id"`
	Customer     string   `json:"customer"`
	Site         string   `json:"site"`
	PromisedDate string   `json:"promised_date,omitempty"`
	Priority     float64  `json:"priority"`
	Why          string   `json:"why"`
	WaitingOn    []string `json:"waiting_on"`
}

func (c *Console) queueJSON(w http.ResponseWriter, r *http.Request, s *session) {
	roles, _ := c.roles.RolesOf(r.Context(), s.User)
	items, err := queue.Rank(r.Context(), c.st, filterOf(r.URL.Query(), roles), queue.Options{Now: c.now, Today: c.today})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	out := make([]queueItem, 0, len(items))
	for _, it := range items {
		out = append(out, queueItem{CaseID: it.Case.ID, OrderID: it.Case.OrderID, Class: it.Case.Class, Status: it.Status,
			CustomerID: it.Case.CustomerID, Customer: it.CustomerName, Site: it.Site, PromisedDate: it.PromisedDate,
			Priority: it.Priority, Why: it.Why(), WaitingOn: it.Roles})
	}
	writeJSON(w, map[string]any{"roles": roles, "cases": out})
}

// The case page.

type casePage struct {
	page
	V          *casework.CaseView
	C          *agent.Case
	Actions    []actionRow
	Superseded []historyRow
	Facts      []factRow
	Audit      []auditRow
	AuditOK    bool
	Chain      string
	ChainOK    bool
	Similar    []tools.PastCase
	SimilarErr string
	SlackLink  string
	Flash      string
	FlashKind  string
	Took       time.Duration
}

type actionRow struct {
	casework.ActionView
	Describe  string
	CanDecide bool
	Pending   bool
	History   []historyEntry
}

type historyRow struct {
	Proposal store.Proposal
	History  []historyEntry
}

type historyEntry struct {
	At      time.Time
	What    string
	Actor   string
	Rule    string
	Outcome string
}

type factRow struct {
	agent.Fact
	Call *tools.Call
	Args string
}

type auditRow struct {
	store.AuditEntry
	OK bool
}

var (
	channelRE = regexp.MustCompile(`^[CDG][A-Z0-9]{2,20}$`)
	tsRE      = regexp.MustCompile(`^[0-9]{6,12}\.[0-9]{1,8}$`)
)

// flashes are the messages a decision's redirect may show, by its kind:
// fixed text, so a crafted link cannot put words on the page.
var flashes = map[string]string{
	string(casework.Executed):       "Approved, re-checked on fresh data, and executed.",
	string(casework.NotExecuted):    "Approved, but not executed: the action shows why.",
	string(casework.Rejected):       "Rejected. The thread and the audit trail record your reason.",
	string(casework.Denied):         "You do not hold the role this action needs; nothing changed. The attempt is in the audit trail.",
	string(casework.AlreadyDecided): "Someone decided this first; nothing was done twice.",
	string(casework.Superseded):     "On fresh data this action needs another role; it was proposed again for that role.",
	string(casework.Refused):        "On fresh data the guard refuses this action; nothing ran.",
	string(casework.NotApprovable):  "This action does not take a person's decision.",
	string(casework.Unknown):        "No such proposal.",
	"reason":                        "A rejection needs a reason.",
}

func (c *Console) casePage(w http.ResponseWriter, r *http.Request, s *session) {
	began := time.Now()
	ctx := r.Context()
	id := r.PathValue("id")
	v, err := c.desk.View(ctx, id)
	if err != nil {
		if isNotFound(err) {
			http.NotFound(w, r)
			return
		}
		c.fail(w, r, err)
		return
	}
	data := casePage{page: c.page(ctx, s, v.Record.OrderID+" · "+v.Record.Class, "case"), V: v, C: v.Case}
	if k := r.URL.Query().Get("done"); flashes[k] != "" {
		data.Flash, data.FlashKind = flashes[k], k
	}
	trail, err := c.st.AuditTrail(ctx, id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	// The store verifies the keyed chain (HMAC under the audit key, which
	// the console never holds): an entry is verified when the whole chain
	// is intact, or when it comes before the first break.
	var brk *store.AuditBreak
	data.ChainOK, data.Chain, brk = c.verifyChain(ctx)
	data.AuditOK = true
	for _, e := range trail {
		ok := data.ChainOK || (brk != nil && e.Seq < brk.Seq)
		data.AuditOK = data.AuditOK && ok
		data.Audit = append(data.Audit, auditRow{AuditEntry: e, OK: ok})
	}
	history := func(p store.Proposal) []historyEntry {
		hs := []historyEntry{{At: p.CreatedAt, What: "proposed", Actor: "exdesk", Rule: p.Rule, Outcome: p.Outcome}}
		for _, e := range trail {
			if e.ProposalID == p.ID {
				hs = append(hs, historyEntry{At: e.At, What: e.Kind, Actor: e.Actor, Rule: e.Rule, Outcome: e.Outcome})
			}
		}
		return hs
	}
	for _, a := range v.Actions {
		row := actionRow{ActionView: a, Describe: agent.Describe(a.Action), Pending: a.Pending()}
		if a.Stored != nil {
			row.History = history(*a.Stored)
			if row.Pending {
				row.CanDecide = slices.Contains(data.Roles, a.Stored.Role)
			}
		}
		data.Actions = append(data.Actions, row)
	}
	for _, p := range v.Superseded {
		data.Superseded = append(data.Superseded, historyRow{Proposal: p, History: history(p)})
	}
	calls := map[string]*tools.Call{}
	for i := range v.Case.Calls {
		calls[v.Case.Calls[i].ID] = &v.Case.Calls[i]
	}
	for _, f := range v.Case.Facts {
		fr := factRow{Fact: f, Call: calls[f.Source]}
		if fr.Call != nil {
			fr.Args = string(fr.Call.Args)
		}
		data.Facts = append(data.Facts, fr)
	}
	if evs, err := c.st.ListCaseEvents(ctx, id); err == nil {
		for _, e := range evs {
			if e.Kind != "slack.thread" {
				continue
			}
			var th struct {
				Channel string `json:"channel"`
				TS      string `json:"ts"`
			}
			if jsonUnmarshal(e.Data, &th) == nil && channelRE.MatchString(th.Channel) && tsRE.MatchString(th.TS) {
				data.SlackLink = c.slack + "/archives/" + th.Channel + "/p" + strings.ReplaceAll(th.TS, ".", "")
			}
		}
	}
	if c.similar != nil {
		sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		sim, err := c.similar(sctx, v.Case)
		cancel()
		if err != nil {
			data.SimilarErr = "Similar cases could not be read just now."
			c.log.Warn("similar cases not read", "case", id, "err", err)
		}
		for _, pc := range sim {
			if pc.CaseID != id {
				data.Similar = append(data.Similar, pc)
			}
		}
	}
	data.Took = time.Since(began).Round(time.Microsecond)
	c.render(w, r, "case", data)
}

// verifyChain verifies the whole audit chain, at most every 30 seconds.
func (c *Console) verifyChain(ctx context.Context) (bool, string, *store.AuditBreak) {
	c.chainMu.Lock()
	defer c.chainMu.Unlock()
	if c.chain.at.IsZero() || c.now().Sub(c.chain.at) > 30*time.Second {
		began := time.Now()
		brk, err := c.st.VerifyAudit(ctx)
		c.chain = chainCheck{at: c.now(), brk: brk, err: err, rows: time.Since(began)}
	}
	switch {
	case c.chain.err != nil:
		return false, "The audit chain could not be verified: " + c.chain.err.Error(), nil
	case c.chain.brk != nil:
		return false, "The audit chain is broken: " + c.chain.brk.String(), c.chain.brk
	}
	return true, fmt.Sprintf("The whole audit chain was verified intact at %s (in %s).", c.chain.at.UTC().Format("15:04:05 UTC"), c.chain.rows.Round(time.Microsecond)), nil
}

// decide is an approval or a rejection from the case page: the same
// lifecycle as a Slack click (casework.Desk), with the signed-in user as
// the approver and their roles from the shared role check.
func (c *Console) decide(w http.ResponseWriter, r *http.Request, s *session) {
	ctx := r.Context()
	caseID, pid, verb := r.PathValue("id"), r.PathValue("pid"), r.PathValue("verb")
	back := "/cases/" + url.PathEscape(caseID)
	if verb != "approve" && verb != "reject" {
		http.NotFound(w, r)
		return
	}
	p, err := c.desk.Proposal(ctx, pid)
	if err != nil || p.CaseID != caseID {
		http.Redirect(w, r, back+"?done="+string(casework.Unknown), http.StatusSeeOther)
		return
	}
	who := casework.Approver{
		Actor: casework.Actor{ID: s.User, Surface: "console", Team: s.Team},
		Holds: func(ctx context.Context, role string) (bool, error) {
			ok, err := c.roles.Allowed(ctx, s.User, role)
			if err != nil {
				c.log.Error("role check failed; denying", "user", s.User, "role", role, "err", err)
			}
			return ok, err
		},
	}
	var res casework.Result
	if verb == "approve" {
		res, err = c.desk.Approve(ctx, pid, who)
	} else {
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		if reason == "" || len(reason) > 500 {
			http.Redirect(w, r, back+"?done=reason#p-"+url.PathEscape(pid), http.StatusSeeOther)
			return
		}
		res, err = c.desk.Reject(ctx, pid, who, reason)
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.log.Info("console decision", "user", s.User, "proposal", pid, "verb", verb, "result", res.Kind)
	http.Redirect(w, r, back+"?done="+url.QueryEscape(string(res.Kind))+"#p-"+url.PathEscape(pid), http.StatusSeeOther)
}

// KPIs.

// windowOf reads ?window= (1d, 7d, 30d, or hours like 12h; default 7d).
func windowOf(s string) (time.Duration, string) {
	switch {
	case s == "":
		return 7 * 24 * time.Hour, "7d"
	case strings.HasSuffix(s, "d"):
		if n, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil && n > 0 && n <= 366 {
			return time.Duration(n) * 24 * time.Hour, s
		}
	default:
		if d, err := time.ParseDuration(s); err == nil && d > 0 && d <= 366*24*time.Hour {
			return d, s
		}
	}
	return 7 * 24 * time.Hour, "7d"
}

type kpiPage struct {
	page
	Window string
	Body   template.HTML
	Took   time.Duration
}

func (c *Console) report(r *http.Request) (*kpi.Report, string, error) {
	d, label := windowOf(r.URL.Query().Get("window"))
	until := c.now()
	rep, err := kpi.Compute(r.Context(), c.st, until.Add(-d), until)
	return rep, label, err
}

func (c *Console) kpiPage(w http.ResponseWriter, r *http.Request, s *session) {
	began := time.Now()
	rep, label, err := c.report(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	body, err := kpi.Fragment(rep)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, "kpi", kpiPage{page: c.page(r.Context(), s, "KPIs", "kpi"), Window: label, Body: body, Took: time.Since(began).Round(time.Microsecond)})
}

func (c *Console) kpiJSON(w http.ResponseWriter, r *http.Request, _ *session) {
	rep, _, err := c.report(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	writeJSON(w, rep)
}
