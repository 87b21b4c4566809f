package ui

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/offer"
	"sriim/internal/reference"
	"sriim/internal/trade"
	"sriim/internal/vocab"
)

func (s *Server) offerRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /oferta", s.cataloguePage)
	mux.HandleFunc("GET /oferta/exportadores/{id}", s.exporterPage)
	mux.HandleFunc("POST /oferta/exportadores/{id}/contacto", s.contactExporter, httpkit.Public())
	mux.HandleFunc("GET /oferta/exportadores/{id}/mensajes", s.exporterMessages)
	mux.HandleFunc("GET /oferta/exportadores/{id}/productos/nuevo", s.offerProductForm)
	mux.HandleFunc("POST /oferta/exportadores/{id}/productos", s.offerProductSave)
	mux.HandleFunc("GET /oferta/productos-exportador/{pid}", s.offerProductForm)
	mux.HandleFunc("POST /oferta/productos-exportador/{pid}", s.offerProductSave)
	mux.HandleFunc("POST /oferta/productos-exportador/{pid}/foto", s.offerProductPhoto, httpkit.Upload(offer.MaxPhotoBytes, nil))
	mux.HandleFunc("POST /oferta/productos-exportador/{pid}/eliminar", s.offerProductDelete)
	mux.HandleFunc("GET /oferta/productos/{species}", s.speciesPage)
	mux.HandleFunc("GET /oferta/fotos/{name}", s.offerPhoto)
}

// offerLists is what the catalogue offers to choose from.
type offerLists struct {
	Species  map[string]reference.Species
	Names    map[string]string // species and place codes → names
	Markets  []trade.Partner
	Certs    []vocab.Term
	Exporter map[int64]actors.Actor
}

func (s *Server) offerLists(r *http.Request) (offerLists, error) {
	l := offerLists{Species: map[string]reference.Species{}, Certs: actors.CertificationKinds, Exporter: map[int64]actors.Actor{}}
	ref, err := s.refLists(r)
	if err != nil {
		return l, err
	}
	l.Names = ref.Names
	for _, x := range ref.Species {
		l.Species[x.Code] = x
	}
	for _, iso := range []string{"JPN", "TWN", "HKG", "CHN", "KOR", "USA", "ESP", "FRA", "SGP", "BRA", "CHL"} {
		if code, ok := trade.PartnerByISO(iso); ok {
			p, _ := trade.PartnerByCode(code)
			l.Markets = append(l.Markets, p)
		}
	}
	return l, nil
}

// MarketName names a market (ISO alpha-3) in lang.
func (l offerLists) MarketName(iso, lang string) string {
	if code, ok := trade.PartnerByISO(iso); ok {
		p, _ := trade.PartnerByCode(code)
		return p.Name(lang)
	}
	return iso
}

type catalogueView struct {
	offerLists
	Filter    offer.Filter
	Exporters []exporterCard
	Today     time.Time
}

type exporterCard struct {
	Actor    actors.Actor
	Products []offer.Product
}

// catalogueFilter reads the catalogue's filters, refusing values that are
// not among the form's choices.
func (l offerLists) catalogueFilter(q url.Values) (offer.Filter, error) {
	f := offer.Filter{Species: q.Get("especie"), Presentation: q.Get("presentacion"), Certification: q.Get("certificacion"), Market: q.Get("mercado")}
	problems := map[string]string{}
	choice := func(field, value string, ok bool) {
		if value != "" && !ok {
			problems[field] = msgChoice
		}
	}
	_, ok := l.Species[f.Species]
	choice("especie", f.Species, ok)
	choice("presentacion", f.Presentation, slices.Contains(offer.Presentations, f.Presentation))
	choice("certificacion", f.Certification, slices.ContainsFunc(l.Certs, func(t vocab.Term) bool { return t.Code == f.Certification }))
	choice("mercado", f.Market, slices.ContainsFunc(l.Markets, func(p trade.Partner) bool { return p.ISO == f.Market }))
	if len(problems) > 0 {
		return f, errs.Fields("invalid filters", problems)
	}
	return f, nil
}

