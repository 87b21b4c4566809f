package api

import (
	"net/http"
	"strings"

	"sriim/internal/events"
	"sriim/internal/httpkit"
	"sriim/internal/importer"
)

// eventAPIRoutes are the events' API: the events, their participants
// (personal data: for those who may read it) and the attendance import,
// staged and then applied with the answers for its near matches.
func (s *Server) eventAPIRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /api/v1/events", s.api(s.apiEvents))
	mux.HandleFunc("POST /api/v1/events", s.api(s.apiEventCreate))
	mux.HandleFunc("GET /api/v1/events/{id}", s.api(s.apiEvent))
	mux.HandleFunc("PUT /api/v1/events/{id}", s.api(s.apiEventUpdate))
	mux.HandleFunc("DELETE /api/v1/events/{id}", s.api(s.apiEventDelete))
	mux.HandleFunc("GET /api/v1/events/{id}/participants", s.api(s.apiParticipants))
	mux.HandleFunc("DELETE /api/v1/participants/{id}", s.api(s.apiParticipantRemove))
	mux.HandleFunc("POST /api/v1/events/{id}/attendance", s.api(s.apiAttendanceStage), httpkit.Upload(importer.MaxBytes, events.CanCreate))
	mux.HandleFunc("GET /api/v1/attendance-imports/{id}", s.api(s.apiAttendanceImport))
	mux.HandleFunc("POST /api/v1/attendance-imports/{id}/apply", s.api(s.apiAttendanceApply))
	mux.HandleFunc("POST /api/v1/attendance-imports/{id}/discard", s.api(s.apiAttendanceDiscard))
}

func (s *Server) apiEvents(r *http.Request) (int, any, error) {
	q := httpkit.NewForm(r.URL.Query())
	q.Date("from")
	q.Date("to")
	f := events.Filter{From: q.String("from"), To: q.String("to"), Kind: q.String("kind"), ActivityID: int64(q.Int("activity", 0)), Limit: q.Int("limit", 100)}
	if err := q.Err("invalid parameter"); err != nil {
		return 0, nil, err
	}
	list, err := s.Events.List(r.Context(), f)
	return http.StatusOK, map[string]any{"events": list}, err
}

func (s *Server) apiEvent(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	e, err := s.Events.Event(r.Context(), id)
	return http.StatusOK, versioned{e, e.Version}, err
}

func (s *Server) apiEventCreate(r *http.Request) (int, any, error) {
	var e events.Event
	if err := httpkit.DecodeJSON(r, &e); err != nil {
		return 0, nil, err
	}
	e, err := s.Events.Create(r.Context(), httpkit.Principal(r), e)
	return http.StatusCreated, versioned{e, e.Version}, err
}

func (s *Server) apiEventUpdate(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var e events.Event
	if e.Version, err = httpkit.DecodePut(r, &e, false, "id", "participants", "institution_id", "created_at", "updated_at"); err != nil {
		return 0, nil, err
	}
	e, err = s.Events.Update(r.Context(), httpkit.Principal(r), id, e)
	return http.StatusOK, versioned{e, e.Version}, err
}

func (s *Server) apiEventDelete(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, s.Events.Delete(r.Context(), httpkit.Principal(r), id)
}

func (s *Server) apiParticipants(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	if _, err := s.Events.Event(r.Context(), id); err != nil {
		return 0, nil, err
	}
	list, err := s.Events.Participants(r.Context(), httpkit.Principal(r), id)
	return http.StatusOK, map[string]any{"participants": list}, err
}

func (s *Server) apiParticipantRemove(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, s.Events.RemoveParticipant(r.Context(), httpkit.Principal(r), id)
}

// apiAttendanceStage takes an attendance sheet as the body (?filename= says
// whether it is CSV or XLSX) and stages it: nothing is written until it is
// applied with the answers for its near matches.
func (s *Server) apiAttendanceStage(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	name := r.URL.Query().Get("filename")
	if name == "" {
		name = "asistencia.csv"
		if strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
			name = "asistencia.xlsx"
		}
	}
	st, err := s.Events.Stage(r.Context(), httpkit.Principal(r), id, r.Body, name)
	return http.StatusCreated, st, err
}

func (s *Server) apiAttendanceImport(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	st, err := s.Events.StagedImport(r.Context(), httpkit.Principal(r), id)
	return http.StatusOK, st, err
}

func (s *Server) apiAttendanceApply(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		// Confirmations say, by each near match's key, whether it is the actor proposed.
		Confirmations map[string]bool `json:"confirmations"`
	}
	if r.ContentLength > 0 {
		if err := httpkit.DecodeJSON(r, &in); err != nil {
			return 0, nil, err
		}
	}
	rep, err := s.Events.Apply(r.Context(), httpkit.Principal(r), id, in.Confirmations)
	return http.StatusOK, rep, err
}

func (s *Server) apiAttendanceDiscard(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, s.Events.Discard(r.Context(), httpkit.Principal(r), id)
}
