package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/i18n"
	"sriim/internal/planning"
)

func (s *Server) planningRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /plan", s.plansPage)
	mux.HandleFunc("GET /plan/{id}", s.planPage)
	mux.HandleFunc("GET /plan/{id}/pendientes", s.duePage)
	mux.HandleFunc("GET /plan/{id}/plan.xlsx", s.planXLSX)
	mux.HandleFunc("GET /plan/{id}/plan.pdf", s.planPDF)
	mux.HandleFunc("GET /plan/{id}/cronograma.svg", s.planTimeline)
	mux.HandleFunc("GET /plan/{id}/poa", s.annualPlanPage)
	mux.HandleFunc("POST /plan/{id}/poa", s.annualPlanSave)
	mux.HandleFunc("GET /plan/{id}/actividades/{code}/indicadores/{iid}", s.indicatorChart)
	mux.HandleFunc("GET /plan-reportes/{rid}/reporte.pdf", s.reportPDF)
	mux.HandleFunc("GET /plan-reportes/{rid}/reporte.xlsx", s.reportXLSX)
	mux.HandleFunc("POST /plan/importar", s.planImport)
	mux.HandleFunc("GET /plan/{id}/actividades/{code}", s.activityPage)
	mux.HandleFunc("POST /plan/{id}/actividades/{code}/reportes", s.reportSave)
	mux.HandleFunc("POST /plan-reportes/{rid}/evidencias", s.reportEvidence)
	mux.HandleFunc("POST /plan-reportes/{rid}/enviar", s.reportTransition("submit"))
	mux.HandleFunc("POST /plan-reportes/{rid}/aprobar", s.reportTransition("approve"))
	mux.HandleFunc("POST /plan-reportes/{rid}/devolver", s.reportTransition("return"))
	mux.HandleFunc("GET /plan-evidencias/{eid}", s.evidenceFile)
	mux.HandleFunc("GET /plan-reportes/{rid}", func(w http.ResponseWriter, r *http.Request) {
		rid, err := idParam(r, "rid")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.backToActivity(w, r, rid, "")
	})

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
	mux.HandleFunc("POST /api/v1/reports/{rid}/evidence", s.api(s.apiReportEvidence))
}

// planYear is the year lights are computed for: ?anio= (or ?year=), else this year.
func (s *Server) planYear(r *http.Request) int {
	for _, k := range []string{"anio", "year"} {
		if y, err := strconv.Atoi(r.URL.Query().Get(k)); err == nil && y >= 1990 && y <= 2100 {
			return y
		}
	}
	return s.planning.Now().Year()
}

func idParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.NotFound, "no such record")
	}
	return id, nil
}

func (s *Server) plansPage(w http.ResponseWriter, r *http.Request) {
	plans, err := s.planning.Plans(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(plans) == 1 && !principal(r).Has(auth.ApproveReports) {
		http.Redirect(w, r, fmt.Sprintf("/plan/%d", plans[0].ID), http.StatusFound)
		return
	}
	s.render(w, r, http.StatusOK, "plans.html", i18n.T(langOf(r), "module.plan"), plans)
}

type planView struct {
	Plan planning.Plan
	Year int
	Due  int // activities due for the user's institution
}

func (s *Server) planPage(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := planView{Year: s.planYear(r)}
	if v.Plan, err = s.planning.Plan(r.Context(), id, v.Year); err != nil {
		s.fail(w, r, err)
		return
	}
	if u := currentUser(r); u != nil {
		due, err := s.planning.Due(r.Context(), principal(r), id, v.Year)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		v.Due = len(due)
	}
	s.render(w, r, http.StatusOK, "plan.html", v.Plan.Title, v)
}

type dueView struct {
	PlanID  int64
	Year    int
	Due     []planning.Activity
	Pending []planning.Report
}

func (s *Server) duePage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := dueView{PlanID: id, Year: s.planYear(r)}
	if v.Due, err = s.planning.Due(r.Context(), principal(r), id, v.Year); err != nil {
		s.fail(w, r, err)
		return
	}
	if principal(r).Has(auth.ApproveReports) {
		if v.Pending, err = s.planning.PendingReview(r.Context(), principal(r)); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "plan_due.html", i18n.T(langOf(r), "plan.due"), v)
}

func writePDF(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.pdf"`, name))
	_, _ = w.Write(b)
}

