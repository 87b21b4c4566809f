package ui

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"sriim/internal/archive"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
)

// News and press notes (seed 4.3.1): an institution's editors write them
// in Spanish and English and submit them; the Mesa de Trabajo publishes
// them or sends them back with a note, as it does progress reports.
func (s *Server) newsRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /noticias", s.newsListPage)
	mux.HandleFunc("GET /noticias.atom", s.newsFeed)
	mux.HandleFunc("GET /noticias/{id}", s.newsPage)
	mux.HandleFunc("GET /noticias/nueva", s.newsNewForm)
	mux.HandleFunc("POST /noticias", s.newsCreate)
	mux.HandleFunc("GET /noticias/editar/{id}", s.newsEditForm)
	mux.HandleFunc("POST /noticias/{id}", s.newsUpdate)
	mux.HandleFunc("POST /noticias/{id}/enviar", s.newsSubmit)
	mux.HandleFunc("POST /noticias/{id}/revision", s.newsReview)
	mux.HandleFunc("POST /noticias/{id}/fotos", s.newsPhoto, httpkit.Upload(archive.MaxPhotoBytes, archive.CanAdd))
	mux.HandleFunc("POST /noticias/{id}/borrar", s.newsDelete)
	mux.HandleFunc("GET /noticias/fotos/{id}", s.newsPhotoFile)
}

// newsListView is the news page: the published items, and for editors and
// the Mesa de Trabajo the ones not published yet.
type newsListView struct {
	Published []newsEntry
	Drafts    []newsEntry // drafts and items sent back, of the user's institutions
	Submitted []newsEntry // waiting for the Mesa de Trabajo
	CanWrite  bool
}

// newsEntry is an item in a list, in the page's language when it is
// written in it, else in the other (Lang says which).
type newsEntry struct {
	archive.NewsItem
	archive.NewsText
	Lang string
}

func newsEntries(items []archive.NewsItem, lang i18n.Lang) []newsEntry {
	out := make([]newsEntry, len(items))
	for i, n := range items {
		out[i] = newsEntry{NewsItem: n, Lang: textLang(n, string(lang))}
		out[i].NewsText = n.Texts[out[i].Lang]
	}
	return out
}

// textLang is the language an item is shown in on a page in lang.
func textLang(n archive.NewsItem, lang string) string {
	if _, ok := n.Texts[lang]; ok {
		return lang
	}
	for _, l := range archive.NewsLanguages {
		if _, ok := n.Texts[l]; ok {
			return l
		}
	}
	return lang
}

func (s *Server) newsListPage(w http.ResponseWriter, r *http.Request) {
	ctx, p := r.Context(), httpkit.Principal(r)
	lang := httpkit.Lang(r)
	v := newsListView{CanWrite: archive.CanAdd(p)}
	published, err := s.Archive.NewsList(ctx, p, archive.NewsFilter{Limit: 50})
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v.Published = newsEntries(published, lang)
	if !p.Anonymous() {
		for _, state := range []string{"draft", "returned", "submitted"} {
			items, err := s.Archive.NewsList(ctx, p, archive.NewsFilter{State: state, Limit: 100})
			if err != nil {
				s.k.Fail(w, r, err)
				return
			}
			if state == "submitted" {
				v.Submitted = newsEntries(items, lang)
			} else {
				v.Drafts = append(v.Drafts, newsEntries(items, lang)...)
			}
		}
	}
	s.renderPage(w, r, http.StatusOK, "archive_news.html", Page{Title: i18n.T(lang, "news.title"), Data: v, Description: i18n.T(lang, "news.lead")})
}

func (s *Server) newsFeed(w http.ResponseWriter, r *http.Request) {
	f, err := s.Archive.NewsFeed(r.Context(), httpkit.BaseURL(r), httpkit.Lang(r))
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	writeFeed(w, r, f)
}

// newsView is a news item's page.
type newsView struct {
	Item      archive.NewsItem
	Text      archive.NewsText
	TextLang  string // the language of Text: the page's, else the other
	Body      template.HTML
	Docs      map[int64]string // linked documents the visitor may see
	Names     map[string]string
	Plan      int64
	CanEdit   bool
	CanReview bool
	CanDelete bool // its editors before publication, the Mesa de Trabajo always
}

