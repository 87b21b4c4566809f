package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"sriim/internal/archive"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/number"
	"sriim/internal/planning"
	"sriim/internal/render"
	"sriim/internal/render/reports"
)

func (s *Server) planningRoutes(mux *httpkit.Kernel) {
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
	mux.HandleFunc("POST /plan/importar", s.planImport, httpkit.Upload(planning.MaxFileBytes, mayImportPlan))
	mux.HandleFunc("GET /plan/{id}/actividades/{code}", s.activityPage)
	mux.HandleFunc("POST /plan/{id}/actividades/{code}/reportes", s.reportSave)
	mux.HandleFunc("POST /plan-reportes/{rid}/evidencias", s.reportEvidence, httpkit.Upload(planning.MaxEvidenceBytes, nil))
	mux.HandleFunc("POST /plan-reportes/{rid}/enviar", s.reportTransition("submit"))
	mux.HandleFunc("POST /plan-reportes/{rid}/aprobar", s.reportTransition("approve"))
	mux.HandleFunc("POST /plan-reportes/{rid}/devolver", s.reportTransition("return"))
	mux.HandleFunc("GET /admin/revision", s.reviewQueue)
	mux.HandleFunc("GET /plan-evidencias/{eid}", s.evidenceFile)
	mux.HandleFunc("GET /plan-reportes/{rid}", func(w http.ResponseWriter, r *http.Request) {
		rid, err := httpkit.PathID(r, "rid")
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		s.backToActivity(w, r, rid, "")
	})
}

func mayImportPlan(p auth.Principal) bool { return auth.Can(p, auth.Owner{AdminOnly: true}) }

// planYear is the year lights are computed for: ?anio= (or ?year=), else this year.
func (s *Server) planYear(r *http.Request) int {
	if y, ok := httpkit.QueryYear(r.URL.Query(), "anio", "year"); ok {
		return y
	}
	return s.Planning.Now().Year()
}

// planYearProblems says, for a plan page's year form, why ?anio= was left out.
func planYearProblems(r *http.Request) map[string]string {
	if f := httpkit.NewForm(r.URL.Query()); f.Year("anio") != 0 || f.Problems() == nil {
		return nil
	}
	return localizeProblems(httpkit.Lang(r), map[string]string{"anio": httpkit.MsgYear})
}

func (s *Server) plansPage(w http.ResponseWriter, r *http.Request) {
	plans, err := s.Planning.Plans(r.Context())
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if len(plans) == 1 && !httpkit.Principal(r).Has(auth.ApproveReports) {
		http.Redirect(w, r, fmt.Sprintf("/plan/%d", plans[0].ID), http.StatusFound)
		return
	}
	s.render(w, r, http.StatusOK, "plans.html", i18n.T(httpkit.Lang(r), "module.plan"), plans)
}

type planView struct {
	Plan planning.Plan
	Year int
	Due  int // activities due for the user's institution
}

func (s *Server) planPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := planView{Year: s.planYear(r)}
	if v.Plan, err = s.Planning.Plan(r.Context(), id, v.Year); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if u := httpkit.CurrentUser(r); u != nil {
		due, err := s.Planning.Due(r.Context(), httpkit.Principal(r), id, v.Year)
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		v.Due = len(due)
	}
	s.renderFiltered(w, r, "plan.html", Page{Title: v.Plan.Title, Data: v}, planYearProblems(r))
}

type dueView struct {
	PlanID  int64
	Year    int
	Due     []planning.Activity
	Pending []planning.Pending
}

func (s *Server) duePage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := dueView{PlanID: id, Year: s.planYear(r)}
	if v.Due, err = s.Planning.Due(r.Context(), httpkit.Principal(r), id, v.Year); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if httpkit.Principal(r).Has(auth.ApproveReports) {
		if v.Pending, err = s.Planning.PendingReview(r.Context(), httpkit.Principal(r)); err != nil {
			s.k.Fail(w, r, err)
			return
		}
	}
	s.renderFiltered(w, r, "plan_due.html", Page{Title: i18n.T(httpkit.Lang(r), "plan.due"), Data: v}, planYearProblems(r))
}

func (s *Server) planPDF(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	year := s.planYear(r)
	p, err := s.Planning.Plan(r.Context(), id, year)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	acts, err := s.Planning.Activities(r.Context(), id, year)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	b, err := reports.PlanPDF(p, acts, year, httpkit.Lang(r))
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	writePDF(w, "plan-"+strconv.Itoa(year), b)
}

