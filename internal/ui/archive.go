package ui

import (
	"context"
	"errors"
	"html/template"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"sriim/internal/archive"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/vocab"
)

// The technical archive's pages (seed 1.1.2, 2.1.1-iii): the search with
// its facets, a document with its files, versions and downloads, the forms
// of an institution's editors, and the Atom feed of new documents.
func (s *Server) archiveRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /archivo", s.archiveSearchPage)
	mux.HandleFunc("GET /archivo.atom", s.documentsFeed)
	mux.HandleFunc("GET /archivo/{id}", s.documentPage)
	mux.HandleFunc("GET /archivo/archivos/{id}", s.documentFile)
	mux.HandleFunc("GET /archivo/nuevo", s.documentNewForm)
	mux.HandleFunc("POST /archivo", s.documentCreate, httpkit.Upload(4*archive.MaxFileBytes, archive.CanAdd))
	mux.HandleFunc("GET /archivo/editar/{id}", s.documentEditForm)
	mux.HandleFunc("POST /archivo/{id}", s.documentUpdate)
	mux.HandleFunc("POST /archivo/{id}/archivos", s.documentAddFile, httpkit.Upload(archive.MaxFileBytes, archive.CanAdd))
	mux.HandleFunc("POST /archivo/{id}/borrar", s.documentDelete)
	mux.HandleFunc("GET /archivo/brochure", s.brochureFile)
	s.archiveImportRoutes(mux)
}

// archiveQuery is a search as the page's address gives it.
type archiveQuery struct {
	archive.SearchQuery
	Page int
}

// archivePageSize is how many documents a page of results shows.
const archivePageSize = 20

// readArchiveQuery reads the search page's parameters (q, tipo, anio,
// especie, institucion, actividad, pagina).
func readArchiveQuery(q url.Values) (archiveQuery, error) {
	aq := archiveQuery{SearchQuery: archive.SearchQuery{Q: q.Get("q"), Species: q.Get("especie"),
		Institution: q.Get("institucion"), Activity: q.Get("actividad"), Limit: archivePageSize}}
	problems := map[string]string{}
	if k := q.Get("tipo"); k != "" {
		if _, ok := archive.Kinds.Parse(k); !ok {
			problems["tipo"] = msgChoice
		}
		aq.Kind = k
	}
	var err error
	if aq.Year, err = httpkit.Int(q, "anio", 0); err != nil || aq.Year != 0 && (aq.Year < 1900 || aq.Year > 2100) {
		problems["anio"] = httpkit.MsgYear
	}
	if aq.Page, err = httpkit.Int(q, "pagina", 1); err != nil || aq.Page < 1 {
		problems["pagina"] = httpkit.MsgWhole
	}
	if len(problems) > 0 {
		return aq, errs.Fields("invalid parameter", problems)
	}
	aq.Offset = (aq.Page - 1) * archivePageSize
	return aq, nil
}

// archiveSearchView is the search page: the results with their snippets,
// the facets to narrow by, and the names of the codes they show.
type archiveSearchView struct {
	Query   archiveQuery
	Results archive.Results
	// Snippets are the results' snippets, HTML the archive made (its words
	// escaped, the query's in <mark>).
	Snippets map[int64]template.HTML
	Pages    int
	Kinds    vocab.List
	Names    map[string]string // species and institution codes → names
	CanWrite bool
	Brochure bool // an edition of the brochure is in the archive
}

// Searched reports whether the visitor asked for anything (words or a
// filter), for the empty list to say "nothing matches" rather than "the
// archive is empty".
func (v archiveSearchView) Searched() bool {
	q := v.Query
	return strings.TrimSpace(q.Q) != "" || q.Kind != "" || q.Year != 0 || q.Species != "" || q.Institution != "" || q.Activity != ""
}

// NothingToSearch reports whether the visitor typed a search whose every
// word is too common or too short to look for ("de", "el la"): the page
// then lists every document, and says why.
func (v archiveSearchView) NothingToSearch() bool {
	return strings.TrimSpace(v.Query.Q) != "" && len(v.Results.Query) == 0
}

func (v archiveSearchView) PageURL(q url.Values, page int) (template.URL, error) {
	return withQuery("/archivo", q, "pagina", strconv.Itoa(page))
}

