package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"runtime/debug"
	"time"

	"sriim/internal/i18n"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	langKey
)

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestID gives every request an ID (the caller's X-Request-ID when it
// is sane), echoes it in the response and puts it in the logs.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !validRequestID.MatchString(id) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey).(string)
	return id
}

// contentSecurityPolicy allows no inline script and no third-party origin.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		// Only a signed-in browser's pages can differ from what anyone sees, so
		// only they are isolated from cross-origin windows. Anonymous visitors
		// are spared the fresh renderer process that isolation costs on every
		// arrival from another site (Lighthouse: up to 340 ms of blocking time
		// on a slow phone; see bench/portal).
		if _, err := r.Cookie(sessionCookie); err == nil {
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
		}
		if isHTTPS(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

const langCookie = "lang"

// withLang picks the interface language: ?lang= (remembered in a cookie),
// then the cookie, then Accept-Language, then Spanish.
func (s *Server) withLang(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang, chosen := requestLang(r)
		if chosen {
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(lang), Path: "/",
				MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r)})
		}
		w.Header().Set("Content-Language", string(lang))
		w.Header().Add("Vary", "Accept-Language, Cookie")
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey, lang)))
	})
}

// requestLang is the language a request asks for, and whether it chose it
// with ?lang= just now.
func requestLang(r *http.Request) (lang i18n.Lang, chosen bool) {
	if lang, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		return lang, true
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if lang, ok := i18n.Parse(c.Value); ok {
			return lang, false
		}
	}
	return i18n.FromAcceptLanguage(r.Header.Get("Accept-Language")), false
}

// withLang returns ctx with the interface language set (a report shows in its own language).
func withLang(ctx context.Context, lang i18n.Lang) context.Context {
	return context.WithValue(ctx, langKey, lang)
}

func langOf(r *http.Request) i18n.Lang {
	if l, ok := r.Context().Value(langKey).(i18n.Lang); ok {
		return l
	}
	return i18n.ES
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

type routeKey struct{}

// recordRoute wraps the mux and tells observe which route pattern matched.
func recordRoute(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if route, ok := r.Context().Value(routeKey{}).(*string); ok {
			*route = r.Pattern
		}
	})
}

// observe records metrics and a log line per request and turns a panic into
// a 500 page.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		route := new(string)
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, route))
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.ErrorContext(r.Context(), "panic", "request_id", requestID(r), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if rec.status == 0 {
					s.fail(rec, r, errInternal)
				}
			}
			if *route == "" {
				*route = "unmatched"
			}
			if cached, ok := r.Context().Value(cachedRouteKey{}).(*string); ok {
				*cached = *route // for the page cache to record its hits
			}
			s.recordRequest(r, *route, rec.status, time.Since(start))
		}()
		next.ServeHTTP(rec, r)
	})
}

// recordRequest counts a request in the metrics and logs it.
func (s *Server) recordRequest(r *http.Request, route string, status int, elapsed time.Duration) {
	s.metrics.observe(route, r.Method, status, elapsed)
	s.log.InfoContext(r.Context(), "request", "request_id", requestID(r), "client", clientAddr(r), "method", r.Method,
		"path", r.URL.Path, "route", route, "status", status, "duration_ms", float64(elapsed.Microseconds())/1000)
}