func (s *Server) cataloguePage(w http.ResponseWriter, r *http.Request) {
	v := catalogueView{Today: s.Offer.Now()}
	var err error
	if v.offerLists, err = s.offerLists(r); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	var problems map[string]string
	if v.Filter, problems, err = readFilters(r, v.offerLists.catalogueFilter); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	products, err := s.Offer.Products(r.Context(), v.Filter)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	// The exporters in the order of their first product, read together.
	byActor := map[int64][]offer.Product{}
	var ids []int64
	for _, p := range products {
		if byActor[p.ActorID] == nil {
			ids = append(ids, p.ActorID)
		}
		byActor[p.ActorID] = append(byActor[p.ActorID], p)
	}
	exporters, err := s.Actors.Actors(r.Context(), auth.Principal{}, ids)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	for _, a := range exporters {
		v.Exporters = append(v.Exporters, exporterCard{Actor: a, Products: byActor[a.ID]})
	}
	s.renderFiltered(w, r, "catalogue.html", Page{Title: i18n.T(httpkit.Lang(r), "offer.title"), Description: i18n.T(httpkit.Lang(r), "offer.description"), Data: v}, problems)
}

type exporterView struct {
	offerLists
	Actor       actors.Actor
	Products    []offer.Product
	Description offer.Text
	CanEdit     bool
	Sent        bool
	Form        offer.Message
	Errors      map[string]string
	Error       string
	Today       string
	// Exports are its exports by market, when the visitor may see them.
	Exports *exporterSummary
}

func (s *Server) exporterView(w http.ResponseWriter, r *http.Request) (exporterView, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return exporterView{}, err
	}
	v := exporterView{Today: s.Offer.Now().Format("2006-01-02")}
	if v.Actor, err = s.Actors.Actor(r.Context(), auth.Principal{}, id); err != nil {
		return v, err
	}
	if !v.Actor.HasKind("exporter") {
		return v, errs.E(errs.NotFound, "no such exporter")
	}
	if v.offerLists, err = s.offerLists(r); err != nil {
		return v, err
	}
	if v.Products, err = s.Offer.Products(r.Context(), offer.Filter{ActorID: id}); err != nil {
		return v, err
	}
	v.Description = offer.Localized(v.Actor.Description, v.Actor.DescriptionEN, string(httpkit.Lang(r)))
	v.CanEdit = auth.Can(httpkit.Principal(r), v.Actor.Owner())
	v.Exports, err = s.exporterSummary(w, r, id, v.Actor.RUC)
	return v, err
}

// organizationLD is the exporter as schema.org data; only public fields.
func organizationLD(base string, v exporterView) map[string]any {
	a := v.Actor
	ld := map[string]any{"@context": "https://schema.org", "@type": "Organization", "name": a.Name,
		"url": fmt.Sprintf("%s/oferta/exportadores/%d", base, a.ID), "description": v.Description.Value,
		"address": map[string]any{"@type": "PostalAddress", "addressRegion": "Moquegua", "addressCountry": "PE"}}
	if a.RUC != "" {
		ld["taxID"] = a.RUC
	}
	if a.Email != "" && a.EmailPublic {
		ld["email"] = a.Email
	}
	var offers []map[string]any
	for _, p := range v.Products {
		offers = append(offers, map[string]any{"@type": "Offer", "itemOffered": map[string]any{"@type": "Product",
			"name": offer.Localized(p.NameES, p.NameEN, "en").Value, "category": p.Presentation}})
	}
	if len(offers) > 0 {
		ld["makesOffer"] = offers
	}
	return ld
}

func (s *Server) exporterPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.exporterView(w, r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v.Sent = r.URL.Query().Get("ok") == "sent"
	s.renderExporter(w, r, http.StatusOK, v)
}

func (s *Server) renderExporter(w http.ResponseWriter, r *http.Request, status int, v exporterView) {
	image := ""
	for _, p := range v.Products {
		if p.Photo != "" {
			image = "/oferta/fotos/" + p.Photo + ".webp"
			break
		}
	}
	if status != http.StatusOK {
		w.WriteHeader(status)
	}
	s.renderPublic(w, r, "exporter.html", v.Actor.Name, v.Description.Value, v, organizationLD(httpkit.BaseURL(r), v), image)
}

