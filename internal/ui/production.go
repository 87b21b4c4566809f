package ui

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/facts"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/production"
	"sriim/internal/query"
	"sriim/internal/reference"
	"sriim/internal/render"
	"sriim/internal/render/reports"
	"sriim/internal/vocab"
)

func (s *Server) productionRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /produccion", s.productionPage)
	mux.HandleFunc("GET /produccion/grafico.svg", s.productionChart)
	for _, format := range []string{"csv", "xlsx"} {
		mux.HandleFunc("GET /produccion/datos."+format, s.productionData(format))
		mux.HandleFunc("GET /produccion/plantilla."+format, s.productionTemplate(format))
	}
	s.importRoutes(mux, importKind{Base: "/produccion", Title: "production.import", Lead: "import.lead", Back: "module.production",
		can: production.CanCreate,
		run: func(ctx context.Context, p auth.Principal, r io.Reader, name string) (importResult, error) {
			rep, err := s.Production.Import(ctx, p, r, name)
			return importResult{Rows: rep.Rows, Created: rep.Created, Updated: rep.Updated, Unchanged: rep.Unchanged, Encoding: rep.Encoding}, err
		}})
	mux.HandleFunc("GET /produccion/observaciones/nueva", s.observationNewPage)
	mux.HandleFunc("POST /produccion/observaciones", s.observationCreate)
	mux.HandleFunc("GET /produccion/observaciones/{id}", s.observationPage)
	mux.HandleFunc("POST /produccion/observaciones/{id}", s.observationUpdate)
	mux.HandleFunc("POST /produccion/observaciones/{id}/eliminar", s.observationDelete)
}

// productionView is what the production page shows.
type productionView struct {
	Query      production.Query
	Result     production.Result
	Labels     []string // a label per series
	Facts      []production.Observation
	TextFacts  []facts.Fact // figures of the source's text on production (the fleet, fishers, hectares)
	Species    []reference.Species
	Places     []reference.Place
	Names      map[string]string // species and place codes → names
	Canwrite   bool
	Vocabulary map[string][]vocab.Term
}

// Selected reports whether a presentation or origin code is in the selection.
func (v productionView) Selected(dimension, code string) bool {
	list := v.Query.Presentations
	if dimension == "origin" {
		list = v.Query.Origins
	}
	return slices.Contains(list, code)
}

// loadProductionView reads the page's selection and what it shows, with the
// problems of the selection's invalid values, which it leaves out.
func (s *Server) loadProductionView(r *http.Request) (productionView, map[string]string, error) {
	lang := httpkit.Lang(r)
	v := productionView{Names: map[string]string{}, Vocabulary: map[string][]vocab.Term{
		"presentation": production.Presentations, "origin": production.Origins}}
	var err error
	var problems map[string]string
	if v.Query, problems, err = readFilters(r, func(q url.Values) (production.Query, error) { return query.Production(q, false, s.Portal.Defaults) }); err != nil {
		return v, nil, err
	}
	if v.Result, err = s.Production.Series(r.Context(), v.Query); err != nil {
		return v, nil, err
	}
	if v.Facts, err = s.Production.Facts(r.Context(), v.Query.Places, nil); err != nil {
		return v, nil, err
	}
	if v.TextFacts, err = s.Facts.List(r.Context(), facts.Production); err != nil {
		return v, nil, err
	}
	if v.Species, err = s.Reference.Species(r.Context()); err != nil {
		return v, nil, err
	}
	if v.Places, err = s.Reference.Places(r.Context()); err != nil {
		return v, nil, err
	}
	for _, sp := range v.Species {
		v.Names[sp.Code] = sp.Name(lang)
	}
	for _, p := range v.Places {
		v.Names[p.Code] = p.Name(lang)
	}
	v.Labels = seriesLabels(v.Result.Series, v.Names, lang)
	return v, problems, nil
}

// APISelection is the page's selection in the API's parameters.
func (v productionView) APISelection() url.Values {
	q := url.Values{"species": v.Query.Species, "presentation": v.Query.Presentations, "origin": v.Query.Origins, "place": v.Query.Places}
	if v.Query.From != 0 {
		q.Set("from", strconv.Itoa(v.Query.From))
	}
	if v.Query.To != 0 {
		q.Set("to", strconv.Itoa(v.Query.To))
	}
	return q
}

