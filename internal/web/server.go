// Package web serves SRIIM's HTML pages and its JSON API over the standard
// library's ServeMux. Pages are server-rendered with html/template, work
// without JavaScript and stay small; the JSON API lives under /api/v1 and is
// described by the OpenAPI document at /api/v1/openapi.json.
//
// Libraries, chosen on purpose: klauspost/compress/gzhttp for response
// compression (correct Vary, ETag and minimum-size handling), the Prometheus
// client for /metrics, golang.org/x/text (through i18n) for language matching.
package web

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/klauspost/compress/gzhttp"

	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/config"
	"sriim/internal/db"
	"sriim/internal/exports"
	"sriim/internal/facts"
	"sriim/internal/i18n"
	"sriim/internal/mail"
	"sriim/internal/offer"
	"sriim/internal/planning"
	"sriim/internal/prices"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/trade"
)

// Options are what the server needs from the composition root.
type Options struct {
	DB         *db.DB
	Logger     *slog.Logger
	Version    string
	Accounts   *accounts.Service
	Reference  *reference.Service
	Production *production.Service
	Actors     *actors.Service
	Planning   *planning.Service
	Trade      *trade.Service
	Offer      *offer.Service
	Facts      *facts.Service
	Exports    *exports.Service
	Prices     *prices.Service
	// CSRFKey signs CSRF cookies; all instances sharing a database share it.
	CSRFKey []byte
	// Mailer sends password-reset links; nil when no SMTP server is configured.
	Mailer mail.Sender
	// Addr is the listen address; PublicURL the site's address for links in
	// emails ("" when not configured; see linkBase).
	Addr, PublicURL string
	// TrustedProxies are the reverse proxies whose forwarding headers are believed.
	TrustedProxies []netip.Prefix
	// MetricsNetworks and MetricsToken say who besides loopback reads /metrics.
	MetricsNetworks []netip.Prefix
	MetricsToken    string
	// Demo reports whether the demonstration dataset is loaded (every page
	// then says so); nil when it never is.
	Demo func(context.Context) (bool, error)
	// MaxUpload bounds uploads (config.Config.MaxUpload); 0 means config.DefaultMaxUpload.
	MaxUpload int64
	// Mounts are handlers built elsewhere, each served under its path
	// prefix ("/ogc" serves "/ogc" and everything below it).
	Mounts map[string]http.Handler
}

// Server is SRIIM's HTTP handler.
type Server struct {
	db         *db.DB
	log        *slog.Logger
	version    string
	accounts   *accounts.Service
	reference  *reference.Service
	production *production.Service
	actors     *actors.Service
	planning   *planning.Service
	trade      *trade.Service
	offer      *offer.Service
	facts      *facts.Service
	exports    *exports.Service
	prices     *prices.Service
	mailer     mail.Sender
	demo       func(context.Context) (bool, error)
	pages      pages
	assets     assets
	metrics    *metrics
	openapi    []byte
	mux        *http.ServeMux
	maxUpload  int64
	handler    http.Handler
	addr       string
	publicURL  string
	// trustedProxies, metricsNetworks and metricsToken: see Options.
	trustedProxies  networks
	metricsNetworks networks
	metricsToken    string
	mounts          map[string]http.Handler
	// publicPages keeps anonymous reads of the busiest public pages.
	publicPages pageCache
	// patterns are the routes, as registered.
	patterns []string
}

// New builds the server: parses the templates, hashes the static files,
// assembles the OpenAPI document and registers the routes.
func New(o Options) (*Server, error) {
	if len(o.CSRFKey) != 32 {
		return nil, errors.New("web: CSRFKey must be 32 bytes")
	}
	s := &Server{db: o.DB, log: o.Logger, version: o.Version, accounts: o.Accounts,
		reference: o.Reference, production: o.Production, actors: o.Actors, planning: o.Planning, trade: o.Trade, offer: o.Offer, facts: o.Facts, exports: o.Exports, prices: o.Prices, mailer: o.Mailer,
		addr: o.Addr, publicURL: o.PublicURL, trustedProxies: o.TrustedProxies, metricsNetworks: o.MetricsNetworks, metricsToken: o.MetricsToken, demo: o.Demo,
		maxUpload: cmp.Or(o.MaxUpload, config.DefaultMaxUpload), mounts: o.Mounts}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.pages, err = loadPages(s.assets); err != nil {
		return nil, err
	}
	if s.openapi, err = OpenAPI(o.Version); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(o.DB)
	mux := &routeTable{ServeMux: http.NewServeMux()}
	s.routes(mux)
	s.mux, s.patterns = mux.ServeMux, mux.patterns
	// Outermost first: request ID, the client (behind trusted proxies), security headers, the public page cache,
	// compression, language, metrics/logging/recovery, the user, the bounds
	// on bodies, CSRF, and the mux (which tells observe the matched route).
	var h http.Handler = recordRoute(s.mux)
	h = s.csrfProtect(o.CSRFKey)(h)
	h = s.guardBodies(h)
	h = s.authenticate(h)
	h = s.observe(h)
	h = s.withLang(h)
	h = gzhttp.GzipHandler(h)
	h = s.cachePublicPages(h)
	h = securityHeaders(h)
	h = s.withClient(h)
	h = withRequestID(h)
	s.handler = h
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// routeTable is the server's ServeMux that remembers the patterns
// registered on it, so that tests can visit every route.
type routeTable struct {
	*http.ServeMux
	patterns []string
}

func (t *routeTable) Handle(pattern string, h http.Handler) {
	t.patterns = append(t.patterns, pattern)
	t.ServeMux.Handle(pattern, h)
}

func (t *routeTable) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	t.Handle(pattern, http.HandlerFunc(h))
}

