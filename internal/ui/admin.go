package ui

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"sriim/internal/accounts"
	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/query"
)

// Institutions: public list and page; edits for their editors and for
// those who write reference data.

func institutionFromForm(r *http.Request) accounts.InstitutionInput {
	return accounts.InstitutionInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), NameEN: r.PostFormValue("name_en"),
		Kind: r.PostFormValue("kind"), Website: r.PostFormValue("website"), Description: r.PostFormValue("description"),
		Version: httpkit.PostForm(r).Version()}
}

func (s *Server) institutionsPage(w http.ResponseWriter, r *http.Request) {
	list, err := s.Accounts.Institutions(r.Context())
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "institutions.html", i18n.T(httpkit.Lang(r), "institutions.title"), list)
}

type institutionData struct {
	ID    int64
	Kinds []string
	Owner auth.Owner
	Saved *accounts.Institution
}

func (s *Server) newInstitutionPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	if err := auth.Authorize(httpkit.Principal(r), auth.Owner{Reference: true}); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "institution.html", i18n.T(httpkit.Lang(r), "institutions.new"),
		formPage{Values: accounts.InstitutionInput{Kind: "public"}, Extra: institutionData{Kinds: accounts.InstitutionKinds, Owner: auth.Owner{Reference: true}}})
}

func (s *Server) createInstitutionForm(w http.ResponseWriter, r *http.Request) {
	in := institutionFromForm(r)
	inst, err := s.Accounts.CreateInstitution(r.Context(), httpkit.Principal(r), in)
	if err != nil {
		s.formFailed(w, r, "institution.html", i18n.T(httpkit.Lang(r), "institutions.new"), in,
			institutionData{Kinds: accounts.InstitutionKinds, Owner: auth.Owner{Reference: true}}, err)
		return
	}
	http.Redirect(w, r, "/instituciones/"+strconv.FormatInt(inst.ID, 10)+"?ok=saved", http.StatusSeeOther)
}

func (s *Server) institutionPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	inst, err := s.Accounts.Institution(r.Context(), id)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	in := accounts.InstitutionInput{Code: inst.Code, Name: inst.Name, NameEN: inst.NameEN, Kind: inst.Kind, Website: inst.Website, Description: inst.Description,
		Version: inst.Version}
	s.render(w, r, http.StatusOK, "institution.html", inst.Name,
		formPage{Values: in, Extra: institutionData{ID: id, Kinds: accounts.InstitutionKinds, Owner: accounts.InstitutionOwner(id), Saved: &inst}})
}

func (s *Server) updateInstitutionForm(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	in := institutionFromForm(r)
	if _, err := s.Accounts.UpdateInstitution(r.Context(), httpkit.Principal(r), id, in); err != nil {
		if st := httpkit.StaleOf(err); st != nil {
			in.Version = st.CurrentVersion
		}
		s.formFailed(w, r, "institution.html", in.Name, in,
			institutionData{ID: id, Kinds: accounts.InstitutionKinds, Owner: accounts.InstitutionOwner(id)}, err)
		return
	}
	http.Redirect(w, r, "/instituciones/"+strconv.FormatInt(id, 10)+"?ok=saved", http.StatusSeeOther)
}

// Users: administrators only.

func userFromForm(r *http.Request) accounts.UserInput {
	_ = r.ParseForm()
	in := accounts.UserInput{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"), Password: r.PostFormValue("password"),
		Lang: r.PostFormValue("lang"), Role: auth.Role(r.PostFormValue("role")), ReferenceGrant: r.PostFormValue("can_edit_reference") == "on",
		Active: r.PostFormValue("active") == "on", Institutions: []int64{}}
	f := httpkit.PostForm(r)
	in.ActorID, in.Version, in.Institutions = f.ID("actor_id"), f.Version(), f.IDs("institutions")
	return in
}

type userFormData struct {
	ID           int64
	Roles        []auth.Role
	Institutions []accounts.Institution
}

// Member reports whether institution id is among the form's institutions.
func (d userFormData) Member(in accounts.UserInput, id int64) bool {
	for _, i := range in.Institutions {
		if i == id {
			return true
		}
	}
	return false
}

func (s *Server) userFormData(r *http.Request, id int64) (userFormData, error) {
	list, err := s.Accounts.Institutions(r.Context())
	return userFormData{ID: id, Roles: auth.Roles, Institutions: list}, err
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	users, err := s.Accounts.Users(r.Context(), httpkit.Principal(r))
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "users.html", i18n.T(httpkit.Lang(r), "users.title"), users)
}