// seriesLabels names each series by what distinguishes it from the others.
func seriesLabels(series []production.Series, names map[string]string, lang i18n.Lang) []string {
	varies := func(get func(production.Series) string) bool {
		for _, s := range series {
			if get(s) != get(series[0]) {
				return true
			}
		}
		return false
	}
	species := varies(func(s production.Series) string { return s.Species })
	place := varies(func(s production.Series) string { return s.Place })
	origin := varies(func(s production.Series) string { return s.Origin })
	source := varies(func(s production.Series) string { return s.Source })
	labels := make([]string, len(series))
	for i, s := range series {
		var parts []string
		if species {
			parts = append(parts, names[s.Species])
		}
		if s.Presentation != "all" || len(parts) == 0 {
			parts = append(parts, i18n.T(lang, "presentation."+s.Presentation))
		}
		if origin {
			parts = append(parts, i18n.T(lang, "origin."+s.Origin))
		}
		if place {
			parts = append(parts, names[s.Place])
		}
		if source {
			parts = append(parts, s.Source)
		}
		labels[i] = strings.Join(parts, " · ")
	}
	return labels
}

func (s *Server) productionPage(w http.ResponseWriter, r *http.Request) {
	v, problems, err := s.loadProductionView(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v.Canwrite = production.CanCreate(httpkit.Principal(r))
	s.renderFiltered(w, r, "production.html", Page{Title: i18n.T(httpkit.Lang(r), "module.production"), Data: v}, problems)
}

func (s *Server) productionChart(w http.ResponseWriter, r *http.Request) {
	v, _, err := s.loadProductionView(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	// One chart per unit (?unidad=; the first by default): lines in tonnes
	// and in kilograms on one axis would mislead.
	var g production.UnitGroup
	if len(v.Result.Units) > 0 {
		g = v.Result.Units[0]
	}
	if unit := r.URL.Query().Get("unidad"); unit != "" {
		g, _ = v.Result.Unit(unit)
	}
	if g.Last == 0 {
		s.k.Fail(w, r, errs.E(errs.NotFound, "no series for this selection"))
		return
	}
	svg, err := reports.ProductionChart(v.Result, v.Query, v.Names, v.Labels, g, httpkit.Lang(r)).Draw(render.SVG)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	httpkit.WriteSVG(w, svg)
}

var productionNumeric = map[string]bool{"anio": true, "mes": true, "anio_hasta": true, "valor": true, "monto": true}

func (s *Server) productionData(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q, err := query.Production(r.URL.Query(), false, s.Portal.Defaults)
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		header, rows, err := s.Production.Export(r.Context(), production.Filter{Species: q.Species, Places: q.Places, From: q.From, To: q.To})
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		s.writeTable(w, r, format, "produccion", header, rows, productionNumeric)
	}
}

// productionTemplate is the blank import template, with one example row.
func (s *Server) productionTemplate(format string) http.HandlerFunc {
	example := []string{"SNE", "fresco", "extraccion", "PE-MOQ", "cantidad", "2007", "", "", "", "", "12.5", "t", "", "",
		"DIREPRO Ilo", "Anuario estadístico 2007", "provisional", "Ejemplo: borre esta fila"}
	return func(w http.ResponseWriter, r *http.Request) {
		s.writeTable(w, r, format, "plantilla-produccion", production.Columns, [][]string{example}, productionNumeric)
	}
}

// observationForm is the observation form's values, as typed.
type observationForm struct {
	ID      int64
	Version int64 // the version the form was read at
	Cells   map[string]string
	// History is the earlier values (when editing), and Keeper the name
	// of the institution that keeps the figure.
	History []production.Revision
	Keeper  string
	Species []reference.Species
	Places  []reference.Place
	Vocab   map[string][]vocab.Term
	// Editable says whether the user may save the form.
	Editable bool
}

// vocabKeys are the interface catalogue's prefixes for the names of the
// form's vocabulary columns.
var vocabKeys = map[string]string{"presentacion": "presentation", "origen": "origin", "medida": "measure", "estado": "status"}

// Display is a cell as people read it in lang: a species' or place's name
// for its code, a vocabulary term's name for its code or Spanish word.
func (f observationForm) Display(lang i18n.Lang, field, value string) string {
	switch field {
	case "especie", "parte_de":
		for _, sp := range f.Species {
			if sp.Code == value {
				return sp.Name(lang)
			}
		}
	case "lugar":
		for _, pl := range f.Places {
			if pl.Code == value {
				return pl.Name(lang)
			}
		}
	}
	if terms, ok := f.Vocab[field]; ok {
		if code, ok := vocab.List(terms).Parse(value); ok {
			return i18n.T(lang, vocabKeys[field]+"."+code)
		}
	}
	return value
}

func (s *Server) observationFormPage(w http.ResponseWriter, r *http.Request, status int, form observationForm, problems map[string]string, msg string, conflict *conflictView) {
	var err error
	if form.Species, err = s.Reference.Species(r.Context()); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if form.Places, err = s.Reference.Places(r.Context()); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	form.Vocab = map[string][]vocab.Term{"presentacion": production.Presentations, "origen": production.Origins,
		"medida": production.Measures, "estado": production.Statuses}
	if form.ID == 0 {
		form.Editable = production.CanCreate(httpkit.Principal(r))
	}
	title := i18n.T(httpkit.Lang(r), "production.new_observation")
	if form.ID != 0 {
		title = i18n.T(httpkit.Lang(r), "production.observation", form.ID)
	}
	s.render(w, r, status, "observation.html", title, formPage{Values: form, Errors: i18n.FieldsText(httpkit.Lang(r), problems), Error: msg, Conflict: conflict})
}

func formCells(r *http.Request) map[string]string {
	cells := map[string]string{}
	for _, c := range production.Columns {
		cells[c] = r.PostFormValue(c)
	}
	return cells
}

func (s *Server) observationNewPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	if !production.CanCreate(httpkit.Principal(r)) {
		s.k.Fail(w, r, errs.E(errs.Forbidden, "your role does not add production figures"))
		return
	}
	s.observationFormPage(w, r, http.StatusOK, observationForm{Cells: map[string]string{
		"especie": "moluscos", "lugar": "PE-MOQ", "presentacion": "todas", "origen": "todos", "medida": "cantidad",
		"unidad": "t", "estado": "provisional"}}, nil, "", nil)
}

