package api

import (
	"bytes"
	"net/http"

	"sriim/internal/accounts"
	"sriim/internal/audit"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/query"
)

func (s *Server) accountRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /api/v1/me", s.api(s.apiMe))
	mux.HandleFunc("GET /api/v1/institutions", s.api(s.apiInstitutions))
	mux.HandleFunc("POST /api/v1/institutions", s.api(s.apiCreateInstitution))
	mux.HandleFunc("GET /api/v1/institutions/{id}", s.api(s.apiInstitution))
	mux.HandleFunc("PUT /api/v1/institutions/{id}", s.api(s.apiUpdateInstitution))
	mux.HandleFunc("GET /api/v1/users", s.api(s.apiUsers))
	mux.HandleFunc("POST /api/v1/users", s.api(s.apiCreateUser))
	mux.HandleFunc("PUT /api/v1/users/{id}", s.api(s.apiUpdateUser))
	mux.HandleFunc("GET /api/v1/tokens", s.api(s.apiTokens))
	mux.HandleFunc("POST /api/v1/tokens", s.api(s.apiCreateToken))
	mux.HandleFunc("DELETE /api/v1/tokens/{id}", s.api(s.apiRevokeToken))
	mux.HandleFunc("GET /api/v1/audit", s.apiAudit)
}

func (s *Server) apiMe(r *http.Request) (int, any, error) {
	u := httpkit.CurrentUser(r)
	if u == nil {
		return 0, nil, errs.E(errs.Unauthenticated, "not logged in")
	}
	return http.StatusOK, u, nil
}

func (s *Server) apiTokens(r *http.Request) (int, any, error) {
	p := httpkit.Principal(r)
	if p.Anonymous() {
		return 0, nil, errs.E(errs.Unauthenticated, "log in first")
	}
	t, err := s.Accounts.Tokens(r.Context(), p)
	return http.StatusOK, map[string]any{"tokens": t}, err
}

func (s *Server) apiCreateToken(r *http.Request) (int, any, error) {
	var in struct {
		Name string `json:"name"`
	}
	if err := httpkit.DecodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	secret, t, err := s.Accounts.CreateToken(r.Context(), httpkit.Principal(r), in.Name)
	return http.StatusCreated, map[string]any{"token": t, "secret": secret}, err
}

func (s *Server) apiRevokeToken(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, s.Accounts.RevokeToken(r.Context(), httpkit.Principal(r), id)
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	f, err := query.Audit(r.URL.Query())
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	entries, err := s.Portal.AuditLog(r.Context(), httpkit.Principal(r), f)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if r.URL.Query().Get("format") == "csv" {
		var buf bytes.Buffer
		if err := audit.WriteCSV(&buf, entries); err != nil {
			s.k.Fail(w, r, err)
			return
		}
		httpkit.WriteDownload(w, "auditoria.csv", "text/csv; charset=utf-8", buf.Bytes())
		return
	}
	if entries == nil {
		entries = []audit.Entry{}
	}
	httpkit.WriteJSON(w, http.StatusOK, map[string]any{"entries": entries})
}

func (s *Server) apiInstitutions(r *http.Request) (int, any, error) {
	list, err := s.Accounts.Institutions(r.Context())
	if list == nil {
		list = []accounts.Institution{}
	}
	return http.StatusOK, map[string]any{"institutions": list}, err
}

func (s *Server) apiInstitution(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	inst, err := s.Accounts.Institution(r.Context(), id)
	return http.StatusOK, versioned{inst, inst.Version}, err
}

func (s *Server) apiCreateInstitution(r *http.Request) (int, any, error) {
	var in accounts.InstitutionInput
	if err := httpkit.DecodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	inst, err := s.Accounts.CreateInstitution(r.Context(), httpkit.Principal(r), in)
	return http.StatusCreated, inst, err
}

func (s *Server) apiUpdateInstitution(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in accounts.InstitutionInput
	if in.Version, err = httpkit.DecodePut(r, &in, false, "id", "source", "created_at", "updated_at"); err != nil {
		return 0, nil, err
	}
	inst, err := s.Accounts.UpdateInstitution(r.Context(), httpkit.Principal(r), id, in)
	return http.StatusOK, versioned{inst, inst.Version}, err
}

func (s *Server) apiUsers(r *http.Request) (int, any, error) {
	users, err := s.Accounts.Users(r.Context(), httpkit.Principal(r))
	return http.StatusOK, map[string]any{"users": users}, err
}

func (s *Server) apiCreateUser(r *http.Request) (int, any, error) {
	var in accounts.UserInput
	if err := httpkit.DecodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	u, err := s.Accounts.CreateUser(r.Context(), httpkit.Principal(r), in)
	return http.StatusCreated, u, err
}

func (s *Server) apiUpdateUser(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in accounts.UserInput
	if in.Version, err = httpkit.DecodePut(r, &in, false, "id", "created_at", "updated_at"); err != nil {
		return 0, nil, err
	}
	u, err := s.Accounts.UpdateUser(r.Context(), httpkit.Principal(r), id, in)
	return http.StatusOK, versioned{u, u.Version}, err
}
