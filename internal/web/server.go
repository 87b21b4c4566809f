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
	"context"
	"log/slog"
	"net/http"
	"net/netip"

	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/db"
	"sriim/internal/facts"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/mail"
	"sriim/internal/offer"
	"sriim/internal/planning"
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

// Server is SRIIM's HTTP handler: the kernel with the pages and the API.
type Server struct {
	k          *httpkit.Kernel
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
	mailer     mail.Sender
	demo       func(context.Context) (bool, error)
	pages      pages
	assets     assets
	openapi    []byte
	// publicPages keeps anonymous reads of the busiest public pages.
	publicPages pageCache
}

// New builds the server: parses the templates, hashes the static files,
// assembles the OpenAPI document and registers the routes.
func New(o Options) (*Server, error) {
	k, err := httpkit.New(httpkit.Options{DB: o.DB, Logger: o.Logger, Sessions: o.Accounts, CSRFKey: o.CSRFKey, Addr: o.Addr, PublicURL: o.PublicURL,
		TrustedProxies: o.TrustedProxies, MetricsNetworks: o.MetricsNetworks, MetricsToken: o.MetricsToken, MaxUpload: o.MaxUpload})
	if err != nil {
		return nil, err
	}
	s := &Server{k: k, db: o.DB, log: o.Logger, version: o.Version, accounts: o.Accounts,
		reference: o.Reference, production: o.Production, actors: o.Actors, planning: o.Planning, trade: o.Trade, offer: o.Offer, facts: o.Facts, mailer: o.Mailer,
		demo: o.Demo}
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.pages, err = loadPages(s.assets); err != nil {
		return nil, err
	}
	if s.openapi, err = OpenAPI(o.Version); err != nil {
		return nil, err
	}
	k.SetErrorPage(s.errorPage)
	k.Wrap(s.cachePublicPages)
	s.routes(k)
	for prefix, h := range o.Mounts {
		k.Mount(prefix, h)
	}
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.k.ServeHTTP(w, r) }

func (s *Server) routes(mux *httpkit.Kernel) {
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
	mux.Handle("GET /static/{hash}/{name}", s.assets)
	mux.HandleFunc("GET /favicon.ico", s.assets.favicon)
	s.accountRoutes(mux)
	mux.HandleFunc("GET /api/v1/{$}", s.apiRoot)
	mux.HandleFunc("GET /api/v1/openapi.json", s.openapiDoc)
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
		s.k.Fail(w, r, err)
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
			s.k.Fail(w, r, err)
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
		s.k.Fail(w, r, err)
		return
	}
	if f.Reports, err = s.trade.Reports(ctx); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if len(f.Reports) > 3 {
		f.Reports = f.Reports[:3]
	}
	s.renderPublic(w, r, "home.html", i18n.T(httpkit.Lang(r), "home.title"), i18n.T(httpkit.Lang(r), "home.lead"), f, map[string]any{
		"@context": "https://schema.org", "@type": "WebSite", "name": "SRIIM", "url": httpkit.BaseURL(r) + "/", "inLanguage": []string{"es", "en"}}, "")
}

func (s *Server) modulePage(m Module) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "module.html", i18n.T(httpkit.Lang(r), "module."+m.Key), m)
	}
}
