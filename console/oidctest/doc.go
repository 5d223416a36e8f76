// Package oidctest is an OpenID Connect provider stand-in for tests of
// "Sign in with Slack": a discovery document, a JWKS, an authorization
// endpoint that signs in the user the test chose (no form), and a token
// endpoint that checks the client, the code, the redirect URI and the
// PKCE verifier before it issues an RS256-signed ID token with Slack's
// claims (sub, name, https://slack.com/user_id, https://slack.com/team_id,
// the nonce).
package oidctest
