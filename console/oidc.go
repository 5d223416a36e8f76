package console

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// provider is the OpenID Connect provider, discovered on first use (an
// installation without a network to the provider still serves its
// health checks and Slack; sign-in says what failed).
type provider struct {
	issuer       string
	clientID     string
	clientSecret string
	redirect     string
	client       *http.Client

	mu       sync.Mutex
	p        *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

func (pv *provider) ctx(ctx context.Context) context.Context {
	if pv.client != nil {
		return oidc.ClientContext(ctx, pv.client)
	}
	return ctx
}

func (pv *provider) get(ctx context.Context) (*oidc.Provider, *oidc.IDTokenVerifier, error) {
	pv.mu.Lock()
	defer pv.mu.Unlock()
	if pv.p != nil {
		return pv.p, pv.verifier, nil
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// The provider keeps the context for fetching its keys later: give it
	// one that outlives this request.
	p, err := oidc.NewProvider(pv.ctx(context.WithoutCancel(dctx)), pv.issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("discovering %s: %w", pv.issuer, err)
	}
	pv.p = p
	pv.verifier = p.Verifier(&oidc.Config{ClientID: pv.clientID})
	return pv.p, pv.verifier, nil
}

func (pv *provider) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: pv.clientID, ClientSecret: pv.clientSecret, Endpoint: p.Endpoint(),
		RedirectURL: pv.redirect, Scopes: []string{oidc.ScopeOpenID, "profile"}}
}

// claims are the ID token claims the console reads. Slack puts the user
// and workspace ids under its own claim names; sub is the user id too.
type claims struct {
	Subject string `json:"sub"`
	Name    string `json:"name"`
	Nonce   string `json:"nonce"`
	User    string `json:"https://slack.com/user_id"`
	Team    string `json:"https://slack.com/team_id"`
}

// login starts the sign-in: state, nonce and PKCE verifier go into a
// sealed cookie, and the browser to the provider.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	p, _, err := c.oidc.get(r.Context())
	if err != nil {
		c.log.Error("sign-in provider unavailable", "err", err)
		c.plain(w, http.StatusServiceUnavailable, "Sign-in is unavailable: the identity provider could not be reached. Try again shortly.")
		return
	}
	st := loginState{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(),
		Next: safeNext(r.URL.Query().Get("next")), Expires: c.now().Add(10 * time.Minute).Unix()}
	v, err := c.seal.seal(cookieLogin, st)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.setCookie(w, cookieLogin, v, 10*time.Minute)
	http.Redirect(w, r, c.oidc.oauth(p).AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier)), http.StatusFound)
}

// callback finishes the sign-in and starts a session.
func (c *Console) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ck, err := r.Cookie(c.cookieName(cookieLogin))
	var st loginState
	if err != nil || c.seal.open(cookieLogin, ck.Value, &st) != nil || c.now().Unix() >= st.Expires {
		c.plain(w, http.StatusBadRequest, "This sign-in has expired or did not start here. Open the console again to sign in.")
		return
	}
	c.clearCookie(w, cookieLogin)
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(st.State)) != 1 {
		c.plain(w, http.StatusBadRequest, "This sign-in does not match the one this browser started. Open the console again to sign in.")
		return
	}
	if e := q.Get("error"); e != "" {
		c.log.Info("sign-in refused by the provider", "error", e)
		c.plain(w, http.StatusForbidden, "Sign-in was not completed.")
		return
	}
	p, verifier, err := c.oidc.get(r.Context())
	if err != nil {
		c.plain(w, http.StatusServiceUnavailable, "Sign-in is unavailable: the identity provider could not be reached.")
		return
	}
	tok, err := c.oidc.oauth(p).Exchange(c.oidc.ctx(r.Context()), q.Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		c.log.Warn("sign-in code exchange failed", "err", err)
		c.plain(w, http.StatusUnauthorized, "Sign-in failed: the identity provider did not accept the sign-in.")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		c.plain(w, http.StatusUnauthorized, "Sign-in failed: the identity provider sent no ID token.")
		return
	}
	idt, err := verifier.Verify(c.oidc.ctx(r.Context()), raw)
	if err != nil {
		c.log.Warn("ID token rejected", "err", err)
		c.plain(w, http.StatusUnauthorized, "Sign-in failed: the ID token is not valid.")
		return
	}
	var cl claims
	if err := idt.Claims(&cl); err != nil {
		c.plain(w, http.StatusUnauthorized, "Sign-in failed: the ID token is not readable.")
		return
	}
	if subtle.ConstantTimeCompare([]byte(cl.Nonce), []byte(st.Nonce)) != 1 {
		c.plain(w, http.StatusUnauthorized, "Sign-in failed: the ID token was not issued for this sign-in.")
		return
	}
	user := cl.User
	if user == "" {
		user = cl.Subject
	}
	if user == "" {
		c.plain(w, http.StatusUnauthorized, "Sign-in failed: the ID token names no user.")
		return
	}
	s := session{User: user, Name: cl.Name, Team: cl.Team, CSRF: randomToken(), Expires: c.now().Add(c.ttl).Unix()}
	v, err := c.seal.seal(cookieSession, s)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.setCookie(w, cookieSession, v, c.ttl)
	c.log.Info("console sign-in", "user", user, "team", cl.Team)
	http.Redirect(w, r, st.Next, http.StatusSeeOther)
}

// safeNext keeps a return path on this site: an absolute path, never
// another host ("//host" or "/\host").
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}
