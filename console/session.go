package console

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// session is what the session cookie carries.
type session struct {
	User    string `json:"u"`
	Name    string `json:"n,omitempty"`
	Team    string `json:"t,omitempty"`
	CSRF    string `json:"c"`
	Expires int64  `json:"e"`
}

// loginState is what the sign-in cookie carries between /login and the
// callback.
type loginState struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"r"`
	Expires  int64  `json:"e"`
}

var errBadCookie = errors.New("console: cookie not valid")

// sealer encrypts and authenticates cookie values with AES-256-GCM under
// a key derived from the server secret; the cookie's name is the
// additional data, so a value cannot be moved to another cookie.
type sealer struct{ aead cipher.AEAD }

func newSealer(secret []byte) (*sealer, error) {
	if len(secret) < 16 {
		return nil, errors.New("console: the session secret must have at least 16 bytes")
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("exdesk console cookies v1"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(name string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(name))), nil
}

func (s *sealer) open(name, value string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return errBadCookie
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(name))
	if err != nil {
		return errBadCookie
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("%w: %v", errBadCookie, err)
	}
	return nil
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// cookie names: the __Host- prefix (Secure, Path=/, no Domain) when the
// console is served over https.
func (c *Console) cookieName(base string) string {
	if c.secure {
		return "__Host-" + base
	}
	return base
}

func (c *Console) setCookie(w http.ResponseWriter, base, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: c.cookieName(base), Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode})
}

func (c *Console) clearCookie(w http.ResponseWriter, base string) {
	http.SetCookie(w, &http.Cookie{Name: c.cookieName(base), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode})
}

// sessionOf returns the request's valid session, or nil.
func (c *Console) sessionOf(r *http.Request) *session {
	ck, err := r.Cookie(c.cookieName(cookieSession))
	if err != nil {
		return nil
	}
	var s session
	if c.seal.open(cookieSession, ck.Value, &s) != nil || s.User == "" || s.CSRF == "" {
		return nil
	}
	if c.now().Unix() >= s.Expires {
		return nil
	}
	return &s
}

const (
	cookieSession = "exdesk_session"
	cookieLogin   = "exdesk_login"
)
