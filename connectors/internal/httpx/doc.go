// Package httpx is the HTTP engine the remote connectors (rest, sap) share:
// one Caller per system sends requests with a per-attempt timeout, retries
// the idempotent ones with jittered exponential backoff honouring
// Retry-After, counts failures in a circuit breaker that makes a dead system
// fail at once with connectors.ErrUnavailable, bounds response bodies, and
// returns errors naming the system, the method, the path and the status.
package httpx
