package web

import (
	"net/http"
	"net/url"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/regulation"
)

// The regulation module's JSON API: norms, procedures with their figures
// and cases, export requirements by product and market, and the search
// across the three. Reads follow what the domain shows each caller (a
// draft only to its editors, a case only to its keepers and applicant);
// writes are the domain's, authorised and audited there.
func (s *Server) regulationAPIRoutes(mux *routeTable) {
	mux.HandleFunc("GET /api/v1/norms", s.api(func(r *http.Request) (int, any, error) {
		f, err := normFilter(r.URL.Query(), "kind", "status", "topic", "species", "activity")
		if err != nil {
			return 0, nil, err
		}
		list, err := s.regulation.Norms(r.Context(), principal(r), f)
		return http.StatusOK, map[string]any{"norms": list}, err
	}))
	mux.HandleFunc("GET /api/v1/norms/{code}", s.api(func(r *http.Request) (int, any, error) {
		n, err := s.regulation.Norm(r.Context(), principal(r), r.PathValue("code"))
		return http.StatusOK, versioned{n, n.Version}, err
	}))
	mux.HandleFunc("POST /api/v1/norms", s.api(func(r *http.Request) (int, any, error) {
		var n regulation.Norm
		if err := decodeJSON(r, &n); err != nil {
			return 0, nil, err
		}
		n.ID, n.Version = 0, 0
		n, err := s.regulation.CreateNorm(r.Context(), principal(r), n)
		return http.StatusCreated, versioned{n, n.Version}, err
	}))
	mux.HandleFunc("PUT /api/v1/norms/{code}", s.api(func(r *http.Request) (int, any, error) {
		var n regulation.Norm
		version, err := decodePut(r, &n, false, normReadOnly...)
		if err != nil {
			return 0, nil, err
		}
		n.Version = version
		n, err = s.regulation.UpdateNorm(r.Context(), principal(r), r.PathValue("code"), n)
		return http.StatusOK, versioned{n, n.Version}, err
	}))
	mux.HandleFunc("DELETE /api/v1/norms/{code}", s.api(func(r *http.Request) (int, any, error) {
		version, err := deleteVersion(r)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.regulation.DeleteNorm(r.Context(), principal(r), r.PathValue("code"), version)
	}))

	mux.HandleFunc("GET /api/v1/procedures", s.api(func(r *http.Request) (int, any, error) {
		list, err := s.regulation.Procedures(r.Context(), principal(r), r.URL.Query().Get("institution"))
		return http.StatusOK, map[string]any{"procedures": list}, err
	}))
	// The figures of 1.3.4 and 3.4.3: the contract, in the domain's JSON names.
	mux.HandleFunc("GET /api/v1/procedures/{code}", s.api(func(r *http.Request) (int, any, error) {
		year, err := optionalYear(r.URL.Query(), "year")
		if err != nil {
			return 0, nil, err
		}
		st, err := s.regulation.ProcedureStats(r.Context(), principal(r), r.PathValue("code"), year)
		return http.StatusOK, st, err
	}))
	mux.HandleFunc("GET /api/v1/procedures/{code}/trend", s.api(func(r *http.Request) (int, any, error) {
		years, err := s.regulation.ProcedureTrend(r.Context(), principal(r), r.PathValue("code"))
		return http.StatusOK, map[string]any{"code": normalPathCode(r), "years": years}, err
	}))
	mux.HandleFunc("GET /api/v1/procedures/{code}/record", s.api(func(r *http.Request) (int, any, error) {
		v, err := s.regulation.Procedure(r.Context(), principal(r), r.PathValue("code"))
		return http.StatusOK, versioned{v, v.Version}, err
	}))
	mux.HandleFunc("POST /api/v1/procedures", s.api(func(r *http.Request) (int, any, error) {
		var c regulation.Procedure
		if err := decodeJSON(r, &c); err != nil {
			return 0, nil, err
		}
		c.ID, c.Version = 0, 0
		c, err := s.regulation.CreateProcedure(r.Context(), principal(r), c)
		return http.StatusCreated, versioned{c, c.Version}, err
	}))
	mux.HandleFunc("PUT /api/v1/procedures/{code}/record", s.api(func(r *http.Request) (int, any, error) {
		var c regulation.Procedure
		version, err := decodePut(r, &c, false, procedureReadOnly...)
		if err != nil {
			return 0, nil, err
		}
		c.Version = version
		c, err = s.regulation.UpdateProcedure(r.Context(), principal(r), r.PathValue("code"), c)
		return http.StatusOK, versioned{c, c.Version}, err
	}))
	mux.HandleFunc("DELETE /api/v1/procedures/{code}/record", s.api(func(r *http.Request) (int, any, error) {
		version, err := deleteVersion(r)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.regulation.DeleteProcedure(r.Context(), principal(r), r.PathValue("code"), version)
	}))

	mux.HandleFunc("GET /api/v1/procedures/{code}/cases", s.api(func(r *http.Request) (int, any, error) {
		list, err := s.regulation.Cases(r.Context(), principal(r), r.PathValue("code"))
		return http.StatusOK, map[string]any{"cases": list}, err
	}))
	mux.HandleFunc("POST /api/v1/procedures/{code}/cases", s.api(func(r *http.Request) (int, any, error) {
		var c regulation.Case
		if err := decodeJSON(r, &c); err != nil {
			return 0, nil, err
		}
		c.ID, c.Version, c.Procedure = 0, 0, r.PathValue("code")
		c, err := s.regulation.CreateCase(r.Context(), principal(r), c)
		return http.StatusCreated, versioned{c, c.Version}, err
	}))
	mux.HandleFunc("GET /api/v1/procedure-cases/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		c, err := s.regulation.Case(r.Context(), principal(r), id)
		return http.StatusOK, versioned{c, c.Version}, err
	}))
	mux.HandleFunc("PUT /api/v1/procedure-cases/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		var c regulation.Case
		version, err := decodePut(r, &c, false, caseReadOnly...)
		if err != nil {
			return 0, nil, err
		}
		c.Version = version
		c, err = s.regulation.UpdateCase(r.Context(), principal(r), id, c)
		return http.StatusOK, versioned{c, c.Version}, err
	}))
	mux.HandleFunc("DELETE /api/v1/procedure-cases/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := pathID(r)
		if err != nil {
			return 0, nil, err
		}
		version, err := deleteVersion(r)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.regulation.DeleteCase(r.Context(), principal(r), id, version)
	}))

	mux.HandleFunc("GET /api/v1/requirements", s.api(func(r *http.Request) (int, any, error) {
		product, market, year, err := requirementsQuery(r.URL.Query(), "product", "market", "year")
		if err != nil {
			return 0, nil, err
		}
		v, err := s.regulation.Requirements(r.Context(), principal(r), product, market, year)
		return http.StatusOK, v, err
	}))
	mux.HandleFunc("GET /api/v1/requirements/{code}", s.api(func(r *http.Request) (int, any, error) {
		q, err := s.regulation.ExportRequirement(r.Context(), principal(r), r.PathValue("code"))
		return http.StatusOK, versioned{q, q.Version}, err
	}))
	mux.HandleFunc("POST /api/v1/requirements", s.api(func(r *http.Request) (int, any, error) {
		var q regulation.Requirement
		if err := decodeJSON(r, &q); err != nil {
			return 0, nil, err
		}
		q.ID, q.Version = 0, 0
		q, err := s.regulation.CreateRequirement(r.Context(), principal(r), q)
		return http.StatusCreated, versioned{q, q.Version}, err
	}))
	mux.HandleFunc("PUT /api/v1/requirements/{code}", s.api(func(r *http.Request) (int, any, error) {
		var q regulation.Requirement
		version, err := decodePut(r, &q, false, requirementReadOnly...)
		if err != nil {
			return 0, nil, err
		}
		q.Version = version
		q, err = s.regulation.UpdateRequirement(r.Context(), principal(r), r.PathValue("code"), q)
		return http.StatusOK, versioned{q, q.Version}, err
	}))
	mux.HandleFunc("DELETE /api/v1/requirements/{code}", s.api(func(r *http.Request) (int, any, error) {
		version, err := deleteVersion(r)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.regulation.DeleteRequirement(r.Context(), principal(r), r.PathValue("code"), version)
	}))

	mux.HandleFunc("GET /api/v1/regulation/search", s.api(func(r *http.Request) (int, any, error) {
		q := r.URL.Query()
		limit, err := intParam(q, "limit", 50)
		if err != nil {
			return 0, nil, err
		}
		hits, err := s.regulation.Search(r.Context(), principal(r), q.Get("q"), limit)
		return http.StatusOK, map[string]any{"hits": hits}, err
	}))
	mux.HandleFunc("GET /api/v1/regulation/indicators", s.api(func(r *http.Request) (int, any, error) {
		year, err := optionalYear(r.URL.Query(), "year")
		if err != nil {
			return 0, nil, err
		}
		norms, err := s.regulation.NormIndicators(r.Context())
		if err != nil {
			return 0, nil, err
		}
		procs, err := s.regulation.ProcedureIndicators(r.Context(), year)
		return http.StatusOK, map[string]any{"norms": norms, "procedures": procs}, err
	}))
	mux.HandleFunc("GET /api/v1/holidays", s.api(func(r *http.Request) (int, any, error) {
		year, err := optionalYear(r.URL.Query(), "year")
		if err != nil {
			return 0, nil, err
		}
		list, err := s.workdays.Holidays(r.Context(), year)
		return http.StatusOK, map[string]any{"holidays": list}, err
	}))
	mux.HandleFunc("GET /api/v1/uit", s.api(func(r *http.Request) (int, any, error) {
		list, err := s.regulation.UITs(r.Context())
		return http.StatusOK, map[string]any{"uit": list}, err
	}))
}

