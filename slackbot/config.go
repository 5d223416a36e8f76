package slackbot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the Slack routing and authority file (EXDESK_CONFIG), YAML:
//
//	channels:                 # where detected cases are posted, by class
//	  default: C0EXCEPTIONS   # required unless every class is listed
//	  credit_hold: C0FINANCE
//	  compliance_hold: C0COMPLIANCE
//	roles:                    # who holds the roles the policy names
//	  finance_supervisor:
//	    users: [U012AB3CD]    # Slack user ids
//	    groups: [S0FINSUP]    # Slack user-group ids (members resolved via usergroups.users.list)
//	  finance_director:
//	    users: [U045EF6GH]
//	    includes: [finance_supervisor]   # a director may do what a supervisor may
//	access:                   # who may ask about orders (default: anyone in the workspace)
//	  channels: [C0EXCEPTIONS, C0FINANCE]   # only these channels (and DMs, unless dms: false)
//	  teams: [T0ACME]                       # only users of these workspaces
//	  allow_restricted: false               # guests (restricted users) are refused order data
//	  allow_external: false                 # Slack Connect users of other organisations too
//	limits:
//	  questions_per_minute: 6               # per user
type Config struct {
	Channels map[string]string     `yaml:"channels"`
	Roles    map[string]RoleConfig `yaml:"roles"`
	Access   Access                `yaml:"access"`
	Limits   Limits                `yaml:"limits"`
}

// Access says who may ask exdesk about orders. Order data is customer
// data: by default guests (restricted users) and users of other
// organisations in Slack Connect channels are refused.
type Access struct {
	// Channels, when set, are the only channels where questions are
	// answered (direct messages are allowed unless DMs is false).
	Channels []string `yaml:"channels"`
	// DMs allows questions in direct messages (default true).
	DMs *bool `yaml:"dms"`
	// Teams, when set, are the only workspaces whose users may ask.
	Teams []string `yaml:"teams"`
	// AllowRestricted lets guests (single- and multi-channel guests) ask.
	AllowRestricted bool `yaml:"allow_restricted"`
	// AllowExternal lets users of other organisations (Slack Connect) ask.
	AllowExternal bool `yaml:"allow_external"`
}

// Limits bound what one user may ask.
type Limits struct {
	// QuestionsPerMinute is how many questions a user may ask a minute
	// (default 6; each may run an investigation, or a model).
	QuestionsPerMinute int `yaml:"questions_per_minute"`
}

// questionsPerMinute is the configured limit or the default.
func (c *Config) questionsPerMinute() int {
	if c.Limits.QuestionsPerMinute > 0 {
		return c.Limits.QuestionsPerMinute
	}
	return 6
}

// People returns the Slack users and user groups who hold role: its own
// and those of every role that includes it, in a stable order.
func (c *Config) People(role string) (users, groups []string) {
	for _, g := range c.Grantors(role) {
		rc := c.Roles[g]
		for _, u := range rc.Users {
			if !slices.Contains(users, u) {
				users = append(users, u)
			}
		}
		for _, grp := range rc.Groups {
			if !slices.Contains(groups, grp) {
				groups = append(groups, grp)
			}
		}
	}
	return users, groups
}

// RoleConfig names a role's holders.
type RoleConfig struct {
	Users    []string `yaml:"users"`
	Groups   []string `yaml:"groups"`
	Includes []string `yaml:"includes"`
}

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("slack config")

