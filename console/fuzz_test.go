package console

import (
	"net/url"
	"strings"
	"testing"
)

// A return path after sign-in never leaves the site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/cases/x", "//evil.example", "/\\evil", "https://evil.example", "/a\r\nSet-Cookie: x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		u, err := url.Parse(got)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\r\n") || (err == nil && u.Host != "") {
			t.Fatalf("safeNext(%q) = %q leaves the site", next, got)
		}
	})
}

// A cookie value from the outside opens only when this server sealed it.
func FuzzOpenCookie(f *testing.F) {
	s, err := newSealer([]byte("0123456789abcdef"))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := s.seal(cookieSession, session{User: "U1", CSRF: "c", Expires: 1})
	f.Add(good)
	f.Add("")
	f.Add("AAAA")
	f.Fuzz(func(t *testing.T, v string) {
		var got session
		err := s.open(cookieSession, v, &got)
		// Only values this key sealed authenticate (each run seals its
		// own seed, with a fresh nonce): they carry the sealed session.
		if err == nil && (got.User != "U1" || got.CSRF != "c") {
			t.Fatalf("a forged value opened: %q → %+v", v, got)
		}
		if err := s.open(cookieLogin, v, &loginState{}); err == nil {
			t.Fatalf("a session value opened as the login cookie")
		}
	})
}

// The queue's filters and the KPI window take any query string.
func FuzzQuery(f *testing.F) {
	for _, q := range []string{"class=credit_hold&mine=1", "limit=-5", "window=9999d", "window=1h", "limit=99999999999999999999"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		flt := filterOf(q, []string{"planner"})
		if flt.Limit < 0 || flt.Limit > 1000 {
			t.Fatalf("limit %d from %q", flt.Limit, raw)
		}
		d, label := windowOf(q.Get("window"))
		if d <= 0 || label == "" {
			t.Fatalf("window %v %q from %q", d, label, raw)
		}
	})
}
