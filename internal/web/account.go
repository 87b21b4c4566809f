package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"sriim/internal/accounts"
	"sriim/internal/errs"
	"sriim/internal/i18n"
)

func (s *Server) accountRoutes(mux *routeTable) {
	mux.HandleFunc("GET /entrar", s.loginPage)
	mux.HandleFunc("POST /entrar", s.login)
	mux.HandleFunc("POST /salir", s.logout)
	mux.HandleFunc("GET /cuenta", s.accountPage)
	mux.HandleFunc("POST /cuenta/tokens", s.createTokenForm)
	mux.HandleFunc("POST /cuenta/tokens/{id}/revocar", s.revokeTokenForm)
	mux.HandleFunc("POST /cuenta/clave", s.changePasswordForm)
	mux.HandleFunc("GET /clave/olvido", s.forgotPage)
	mux.HandleFunc("POST /clave/olvido", s.forgot)
	mux.HandleFunc("GET /clave/restablecer", s.resetPage)
	mux.HandleFunc("POST /clave/restablecer", s.reset)

	mux.HandleFunc("GET /instituciones", s.institutionsPage)
	mux.HandleFunc("GET /instituciones/nueva", s.newInstitutionPage)
	mux.HandleFunc("POST /instituciones", s.createInstitutionForm)
	mux.HandleFunc("GET /instituciones/{id}", s.institutionPage)
	mux.HandleFunc("POST /instituciones/{id}", s.updateInstitutionForm)
	mux.HandleFunc("GET /admin/usuarios", s.usersPage)
	mux.HandleFunc("GET /admin/usuarios/nuevo", s.newUserPage)
	mux.HandleFunc("POST /admin/usuarios", s.createUserForm)
	mux.HandleFunc("GET /admin/usuarios/{id}", s.userPage)
	mux.HandleFunc("POST /admin/usuarios/{id}", s.updateUserForm)
	mux.HandleFunc("GET /admin/auditoria", s.auditPage)

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

// api adapts a handler that returns a status and a value (or an error) to
// http.HandlerFunc, writing JSON.
func (s *Server) api(h func(r *http.Request) (int, any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		status, v, err := h(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		if rec, ok := v.(versioned); ok {
			w.Header().Set("ETag", etag(rec.version))
			v = rec.body
		}
		writeJSONFor(w, r, status, v)
	}
}

// decodeJSON reads a JSON request body of at most 1 MiB into v, refusing
// unknown fields so that typos do not pass silently.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errs.E(errs.Invalid, "the request body is not valid JSON for this operation: %v", err)
	}
	return nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.NotFound, "no such record")
	}
	return id, nil
}

// requireLogin returns the logged-in user; otherwise it sends the visitor to
// the login page (or answers 401 to the API) and returns nil.
func (s *Server) requireLogin(w http.ResponseWriter, r *http.Request) *accounts.User {
	if u := currentUser(r); u != nil {
		return u
	}
	if wantsJSON(r) {
		s.fail(w, r, errs.E(errs.Unauthenticated, "log in first"))
		return nil
	}
	next := r.URL.Path
	if r.URL.RawQuery != "" {
		next += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, "/entrar?next="+url.QueryEscape(next), http.StatusSeeOther)
	return nil
}

// safeNext keeps only local paths, so the login form cannot send people elsewhere.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/cuenta"
	}
	return next
}

// formPage is what a form template gets: the values typed and what is wrong.
type formPage struct {
	Values any
	Errors map[string]string
	Error  string
	Extra  any
	// Conflict, after a stale save, shows the stored values beside the user's.
	Conflict *conflictView
}

// formFailed re-renders a form with the problems of err when it is an
// invalid-input error, and fails otherwise.
func (s *Server) formFailed(w http.ResponseWriter, r *http.Request, page, title string, values, extra any, err error) {
	var e *errs.Error
	if errors.As(err, &e) && e.Kind == errs.Invalid {
		msg, fields := s.pageError(r, e)
		s.render(w, r, http.StatusUnprocessableEntity, page, title, formPage{Values: values, Errors: fields, Error: msg, Extra: extra})
		return
	}
	if st := staleOf(err); st != nil {
		// values keep what the user typed (with the current version, set by the caller).
		s.render(w, r, http.StatusConflict, page, title, formPage{Values: values, Extra: extra, Conflict: jsonConflict(r, st, values)})
		return
	}
	s.fail(w, r, err)
}