func (s *Server) newsPage(w http.ResponseWriter, r *http.Request) {
	ctx, p := r.Context(), httpkit.Principal(r)
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := newsView{}
	if v.Item, err = s.Archive.News(ctx, p, id); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v.TextLang = textLang(v.Item, string(httpkit.Lang(r)))
	v.Text = v.Item.Texts[v.TextLang]
	if v.Body, err = archive.RenderMarkdown(v.Text.Body); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	var docs []int64
	for _, l := range v.Item.Links {
		if id := l.ID(); l.Kind == "document" && id > 0 {
			docs = append(docs, id)
		}
	}
	if v.Docs, err = s.Archive.Titles(ctx, p, docs); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if v.Names, err = s.codeNames(ctx, httpkit.Lang(r)); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if v.Plan, err = s.firstPlan(ctx); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v.CanEdit = v.Item.State != "published" && v.Item.State != "submitted" && auth.Can(p, v.Item.Owner())
	v.CanReview = v.Item.State == "submitted" && p.Has(auth.ApproveReports)
	v.CanDelete = p.Has(auth.ApproveReports) || v.Item.State != "published" && auth.Can(p, v.Item.Owner())
	if v.Item.State != "published" {
		w.Header().Set("Cache-Control", "private, no-cache")
	}
	ld := map[string]any{"@context": "https://schema.org", "@type": "NewsArticle", "headline": v.Text.Title, "datePublished": v.Item.Date,
		"inLanguage": v.TextLang, "url": httpkit.BaseURL(r) + archive.NewsPath(v.Item.ID)}
	if v.Item.State != "published" {
		ld = nil
	}
	s.renderPage(w, r, http.StatusOK, "archive_news_item.html", Page{Title: v.Text.Title, Data: v, Description: v.Text.Summary, LD: ld})
}

// newsForm is what the news form shows and sends back.
type newsForm struct {
	ID            int64
	Kind          string
	Date          string
	InstitutionID int64
	Texts         map[string]archive.NewsText
	Documents     string // ids, separated by commas
	Activities    string // codes
	Species       []string
	Actors        string // ids
	Version       int64
}

func formOfNews(n archive.NewsItem) newsForm {
	f := newsForm{ID: n.ID, Kind: n.Kind, Date: n.Date, InstitutionID: n.InstitutionID, Texts: n.Texts, Version: n.Version}
	lists := map[string][]string{}
	for _, l := range n.Links {
		lists[l.Kind] = append(lists[l.Kind], l.Ref)
	}
	f.Documents, f.Activities, f.Actors = strings.Join(lists["document"], ", "), strings.Join(lists["activity"], ", "), strings.Join(lists["actor"], ", ")
	f.Species = lists["species"]
	return f
}

func readNewsForm(r *http.Request) (newsForm, archive.NewsInput) {
	form := httpkit.PostForm(r)
	pf := form.Values()
	f := newsForm{Kind: pf.Get("kind"), Date: strings.TrimSpace(pf.Get("date")), Texts: map[string]archive.NewsText{},
		Documents: pf.Get("documents"), Activities: pf.Get("activities"), Species: pf["species"], Actors: pf.Get("actors"),
		Version: form.Version(), InstitutionID: form.ID("institution_id")}
	for _, l := range archive.NewsLanguages {
		f.Texts[l] = archive.NewsText{Title: pf.Get("title_" + l), Summary: pf.Get("summary_" + l), Body: pf.Get("body_" + l)}
	}
	in := archive.NewsInput{Kind: f.Kind, Date: f.Date, InstitutionID: f.InstitutionID, Texts: f.Texts, Version: f.Version, Links: []archive.NewsLink{}}
	for kind, list := range map[string][]string{"document": archive.SplitList(f.Documents), "activity": archive.SplitList(f.Activities),
		"species": f.Species, "actor": archive.SplitList(f.Actors)} {
		for _, ref := range list {
			in.Links = append(in.Links, archive.NewsLink{Kind: kind, Ref: ref})
		}
	}
	return f, in
}

func (s *Server) renderNewsForm(w http.ResponseWriter, r *http.Request, status int, f newsForm, fp formPage) {
	x, err := s.documentFormExtra(r.Context(), httpkit.Principal(r), httpkit.Lang(r))
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	fp.Values, fp.Extra = f, x
	title := i18n.T(httpkit.Lang(r), "news.new")
	if f.ID != 0 {
		title = i18n.T(httpkit.Lang(r), "news.edit")
	}
	s.render(w, r, status, "archive_news_form.html", title, fp)
}

func (s *Server) newsFormFailed(w http.ResponseWriter, r *http.Request, f newsForm, err error) {
	if e := asInvalid(err); e != nil {
		msg, fields := s.k.PageError(r, e)
		s.renderNewsForm(w, r, http.StatusUnprocessableEntity, f, formPage{Errors: fields, Error: msg})
		return
	}
	if st := httpkit.StaleOf(err); st != nil {
		f.Version = st.CurrentVersion
		s.renderNewsForm(w, r, http.StatusConflict, f, formPage{Conflict: jsonConflict(r, st, f)})
		return
	}
	s.k.Fail(w, r, err)
}

