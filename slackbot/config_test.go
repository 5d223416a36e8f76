package slackbot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

type fakeGroups map[string][]string

func (f fakeGroups) GetUserGroupMembersContext(_ context.Context, g string) ([]string, error) {
	if m, ok := f[g]; ok {
		return m, nil
	}
	return nil, errors.New("no such group")
}

func TestAuthorizer(t *testing.T) {
	cfg, err := ParseConfig([]byte(`
roles:
  finance_supervisor:
    users: [U0SUP]
    groups: [S0FIN]
  finance_director: [U0DIR, finance_supervisor]
  cfo:
    users: [U0CFO]
    includes: [finance_director]
  compliance_officer:
    groups: [S0MISSING]
`))
	if err != nil {
		t.Fatal(err)
	}
	a := NewAuthorizer(cfg, fakeGroups{"S0FIN": {"U0GRP"}}, 0)
	tests := []struct {
		user, role string
		want       bool
		wantErr    bool
	}{
		{"U0SUP", "finance_supervisor", true, false},
		{"U0GRP", "finance_supervisor", true, false},
		{"U0DIR", "finance_supervisor", true, false}, // director includes supervisor
		{"U0CFO", "finance_supervisor", true, false}, // transitively
		{"U0SUP", "finance_director", false, false},  // not the other way round
		{"U0DIR", "finance_director", true, false},
		{"U0SUP", "logistics_supervisor", false, false},
		{"U0ANY", "compliance_officer", false, true}, // group lookup fails: closed
		{"", "finance_supervisor", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.user+"→"+tc.role, func(t *testing.T) {
			got, err := a.Allowed(context.Background(), tc.user, tc.role)
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Fatalf("Allowed = %v, %v; want %v (error %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
	if g := cfg.Grantors("finance_supervisor"); !slices.Equal(g, []string{"finance_supervisor", "cfo", "finance_director"}) {
		t.Fatalf("Grantors = %v", g)
	}
}

func TestParseConfigRejects(t *testing.T) {
	tests := []struct{ name, src string }{
		{"unknown top-level key", "chanels: {default: C1}"},
		{"bad user id", "roles: {planner: {users: [bob]}}"},
		{"bad group id", "roles: {planner: {groups: [U1]}}"},
		{"unknown include", "roles: {planner: {includes: [nobody]}}"},
		{"unknown role field", "roles: {planner: {members: [U1]}}"},
		{"empty channel", "channels: {default: ''}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseConfig([]byte(tc.src)); !errors.Is(err, ErrConfig) && err == nil {
				t.Fatalf("accepted %q", tc.src)
			}
		})
	}
}

func TestChannelRouting(t *testing.T) {
	cfg, _ := ParseConfig([]byte("channels: {default: C0ALL, credit_hold: C0FIN}"))
	for class, want := range map[string]string{"credit_hold": "C0FIN", "inventory_shortage": "C0ALL"} {
		if got, _ := cfg.Channel(class); got != want {
			t.Errorf("Channel(%s) = %s, want %s", class, got, want)
		}
	}
	if _, ok := (&Config{}).Channel("credit_hold"); ok {
		t.Error("a channel without config")
	}
}

// The in-process Redis refuses clients without its password.
func TestInProcessRedisNeedsItsPassword(t *testing.T) {
	ctx := context.Background()
	c, closeFn, err := OpenRedis(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("exdesk's own client: %v", err)
	}
	stranger := redis.NewClient(&redis.Options{Addr: c.Options().Addr})
	defer stranger.Close()
	if err := stranger.Set(ctx, "k", "v", 0).Err(); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Fatalf("a client without the password wrote: %v", err)
	}
	if !strings.HasPrefix(c.Options().Addr, "127.0.0.1:") {
		t.Fatalf("listens on %s, not loopback", c.Options().Addr)
	}
}

func TestRolesOf(t *testing.T) {
	cfg, err := ParseConfig([]byte(`
roles:
  finance_supervisor:
    users: [U0SUP]
    groups: [S0FIN]
  finance_director: [U0DIR, finance_supervisor]
  planner: [U0PLAN]
`))
	if err != nil {
		t.Fatal(err)
	}
	a := NewAuthorizer(cfg, fakeGroups{"S0FIN": {"U0GRP"}}, 0)
	tests := []struct {
		user string
		want []string
	}{
		{"U0DIR", []string{"finance_director", "finance_supervisor"}},
		{"U0SUP", []string{"finance_supervisor"}},
		{"U0GRP", []string{"finance_supervisor"}},
		{"U0PLAN", []string{"planner"}},
		{"U0NOBODY", nil},
		{"", nil},
	}
	for _, tc := range tests {
		got, err := a.RolesOf(context.Background(), tc.user)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("RolesOf(%s) = %v, %v; want %v", tc.user, got, err, tc.want)
		}
	}
}
