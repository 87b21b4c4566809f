package api

import (
	"net/http"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/planning"
)

func (s *Server) planningRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /api/v1/plans", s.api(s.apiPlans))
	mux.HandleFunc("GET /api/v1/plans/{id}", s.api(s.apiPlan))
	mux.HandleFunc("GET /api/v1/plans/{id}/activities", s.api(s.apiPlanActivities))
	mux.HandleFunc("GET /api/v1/plans/{id}/due", s.api(s.apiPlanDue))
	mux.HandleFunc("GET /api/v1/plans/{id}/annual/{year}", s.api(s.apiAnnualPlan))
	mux.HandleFunc("PUT /api/v1/plans/{id}/annual/{year}/{code}", s.api(s.apiAnnualItem))
	mux.HandleFunc("GET /api/v1/plans/{id}/activities/{code}/reports", s.api(s.apiActivityReports))
	mux.HandleFunc("POST /api/v1/plans/{id}/activities/{code}/reports", s.api(s.apiReportSave))
	mux.HandleFunc("POST /api/v1/reports/{rid}/submit", s.api(s.apiReportTransition("submit")))
	mux.HandleFunc("POST /api/v1/reports/{rid}/approve", s.api(s.apiReportTransition("approve")))
	mux.HandleFunc("POST /api/v1/reports/{rid}/return", s.api(s.apiReportTransition("return")))
	mux.HandleFunc("POST /api/v1/reports/{rid}/evidence", s.api(s.apiReportEvidence), httpkit.Upload(planning.MaxEvidenceBytes, nil))
}

func (s *Server) apiAnnualPlan(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	year, err := httpkit.PathYear(r, "year")
	if err != nil {
		return 0, nil, err
	}
	items, err := s.Planning.AnnualPlan(r.Context(), id, year)
	return http.StatusOK, map[string]any{"items": items}, err
}

func (s *Server) apiAnnualItem(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	year, err := httpkit.PathYear(r, "year")
	if err != nil {
		return 0, nil, err
	}
	a, err := s.Planning.Activity(r.Context(), id, r.PathValue("code"), year)
	if err != nil {
		return 0, nil, err
	}
	var it planning.AnnualItem
	if it.Version, err = httpkit.DecodePut(r, &it, true, "activity_id", "activity_code", "activity_title", "year", "responsible_institution"); err != nil {
		return 0, nil, err
	}
	it.ActivityID, it.Year = a.ID, year
	it, err = s.Planning.SetAnnualItem(r.Context(), httpkit.Principal(r), it)
	return http.StatusOK, versioned{it, it.Version}, err
}

func (s *Server) apiPlans(r *http.Request) (int, any, error) {
	plans, err := s.Planning.Plans(r.Context())
	return http.StatusOK, map[string]any{"plans": plans}, err
}

func (s *Server) apiPlan(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	p, err := s.Planning.Plan(r.Context(), id, s.planYear(r))
	for i := range p.Objectives {
		for j := range p.Objectives[i].Strategies {
			p.Objectives[i].Strategies[j].Activities = nil // listed at /activities
		}
	}
	return http.StatusOK, p, err
}

func (s *Server) apiPlanActivities(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	acts, err := s.Planning.Activities(r.Context(), id, s.planYear(r))
	if acts == nil {
		acts = []planning.Activity{}
	}
	return http.StatusOK, map[string]any{"activities": acts}, err
}

func (s *Server) apiPlanDue(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	if httpkit.Principal(r).Anonymous() {
		return 0, nil, errs.E(errs.Unauthenticated, "log in to see what your institution owes")
	}
	due, err := s.Planning.Due(r.Context(), httpkit.Principal(r), id, s.planYear(r))
	if due == nil {
		due = []planning.Activity{}
	}
	return http.StatusOK, map[string]any{"activities": due}, err
}

// activity is the activity the path names (/plans/{id}/activities/{code}), in the year asked.
func (s *Server) activity(r *http.Request) (planning.Activity, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return planning.Activity{}, err
	}
	return s.Planning.Activity(r.Context(), id, r.PathValue("code"), s.planYear(r))
}

func (s *Server) apiActivityReports(r *http.Request) (int, any, error) {
	a, err := s.activity(r)
	if err != nil {
		return 0, nil, err
	}
	reports, err := s.Planning.Reports(r.Context(), httpkit.Principal(r), a)
	if reports == nil {
		reports = []planning.Report{}
	}
	return http.StatusOK, map[string]any{"reports": reports}, err
}

func (s *Server) apiReportSave(r *http.Request) (int, any, error) {
	a, err := s.activity(r)
	if err != nil {
		return 0, nil, err
	}
	var in planning.ReportInput
	if err := httpkit.DecodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	rep, err := s.Planning.SaveReport(r.Context(), httpkit.Principal(r), a.ID, in)
	return http.StatusOK, rep, err
}

func (s *Server) apiReportTransition(action string) func(r *http.Request) (int, any, error) {
	return func(r *http.Request) (int, any, error) {
		rid, err := httpkit.PathID(r, "rid")
		if err != nil {
			return 0, nil, err
		}
		var in struct {
			Note string `json:"note"`
		}
		if r.ContentLength > 0 {
			if err := httpkit.DecodeJSON(r, &in); err != nil {
				return 0, nil, err
			}
		}
		var rep planning.Report
		switch action {
		case "submit":
			rep, err = s.Planning.Submit(r.Context(), httpkit.Principal(r), rid)
		default:
			rep, err = s.Planning.Review(r.Context(), httpkit.Principal(r), rid, action == "approve", in.Note)
		}
		return http.StatusOK, rep, err
	}
}

// apiReportEvidence takes a file as the body (?name= names it), or a JSON link {"name","url"}.
func (s *Server) apiReportEvidence(r *http.Request) (int, any, error) {
	rid, err := httpkit.PathID(r, "rid")
	if err != nil {
		return 0, nil, err
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var in struct{ Name, URL string }
		if err := httpkit.DecodeJSON(r, &in); err != nil {
			return 0, nil, err
		}
		e, err := s.Planning.AddEvidence(r.Context(), httpkit.Principal(r), rid, in.Name, in.URL, "", nil)
		return http.StatusCreated, e, err
	}
	e, err := s.Planning.AddEvidence(r.Context(), httpkit.Principal(r), rid, r.URL.Query().Get("name"), "", r.Header.Get("Content-Type"), r.Body)
	return http.StatusCreated, e, err
}

// planYear is the year a plan is read for: ?year= (or the page's ?anio=),
// else the current one.
func (s *Server) planYear(r *http.Request) int {
	if y, ok := httpkit.QueryYear(r.URL.Query(), "anio", "year"); ok {
		return y
	}
	return s.Planning.Now().Year()
}
