package ui

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/query"
	"sriim/internal/reference"
	"sriim/internal/vocab"
	"sriim/internal/zones"
)

func (s *Server) actorRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /actores", s.actorsPage)
	mux.HandleFunc("GET /actores/nuevo", s.actorNewPage)
	mux.HandleFunc("POST /actores", s.actorCreate)
	s.importRoutes(mux, importKind{Base: "/actores", Title: "actors.import", Lead: "actors.import_lead", Back: "module.actors",
		can: actors.CanCreate,
		run: func(ctx context.Context, p auth.Principal, r io.Reader, name string) (importResult, error) {
			rep, err := s.Actors.Import(ctx, p, r, name)
			res := importResult{Rows: rep.Rows, Created: rep.Created, Updated: rep.Updated, Unchanged: rep.Unchanged, Encoding: rep.Encoding}
			for _, w := range rep.Warnings {
				res.Warnings = append(res.Warnings, w.Message)
			}
			return res, err
		}})
	for _, format := range []string{"csv", "xlsx"} {
		mux.HandleFunc("GET /actores/datos."+format, s.actorsData(format))
		mux.HandleFunc("GET /actores/plantilla."+format, s.actorsTemplate(format))
	}
	mux.HandleFunc("GET /actores/{id}", s.actorPage)
	mux.HandleFunc("GET /actores/{id}/editar", s.actorEditPage)
	mux.HandleFunc("POST /actores/{id}", s.actorUpdate)
	mux.HandleFunc("POST /actores/{id}/desactivar", s.actorSetActive(false))
	mux.HandleFunc("POST /actores/{id}/activar", s.actorSetActive(true))
}

// refLists is the reference data forms and filters offer.
type refLists struct {
	Species   []reference.Species
	Districts []reference.Place
	Names     map[string]string // species and place codes → names
}

func (s *Server) refLists(r *http.Request) (refLists, error) {
	var l refLists
	var err error
	if l.Species, err = s.Reference.Species(r.Context()); err != nil {
		return l, err
	}
	places, err := s.Reference.Places(r.Context())
	if err != nil {
		return l, err
	}
	l.Names = map[string]string{}
	for _, sp := range l.Species {
		l.Names[sp.Code] = sp.Name(httpkit.Lang(r))
	}
	for _, p := range places {
		l.Names[p.Code] = p.Name(httpkit.Lang(r))
		if p.Kind == "district" {
			l.Districts = append(l.Districts, p)
		}
	}
	return l, nil
}

type actorsView struct {
	refLists
	Filter     actors.Filter
	Page       actors.Page
	Indicators []actors.Indicator
	Kinds      []vocab.Term
	Certs      []vocab.Term
	Selection  string // filters as a query string, for pagination and downloads
	CanCreate  bool
}

// PageURL is the address of page n of the list.
func (v actorsView) PageURL(n int) string {
	q, _ := url.ParseQuery(v.Selection)
	q.Set("pagina", strconv.Itoa(n))
	return "/actores?" + q.Encode()
}

// checkActorFilter reads the list's filters from the page's parameters,
// refusing values that are not among the form's choices.
func (l refLists) checkActorFilter(q url.Values) (actors.Filter, error) {
	f := query.Actors(q, false)
	problems := map[string]string{}
	choice := func(field, value string, ok bool) {
		if value != "" && !ok {
			problems[field] = msgChoice
		}
	}
	_, ok := actors.Kinds.Parse(f.Kind)
	choice("tipo", f.Kind, ok)
	_, ok = actors.CertificationKinds.Parse(f.Certification)
	choice("certificacion", f.Certification, ok)
	choice("especie", f.Species, slices.ContainsFunc(l.Species, func(sp reference.Species) bool { return sp.Code == f.Species }))
	choice("distrito", f.District, slices.ContainsFunc(l.Districts, func(p reference.Place) bool { return p.Code == f.District }))
	choice("orden", f.Sort, slices.Contains([]string{"name", "registered", "district"}, f.Sort))
	if page := httpkit.NewForm(q); page.Int("pagina", 1) < 1 || page.Problems() != nil {
		problems["pagina"] = httpkit.MsgWhole
	}
	if len(problems) > 0 {
		return f, errs.Fields("invalid filters", problems)
	}
	return f, nil
}

