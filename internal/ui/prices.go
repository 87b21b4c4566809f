package ui

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/prices"
	"sriim/internal/query"
	"sriim/internal/reference"
	"sriim/internal/render"
	"sriim/internal/render/reports"
)

// pricesRoutes registers the prices' pages: the latest prices, a page per
// species with its levels side by side, its chart and downloads, the
// margin, alerts for signed-in users, and entry and import for editors.
func (s *Server) pricesRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /mercados/precios", s.pricesPage)
	mux.HandleFunc("GET /mercados/precios/nuevo", s.priceFormPage)
	mux.HandleFunc("POST /mercados/precios", s.priceCreate)
	mux.HandleFunc("GET /mercados/precios/{id}/editar", s.priceEditPage)
	mux.HandleFunc("POST /mercados/precios/{id}/editar", s.priceUpdate)
	mux.HandleFunc("POST /mercados/precios/{id}/eliminar", s.priceDelete)
	mux.HandleFunc("POST /mercados/precios/alertas", s.priceAlertCreate)
	mux.HandleFunc("POST /mercados/precios/alertas/{id}/borrar", s.priceAlertDelete)
	for _, format := range []string{"csv", "xlsx"} {
		mux.HandleFunc("GET /mercados/precios/precios."+format, s.pricesData(format))
		mux.HandleFunc("GET /mercados/precios/plantilla."+format, s.pricesTemplate(format))
		mux.HandleFunc("GET /mercados/precios/{species}/serie."+format, s.priceSeriesTable(format))
	}
	mux.HandleFunc("GET /mercados/precios/{species}", s.speciesPricesPage)
	mux.HandleFunc("GET /mercados/precios/{species}/grafico.svg", s.speciesPricesChart)
	s.importRoutes(mux, importKind{Base: "/mercados/precios", Title: "prices.import", Lead: "prices.import_lead", Back: "prices.title",
		can: prices.CanCreate,
		run: func(ctx context.Context, p auth.Principal, r io.Reader, filename string) (importResult, error) {
			rep, err := s.Prices.Import(ctx, p, r, filename)
			return importResult{Rows: rep.Rows, Created: rep.Created, Updated: rep.Updated, Unchanged: rep.Unchanged}, err
		}})
	// Soles per US dollar, which the margin needs and the seed does not ship.
	s.importRoutes(mux, importKind{Base: "/mercados/precios/tipo-de-cambio", Title: "prices.exchange_import", Lead: "prices.exchange_import_lead",
		Back: "prices.title", can: mayLoadIndex,
		run: func(ctx context.Context, p auth.Principal, r io.Reader, _ string) (importResult, error) {
			n, err := s.Prices.LoadIndex(ctx, p, prices.ExchangeSeries, r)
			return importResult{Rows: n, Created: n}, err
		}})
	for _, format := range []string{"csv", "xlsx"} {
		mux.HandleFunc("GET /mercados/precios/tipo-de-cambio/plantilla."+format, func(w http.ResponseWriter, r *http.Request) {
			s.writeTable(w, r, format, "plantilla-tipo-de-cambio", []string{"anio", "mes", "valor", "fuente"},
				[][]string{{"2023", "1", "3.8", "BCRP, tipo de cambio bancario promedio del periodo (S/ por US$)"}}, map[string]bool{"anio": true, "mes": true, "valor": true})
		})
	}
}

// mayLoadIndex reports whether p may load an index series (shared reference
// data: administrators, and editors granted it).
func mayLoadIndex(p auth.Principal) bool { return auth.Can(p, auth.Owner{Reference: true}) }

// pricesView is the prices' index: the latest prices of every species.
type pricesView struct {
	Latest    []prices.Price
	Species   map[string]reference.Species
	Places    map[string]reference.Place
	Alerts    []prices.Alert
	Editable  map[int64]bool // the latest prices the visitor may change
	CanCreate bool
	CanIndex  bool // may load soles per US dollar
}

