package ui

import (
	"net/http"
	"net/url"

	"sriim/internal/accounts"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
)

func (s *Server) accountRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /entrar", s.loginPage)
	mux.HandleFunc("POST /entrar", s.login, httpkit.Public())
	mux.HandleFunc("POST /salir", s.logout, httpkit.Public())
	mux.HandleFunc("GET /cuenta", s.accountPage)
	mux.HandleFunc("POST /cuenta/tokens", s.createTokenForm)
	mux.HandleFunc("POST /cuenta/tokens/{id}/revocar", s.revokeTokenForm)
	mux.HandleFunc("POST /cuenta/clave", s.changePasswordForm)
	mux.HandleFunc("GET /clave/olvido", s.forgotPage)
	mux.HandleFunc("POST /clave/olvido", s.forgot, httpkit.Public())
	mux.HandleFunc("GET /clave/restablecer", s.resetPage)
	mux.HandleFunc("POST /clave/restablecer", s.reset, httpkit.Public())

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
}

type loginForm struct{ Email, Next string }

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login.html", i18n.T(httpkit.Lang(r), "login.title"),
		formPage{Values: loginForm{Next: safeNext(r.URL.Query().Get("next"))}})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	form := loginForm{Email: r.PostFormValue("email"), Next: safeNext(r.PostFormValue("next"))}
	secret, _, err := s.Accounts.Login(r.Context(), form.Email, r.PostFormValue("password"), httpkit.ClientAddr(r))
	if err != nil {
		kind := errs.KindOf(err)
		if kind != errs.Unauthenticated && kind != errs.TooManyRequests {
			s.k.Fail(w, r, err)
			return
		}
		s.render(w, r, httpkit.StatusOf(kind), "login.html", i18n.T(httpkit.Lang(r), "login.title"),
			formPage{Values: form, Error: i18n.T(httpkit.Lang(r), "login."+string(kind))})
		return
	}
	// A fresh session on every login; the one the browser had (if any) ends.
	if old, err := r.Cookie(httpkit.SessionCookie); err == nil {
		_ = s.Accounts.Logout(r.Context(), old.Value)
	}
	httpkit.SetSessionCookie(w, r, secret)
	http.Redirect(w, r, form.Next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(httpkit.SessionCookie); err == nil {
		if err := s.Accounts.Logout(r.Context(), c.Value); err != nil {
			s.k.Fail(w, r, err)
			return
		}
	}
	httpkit.ClearSessionCookie(w, r)
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
	if data.Tokens, err = s.Accounts.Tokens(r.Context(), u.Principal()); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	for _, id := range u.Institutions {
		inst, err := s.Accounts.Institution(r.Context(), id)
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
		data.Institutions = append(data.Institutions, inst)
	}
	title := i18n.T(httpkit.Lang(r), "account.title")
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
	secret, _, err := s.Accounts.CreateToken(r.Context(), u.Principal(), r.PostFormValue("name"))
	// The secret is shown on this response only; it is not stored.
	w.Header().Set("Cache-Control", "no-store")
	s.renderAccount(w, r, u, secret, err)
}

func (s *Server) revokeTokenForm(w http.ResponseWriter, r *http.Request) {
	u := s.requireLogin(w, r)
	if u == nil {
		return
	}
	id, err := httpkit.PathID(r, "id")
	if err == nil {
		err = s.Accounts.RevokeToken(r.Context(), u.Principal(), id)
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/cuenta?ok=revoked", http.StatusSeeOther)
}

func (s *Server) changePasswordForm(w http.ResponseWriter, r *http.Request) {
	u := s.requireLogin(w, r)
	if u == nil {
		return
	}
	if err := s.Accounts.ChangePassword(r.Context(), u.Principal(), u.ID, r.PostFormValue("password")); err != nil {
		s.renderAccount(w, r, u, "", err)
		return
	}
	// Changing the password ends every session; start a new one here.
	secret, _, err := s.Accounts.Login(r.Context(), u.Email, r.PostFormValue("password"), httpkit.ClientAddr(r))
	if err == nil {
		httpkit.SetSessionCookie(w, r, secret)
	}
	http.Redirect(w, r, "/cuenta?ok=password", http.StatusSeeOther)
}

func (s *Server) forgotPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "forgot.html", i18n.T(httpkit.Lang(r), "forgot.title"), formPage{Extra: s.Mailer != nil})
}

func (s *Server) forgot(w http.ResponseWriter, r *http.Request) {
	lang := httpkit.Lang(r)
	if s.Mailer == nil {
		s.render(w, r, http.StatusOK, "forgot.html", i18n.T(lang, "forgot.title"), formPage{Extra: false})
		return
	}
	// Every outcome is answered the same, so the form does not reveal accounts.
	base, ok := s.k.LinkBase(r)
	if !ok {
		s.Logger.ErrorContext(r.Context(), "password reset link not sent: set --public-url (SRIIM_PUBLIC_URL) to the address people use", "host", r.Host)
	} else if secret, u, err := s.Accounts.StartReset(r.Context(), r.PostFormValue("email"), false); err == nil {
		link := base + "/clave/restablecer?token=" + url.QueryEscape(secret)
		ul := i18n.Lang(u.Lang)
		if err := s.Mailer.Send(r.Context(), u.Email, i18n.T(ul, "forgot.subject"), i18n.T(ul, "forgot.body", link)); err != nil {
			s.Logger.ErrorContext(r.Context(), "send reset email", "err", err)
		}
	} else if !errs.Is(err, errs.NotFound) {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "forgot.html", i18n.T(lang, "forgot.title"), formPage{Extra: true, Error: i18n.T(lang, "forgot.sent")})
}

func (s *Server) resetPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "reset.html", i18n.T(httpkit.Lang(r), "reset.title"), formPage{Values: r.URL.Query().Get("token")})
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) {
	token := r.PostFormValue("token")
	revoked, err := s.Accounts.FinishReset(r.Context(), token, r.PostFormValue("password"), r.PostFormValue("revoke_tokens") == "on")
	if err != nil {
		s.formFailed(w, r, "reset.html", i18n.T(httpkit.Lang(r), "reset.title"), token, nil, err)
		return
	}
	if revoked > 0 {
		http.Redirect(w, r, "/entrar?ok=password_tokens", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/entrar?ok=password", http.StatusSeeOther)
}

// API: who am I, and personal tokens.