// APISelection is the list's filters in the API's parameters.
func (v actorsView) APISelection() url.Values {
	q, _ := url.ParseQuery(v.Selection)
	out := url.Values{}
	for k, vals := range q {
		if en, ok := query.ActorAPIParams[k]; ok {
			k = en
		}
		out[k] = vals
	}
	return out
}

func (s *Server) actorsPage(w http.ResponseWriter, r *http.Request) {
	v := actorsView{Kinds: actors.Kinds, Certs: actors.CertificationKinds, CanCreate: actors.CanCreate(httpkit.Principal(r))}
	var err error
	if v.refLists, err = s.refLists(r); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	var problems map[string]string
	if v.Filter, problems, err = readFilters(r, v.refLists.checkActorFilter); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if v.Page, err = s.Actors.List(r.Context(), httpkit.Principal(r), v.Filter); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if v.Indicators, err = s.Actors.Indicators(r.Context()); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	q := r.URL.Query()
	for _, k := range []string{"pagina", "lang", "ok"} {
		q.Del(k)
	}
	for field := range problems {
		q.Del(field)
	}
	v.Selection = q.Encode()
	s.renderFiltered(w, r, "actors.html", Page{Title: i18n.T(httpkit.Lang(r), "module.actors"), Data: v}, problems)
}

type actorView struct {
	refLists
	Actor   actors.Actor
	CanEdit bool
	Today   string
	// Similar are the actors of the same district with a very similar name,
	// right after this one was saved (?parecido=ID).
	Similar []actors.Actor
	// Rights are the aquaculture rights it holds (by its RUC).
	Rights []zones.Feature
	// Exports are its exports by market, when the visitor may see them.
	Exports *exporterSummary
}

func (s *Server) actorPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	a, err := s.Actors.Actor(r.Context(), httpkit.Principal(r), id)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := actorView{Actor: a, CanEdit: auth.Can(httpkit.Principal(r), a.Owner()), Today: s.Actors.Now().Format("2006-01-02")}
	for _, other := range httpkit.NewForm(r.URL.Query()).IDs("parecido") {
		if other != id {
			if o, err := s.Actors.Actor(r.Context(), httpkit.Principal(r), other); err == nil {
				v.Similar = append(v.Similar, o)
			}
		}
	}
	if v.refLists, err = s.refLists(r); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if v.Rights, err = s.Zones.RightsOfHolder(r.Context(), a.RUC); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if v.Exports, err = s.exporterSummary(w, r, a.ID, a.RUC); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "actor.html", a.Name, v)
}

// actorForm is the actor form: its cells as typed, and the choices it offers.
type actorForm struct {
	refLists
	ID       int64
	Version  int64 // the version the form was read at
	Cells    map[string]string
	Multi    map[string][]string // tipos, especies, presentaciones
	Certs    []actors.Certification
	Kinds    []vocab.Term
	CertKind []vocab.Term
	Pres     []vocab.Term
	Finance  []vocab.Term
	Warnings []actors.Warning
	// PlanKindsLocked: the user may not change the kinds the plan's
	// indicators count (a member editing its own actor).
	PlanKindsLocked bool
}

// Locked reports whether the form shows kind code without letting the user change it.
func (f actorForm) Locked(code string) bool {
	return f.PlanKindsLocked && slices.Contains(actors.PlanKinds, code)
}

// Has reports whether a multiple-choice field holds code.
func (f actorForm) Has(field, code string) bool {
	for _, v := range f.Multi[field] {
		if v == code {
			return true
		}
	}
	return false
}

func (s *Server) actorFormPage(w http.ResponseWriter, r *http.Request, status int, f actorForm, problems map[string]string, msg string, conflict *conflictView) {
	var err error
	if f.refLists, err = s.refLists(r); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	f.Kinds, f.CertKind, f.Pres, f.Finance = actors.Kinds, actors.CertificationKinds, actors.Presentations, actors.FinancingTypes
	for len(f.Certs) < 3 {
		f.Certs = append(f.Certs, actors.Certification{})
	}
	title := i18n.T(httpkit.Lang(r), "actors.new")
	if f.ID != 0 {
		title = i18n.T(httpkit.Lang(r), "action.edit") + ": " + f.Cells["nombre"]
	}
	s.render(w, r, status, "actor_form.html", title, formPage{Values: f, Errors: i18n.FieldsText(httpkit.Lang(r), problems), Error: msg, Conflict: conflict})
}