func (s *Server) newsNewForm(w http.ResponseWriter, r *http.Request) {
	if !s.mayWriteDocuments(w, r) {
		return
	}
	f := newsForm{Kind: "news", Date: s.Archive.Now().Format("2006-01-02"), Texts: map[string]archive.NewsText{}}
	if p := httpkit.Principal(r); len(p.Institutions) > 0 {
		f.InstitutionID = p.Institutions[0]
	}
	s.renderNewsForm(w, r, http.StatusOK, f, formPage{})
}

func (s *Server) newsCreate(w http.ResponseWriter, r *http.Request) {
	if !s.mayWriteDocuments(w, r) {
		return
	}
	f, in := readNewsForm(r)
	n, err := s.Archive.CreateNews(r.Context(), httpkit.Principal(r), in)
	if err != nil {
		s.newsFormFailed(w, r, f, err)
		return
	}
	http.Redirect(w, r, archive.NewsPath(n.ID)+"?ok=saved", http.StatusSeeOther)
}

// writableNews reads an item the request's user may change.
func (s *Server) writableNews(w http.ResponseWriter, r *http.Request) (archive.NewsItem, bool) {
	if s.requireLogin(w, r) == nil {
		return archive.NewsItem{}, false
	}
	id, err := httpkit.PathID(r, "id")
	if err == nil {
		var n archive.NewsItem
		if n, err = s.Archive.News(r.Context(), httpkit.Principal(r), id); err == nil {
			return n, true
		}
	}
	s.k.Fail(w, r, err)
	return archive.NewsItem{}, false
}

func (s *Server) newsEditForm(w http.ResponseWriter, r *http.Request) {
	n, ok := s.writableNews(w, r)
	if !ok {
		return
	}
	if err := auth.Authorize(httpkit.Principal(r), n.Owner()); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.renderNewsForm(w, r, http.StatusOK, formOfNews(n), formPage{})
}

func (s *Server) newsUpdate(w http.ResponseWriter, r *http.Request) {
	n, ok := s.writableNews(w, r)
	if !ok {
		return
	}
	f, in := readNewsForm(r)
	f.ID = n.ID
	if _, err := s.Archive.UpdateNews(r.Context(), httpkit.Principal(r), n.ID, in); err != nil {
		s.newsFormFailed(w, r, f, err)
		return
	}
	http.Redirect(w, r, archive.NewsPath(n.ID)+"?ok=saved", http.StatusSeeOther)
}

func (s *Server) newsSubmit(w http.ResponseWriter, r *http.Request) {
	n, ok := s.writableNews(w, r)
	if !ok {
		return
	}
	if _, err := s.Archive.SubmitNews(r.Context(), httpkit.Principal(r), n.ID); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, archive.NewsPath(n.ID)+"?ok=news_submit", http.StatusSeeOther)
}

// newsReview publishes an item or sends it back with a note (the Mesa de
// Trabajo); sending back needs the note.
func (s *Server) newsReview(w http.ResponseWriter, r *http.Request) {
	n, ok := s.writableNews(w, r)
	if !ok {
		return
	}
	publish := r.PostFormValue("decision") == "publish"
	note := strings.TrimSpace(r.PostFormValue("note"))
	if !publish && note == "" {
		s.k.Fail(w, r, errs.Fields("say what to change", map[string]string{"note": "required"}))
		return
	}
	if _, err := s.Archive.ReviewNews(r.Context(), httpkit.Principal(r), n.ID, publish, note); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	flash := "news_return"
	if publish {
		flash = "news_publish"
	}
	http.Redirect(w, r, fmt.Sprintf("%s?ok=%s", archive.NewsPath(n.ID), flash), http.StatusSeeOther)
}

func (s *Server) newsPhoto(w http.ResponseWriter, r *http.Request) {
	n, ok := s.writableNews(w, r)
	if !ok {
		return
	}
	file, _, err := r.FormFile("photo")
	if err != nil {
		s.k.Fail(w, r, errs.Fields("choose a photo", map[string]string{"photo": "JPEG or PNG"}))
		return
	}
	defer file.Close()
	if _, err := s.Archive.AddPhoto(r.Context(), httpkit.Principal(r), n.ID, file, r.PostFormValue("alt_es"), r.PostFormValue("alt_en")); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, archive.NewsPath(n.ID)+"?ok=saved", http.StatusSeeOther)
}

func (s *Server) newsDelete(w http.ResponseWriter, r *http.Request) {
	n, ok := s.writableNews(w, r)
	if !ok {
		return
	}
	if err := s.Archive.DeleteNews(r.Context(), httpkit.Principal(r), n.ID, httpkit.PostForm(r).Version()); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/noticias?ok=deleted", http.StatusSeeOther)
}

func (s *Server) newsPhotoFile(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	ph, path, err := s.Archive.PhotoFile(r.Context(), httpkit.Principal(r), id)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ph.MediaType)
	w.Header().Set("Cache-Control", "private, max-age=86400")
	http.ServeFile(w, r, path)
}
