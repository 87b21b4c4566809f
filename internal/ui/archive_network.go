package ui

import (
	"errors"
	"net/http"
	"slices"

	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/network"
)

// The information network's pages (seed 1.1.3): anyone subscribes with an
// e-mail address, no account needed; the address is confirmed by a link
// (double opt-in), and every mail's unsubscribe link leads here. A mail
// client's one-click unsubscribe (RFC 8058) POSTs to the same address.
// Every mail's other link leads to the subscriber's page, where the token
// of the link (no account) lets it change what it follows.
func (s *Server) networkRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /red", s.networkPage)
	mux.HandleFunc("POST /red", s.networkSubscribe, httpkit.Public())
	mux.HandleFunc("GET "+network.ConfirmPath, s.networkConfirmAsk)
	mux.HandleFunc("POST "+network.ConfirmPath, s.networkConfirm, httpkit.Public())
	mux.HandleFunc("GET "+network.ManagePath, s.networkManagePage)
	mux.HandleFunc("POST "+network.ManagePath, s.networkManage, httpkit.Public())
	mux.HandleFunc("GET "+network.UnsubscribePath, s.networkUnsubscribeAsk)
	mux.HandleFunc("POST "+network.UnsubscribePath, s.networkUnsubscribe, httpkit.Public(), httpkit.TokenInAddress())
}

// networkView is the network's page in one of its states.
type networkView struct {
	// State: "" (the form), "sent" (confirmation mailed), "stored" (mail
	// is off), "confirm" (confirm this?), "confirmed", "manage" (the
	// subscriber's page), "ask" (unsubscribe?), "unsubscribed", "bad_link"
	// (a wrong or spent token).
	State      string
	Saved      bool // the subscriber's page, after saving
	MailOn     bool
	Topics     []string
	Species    map[string]string
	Codes      []string
	Members    []network.Members
	Subscriber network.Subscriber
	Token      string
	// Form holds what was typed, shown again with Errors.
	Form   networkForm
	Errors map[string]string
	Error  string
}

type networkForm struct {
	Email   string
	Topics  []string
	Urgent  []string
	Species []string
	Digest  bool
	Lang    string // of the mails; only the subscriber's page asks
}

// readNetworkForm reads the form with each list's repeats dropped and cut
// one past its bound (the topics there are, network.MaxSpecies species):
// the service then names what is beyond it, and no form makes the
// subscriptions, a product of the topics and the species, large.
func readNetworkForm(r *http.Request) networkForm {
	return networkForm{Email: r.PostFormValue("email"), Topics: distinct(r.PostForm["topics"], len(network.Topics)+1),
		Urgent: distinct(r.PostForm["urgent"], len(network.Topics)+1), Species: distinct(r.PostForm["species"], network.MaxSpecies+1),
		Digest: r.PostFormValue("digest") != "", Lang: r.PostFormValue("lang")}
}

