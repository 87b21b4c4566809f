package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/regulation"
	"sriim/internal/workdays"
)

// The editors' forms of the regulation module: a norm and a procedure,
// new or changed (with the version they were read at, so that a save over
// someone else's change shows both). Cases are entered on their
// procedure's page; many records at once, by the imports.
func (s *Server) regulationFormRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /normas/nueva", s.normForm)
	mux.HandleFunc("POST /normas", s.normSave)
	mux.HandleFunc("GET /normas/editar/{code}", s.normForm)
	mux.HandleFunc("POST /normas/{code}", s.normSave)
	// The form's few fields beside the file fit in the slack.
	mux.HandleFunc("POST /normas/texto/{code}", s.normTextUpload, httpkit.Upload(regulation.MaxTextBytes+64<<10, regulation.CanCreate))
	mux.HandleFunc("GET /normas/procedimientos/nuevo", s.procedureForm)
	mux.HandleFunc("POST /normas/procedimientos", s.procedureSave)
	mux.HandleFunc("GET /normas/procedimientos/{code}/editar", s.procedureForm)
	mux.HandleFunc("POST /normas/procedimientos/{code}", s.procedureSave)
	s.requirementFormRoutes(mux)
	s.calendarFormRoutes(mux)
}

// ruleForm is what the module's forms choose from, and how they write lists.
type ruleForm struct {
	ruleVocab
	// Code is the record's code as stored ("" for a new one): where the form posts.
	Code string
}

// Join writes a list as a form's field holds it.
func (ruleForm) Join(items []string) string { return strings.Join(items, "; ") }

// Lines writes a list one item a line.
func (ruleForm) Lines(items []string) string { return strings.Join(items, "\n") }

// Related writes the codes of the norms n has a relation of kind with.
func (ruleForm) Related(n regulation.Norm, kind string) string {
	var out []string
	for _, r := range n.Relations {
		if r.Kind == kind {
			out = append(out, r.Norm)
		}
	}
	return strings.Join(out, "; ")
}

// splitField reads a form's list: items separated by ";" or new lines.
func splitField(s string) []string {
	var out []string
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' }) {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// relationFields are the norm form's relation fields, by relation kind.
var relationFields = map[string]string{"amends": "modifica", "repeals": "deroga", "regulates": "reglamenta"}

func (s *Server) normForm(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	p := httpkit.Principal(r)
	f := ruleForm{ruleVocab: rulesVocab}
	n := regulation.Norm{Status: "in_force", Kind: "law"}
	if code := r.PathValue("code"); code != "" {
		v, err := s.Regulation.Norm(r.Context(), p, code)
		if err == nil {
			err = auth.Authorize(p, v.Owner())
		}
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		n, f.Code = v.Norm, v.Code
	} else if err := auth.Authorize(p, regulation.NewOwner(p)); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "regulation_norm_form.html", i18n.T(httpkit.Lang(r), "rules.norm_form"), formPage{Values: n, Extra: f})
}

func (s *Server) normSave(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	n := regulation.Norm{Code: v("code"), Kind: v("kind"), Number: v("number"), Title: v("title"), Issuer: v("issuer"),
		Published: v("published"), InForceFrom: v("in_force_from"), Status: v("status"), Summary: v("summary"),
		Topics: splitField(v("topics")), Species: splitField(v("species")), Activities: splitField(v("activities")),
		Text: regulation.Text{URL: v("text_url")}, Source: v("source"), Draft: r.PostFormValue("draft") != "",
		Version: httpkit.PostForm(r).Version(), Relations: []regulation.Relation{}}
	for _, kind := range rulesVocab.Relations {
		for _, code := range splitField(v(relationFields[kind])) {
			n.Relations = append(n.Relations, regulation.Relation{Kind: kind, Norm: code})
		}
	}
	f := ruleForm{ruleVocab: rulesVocab, Code: r.PathValue("code")}
	var saved regulation.Norm
	var err error
	if f.Code == "" {
		saved, err = s.Regulation.CreateNorm(r.Context(), httpkit.Principal(r), n)
	} else {
		saved, err = s.Regulation.UpdateNorm(r.Context(), httpkit.Principal(r), f.Code, n)
	}
	if err != nil {
		if st := httpkit.StaleOf(err); st != nil {
			if current, ok := st.Current.(regulation.Norm); ok {
				n.Version = current.Version
			}
		}
		s.formFailed(w, r, "regulation_norm_form.html", i18n.T(httpkit.Lang(r), "rules.norm_form"), n, f, err)
		return
	}
	http.Redirect(w, r, "/normas/"+url.PathEscape(saved.Code)+"?ok=saved", http.StatusSeeOther)
}

