package compose_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/exdesk/exdesk/connectors"
	"github.com/exdesk/exdesk/connectors/compose"
	"github.com/exdesk/exdesk/connectors/recorded"
	"github.com/exdesk/exdesk/connectors/rest"
)

const example = "../../../shared/evals/examples/compliance-valid-01.json"

func TestParse(t *testing.T) {
	tests := []struct {
		spec    string
		want    string // ERP|Inventory|Carriers|Tasks|Extra
		wantErr string
	}{
		{"", "sim|sim|sim|sim|", ""},
		{"sim", "sim|sim|sim|sim|", ""},
		{"recorded:../x", "recorded:../x|recorded:../x|recorded:../x|recorded:../x|", ""},
		{"rest:https://mw.example.com/exdesk?x=1", "rest:https://mw.example.com/exdesk?x=1|rest:https://mw.example.com/exdesk?x=1|rest:https://mw.example.com/exdesk?x=1|rest:https://mw.example.com/exdesk?x=1|", ""},
		{"erp=sap:https://s4.example.com?sap-client=100, inventory=rest:https://wms.example.com,carriers=rest:https://tms.example.com,tasks=rest:https://mw.example.com",
			"sap:https://s4.example.com?sap-client=100|rest:https://wms.example.com|rest:https://tms.example.com|rest:https://mw.example.com|", ""},
		{"erp=sap:https://s4,inventory=sim,carriers=sim,tasks=sim,erp-extra=rest:https://mw", "sap:https://s4|sim|sim|sim|rest:https://mw", ""},
		{"erp=rest:https://a,inventory=rest:https://b,carriers=rest:https://c", "rest:https://a|rest:https://b|rest:https://c|rest:https://a|", ""},
		{"sap:https://s4.example.com", "", "SAP serves the ERP only"},
		{"erp=sap:https://s4,inventory=sim,carriers=sim", "", "tasks"},
		{"erp=rest:https://a,inventory=rest:https://b", "", "no carriers source"},
		{"erp=rest:https://a,erp=rest:https://b,inventory=sim,carriers=sim", "", "named twice"},
		{"erp=rest:https://a,inventory=sap:https://b,carriers=sim", "", "erp only"},
		{"erp=rest:https://a,inventory=sim,carriers=sim,erp-extra=rest:https://x", "", "completes an SAP ERP"},
		{"warehouse=rest:https://a", "", "not system=source"},
		{"rest:ftp://x", "", "http(s) URL"},
		{"rest:https://user:pw@host", "", "credentials never go in the URL"},
		{"mongo:x", "", "unknown kind"},
		{"recorded:", "", "use sim"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s, err := compose.Parse(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(tt.spec, "pw@") && strings.Contains(err.Error(), "pw") {
					t.Fatalf("the error repeats a secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			extra := ""
			if s.ERPExtra != nil {
				extra = s.ERPExtra.String()
			}
			if got := strings.Join([]string{s.ERP.String(), s.Inventory.String(), s.Carriers.String(), s.Tasks.String(), extra}, "|"); got != tt.want {
				t.Fatalf("parsed %s, want %s", got, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"sim", "recorded:dir", "rest:https://x", "erp=sap:https://s4,inventory=rest:https://w,carriers=rest:https://t,tasks=sim",
		"erp=,inventory=", "=,=", "erp=sap:https://a?b=c,d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := compose.Parse(spec)
		if err != nil {
			return
		}
		for _, src := range []compose.Source{s.ERP, s.Inventory, s.Carriers, s.Tasks} {
			if src.Kind == "" {
				t.Fatalf("%q parsed with an empty source: %+v", spec, s)
			}
		}
		if s.Inventory.Kind == compose.KindSAP || s.Carriers.Kind == compose.KindSAP {
			t.Fatalf("%q: SAP for a system other than the erp", spec)
		}
	})
}

func TestOpenSimAndRecordedShareOneConnector(t *testing.T) {
	set, err := compose.Open(context.Background(), "sim", compose.Options{Seed: 2, Orders: 60})
	if err != nil {
		t.Fatal(err)
	}
	if set.Sim == nil || set.Systems.CaseTimeout != 0 || set.Systems.Executor != connectors.Executor(set.Sim.Connector()) {
		t.Fatalf("sim: %+v", set)
	}
	if _, err := os.Stat(example); err != nil {
		t.Skip(err)
	}
	set, err = compose.Open(context.Background(), "erp=recorded:"+example+",inventory=recorded:"+example+",carriers=recorded:"+example, compose.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if set.Systems.ERP != set.Systems.Inventory.(connectors.ERP) {
		t.Fatal("the same recorded source must be one connector")
	}
}

// TestOpenRoutesActionsAndSendsSecrets runs four reference servers, one per
// system, and checks each action reaches the system that owns it with that
// system's token.
func TestOpenRoutesActionsAndSendsSecrets(t *testing.T) {
	rec, err := recorded.Load(example)
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[string][]string{} // system → action types
	srv := func(system, token string) *httptest.Server {
		ref := rest.NewServer(rec.Systems(), rest.ServerOptions{Token: token})
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v1/actions" {
				var a struct{ Type string }
				b, _ := readAll(r)
				_ = json.Unmarshal(b, &a)
				mu.Lock()
				got[system] = append(got[system], a.Type)
				mu.Unlock()
			}
			ref.ServeHTTP(w, r)
		}))
		t.Cleanup(s.Close)
		return s
	}
	erp, inv, car, tasks := srv("erp", "t-erp"), srv("inventory", "t-inv"), srv("carriers", "t-car"), srv("tasks", "t-tasks")
	env := map[string]string{"EXDESK_ERP_TOKEN": "t-erp", "EXDESK_INVENTORY_TOKEN": "t-inv", "EXDESK_CARRIERS_TOKEN": "t-car", "EXDESK_TASKS_TOKEN": "t-tasks"}
	spec := "erp=rest:" + erp.URL + ",inventory=rest:" + inv.URL + ",carriers=rest:" + car.URL + ",tasks=rest:" + tasks.URL
	set, err := compose.Open(context.Background(), spec, compose.Options{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	if set.Systems.CaseTimeout <= 0 {
		t.Error("remote systems need a per-case deadline")
	}
	ctx := context.Background()
	for i, a := range []connectors.Action{
		{Type: connectors.ActReleaseHold, OrderID: "SO-10089", Args: connectors.Args{"hold_code": "COMPLIANCE"}},
		{Type: connectors.ActNotifyCustomer, OrderID: "SO-10089", Args: connectors.Args{"message": "on its way"}},
		{Type: connectors.ActAllocateFromSite, OrderID: "SO-10089", Args: connectors.Args{"site": "DC-NOPE", "lines": []int{1}}},
	} {
		a.ID = "p" + string(rune('1'+i))
		_, _ = set.Systems.Executor.Execute(ctx, a)
	}
	want := map[string][]string{"erp": {"release_hold"}, "tasks": {"notify_customer"}, "inventory": {"allocate_from_site"}}
	for sys, types := range want {
		if strings.Join(got[sys], ",") != strings.Join(types, ",") {
			t.Errorf("%s received %v, want %v", sys, got[sys], types)
		}
	}
	if len(got["carriers"]) != 0 {
		t.Errorf("carriers received %v", got["carriers"])
	}
	if _, err := set.Systems.Carriers.Carriers(ctx); err != nil {
		t.Fatalf("the carriers token must reach the carriers system: %v", err)
	}
	// A wrong token is refused by the system, and says so.
	env["EXDESK_INVENTORY_TOKEN"] = "wrong"
	set, _ = compose.Open(context.Background(), spec, compose.Options{Getenv: func(k string) string { return env[k] }})
	if _, err := set.Systems.Inventory.Sites(ctx); err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("want a 401 that does not repeat the token, got %v", err)
	}
}

func TestOAuthClientCredentials(t *testing.T) {
	rec, err := recorded.Load(example)
	if err != nil {
		t.Skip(err)
	}
	var tokenCalls int
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tokenCalls++
		_ = r.ParseForm()
		if r.Form.Get("grant_type") != "client_credentials" {
			http.Error(w, "bad grant", 400)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"oauth-tok","token_type":"Bearer","expires_in":3600}`))
	}))
	defer idp.Close()
	api := httptest.NewServer(rest.NewServer(rec.Systems(), rest.ServerOptions{Token: "oauth-tok"}))
	defer api.Close()
	env := map[string]string{"EXDESK_ERP_CLIENT_ID": "exdesk", "EXDESK_ERP_CLIENT_SECRET": "s", "EXDESK_ERP_TOKEN_URL": idp.URL}
	set, err := compose.Open(context.Background(), "erp=rest:"+api.URL+",inventory=sim,carriers=sim,tasks=sim", compose.Options{
		Getenv: func(k string) string { return env[k] }, Orders: 60})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := set.Systems.ERP.Order(context.Background(), "SO-10089"); err != nil {
			t.Fatal(err)
		}
	}
	if tokenCalls != 1 {
		t.Fatalf("token fetched %d times, want once (reused until it expires)", tokenCalls)
	}
	env["EXDESK_ERP_TOKEN"] = "also"
	if _, err := compose.Open(context.Background(), "erp=rest:"+api.URL+",inventory=sim,carriers=sim,tasks=sim", compose.Options{
		Getenv: func(k string) string { return env[k] }}); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Fatalf("token and client credentials together: %v", err)
	}
}

func readAll(r *http.Request) ([]byte, error) {
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	body := b.String()
	r.Body = http.NoBody
	r.Body = readCloser{strings.NewReader(body)}
	return []byte(body), nil
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }
