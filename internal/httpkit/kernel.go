// Package httpkit is what every SRIIM handler shares, written once: the
// kernel that routes each request through the middleware (request ID, the
// client behind trusted proxies, security headers, compression, language,
// metrics, logging and recovery, the user of a session or token, body
// limits, CSRF), the one mapping of error kinds to HTTP statuses and
// bodies, the writing of answers (JSON, ETags, downloads) and the decoding
// of requests (numbers, years, dates, lists, IDs, versions, forms, JSON
// bodies).
//
// It holds no page and no API route: internal/ui and internal/api register
// theirs with a Kernel, and internal/app builds the Kernel and serves it.
//
// Libraries, chosen on purpose: klauspost/compress/gzhttp for response
// compression (correct Vary, ETag and minimum-size handling), the Prometheus
// client for /metrics, gorilla/csrf for CSRF tokens, golang.org/x/text
// (through i18n) for language matching.
package httpkit

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"sort"
	"sync"
	"time"

	"github.com/klauspost/compress/gzhttp"

	"sriim/internal/accounts"
	"sriim/internal/auth"
	"sriim/internal/config"
	"sriim/internal/db"
)

// Options are what the kernel needs from the composition root.
type Options struct {
	DB     *db.DB
	Logger *slog.Logger
	// Sessions finds the user of a session cookie or an API token.
	Sessions Sessions
	// CSRFKey signs CSRF cookies; all instances sharing a database share it.
	CSRFKey []byte
	// Addr is the listen address; PublicURL the site's address for links in
	// emails ("" when not configured; see LinkBase).
	Addr, PublicURL string
	// TrustedProxies are the reverse proxies whose forwarding headers are believed.
	TrustedProxies []netip.Prefix
	// MetricsNetworks and MetricsToken say who besides loopback reads /metrics.
	MetricsNetworks []netip.Prefix
	MetricsToken    string
	// MaxUpload bounds uploads (config.Config.MaxUpload); 0 means config.DefaultMaxUpload.
	MaxUpload int64
}

// Sessions finds who is behind a request (accounts.Service).
type Sessions interface {
	SessionUser(ctx context.Context, secret string) (accounts.User, error)
	TokenUser(ctx context.Context, secret string) (accounts.User, error)
}

// Kernel is SRIIM's HTTP handler without its routes: the middleware, the
// route table and what handlers share. Register routes with Handle, then
// serve it.
type Kernel struct {
	opt             Options
	log             *slog.Logger
	db              *db.DB
	sessions        Sessions
	csrfKey         []byte
	addr, publicURL string
	trustedProxies  networks
	metricsNetworks networks
	metricsToken    string
	maxUpload       int64
	metrics         *metrics
	mux             *http.ServeMux
	// routes are the registered patterns with their options.
	routes map[string]route
	// outer are the middleware registered with Wrap, outermost first.
	outer     []func(http.Handler) http.Handler
	errorPage ErrorPage
	once      sync.Once
	handler   http.Handler
}

// route is what the kernel knows of a registered route beyond its handler.
type route struct {
	public bool    // an unsafe route anonymous visitors may use
	upload *upload // a route that takes a file
}

// RouteOption says something of a route to the kernel's body guard.
type RouteOption func(*route)

// Public marks an unsafe route (POST…) that anonymous visitors may use:
// logging in, the password reset, the contact form. Every other unsafe
// route refuses them before reading anything.
func Public() RouteOption { return func(r *route) { r.public = true } }

// Upload marks a route that takes a file of at most max bytes (and never
// more than the configured MaxUpload), from a logged-in user that may send
// it (may nil: anyone logged in; the module still checks each record).
func Upload(max int64, may func(auth.Principal) bool) RouteOption {
	return func(r *route) { r.upload = &upload{max: max, may: may} }
}

// New builds the kernel with its own routes: /healthz, /metrics, and the
// answers to addresses no route takes.
func New(o Options) (*Kernel, error) {
	if len(o.CSRFKey) != 32 {
		return nil, errors.New("httpkit: CSRFKey must be 32 bytes")
	}
	k := &Kernel{mux: http.NewServeMux(), routes: map[string]route{}, metrics: newMetrics(o.DB)}
	k.apply(o)
	k.HandleFunc("GET /healthz", k.healthz)
	k.Handle("GET /metrics", k.readsMetrics(k.metrics.handler()))
	k.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) { k.Fail(w, r, ErrNotFound) })
	k.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { k.Fail(w, r, ErrNotFound) })
	return k, nil
}