func (s *Server) contactExporter(w http.ResponseWriter, r *http.Request) {
	v, err := s.exporterView(w, r)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v.Form = offer.Message{ActorID: v.Actor.ID, Name: r.PostFormValue("name"), Email: r.PostFormValue("email"), Company: r.PostFormValue("company"),
		Country: r.PostFormValue("country"), Message: r.PostFormValue("message"), Lang: string(httpkit.Lang(r))}
	var deliver offer.Deliverer
	if s.Mailer != nil {
		deliver = func(ctx context.Context, to string, m offer.Message) error {
			body := fmt.Sprintf("%s <%s>\n%s %s\n\n%s\n\n— SRIIM", m.Name, m.Email, m.Company, m.Country, m.Message)
			return s.Mailer.Send(ctx, to, i18n.T(i18n.ES, "offer.mail_subject", v.Actor.Name), body)
		}
	}
	_, err = s.Offer.Contact(r.Context(), v.Form, httpkit.ClientAddr(r), r.PostFormValue("website"), deliver)
	switch e, _ := err.(*errs.Error); {
	case err == nil || err == offer.ErrSpam:
		// A trapped bot is told the same as a person, and learns nothing.
		http.Redirect(w, r, fmt.Sprintf("/oferta/exportadores/%d?ok=sent#contacto", v.Actor.ID), http.StatusSeeOther)
	case e != nil && (e.Kind == errs.Invalid || e.Kind == errs.TooManyRequests):
		_, v.Errors = s.k.PageError(r, e)
		v.Error = i18n.T(httpkit.Lang(r), "error."+string(e.Kind))
		s.renderExporter(w, r, httpkit.StatusOf(e.Kind), v)
	default:
		s.k.Fail(w, r, err)
	}
}

func (s *Server) exporterMessages(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	msgs, err := s.Offer.Messages(r.Context(), httpkit.Principal(r), id)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "offer_messages.html", i18n.T(httpkit.Lang(r), "offer.messages"), struct {
		ActorID  int64
		Messages []offer.Message
	}{id, msgs})
}

type productFormView struct {
	offerLists
	Product       offer.Product
	Presentations []string
	Error         string
	Errors        map[string]string
	Conflict      *conflictView
}

// productCells are a product's form fields as text, for a stale save's comparison.
func productCells(p offer.Product) map[string]string {
	capacity := ""
	if p.Capacity != nil {
		capacity = strconv.FormatFloat(*p.Capacity, 'f', -1, 64)
	}
	return map[string]string{"species": p.Species, "presentation": p.Presentation, "hs_code": p.HSCode, "name_es": p.NameES,
		"name_en": p.NameEN, "description_es": p.DescriptionES, "description_en": p.DescriptionEN, "capacity": capacity,
		"seasons": p.Seasons, "markets": strings.Join(p.Markets, ", ")}
}

var productColumns = []string{"species", "presentation", "hs_code", "name_es", "name_en", "description_es", "description_en", "capacity", "seasons", "markets"}

// exporterOwner is who may change an exporter's products (offer.Service.Save asks the same).
func (s *Server) exporterOwner(r *http.Request, actorID int64) (auth.Owner, error) {
	a, err := s.Actors.Actor(r.Context(), httpkit.Principal(r), actorID)
	return a.Owner(), err
}

