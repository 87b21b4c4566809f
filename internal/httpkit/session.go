package httpkit

import (
	"context"
	"net/http"
	"strings"

	"github.com/gorilla/csrf"

	"sriim/internal/accounts"
	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
)

// SessionCookie holds a browser's session.
const SessionCookie = "sriim_session"

// CurrentUser is the logged-in user, or nil for an anonymous visitor.
func CurrentUser(r *http.Request) *accounts.User {
	u, _ := r.Context().Value(userKey).(*accounts.User)
	return u
}

// Principal is who is acting in this request.
func Principal(r *http.Request) auth.Principal {
	if u := CurrentUser(r); u != nil {
		return u.Principal()
	}
	return auth.Principal{}
}

// authenticate finds the user behind a request: a personal API token in
// "Authorization: Bearer …", else the session cookie.
func (k *Kernel) authenticate(next http.Handler) http.Handler {
	withUser := func(r *http.Request, u accounts.User) *http.Request {
		return r.WithContext(context.WithValue(r.Context(), userKey, &u))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(audit.WithRequestID(r.Context(), RequestID(r)))
		if r.URL.Path == "/metrics" {
			next.ServeHTTP(w, r) // its bearer token is no account's (see readsMetrics)
			return
		}
		if h := r.Header.Get("Authorization"); h != "" {
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				k.Fail(w, r, errs.E(errs.Unauthenticated, "use Authorization: Bearer TOKEN"))
				return
			}
			u, err := k.sessions.TokenUser(r.Context(), strings.TrimSpace(secret))
			if err != nil {
				k.Fail(w, r, err)
				return
			}
			// A token is no ambient authority, so there is nothing to forge.
			next.ServeHTTP(w, csrf.UnsafeSkipCheck(withUser(r, u)))
			return
		}
		c, err := r.Cookie(SessionCookie)
		if err != nil {
			if strings.HasPrefix(r.URL.Path, "/api/") {
				// Neither token nor cookie: nothing to forge either; the
				// handler answers 401 to writes.
				r = csrf.UnsafeSkipCheck(r)
			}
			next.ServeHTTP(w, r)
			return
		}
		u, err := k.sessions.SessionUser(r.Context(), c.Value)
		switch {
		case err == nil:
			r = withUser(r, u)
		case errs.Is(err, errs.Unauthenticated):
			ClearSessionCookie(w, r)
		default:
			k.Fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// SetSessionCookie gives the browser its session.
func SetSessionCookie(w http.ResponseWriter, r *http.Request, secret string) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: IsHTTPS(r), MaxAge: int(accounts.SessionTTL.Seconds())})
}

// ClearSessionCookie ends the browser's session cookie.
func ClearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: IsHTTPS(r), MaxAge: -1})
}