func (s *Server) archiveSearchPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	aq, problems, err := readFilters(r, readArchiveQuery)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v := archiveSearchView{Query: aq, Kinds: archive.Kinds, Snippets: map[int64]template.HTML{}, CanWrite: archive.CanAdd(httpkit.Principal(r))}
	if v.Results, err = s.Archive.Search(ctx, httpkit.Principal(r), aq.SearchQuery); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	for _, h := range v.Results.Hits {
		v.Snippets[h.ID] = template.HTML(h.Snippet) // #nosec G203 -- fulltext escapes everything but its <mark>
	}
	v.Pages = (v.Results.Total + archivePageSize - 1) / archivePageSize
	if v.Names, err = s.codeNames(ctx, httpkit.Lang(r)); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	brochures, err := s.Archive.Kept(ctx, httpkit.Principal(r), "brochure:")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v.Brochure = len(brochures) > 0
	lang := httpkit.Lang(r)
	s.renderFiltered(w, r, "archive_search.html", Page{Title: i18n.T(lang, "module.archive"), Data: v,
		Description: i18n.T(lang, "module.archive.desc")}, problems)
}

// codeNames names the species and institutions that facets and documents
// give by code, in lang.
func (s *Server) codeNames(ctx context.Context, lang i18n.Lang) (map[string]string, error) {
	names := map[string]string{}
	species, err := s.Reference.Species(ctx)
	if err != nil {
		return nil, err
	}
	for _, sp := range species {
		names[sp.Code] = sp.Name(lang)
	}
	insts, err := s.Accounts.Institutions(ctx)
	if err != nil {
		return nil, err
	}
	for _, in := range insts {
		names[in.Code] = in.Name
		if lang == i18n.EN && in.NameEN != "" {
			names[in.Code] = in.NameEN
		}
	}
	return names, nil
}

// firstPlan is the plan whose activities documents link to (the seed's).
func (s *Server) firstPlan(ctx context.Context) (int64, error) {
	plans, err := s.Planning.Plans(ctx)
	if err != nil || len(plans) == 0 {
		return 0, err
	}
	return plans[0].ID, nil
}

// documentView is a document's page.
type documentView struct {
	Doc       archive.Document
	Downloads []archive.MonthCount
	Total     int64 // downloads, all months
	Names     map[string]string
	Plan      int64
	CanEdit   bool
	// FileError says why a file sent from this page was refused (its type,
	// its size), shown above the files.
	FileError string
}

func (s *Server) documentPage(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	s.showDocument(w, r, id, http.StatusOK, "")
}

// showDocument renders document id's page with status, and fileError (if
// any) about the file the user sent from it.
func (s *Server) showDocument(w http.ResponseWriter, r *http.Request, id int64, status int, fileError string) {
	ctx := r.Context()
	var err error
	v := documentView{FileError: fileError}
	if v.Doc, err = s.Archive.Document(ctx, httpkit.Principal(r), id); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if v.Downloads, err = s.Archive.Downloads(ctx, httpkit.Principal(r), id); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	for _, m := range v.Downloads {
		v.Total += m.N
	}
	if v.Names, err = s.codeNames(ctx, httpkit.Lang(r)); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if v.Plan, err = s.firstPlan(ctx); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	v.CanEdit = auth.Can(httpkit.Principal(r), v.Doc.Owner())
	if v.Doc.Access != "public" {
		w.Header().Set("Cache-Control", "private, no-cache")
	}
	ld := map[string]any{"@context": "https://schema.org", "@type": "CreativeWork", "name": v.Doc.Title, "inLanguage": v.Doc.Language,
		"datePublished": strconv.Itoa(v.Doc.Year), "url": httpkit.BaseURL(r) + archive.DocumentPath(v.Doc.ID), "keywords": strings.Join(v.Doc.Keywords, ", ")}
	if v.Doc.Access != "public" {
		ld = nil
	}
	s.renderPage(w, r, status, "archive_document.html", Page{Title: v.Doc.Title, Data: v, Description: plainExcerpt(v.Doc.Abstract, 300), LD: ld})
}

// plainExcerpt cuts s to at most n characters, at a word, for descriptions.
func plainExcerpt(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	cut := string(r[:n])
	if i := strings.LastIndex(cut, " "); i > 0 {
		cut = cut[:i]
	}
	return cut + "…"
}

// documentFile serves a file (any version) of a document the visitor may
// see, at its stable address, and counts the download.
func (s *Server) documentFile(w http.ResponseWriter, r *http.Request) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	f, path, err := s.Archive.Download(r.Context(), httpkit.Principal(r), id)
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	serveStoredFile(w, r, path, f.Name, f.MediaType)
}