func (s *Server) offerProductForm(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	v := productFormView{Presentations: offer.Presentations}
	var err error
	if v.offerLists, err = s.offerLists(r); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if r.PathValue("pid") != "" {
		id, err := httpkit.PathID(r, "pid")
		if err == nil {
			v.Product, err = s.Offer.Product(r.Context(), id)
		}
		if err != nil {
			s.k.Fail(w, r, err)
			return
		}
	} else if v.Product.ActorID, err = httpkit.PathID(r, "id"); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	owner, err := s.exporterOwner(r, v.Product.ActorID)
	if err == nil {
		err = auth.Authorize(httpkit.Principal(r), owner)
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v.Product.Species = cmp.Or(v.Product.Species, "SNE")
	s.render(w, r, http.StatusOK, "offer_product.html", i18n.T(httpkit.Lang(r), "offer.product_form"), v)
}

func (s *Server) offerProductSave(w http.ResponseWriter, r *http.Request) {
	if s.requireLogin(w, r) == nil {
		return
	}
	_ = r.ParseForm()
	p := offer.Product{Species: r.PostFormValue("species"), Presentation: r.PostFormValue("presentation"), HSCode: r.PostFormValue("hs_code"),
		NameES: r.PostFormValue("name_es"), NameEN: r.PostFormValue("name_en"), DescriptionES: r.PostFormValue("description_es"),
		DescriptionEN: r.PostFormValue("description_en"), Seasons: r.PostFormValue("seasons"), Markets: r.PostForm["markets"]}
	if r.PathValue("pid") != "" {
		p.ID, _ = httpkit.PathID(r, "pid") // 0, no such product, when not a number
		p.Version = httpkit.PostForm(r).Version()
	} else {
		p.ActorID, _ = httpkit.PathID(r, "id")
	}
	var saved offer.Product
	form := httpkit.PostForm(r)
	p.Capacity = form.Number("capacity")
	err := form.Err("invalid number")
	if err == nil {
		saved, err = s.Offer.Save(r.Context(), httpkit.Principal(r), p)
	}
	if st := httpkit.StaleOf(err); st != nil {
		// Keep what the user typed and show it beside what is stored now.
		current := st.Current.(offer.Product)
		var read map[string]string
		if old, ok := st.Read.(offer.Product); ok {
			read = productCells(old)
		}
		v := productFormView{Product: p, Presentations: offer.Presentations,
			Conflict: newConflict(r, st, productColumns, read, productCells(current), productCells(p))}
		v.Product.ActorID, v.Product.Version = current.ActorID, current.Version
		v.offerLists, _ = s.offerLists(r)
		s.render(w, r, http.StatusConflict, "offer_product.html", i18n.T(httpkit.Lang(r), "offer.product_form"), v)
		return
	}
	if e, ok := err.(*errs.Error); ok && e.Kind == errs.Invalid {
		v := productFormView{Product: p, Presentations: offer.Presentations}
		v.Error, v.Errors = s.k.PageError(r, e)
		v.offerLists, _ = s.offerLists(r)
		s.render(w, r, http.StatusUnprocessableEntity, "offer_product.html", i18n.T(httpkit.Lang(r), "offer.product_form"), v)
		return
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/oferta/exportadores/%d?ok=saved", saved.ActorID), http.StatusSeeOther)
}

func (s *Server) offerProductPhoto(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "pid")
	if err == nil {
		var p offer.Product
		var owner auth.Owner
		if p, err = s.Offer.Product(r.Context(), id); err == nil {
			if owner, err = s.exporterOwner(r, p.ActorID); err == nil {
				err = auth.Authorize(httpkit.Principal(r), owner)
			}
		}
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	file, _, err := r.FormFile("photo")
	if err != nil {
		s.k.Fail(w, r, errs.Fields("choose a photo", map[string]string{"photo": "a JPEG or PNG image"}))
		return
	}
	defer file.Close()
	p, err := s.Offer.SetPhoto(r.Context(), httpkit.Principal(r), id, file)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/oferta/exportadores/%d?ok=saved", p.ActorID), http.StatusSeeOther)
}

func (s *Server) offerProductDelete(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "pid")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	p, err := s.Offer.Product(r.Context(), id)
	if err == nil {
		version := httpkit.PostForm(r).Version()
		err = s.Offer.Delete(r.Context(), httpkit.Principal(r), id, version)
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/oferta/exportadores/%d?ok=deleted", p.ActorID), http.StatusSeeOther)
}

func (s *Server) offerPhoto(w http.ResponseWriter, r *http.Request) {
	path, err := s.Offer.PhotoPath(strings.TrimSuffix(r.PathValue("name"), ".webp"))
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/webp")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable") // named by content
	http.ServeFile(w, r, path)
}

type speciesView struct {
	offerLists
	Species   reference.Species
	Lines     []trade.Product
	Markets   []trade.Ranking // the seed's destinations of Peru's exports, per line
	Products  []offer.Product
	Exporters map[int64]string
	// Requirements are the markets with export requirements, per line.
	Requirements []speciesMarkets
	Prices       priceTable // its latest prices
}

func (s *Server) speciesPage(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("species")
	v := speciesView{Exporters: map[int64]string{}}
	var err error
	if v.offerLists, err = s.offerLists(r); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	sp, ok := v.offerLists.Species[code]
	if !ok {
		s.k.Fail(w, r, errs.E(errs.NotFound, "no species %s", code))
		return
	}
	v.Species = sp
	if v.Lines, v.Markets, err = s.Portal.SpeciesExports(r.Context(), code); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if v.Prices, err = s.latestPrices(r.Context(), code, httpkit.Lang(r), 5); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if v.Products, err = s.Offer.Products(r.Context(), offer.Filter{Species: code}); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if v.Requirements, err = s.speciesRequirements(r.Context(), httpkit.Principal(r), v.Lines); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	for _, p := range v.Products {
		if _, ok := v.Exporters[p.ActorID]; !ok {
			if a, err := s.Actors.Actor(r.Context(), auth.Principal{}, p.ActorID); err == nil {
				v.Exporters[p.ActorID] = a.Name
			}
		}
	}
	title := sp.Name(httpkit.Lang(r))
	ld := map[string]any{"@context": "https://schema.org", "@type": "Product", "name": title, "category": "Seafood / molluscs",
		"url": httpkit.BaseURL(r) + "/oferta/productos/" + code, "additionalProperty": map[string]any{"@type": "PropertyValue", "name": "scientificName", "value": sp.ScientificName}}
	s.renderPublic(w, r, "species.html", title, i18n.T(httpkit.Lang(r), "offer.species_description", title), v, ld, "")
}
