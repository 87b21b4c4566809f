package httpkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	langKey
	clientKey
	userKey
	routeKey
	routeReportKey
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

// RequestID is the request's ID, as the logs and error pages give it.
func RequestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey).(string)
	return id
}

// contentSecurityPolicy allows no inline script and no third-party origin.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " + imageSources + "; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

const imageSources = "img-src 'self' data:"

// AllowImagesFrom lets the page being answered show images from source, a
// Content-Security-Policy source the configuration checked (a map's tile
// server, "https://*.tile.example.org"); every other rule stays.
func AllowImagesFrom(w http.ResponseWriter, source string) {
	w.Header().Set("Content-Security-Policy", strings.Replace(contentSecurityPolicy, imageSources, imageSources+" "+source, 1))
}

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
		if _, err := r.Cookie(SessionCookie); err == nil {
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
		}
		if IsHTTPS(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// StatusRecorder is a ResponseWriter that remembers the status its
// handler wrote (0 until it writes).
type StatusRecorder struct {
	http.ResponseWriter
	Status int
}

// WriteHeader records the first status written.
func (w *StatusRecorder) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *StatusRecorder) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *StatusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recordRoute wraps the mux and tells observe which route pattern matched.
func recordRoute(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if route, ok := r.Context().Value(routeKey).(*string); ok {
			*route = r.Pattern
		}
	})
}

// WithRouteReport returns ctx in which the kernel, once it has served the
// request, writes the pattern of the route that answered into *route: for
// middleware outside the kernel's metrics (a page cache) to count by route
// the answers it gives itself (RecordRequest).
func WithRouteReport(ctx context.Context, route *string) context.Context {
	return context.WithValue(ctx, routeReportKey, route)
}

// observe records metrics and a log line per request and turns a panic into
// a 500 page.
func (k *Kernel) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &StatusRecorder{ResponseWriter: w}
		route := new(string)
		r = r.WithContext(context.WithValue(r.Context(), routeKey, route))
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				k.log.ErrorContext(r.Context(), "panic", "request_id", RequestID(r), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if rec.Status == 0 {
					k.Fail(rec, r, errInternal)
				}
			}
			if *route == "" {
				*route = "unmatched"
			}
			if report, ok := r.Context().Value(routeReportKey).(*string); ok {
				*report = *route
			}
			k.RecordRequest(r, *route, rec.Status, time.Since(start))
		}()
		next.ServeHTTP(rec, r)
	})
}

// RecordRequest counts a request in the metrics and logs it.
func (k *Kernel) RecordRequest(r *http.Request, route string, status int, elapsed time.Duration) {
	k.metrics.observe(route, r.Method, status, elapsed)
	k.log.InfoContext(r.Context(), "request", "request_id", RequestID(r), "client", ClientAddr(r), "method", r.Method,
		"path", r.URL.Path, "route", route, "status", status, "duration_ms", float64(elapsed.Microseconds())/1000)
}
