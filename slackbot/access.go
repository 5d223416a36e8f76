package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// userInfo is what the access check needs to know of a Slack user
// (users.info), cached in Redis for userInfoTTL.
type userInfo struct {
	Team       string `json:"team"`
	Restricted bool   `json:"restricted"` // a multi- or single-channel guest
	Stranger   bool   `json:"stranger"`   // a user of another organisation
}

const userInfoTTL = time.Hour

// mayAsk decides whether a question may be answered at all: order data is
// customer data, so questions are answered only in the channels and for
// the workspaces the config allows, and not to guests or users of other
// organisations unless it allows them too. It fails closed.
func (b *Bot) mayAsk(ctx context.Context, q question) (bool, string) {
	acc := b.cfg.Access
	dm := strings.HasPrefix(q.channel, "D") || q.source == "dm"
	switch {
	case dm && acc.DMs != nil && !*acc.DMs:
		return false, "questions in direct messages are turned off; ask in a case channel."
	case !dm && len(acc.Channels) > 0 && !slices.Contains(acc.Channels, q.channel):
		return false, "this channel is not one exdesk answers in; ask in a case channel."
	}
	team := q.userTeam
	if team == "" {
		team = q.team
	}
	if q.team != "" && q.userTeam != "" && q.userTeam != q.team && !acc.AllowExternal {
		return false, "order data is not shared with users of other organisations."
	}
	if len(acc.Teams) > 0 && !slices.Contains(acc.Teams, team) {
		return false, "your workspace is not allowed to ask about orders."
	}
	if acc.AllowRestricted && acc.AllowExternal {
		return true, ""
	}
	info, err := b.userInfo(ctx, q.user)
	if err != nil {
		b.log.Warn("user not looked up; question refused", "user", q.user, "err", err)
		return false, "exdesk could not check your account just now; try again shortly."
	}
	switch {
	case info.Restricted && !acc.AllowRestricted:
		return false, "order data is not shared with guest accounts."
	case info.Stranger && !acc.AllowExternal:
		return false, "order data is not shared with users of other organisations."
	}
	return true, ""
}

// userInfo looks a user up (users.info), through a Redis cache.
func (b *Bot) userInfo(ctx context.Context, user string) (userInfo, error) {
	key := keyPrefix + "user:" + user
	if raw, err := b.mem.R.Get(ctx, key).Bytes(); err == nil {
		var u userInfo
		if json.Unmarshal(raw, &u) == nil {
			return u, nil
		}
	} else if !errors.Is(err, redis.Nil) {
		return userInfo{}, fmt.Errorf("user cache: %w", err)
	}
	su, err := b.slack.GetUserInfoContext(ctx, user)
	if err != nil {
		return userInfo{}, fmt.Errorf("users.info %s: %w", user, err)
	}
	u := userInfo{Team: su.TeamID, Restricted: su.IsRestricted || su.IsUltraRestricted, Stranger: su.IsStranger}
	if raw, err := json.Marshal(u); err == nil {
		_ = b.mem.R.Set(ctx, key, raw, userInfoTTL).Err()
	}
	return u, nil
}

// withinLimit counts a user's question against the per-minute limit
// (shared by every replica through Redis). It fails open when Redis is
// unreachable: the question still costs the user nothing they did not ask.
func (b *Bot) withinLimit(ctx context.Context, user string) bool {
	minute := b.now().UTC().Format("200601021504")
	key := keyPrefix + "asked:" + user + ":" + minute
	pipe := b.mem.R.TxPipeline()
	n := pipe.Incr(ctx, key)
	pipe.Expire(ctx, key, 2*time.Minute)
	if _, err := pipe.Exec(ctx); err != nil {
		b.log.Warn("question rate limit unavailable", "user", user, "err", err)
		return true
	}
	return n.Val() <= int64(b.cfg.questionsPerMinute())
}
