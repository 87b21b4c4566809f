package ui

import (
	"net/http"

	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/offer"
	"sriim/internal/production"
	"sriim/internal/trade"
)

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
	series, err := s.Production.Series(ctx, production.Query{Species: []string{"moluscos"}, Places: []string{"PE-MOQ"}})
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
		rk, err := s.Trade.Destinations(ctx, p, 604, 1990, s.Trade.Now().Year())
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
	if f.Offer, err = s.Offer.KeyFigures(ctx); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if f.Reports, err = s.Trade.Reports(ctx); err != nil {
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
