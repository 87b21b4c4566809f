package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sriim/internal/render"
	"strconv"
	"strings"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/query"
	"sriim/internal/regulation"
	"sriim/internal/trade"
	"sriim/internal/vocab"
	"sriim/internal/workdays"
)

// The regulation module's pages (/normas): norms with their relations both
// ways, procedures with their requirements, costs and terms as the law
// gives them and as cases show them, the export requirements of a product
// in a market, the holidays business days skip, and the imports. Cases are
// seen by their keepers and applicants only; everything else is public but
// drafts, which only their editors see (the domain decides both).
func (s *Server) regulationRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /normas", s.normsPage)
	mux.HandleFunc("GET /normas/procedimientos", s.proceduresPage)
	mux.HandleFunc("GET /normas/procedimientos/{code}", s.procedurePage)
	mux.HandleFunc("POST /normas/procedimientos/{code}/casos", s.caseCreate)
	mux.HandleFunc("GET /normas/casos", s.casesPage)
	mux.HandleFunc("GET /normas/requisitos", s.requirementsPage)
	mux.HandleFunc("GET /normas/feriados", s.holidaysPage)
	mux.HandleFunc("GET /normas/{code}", s.normPage)
	mux.HandleFunc("GET /normas/texto/{code}", s.normText)

	type table struct {
		base, name, title, file string
		run                     func(context.Context, auth.Principal, io.Reader, string) (regulation.ImportReport, error)
		export                  func(context.Context, auth.Principal) ([]string, [][]string, error)
	}
	for _, t := range []table{
		{"/normas", "norms", "rules.import_norms", "normas", s.Regulation.ImportNorms, s.Regulation.ExportNorms},
		{"/normas/procedimientos", "procedures", "rules.import_procedures", "procedimientos", s.Regulation.ImportProcedures, s.Regulation.ExportProcedures},
		{"/normas/casos", "procedure-cases", "rules.import_cases", "casos", s.Regulation.ImportCases, s.Regulation.ExportCases},
		{"/normas/requisitos", "requirements", "rules.import_requirements", "requisitos", s.Regulation.ImportRequirements, s.Regulation.ExportRequirements},
	} {
		s.importRoutes(mux, importKind{Base: t.base, Title: t.title, Lead: "import.lead", Back: "rules.back", can: regulation.CanCreate,
			run: func(ctx context.Context, p auth.Principal, r io.Reader, name string) (importResult, error) {
				rep, err := t.run(ctx, p, r, name)
				return importResult{Rows: rep.Rows, Created: rep.Created, Updated: rep.Updated, Unchanged: rep.Unchanged}, err
			}})
		for _, format := range []string{"csv", "xlsx"} {
			mux.HandleFunc("GET "+t.base+"/plantilla."+format, func(w http.ResponseWriter, r *http.Request) {
				s.writeTable(w, r, format, "plantilla-"+t.file, regulation.Templates[t.name], nil, nil)
			})
			mux.HandleFunc("GET "+t.base+"/datos."+format, func(w http.ResponseWriter, r *http.Request) {
				header, rows, err := t.export(r.Context(), httpkit.Principal(r))
				if err != nil {
					s.k.Fail(w, r, err)
					return
				}
				s.writeTable(w, r, format, t.file, header, rows, nil)
			})
		}
	}
	// The calendar is the administrators': its holidays and the UIT of each year.
	s.importRoutes(mux, importKind{Base: "/normas/feriados", Title: "rules.import_holidays", Lead: "import.lead", Back: "rules.holidays",
		can: workdays.CanEdit,
		run: func(ctx context.Context, p auth.Principal, r io.Reader, name string) (importResult, error) {
			n, err := s.Workdays.Import(ctx, p, r, name)
			return importResult{Rows: n, Updated: n}, err
		}})
	s.importRoutes(mux, importKind{Base: "/normas/uit", Title: "rules.import_uit", Lead: "import.lead", Back: "rules.holidays",
		can: workdays.CanEdit,
		run: func(ctx context.Context, p auth.Principal, r io.Reader, name string) (importResult, error) {
			n, err := s.Regulation.ImportUIT(ctx, p, r, name)
			return importResult{Rows: n, Updated: n}, err
		}})
	for base, columns := range map[string][]string{"/normas/feriados": workdays.Columns, "/normas/uit": regulation.UITColumns} {
		for _, format := range []string{"csv", "xlsx"} {
			mux.HandleFunc("GET "+base+"/plantilla."+format, func(w http.ResponseWriter, r *http.Request) {
				s.writeTable(w, r, format, "plantilla-"+strings.TrimPrefix(base, "/normas/"), columns, nil, nil)
			})
		}
	}
	mux.HandleFunc("GET /normas/uit", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/normas/feriados#uit", http.StatusSeeOther)
	})
}