type loginForm struct{ Email, Next string }

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login.html", i18n.T(langOf(r), "login.title"),
		formPage{Values: loginForm{Next: safeNext(r.URL.Query().Get("next"))}})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	form := loginForm{Email: r.PostFormValue("email"), Next: safeNext(r.PostFormValue("next"))}
	secret, _, err := s.accounts.Login(r.Context(), form.Email, r.PostFormValue("password"), clientAddr(r))
	if err != nil {
		kind := errs.KindOf(err)
		if kind != errs.Unauthenticated && kind != errs.TooManyRequests {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, statusOf(kind), "login.html", i18n.T(langOf(r), "login.title"),
			formPage{Values: form, Error: i18n.T(langOf(r), "login."+string(kind))})
		return
	}
	// A fresh session on every login; the one the browser had (if any) ends.
	if old, err := r.Cookie(sessionCookie); err == nil {
		_ = s.accounts.Logout(r.Context(), old.Value)
	}
	setSessionCookie(w, r, secret)
	http.Redirect(w, r, form.Next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.accounts.Logout(r.Context(), c.Value); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	clearSessionCookie(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

type accountData struct {
	Institutions []accounts.Institution
	Tokens       []accounts.Token
	NewToken     string
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, u *accounts.User, newToken string, formErr error) {
	data := accountData{NewToken: newToken}
	var err error
	if data.Tokens, err = s.accounts.Tokens(r.Context(), u.Principal()); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, id := range u.Institutions {
		inst, err := s.accounts.Institution(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data.Institutions = append(data.Institutions, inst)
	}
	title := i18n.T(langOf(r), "account.title")
	if formErr != nil {
		s.formFailed(w, r, "account.html", title, nil, data, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "account.html", title, formPage{Extra: data})
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	if u := s.requireLogin(w, r); u != nil {
		s.renderAccount(w, r, u, "", nil)
	}
}

func (s *Server) createTokenForm(w http.ResponseWriter, r *http.Request) {
	u := s.requireLogin(w, r)
	if u == nil {
		return
	}
	secret, _, err := s.accounts.CreateToken(r.Context(), u.Principal(), r.PostFormValue("name"))
	// The secret is shown on this response only; it is not stored.
	w.Header().Set("Cache-Control", "no-store")
	s.renderAccount(w, r, u, secret, err)
}

func (s *Server) revokeTokenForm(w http.ResponseWriter, r *http.Request) {
	u := s.requireLogin(w, r)
	if u == nil {
		return
	}
	id, err := pathID(r)
	if err == nil {
		err = s.accounts.RevokeToken(r.Context(), u.Principal(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/cuenta?ok=revoked", http.StatusSeeOther)
}

func (s *Server) changePasswordForm(w http.ResponseWriter, r *http.Request) {
	u := s.requireLogin(w, r)
	if u == nil {
		return
	}
	if err := s.accounts.ChangePassword(r.Context(), u.Principal(), u.ID, r.PostFormValue("password")); err != nil {
		s.renderAccount(w, r, u, "", err)
		return
	}
	// Changing the password ends every session; start a new one here.
	secret, _, err := s.accounts.Login(r.Context(), u.Email, r.PostFormValue("password"), clientAddr(r))
	if err == nil {
		setSessionCookie(w, r, secret)
	}
	http.Redirect(w, r, "/cuenta?ok=password", http.StatusSeeOther)
}

func (s *Server) forgotPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "forgot.html", i18n.T(langOf(r), "forgot.title"), formPage{Extra: s.mailer != nil})
}

func (s *Server) forgot(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	if s.mailer == nil {
		s.render(w, r, http.StatusOK, "forgot.html", i18n.T(lang, "forgot.title"), formPage{Extra: false})
		return
	}
	// Every outcome is answered the same, so the form does not reveal accounts.
	base, ok := s.linkBase(r)
	if !ok {
		s.log.ErrorContext(r.Context(), "password reset link not sent: set --public-url (SRIIM_PUBLIC_URL) to the address people use", "host", r.Host)
	} else if secret, u, err := s.accounts.StartReset(r.Context(), r.PostFormValue("email"), false); err == nil {
		link := base + "/clave/restablecer?token=" + url.QueryEscape(secret)
		ul := i18n.Lang(u.Lang)
		if err := s.mailer.Send(r.Context(), u.Email, i18n.T(ul, "forgot.subject"), i18n.T(ul, "forgot.body", link)); err != nil {
			s.log.ErrorContext(r.Context(), "send reset email", "err", err)
		}
	} else if !errs.Is(err, errs.NotFound) {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "forgot.html", i18n.T(lang, "forgot.title"), formPage{Extra: true, Error: i18n.T(lang, "forgot.sent")})
}

func (s *Server) resetPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "reset.html", i18n.T(langOf(r), "reset.title"), formPage{Values: r.URL.Query().Get("token")})
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	token := r.PostFormValue("token")
	revoked, err := s.accounts.FinishReset(r.Context(), token, r.PostFormValue("password"), r.PostFormValue("revoke_tokens") == "on")
	if err != nil {
		s.formFailed(w, r, "reset.html", i18n.T(langOf(r), "reset.title"), token, nil, err)
		return
	}
	if revoked > 0 {
		http.Redirect(w, r, "/entrar?ok=password_tokens", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/entrar?ok=password", http.StatusSeeOther)
}

// API: who am I, and personal tokens.

func (s *Server) apiMe(r *http.Request) (int, any, error) {
	u := currentUser(r)
	if u == nil {
		return 0, nil, errs.E(errs.Unauthenticated, "not logged in")
	}
	return http.StatusOK, u, nil
}

func (s *Server) apiTokens(r *http.Request) (int, any, error) {
	p := principal(r)
	if p.Anonymous() {
		return 0, nil, errs.E(errs.Unauthenticated, "log in first")
	}
	t, err := s.accounts.Tokens(r.Context(), p)
	return http.StatusOK, map[string]any{"tokens": t}, err
}

func (s *Server) apiCreateToken(r *http.Request) (int, any, error) {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	secret, t, err := s.accounts.CreateToken(r.Context(), principal(r), in.Name)
	return http.StatusCreated, map[string]any{"token": t, "secret": secret}, err
}

func (s *Server) apiRevokeToken(r *http.Request) (int, any, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, s.accounts.RevokeToken(r.Context(), principal(r), id)
}