func (s *Server) reportPDF(w http.ResponseWriter, r *http.Request) {
	rid, err := httpkit.PathID(r, "rid")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	rep, a, err := s.Planning.Report(r.Context(), httpkit.Principal(r), rid)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	b, err := reports.ProgressPDF(a, rep, httpkit.Lang(r))
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	writePDF(w, "reporte-"+a.Code+"-"+rep.Period, b)
}

// reportXLSX is one progress report as a workbook: a row per indicator.
func (s *Server) reportXLSX(w http.ResponseWriter, r *http.Request) {
	rid, err := httpkit.PathID(r, "rid")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	rep, a, err := s.Planning.Report(r.Context(), httpkit.Principal(r), rid)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	header, rows := reports.ProgressTable(a, rep, httpkit.Lang(r))
	s.writeTable(w, r, "xlsx", "reporte-"+a.Code+"-"+rep.Period, header, rows, map[string]bool{"valor": true})
}

// planImport loads another plan from a data file (administrators).
func (s *Server) planImport(w http.ResponseWriter, r *http.Request) {
	if err := auth.Authorize(httpkit.Principal(r), planning.ImportOwner); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	file, _, err := r.FormFile("archivo")
	if err != nil {
		s.k.Fail(w, r, errs.E(errs.Invalid, "choose a plan file"))
		return
	}
	defer file.Close()
	f, err := planning.ReadFile(file)
	if err == nil {
		var p planning.Plan
		if p, err = s.Planning.Import(r.Context(), httpkit.Principal(r), f); err == nil {
			http.Redirect(w, r, fmt.Sprintf("/plan/%d?ok=saved", p.ID), http.StatusSeeOther)
			return
		}
	}
	s.k.Fail(w, r, err)
}

// indicatorChart draws an indicator's approved values by period.
func (s *Server) indicatorChart(w http.ResponseWriter, r *http.Request) {
	v, err := s.activityView(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	iid, err := httpkit.PathID(r, "iid")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	hist, err := s.Planning.IndicatorHistory(r.Context(), v.Activity)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	points := hist[iid]
	if len(points) == 0 {
		s.k.Fail(w, r, errs.E(errs.NotFound, "no approved values for this indicator"))
		return
	}
	svg, err := reports.IndicatorChart(v.Indicator(iid), points).Draw(render.SVG)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	httpkit.WriteSVG(w, svg)
}

type annualView struct {
	PlanID     int64
	Year       int
	Items      []planning.AnnualItem
	Activities []planning.Activity // those the user may put in the POA
	// Form is the entry being added or changed (?editar=ACTIVITY-ID fills it
	// with an entry of the POA, and its version).
	Form     planning.AnnualItem
	Error    string
	Errors   map[string]string
	Conflict *conflictView
}

// annualColumns are the POA form's fields, named as the API's.
var annualColumns = []string{"budget", "currency", "funding_source", "responsible_institution_id", "responsible_person"}

func (s *Server) annualView(r *http.Request) (annualView, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return annualView{}, err
	}
	v := annualView{PlanID: id, Year: s.planYear(r)}
	if v.Items, err = s.Planning.AnnualPlan(r.Context(), id, v.Year); err != nil {
		return v, err
	}
	acts, err := s.Planning.Activities(r.Context(), id, v.Year)
	if err != nil {
		return v, err
	}
	for _, a := range acts {
		if v.Year >= a.StartYear-1 && v.Year <= a.EndYear+1 && a.CanReport(httpkit.Principal(r)) {
			v.Activities = append(v.Activities, a)
		}
	}
	v.Form.Currency = "PEN"
	if edit := httpkit.NewForm(r.URL.Query()).ID("editar"); edit != 0 {
		for _, it := range v.Items {
			if it.ActivityID == edit {
				v.Form = it
			}
		}
	}
	return v, nil
}

func (s *Server) annualPlanPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.annualView(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.renderFiltered(w, r, "plan_annual.html", Page{Title: i18n.T(httpkit.Lang(r), "plan.poa", v.Year), Data: v}, planYearProblems(r))
}

