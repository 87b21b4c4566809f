package api

import (
	"net/http"
	"strings"

	"sriim/internal/httpkit"
	"sriim/internal/query"
	"sriim/internal/regulation"
)

// The regulation module's JSON API: norms, procedures with their figures
// and cases, export requirements by product and market, and the search
// across the three. Reads follow what the domain shows each caller (a
// draft only to its editors, a case only to its keepers and applicant);
// writes are the domain's, authorised and audited there.
func (s *Server) regulationRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /api/v1/norms", s.api(func(r *http.Request) (int, any, error) {
		f, err := query.Norms(r.URL.Query(), "kind", "status", "topic", "species", "activity")
		if err != nil {
			return 0, nil, err
		}
		list, err := s.Regulation.Norms(r.Context(), httpkit.Principal(r), f)
		out := make([]normJSON, len(list))
		for i, n := range list {
			out[i] = normOut(r, n)
		}
		return http.StatusOK, map[string]any{"norms": out}, err
	}))
	mux.HandleFunc("GET /api/v1/norms/{code}", s.api(func(r *http.Request) (int, any, error) {
		n, err := s.Regulation.Norm(r.Context(), httpkit.Principal(r), r.PathValue("code"))
		return http.StatusOK, versioned{normOut(r, n), n.Version}, err
	}))
	// The body is the file; ?name= names it (its extension says its kind).
	mux.HandleFunc("PUT /api/v1/norms/{code}/text", s.api(func(r *http.Request) (int, any, error) {
		version, err := httpkit.DeleteVersion(r)
		if err != nil {
			return 0, nil, err
		}
		n, err := s.Regulation.AttachText(r.Context(), httpkit.Principal(r), r.PathValue("code"), version, r.URL.Query().Get("name"), r.Body)
		return http.StatusOK, versioned{n, n.Version}, err
	}), httpkit.Upload(regulation.MaxTextBytes, regulation.CanCreate))
	mux.HandleFunc("POST /api/v1/norms", s.api(func(r *http.Request) (int, any, error) {
		var n regulation.Norm
		if err := httpkit.DecodeJSON(r, &n); err != nil {
			return 0, nil, err
		}
		n.ID, n.Version = 0, 0
		n, err := s.Regulation.CreateNorm(r.Context(), httpkit.Principal(r), n)
		return http.StatusCreated, versioned{n, n.Version}, err
	}))
	mux.HandleFunc("PUT /api/v1/norms/{code}", s.api(func(r *http.Request) (int, any, error) {
		var n regulation.Norm
		version, err := httpkit.DecodePut(r, &n, false, normReadOnly...)
		if err != nil {
			return 0, nil, err
		}
		n.Version = version
		n, err = s.Regulation.UpdateNorm(r.Context(), httpkit.Principal(r), r.PathValue("code"), n)
		return http.StatusOK, versioned{n, n.Version}, err
	}))
	mux.HandleFunc("DELETE /api/v1/norms/{code}", s.api(func(r *http.Request) (int, any, error) {
		version, err := httpkit.DeleteVersion(r)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.Regulation.DeleteNorm(r.Context(), httpkit.Principal(r), r.PathValue("code"), version)
	}))

	mux.HandleFunc("GET /api/v1/procedures", s.api(func(r *http.Request) (int, any, error) {
		list, err := s.Regulation.Procedures(r.Context(), httpkit.Principal(r), r.URL.Query().Get("institution"))
		return http.StatusOK, map[string]any{"procedures": list}, err
	}))
	// The figures of 1.3.4 and 3.4.3: the contract, in the domain's JSON names.
	mux.HandleFunc("GET /api/v1/procedures/{code}", s.api(func(r *http.Request) (int, any, error) {
		year, err := query.Year(r.URL.Query(), "year")
		if err != nil {
			return 0, nil, err
		}
		st, err := s.Regulation.ProcedureStats(r.Context(), httpkit.Principal(r), r.PathValue("code"), year)
		return http.StatusOK, st, err
	}))
	mux.HandleFunc("GET /api/v1/procedures/{code}/trend", s.api(func(r *http.Request) (int, any, error) {
		years, err := s.Regulation.ProcedureTrend(r.Context(), httpkit.Principal(r), r.PathValue("code"))
		return http.StatusOK, map[string]any{"code": normalPathCode(r), "years": years}, err
	}))
	mux.HandleFunc("GET /api/v1/procedures/{code}/record", s.api(func(r *http.Request) (int, any, error) {
		v, err := s.Regulation.Procedure(r.Context(), httpkit.Principal(r), r.PathValue("code"))
		return http.StatusOK, versioned{v, v.Version}, err
	}))
	mux.HandleFunc("POST /api/v1/procedures", s.api(func(r *http.Request) (int, any, error) {
		var c regulation.Procedure
		if err := httpkit.DecodeJSON(r, &c); err != nil {
			return 0, nil, err
		}
		c.ID, c.Version = 0, 0
		c, err := s.Regulation.CreateProcedure(r.Context(), httpkit.Principal(r), c)
		return http.StatusCreated, versioned{c, c.Version}, err
	}))
	mux.HandleFunc("PUT /api/v1/procedures/{code}/record", s.api(func(r *http.Request) (int, any, error) {
		var c regulation.Procedure
		version, err := httpkit.DecodePut(r, &c, false, procedureReadOnly...)
		if err != nil {
			return 0, nil, err
		}
		c.Version = version
		c, err = s.Regulation.UpdateProcedure(r.Context(), httpkit.Principal(r), r.PathValue("code"), c)
		return http.StatusOK, versioned{c, c.Version}, err
	}))
	mux.HandleFunc("DELETE /api/v1/procedures/{code}/record", s.api(func(r *http.Request) (int, any, error) {
		version, err := httpkit.DeleteVersion(r)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.Regulation.DeleteProcedure(r.Context(), httpkit.Principal(r), r.PathValue("code"), version)
	}))

	mux.HandleFunc("GET /api/v1/procedures/{code}/cases", s.api(func(r *http.Request) (int, any, error) {
		list, err := s.Regulation.Cases(r.Context(), httpkit.Principal(r), r.PathValue("code"))
		return http.StatusOK, map[string]any{"cases": list}, err
	}))
	mux.HandleFunc("POST /api/v1/procedures/{code}/cases", s.api(func(r *http.Request) (int, any, error) {
		var c regulation.Case
		if err := httpkit.DecodeJSON(r, &c); err != nil {
			return 0, nil, err
		}
		c.ID, c.Version, c.Procedure = 0, 0, r.PathValue("code")
		c, err := s.Regulation.CreateCase(r.Context(), httpkit.Principal(r), c)
		return http.StatusCreated, versioned{c, c.Version}, err
	}))
	mux.HandleFunc("GET /api/v1/procedure-cases/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := httpkit.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		c, err := s.Regulation.Case(r.Context(), httpkit.Principal(r), id)
		return http.StatusOK, versioned{c, c.Version}, err
	}))
	mux.HandleFunc("PUT /api/v1/procedure-cases/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := httpkit.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		var c regulation.Case
		version, err := httpkit.DecodePut(r, &c, false, caseReadOnly...)
		if err != nil {
			return 0, nil, err
		}
		c.Version = version
		c, err = s.Regulation.UpdateCase(r.Context(), httpkit.Principal(r), id, c)
		return http.StatusOK, versioned{c, c.Version}, err
	}))
	mux.HandleFunc("DELETE /api/v1/procedure-cases/{id}", s.deleteByID(s.Regulation.DeleteCase))

	mux.HandleFunc("GET /api/v1/requirements", s.api(func(r *http.Request) (int, any, error) {
		product, market, year, err := query.Requirements(r.URL.Query(), "product", "market", "year")
		if err != nil {
			return 0, nil, err
		}
		v, err := s.Regulation.Requirements(r.Context(), httpkit.Principal(r), product, market, year)
		return http.StatusOK, v, err
	}))
	mux.HandleFunc("GET /api/v1/requirements/{code}", s.api(func(r *http.Request) (int, any, error) {
		q, err := s.Regulation.ExportRequirement(r.Context(), httpkit.Principal(r), r.PathValue("code"))
		return http.StatusOK, versioned{q, q.Version}, err
	}))
	mux.HandleFunc("POST /api/v1/requirements", s.api(func(r *http.Request) (int, any, error) {
		var q regulation.Requirement
		if err := httpkit.DecodeJSON(r, &q); err != nil {
			return 0, nil, err
		}
		q.ID, q.Version = 0, 0
		q, err := s.Regulation.CreateRequirement(r.Context(), httpkit.Principal(r), q)
		return http.StatusCreated, versioned{q, q.Version}, err
	}))
	mux.HandleFunc("PUT /api/v1/requirements/{code}", s.api(func(r *http.Request) (int, any, error) {
		var q regulation.Requirement
		version, err := httpkit.DecodePut(r, &q, false, requirementReadOnly...)
		if err != nil {
			return 0, nil, err
		}
		q.Version = version
		q, err = s.Regulation.UpdateRequirement(r.Context(), httpkit.Principal(r), r.PathValue("code"), q)
		return http.StatusOK, versioned{q, q.Version}, err
	}))
	mux.HandleFunc("DELETE /api/v1/requirements/{code}", s.api(func(r *http.Request) (int, any, error) {
		version, err := httpkit.DeleteVersion(r)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.Regulation.DeleteRequirement(r.Context(), httpkit.Principal(r), r.PathValue("code"), version)
	}))

	mux.HandleFunc("GET /api/v1/regulation/search", s.api(func(r *http.Request) (int, any, error) {
		q := r.URL.Query()
		limit, err := httpkit.Int(q, "limit", 50)
		if err != nil {
			return 0, nil, err
		}
		hits, err := s.Regulation.Search(r.Context(), httpkit.Principal(r), q.Get("q"), limit)
		return http.StatusOK, map[string]any{"hits": hits}, err
	}))
	mux.HandleFunc("GET /api/v1/regulation/indicators", s.api(func(r *http.Request) (int, any, error) {
		year, err := query.Year(r.URL.Query(), "year")
		if err != nil {
			return 0, nil, err
		}
		norms, err := s.Regulation.NormIndicators(r.Context())
		if err != nil {
			return 0, nil, err
		}
		procs, err := s.Regulation.ProcedureIndicators(r.Context(), year)
		return http.StatusOK, map[string]any{"norms": norms, "procedures": procs}, err
	}))
	mux.HandleFunc("GET /api/v1/holidays", s.api(func(r *http.Request) (int, any, error) {
		year, err := query.Year(r.URL.Query(), "year")
		if err != nil {
			return 0, nil, err
		}
		list, err := s.Workdays.Holidays(r.Context(), year)
		return http.StatusOK, map[string]any{"holidays": list}, err
	}))
	mux.HandleFunc("GET /api/v1/uit", s.api(func(r *http.Request) (int, any, error) {
		list, err := s.Regulation.UITs(r.Context())
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

// normJSON is a norm with the address of its text file, when it has one.
type normJSON struct {
	regulation.NormView
	FileURL string `json:"file_url,omitempty"`
}

func normOut(r *http.Request, n regulation.NormView) normJSON {
	out := normJSON{NormView: n}
	if n.Text.SHA256 != "" {
		out.FileURL = httpkit.BaseURL(r) + regulation.TextPath(n.Code)
	}
	return out
}