func (s *Server) routes(mux *routeTable) {
	mux.HandleFunc("GET /{$}", s.home)
	for _, m := range modules {
		if !m.Ready {
			mux.HandleFunc("GET /"+m.Slug, s.modulePage(m))
		}
	}
	s.productionRoutes(mux)
	s.actorRoutes(mux)
	s.planningRoutes(mux)
	s.marketRoutes(mux)
	s.marketReportRoutes(mux)
	s.offerRoutes(mux)
	s.exportsRoutes(mux)
	s.exportsAPIRoutes(mux)
	s.pricesRoutes(mux)
	s.pricesAPIRoutes(mux)
	mux.Handle("GET /static/{hash}/{name}", s.assets)
	mux.HandleFunc("GET /favicon.ico", s.assets.favicon)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", s.readsMetrics(s.metrics.handler()))
	s.accountRoutes(mux)
	for prefix, h := range s.mounts {
		mux.Handle(prefix, h)
		mux.Handle(prefix+"/", h)
	}
	mux.HandleFunc("GET /api/v1/{$}", s.apiRoot)
	mux.HandleFunc("GET /api/v1/openapi.json", s.openapiDoc)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) { s.fail(w, r, errNotFound) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.fail(w, r, errNotFound) })
}

// Module is one of SRIIM's domain modules as the navigation shows it.
type Module struct {
	Slug       string // URL path segment
	Key        string // i18n key suffix: module.<Key>, module.<Key>.desc
	Activities string // the seed plan's activities it serves
	Ready      bool   // built; otherwise a page says what it will do
}

// modules is the navigation, in the order of DESIGN.md.
var modules = []Module{
	{"actores", "actors", "1.1.1, 2.1.1-i, 2.1.2, 3.1.1, 3.3.1", true},
	{"zonas", "zones", "1.1.1, 1.4.1, 3.1.4, 3.1.5", false},
	{"produccion", "production", "2.1.1-ii", true},
	{"archivo", "archive", "1.1.2, 1.1.3, 2.1.1-iii, 4.3.1", false},
	{"mercados", "markets", "2.1.1-iv, 2.1.4, 2.1.5", true},
	{"normas", "rules", "1.3.4, 2.1.1-v, 3.4", false},
	{"plan", "plan", "4.1.1, 4.1.3", true},
	{"oferta", "offer", "2.3.2", true},
}

// homeFigures are the key figures of the home page, each with its year and source.
type homeFigures struct {
	Production      float64 // t, the region's mollusc production in ProductionYear
	ProductionYear  int
	ProductionSrc   string
	ProductionNotes []string // the notes of that year's figures
	Exports         float64  // US$, Peru's loco exports in ExportsYear (the published totals where given)
	ExportsYear     int
	ExportsSrc      string
	Offer           offer.Summary
	Reports         []trade.ReportSummary
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var f homeFigures
	series, err := s.production.Series(ctx, production.Query{Species: []string{"moluscos"}, Places: []string{"PE-MOQ"}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if g, ok := series.Unit("t"); ok && len(g.Years) > 0 {
		n := len(g.Years)
		f.ProductionYear, f.Production = g.Years[n-1], g.Totals[n-1]
		f.ProductionSrc, f.ProductionNotes = series.Series[g.First].Source, series.Notes[f.ProductionYear]
	}
	for _, line := range []string{"loco_congelado", "loco_conserva"} {
		p, _ := trade.ProductLine(line)
		rk, err := s.trade.Destinations(ctx, p, 604, 1990, s.trade.Now().Year())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if n := len(rk.Years); n > 0 && rk.Years[n-1] >= f.ExportsYear {
			if rk.Years[n-1] > f.ExportsYear {
				f.Exports, f.ExportsYear = 0, rk.Years[n-1]
			}
			f.Exports += rk.World.Values[f.ExportsYear]
		}
	}
	f.ExportsSrc = "PROMPEX"
	if f.Offer, err = s.offer.KeyFigures(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	if f.Reports, err = s.trade.Reports(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(f.Reports) > 3 {
		f.Reports = f.Reports[:3]
	}
	s.renderPublic(w, r, "home.html", i18n.T(langOf(r), "home.title"), i18n.T(langOf(r), "home.lead"), f, map[string]any{
		"@context": "https://schema.org", "@type": "WebSite", "name": "SRIIM", "url": baseURL(r) + "/", "inLanguage": []string{"es", "en"}}, "")
}

func (s *Server) modulePage(m Module) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "module.html", i18n.T(langOf(r), "module."+m.Key), m)
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status, body := http.StatusOK, map[string]string{"status": "ok"}
	if err := s.db.Ping(ctx); err != nil {
		s.log.ErrorContext(ctx, "health check failed", "err", err)
		status, body = http.StatusServiceUnavailable, map[string]string{"status": "unavailable"}
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, body)
}