func (s *Server) annualPlanSave(w http.ResponseWriter, r *http.Request) {
	v, err := s.annualView(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	it := planning.AnnualItem{Year: v.Year, Currency: r.PostFormValue("currency"), FundingSource: r.PostFormValue("funding_source"),
		ResponsiblePerson: r.PostFormValue("responsible_person"), Version: httpkit.PostForm(r).Version()}
	f := httpkit.PostForm(r)
	it.ActivityID, it.ResponsibleInstitutionID = f.ID("activity_id"), f.ID("responsible_institution_id")
	form := httpkit.PostForm(r)
	it.Budget = form.Number("budget")
	if err = form.Err("invalid number"); err == nil {
		_, err = s.Planning.SetAnnualItem(r.Context(), httpkit.Principal(r), it)
	}
	if err != nil {
		if st := httpkit.StaleOf(err); st != nil {
			// The entry exists (or changed) already: keep the user's values beside it.
			v.Form, v.Conflict = it, newConflict(r, st, annualColumns, jsonCells(st.Read), jsonCells(st.Current), jsonCells(it))
			v.Form.Version = st.CurrentVersion
			s.render(w, r, http.StatusConflict, "plan_annual.html", i18n.T(httpkit.Lang(r), "plan.poa", v.Year), v)
			return
		}
		if e, ok := err.(*errs.Error); ok && e.Kind == errs.Invalid {
			v.Form = it
			v.Error, v.Errors = s.k.PageError(r, e)
			s.render(w, r, http.StatusUnprocessableEntity, "plan_annual.html", i18n.T(httpkit.Lang(r), "plan.poa", v.Year), v)
			return
		}
		s.k.Fail(w, r, err)
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
	Conflict  *conflictView
	who       auth.Principal
	// NoteErrors says by a report's return form why it was not returned.
	NoteErrors map[int64]string
	// EvidenceErrors says by a report's evidence form why the evidence was
	// refused.
	EvidenceErrors map[int64]string
	// Computed are the indicators with their values and where they come
	// from: computed from the system's data or typed in reports.
	Computed []computedIndicator
	// Documents are the archive's documents that serve the activity;
	// DocTitles the titles of the documents given as evidence.
	Documents []archive.Hit
	DocTitles map[int64]string
}

// CanChange reports whether the user may change a report: save it, add
// evidence, submit it (its own institution's editors and administrators).
func (v activityView) CanChange(r planning.Report) bool { return auth.Can(v.who, r.Owner()) }

// FormValue is the form's value for an indicator, as typed or read.
func (v activityView) FormValue(id int64) string {
	if x, ok := v.Form.Values[id]; ok {
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// reportCells are a report's form fields as text, for a stale save's comparison.
func (v activityView) reportCells(in planning.ReportInput) map[string]string {
	cells := map[string]string{"period": in.Period, "status": in.Status, "narrative": in.Narrative}
	for _, ind := range v.Activity.Indicators {
		if x, ok := in.Values[ind.ID]; ok {
			cells[ind.Name] = strconv.FormatFloat(x, 'f', -1, 64)
		}
	}
	return cells
}

func reportInput(r planning.Report) planning.ReportInput {
	return planning.ReportInput{Period: r.Period, Status: r.Status, Narrative: r.Narrative, Values: r.Values, Version: r.Version}
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
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return activityView{}, err
	}
	v := activityView{PlanID: id, Year: s.planYear(r), Statuses: planning.Statuses}
	if v.Activity, err = s.Planning.Activity(r.Context(), id, r.PathValue("code"), v.Year); err != nil {
		return v, err
	}
	if v.Reports, err = s.Planning.Reports(r.Context(), httpkit.Principal(r), v.Activity); err != nil {
		return v, err
	}
	if v.history, err = s.Planning.IndicatorHistory(r.Context(), v.Activity); err != nil {
		return v, err
	}
	v.Checks = planning.CheckTargets(v.Activity, v.history, v.Year)
	if v.Computed, err = s.computedIndicators(r, id, v.Activity.Code, v.Year); err != nil {
		return v, err
	}
	if v.Documents, err = s.Archive.ForActivity(r.Context(), httpkit.Principal(r), v.Activity.Code); err != nil {
		return v, err
	}
	var evidence []int64
	for _, rep := range v.Reports {
		for _, e := range rep.Evidence {
			evidence = append(evidence, e.DocumentID)
		}
	}
	if v.DocTitles, err = s.Archive.Titles(r.Context(), httpkit.Principal(r), evidence); err != nil {
		return v, err
	}
	v.CanReport = v.Activity.CanReport(httpkit.Principal(r))
	v.CanReview = httpkit.Principal(r).Has(auth.ApproveReports)
	v.who = httpkit.Principal(r)
	v.Form = planning.ReportInput{Period: strconv.Itoa(v.Year), Status: "in_progress"}
	// ?editar=REPORT-ID fills the form with one of the user's reports, and its version.
	if edit := httpkit.NewForm(r.URL.Query()).ID("editar"); edit != 0 {
		for _, rep := range v.Reports {
			if rep.ID == edit && v.CanChange(rep) {
				v.Form = reportInput(rep)
			}
		}
	}
	return v, nil
}

func (s *Server) activityPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.activityView(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.renderFiltered(w, r, "activity.html", Page{Title: v.Activity.Code + " " + v.Activity.Title, Data: v}, planYearProblems(r))
}

func (s *Server) reportSave(w http.ResponseWriter, r *http.Request) {
	v, err := s.activityView(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	_ = r.ParseForm()
	in := planning.ReportInput{Period: strings.TrimSpace(r.PostFormValue("period")), Status: r.PostFormValue("status"),
		Narrative: strings.TrimSpace(r.PostFormValue("narrative")), Values: map[int64]float64{}, Version: httpkit.PostForm(r).Version()}
	form := httpkit.PostForm(r)
	for _, ind := range v.Activity.Indicators {
		f := form.Number(fmt.Sprintf("value_%d", ind.ID))
		if form.Problems() != nil {
			v.Form, v.Errors, v.Error = in, map[string]string{"values": ind.Name + ": " + number.Hint}, i18n.T(httpkit.Lang(r), "error.invalid")
			s.render(w, r, http.StatusUnprocessableEntity, "activity.html", v.Activity.Code+" "+v.Activity.Title, v)
			return
		}
		if f != nil {
			in.Values[ind.ID] = *f
		}
	}
	rep, err := s.Planning.SaveReport(r.Context(), httpkit.Principal(r), v.Activity.ID, in)
	if st := httpkit.StaleOf(err); st != nil {
		// The period's report exists (or changed) already: keep the user's values beside it.
		current := st.Current.(planning.Report)
		var read map[string]string
		if old, ok := st.Read.(planning.Report); ok {
			read = v.reportCells(reportInput(old))
		}
		columns := []string{"period", "status", "narrative"}
		for _, ind := range v.Activity.Indicators {
			columns = append(columns, ind.Name)
		}
		v.Conflict = newConflict(r, st, columns, read, v.reportCells(reportInput(current)), v.reportCells(in))
		v.Form = in
		v.Form.Version = current.Version
		s.render(w, r, http.StatusConflict, "activity.html", v.Activity.Code+" "+v.Activity.Title, v)
		return
	}
	if e, ok := err.(*errs.Error); ok && (e.Kind == errs.Invalid || e.Kind == errs.Conflict || e.Kind == errs.Forbidden) {
		v.Form = in
		v.Error, v.Errors = s.k.PageError(r, e)
		s.render(w, r, httpkit.StatusOf(e.Kind), "activity.html", v.Activity.Code+" "+v.Activity.Title, v)
		return
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/plan/%d/actividades/%s?ok=saved#reporte-%d", v.PlanID, v.Activity.Code, rep.ID), http.StatusSeeOther)
}

// backToActivity sends the browser to the activity page of a report.
func (s *Server) backToActivity(w http.ResponseWriter, r *http.Request, reportID int64, flash string) {
	_, a, err := s.Planning.Report(r.Context(), httpkit.Principal(r), reportID)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/plan/%d/actividades/%s?ok=%s#reporte-%d", a.PlanID, a.Code, flash, reportID), http.StatusSeeOther)
}

func (s *Server) reportEvidence(w http.ResponseWriter, r *http.Request) {
	rid, err := httpkit.PathID(r, "rid")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if httpkit.PostForm(r).Text("document_id") != "" {
		// A document of the archive, by its number (not a number: no document).
		_, err = s.Planning.AddDocumentEvidence(r.Context(), httpkit.Principal(r), rid, httpkit.PostForm(r).ID("document_id"))
	} else if file, hdr, ferr := r.FormFile("archivo"); ferr == nil {
		defer file.Close()
		_, err = s.Planning.AddEvidence(r.Context(), httpkit.Principal(r), rid, hdr.Filename, "", hdr.Header.Get("Content-Type"), file)
	} else {
		_, err = s.Planning.AddEvidence(r.Context(), httpkit.Principal(r), rid, r.PostFormValue("name"), r.PostFormValue("url"), "", nil)
	}
	// Evidence refused (no such document, a file's type or size) is said by
	// the report's evidence form, on its activity's page.
	var e *errs.Error
	if errors.As(err, &e) && (e.Kind == errs.Invalid || e.Kind == errs.TooLarge) {
		msg, _ := s.k.PageError(r, e)
		s.renderActivityOfReport(w, r, rid, nil, map[int64]string{rid: msg})
		return
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.backToActivity(w, r, rid, "saved")
}

func (s *Server) transition(r *http.Request, action string, rid int64, note string) (planning.Report, error) {
	switch action {
	case "submit":
		return s.Planning.Submit(r.Context(), httpkit.Principal(r), rid)
	case "approve":
		return s.Planning.Review(r.Context(), httpkit.Principal(r), rid, true, note)
	default:
		return s.Planning.Review(r.Context(), httpkit.Principal(r), rid, false, note)
	}
}

// reportTransition submits, approves or returns a report from its activity's
// page or from the review queue (volver=/admin/revision), and goes back there;
// a return without a note shows that page again with the error by the note.
func (s *Server) reportTransition(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rid, err := httpkit.PathID(r, "rid")
		if err == nil {
			_, err = s.transition(r, action, rid, strings.TrimSpace(r.PostFormValue("note")))
		}
		fromQueue := r.PostFormValue("volver") == reviewQueuePath
		if e, ok := err.(*errs.Error); ok && e.Kind == errs.Invalid && e.Fields["note"] != "" {
			noteErrors := map[int64]string{rid: i18n.T(httpkit.Lang(r), "review.note_needed")}
			if fromQueue {
				s.renderReviewQueue(w, r, http.StatusUnprocessableEntity, noteErrors)
			} else {
				s.renderActivityOfReport(w, r, rid, noteErrors, nil)
			}
			return
		}
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		if fromQueue {
			http.Redirect(w, r, reviewQueuePath+"?ok=report_"+action, http.StatusSeeOther)
			return
		}
		s.backToActivity(w, r, rid, "report_"+action)
	}
}

// renderActivityOfReport shows a report's activity page again (422) with
// the error by the report's return form or by its evidence form.
func (s *Server) renderActivityOfReport(w http.ResponseWriter, r *http.Request, rid int64, noteErrors, evidenceErrors map[int64]string) {
	_, a, err := s.Planning.Report(r.Context(), httpkit.Principal(r), rid)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	r.SetPathValue("id", strconv.FormatInt(a.PlanID, 10))
	r.SetPathValue("code", a.Code)
	v, err := s.activityView(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v.NoteErrors, v.EvidenceErrors = noteErrors, evidenceErrors
	s.render(w, r, http.StatusUnprocessableEntity, "activity.html", v.Activity.Code+" "+v.Activity.Title, v)
}

// reviewQueuePath is the Mesa de Trabajo's queue of submitted reports.
const reviewQueuePath = "/admin/revision"

type reviewView struct {
	Reports    []planning.Pending
	NoteErrors map[int64]string // report ID → why it was not returned
}

func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	s.renderReviewQueue(w, r, http.StatusOK, nil)
}

func (s *Server) renderReviewQueue(w http.ResponseWriter, r *http.Request, status int, noteErrors map[int64]string) {
	list, err := s.Planning.PendingReview(r.Context(), httpkit.Principal(r))
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, status, "review.html", i18n.T(httpkit.Lang(r), "plan.pending_review"), reviewView{Reports: list, NoteErrors: noteErrors})
}

func (s *Server) evidenceFile(w http.ResponseWriter, r *http.Request) {
	eid, err := httpkit.PathID(r, "eid")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	e, path, err := s.Planning.EvidenceFile(r.Context(), httpkit.Principal(r), eid)
	if err != nil {
		s.k.Fail(w, r, err)
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
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	year := s.planYear(r)
	acts, err := s.Planning.Activities(r.Context(), id, year)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	header, rows := reports.PlanTable(acts, year, httpkit.Lang(r))
	s.writeTable(w, r, "xlsx", "plan", header, rows, map[string]bool{"desde": true, "hasta": true})
}

// API

// planTimeline is the Gantt-like chart of the activities' periods
// (?objetivo= keeps one objective).
func (s *Server) planTimeline(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	acts, err := s.Planning.Activities(r.Context(), id, s.planYear(r))
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	objective := r.URL.Query().Get("objetivo")
	var keep []planning.Activity
	for _, a := range acts {
		if objective == "" || a.ObjectiveCode == objective {
			keep = append(keep, a)
		}
	}
	if len(keep) == 0 {
		s.k.Fail(w, r, errs.E(errs.NotFound, "no activities"))
		return
	}
	svg, err := reports.PlanTimeline(keep, s.planYear(r), httpkit.Lang(r)).Draw(render.SVG)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	httpkit.WriteSVG(w, svg)
}
