package api

import (
	"math"
	"net/http"

	"sriim/internal/exports"
	"sriim/internal/httpkit"
	"sriim/internal/portal"
	"sriim/internal/query"
)

// exportsRoutes registers the regional exports' JSON API.
func (s *Server) exportsRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /api/v1/exports/regional", s.api(func(r *http.Request) (int, any, error) {
		q, err := query.Regional(r.Context(), r.URL.Query(), s.Exports)
		if err != nil {
			return 0, nil, err
		}
		res, err := s.Exports.Regional(r.Context(), httpkit.Principal(r), q)
		return http.StatusOK, res, err
	}))
	mux.HandleFunc("GET /api/v1/exports/regional/destination-changes", s.api(func(r *http.Request) (int, any, error) {
		q, err := query.Regional(r.Context(), r.URL.Query(), s.Exports)
		if err != nil {
			return 0, nil, err
		}
		ch, err := s.Exports.DestinationChanges(r.Context(), httpkit.Principal(r), q)
		return http.StatusOK, map[string]any{"changes": ch}, err
	}))
	mux.HandleFunc("GET /api/v1/exports/published", s.api(func(r *http.Request) (int, any, error) {
		list, err := s.Exports.PublishedFigures(r.Context(), r.URL.Query().Get("region"))
		return http.StatusOK, map[string]any{"figures": list}, err
	}))
	mux.HandleFunc("GET /api/v1/exports/departments", s.api(func(*http.Request) (int, any, error) {
		out := make([]map[string]string, len(exports.Departments))
		for i, d := range exports.Departments {
			out[i] = map[string]string{"code": d.Code, "ubigeo": d.Ubigeo, "name": d.NameES}
		}
		return http.StatusOK, map[string]any{"departments": out}, nil
	}))
	mux.HandleFunc("GET /api/v1/exports/leads", s.api(func(r *http.Request) (int, any, error) {
		leads, err := s.Exports.Leads(r.Context(), httpkit.Principal(r), r.URL.Query().Get("region"))
		return http.StatusOK, map[string]any{"leads": leads}, err
	}))
	mux.HandleFunc("GET /api/v1/exports/exporters/{id}/markets", s.api(func(r *http.Request) (int, any, error) {
		id, err := httpkit.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		q, err := query.ExporterMarkets(r.Context(), r.URL.Query(), s.Exports, httpkit.Principal(r), id)
		if err != nil {
			return 0, nil, err
		}
		res, err := s.Exports.ExporterMarkets(r.Context(), httpkit.Principal(r), id, q)
		return http.StatusOK, res, err
	}))
	mux.HandleFunc("GET /api/v1/exports/exporters/{id}/visibility", s.api(func(r *http.Request) (int, any, error) {
		id, err := httpkit.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		v, err := s.Exports.Visibility(r.Context(), id)
		return http.StatusOK, versioned{v, v.Version}, err
	}))
	mux.HandleFunc("PUT /api/v1/exports/exporters/{id}/visibility", s.api(func(r *http.Request) (int, any, error) {
		id, err := httpkit.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		var body struct {
			Public bool `json:"public"`
		}
		version, err := httpkit.DecodePut(r, &body, true)
		if err != nil {
			return 0, nil, err
		}
		v, err := s.Exports.SetVisibility(r.Context(), httpkit.Principal(r), id, body.Public, version)
		return http.StatusOK, versioned{v, v.Version}, err
	}))
	mux.HandleFunc("GET /api/v1/exports/imports", s.api(func(r *http.Request) (int, any, error) {
		list, err := s.Exports.Batches(r.Context())
		for i := range list {
			list[i].CreatedBy = portal.PersonShown(httpkit.Principal(r), list[i].CreatedBy)
		}
		return http.StatusOK, map[string]any{"imports": list}, err
	}))
	mux.HandleFunc("GET /api/v1/exports/imports/{id}", s.api(func(r *http.Request) (int, any, error) {
		id, err := httpkit.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		b, err := s.Exports.Batch(r.Context(), id)
		b.CreatedBy = portal.PersonShown(httpkit.Principal(r), b.CreatedBy)
		return http.StatusOK, b, err
	}))
	// An import through the API runs while the request waits: the body is
	// the file (CSV or XLSX), ?name= its name (a file imported again under
	// the same name replaces its rows).
	mux.HandleFunc("POST /api/v1/exports/imports", s.api(s.apiExportsImport), httpkit.Upload(math.MaxInt64, exports.CanImport))
}

// apiExportsImport imports the body while the request waits.
func (s *Server) apiExportsImport(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	b, err := s.Exports.Start(r.Context(), httpkit.Principal(r), q.Get("name"), q.Get("source"))
	if err != nil {
		return 0, nil, err
	}
	b, err = s.Exports.Import(r.Context(), httpkit.Principal(r), b, r.Body)
	return http.StatusOK, b, err
}