// formOf fills the form from an actor.
func formOf(a actors.Actor) actorForm {
	cells := map[string]string{}
	for i, v := range a.Row() {
		cells[actors.Columns[i]] = v
	}
	cells["distrito"] = a.District
	return actorForm{ID: a.ID, Version: a.Version, Cells: cells, Certs: a.Certifications,
		Multi: map[string][]string{"tipos": a.Kinds, "especies": a.Species, "presentaciones": a.Presentations}}
}

// actorFromForm reads the posted form into an actor.
func actorFromForm(r *http.Request) (actors.Actor, actorForm, map[string]string) {
	_ = r.ParseForm()
	f := actorForm{Cells: map[string]string{}, Multi: map[string][]string{}}
	for _, c := range actors.Columns {
		f.Cells[c] = strings.TrimSpace(r.PostFormValue(c))
	}
	for _, c := range []string{"tipos", "especies", "presentaciones"} {
		f.Multi[c] = r.PostForm[c]
		f.Cells[c] = strings.Join(r.PostForm[c], ";")
	}
	for _, c := range []string{"contacto_publico", "correo_publico", "telefono_publico"} {
		f.Cells[c] = yesNo(r.PostFormValue(c) == "on")
	}
	var certs []string
	for i := 0; i < 3; i++ {
		n := strconv.Itoa(i)
		c := actors.Certification{Kind: r.PostFormValue("cert_kind_" + n), Number: strings.TrimSpace(r.PostFormValue("cert_number_" + n)),
			Issuer: strings.TrimSpace(r.PostFormValue("cert_issuer_" + n)), ValidTo: strings.TrimSpace(r.PostFormValue("cert_valid_" + n))}
		f.Certs = append(f.Certs, c)
		if c.Kind != "" {
			certs = append(certs, strings.Join([]string{c.Kind, c.Number, c.Issuer, c.ValidTo}, "|"))
		}
	}
	f.Cells["certificaciones"] = strings.Join(certs, ";")
	// The edit form carries the actor's state unchanged; a new one is active.
	f.Cells["activo"] = cmp.Or(r.PostFormValue("activo"), "si")
	f.Version = httpkit.PostForm(r).Version()
	a, problems := actors.FromCells(func(c string) string { return f.Cells[c] })
	a.Version = f.Version
	return a, f, problems
}

func yesNo(b bool) string {
	if b {
		return "si"
	}
	return "no"
}

func (s *Server) actorNewPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	if !actors.CanCreate(httpkit.Principal(r)) {
		s.k.Fail(w, r, errs.E(errs.Forbidden, "your role does not register actors"))
		return
	}
	s.actorFormPage(w, r, http.StatusOK, actorForm{Cells: map[string]string{}, Multi: map[string][]string{}}, nil, "", nil)
}

func (s *Server) actorEditPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	a, err := s.Actors.Actor(r.Context(), httpkit.Principal(r), id)
	if err == nil {
		err = auth.Authorize(httpkit.Principal(r), a.Owner())
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	f := formOf(a)
	f.PlanKindsLocked = !auth.Can(httpkit.Principal(r), auth.Owner{Institution: a.InstitutionID})
	s.actorFormPage(w, r, http.StatusOK, f, nil, "", nil)
}

