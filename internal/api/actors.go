package api

import (
	"context"
	"net/http"
	"strings"

	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/httpkit"
	"sriim/internal/importer"
	"sriim/internal/query"
)

func (s *Server) actorRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /api/v1/actors", s.api(s.apiActors))
	mux.HandleFunc("POST /api/v1/actors", s.api(s.apiActorCreate))
	mux.HandleFunc("POST /api/v1/actors/import", s.api(s.apiActorImport), httpkit.Upload(importer.MaxBytes, nil))
	mux.HandleFunc("GET /api/v1/actors/{id}", s.api(s.apiActor))
	mux.HandleFunc("PUT /api/v1/actors/{id}", s.api(s.apiActorUpdate))
	mux.HandleFunc("DELETE /api/v1/actors/{id}", s.deleteByID(s.deactivateActor))
	mux.HandleFunc("GET /api/v1/indicators/registry", s.api(s.apiRegistryIndicators))
}

func (s *Server) apiActors(r *http.Request) (int, any, error) {
	page, err := s.Actors.List(r.Context(), httpkit.Principal(r), query.Actors(r.URL.Query(), true))
	return http.StatusOK, page, err
}

func (s *Server) apiActor(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	a, err := s.Actors.Actor(r.Context(), httpkit.Principal(r), id)
	return http.StatusOK, versioned{a, a.Version}, err
}

func (s *Server) apiActorCreate(r *http.Request) (int, any, error) {
	var a actors.Actor
	if err := httpkit.DecodeJSON(r, &a); err != nil {
		return 0, nil, err
	}
	a, warnings, err := s.Actors.Create(r.Context(), httpkit.Principal(r), a)
	if warnings == nil {
		warnings = []actors.Warning{}
	}
	return http.StatusCreated, map[string]any{"actor": a, "warnings": warnings}, err
}

func (s *Server) apiActorUpdate(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var a actors.Actor
	if a.Version, err = httpkit.DecodePut(r, &a, false, "id", "registered_at", "created_at", "updated_at"); err != nil {
		return 0, nil, err
	}
	a, err = s.Actors.Update(r.Context(), httpkit.Principal(r), id, a)
	return http.StatusOK, versioned{a, a.Version}, err
}

// deactivateActor is an actor's DELETE: the record leaves the public
// registry and keeps its history.
func (s *Server) deactivateActor(ctx context.Context, p auth.Principal, id, version int64) error {
	_, err := s.Actors.SetActive(ctx, p, id, false, version)
	return err
}

func (s *Server) apiActorImport(r *http.Request) (int, any, error) {
	name := r.URL.Query().Get("filename")
	if name == "" && strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
		name = "upload.xlsx"
	}
	rep, err := s.Actors.Import(r.Context(), httpkit.Principal(r), r.Body, name)
	return http.StatusOK, rep, err
}

func (s *Server) apiRegistryIndicators(r *http.Request) (int, any, error) {
	ind, err := s.Actors.Indicators(r.Context())
	return http.StatusOK, map[string]any{"indicators": ind}, err
}
