package ui

import (
	"net/http"
	"net/url"
	"strings"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/regulation"
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
