package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"sriim/internal/accounts"
	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/i18n"
)

// Institutions: public list and page; edits for their editors and for
// those who write reference data.

func institutionFromForm(r *http.Request) accounts.InstitutionInput {
	return accounts.InstitutionInput{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), NameEN: r.PostFormValue("name_en"),
		Kind: r.PostFormValue("kind"), Website: r.PostFormValue("website"), Description: r.PostFormValue("description"),
		Version: parseVersion(r.PostFormValue("version"))}
}

func (s *Server) institutionsPage(w http.ResponseWriter, r *http.Request) {
	list, err := s.accounts.Institutions(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "institutions.html", i18n.T(langOf(r), "institutions.title"), list)
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
	if err := auth.Authorize(principal(r), auth.Owner{Reference: true}); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "institution.html", i18n.T(langOf(r), "institutions.new"),
		formPage{Values: accounts.InstitutionInput{Kind: "public"}, Extra: institutionData{Kinds: accounts.InstitutionKinds, Owner: auth.Owner{Reference: true}}})
}

func (s *Server) createInstitutionForm(w http.ResponseWriter, r *http.Request) {
	in := institutionFromForm(r)
	inst, err := s.accounts.CreateInstitution(r.Context(), principal(r), in)
	if err != nil {
		s.formFailed(w, r, "institution.html", i18n.T(langOf(r), "institutions.new"), in,
			institutionData{Kinds: accounts.InstitutionKinds, Owner: auth.Owner{Reference: true}}, err)
		return
	}
	http.Redirect(w, r, "/instituciones/"+strconv.FormatInt(inst.ID, 10)+"?ok=saved", http.StatusSeeOther)
}

func (s *Server) institutionPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	inst, err := s.accounts.Institution(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := accounts.InstitutionInput{Code: inst.Code, Name: inst.Name, NameEN: inst.NameEN, Kind: inst.Kind, Website: inst.Website, Description: inst.Description,
		Version: inst.Version}
	s.render(w, r, http.StatusOK, "institution.html", inst.Name,
		formPage{Values: in, Extra: institutionData{ID: id, Kinds: accounts.InstitutionKinds, Owner: accounts.InstitutionOwner(id), Saved: &inst}})
}

