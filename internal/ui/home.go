package ui

import (
	"net/http"

	"sriim/internal/archive"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/portal"
	"sriim/internal/zones"
)

// Module is one of SRIIM's domain modules as the navigation shows it.
type Module struct {
	Slug       string // URL path segment
	Key        string // i18n key suffix: module.<Key>, module.<Key>.desc
	Activities string // the seed plan's activities it serves
	Ready      bool   // built; otherwise a page says what it will do
}

// navigation is the modules as the navigation lists them, in the order of DESIGN.md.
var navigation = []Module{
	{"actores", "actors", "1.1.1, 2.1.1-i, 2.1.2, 3.1.1, 3.3.1", true},
	{"zonas", "zones", "1.1.1, 1.4.1, 3.1.4, 3.1.5", true},
	{"produccion", "production", "2.1.1-ii", true},
	{"archivo", "archive", "1.1.2, 1.1.3, 2.1.1-iii, 4.3.1", true},
	{"mercados", "markets", "2.1.1-iv, 2.1.4, 2.1.5", true},
	{"normas", "rules", "1.3.4, 2.1.1-v, 3.4", true},
	{"plan", "plan", "4.1.1, 4.1.3", true},
	{"eventos", "events", "1.2.1, 1.2.4, 1.2.5, 1.3.1, 1.3.3, 2.3.3, 4.2, 4.4", true},
	{"oferta", "offer", "2.3.2", true},
}

// homeView is the home page: the portal's key figures, the production
// areas closed today and the latest published news (4.3.1).
type homeView struct {
	portal.HomeFigures
	Closed []zones.Closure
	News   []newsEntry
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	f, err := s.Portal.Home(r.Context())
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := homeView{HomeFigures: f}
	ctx := r.Context()
	if v.Closed, err = s.Zones.ClosedOn(ctx, s.Zones.Today()); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	news, err := s.Archive.NewsList(ctx, httpkit.Principal(r), archive.NewsFilter{Limit: 3})
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v.News = newsEntries(news, httpkit.Lang(r))
	s.renderPublic(w, r, "home.html", i18n.T(httpkit.Lang(r), "home.title"), i18n.T(httpkit.Lang(r), "home.lead"), v, map[string]any{
		"@context": "https://schema.org", "@type": "WebSite", "name": "SRIIM", "url": httpkit.BaseURL(r) + "/", "inLanguage": []string{"es", "en"}}, "")
}

func (s *Server) modulePage(m Module) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.render(w, r, http.StatusOK, "module.html", i18n.T(httpkit.Lang(r), "module."+m.Key), m)
	}
}