func (s *Server) newUserPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	if err := auth.Require(httpkit.Principal(r), auth.ManageUsers); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	data, err := s.userFormData(r, 0)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "user.html", i18n.T(httpkit.Lang(r), "users.new"),
		formPage{Values: accounts.UserInput{Role: auth.Editor, Lang: "es", Active: true}, Extra: data})
}

func (s *Server) createUserForm(w http.ResponseWriter, r *http.Request) {
	in := userFromForm(r)
	if _, err := s.Accounts.CreateUser(r.Context(), httpkit.Principal(r), in); err != nil {
		data, derr := s.userFormData(r, 0)
		if derr != nil {
			err = derr
		}
		in.Password = ""
		s.formFailed(w, r, "user.html", i18n.T(httpkit.Lang(r), "users.new"), in, data, err)
		return
	}
	http.Redirect(w, r, "/admin/usuarios?ok=saved", http.StatusSeeOther)
}

func (s *Server) userPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	if err := auth.Require(httpkit.Principal(r), auth.ManageUsers); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	u, err := s.Accounts.User(r.Context(), id)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	data, err := s.userFormData(r, id)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	in := accounts.UserInput{Email: u.Email, Name: u.Name, Lang: u.Lang, Role: u.Role, ReferenceGrant: u.ReferenceGrant,
		ActorID: u.ActorID, Active: u.Active, Institutions: u.Institutions, Version: u.Version}
	s.render(w, r, http.StatusOK, "user.html", u.Name, formPage{Values: in, Extra: data})
}

func (s *Server) updateUserForm(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	in := userFromForm(r)
	if _, err := s.Accounts.UpdateUser(r.Context(), httpkit.Principal(r), id, in); err != nil {
		if st := httpkit.StaleOf(err); st != nil {
			in.Version = st.CurrentVersion
		}
		data, derr := s.userFormData(r, id)
		if derr != nil {
			err = derr
		}
		s.formFailed(w, r, "user.html", in.Name, in, data, err)
		return
	}
	http.Redirect(w, r, "/admin/usuarios?ok=saved", http.StatusSeeOther)
}

// The audit log: a page and an API endpoint, both exportable to CSV.

// auditEntries lists the entries the filter selects, or answers with the
// CSV download (?format=csv) or an error and returns false.
func (s *Server) auditEntries(w http.ResponseWriter, r *http.Request, f audit.Filter) ([]audit.Entry, bool) {
	entries, err := s.Portal.AuditLog(r.Context(), httpkit.Principal(r), f)
	if err != nil {
		s.k.Fail(w, r, err)
		return nil, false
	}
	if r.URL.Query().Get("format") == "csv" {
		var buf bytes.Buffer
		if err := audit.WriteCSV(&buf, entries); err != nil {
			s.k.Fail(w, r, err)
			return nil, false
		}
		httpkit.WriteDownload(w, "auditoria.csv", "text/csv; charset=utf-8", buf.Bytes())
		return nil, false
	}
	return entries, true
}

// auditRow is an audit entry as the page shows it: the fields that changed.
type auditRow struct {
	audit.Entry
	Changes []fieldChange
}

type fieldChange struct{ Field, Before, After string }

// changes lists the fields whose values differ between before and after
// (all of after's for a creation), leaving out bookkeeping timestamps.
func changes(before, after json.RawMessage) []fieldChange {
	var b, a map[string]any
	_ = json.Unmarshal(before, &b)
	if json.Unmarshal(after, &a) != nil || a == nil {
		return nil
	}
	var out []fieldChange
	for k, v := range a {
		if k == "updated_at" || k == "created_at" {
			continue
		}
		nv, _ := json.Marshal(v)
		ov, _ := json.Marshal(b[k])
		if b != nil && string(nv) == string(ov) {
			continue
		}
		c := fieldChange{Field: k, After: strings.Trim(string(nv), `"`)}
		if b != nil {
			c.Before = strings.Trim(string(ov), `"`)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	f, problems, err := readFilters(r, query.Audit)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	entries, ok := s.auditEntries(w, r, f)
	if !ok {
		return
	}
	rows := make([]auditRow, len(entries))
	for i, e := range entries {
		rows[i] = auditRow{Entry: e, Changes: changes(e.Before, e.After)}
	}
	s.renderFiltered(w, r, "audit.html", Page{Title: i18n.T(httpkit.Lang(r), "audit.title"), Data: rows}, problems)
}

// API for institutions and users.