func (s *Server) procedureForm(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	p := httpkit.Principal(r)
	f := ruleForm{ruleVocab: rulesVocab}
	c := regulation.Procedure{Silence: "negative"}
	if code := r.PathValue("code"); code != "" {
		v, err := s.Regulation.Procedure(r.Context(), p, code)
		if err == nil {
			err = auth.Authorize(p, v.Owner())
		}
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		c, f.Code = v.Procedure, v.Code
	} else if err := auth.Authorize(p, regulation.NewOwner(p)); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "regulation_procedure_form.html", i18n.T(httpkit.Lang(r), "rules.procedure_form"), formPage{Values: c, Extra: f})
}

func (s *Server) procedureSave(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	c := regulation.Procedure{Code: v("code"), Name: v("name"), Authority: v("authority"), Silence: v("silence"),
		Requirements: splitField(r.PostFormValue("requirements")), Steps: splitField(r.PostFormValue("steps")),
		LegalBasis: splitField(v("legal_basis")), Activities: splitField(v("activities")), Source: v("source"),
		Draft: r.PostFormValue("draft") != "", Version: httpkit.PostForm(r).Version()}
	f := ruleForm{ruleVocab: rulesVocab, Code: r.PathValue("code")}
	form := httpkit.PostForm(r)
	c.FeePEN = form.Number("fee_pen")
	c.LegalDays, c.FeeYear = form.Int("legal_days", 0), form.Int("fee_year", 0)
	problems := form.Problems()
	var err error
	var saved regulation.Procedure
	switch {
	case len(problems) > 0:
		err = errs.Fields("the procedure has invalid fields", problems)
	case f.Code == "":
		saved, err = s.Regulation.CreateProcedure(r.Context(), httpkit.Principal(r), c)
	default:
		saved, err = s.Regulation.UpdateProcedure(r.Context(), httpkit.Principal(r), f.Code, c)
	}
	if err != nil {
		if st := httpkit.StaleOf(err); st != nil {
			if current, ok := st.Current.(regulation.Procedure); ok {
				c.Version = current.Version
			}
		}
		s.formFailed(w, r, "regulation_procedure_form.html", i18n.T(httpkit.Lang(r), "rules.procedure_form"), c, f, err)
		return
	}
	http.Redirect(w, r, "/normas/procedimientos/"+url.PathEscape(saved.Code)+"?ok=saved", http.StatusSeeOther)
}

// normTextUpload keeps a file as a norm's full text, in place of the one it
// had (its link stays).
func (s *Server) normTextUpload(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	ups, closeAll := formUploads(r, "file")
	defer closeAll()
	if len(ups) == 0 {
		s.k.Fail(w, r, errs.Fields("choose a file", map[string]string{"file": "required"}))
		return
	}
	n, err := s.Regulation.AttachText(r.Context(), httpkit.Principal(r), r.PathValue("code"), httpkit.PostForm(r).Version(),
		ups[0].Name, ups[0].R)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/normas/"+url.PathEscape(n.Code)+"?ok=saved", http.StatusSeeOther)
}

// The calendar's forms: a holiday or the UIT of a year, added, changed or
// removed by administrators (the domain authorises and audits each).
func (s *Server) calendarFormRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /normas/feriados/nuevo", s.holidayForm)
	mux.HandleFunc("GET /normas/feriados/{day}/editar", s.holidayForm)
	mux.HandleFunc("POST /normas/feriados", s.holidaySave)
	mux.HandleFunc("POST /normas/feriados/{day}/borrar", s.holidayDelete)
	mux.HandleFunc("GET /normas/uit/nuevo", s.uitForm)
	mux.HandleFunc("GET /normas/uit/{year}/editar", s.uitForm)
	mux.HandleFunc("POST /normas/uit", s.uitSave)
	mux.HandleFunc("POST /normas/uit/{year}/borrar", s.uitDelete)
}