// LoadConfig reads and validates a config file.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseConfig parses and validates a YAML config; unknown keys are errors.
func ParseConfig(b []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks channel ids, user/group ids and role inclusions.
func (c *Config) Validate() error {
	var problems []string
	for class, ch := range c.Channels {
		if ch == "" {
			problems = append(problems, fmt.Sprintf("channels.%s is empty", class))
		}
	}
	for i, ch := range c.Access.Channels {
		if !isChannelID(ch) {
			problems = append(problems, fmt.Sprintf("access.channels[%d]: %q is not a Slack channel id (C…, G… or D…)", i, ch))
		}
	}
	for i, t := range c.Access.Teams {
		if !isTeamID(t) {
			problems = append(problems, fmt.Sprintf("access.teams[%d]: %q is not a Slack team id (T… or E…)", i, t))
		}
	}
	if c.Limits.QuestionsPerMinute < 0 {
		problems = append(problems, "limits.questions_per_minute: must not be negative")
	}
	for name, r := range c.Roles {
		for _, u := range r.Users {
			if !isUserID(u) {
				problems = append(problems, fmt.Sprintf("roles.%s.users: %q is not a Slack user id (U… or W…)", name, u))
			}
		}
		for _, g := range r.Groups {
			if !isGroupID(g) {
				problems = append(problems, fmt.Sprintf("roles.%s.groups: %q is not a Slack user-group id (S…)", name, g))
			}
		}
		for _, inc := range r.Includes {
			if _, ok := c.Roles[inc]; !ok {
				problems = append(problems, fmt.Sprintf("roles.%s.includes: %q is not a role of this file", name, inc))
			}
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("%w: %s", ErrConfig, strings.Join(problems, "; "))
	}
	return nil
}

// Channel returns the channel for a case class: the class's own, else default.
func (c *Config) Channel(class string) (string, bool) {
	if ch, ok := c.Channels[class]; ok {
		return ch, true
	}
	ch, ok := c.Channels["default"]
	return ch, ok
}

// Grantors returns every role whose holders may act as role: the role
// itself and every role that includes it, directly or through others.
func (c *Config) Grantors(role string) []string {
	out := []string{role}
	seen := map[string]bool{role: true}
	for i := 0; i < len(out); i++ {
		for name, r := range c.Roles {
			if !seen[name] && slices.Contains(r.Includes, out[i]) {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	sort.Strings(out[1:])
	return out
}

// CheckRoles logs the policy's roles that no one holds, and the config's
// roles that the policy does not know.
func (c *Config) CheckRoles(log *slog.Logger, policyRoles []string) {
	for _, r := range policyRoles {
		held := false
		for _, g := range c.Grantors(r) {
			rc := c.Roles[g]
			if len(rc.Users)+len(rc.Groups) > 0 {
				held = true
			}
		}
		if !held {
			log.Warn("policy role has no holder in the Slack config: its approvals cannot be given", "role", r)
		}
	}
	for name := range c.Roles {
		if !slices.Contains(policyRoles, name) {
			log.Warn("Slack config names a role the policy does not use", "role", name)
		}
	}
}

// GroupMembers lists a Slack user group's members.
type GroupMembers interface {
	GetUserGroupMembersContext(ctx context.Context, group string) ([]string, error)
}

// Authorizer decides whether a Slack user holds a role.
type Authorizer struct {
	cfg    *Config
	groups GroupMembers
	ttl    time.Duration
	now    func() time.Time

	mu    sync.Mutex
	cache map[string]groupEntry
}

type groupEntry struct {
	members []string
	at      time.Time
}

// NewAuthorizer returns an Authorizer over cfg; user groups are resolved
// with groups (nil: groups never match) and cached for ttl.
func NewAuthorizer(cfg *Config, groups GroupMembers, ttl time.Duration) *Authorizer {
	if ttl <= 0 {
		ttl = 5 * time.Minute
	}
	return &Authorizer{cfg: cfg, groups: groups, ttl: ttl, now: time.Now, cache: map[string]groupEntry{}}
}

// Allowed reports whether user holds role, directly, through a user group,
// or through a role that includes it. It fails closed: an error resolving a
// group is returned with false.
func (a *Authorizer) Allowed(ctx context.Context, user, role string) (bool, error) {
	if user == "" || role == "" {
		return false, nil
	}
	var firstErr error
	for _, g := range a.cfg.Grantors(role) {
		rc := a.cfg.Roles[g]
		if slices.Contains(rc.Users, user) {
			return true, nil
		}
		for _, grp := range rc.Groups {
			members, err := a.members(ctx, grp)
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			if slices.Contains(members, user) {
				return true, nil
			}
		}
	}
	return false, firstErr
}

func (a *Authorizer) members(ctx context.Context, group string) ([]string, error) {
	a.mu.Lock()
	e, ok := a.cache[group]
	a.mu.Unlock()
	if ok && a.now().Sub(e.at) < a.ttl {
		return e.members, nil
	}
	if a.groups == nil {
		return nil, nil
	}
	m, err := a.groups.GetUserGroupMembersContext(ctx, group)
	if err != nil {
		return nil, fmt.Errorf("resolving user group %s: %w", group, err)
	}
	a.mu.Lock()
	a.cache[group] = groupEntry{members: m, at: a.now()}
	a.mu.Unlock()
	return m, nil
}

// UnmarshalYAML accepts the long form {users, groups, includes} and the
// shorthand list of ids and roles: U…/W… are users, S… user groups, and
// anything else a role this one includes.
func (r *RoleConfig) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.SequenceNode:
		var ids []string
		if err := n.Decode(&ids); err != nil {
			return err
		}
		for _, id := range ids {
			switch {
			case isUserID(id):
				r.Users = append(r.Users, id)
			case isGroupID(id):
				r.Groups = append(r.Groups, id)
			default:
				r.Includes = append(r.Includes, id)
			}
		}
		return nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			var dst *[]string
			switch key := n.Content[i].Value; key {
			case "users", "user_ids":
				dst = &r.Users
			case "groups", "user_groups", "usergroups":
				dst = &r.Groups
			case "includes":
				dst = &r.Includes
			default:
				return fmt.Errorf("line %d: unknown role field %q (users, groups, includes)", n.Content[i].Line, key)
			}
			var v []string
			if err := n.Content[i+1].Decode(&v); err != nil {
				return err
			}
			*dst = append(*dst, v...)
		}
		return nil
	}
	return fmt.Errorf("line %d: a role is a list of ids or a mapping of users, groups and includes", n.Line)
}

func isUserID(s string) bool {
	return len(s) > 1 && (s[0] == 'U' || s[0] == 'W') && strings.ToUpper(s) == s
}

func isGroupID(s string) bool { return len(s) > 1 && s[0] == 'S' && strings.ToUpper(s) == s }

func isChannelID(s string) bool {
	return len(s) > 1 && strings.ContainsRune("CGD", rune(s[0])) && strings.ToUpper(s) == s
}

func isTeamID(s string) bool {
	return len(s) > 1 && (s[0] == 'T' || s[0] == 'E') && strings.ToUpper(s) == s
}

// RoleNames returns every role the config names (those with holders and
// those they include), sorted.
func (c *Config) RoleNames() []string {
	var out []string
	for name, r := range c.Roles {
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
		for _, inc := range r.Includes {
			if !slices.Contains(out, inc) {
				out = append(out, inc)
			}
		}
	}
	slices.Sort(out)
	return out
}

// RolesOf returns the roles user holds (directly, through a user group,
// or through a role that includes them), sorted. It is the role check
// every surface shares: Slack approvals, /exdesk queue and the console.
// It fails closed: a group that cannot be resolved grants nothing, and its
// error is returned with the roles found.
func (a *Authorizer) RolesOf(ctx context.Context, user string) ([]string, error) {
	var out []string
	var firstErr error
	for _, r := range a.cfg.RoleNames() {
		ok, err := a.Allowed(ctx, user, r)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, firstErr
}