// saveActor creates (id 0) or updates an actor from the form.
func (s *Server) saveActor(w http.ResponseWriter, r *http.Request, id int64) {
	// Who may save comes first: a form nobody lets them save is not checked for them.
	var err error
	switch p := httpkit.Principal(r); {
	case p.Anonymous():
		err = errs.E(errs.Unauthenticated, "log in to make changes")
	case id == 0 && !actors.CanCreate(p):
		err = errs.E(errs.Forbidden, "your role does not register actors")
	case id != 0:
		var before actors.Actor
		if before, err = s.Actors.Actor(r.Context(), p, id); err == nil {
			err = auth.Authorize(p, before.Owner())
		}
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	a, form, problems := actorFromForm(r)
	form.ID = id
	var before actors.Actor
	var warnings []actors.Warning
	if len(problems) == 0 {
		if id == 0 {
			a, warnings, err = s.Actors.Create(r.Context(), httpkit.Principal(r), a)
		} else {
			if before, err = s.Actors.Actor(r.Context(), httpkit.Principal(r), id); err == nil {
				form.PlanKindsLocked = !auth.Can(httpkit.Principal(r), auth.Owner{Institution: before.InstitutionID})
				a, err = s.Actors.Update(r.Context(), httpkit.Principal(r), id, a)
			}
		}
	}
	if st := httpkit.StaleOf(err); st != nil {
		// Keep what the user typed and show it beside what is stored now.
		current := st.Current.(actors.Actor)
		var read map[string]string
		if old, ok := st.Read.(actors.Actor); ok {
			read = formOf(old).Cells
		}
		conflict := newConflict(r, st, actors.Columns, read, formOf(current).Cells, form.Cells)
		form.Version = current.Version
		s.actorFormPage(w, r, http.StatusConflict, form, nil, "", conflict)
		return
	}
	if e, ok := err.(*errs.Error); ok && (e.Kind == errs.Invalid || e.Kind == errs.Forbidden) && len(e.Fields) > 0 {
		problems = actors.FormProblems(e.Fields)
		msg := i18n.T(httpkit.Lang(r), "error.invalid")
		if e.Kind == errs.Forbidden {
			msg, _ = s.k.PageError(r, e)
		}
		s.actorFormPage(w, r, httpkit.StatusOf(e.Kind), form, problems, msg, nil)
		return
	}
	if len(problems) > 0 {
		s.actorFormPage(w, r, http.StatusUnprocessableEntity, form, problems, i18n.T(httpkit.Lang(r), "error.invalid"), nil)
		return
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	// The actor's page names and links the look-alikes.
	q := url.Values{"ok": {"saved"}}
	for _, w := range warnings {
		q.Add("parecido", strconv.FormatInt(w.ActorID, 10))
	}
	http.Redirect(w, r, fmt.Sprintf("/actores/%d?%s", a.ID, q.Encode()), http.StatusSeeOther)
}

func (s *Server) actorCreate(w http.ResponseWriter, r *http.Request) { s.saveActor(w, r, 0) }

func (s *Server) actorUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.saveActor(w, r, id)
}

func (s *Server) actorSetActive(active bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := httpkit.PathID(r, "id")
		if err == nil {
			_, err = s.Actors.SetActive(r.Context(), httpkit.Principal(r), id, active, 0)
		}
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/actores/%d?ok=saved", id), http.StatusSeeOther)
	}
}

func (s *Server) actorsData(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := query.Actors(r.URL.Query(), false)
		f.PerPage, f.Page = 200, 1
		var rows [][]string
		for {
			page, err := s.Actors.List(r.Context(), httpkit.Principal(r), f)
			if err != nil {
				s.k.Fail(w, r, err)
				return
			}
			for _, a := range page.Actors {
				rows = append(rows, a.Row())
			}
			if f.Page >= page.Pages() {
				break
			}
			f.Page++
		}
		s.writeTable(w, r, format, "actores", actors.Columns, rows, map[string]bool{"latitud": true, "longitud": true})
	}
}

func (s *Server) actorsTemplate(format string) http.HandlerFunc {
	example := []string{"", "Asociación de Buzos Ejemplo", "", "organizacion_productores; extractor", "Ilo", "", "-17.64", "-71.34",
		"Ejemplo: borre esta fila", "", "", "Nombre de contacto", "si", "correo@example.org", "no", "", "no", "SNE; QDM", "fresco", "",
		"", "", "", "", "haccp|H-1|ITP|2030-12-31", "si"}
	return func(w http.ResponseWriter, r *http.Request) {
		s.writeTable(w, r, format, "plantilla-actores", actors.Columns, [][]string{example}, nil)
	}
}

// API