// calendarEditor is the request's administrator, or false once it has
// answered (a login page, or Forbidden).
func (s *Server) calendarEditor(w http.ResponseWriter, r *http.Request) bool {
	if s.requireLogin(w, r) == nil {
		return false
	}
	if !workdays.CanEdit(httpkit.Principal(r)) {
		s.k.Fail(w, r, errs.E(errs.Forbidden, "only administrators change the calendar"))
		return false
	}
	return true
}

// holidayFormExtra is what the holiday form chooses from; Day is the day
// edited ("" for a new one).
type holidayFormExtra struct {
	Kinds []string
	Day   string
}

func (s *Server) holidayForm(w http.ResponseWriter, r *http.Request) {
	if !s.calendarEditor(w, r) {
		return
	}
	h, extra := workdays.Holiday{Kind: "national"}, holidayFormExtra{Kinds: termCodes(workdays.Kinds)}
	if day := r.PathValue("day"); day != "" {
		d, err := workdays.ParseDate(day)
		var list []workdays.Holiday
		if err == nil {
			list, err = s.Workdays.Holidays(r.Context(), d.Year())
		}
		i := slices.IndexFunc(list, func(h workdays.Holiday) bool { return h.Day == day })
		if err == nil && i < 0 {
			err = errs.E(errs.NotFound, "no holiday on %s", day)
		}
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		h, extra.Day = list[i], day
	}
	s.render(w, r, http.StatusOK, "regulation_holiday_form.html", i18n.T(httpkit.Lang(r), "rules.holiday_form"), formPage{Values: h, Extra: extra})
}

func (s *Server) holidaySave(w http.ResponseWriter, r *http.Request) {
	if !s.calendarEditor(w, r) {
		return
	}
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	h := workdays.Holiday{Day: v("day"), Name: v("name"), Kind: v("kind"), Source: v("source"), Version: httpkit.PostForm(r).Version()}
	extra := holidayFormExtra{Kinds: termCodes(workdays.Kinds)}
	if h.Version != 0 {
		extra.Day = h.Day
	}
	saved, err := s.Workdays.Put(r.Context(), httpkit.Principal(r), h)
	if err != nil {
		if st := httpkit.StaleOf(err); st != nil {
			if current, ok := st.Current.(workdays.Holiday); ok {
				h.Version = current.Version
			}
		}
		s.formFailed(w, r, "regulation_holiday_form.html", i18n.T(httpkit.Lang(r), "rules.holiday_form"), h, extra, err)
		return
	}
	http.Redirect(w, r, "/normas/feriados?anio="+saved.Day[:4]+"&ok=saved", http.StatusSeeOther)
}

func (s *Server) holidayDelete(w http.ResponseWriter, r *http.Request) {
	if !s.calendarEditor(w, r) {
		return
	}
	day := r.PathValue("day")
	if err := s.Workdays.Delete(r.Context(), httpkit.Principal(r), day, httpkit.PostForm(r).Version()); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/normas/feriados?anio="+url.QueryEscape(day[:min(4, len(day))])+"&ok=deleted", http.StatusSeeOther)
}

func (s *Server) uitForm(w http.ResponseWriter, r *http.Request) {
	if !s.calendarEditor(w, r) {
		return
	}
	u, editing := regulation.UIT{}, false
	if r.PathValue("year") != "" {
		year, err := httpkit.PathYear(r, "year")
		if err == nil {
			u, err = s.Regulation.UIT(r.Context(), year)
		}
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		editing = true
	}
	s.render(w, r, http.StatusOK, "regulation_uit_form.html", i18n.T(httpkit.Lang(r), "rules.uit_form"), formPage{Values: u, Extra: editing})
}

func (s *Server) uitSave(w http.ResponseWriter, r *http.Request) {
	if !s.calendarEditor(w, r) {
		return
	}
	form := httpkit.PostForm(r)
	u := regulation.UIT{Year: form.Int("year", 0), Source: strings.TrimSpace(r.PostFormValue("source")), Version: form.Version()}
	if v := form.Number("value_pen"); v != nil {
		u.ValuePEN = *v
	}
	var saved regulation.UIT
	err := form.Err("the UIT has invalid fields")
	if err == nil {
		saved, err = s.Regulation.PutUIT(r.Context(), httpkit.Principal(r), u)
	}
	if err != nil {
		if st := httpkit.StaleOf(err); st != nil {
			if current, ok := st.Current.(regulation.UIT); ok {
				u.Version = current.Version
			}
		}
		s.formFailed(w, r, "regulation_uit_form.html", i18n.T(httpkit.Lang(r), "rules.uit_form"), u, u.Version != 0, err)
		return
	}
	http.Redirect(w, r, "/normas/feriados?ok=saved#uit-"+strconv.Itoa(saved.Year), http.StatusSeeOther)
}