// ruleVocab are the vocabularies the module's pages choose from and name.
type ruleVocab struct {
	Kinds, Statuses, Relations, Silences, Outcomes, RequirementKinds []string
}

var rulesVocab = ruleVocab{Kinds: termCodes(regulation.NormKinds), Statuses: termCodes(regulation.NormStatuses),
	Relations: termCodes(regulation.RelationKinds), Silences: termCodes(regulation.Silences), Outcomes: termCodes(regulation.Outcomes),
	RequirementKinds: termCodes(regulation.RequirementKinds)}

func termCodes(list vocab.List) []string {
	out := make([]string, len(list))
	for i, t := range list {
		out[i] = t.Code
	}
	return out
}

type normsView struct {
	ruleVocab
	Filter     regulation.NormFilter
	Q          string
	Hits       []regulation.Hit
	Norms      []regulation.NormView
	Indicators []regulation.NormIndicator
	CanCreate  bool
}

func (s *Server) normsPage(w http.ResponseWriter, r *http.Request) {
	p := httpkit.Principal(r)
	v := normsView{ruleVocab: rulesVocab, Q: strings.TrimSpace(r.URL.Query().Get("q")), CanCreate: regulation.CanCreate(p)}
	var problems map[string]string
	var err error
	v.Filter, problems, err = readFilters(r, func(q url.Values) (regulation.NormFilter, error) {
		return query.Norms(q, "tipo", "estado", "tema", "especie", "actividad")
	})
	if err == nil && v.Q != "" {
		v.Hits, err = s.Regulation.Search(r.Context(), p, v.Q, 50)
	}
	if err == nil {
		v.Norms, err = s.Regulation.Norms(r.Context(), p, v.Filter)
	}
	if err == nil {
		v.Indicators, err = s.Regulation.NormIndicators(r.Context())
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	lang := httpkit.Lang(r)
	s.renderFiltered(w, r, "regulation_norms.html", Page{Title: i18n.T(lang, "module.rules"), Description: i18n.T(lang, "module.rules.desc"),
		Data: v, LD: map[string]any{"@context": "https://schema.org", "@type": "CollectionPage", "name": i18n.T(lang, "module.rules"),
			"url": httpkit.BaseURL(r) + "/normas", "inLanguage": string(lang)}}, problems)
}

// HitPath is where a search hit's page is.
func (normsView) HitPath(h regulation.Hit) string {
	switch h.Entity {
	case "norm":
		return "/normas/" + url.PathEscape(h.Code)
	case "procedure":
		return "/normas/procedimientos/" + url.PathEscape(h.Code)
	}
	return "/normas/requisitos"
}

// Years lists an indicator's years, the earliest first.
func (normsView) Years(ind regulation.NormIndicator) []int {
	out := make([]int, 0, len(ind.ByYear))
	for y := range ind.ByYear {
		out = append(out, y)
	}
	slices.Sort(out)
	return out
}

type normView struct {
	ruleVocab
	regulation.NormView
	// RepealedBy are the norms that repeal it.
	RepealedBy   []regulation.NormRef
	SpeciesNames map[string]string // code → name
	CanEdit      bool              // the user may change the norm
}

// TextPath is where the norm's text file is downloaded.
func (v normView) TextPath() string { return regulation.TextPath(v.Code) }

func (s *Server) normPage(w http.ResponseWriter, r *http.Request) {
	n, err := s.Regulation.Norm(r.Context(), httpkit.Principal(r), r.PathValue("code"))
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := normView{ruleVocab: rulesVocab, NormView: n, SpeciesNames: map[string]string{}, CanEdit: auth.Can(httpkit.Principal(r), n.Owner())}
	for _, l := range n.Links {
		if l.Incoming && l.Kind == "repeals" {
			v.RepealedBy = append(v.RepealedBy, l.Norm)
		}
	}
	ref, err := s.refLists(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	for _, code := range n.Species {
		v.SpeciesNames[code] = ref.Names[code]
	}
	ld := map[string]any{"@context": "https://schema.org", "@type": "Legislation", "name": n.Title, "legislationIdentifier": n.Citation,
		"url": httpkit.BaseURL(r) + "/normas/" + url.PathEscape(n.Code), "inLanguage": "es"}
	if n.Published != "" {
		ld["datePublished"] = n.Published
	}
	if n.Issuer != "" {
		ld["legislationPassedBy"] = map[string]any{"@type": "Organization", "name": n.Issuer}
	}
	if n.EffectiveStatus == "repealed" {
		ld["legislationLegalForce"] = "NotInForce"
	} else {
		ld["legislationLegalForce"] = "InForce"
	}
	s.renderPublic(w, r, "regulation_norm.html", n.Citation, n.Title, v, ld, "")
}

// normText sends a norm's text file to whom may see the norm, at its
// stable address.
func (s *Server) normText(w http.ResponseWriter, r *http.Request) {
	f, err := s.Regulation.NormText(r.Context(), httpkit.Principal(r), r.PathValue("code"))
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	serveStoredFile(w, r, f.Path, f.Name, f.MediaType)
}

// procedureRow is a procedure with what its resolved cases took.
type procedureRow struct {
	regulation.ProcedureView
	Observed regulation.Observed
}

func (s *Server) proceduresPage(w http.ResponseWriter, r *http.Request) {
	p := httpkit.Principal(r)
	list, err := s.Regulation.Procedures(r.Context(), p, "")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	rows := make([]procedureRow, 0, len(list))
	for _, c := range list {
		st, err := s.Regulation.ProcedureStats(r.Context(), p, c.Code, 0)
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		rows = append(rows, procedureRow{ProcedureView: c, Observed: st.Observed})
	}
	lang := httpkit.Lang(r)
	s.renderPublic(w, r, "regulation_procedures.html", i18n.T(lang, "rules.procedures"), i18n.T(lang, "rules.procedures_lead"),
		proceduresView{rows, regulation.CanCreate(p)}, nil, "")
}

type proceduresView struct {
	Procedures []procedureRow
	CanCreate  bool
}

// Percent writes a share (0 to 1) as a percentage.
func (proceduresView) Percent(f *float64) string { return sharePercent(f) }

type procedureView struct {
	ruleVocab
	Procedure regulation.ProcedureView
	CanEdit   bool // the user may change the procedure and record its cases
	Year      int
	Years     []int // the years with resolved cases, for the year's choice
	Stats     regulation.ProcedureStats
	Trend     []regulation.YearObserved
	Cases     []regulation.CaseView
	Today     string
	// Form is a case being entered (after a refused save: with its problems).
	Form   regulation.Case
	Error  string
	Errors map[string]string
}

// Late reports whether a case is past its legal term: resolved after it, or
// still open after its last day.
func (v procedureView) Late(c regulation.CaseView) bool {
	if c.WithinLegal != nil {
		return !*c.WithinLegal
	}
	return c.Due != "" && c.Due < v.Today
}

func (s *Server) procedureView(r *http.Request) (procedureView, error) {
	p := httpkit.Principal(r)
	v := procedureView{ruleVocab: rulesVocab, Today: s.Regulation.Now().Format(workdays.Layout)}
	var err error
	if v.Procedure, err = s.Regulation.Procedure(r.Context(), p, r.PathValue("code")); err != nil {
		return v, err
	}
	v.CanEdit = auth.Can(p, v.Procedure.Owner())
	if v.Trend, err = s.Regulation.ProcedureTrend(r.Context(), p, v.Procedure.Code); err != nil {
		return v, err
	}
	for _, y := range v.Trend {
		v.Years = append(v.Years, y.Year)
	}
	if v.Cases, err = s.Regulation.Cases(r.Context(), p, v.Procedure.Code); err != nil {
		return v, err
	}
	return v, nil
}

func (s *Server) procedurePage(w http.ResponseWriter, r *http.Request) {
	v, err := s.procedureView(r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	var problems map[string]string
	if v.Year, problems, err = readFilters(r, func(q url.Values) (int, error) { return query.Year(q, "anio") }); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.renderProcedure(w, r, http.StatusOK, v, problems)
}

func (s *Server) renderProcedure(w http.ResponseWriter, r *http.Request, status int, v procedureView, problems map[string]string) {
	var err error
	if v.Stats, err = s.Regulation.ProcedureStats(r.Context(), httpkit.Principal(r), v.Procedure.Code, v.Year); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if status != http.StatusOK {
		w.WriteHeader(status)
	}
	c := v.Procedure
	ld := map[string]any{"@context": "https://schema.org", "@type": "GovernmentService", "name": c.Name,
		"url":      httpkit.BaseURL(r) + "/normas/procedimientos/" + url.PathEscape(c.Code),
		"provider": map[string]any{"@type": "GovernmentOrganization", "name": c.AuthorityName}}
	page := Page{Title: c.Name, Description: i18n.T(httpkit.Lang(r), "rules.procedure_description", c.AuthorityName, c.LegalDays), Data: v, LD: ld}
	if len(problems) > 0 {
		s.renderFiltered(w, r, "regulation_procedure.html", page, problems)
		return
	}
	s.renderPage(w, r, status, "regulation_procedure.html", page)
}

// caseCreate records a case of the procedure from its page's form.
func (s *Server) caseCreate(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	f := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	c := regulation.Case{Procedure: r.PathValue("code"), FileNumber: f("expediente"), ApplicantRUC: f("ruc"), ApplicantName: f("solicitante"),
		Filed: f("presentado"), Observed: f("observado"), Resolved: f("resuelto"), Outcome: f("resultado"), Note: f("nota")}
	_, err := s.Regulation.CreateCase(r.Context(), httpkit.Principal(r), c)
	if e, ok := err.(*errs.Error); ok && e.Kind == errs.Invalid {
		v, verr := s.procedureView(r)
		if verr != nil {
			s.k.Fail(w, r, verr)
			return
		}
		v.Form = c
		v.Error, v.Errors = s.k.PageError(r, e)
		s.renderProcedure(w, r, http.StatusUnprocessableEntity, v, nil)
		return
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/normas/procedimientos/"+url.PathEscape(strings.ToUpper(strings.TrimSpace(r.PathValue("code"))))+"?ok=saved#casos", http.StatusSeeOther)
}

// procedureCases is a procedure's cases as the user may read them.
type procedureCases struct {
	Procedure regulation.ProcedureView
	Cases     []regulation.CaseView
}

type casesView struct {
	Procedures    []procedureCases
	Today         string
	Open, Overdue int
}

// Late reports whether a case is past its legal term (see procedureView.Late).
func (v casesView) Late(c regulation.CaseView) bool {
	return procedureView{Today: v.Today}.Late(c)
}

// casesPage lists the cases the user may read, of every procedure, with
// their due dates, those past their term marked: the editors' worklist.
func (s *Server) casesPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	p := httpkit.Principal(r)
	list, err := s.Regulation.Procedures(r.Context(), p, "")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := casesView{Today: s.Regulation.Now().Format(workdays.Layout)}
	for _, c := range list {
		cases, err := s.Regulation.Cases(r.Context(), p, c.Code)
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		if len(cases) == 0 {
			continue
		}
		for _, k := range cases {
			if k.Resolved == "" {
				v.Open++
			}
			if v.Late(k) {
				v.Overdue++
			}
		}
		v.Procedures = append(v.Procedures, procedureCases{Procedure: c, Cases: cases})
	}
	s.render(w, r, http.StatusOK, "regulation_cases.html", i18n.T(httpkit.Lang(r), "rules.cases"), v)
}

type requirementsView struct {
	ruleVocab
	Lines   []trade.Product
	Markets []trade.Partner
	Product string
	Market  string // as chosen (an ISO code, a code or a name)
	Year    int
	View    *regulation.RequirementsView
	// Asked reports whether a product and a market were chosen.
	Asked     bool
	CanCreate bool
	p         auth.Principal
}

// Editable reports whether the visitor may change a requirement.
func (v requirementsView) Editable(r interface{ Owner() auth.Owner }) bool {
	return auth.Can(v.p, r.Owner())
}

func (s *Server) requirementsPage(w http.ResponseWriter, r *http.Request) {
	p := httpkit.Principal(r)
	q := r.URL.Query()
	v := requirementsView{ruleVocab: rulesVocab, Lines: trade.ProductLines(), Product: cmp.Or(q.Get("producto"), "loco_congelado"),
		Market: q.Get("mercado"), CanCreate: regulation.CanCreate(p), p: p}
	v.Asked = q.Get("producto") != "" || q.Get("mercado") != ""
	markets, err := s.Regulation.RequirementMarkets(r.Context(), p, v.Product)
	if err != nil && !errs.Is(err, errs.Invalid) {
		s.k.Fail(w, r, err)
		return
	}
	v.Markets = markets
	var problems map[string]string
	if v.Asked {
		product, market, year, err := query.Requirements(url.Values{"producto": {v.Product}, "mercado": {v.Market}, "anio": q["anio"]},
			"producto", "mercado", "anio")
		v.Year = year
		if err == nil {
			var rv regulation.RequirementsView
			if rv, err = s.Regulation.Requirements(r.Context(), p, product, market, year); err == nil {
				v.View = &rv
			}
		}
		var e *errs.Error
		switch {
		case errors.As(err, &e) && e.Kind == errs.Invalid:
			// The domain names its own fields (product, market): say them by the form's.
			problems = map[string]string{}
			for field, msg := range e.Fields {
				switch field {
				case "product":
					field, msg = "producto", query.MsgLine
				case "market":
					field, msg = "mercado", msgChoice
				}
				problems[field] = msg
			}
			problems = localizeProblems(httpkit.Lang(r), problems)
		case err != nil:
			s.k.Fail(w, r, err)
			return
		}
	}
	lang := httpkit.Lang(r)
	title := i18n.T(lang, "rules.requirements")
	if v.View != nil {
		title = i18n.T(lang, "rules.requirements_for", v.ProductName(string(lang)), v.View.Market.Name(string(lang)))
	}
	s.renderFiltered(w, r, "regulation_requirements.html", Page{Title: title, Description: i18n.T(lang, "rules.requirements_lead"), Data: v}, problems)
}

// ProductName names the product asked about in lang: its line's name, or
// its code digits.
func (v requirementsView) ProductName(lang string) string {
	if l, ok := trade.ProductLine(v.Product); ok {
		if lang == "en" {
			return l.NameEN
		}
		return l.NameES
	}
	return v.Product
}

// Percent writes a share (0 to 1) as a percentage.
func (procedureView) Percent(f *float64) string { return sharePercent(f) }

// MarketIn is a market's name (Spanish, English) in lang.
func (requirementsView) MarketIn(names [2]string, lang string) string {
	if lang == "en" {
		return names[1]
	}
	return names[0]
}

// Percent writes a share (0 to 1) as a percentage.
func (requirementsView) Percent(f *float64) string { return sharePercent(f) }

func sharePercent(f *float64) string {
	if f == nil {
		return "—"
	}
	return render.FormatNumber(math.Round(*f*1e4)/1e2) + " %"
}

type holidaysView struct {
	Year     int
	Years    []int
	Holidays []workdays.Holiday
	UIT      []regulation.UIT
	CanEdit  bool
}

func (s *Server) holidaysPage(w http.ResponseWriter, r *http.Request) {
	v := holidaysView{CanEdit: workdays.CanEdit(httpkit.Principal(r))}
	var problems map[string]string
	var err error
	if v.Year, problems, err = readFilters(r, func(q url.Values) (int, error) { return query.Year(q, "anio") }); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	now := s.Regulation.Now().Year()
	if v.Year == 0 {
		v.Year = now
	}
	for y := now + 1; y >= now-10; y-- {
		v.Years = append(v.Years, y)
	}
	if v.Holidays, err = s.Workdays.Holidays(r.Context(), v.Year); err == nil {
		v.UIT, err = s.Regulation.UITs(r.Context())
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	lang := httpkit.Lang(r)
	s.renderFiltered(w, r, "regulation_holidays.html", Page{Title: i18n.T(lang, "rules.holidays"), Description: i18n.T(lang, "rules.holidays_lead"), Data: v}, problems)
}

// speciesMarkets are, for each product line of a species, the markets that
// have export requirements for it: what the species page links to.
type speciesMarkets struct {
	Line    trade.Product
	Markets []trade.Partner
}

// speciesRequirements lists the markets with requirements for each line.
func (s *Server) speciesRequirements(ctx context.Context, p auth.Principal, lines []trade.Product) ([]speciesMarkets, error) {
	var out []speciesMarkets
	for _, l := range lines {
		markets, err := s.Regulation.RequirementMarkets(ctx, p, l.Line)
		if err != nil {
			return nil, err
		}
		if len(markets) > 0 {
			out = append(out, speciesMarkets{Line: l, Markets: markets})
		}
	}
	return out, nil
}

// RequirementsURL is the page of what a market asks of a product line.
func (m speciesMarkets) RequirementsURL(market trade.Partner) string {
	iso := market.ISO
	if iso == "" {
		iso = strconv.Itoa(market.Code)
	}
	return fmt.Sprintf("/normas/requisitos?producto=%s&mercado=%s", url.QueryEscape(m.Line.Line), url.QueryEscape(iso))
}

// regulationSitemap lists the module's public pages: its lists and each
// published norm and procedure.
func (s *Server) regulationSitemap(ctx context.Context) ([]string, error) {
	paths := []string{"/normas", "/normas/procedimientos", "/normas/requisitos", "/normas/feriados"}
	norms, err := s.Regulation.Norms(ctx, auth.Principal{}, regulation.NormFilter{})
	if err != nil {
		return nil, err
	}
	for _, n := range norms {
		paths = append(paths, "/normas/"+url.PathEscape(n.Code))
	}
	procedures, err := s.Regulation.Procedures(ctx, auth.Principal{}, "")
	if err != nil {
		return nil, err
	}
	for _, c := range procedures {
		paths = append(paths, "/normas/procedimientos/"+url.PathEscape(c.Code))
	}
	return paths, nil
}