// What GET gives of each record that a PUT cannot change.
var (
	normReadOnly        = []string{"id", "institution_id", "created_at", "updated_at", "citation", "effective_status", "links", "procedures", "requirements"}
	procedureReadOnly   = []string{"id", "authority_name", "institution_id", "created_at", "updated_at", "fee", "uit", "legal_norms"}
	caseReadOnly        = []string{"id", "actor_id", "actor_name", "institution_id", "created_at", "updated_at", "calendar_days", "business_days", "due", "within_legal"}
	requirementReadOnly = []string{"id", "institution_id", "created_at", "updated_at"}
)

// normalPathCode is the {code} of the address as codes are stored.
func normalPathCode(r *http.Request) string {
	return strings.ToUpper(strings.TrimSpace(r.PathValue("code")))
}

// optionalYear reads a year parameter: 0 when absent.
func optionalYear(q url.Values, name string) (int, error) {
	year, err := intParam(q, name, 0)
	if err != nil {
		return 0, err
	}
	if year != 0 && (year < 1900 || year > 2100) {
		return 0, errs.Fields("invalid parameter", map[string]string{name: msgYear})
	}
	return year, nil
}

// normFilter reads the norms' filters from the parameters named kind,
// status, topic, species and activity (the API's English names or a
// page's Spanish ones): a kind and a status in either language.
func normFilter(q url.Values, kind, status, topic, species, activity string) (regulation.NormFilter, error) {
	f := regulation.NormFilter{Topic: q.Get(topic), Species: q.Get(species), Activity: q.Get(activity)}
	problems := map[string]string{}
	var ok bool
	if v := q.Get(kind); v != "" {
		if f.Kind, ok = regulation.NormKinds.Parse(v); !ok {
			problems[kind] = msgChoice
		}
	}
	if v := q.Get(status); v != "" {
		if f.Status, ok = regulation.NormStatuses.Parse(v); !ok {
			problems[status] = msgChoice
		}
	}
	if len(problems) > 0 {
		return f, errs.Fields("invalid filters", problems)
	}
	return f, nil
}

// requirementsQuery reads a product, a market (a code, an ISO code or a
// name) and an optional year from the parameters so named.
func requirementsQuery(q url.Values, productName, marketName, yearName string) (string, int, int, error) {
	problems := map[string]string{}
	product := q.Get(productName)
	if product == "" {
		problems[productName] = msgLine
	}
	market, ok := regulation.ParseMarket(q.Get(marketName))
	if !ok || strings.TrimSpace(q.Get(marketName)) == "" {
		problems[marketName] = msgChoice
	}
	year, err := optionalYear(q, yearName)
	if err != nil {
		problems[yearName] = msgYear
	}
	if len(problems) > 0 {
		return product, market, year, errs.Fields("invalid parameter", problems)
	}
	return product, market, year, nil
}