// serveStoredFile sends an uploaded file kept at path as a download named
// name: never shown in the site's origin, since an uploaded HTML file is
// not ours to trust.
func serveStoredFile(w http.ResponseWriter, r *http.Request, path, name, mediaType string) {
	w.Header().Set("Content-Type", mediaType)
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if disposition == "" {
		disposition = "attachment" // a name mime cannot write: the browser takes the address's
	}
	w.Header().Set("Content-Disposition", disposition)
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	http.ServeFile(w, r, path)
}

func (s *Server) documentsFeed(w http.ResponseWriter, r *http.Request) {
	f, err := s.Archive.DocumentsFeed(r.Context(), httpkit.BaseURL(r), httpkit.Lang(r))
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	writeFeed(w, r, f)
}

// documentForm is what the document form shows and sends back.
type documentForm struct {
	ID            int64
	Title         string
	Kind          string
	Authors       string // one a line
	Year          string
	Date          string
	Language      string
	Abstract      string
	Keywords      string // separated by ";"
	Licence       string
	Access        string
	InstitutionID int64
	Institutions  string // one a line
	Species       []string
	Activities    string // separated by ";" or ","
	Links         string // one a line: address, then the label
	Version       int64
}

// documentFormExtra are the choices the form offers.
type documentFormExtra struct {
	Kinds        vocab.List
	Access       vocab.List
	Species      map[string]string
	Codes        []string // the species' codes, in the reference order
	Institutions []institutionChoice
}

type institutionChoice struct {
	ID   int64
	Name string
}

func formOfDocument(d archive.Document) documentForm {
	f := documentForm{ID: d.ID, Title: d.Title, Kind: d.Kind, Authors: strings.Join(d.Authors, "\n"), Year: strconv.Itoa(d.Year),
		Date: d.Date, Language: d.Language, Abstract: d.Abstract, Keywords: strings.Join(d.Keywords, "; "), Licence: d.Licence,
		Access: d.Access, InstitutionID: d.InstitutionID, Species: d.Species, Activities: strings.Join(d.Activities, "; "), Version: d.Version}
	var names, links []string
	for _, i := range d.Institutions {
		names = append(names, i.Name)
	}
	for _, l := range d.Links {
		links = append(links, strings.TrimSpace(l.URL+" "+l.Label))
	}
	f.Institutions, f.Links = strings.Join(names, "\n"), strings.Join(links, "\n")
	return f
}

// readDocumentForm reads the form into the archive's input.
func readDocumentForm(r *http.Request) (documentForm, archive.Input, error) {
	form := httpkit.PostForm(r)
	pf := form.Values()
	f := documentForm{Title: pf.Get("title"), Kind: pf.Get("kind"), Authors: pf.Get("authors"), Year: strings.TrimSpace(pf.Get("year")),
		Date: pf.Get("date"), Language: pf.Get("language"), Abstract: pf.Get("abstract"), Keywords: pf.Get("keywords"), Licence: pf.Get("licence"),
		Access: pf.Get("access"), Institutions: pf.Get("institutions"), Species: pf["species"], Activities: pf.Get("activities"),
		Links: pf.Get("links"), Version: form.Version(), InstitutionID: form.ID("institution_id")}
	in := archive.Input{Title: f.Title, Kind: f.Kind, Authors: lines(f.Authors, ";"), Date: f.Date, Language: f.Language, Abstract: f.Abstract,
		Keywords: archive.SplitList(strings.ReplaceAll(f.Keywords, "\n", ";")), Licence: f.Licence, Access: f.Access,
		InstitutionID: f.InstitutionID, Institutions: lines(f.Institutions, ";"), Species: f.Species,
		Activities: archive.SplitList(strings.ReplaceAll(f.Activities, "\n", ";")), Version: f.Version}
	for _, l := range lines(f.Links, "") {
		address, label, _ := strings.Cut(l, " ")
		in.Links = append(in.Links, archive.Link{URL: address, Label: strings.TrimSpace(label)})
	}
	in.Year = form.Int("year", 0)
	return f, in, form.Err("the document has invalid fields")
}

