// Package ui serves SRIIM's HTML pages: server-rendered with html/template,
// working without JavaScript and small. Each module's pages live in a file
// of their own (actors.go, markets.go, …), registered with the httpkit
// kernel by one line of routes; the templates (templates/), the static
// files (static/), the page shell (render.go), the public page cache
// (pagecache.go), SEO (seo.go) and the filter forms (filters.go) are shared.
package ui

import (
	"context"
	"log/slog"

	"sriim/internal/config"
	"sriim/internal/db"
	"sriim/internal/httpkit"
	"sriim/internal/mail"
	"sriim/internal/modules"
)

// Deps are what the pages need, filled by internal/app.
type Deps struct {
	DB      *db.DB
	Logger  *slog.Logger
	Version string
	modules.Set
	// Mailer sends password-reset links; nil when no SMTP server is configured.
	Mailer mail.Sender
	// Demo reports whether the demonstration dataset is loaded (every page
	// then says so); nil when it never is.
	Demo func(context.Context) (bool, error)
	// Tiles is the tile server of the slippy map on /zonas; none (the zero
	// value): the SVG map alone.
	Tiles config.Tiles
}

// Server holds what the pages' handlers share: the services (Deps), the
// kernel, the parsed templates, the static files and the public page cache.
type Server struct {
	Deps
	k      *httpkit.Kernel
	pages  pages
	assets assets
	// publicPages keeps anonymous reads of the busiest public pages.
	publicPages pageCache
}

// Register parses the templates, hashes the static files and registers
// the pages with k, which shows its errors as pages and keeps the public
// pages' cache.
func Register(k *httpkit.Kernel, d Deps) (*Server, error) {
	s := &Server{Deps: d, k: k}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.pages, err = loadPages(s.assets); err != nil {
		return nil, err
	}
	k.SetErrorPage(s.errorPage)
	k.Wrap(s.cachePublicPages)
	s.routes(k)
	return s, nil
}

// routes registers the pages: one line per module (its NAMERoutes in NAME.go).
func (s *Server) routes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /{$}", s.home)
	for _, m := range navigation {
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
	s.eventRoutes(mux)
	s.monitoringRoutes(mux)
	s.zoneRoutes(mux)
	s.regulationRoutes(mux)
	s.regulationFormRoutes(mux)
	s.archiveRoutes(mux)
	s.newsRoutes(mux)
	s.networkRoutes(mux)
	s.exportsRoutes(mux)
	s.pricesRoutes(mux)
	s.seoRoutes(mux)
	mux.Handle("GET /static/{hash}/{name...}", s.assets)
	mux.HandleFunc("GET /favicon.ico", s.assets.favicon)
	s.accountRoutes(mux)
}
