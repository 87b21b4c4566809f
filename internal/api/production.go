package api

import (
	"net/http"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/facts"
	"sriim/internal/httpkit"
	"sriim/internal/importer"
	"sriim/internal/production"
	"sriim/internal/query"
)

func (s *Server) productionRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /api/v1/species", s.api(s.apiSpecies))
	mux.HandleFunc("GET /api/v1/places", s.api(s.apiPlaces))
	mux.HandleFunc("GET /api/v1/production/series", s.api(s.apiProductionSeries))
	mux.HandleFunc("GET /api/v1/production/facts", s.api(s.apiProductionFacts))
	mux.HandleFunc("GET /api/v1/facts", s.api(s.apiTextFacts))
	mux.HandleFunc("POST /api/v1/production/observations", s.api(s.apiObservationCreate))
	mux.HandleFunc("GET /api/v1/production/observations/{id}", s.api(s.apiObservation))
	mux.HandleFunc("PUT /api/v1/production/observations/{id}", s.api(s.apiObservationUpdate))
	mux.HandleFunc("DELETE /api/v1/production/observations/{id}", s.deleteByID(s.Production.Delete))
	mux.HandleFunc("POST /api/v1/production/import", s.api(s.apiProductionImport), httpkit.Upload(importer.MaxBytes, production.CanCreate))
}

func (s *Server) apiSpecies(r *http.Request) (int, any, error) {
	list, err := s.Reference.Species(r.Context())
	return http.StatusOK, map[string]any{"species": list}, err
}

func (s *Server) apiPlaces(r *http.Request) (int, any, error) {
	list, err := s.Reference.Places(r.Context())
	return http.StatusOK, map[string]any{"places": list}, err
}

func (s *Server) apiProductionSeries(r *http.Request) (int, any, error) {
	q, err := query.Production(r.URL.Query(), true, s.Portal.Defaults)
	if err != nil {
		return 0, nil, err
	}
	res, err := s.Production.Series(r.Context(), q)
	return http.StatusOK, res, err
}

// apiTextFacts lists the figures of the sources' text (?topic=production|markets).
func (s *Server) apiTextFacts(r *http.Request) (int, any, error) {
	topic := r.URL.Query().Get("topic")
	if topic != "" && topic != facts.Production && topic != facts.Markets {
		return 0, nil, errs.Fields("invalid parameter", map[string]string{"topic": "production or markets"})
	}
	list, err := s.Facts.List(r.Context(), topic)
	return http.StatusOK, map[string]any{"facts": list}, err
}

func (s *Server) apiProductionFacts(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	facts, err := s.Production.Facts(r.Context(), httpkit.List(q, "place"), httpkit.List(q, "species"))
	if facts == nil {
		facts = []production.Observation{}
	}
	return http.StatusOK, map[string]any{"observations": facts}, err
}

func (s *Server) apiObservation(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	o, err := s.Production.Observation(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	hist, err := s.Portal.History(r.Context(), httpkit.Principal(r), id)
	return http.StatusOK, versioned{map[string]any{"observation": o, "history": hist}, o.Version}, err
}

func (s *Server) apiObservationCreate(r *http.Request) (int, any, error) {
	var o production.Observation
	if err := httpkit.DecodeJSON(r, &o); err != nil {
		return 0, nil, err
	}
	o, err := s.Production.Create(r.Context(), httpkit.Principal(r), o)
	return http.StatusCreated, o, err
}

func (s *Server) apiObservationUpdate(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var o production.Observation
	if o.Version, err = httpkit.DecodePut(r, &o, false, "id", "created_at", "updated_at"); err != nil {
		return 0, nil, err
	}
	o, err = s.Production.Update(r.Context(), httpkit.Principal(r), id, o)
	return http.StatusOK, versioned{o, o.Version}, err
}

// apiProductionImport takes the file as the request body; ?filename= (or
// the Content-Type) says whether it is CSV or XLSX.
func (s *Server) apiProductionImport(r *http.Request) (int, any, error) {
	name := r.URL.Query().Get("filename")
	if name == "" && strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
		name = "upload.xlsx"
	}
	rep, err := s.Production.Import(r.Context(), httpkit.Principal(r), r.Body, name)
	return http.StatusOK, rep, err
}