// saveObservation creates (id 0) or updates an observation from the form.
func (s *Server) saveObservation(w http.ResponseWriter, r *http.Request, id int64) {
	// Who may save comes first: a form nobody lets them save is not checked for them.
	owner := production.NewOwner(httpkit.Principal(r))
	if id != 0 {
		o, err := s.Production.Observation(r.Context(), id)
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		owner = o.Owner()
	}
	if err := auth.Authorize(httpkit.Principal(r), owner); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	cells := formCells(r)
	version := httpkit.PostForm(r).Version()
	o, problems := production.FromCells(cells)
	o.Version = version
	var err error
	if len(problems) == 0 {
		if id == 0 {
			o, err = s.Production.Create(r.Context(), httpkit.Principal(r), o)
		} else {
			o, err = s.Production.Update(r.Context(), httpkit.Principal(r), id, o)
		}
	}
	if st := httpkit.StaleOf(err); st != nil {
		// Keep what the user typed and show it beside what is stored now.
		current := st.Current.(production.Observation)
		var read map[string]string
		if old, ok := st.Read.(production.Observation); ok {
			read = observationCells(old)
		}
		conflict := newConflict(r, st, production.Columns, read, observationCells(current), cells)
		s.observationFormPage(w, r, http.StatusConflict, observationForm{ID: id, Version: current.Version, Cells: cells, Editable: true}, nil, "", conflict)
		return
	}
	if len(problems) > 0 || errs.Is(err, errs.Invalid) {
		if e, ok := err.(*errs.Error); ok {
			problems = production.FormProblems(e.Fields)
		}
		s.observationFormPage(w, r, http.StatusUnprocessableEntity, observationForm{ID: id, Version: version, Cells: cells, Editable: true}, problems, i18n.T(httpkit.Lang(r), "error.invalid"), nil)
		return
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/produccion/observaciones/%d?ok=saved", o.ID), http.StatusSeeOther)
}

func (s *Server) observationCreate(w http.ResponseWriter, r *http.Request) {
	s.saveObservation(w, r, 0)
}

func (s *Server) observationUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.saveObservation(w, r, id)
}

func (s *Server) observationPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	o, err := s.Production.Observation(r.Context(), id)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	hist, err := s.Portal.History(r.Context(), httpkit.Principal(r), id)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	keeper, err := s.Accounts.Institution(r.Context(), o.InstitutionID)
	if err != nil && !errs.Is(err, errs.NotFound) {
		s.k.Fail(w, r, err)
		return
	}
	s.observationFormPage(w, r, http.StatusOK, observationForm{ID: id, Version: o.Version, Cells: observationCells(o), History: hist,
		Keeper: keeper.Name, Editable: auth.Can(httpkit.Principal(r), o.Owner())}, nil, "", nil)
}

// observationCells are an observation's values as the form's cells.
func observationCells(o production.Observation) map[string]string {
	cells := map[string]string{}
	for i, c := range o.Cells() {
		cells[production.Columns[i]] = c
	}
	return cells
}

func (s *Server) observationDelete(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err == nil {
		version := httpkit.PostForm(r).Version()
		err = s.Production.Delete(r.Context(), httpkit.Principal(r), id, version)
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/produccion?ok=deleted", http.StatusSeeOther)
}

// API
