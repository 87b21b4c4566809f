// Package api serves SRIIM's JSON API under /api/v1, described by the
// OpenAPI document at /api/v1/openapi.json (assembled from openapi/*.json,
// one fragment per module). Each module's routes live in a file of their
// own (actors.go, markets.go, …) and are registered with the httpkit
// kernel by one line of Register; the kernel does the rest (sessions and
// tokens, limits, errors as JSON).
package api

import (
	"context"
	"log/slog"
	"net/http"

	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/httpkit"
	"sriim/internal/modules"
)

// Deps are the services the API's handlers use, filled by internal/app.
type Deps struct {
	DB      *db.DB
	Logger  *slog.Logger
	Version string
	modules.Set
}

// Server holds what the API's handlers share: the services (Deps), the
// kernel and the OpenAPI document.
type Server struct {
	Deps
	k       *httpkit.Kernel
	openapi []byte
}

// Register assembles the OpenAPI document and registers the API's routes
// with k: one line per module.
func Register(k *httpkit.Kernel, d Deps) error {
	s := &Server{Deps: d, k: k}
	var err error
	if s.openapi, err = OpenAPI(d.Version); err != nil {
		return err
	}
	k.HandleFunc("GET /api/v1/{$}", s.apiRoot)
	k.HandleFunc("GET /api/v1/openapi.json", s.openapiDoc)
	s.accountRoutes(k)
	s.productionRoutes(k)
	s.actorRoutes(k)
	s.planningRoutes(k)
	s.marketRoutes(k)
	s.marketReportRoutes(k)
	s.offerRoutes(k)
	s.eventAPIRoutes(k)
	s.monitoringAPIRoutes(k)
	s.zoneRoutes(k)
	s.regulationRoutes(k)
	s.archiveRoutes(k)
	s.exportsRoutes(k)
	s.pricesRoutes(k)
	return nil
}

// versioned is an API answer about one record: its body, sent with the
// record's version as the ETag.
type versioned struct {
	body    any
	version int64
}

// api adapts a handler that returns a status and a value (or an error) to
// http.HandlerFunc, writing JSON.
func (s *Server) api(h func(r *http.Request) (int, any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		status, v, err := h(r)
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		if rec, ok := v.(versioned); ok {
			w.Header().Set("ETag", httpkit.ETag(rec.version))
			v = rec.body
		}
		httpkit.WriteJSONFor(w, r, status, v)
	}
}

// deleteByID answers a DELETE of the record {id} at the version the client
// holds (If-Match or ?version=), which del removes.
func (s *Server) deleteByID(del func(ctx context.Context, p auth.Principal, id, version int64) error) http.HandlerFunc {
	return s.api(func(r *http.Request) (int, any, error) {
		id, err := httpkit.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		version, err := httpkit.DeleteVersion(r)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, del(r.Context(), httpkit.Principal(r), id, version)
	})
}

func (s *Server) openapiDoc(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(s.openapi)
}

func (s *Server) apiRoot(w http.ResponseWriter, r *http.Request) {
	httpkit.WriteJSON(w, http.StatusOK, map[string]string{
		"name":    "SRIIM",
		"version": s.Version,
		"openapi": "/api/v1/openapi.json",
	})
}