func (s *Server) updateInstitutionForm(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := institutionFromForm(r)
	if _, err := s.accounts.UpdateInstitution(r.Context(), principal(r), id, in); err != nil {
		if st := staleOf(err); st != nil {
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
	in.ActorID, _ = strconv.ParseInt(r.PostFormValue("actor_id"), 10, 64)
	in.Version = parseVersion(r.PostFormValue("version"))
	for _, v := range r.PostForm["institutions"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.Institutions = append(in.Institutions, id)
		}
	}
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
	list, err := s.accounts.Institutions(r.Context())
	return userFormData{ID: id, Roles: auth.Roles, Institutions: list}, err
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	users, err := s.accounts.Users(r.Context(), principal(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "users.html", i18n.T(langOf(r), "users.title"), users)
}

func (s *Server) newUserPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	if err := auth.Require(principal(r), auth.ManageUsers); err != nil {
		s.fail(w, r, err)
		return
	}
	data, err := s.userFormData(r, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "user.html", i18n.T(langOf(r), "users.new"),
		formPage{Values: accounts.UserInput{Role: auth.Editor, Lang: "es", Active: true}, Extra: data})
}

func (s *Server) createUserForm(w http.ResponseWriter, r *http.Request) {
	in := userFromForm(r)
	if _, err := s.accounts.CreateUser(r.Context(), principal(r), in); err != nil {
		data, derr := s.userFormData(r, 0)
		if derr != nil {
			err = derr
		}
		in.Password = ""
		s.formFailed(w, r, "user.html", i18n.T(langOf(r), "users.new"), in, data, err)
		return
	}
	http.Redirect(w, r, "/admin/usuarios?ok=saved", http.StatusSeeOther)
}

func (s *Server) userPage(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	if err := auth.Require(principal(r), auth.ManageUsers); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.accounts.User(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data, err := s.userFormData(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := accounts.UserInput{Email: u.Email, Name: u.Name, Lang: u.Lang, Role: u.Role, ReferenceGrant: u.ReferenceGrant,
		ActorID: u.ActorID, Active: u.Active, Institutions: u.Institutions, Version: u.Version}
	s.render(w, r, http.StatusOK, "user.html", u.Name, formPage{Values: in, Extra: data})
}

func (s *Server) updateUserForm(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := userFromForm(r)
	if _, err := s.accounts.UpdateUser(r.Context(), principal(r), id, in); err != nil {
		if st := staleOf(err); st != nil {
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

func auditFilter(q url.Values) (audit.Filter, error) {
	f := audit.Filter{Entity: q.Get("entity"), EntityID: q.Get("entity_id"), Limit: 200}
	fields := map[string]string{}
	if v := q.Get("user"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			fields["user"] = msgUser
		}
		f.UserID = id
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				fields[name] = msgDate
			}
			*dst = t
		}
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // "to" is inclusive for people
	}
	if v := q.Get("before"); v != "" {
		f.BeforeID, _ = strconv.ParseInt(v, 10, 64)
	}
	if q.Get("format") == "csv" {
		f.Limit = 10000
	}
	if len(fields) > 0 {
		return f, errs.Fields("invalid audit filter", fields)
	}
	return f, nil
}

// auditEntries lists the entries the filter selects, or answers with the
// CSV download (?format=csv) or an error and returns false.
func (s *Server) auditEntries(w http.ResponseWriter, r *http.Request, f audit.Filter) ([]audit.Entry, bool) {
	if err := auth.Require(principal(r), auth.ReadAudit); err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	f.Shown = s.auditShown(r.Context(), principal(r))
	entries, err := audit.List(r.Context(), s.db, f)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	if r.URL.Query().Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="auditoria.csv"`)
		if err := audit.WriteCSV(w, entries); err != nil {
			s.log.ErrorContext(r.Context(), "write audit csv", "err", err)
		}
		return nil, false
	}
	return entries, true
}

// auditReadable are the records whose audit anyone with auth.ReadAudit may
// read, as they may read the records: not accounts and their tokens (the
// administrators'), and reports only as auditShown checks. A record type
// missing here is shown to administrators only, so a new one is not
// shown to editors before someone decides it may be.
var auditReadable = map[string]bool{"actor": true, "institution": true, "species": true, "place": true,
	"production_observation": true, "plan": true, "plan_annual_item": true, "trade_batch": true,
	"trade_published_shares": true, "market_report": true, "offer_product": true, "holiday": true, "uit_value": true}

// auditShown is what of the audit log p may see: administrators all of
// it; others the entries of records they may read (auditReadable; a report
// and its evidence when p may open the report), and of who made each
// change only what personShown gives.
func (s *Server) auditShown(ctx context.Context, p auth.Principal) func(*audit.Entry) (bool, error) {
	if p.Role == auth.Admin {
		return nil
	}
	reports := map[int64]bool{}
	mayRead := func(report int64) (bool, error) {
		if ok, known := reports[report]; known {
			return ok, nil
		}
		_, _, err := s.planning.Report(ctx, p, report)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return false, err
		}
		reports[report] = err == nil
		return err == nil, nil
	}
	return func(e *audit.Entry) (bool, error) {
		if e.UserID != 0 {
			e.UserEmail = personShown(p, e.UserEmail)
		}
		switch e.Entity {
		case "plan_report":
			id, _ := strconv.ParseInt(e.EntityID, 10, 64)
			return mayRead(id)
		case "plan_report_evidence":
			var ev struct {
				ReportID int64 `json:"report_id"`
			}
			if json.Unmarshal(e.After, &ev) != nil {
				_ = json.Unmarshal(e.Before, &ev)
			}
			return mayRead(ev.ReportID)
		case "norm", "procedure", "export_requirement", "procedure_case":
			return regulationAuditShown(p, e), nil
		}
		return auditReadable[e.Entity], nil
	}
}

// personShown is the account (its email) that did something as p may see
// it: administrators see every account, and a user sees their own; to
// everyone else it is "" (accounts are the administrators' to see).
func personShown(p auth.Principal, email string) string {
	if p.Role == auth.Admin || (p.Email != "" && p.Email == email) {
		return email
	}
	return ""
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
	f, problems, err := readFilters(r, auditFilter)
	if err != nil {
		s.fail(w, r, err)
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
	s.renderFiltered(w, r, "audit.html", Page{Title: i18n.T(langOf(r), "audit.title"), Data: rows}, problems)
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	f, err := auditFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	entries, ok := s.auditEntries(w, r, f)
	if !ok {
		return
	}
	if entries == nil {
		entries = []audit.Entry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
}

// API for institutions and users.

func (s *Server) apiInstitutions(r *http.Request) (int, any, error) {
	list, err := s.accounts.Institutions(r.Context())
	if list == nil {
		list = []accounts.Institution{}
	}
	return http.StatusOK, map[string]any{"institutions": list}, err
}

func (s *Server) apiInstitution(r *http.Request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	inst, err := s.accounts.Institution(r.Context(), id)
	return http.StatusOK, versioned{inst, inst.Version}, err
}

func (s *Server) apiCreateInstitution(r *http.Request) (int, any, error) {
	var in accounts.InstitutionInput
	if err := decodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	inst, err := s.accounts.CreateInstitution(r.Context(), principal(r), in)
	return http.StatusCreated, inst, err
}

func (s *Server) apiUpdateInstitution(r *http.Request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in accounts.InstitutionInput
	if in.Version, err = decodePut(r, &in, false, "id", "source", "created_at", "updated_at"); err != nil {
		return 0, nil, err
	}
	inst, err := s.accounts.UpdateInstitution(r.Context(), principal(r), id, in)
	return http.StatusOK, versioned{inst, inst.Version}, err
}

func (s *Server) apiUsers(r *http.Request) (int, any, error) {
	users, err := s.accounts.Users(r.Context(), principal(r))
	return http.StatusOK, map[string]any{"users": users}, err
}

func (s *Server) apiCreateUser(r *http.Request) (int, any, error) {
	var in accounts.UserInput
	if err := decodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	u, err := s.accounts.CreateUser(r.Context(), principal(r), in)
	return http.StatusCreated, u, err
}

func (s *Server) apiUpdateUser(r *http.Request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	var in accounts.UserInput
	if in.Version, err = decodePut(r, &in, false, "id", "created_at", "updated_at"); err != nil {
		return 0, nil, err
	}
	u, err := s.accounts.UpdateUser(r.Context(), principal(r), id, in)
	return http.StatusOK, versioned{u, u.Version}, err
}