// PriceTable is the view's latest prices as the prices_latest partial shows them.
func (v pricesView) PriceTable(lang i18n.Lang) priceTable {
	return priceTable{Lang: lang, Latest: v.Latest, species: v.Species, places: v.Places, editable: v.Editable}
}

// priceTable is a list of prices with what names their species and places
// in a language: what the prices_latest partial shows.
type priceTable struct {
	Lang     i18n.Lang
	Latest   []prices.Price
	species  map[string]reference.Species
	places   map[string]reference.Place
	editable map[int64]bool // the prices the visitor may change
}

// CanEdit reports whether the visitor may change the price id (its link).
func (t priceTable) CanEdit(id int64) bool { return t.editable[id] }

// T translates key into the table's language.
func (t priceTable) T(key string, args ...any) string { return i18n.T(t.Lang, key, args...) }

// SpeciesName names a species (its code when unknown).
func (t priceTable) SpeciesName(code string) string {
	if x, ok := t.species[code]; ok {
		return x.Name(t.Lang)
	}
	return code
}

// PlaceName names a place (its code when unknown: a country's ISO code).
func (t priceTable) PlaceName(code string) string {
	if x, ok := t.places[code]; ok {
		return x.Name(t.Lang)
	}
	return code
}

// latestPrices is a species' latest prices, for its public page.
func (s *Server) latestPrices(ctx context.Context, species string, lang i18n.Lang, n int) (priceTable, error) {
	t := priceTable{Lang: lang}
	var err error
	if t.species, t.places, err = s.priceNames(ctx); err == nil {
		t.Latest, err = s.Prices.List(ctx, prices.ListQuery{Species: species, Limit: n})
	}
	return t, err
}

// names reads the species and places by code, to name prices.
func (s *Server) priceNames(ctx context.Context) (map[string]reference.Species, map[string]reference.Place, error) {
	species, err := s.Reference.Species(ctx)
	if err != nil {
		return nil, nil, err
	}
	places, err := s.Reference.Places(ctx)
	if err != nil {
		return nil, nil, err
	}
	sp, pl := map[string]reference.Species{}, map[string]reference.Place{}
	for _, x := range species {
		sp[x.Code] = x
	}
	for _, x := range places {
		pl[x.Code] = x
	}
	return sp, pl, nil
}