func (s *Server) uitDelete(w http.ResponseWriter, r *http.Request) {
	if !s.calendarEditor(w, r) {
		return
	}
	year, err := httpkit.PathYear(r, "year")
	if err == nil {
		err = s.Regulation.DeleteUIT(r.Context(), httpkit.Principal(r), year, httpkit.PostForm(r).Version())
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/normas/feriados?ok=deleted#uit", http.StatusSeeOther)
}

// The export requirements' forms, for editors; many at once come by import.
func (s *Server) requirementFormRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /normas/requisitos/nuevo", s.requirementForm)
	mux.HandleFunc("GET /normas/requisitos/{code}/editar", s.requirementForm)
	mux.HandleFunc("POST /normas/requisitos", s.requirementSave)
	mux.HandleFunc("POST /normas/requisitos/{code}", s.requirementSave)
	mux.HandleFunc("POST /normas/requisitos/{code}/borrar", s.requirementDelete)
}

func (s *Server) requirementForm(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	p := httpkit.Principal(r)
	f := ruleForm{ruleVocab: rulesVocab}
	q := regulation.Requirement{Kind: "sanitary_certificate"}
	if code := r.PathValue("code"); code != "" {
		v, err := s.Regulation.ExportRequirement(r.Context(), p, code)
		if err == nil {
			err = auth.Authorize(p, v.Owner())
		}
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		q, f.Code = v, v.Code
	} else if err := auth.Authorize(p, regulation.NewOwner(p)); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "regulation_requirement_form.html", i18n.T(httpkit.Lang(r), "rules.requirement_form"), formPage{Values: q, Extra: f})
}

func (s *Server) requirementSave(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	form := httpkit.PostForm(r)
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	q := regulation.Requirement{Code: v("code"), Product: v("product"), Kind: v("kind"), Document: v("document"),
		DocumentEN: v("document_en"), Issuer: v("issuer"), Procedure: v("procedure"), Agreement: v("agreement"),
		Description: v("description"), DescriptionEN: v("description_en"), Norms: splitField(v("norms")), Source: v("source"),
		Draft: r.PostFormValue("draft") != "", Version: form.Version(), Market: form.Int("market", 0),
		RatePct: form.Number("rate_pct"), ValidYear: form.Int("valid_year", 0)}
	f := ruleForm{ruleVocab: rulesVocab, Code: r.PathValue("code")}
	var saved regulation.Requirement
	err := form.Err("the requirement has invalid fields")
	switch {
	case err != nil:
	case f.Code == "":
		saved, err = s.Regulation.CreateRequirement(r.Context(), httpkit.Principal(r), q)
	default:
		saved, err = s.Regulation.UpdateRequirement(r.Context(), httpkit.Principal(r), f.Code, q)
	}
	if err != nil {
		if st := httpkit.StaleOf(err); st != nil {
			if current, ok := st.Current.(regulation.Requirement); ok {
				q.Version = current.Version
			}
		}
		s.formFailed(w, r, "regulation_requirement_form.html", i18n.T(httpkit.Lang(r), "rules.requirement_form"), q, f, err)
		return
	}
	http.Redirect(w, r, requirementsPath(saved)+"&ok=saved", http.StatusSeeOther)
}

func (s *Server) requirementDelete(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	p := httpkit.Principal(r)
	q, err := s.Regulation.ExportRequirement(r.Context(), p, r.PathValue("code"))
	if err == nil {
		err = s.Regulation.DeleteRequirement(r.Context(), p, q.Code, httpkit.PostForm(r).Version())
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, requirementsPath(q)+"&ok=deleted", http.StatusSeeOther)
}

// requirementsPath is the requirements page of a requirement's product and market.
func requirementsPath(q regulation.Requirement) string {
	return "/normas/requisitos?" + url.Values{"producto": {q.Product}, "mercado": {strconv.Itoa(q.Market)}}.Encode()
}
