package api

import (
	"net/http"

	"sriim/internal/dashboard"
	"sriim/internal/httpkit"
	"sriim/internal/indicators"
	"sriim/internal/planning"
)

// monitoringAPIRoutes are the API of the plan's monitoring with the
// system's own data: an activity with its indicators (computed or
// reported), which indicators are bound, completeness per institution, the
// dashboard, and the bindings (the Mesa de Trabajo's).
func (s *Server) monitoringAPIRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /api/v1/plans/{id}/activities/{code}", s.api(s.apiActivity))
	mux.HandleFunc("GET /api/v1/plans/{id}/indicators", s.api(s.apiIndicatorOverview))
	mux.HandleFunc("GET /api/v1/plans/{id}/completeness", s.api(s.apiCompleteness))
	mux.HandleFunc("GET /api/v1/plans/{id}/dashboard", s.api(s.apiDashboard))
	mux.HandleFunc("PUT /api/v1/indicators/{iid}/binding", s.api(s.apiBind))
	mux.HandleFunc("DELETE /api/v1/indicators/{iid}/binding", s.api(s.apiUnbind))
}

// activityWithIndicators is an activity as GET /api/v1/plans/{id}/activities/{code}
// gives it: its indicators with where each value comes from.
type activityWithIndicators struct {
	planning.Activity
	Indicators []planning.IndicatorView `json:"indicators"`
}

func (s *Server) apiActivity(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	year := s.planYear(r)
	a, err := s.Planning.Activity(r.Context(), id, r.PathValue("code"), year)
	if err != nil {
		return 0, nil, err
	}
	views, err := s.Planning.IndicatorViews(r.Context(), id, a.Code, year, httpkit.APILang(r))
	return http.StatusOK, activityWithIndicators{Activity: a, Indicators: views}, err
}

func (s *Server) apiIndicatorOverview(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	list, computed, err := s.Planning.IndicatorOverview(r.Context(), id)
	if list == nil {
		list = []planning.BoundIndicator{}
	}
	return http.StatusOK, map[string]any{"indicators": list, "computed": computed, "reported": len(list) - computed}, err
}

func (s *Server) apiCompleteness(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	year, err := httpkit.Int(r.URL.Query(), "year", s.Planning.Now().Year())
	if err != nil {
		return 0, nil, err
	}
	list, err := s.Planning.Completeness(r.Context(), httpkit.Principal(r), id, year)
	return http.StatusOK, map[string]any{"year": year, "institutions": list}, err
}

func (s *Server) apiDashboard(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	p, err := s.Planning.Plan(r.Context(), id, s.planYear(r))
	if err != nil {
		return 0, nil, err
	}
	q := r.URL.Query()
	from, err := httpkit.Int(q, "from", p.StartYear)
	if err != nil {
		return 0, nil, err
	}
	to, err := httpkit.Int(q, "to", max(p.EndYear, s.Planning.Now().Year()))
	if err != nil {
		return 0, nil, err
	}
	d, err := dashboard.New(s.Indicators.Registry(), s.Planning).Build(r.Context(), id, from, to, httpkit.APILang(r))
	return http.StatusOK, d, err
}

func (s *Server) apiBind(r *http.Request) (int, any, error) {
	iid, err := httpkit.PathID(r, "iid")
	if err != nil {
		return 0, nil, err
	}
	var b indicators.Binding
	if b.Version, err = httpkit.DecodePut(r, &b, true, "indicator_id"); err != nil {
		return 0, nil, err
	}
	b.IndicatorID = iid
	b, err = s.Indicators.Bind(r.Context(), httpkit.Principal(r), b)
	return http.StatusOK, versioned{b, b.Version}, err
}

func (s *Server) apiUnbind(r *http.Request) (int, any, error) {
	iid, err := httpkit.PathID(r, "iid")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, s.Indicators.Unbind(r.Context(), httpkit.Principal(r), iid)
}