// distinct is list without repeats, at most max of them.
func distinct(list []string, max int) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range list {
		if len(out) == max {
			break
		}
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// subscriptions are the form's choices: each topic marked, for each species
// marked (none: all), urgent when its box is.
func (f networkForm) subscriptions() []network.Subscription {
	var subs []network.Subscription
	for _, topic := range f.Topics {
		urgent := slices.Contains(f.Urgent, topic)
		if len(f.Species) == 0 {
			subs = append(subs, network.Subscription{Topic: topic, Urgent: urgent})
		}
		for _, sp := range f.Species {
			subs = append(subs, network.Subscription{Topic: topic, Species: sp, Urgent: urgent})
		}
	}
	return subs
}

// networkFormOf is the form that shows what a subscriber follows (or, not
// confirmed yet, asked for).
func networkFormOf(sub network.Subscriber) networkForm {
	subs := sub.Subscriptions
	if sub.State == "pending" {
		subs = sub.Pending
	}
	f := networkForm{Digest: sub.Digest, Lang: sub.Lang}
	for _, x := range subs {
		if !slices.Contains(f.Topics, x.Topic) {
			f.Topics = append(f.Topics, x.Topic)
		}
		if x.Urgent && !slices.Contains(f.Urgent, x.Topic) {
			f.Urgent = append(f.Urgent, x.Topic)
		}
		if x.Species != "" && !slices.Contains(f.Species, x.Species) {
			f.Species = append(f.Species, x.Species)
		}
	}
	return f
}

func (s *Server) renderNetwork(w http.ResponseWriter, r *http.Request, status int, v networkView) {
	ctx := r.Context()
	v.MailOn, v.Topics, v.Species = s.Network.MailOn(), network.Topics, map[string]string{}
	species, err := s.Reference.Species(ctx)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	for _, sp := range species {
		v.Species[sp.Code] = sp.Name(httpkit.Lang(r))
		v.Codes = append(v.Codes, sp.Code)
	}
	if v.State == "" {
		year := s.Archive.Now().Year()
		if v.Members, err = s.Network.MembersByYear(ctx, year-4, year); err != nil {
			s.k.Fail(w, r, err)
			return
		}
	}
	if v.State != "" {
		// Token pages are no one else's business, and not for search engines.
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Robots-Tag", "noindex")
	}
	s.renderPage(w, r, status, "archive_network.html", Page{Title: i18n.T(httpkit.Lang(r), "network.title"), Data: v,
		Description: i18n.T(httpkit.Lang(r), "network.lead")})
}

func (s *Server) networkPage(w http.ResponseWriter, r *http.Request) {
	s.renderNetwork(w, r, http.StatusOK, networkView{Form: networkForm{Topics: []string{"news", "documents"}}})
}

func (s *Server) networkSubscribe(w http.ResponseWriter, r *http.Request) {
	f := readNetworkForm(r)
	err := s.Network.Subscribe(r.Context(), f.Email, string(httpkit.Lang(r)), f.subscriptions(), httpkit.ClientAddr(r))
	if e := asInvalid(err); e != nil {
		msg, fields := s.k.PageError(r, e)
		s.renderNetwork(w, r, http.StatusUnprocessableEntity, networkView{Form: f, Errors: fields, Error: msg})
		return
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	state := "sent"
	if !s.Network.MailOn() {
		state = "stored"
	}
	s.renderNetwork(w, r, http.StatusOK, networkView{State: state, Form: f})
}

// networkConfirmAsk shows what a confirmation link confirms, with the
// button that does: a link opened by a mail scanner must not subscribe an
// address that someone else typed.
func (s *Server) networkConfirmAsk(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	sub, err := s.Network.ToConfirm(r.Context(), tok)
	if err != nil {
		s.networkLinkFailed(w, r, err)
		return
	}
	s.renderNetwork(w, r, http.StatusOK, networkView{State: "confirm", Subscriber: sub, Token: tok})
}

func (s *Server) networkConfirm(w http.ResponseWriter, r *http.Request) {
	sub, err := s.Network.Confirm(r.Context(), r.PostFormValue("token"))
	if err != nil {
		s.networkLinkFailed(w, r, err)
		return
	}
	s.renderNetwork(w, r, http.StatusOK, networkView{State: "confirmed", Subscriber: sub})
}

// networkLinkFailed answers a link whose token is wrong or spent with the
// network's page saying why (the error page keeps the reason a thing is
// not found to itself), and any other error as usual.
func (s *Server) networkLinkFailed(w http.ResponseWriter, r *http.Request, err error) {
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.NotFound {
		s.k.Fail(w, r, err)
		return
	}
	msg, _ := s.k.PageError(r, e)
	s.renderNetwork(w, r, http.StatusNotFound, networkView{State: "bad_link", Error: msg})
}

// networkManagePage is the subscriber's page, reached by the link of any of
// its mails.
func (s *Server) networkManagePage(w http.ResponseWriter, r *http.Request) {
	sub, err := s.Network.Manage(r.Context(), r.URL.Query().Get("token"))
	if err != nil {
		s.networkLinkFailed(w, r, err)
		return
	}
	s.renderNetwork(w, r, http.StatusOK, networkView{State: "manage", Subscriber: sub, Token: sub.Token, Form: networkFormOf(sub)})
}

func (s *Server) networkManage(w http.ResponseWriter, r *http.Request) {
	f, tok := readNetworkForm(r), r.PostFormValue("token")
	sub, err := s.Network.Update(r.Context(), tok, f.subscriptions(), f.Digest, f.Lang)
	if e := asInvalid(err); e != nil {
		if sub, err = s.Network.Manage(r.Context(), tok); err != nil {
			s.networkLinkFailed(w, r, err)
			return
		}
		msg, fields := s.k.PageError(r, e)
		s.renderNetwork(w, r, http.StatusUnprocessableEntity, networkView{State: "manage", Subscriber: sub, Token: tok, Form: f, Errors: fields, Error: msg})
		return
	}
	if err != nil {
		s.networkLinkFailed(w, r, err)
		return
	}
	s.renderNetwork(w, r, http.StatusOK, networkView{State: "manage", Saved: true, Subscriber: sub, Token: tok, Form: networkFormOf(sub)})
}

// networkUnsubscribeAsk asks before unsubscribing: a link opened by a mail
// scanner must not unsubscribe anyone. The one click is the button, or a
// mail client's POST (RFC 8058).
func (s *Server) networkUnsubscribeAsk(w http.ResponseWriter, r *http.Request) {
	s.renderNetwork(w, r, http.StatusOK, networkView{State: "ask", Token: r.URL.Query().Get("token")})
}

func (s *Server) networkUnsubscribe(w http.ResponseWriter, r *http.Request) {
	if err := s.Network.Unsubscribe(r.Context(), r.FormValue("token")); err != nil {
		s.networkLinkFailed(w, r, err)
		return
	}
	s.renderNetwork(w, r, http.StatusOK, networkView{State: "unsubscribed"})
}