// apply takes the options o.
func (k *Kernel) apply(o Options) {
	k.opt = o
	k.log, k.db, k.sessions, k.csrfKey, k.addr, k.publicURL = o.Logger, o.DB, o.Sessions, o.CSRFKey, o.Addr, o.PublicURL
	k.trustedProxies, k.metricsNetworks, k.metricsToken = o.TrustedProxies, o.MetricsNetworks, o.MetricsToken
	k.maxUpload = cmp.Or(o.MaxUpload, config.DefaultMaxUpload)
}

// Configure changes the kernel's options after New, for what is known only
// once it serves (tests learn the address their server listens on). The
// CSRF key and the database stay as New set them.
func (k *Kernel) Configure(change func(*Options)) {
	o := k.opt
	change(&o)
	o.CSRFKey, o.DB = k.opt.CSRFKey, k.opt.DB
	k.apply(o)
}

// Handle registers h for pattern (a net/http ServeMux pattern).
func (k *Kernel) Handle(pattern string, h http.Handler, opts ...RouteOption) {
	var rt route
	for _, o := range opts {
		o(&rt)
	}
	k.routes[pattern] = rt
	k.mux.Handle(pattern, h)
}

// HandleFunc registers h for pattern.
func (k *Kernel) HandleFunc(pattern string, h http.HandlerFunc, opts ...RouteOption) {
	k.Handle(pattern, h, opts...)
}

// Mount serves h under a path prefix: "/ogc" and everything below it.
func (k *Kernel) Mount(prefix string, h http.Handler) {
	k.Handle(prefix, h)
	k.Handle(prefix+"/", h)
}

// Wrap puts mw around the kernel's middleware, inside the request ID, the
// client and the security headers and outside everything else (compression
// included): where a cache of whole answers belongs. Call it before serving.
func (k *Kernel) Wrap(mw func(http.Handler) http.Handler) { k.outer = append(k.outer, mw) }

// Routes lists the registered patterns, sorted.
func (k *Kernel) Routes() []string {
	out := make([]string, 0, len(k.routes))
	for p := range k.routes {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// PublicRoutes and UploadRoutes list the routes registered as Public and
// as Upload, for tests that check the body guard against the route table.
func (k *Kernel) PublicRoutes() []string {
	return k.routesWhere(func(r route) bool { return r.public })
}

// UploadRoutes lists the routes registered with Upload.
func (k *Kernel) UploadRoutes() []string {
	return k.routesWhere(func(r route) bool { return r.upload != nil })
}

func (k *Kernel) routesWhere(keep func(route) bool) []string {
	var out []string
	for _, p := range k.Routes() {
		if keep(k.routes[p]) {
			out = append(out, p)
		}
	}
	return out
}

// Route is the pattern of the route that answers r ("" when none does).
func (k *Kernel) Route(r *http.Request) string {
	_, pattern := k.mux.Handler(r)
	return pattern
}

// Log is the kernel's logger, for handlers.
func (k *Kernel) Log() *slog.Logger { return k.log }

// ServeHTTP serves r through the middleware and the route table.
func (k *Kernel) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k.once.Do(k.build)
	k.handler.ServeHTTP(w, r)
}

// build chains the middleware, outermost first: request ID, the client
// (behind trusted proxies), security headers, what Wrap added (the public
// page cache), compression, language, metrics/logging/recovery, the user,
// the bounds on bodies, CSRF, and the route table (which tells observe the
// matched route).
func (k *Kernel) build() {
	var h http.Handler = recordRoute(k.mux)
	h = k.csrfProtect(h)
	h = k.guardBodies(h)
	h = k.authenticate(h)
	h = k.observe(h)
	h = withLang(h)
	h = gzhttp.GzipHandler(h)
	for i := len(k.outer) - 1; i >= 0; i-- {
		h = k.outer[i](h)
	}
	h = securityHeaders(h)
	h = k.withClient(h)
	k.handler = withRequestID(h)
}

func (k *Kernel) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status, body := http.StatusOK, map[string]string{"status": "ok"}
	if err := k.db.Ping(ctx); err != nil {
		k.log.ErrorContext(ctx, "health check failed", "err", err)
		status, body = http.StatusServiceUnavailable, map[string]string{"status": "unavailable"}
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, status, body)
}
