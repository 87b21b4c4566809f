package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/gorilla/csrf"

	"sriim/internal/accounts"
	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/network"
)

const sessionCookie = "sriim_session"

type userKey struct{}

// currentUser is the logged-in user, or nil for an anonymous visitor.
func currentUser(r *http.Request) *accounts.User {
	u, _ := r.Context().Value(userKey{}).(*accounts.User)
	return u
}

// principal is who is acting in this request.
func principal(r *http.Request) auth.Principal {
	if u := currentUser(r); u != nil {
		return u.Principal()
	}
	return auth.Principal{}
}

// authenticate finds the user behind a request: a personal API token in
// "Authorization: Bearer …", else the session cookie.
func (s *Server) authenticate(next http.Handler) http.Handler {
	withUser := func(r *http.Request, u accounts.User) *http.Request {
		return r.WithContext(context.WithValue(r.Context(), userKey{}, &u))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(audit.WithRequestID(r.Context(), requestID(r)))
		if r.URL.Path == "/metrics" {
			next.ServeHTTP(w, r) // its bearer token is no account's (see readsMetrics)
			return
		}
		if h := r.Header.Get("Authorization"); h != "" {
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				s.fail(w, r, errs.E(errs.Unauthenticated, "use Authorization: Bearer TOKEN"))
				return
			}
			u, err := s.accounts.TokenUser(r.Context(), strings.TrimSpace(secret))
			if err != nil {
				s.fail(w, r, err)
				return
			}
			// A token is no ambient authority, so there is nothing to forge.
			next.ServeHTTP(w, csrf.UnsafeSkipCheck(withUser(r, u)))
			return
		}
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			if strings.HasPrefix(r.URL.Path, "/api/") {
				// Neither token nor cookie: nothing to forge either; the
				// handler answers 401 to writes.
				r = csrf.UnsafeSkipCheck(r)
			}
			next.ServeHTTP(w, r)
			return
		}
		u, err := s.accounts.SessionUser(r.Context(), c.Value)
		switch {
		case err == nil:
			r = withUser(r, u)
		case errs.Is(err, errs.Unauthenticated):
			clearSessionCookie(w, r)
		default:
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func setSessionCookie(w http.ResponseWriter, r *http.Request, secret string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r), MaxAge: int(accounts.SessionTTL.Seconds())})
}

func clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r), MaxAge: -1})
}

// csrfProtect refuses state-changing requests (POST, PUT, DELETE…) that lack
// the form's CSRF token or come from another origin, using gorilla/csrf:
// masked per-request tokens and Origin/Referer checks. The cookie is Secure
// over HTTPS; over plain HTTP (a local install) gorilla is told so.
func (s *Server) csrfProtect(key []byte) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		opts := func(secure bool) []csrf.Option {
			return []csrf.Option{csrf.Secure(secure), csrf.Path("/"), csrf.CookieName("sriim_csrf"),
				csrf.FieldName("csrf_token"), csrf.SameSite(csrf.SameSiteLaxMode),
				csrf.ErrorHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					s.log.InfoContext(r.Context(), "csrf check failed", "request_id", requestID(r), "reason", csrf.FailureReason(r))
					s.fail(w, r, errs.E(errs.Forbidden, "the form expired or did not come from this site: reload the page and try again"))
				}))}
		}
		overTLS := csrf.Protect(key, opts(true)...)(next)
		plain := csrf.Protect(key, opts(false)...)(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Static files, health and metrics are read-only and cacheable: no cookie for them.
			if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || r.URL.Path == "/metrics" {
				next.ServeHTTP(w, r)
				return
			}
			if r.Method == http.MethodPost && r.URL.Path == network.UnsubscribePath {
				// A mail client's one-click unsubscribe (RFC 8058) carries no
				// form token: the secret token in its address is the authority.
				r = csrf.UnsafeSkipCheck(r)
			}
			if isHTTPS(r) {
				overTLS.ServeHTTP(w, r)
				return
			}
			plain.ServeHTTP(w, csrf.PlaintextHTTPRequest(r))
		})
	}
}