func (s *Server) planPDF(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	year := s.planYear(r)
	p, err := s.planning.Plan(r.Context(), id, year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := planPDF(p, year, langOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePDF(w, "plan-"+strconv.Itoa(year), b)
}

func (s *Server) reportPDF(w http.ResponseWriter, r *http.Request) {
	rid, err := idParam(r, "rid")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, a, err := s.planning.Report(r.Context(), principal(r), rid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := reportPDF(a, rep, langOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePDF(w, "reporte-"+a.Code+"-"+rep.Period, b)
}

// reportXLSX is one progress report as a workbook: a row per indicator.
func (s *Server) reportXLSX(w http.ResponseWriter, r *http.Request) {
	rid, err := idParam(r, "rid")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, a, err := s.planning.Report(r.Context(), principal(r), rid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := langOf(r)
	var names []string
	for _, e := range rep.Evidence {
		names = append(names, e.Name)
	}
	head := []string{a.Code, a.Title, rep.Period, i18n.T(lang, "progress."+rep.Status), i18n.T(lang, "state."+rep.State), rep.Narrative, strings.Join(names, "; "), rep.ReportedBy, rep.ReviewedBy}
	header := []string{"actividad", "titulo", "periodo", "estado", "revision", "narrativa", "evidencias", "reportado_por", "revisado_por", "indicador", "valor"}
	var rows [][]string
	for _, ind := range a.Indicators {
		value := ""
		if v, ok := rep.Values[ind.ID]; ok {
			value = strconv.FormatFloat(v, 'f', -1, 64)
		}
		rows = append(rows, append(append([]string{}, head...), ind.Name, value))
	}
	s.writeTable(w, r, "xlsx", "reporte-"+a.Code+"-"+rep.Period, header, rows, map[string]bool{"valor": true})
}

// planImport loads another plan from a data file (administrators).
func (s *Server) planImport(w http.ResponseWriter, r *http.Request) {
	file, _, err := r.FormFile("archivo")
	if err != nil {
		s.fail(w, r, errs.E(errs.Invalid, "choose a plan file"))
		return
	}
	defer file.Close()
	f, err := planning.ReadFile(file)
	if err == nil {
		var p planning.Plan
		if p, err = s.planning.Import(r.Context(), principal(r), f); err == nil {
			http.Redirect(w, r, fmt.Sprintf("/plan/%d?ok=saved", p.ID), http.StatusSeeOther)
			return
		}
	}
	s.fail(w, r, err)
}

// planTimeline is the Gantt-like chart of the activities' periods
// (?objetivo= keeps one objective).
func (s *Server) planTimeline(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	acts, err := s.planning.Activities(r.Context(), id, s.planYear(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	objective := r.URL.Query().Get("objetivo")
	var labels []string
	var starts, ends []int
	from := 0
	for _, a := range acts {
		if objective != "" && a.ObjectiveCode != objective {
			continue
		}
		labels, starts, ends = append(labels, a.Code), append(starts, a.StartYear), append(ends, a.EndYear)
		if from == 0 || a.StartYear < from {
			from = a.StartYear
		}
	}
	if len(labels) == 0 {
		s.fail(w, r, errs.E(errs.NotFound, "no activities"))
		return
	}
	svg, err := timelineChart(labels, starts, ends, from)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSVG(w, svg)
}

// indicatorChart draws an indicator's approved values by period.
func (s *Server) indicatorChart(w http.ResponseWriter, r *http.Request) {
	v, err := s.activityView(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	iid, err := idParam(r, "iid")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hist, err := s.planning.IndicatorHistory(r.Context(), v.Activity)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	points := hist[iid]
	if len(points) == 0 {
		s.fail(w, r, errs.E(errs.NotFound, "no approved values for this indicator"))
		return
	}
	labels := make([]string, len(points))
	values := make([]float64, len(points))
	for i, pt := range points {
		labels[i], values[i] = pt.Period, pt.Value
	}
	svg, err := categoryLineChart(labels, []string{v.Indicator(iid)}, [][]float64{values})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeSVG(w, svg)
}

type annualView struct {
	PlanID     int64
	Year       int
	Items      []planning.AnnualItem
	Activities []planning.Activity // those the user may put in the POA
	Error      string
	Errors     map[string]string
}

func (s *Server) annualView(r *http.Request) (annualView, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return annualView{}, err
	}
	v := annualView{PlanID: id, Year: s.planYear(r)}
	if v.Items, err = s.planning.AnnualPlan(r.Context(), id, v.Year); err != nil {
		return v, err
	}
	acts, err := s.planning.Activities(r.Context(), id, v.Year)
	if err != nil {
		return v, err
	}
	for _, a := range acts {
		if v.Year >= a.StartYear-1 && v.Year <= a.EndYear+1 && a.CanReport(principal(r)) {
			v.Activities = append(v.Activities, a)
		}
	}
	return v, nil
}

func (s *Server) annualPlanPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.annualView(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "plan_annual.html", i18n.T(langOf(r), "plan.poa", v.Year), v)
}

func (s *Server) annualPlanSave(w http.ResponseWriter, r *http.Request) {
	v, err := s.annualView(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	it := planning.AnnualItem{Year: v.Year, Currency: r.PostFormValue("currency"), FundingSource: r.PostFormValue("funding_source"),
		ResponsiblePerson: r.PostFormValue("responsible_person")}
	it.ActivityID, _ = strconv.ParseInt(r.PostFormValue("activity_id"), 10, 64)
	it.ResponsibleInstitutionID, _ = strconv.ParseInt(r.PostFormValue("responsible_institution_id"), 10, 64)
	if raw := strings.TrimSpace(r.PostFormValue("budget")); raw != "" {
		b, perr := strconv.ParseFloat(strings.ReplaceAll(raw, ",", ""), 64)
		if perr != nil {
			v.Error, v.Errors = i18n.T(langOf(r), "error.invalid"), map[string]string{"budget": raw}
			s.render(w, r, http.StatusUnprocessableEntity, "plan_annual.html", i18n.T(langOf(r), "plan.poa", v.Year), v)
			return
		}
		it.Budget = &b
	}
	if _, err := s.planning.SetAnnualItem(r.Context(), principal(r), it); err != nil {
		if e, ok := err.(*errs.Error); ok && e.Kind == errs.Invalid {
			v.Error, v.Errors = e.Message, e.Fields
			s.render(w, r, http.StatusUnprocessableEntity, "plan_annual.html", i18n.T(langOf(r), "plan.poa", v.Year), v)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/plan/%d/poa?anio=%d&ok=saved", v.PlanID, v.Year), http.StatusSeeOther)
}

type activityView struct {
	PlanID    int64
	Year      int
	Activity  planning.Activity
	Reports   []planning.Report
	CanReport bool
	CanReview bool
	Statuses  []string
	Form      planning.ReportInput
	Errors    map[string]string
	Error     string
	history   map[int64][]planning.IndicatorPoint
	Checks    []planning.TargetCheck
}

// HasHistory reports whether an indicator has approved values to chart.
func (v activityView) HasHistory(id int64) bool { return len(v.history[id]) > 0 }

// Indicator names an indicator of the activity by ID.
func (v activityView) Indicator(id int64) string {
	for _, ind := range v.Activity.Indicators {
		if ind.ID == id {
			return ind.Name
		}
	}
	return fmt.Sprint(id)
}

func (s *Server) activityView(r *http.Request) (activityView, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return activityView{}, err
	}
	v := activityView{PlanID: id, Year: s.planYear(r), Statuses: planning.Statuses}
	if v.Activity, err = s.planning.Activity(r.Context(), id, r.PathValue("code"), v.Year); err != nil {
		return v, err
	}
	if v.Reports, err = s.planning.Reports(r.Context(), principal(r), v.Activity); err != nil {
		return v, err
	}
	if v.history, err = s.planning.IndicatorHistory(r.Context(), v.Activity); err != nil {
		return v, err
	}
	v.Checks = planning.CheckTargets(v.Activity, v.history, v.Year)
	v.CanReport = v.Activity.CanReport(principal(r))
	v.CanReview = principal(r).Has(auth.ApproveReports)
	v.Form = planning.ReportInput{Period: strconv.Itoa(v.Year), Status: "in_progress"}
	return v, nil
}

func (s *Server) activityPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.activityView(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "activity.html", v.Activity.Code+" "+v.Activity.Title, v)
}

func (s *Server) reportSave(w http.ResponseWriter, r *http.Request) {
	v, err := s.activityView(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_ = r.ParseForm()
	in := planning.ReportInput{Period: strings.TrimSpace(r.PostFormValue("period")), Status: r.PostFormValue("status"),
		Narrative: strings.TrimSpace(r.PostFormValue("narrative")), Values: map[int64]float64{}}
	for _, ind := range v.Activity.Indicators {
		if raw := strings.TrimSpace(r.PostFormValue(fmt.Sprintf("value_%d", ind.ID))); raw != "" {
			f, err := strconv.ParseFloat(strings.Replace(raw, ",", ".", 1), 64)
			if err != nil {
				v.Form, v.Errors, v.Error = in, map[string]string{"values": ind.Name + ": " + raw}, i18n.T(langOf(r), "error.invalid")
				s.render(w, r, http.StatusUnprocessableEntity, "activity.html", v.Activity.Code+" "+v.Activity.Title, v)
				return
			}
			in.Values[ind.ID] = f
		}
	}
	rep, err := s.planning.SaveReport(r.Context(), principal(r), v.Activity.ID, in)
	if e, ok := err.(*errs.Error); ok && (e.Kind == errs.Invalid || e.Kind == errs.Conflict) {
		v.Form, v.Errors, v.Error = in, e.Fields, e.Message
		s.render(w, r, statusOf(e.Kind), "activity.html", v.Activity.Code+" "+v.Activity.Title, v)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/plan/%d/actividades/%s?ok=saved#reporte-%d", v.PlanID, v.Activity.Code, rep.ID), http.StatusSeeOther)
}

// backToActivity sends the browser to the activity page of a report.
func (s *Server) backToActivity(w http.ResponseWriter, r *http.Request, reportID int64, flash string) {
	_, a, err := s.planning.Report(r.Context(), principal(r), reportID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/plan/%d/actividades/%s?ok=%s#reporte-%d", a.PlanID, a.Code, flash, reportID), http.StatusSeeOther)
}

func (s *Server) reportEvidence(w http.ResponseWriter, r *http.Request) {
	rid, err := idParam(r, "rid")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if file, hdr, ferr := r.FormFile("archivo"); ferr == nil {
		defer file.Close()
		_, err = s.planning.AddEvidence(r.Context(), principal(r), rid, hdr.Filename, "", hdr.Header.Get("Content-Type"), file)
	} else {
		_, err = s.planning.AddEvidence(r.Context(), principal(r), rid, r.PostFormValue("name"), r.PostFormValue("url"), "", nil)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.backToActivity(w, r, rid, "saved")
}

func (s *Server) transition(r *http.Request, action string, rid int64, note string) (planning.Report, error) {
	switch action {
	case "submit":
		return s.planning.Submit(r.Context(), principal(r), rid)
	case "approve":
		return s.planning.Review(r.Context(), principal(r), rid, true, note)
	default:
		return s.planning.Review(r.Context(), principal(r), rid, false, note)
	}
}

func (s *Server) reportTransition(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rid, err := idParam(r, "rid")
		if err == nil {
			_, err = s.transition(r, action, rid, strings.TrimSpace(r.PostFormValue("note")))
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.backToActivity(w, r, rid, "report_"+action)
	}
}

func (s *Server) evidenceFile(w http.ResponseWriter, r *http.Request) {
	eid, err := idParam(r, "eid")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e, path, err := s.planning.EvidenceFile(r.Context(), principal(r), eid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Served as a download, never rendered: an uploaded file is not ours to trust.
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", e.Name))
	w.Header().Set("Cache-Control", "private, max-age=3600")
	http.ServeFile(w, r, path)
}

// planXLSX exports the plan's activities with their lights.
func (s *Server) planXLSX(w http.ResponseWriter, r *http.Request) {
	id, err := idParam(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	year := s.planYear(r)
	acts, err := s.planning.Activities(r.Context(), id, year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := langOf(r)
	header := []string{"objetivo", "estrategia", "actividad", "titulo", "periodo", "desde", "hasta", "metas", "indicadores", "instituciones", "semaforo_" + strconv.Itoa(year), "ultimo_reporte"}
	var rows [][]string
	for _, a := range acts {
		var targets, inds, insts []string
		for _, t := range a.Targets {
			targets = append(targets, t.Statement)
		}
		for _, i := range a.Indicators {
			inds = append(inds, i.Name)
		}
		for _, i := range a.Institutions {
			insts = append(insts, i.Name)
		}
		last := ""
		if a.LastPeriod != "" {
			last = a.LastPeriod + ": " + i18n.T(lang, "status."+a.LastStatus)
		}
		rows = append(rows, []string{a.ObjectiveCode, a.StrategyCode, a.Code, a.Title, a.Period, strconv.Itoa(a.StartYear), strconv.Itoa(a.EndYear),
			strings.Join(targets, "\n"), strings.Join(inds, "\n"), strings.Join(dedupe(insts), "; "), i18n.T(lang, "light."+string(a.Light)), last})
	}
	s.writeTable(w, r, "xlsx", "plan", header, rows, map[string]bool{"desde": true, "hasta": true})
}

func dedupe(list []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range list {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// API

func (s *Server) apiAnnualPlan(r *http.Request) (int, any, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return 0, nil, err
	}
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		return 0, nil, errs.E(errs.NotFound, "no such year")
	}
	items, err := s.planning.AnnualPlan(r.Context(), id, year)
	return http.StatusOK, map[string]any{"items": items}, err
}

func (s *Server) apiAnnualItem(r *http.Request) (int, any, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return 0, nil, err
	}
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		return 0, nil, errs.E(errs.NotFound, "no such year")
	}
	a, err := s.planning.Activity(r.Context(), id, r.PathValue("code"), year)
	if err != nil {
		return 0, nil, err
	}
	var it planning.AnnualItem
	if err := decodeJSON(r, &it); err != nil {
		return 0, nil, err
	}
	it.ActivityID, it.Year = a.ID, year
	it, err = s.planning.SetAnnualItem(r.Context(), principal(r), it)
	return http.StatusOK, it, err
}

func (s *Server) apiPlans(r *http.Request) (int, any, error) {
	plans, err := s.planning.Plans(r.Context())
	return http.StatusOK, map[string]any{"plans": plans}, err
}

func (s *Server) apiPlan(r *http.Request) (int, any, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return 0, nil, err
	}
	p, err := s.planning.Plan(r.Context(), id, s.planYear(r))
	for i := range p.Objectives {
		for j := range p.Objectives[i].Strategies {
			p.Objectives[i].Strategies[j].Activities = nil // listed at /activities
		}
	}
	return http.StatusOK, p, err
}

func (s *Server) apiPlanActivities(r *http.Request) (int, any, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return 0, nil, err
	}
	acts, err := s.planning.Activities(r.Context(), id, s.planYear(r))
	if acts == nil {
		acts = []planning.Activity{}
	}
	return http.StatusOK, map[string]any{"activities": acts}, err
}

func (s *Server) apiPlanDue(r *http.Request) (int, any, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return 0, nil, err
	}
	if principal(r).Anonymous() {
		return 0, nil, errs.E(errs.Unauthenticated, "log in to see what your institution owes")
	}
	due, err := s.planning.Due(r.Context(), principal(r), id, s.planYear(r))
	if due == nil {
		due = []planning.Activity{}
	}
	return http.StatusOK, map[string]any{"activities": due}, err
}

func (s *Server) apiActivityReports(r *http.Request) (int, any, error) {
	v, err := s.activityView(r)
	if v.Reports == nil {
		v.Reports = []planning.Report{}
	}
	return http.StatusOK, map[string]any{"reports": v.Reports}, err
}

func (s *Server) apiReportSave(r *http.Request) (int, any, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return 0, nil, err
	}
	a, err := s.planning.Activity(r.Context(), id, r.PathValue("code"), s.planYear(r))
	if err != nil {
		return 0, nil, err
	}
	var in planning.ReportInput
	if err := decodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	rep, err := s.planning.SaveReport(r.Context(), principal(r), a.ID, in)
	return http.StatusOK, rep, err
}

func (s *Server) apiReportTransition(action string) func(r *http.Request) (int, any, error) {
	return func(r *http.Request) (int, any, error) {
		rid, err := idParam(r, "rid")
		if err != nil {
			return 0, nil, err
		}
		var in struct {
			Note string `json:"note"`
		}
		if r.ContentLength > 0 {
			if err := decodeJSON(r, &in); err != nil {
				return 0, nil, err
			}
		}
		rep, err := s.transition(r, action, rid, in.Note)
		return http.StatusOK, rep, err
	}
}

// apiReportEvidence takes a file as the body (?name= names it), or a JSON link {"name","url"}.
func (s *Server) apiReportEvidence(r *http.Request) (int, any, error) {
	rid, err := idParam(r, "rid")
	if err != nil {
		return 0, nil, err
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var in struct{ Name, URL string }
		if err := decodeJSON(r, &in); err != nil {
			return 0, nil, err
		}
		e, err := s.planning.AddEvidence(r.Context(), principal(r), rid, in.Name, in.URL, "", nil)
		return http.StatusCreated, e, err
	}
	e, err := s.planning.AddEvidence(r.Context(), principal(r), rid, r.URL.Query().Get("name"), "", r.Header.Get("Content-Type"), r.Body)
	return http.StatusCreated, e, err
}