// lines splits a text area into its non-empty lines, and each line at sep
// when sep is not "".
func lines(s, sep string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		parts := []string{l}
		if sep != "" {
			parts = strings.Split(l, sep)
		}
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// documentFormExtra lists the choices the form offers p.
func (s *Server) documentFormExtra(ctx context.Context, p auth.Principal, lang i18n.Lang) (documentFormExtra, error) {
	x := documentFormExtra{Kinds: archive.Kinds, Access: archive.Access, Species: map[string]string{}}
	species, err := s.Reference.Species(ctx)
	if err != nil {
		return x, err
	}
	for _, sp := range species {
		x.Species[sp.Code] = sp.Name(lang)
		x.Codes = append(x.Codes, sp.Code)
	}
	insts, err := s.Accounts.Institutions(ctx)
	if err != nil {
		return x, err
	}
	for _, in := range insts {
		if p.Role == auth.Admin || auth.Can(p, auth.Owner{Institution: in.ID}) {
			x.Institutions = append(x.Institutions, institutionChoice{in.ID, in.Name})
		}
	}
	return x, nil
}

// renderDocumentForm shows the form (new or edit), with what went wrong.
func (s *Server) renderDocumentForm(w http.ResponseWriter, r *http.Request, status int, f documentForm, fp formPage) {
	x, err := s.documentFormExtra(r.Context(), httpkit.Principal(r), httpkit.Lang(r))
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	fp.Values, fp.Extra = f, x
	title := i18n.T(httpkit.Lang(r), "archive.new")
	if f.ID != 0 {
		title = i18n.T(httpkit.Lang(r), "archive.edit")
	}
	s.render(w, r, status, "archive_form.html", title, fp)
}

// mayWrite answers for the pages of the forms: the login page for a
// visitor, 403 for someone who may not add documents.
func (s *Server) mayWriteDocuments(w http.ResponseWriter, r *http.Request) bool {
	if s.requireLogin(w, r) == nil {
		return false
	}
	if !archive.CanAdd(httpkit.Principal(r)) {
		s.k.Fail(w, r, errs.E(errs.Forbidden, "your role does not add documents"))
		return false
	}
	return true
}

func (s *Server) documentNewForm(w http.ResponseWriter, r *http.Request) {
	if !s.mayWriteDocuments(w, r) {
		return
	}
	f := documentForm{Kind: "report", Language: string(httpkit.Lang(r)), Access: "public", Year: strconv.Itoa(s.Archive.Now().Year())}
	if p := httpkit.Principal(r); len(p.Institutions) > 0 {
		f.InstitutionID = p.Institutions[0]
	}
	s.renderDocumentForm(w, r, http.StatusOK, f, formPage{})
}

// formUploads opens the files a form sent in field; close closes them.
func formUploads(r *http.Request, field string) (ups []archive.Upload, close func()) {
	var files []multipart.File
	close = func() {
		for _, f := range files {
			f.Close()
		}
	}
	if r.MultipartForm == nil {
		return nil, close
	}
	for _, h := range r.MultipartForm.File[field] {
		f, err := h.Open()
		if err != nil {
			continue
		}
		files = append(files, f)
		ups = append(ups, archive.Upload{Name: h.Filename, R: f})
	}
	return ups, close
}

// documentFormFailed shows the form again with err's problems, or fails.
func (s *Server) documentFormFailed(w http.ResponseWriter, r *http.Request, f documentForm, err error) {
	if e := asInvalid(err); e != nil {
		msg, fields := s.k.PageError(r, e)
		s.renderDocumentForm(w, r, http.StatusUnprocessableEntity, f, formPage{Errors: fields, Error: msg})
		return
	}
	if st := httpkit.StaleOf(err); st != nil {
		f.Version = st.CurrentVersion
		s.renderDocumentForm(w, r, http.StatusConflict, f, formPage{Conflict: jsonConflict(r, st, f)})
		return
	}
	s.k.Fail(w, r, err)
}

func (s *Server) documentCreate(w http.ResponseWriter, r *http.Request) {
	if !s.mayWriteDocuments(w, r) {
		return
	}
	f, in, err := readDocumentForm(r)
	if err != nil {
		s.documentFormFailed(w, r, f, err)
		return
	}
	ups, closeAll := formUploads(r, "files")
	defer closeAll()
	d, err := s.Archive.Create(r.Context(), httpkit.Principal(r), in, ups)
	if err != nil {
		s.documentFormFailed(w, r, f, err)
		return
	}
	http.Redirect(w, r, archive.DocumentPath(d.ID)+"?ok=saved", http.StatusSeeOther)
}

// writableDocument reads a document the request's user may change.
func (s *Server) writableDocument(w http.ResponseWriter, r *http.Request) (archive.Document, bool) {
	if s.requireLogin(w, r) == nil {
		return archive.Document{}, false
	}
	id, err := httpkit.PathID(r, "id")
	if err == nil {
		var d archive.Document
		if d, err = s.Archive.Document(r.Context(), httpkit.Principal(r), id); err == nil {
			if err = auth.Authorize(httpkit.Principal(r), d.Owner()); err == nil {
				return d, true
			}
		}
	}
	s.k.Fail(w, r, err)
	return archive.Document{}, false
}

func (s *Server) documentEditForm(w http.ResponseWriter, r *http.Request) {
	d, ok := s.writableDocument(w, r)
	if !ok {
		return
	}
	s.renderDocumentForm(w, r, http.StatusOK, formOfDocument(d), formPage{})
}

func (s *Server) documentUpdate(w http.ResponseWriter, r *http.Request) {
	d, ok := s.writableDocument(w, r)
	if !ok {
		return
	}
	f, in, err := readDocumentForm(r)
	f.ID = d.ID
	if err != nil {
		s.documentFormFailed(w, r, f, err)
		return
	}
	if _, err := s.Archive.Update(r.Context(), httpkit.Principal(r), d.ID, in); err != nil {
		s.documentFormFailed(w, r, f, err)
		return
	}
	http.Redirect(w, r, archive.DocumentPath(d.ID)+"?ok=saved", http.StatusSeeOther)
}

// documentAddFile adds a file to a document, or (slot given) a new version
// of one of its files; the earlier versions stay downloadable.
func (s *Server) documentAddFile(w http.ResponseWriter, r *http.Request) {
	d, ok := s.writableDocument(w, r)
	if !ok {
		return
	}
	slot := httpkit.PostForm(r).Int("slot", 0)
	ups, closeAll := formUploads(r, "file")
	defer closeAll()
	var err error = errs.Fields("choose a file", map[string]string{"file": "required"})
	if len(ups) > 0 {
		_, err = s.Archive.AddFile(r.Context(), httpkit.Principal(r), d.ID, slot, ups[0])
	}
	// A refused file (no file, its type, its size) is said on the
	// document's page, where the user can choose another.
	var e *errs.Error
	if errors.As(err, &e) && (e.Kind == errs.Invalid || e.Kind == errs.TooLarge) {
		msg, _ := s.k.PageError(r, e)
		s.showDocument(w, r, d.ID, httpkit.StatusOf(e.Kind), msg)
		return
	}
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, archive.DocumentPath(d.ID)+"?ok=saved#archivos", http.StatusSeeOther)
}

