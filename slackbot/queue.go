package slackbot

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/exdesk/exdesk/agent"
	"github.com/exdesk/exdesk/queue"
)

// queueCommand answers "/exdesk queue": the ten highest-priority open
// cases waiting on the caller's roles, by the ranking the console and
// "exdesk cases" use. It runs while Slack waits (the store query is
// bounded by a short timeout) and the answer is ephemeral.
func (b *Bot) queueCommand(ctx context.Context, user string) string {
	if b.cases == nil {
		return "The queue is not available on this installation."
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	roles, err := b.auth.RolesOf(ctx, user)
	if err != nil {
		b.log.Warn("roles not fully resolved for /exdesk queue", "user", user, "err", err)
	}
	if len(roles) == 0 {
		return "You hold no approval role in exdesk's config, so nothing waits on you."
	}
	items, err := queue.Rank(ctx, b.cases, queue.Filter{WaitingOn: roles, Limit: 10}, queue.Options{Today: b.today})
	if err != nil {
		b.log.Error("queue not read", "err", err)
		return "exdesk could not read the queue just now; try again shortly."
	}
	var s strings.Builder
	fmt.Fprintf(&s, "*Waiting on your roles* (%s): ", escape(strings.Join(roles, ", ")))
	if len(items) == 0 {
		s.WriteString("nothing. :white_check_mark:")
		return s.String()
	}
	fmt.Fprintf(&s, "top %d by priority\n", len(items))
	for i, it := range items {
		name := escape(it.Case.OrderID)
		if b.consoleURL != "" {
			name = fmt.Sprintf("<%s/cases/%s|%s>", b.consoleURL, url.PathEscape(it.Case.ID), escape(it.Case.OrderID))
		}
		var waits []string
		for _, p := range it.Pending {
			waits = append(waits, fmt.Sprintf("%s (%s)", agent.Describe(p.Action), p.Role))
		}
		fmt.Fprintf(&s, "%d. %s %s: %s. _%s_\n", i+1, name, escape(it.Case.Class), escape(strings.Join(waits, "; ")), escape(it.Why()))
	}
	return s.String()
}
