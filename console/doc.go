// Package console is the supervisor's web console, served by exdesk serve
// at / on the public listener: the prioritised queue, case pages with
// their evidence, proposal histories and verified audit trail, approvals
// and rejections, and the KPI page.
//
// The flow of a request:
//
//	browser ─► Handler
//	  /login ─► OpenID Connect (Sign in with Slack: scopes openid profile)
//	            state, nonce and PKCE verifier in a sealed short-lived cookie
//	  /auth/callback ─► code exchange, ID token verified (issuer, audience,
//	            expiry, signature from the provider's JWKS, nonce)
//	            ─► session: the Slack user id in a sealed (AES-GCM, server
//	               secret), HTTP-only, SameSite=Lax cookie (Secure on https),
//	               with its CSRF token
//	  every other page and JSON endpoint ─► session required (pages redirect
//	            to /login, JSON answers 401); every POST needs the session's
//	            CSRF token (and a same-origin Origin when the browser sends one)
//	  GET  /              queue.Rank (filters, "waiting on me" = Roles.RolesOf)
//	  GET  /cases/{id}    casework.ReadView + case events (Slack thread) +
//	                      audit trail (each row's hash recomputed, whole chain
//	                      verified) + similar past cases + trace id
//	  POST /cases/{id}/proposals/{p}/approve|reject
//	                      ─► Desk.Approve / Desk.Reject with a casework.Approver
//	                         whose roles come from the same Roles as Slack's:
//	                         role check, fresh guard decision, compare-and-set,
//	                         execution claimed once — the same path as a click
//	  GET  /kpi           kpi.Compute over a window, SVG charts
//	  GET  /api/queue, /api/kpi   the same as JSON
//
// Roles are never taken from the identity provider: the ID token says who
// someone is, the exdesk config says what they may approve. Everything
// rendered goes through html/template (contextual escaping); nothing is
// loaded from another origin (the CSS is embedded; there is no script).
package console