func (s *Server) documentDelete(w http.ResponseWriter, r *http.Request) {
	d, ok := s.writableDocument(w, r)
	if !ok {
		return
	}
	if err := s.Archive.Delete(r.Context(), httpkit.Principal(r), d.ID, httpkit.PostForm(r).Version()); err != nil {
		s.k.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/archivo?ok=deleted", http.StatusSeeOther)
}

// writeFeed sends an Atom feed.
func writeFeed(w http.ResponseWriter, r *http.Request, f interface{ Write(io.Writer) error }) {
	var buf strings.Builder
	if err := f.Write(&buf); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	httpkit.WriteWithETag(w, r, http.StatusOK, []byte(buf.String()))
}

// Size writes a file's size for people.
func (documentView) Size(n int64) string { return httpkit.ByteSize(n) }

// asInvalid is err when it is an invalid-input error (a form shows its
// problems by field), else nil.
func asInvalid(err error) *errs.Error {
	var e *errs.Error
	if errors.As(err, &e) && e.Kind == errs.Invalid {
		return e
	}
	return nil
}

// brochureFile sends the visitor to the newest edition of the brochure of
// the exportable offer (2.3.4, made by sriim brochure and kept in the
// archive), in the page's language.
func (s *Server) brochureFile(w http.ResponseWriter, r *http.Request) {
	docs, err := s.Archive.Kept(r.Context(), httpkit.Principal(r), "brochure:")
	if err != nil {
		s.k.Fail(w, r, err)
		return
	}
	if len(docs) == 0 || len(docs[0].Files) == 0 {
		s.k.Fail(w, r, errs.E(errs.NotFound, "the brochure has not been made yet"))
		return
	}
	file := docs[0].Files[0]
	for _, f := range docs[0].Files {
		if strings.HasSuffix(f.Name, "-"+string(httpkit.Lang(r))+".pdf") {
			file = f
		}
	}
	http.Redirect(w, r, archive.FilePath(file.ID), http.StatusSeeOther)
}