func (s *Server) pricesPage(w http.ResponseWriter, r *http.Request) {
	ctx, p := r.Context(), httpkit.Principal(r)
	v := pricesView{CanCreate: prices.CanCreate(p), CanIndex: mayLoadIndex(p)}
	var err error
	if v.Species, v.Places, err = s.priceNames(ctx); err == nil {
		if v.Latest, err = s.Prices.List(ctx, prices.ListQuery{Limit: 50}); err == nil && !p.Anonymous() {
			v.Alerts, err = s.Prices.Alerts(ctx, p)
		}
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v.Editable = editablePrices(p, v.Latest)
	lang := httpkit.Lang(r)
	s.renderPublic(w, r, "prices.html", i18n.T(lang, "prices.title"), i18n.T(lang, "prices.lead"), v, nil, "")
}

// levelSeries is one market level's series on a species' page.
type levelSeries struct {
	Level  string
	Series prices.Series
	Means  map[string]prices.Point // by period
}

// speciesPricesView is a species' price page.
type speciesPricesView struct {
	Species     reference.Species
	AllSpecies  map[string]reference.Species
	Query       prices.SeriesQuery
	Periods     []string
	Levels      []levelSeries
	Margin      []prices.MarginPoint
	Latest      []prices.Price
	Places      map[string]reference.Place
	LandingSite []reference.Place // for the place and the alert's choice
	Alerts      []prices.Alert    // the user's, for this species
	Editable    map[int64]bool    // the latest prices the visitor may change
	CanCreate   bool
	SignedIn    bool
}

// PriceTable is the view's latest prices as the prices_latest partial shows them.
func (v speciesPricesView) PriceTable(lang i18n.Lang) priceTable {
	return priceTable{Lang: lang, Latest: v.Latest, species: v.AllSpecies, places: v.Places, editable: v.Editable}
}

// speciesSeries computes each level's series of a species' page. The
// levels kept in soles (beach, wholesale, retail) follow the query's
// constant year; the export price stays in US$ FOB as declared.
func (s *Server) speciesSeries(ctx context.Context, q prices.SeriesQuery) ([]levelSeries, []string, error) {
	var out []levelSeries
	for _, level := range priceLevels {
		lq := q
		lq.Level = level
		if level == "export_fob" {
			lq.Place, lq.Currency, lq.ConstantYear = "", "USD", 0
		}
		series, err := s.Prices.Series(ctx, lq)
		if err != nil {
			return nil, nil, err
		}
		ls := levelSeries{Level: level, Series: series, Means: map[string]prices.Point{}}
		for _, p := range series.Points {
			ls.Means[p.Period] = p
		}
		out = append(out, ls)
	}
	from, to := q.From, q.To
	if q.By != "year" {
		from.Month, to.Month = max(from.Month, 1), max(to.Month, 1)
		if q.To.Month == 0 {
			to.Month = 12
		}
	} else {
		from.Month, to.Month = 0, 0
	}
	return out, reports.PeriodLabels(from, to), nil
}

// readSpeciesQuery reads a species page's selection (the level is each of them).
func (s *Server) readSpeciesQuery(ctx context.Context, species string, v url.Values) (prices.SeriesQuery, error) {
	v2 := url.Values{}
	for k, x := range v {
		v2[k] = x
	}
	v2.Set("species", species)
	v2.Del("level")
	v2.Del("currency")
	if v2.Get("by") == "" {
		v2.Set("by", "year")
	}
	q, err := query.PriceSeries(ctx, v2, s.Prices)
	if err != nil {
		return q, err
	}
	if q.By != "month" && q.By != "year" {
		return q, errs.Fields("invalid parameter", map[string]string{"by": msgChoice})
	}
	return q, nil
}

// priceSpecies reads the page's species from the path: a known species' code.
func (s *Server) priceSpecies(r *http.Request) (reference.Species, map[string]reference.Species, map[string]reference.Place, error) {
	code := strings.ToUpper(r.PathValue("species"))
	species, places, err := s.priceNames(r.Context())
	if err != nil {
		return reference.Species{}, nil, nil, err
	}
	sp, ok := species[code]
	if !ok {
		return sp, nil, nil, httpkit.ErrNotFound
	}
	return sp, species, places, nil
}

func (s *Server) speciesPricesPage(w http.ResponseWriter, r *http.Request) {
	ctx, p := r.Context(), httpkit.Principal(r)
	sp, species, places, err := s.priceSpecies(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	q, problems, err := readFilters(r, func(v url.Values) (prices.SeriesQuery, error) { return s.readSpeciesQuery(ctx, sp.Code, v) })
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := speciesPricesView{Species: sp, AllSpecies: species, Query: q, Places: places, CanCreate: prices.CanCreate(p), SignedIn: !p.Anonymous()}
	for _, pl := range places {
		if pl.Kind == "landing_site" {
			v.LandingSite = append(v.LandingSite, pl)
		}
	}
	sortPlaces(v.LandingSite)
	v.Levels, v.Periods, err = s.speciesSeries(ctx, q)
	if err != nil {
		var e *errs.Error
		if !errors.As(err, &e) || e.Kind != errs.Invalid || len(e.Fields) == 0 {
			s.k.Fail(w, r, err)
			return
		}
		// A selection the series refuse (constant prices of a year the CPI lacks…):
		// the nominal series, with the problems by their fields.
		_, problems = s.k.PageError(r, e)
		q.ConstantYear = 0
		v.Query = q
		if v.Levels, v.Periods, err = s.speciesSeries(ctx, q); err != nil {
			s.k.Fail(w, r, err)
			return
		}
	}
	if v.Margin, err = s.Prices.Margin(ctx, sp.Code, q.Place, "", q.From, q.To, q.By); err == nil {
		if v.Latest, err = s.Prices.List(ctx, prices.ListQuery{Species: sp.Code, Limit: 10}); err == nil && v.SignedIn {
			var all []prices.Alert
			all, err = s.Prices.Alerts(ctx, p)
			for _, a := range all {
				if a.Species == sp.Code {
					v.Alerts = append(v.Alerts, a)
				}
			}
		}
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v.Editable = editablePrices(p, v.Latest)
	lang := httpkit.Lang(r)
	s.renderFiltered(w, r, "prices_species.html", Page{Title: i18n.T(lang, "prices.species_title", sp.Name(lang)), Data: v,
		Description: i18n.T(lang, "prices.lead")}, problems)
}

// sortPlaces orders places by their Spanish name.
func sortPlaces(list []reference.Place) {
	slices.SortFunc(list, func(a, b reference.Place) int { return strings.Compare(a.NameES, b.NameES) })
}

// speciesPricesChart draws the species' levels kept in soles over time
// (reports.PricesChart).
func (s *Server) speciesPricesChart(w http.ResponseWriter, r *http.Request) {
	sp, _, _, err := s.priceSpecies(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	q, err := s.readSpeciesQuery(r.Context(), sp.Code, r.URL.Query())
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	levels, periods, err := s.speciesSeries(r.Context(), q)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	series := make([]prices.Series, len(levels))
	for i, ls := range levels {
		series[i] = ls.Series
	}
	lang := httpkit.Lang(r)
	c, err := reports.PricesChart(sp.Name(lang), q, series, periods, lang)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	svg, err := c.Draw(render.SVG)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	httpkit.WriteSVG(w, svg)
}

// priceSeriesTable downloads a species' series, one row per level and
// period: mean, n, method, min and max (and the nominal mean beside a
// constant one).
func (s *Server) priceSeriesTable(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sp, _, _, err := s.priceSpecies(r)
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		q, err := s.readSpeciesQuery(r.Context(), sp.Code, r.URL.Query())
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		levels, _, err := s.speciesSeries(r.Context(), q)
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		header := []string{"especie", "nivel", "lugar", "moneda", "periodo", "precio_medio", "precio_nominal", "n", "metodo", "minimo", "maximo", "soles_constantes_de"}
		numeric := map[string]bool{"precio_medio": true, "precio_nominal": true, "n": true, "minimo": true, "maximo": true}
		num := func(p *float64) string {
			if p == nil {
				return ""
			}
			return strconv.FormatFloat(*p, 'f', -1, 64)
		}
		var rows [][]string
		for _, ls := range levels {
			constant := ""
			if ls.Series.ConstantYear != 0 {
				constant = strconv.Itoa(ls.Series.ConstantYear)
			}
			for _, pt := range ls.Series.Points {
				rows = append(rows, []string{sp.Code, levelName(ls.Level), ls.Series.Place, ls.Series.Currency, pt.Period, num(pt.Mean), num(pt.Nominal),
					strconv.Itoa(pt.N), pt.Method, strconv.FormatFloat(pt.Min, 'f', -1, 64), strconv.FormatFloat(pt.Max, 'f', -1, 64), constant})
			}
		}
		s.writeTable(w, r, format, "precios-"+strings.ToLower(sp.Code), header, rows, numeric)
	}
}

func (s *Server) pricesData(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		header, rows, err := s.Prices.Export(r.Context())
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		s.writeTable(w, r, format, "precios", header, rows, map[string]bool{"precio": true, "precio_hasta": true, "cantidad_kg": true})
	}
}

func (s *Server) pricesTemplate(format string) http.HandlerFunc {
	example := []string{"SNE", "fresco", "playa", "DPA-ILO", "15/03/2024", "S/", "10.50", "", "120", "DIREPRO Ilo, encuesta de precios en playa", "", ""}
	return func(w http.ResponseWriter, r *http.Request) {
		s.writeTable(w, r, format, "plantilla-precios", prices.Columns, [][]string{example}, map[string]bool{"precio": true, "cantidad_kg": true})
	}
}

// priceFormView is the form that records a price, or changes or deletes
// a recorded one (ID, at Version).
type priceFormView struct {
	Values      map[string]string
	ID, Version int64
	Species     []reference.Species
	Places      []reference.Place
	Errors      map[string]string
	Message     string
	// Conflict, after a stale save or deletion, shows the stored values beside the user's.
	Conflict *conflictView
}

func (s *Server) priceFormPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	if !prices.CanCreate(httpkit.Principal(r)) {
		s.k.Fail(w, r, errs.E(errs.Forbidden, "your role does not record prices"))
		return
	}
	s.renderPriceForm(w, r, http.StatusOK, priceFormView{Values: map[string]string{"especie": strings.ToUpper(r.URL.Query().Get("species")), "nivel": "playa", "moneda": "S/"}}, nil)
}

func (s *Server) renderPriceForm(w http.ResponseWriter, r *http.Request, status int, v priceFormView, formErr error) {
	var err error
	if v.Species, err = s.Reference.Species(r.Context()); err == nil {
		v.Places, err = s.Reference.Places(r.Context())
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	sortPlaces(v.Places)
	if formErr != nil {
		var e *errs.Error
		if !errors.As(formErr, &e) || e.Kind != errs.Invalid && e.Kind != errs.Conflict {
			s.k.Fail(w, r, formErr)
			return
		}
		v.Message, v.Errors = s.k.PageError(r, e)
	}
	title := i18n.T(httpkit.Lang(r), "prices.new")
	if v.ID != 0 {
		title = i18n.T(httpkit.Lang(r), "prices.edit")
	}
	s.render(w, r, status, "prices_form.html", title, v)
}

// priceFormValues are the price form's fields as typed (the template's columns).
func priceFormValues(r *http.Request) map[string]string {
	values := map[string]string{}
	for _, c := range prices.Columns {
		values[c] = strings.TrimSpace(r.PostFormValue(c))
	}
	return values
}

// priceCells are a price's fields as the form shows them (nil for none):
// the template's columns, the currency as the form's choice.
func priceCells(pr *prices.Price) map[string]string {
	if pr == nil {
		return nil
	}
	cells := map[string]string{}
	for i, v := range pr.Row() {
		cells[prices.Columns[i]] = v
	}
	cells["moneda"] = map[string]string{"PEN": "S/", "USD": "US$"}[pr.Currency]
	return cells
}

// editablePrice reads the price of the request's path, when its user may change it.
func (s *Server) editablePrice(r *http.Request) (prices.Price, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return prices.Price{}, err
	}
	pr, err := s.Prices.Price(r.Context(), id)
	if err == nil {
		err = auth.Authorize(httpkit.Principal(r), pr.Owner())
	}
	return pr, err
}

// editablePrices marks the prices of list that p may change, for their links.
func editablePrices(p auth.Principal, list []prices.Price) map[int64]bool {
	out := map[int64]bool{}
	for _, pr := range list {
		if !p.Anonymous() && auth.Can(p, pr.Owner()) {
			out[pr.ID] = true
		}
	}
	return out
}

// priceEditPage is the form that changes or deletes a recorded price, for
// its institution's editors.
func (s *Server) priceEditPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	pr, err := s.editablePrice(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.renderPriceForm(w, r, http.StatusOK, priceFormView{Values: priceCells(&pr), ID: pr.ID, Version: pr.Version}, nil)
}

// priceUpdate changes a price from its form; a change made meanwhile by
// someone else is shown beside the user's values, as the other forms do.
func (s *Server) priceUpdate(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := priceFormView{Values: priceFormValues(r), ID: id, Version: httpkit.PostForm(r).Version()}
	pr, err := prices.FromForm(func(c string) string { return v.Values[c] })
	var saved prices.Price
	if err == nil {
		pr.Version = v.Version
		saved, err = s.Prices.Update(r.Context(), httpkit.Principal(r), id, pr)
	}
	if err != nil {
		s.priceFormFailed(w, r, v, priceCells(&pr), err)
		return
	}
	http.Redirect(w, r, "/mercados/precios/"+url.PathEscape(saved.Species)+"?ok=saved", http.StatusSeeOther)
}

// priceDelete deletes a price at the version its form was read at.
func (s *Server) priceDelete(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	pr, err := s.editablePrice(r)
	if err == nil {
		err = s.Prices.Delete(r.Context(), httpkit.Principal(r), pr.ID, httpkit.PostForm(r).Version())
	}
	if err != nil {
		// A stale deletion shows the price as it is now, with what changed
		// since the user read it: the user decides again.
		s.priceFormFailed(w, r, priceFormView{ID: pr.ID}, nil, err)
		return
	}
	http.Redirect(w, r, "/mercados/precios/"+url.PathEscape(pr.Species)+"?ok=deleted", http.StatusSeeOther)
}

// priceFormFailed shows the price form again after err: with the stored
// values beside yours (the user's, as cells; nil for a deletion, compared
// with what the user read) after a stale save, with the problems by field
// after invalid input; any other error fails the page.
func (s *Server) priceFormFailed(w http.ResponseWriter, r *http.Request, v priceFormView, yours map[string]string, err error) {
	if st := httpkit.StaleOf(err); st != nil {
		current, _ := st.Current.(prices.Price)
		var read map[string]string
		if old, ok := st.Read.(prices.Price); ok {
			read = priceCells(&old)
		}
		if yours == nil {
			yours = read
		}
		if v.Values == nil {
			v.Values = priceCells(&current)
		}
		v.Version = current.Version
		v.Conflict = newConflict(r, st, prices.Columns, read, priceCells(&current), yours)
	}
	status := http.StatusInternalServerError
	var e *errs.Error
	if errors.As(err, &e) {
		status = httpkit.StatusOf(e.Kind)
	}
	s.renderPriceForm(w, r, status, v, err)
}

// priceCreate records a price from the form, whose fields are the
// template's columns.
func (s *Server) priceCreate(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	v := priceFormView{Values: priceFormValues(r)}
	pr, err := prices.FromForm(func(c string) string { return v.Values[c] })
	if err == nil {
		pr, err = s.Prices.Create(r.Context(), httpkit.Principal(r), pr)
	}
	if err != nil {
		s.priceFormFailed(w, r, v, nil, err)
		return
	}
	http.Redirect(w, r, "/mercados/precios/"+url.PathEscape(pr.Species)+"?ok=saved", http.StatusSeeOther)
}

func (s *Server) priceAlertCreate(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	species := strings.ToUpper(r.PostFormValue("species"))
	f := httpkit.PostForm(r)
	threshold := f.Number("threshold_pct")
	err := f.Err("invalid number")
	if err == nil {
		pct := 0.0
		if threshold != nil {
			pct = *threshold
		}
		_, err = s.Prices.Subscribe(r.Context(), httpkit.Principal(r), species, f.Text("place"), pct)
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/mercados/precios/"+url.PathEscape(species)+"?ok=alert#alertas", http.StatusSeeOther)
}

func (s *Server) priceAlertDelete(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if err := s.Prices.Unsubscribe(r.Context(), httpkit.Principal(r), id); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	next := "/mercados/precios"
	if sp := strings.ToUpper(r.PostFormValue("species")); sp != "" {
		next += "/" + url.PathEscape(sp)
	}
	http.Redirect(w, r, next+"?ok=deleted", http.StatusSeeOther)
}

// priceLevels are the market levels as the pages show them side by side,
// from the beach to the export market.
var priceLevels = []string{"beach", "wholesale", "retail", "export_fob"}

// levelName is a level's Spanish word, as the files take it.
func levelName(code string) string { return prices.Levels.Spanish(code) }
