package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"sriim/internal/render"
	"strconv"

	"sriim/internal/dashboard"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/planning"
)

// monitoringRoutes are the pages that follow the plan with the
// system's own data: which indicators compute themselves, each
// institution's completeness and timeliness, and the chain's dashboard.
func (s *Server) monitoringRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /plan/{id}/indicadores", s.indicatorOverviewPage)
	mux.HandleFunc("GET /plan/{id}/completitud", s.completenessPage)
	mux.HandleFunc("GET /plan/{id}/tablero", s.dashboardPage)
	mux.HandleFunc("GET /plan/{id}/tablero/{key}", s.dashboardChart)
}

// computedIndicator is an indicator as the activity page shows it.
type computedIndicator struct {
	planning.IndicatorView
	Years []string // the years with a value, in order
}

// recordLink is a record behind a computed value, with its page.
type recordLink struct {
	Label string
	URL   string
}

// recordPages are the pages of the records behind computed values.
var recordPages = map[string]string{
	"event":                  "/eventos/%d",
	"actor":                  "/actores/%d",
	"institution":            "/instituciones/%d",
	"production_observation": "/produccion/observaciones/%d",
	"document":               "/archivo/%d",
}

// codePages are the pages of the records found by their code.
var codePages = map[string]string{
	"norm":      "/normas/",
	"procedure": "/normas/procedimientos/",
}

// Links are the records behind the value, linked where they have a page.
func (c computedIndicator) Links() []recordLink {
	var out []recordLink
	for _, rec := range c.Records {
		l := recordLink{Label: rec.Label}
		if f, ok := recordPages[rec.Entity]; ok {
			l.URL = fmt.Sprintf(f, rec.ID)
		} else if prefix, ok := codePages[rec.Entity]; ok && rec.Code != "" {
			l.URL = prefix + url.PathEscape(rec.Code)
		}
		out = append(out, l)
	}
	return out
}

// BreakdownNames are the names of the breakdown's counts, sorted.
func (c computedIndicator) BreakdownNames() []string {
	var out []string
	for name := range c.Breakdown {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// computedIndicators are an activity's indicators with where their values
// come from, for its page.
func (s *Server) computedIndicators(r *http.Request, planID int64, code string, year int) ([]computedIndicator, error) {
	views, err := s.Planning.IndicatorViews(r.Context(), planID, code, year, httpkit.Lang(r))
	if err != nil {
		return nil, err
	}
	out := make([]computedIndicator, len(views))
	for i, v := range views {
		out[i] = computedIndicator{IndicatorView: v}
		for y := range v.Values {
			out[i].Years = append(out[i].Years, y)
		}
		sort.Strings(out[i].Years)
	}
	return out, nil
}

type overviewView struct {
	PlanID     int64
	Indicators []planning.BoundIndicator
	Computed   int
}

func (s *Server) indicatorOverviewPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := overviewView{PlanID: id}
	if v.Indicators, v.Computed, err = s.Planning.IndicatorOverview(r.Context(), id); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "monitoring_indicators.html", i18n.T(httpkit.Lang(r), "indicators.overview"), v)
}

type completenessView struct {
	PlanID int64
	Year   int
	Rows   []planning.Completeness
}

func (s *Server) completenessPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := completenessView{PlanID: id, Year: s.planYear(r)}
	if v.Rows, err = s.Planning.Completeness(r.Context(), httpkit.Principal(r), id, v.Year); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.renderFiltered(w, r, "monitoring_completeness.html", Page{Title: i18n.T(httpkit.Lang(r), "completeness.title", v.Year), Data: v}, planYearProblems(r))
}

// dashboardYears reads ?desde= and ?hasta= (the plan's years by default).
func (s *Server) dashboardYears(r *http.Request, planID int64) (from, to int, err error) {
	p, err := s.Planning.Plan(r.Context(), planID, s.planYear(r))
	if err != nil {
		return 0, 0, err
	}
	q := r.URL.Query()
	if from, err = httpkit.Int(q, "desde", p.StartYear); err != nil {
		return 0, 0, err
	}
	if to, err = httpkit.Int(q, "hasta", max(p.EndYear, s.Planning.Now().Year())); err != nil {
		return 0, 0, err
	}
	return from, to, nil
}

func (s *Server) buildDashboard(r *http.Request) (dashboard.Dashboard, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return dashboard.Dashboard{}, err
	}
	from, to, err := s.dashboardYears(r, id)
	if err != nil {
		return dashboard.Dashboard{}, err
	}
	return dashboard.New(s.Indicators.Registry(), s.Planning).Build(r.Context(), id, from, to, httpkit.Lang(r))
}

type dashboardView struct {
	Dashboard dashboard.Dashboard
	Query     url.Values
}

// Years are the dashboard's years as its tables' rows.
func (v dashboardView) Years() []string {
	var out []string
	for y := v.Dashboard.From; y <= v.Dashboard.To; y++ {
		out = append(out, strconv.Itoa(y))
	}
	return out
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.buildDashboard(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	q := url.Values{"desde": {strconv.Itoa(d.From)}, "hasta": {strconv.Itoa(d.To)}}
	s.renderPage(w, r, http.StatusOK, "monitoring_dashboard.html", Page{Title: i18n.T(httpkit.Lang(r), "dashboard.title"), Description: i18n.T(httpkit.Lang(r), "dashboard.lead"),
		Data: dashboardView{Dashboard: d, Query: q}})
}

// dashboardChart draws one of the dashboard's series ({key}), or the share
// of the plan's activities done ("plan").
func (s *Server) dashboardChart(w http.ResponseWriter, r *http.Request) {
	d, err := s.buildDashboard(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	lang, key := httpkit.Lang(r), r.PathValue("key")
	var svg []byte
	if key == "plan" {
		svg, err = d.PlanChart(i18n.T(lang, "dashboard.plan"), "SRIIM")
	} else {
		found := false
		for _, sr := range d.Chain {
			if sr.Key == key {
				found = true
				svg, err = d.Chart(sr, i18n.T(lang, "dashboard."+sr.Key), i18n.T(lang, "dashboard.source", sr.Source), render.FormatNumber)
			}
		}
		if !found {
			err = errs.E(errs.NotFound, "no such chart")
		}
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	httpkit.WriteSVG(w, svg)
}
