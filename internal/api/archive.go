package api

import (
	"encoding/json"
	"net/http"
	"net/url"

	"sriim/internal/archive"
	"sriim/internal/errs"
	"sriim/internal/fulltext"
	"sriim/internal/httpkit"
	"sriim/internal/query"
)

// The archive's JSON API: the search, documents with their files and
// downloads, the news, and the information network's members.
func (s *Server) archiveRoutes(mux *httpkit.Kernel) {
	mux.HandleFunc("GET /api/v1/documents", s.api(s.apiDocuments))
	mux.HandleFunc("POST /api/v1/documents", s.api(s.apiDocumentCreate))
	mux.HandleFunc("GET /api/v1/documents/{id}", s.api(s.apiDocument))
	mux.HandleFunc("PUT /api/v1/documents/{id}", s.api(s.apiDocumentUpdate))
	mux.HandleFunc("DELETE /api/v1/documents/{id}", s.deleteByID(s.Archive.Delete))
	mux.HandleFunc("POST /api/v1/documents/{id}/files", s.api(s.apiDocumentFile), httpkit.Upload(archive.MaxFileBytes, archive.CanAdd))
	mux.HandleFunc("GET /api/v1/documents/{id}/downloads", s.api(s.apiDocumentDownloads))
	mux.HandleFunc("GET /api/v1/news", s.api(s.apiNewsList))
	mux.HandleFunc("GET /api/v1/news/{id}", s.api(s.apiNews))
	mux.HandleFunc("GET /api/v1/network/members", s.api(s.apiNetworkMembers))
}

// documentHit is a search result as the API gives it: with the address of
// its page.
type documentHit struct {
	archive.Hit
	URL string `json:"url"`
}

// documentResults is the answer of GET /api/v1/documents.
type documentResults struct {
	Total     int            `json:"total"`
	Documents []documentHit  `json:"documents"`
	Facets    archive.Facets `json:"facets"`
	// IgnoredWords are the words of q not looked for (too common, too
	// short or too long): when q has no other, the list is every document,
	// as if no q were given, and this says why.
	IgnoredWords []string `json:"ignored_words"`
}

// readDocumentsQuery reads the API's search parameters.
func readDocumentsQuery(q url.Values) (archive.SearchQuery, error) {
	sq := archive.SearchQuery{Q: q.Get("q"), Kind: q.Get("kind"), Species: q.Get("species"), Institution: q.Get("institution"), Activity: q.Get("activity")}
	problems := map[string]string{}
	var err error
	if sq.Year, err = httpkit.Int(q, "year", 0); err != nil || sq.Year != 0 && (sq.Year < 1900 || sq.Year > 2100) {
		problems["year"] = httpkit.MsgYear
	}
	if sq.Limit, err = httpkit.Int(q, "limit", 20); err != nil || sq.Limit < 1 || sq.Limit > 100 {
		problems["limit"] = "a whole number from 1 to 100"
	}
	if sq.Offset, err = httpkit.Int(q, "offset", 0); err != nil || sq.Offset < 0 {
		problems["offset"] = httpkit.MsgWhole
	}
	if len(problems) > 0 {
		return sq, errs.Fields("invalid parameter", problems)
	}
	return sq, nil
}

func (s *Server) apiDocuments(r *http.Request) (int, any, error) {
	sq, err := readDocumentsQuery(r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	res, err := s.Archive.Search(r.Context(), httpkit.Principal(r), sq)
	if err != nil {
		return 0, nil, err
	}
	out := documentResults{Total: res.Total, Documents: []documentHit{}, Facets: res.Facets, IgnoredWords: fulltext.Ignored(sq.Q)}
	if out.IgnoredWords == nil {
		out.IgnoredWords = []string{}
	}
	base := httpkit.BaseURL(r)
	for _, h := range res.Hits {
		out.Documents = append(out.Documents, documentHit{h, base + archive.DocumentPath(h.ID)})
	}
	return http.StatusOK, out, nil
}

// documentFile is a file as the API gives it: with its download address.
type documentFile struct {
	archive.File
	URL      string         `json:"url"`
	Previous []documentFile `json:"previous,omitempty"`
}

// documentJSON is a document as the API gives it: with the addresses of
// its page and its files.
type documentJSON struct {
	archive.Document
	URL   string         `json:"url"`
	Files []documentFile `json:"files"`
}

func documentOut(r *http.Request, d archive.Document) versioned {
	base := httpkit.BaseURL(r)
	file := func(f archive.File) documentFile {
		return documentFile{File: f, URL: base + archive.FilePath(f.ID)}
	}
	out := documentJSON{Document: d, URL: base + archive.DocumentPath(d.ID), Files: []documentFile{}}
	for _, f := range d.Files {
		df := file(f)
		for _, p := range f.Previous {
			df.Previous = append(df.Previous, file(p))
		}
		out.Files = append(out.Files, df)
	}
	return versioned{version: d.Version, body: out}
}

func (s *Server) apiDocument(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	d, err := s.Archive.Document(r.Context(), httpkit.Principal(r), id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, documentOut(r, d), nil
}

func (s *Server) apiDocumentCreate(r *http.Request) (int, any, error) {
	var in documentPut
	if err := httpkit.DecodeJSON(r, &in); err != nil {
		return 0, nil, err
	}
	d, err := s.Archive.Create(r.Context(), httpkit.Principal(r), in.input(0), nil)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, documentOut(r, d), nil
}

// apiDocumentUpdate replaces a document's metadata, based on the version in
// If-Match or in the body.
func (s *Server) apiDocumentUpdate(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in documentPut
	version, err := httpkit.DecodePut(r, &in, false, "id", "url", "files", "source_key", "created_at", "updated_at")
	if err != nil {
		return 0, nil, err
	}
	d, err := s.Archive.Update(r.Context(), httpkit.Principal(r), id, in.input(version))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, documentOut(r, d), nil
}

// apiDocumentFile takes a file as the body (?name= names it): a new file of
// the document, or with ?slot= a new version of one of its files.
func (s *Server) apiDocumentFile(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	slot, err := httpkit.Int(r.URL.Query(), "slot", 0)
	if err != nil {
		return 0, nil, err
	}
	d, err := s.Archive.AddFile(r.Context(), httpkit.Principal(r), id, slot, archive.Upload{Name: r.URL.Query().Get("name"), R: r.Body})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, documentOut(r, d), nil
}

func (s *Server) apiDocumentDownloads(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	months, err := s.Archive.Downloads(r.Context(), httpkit.Principal(r), id)
	return http.StatusOK, map[string]any{"document_id": id, "months": months}, err
}

func (s *Server) apiNewsList(r *http.Request) (int, any, error) {
	limit, err := httpkit.Int(r.URL.Query(), "limit", 20)
	if err != nil || limit < 1 || limit > 100 {
		return 0, nil, errs.Fields("invalid parameter", map[string]string{"limit": "a whole number from 1 to 100"})
	}
	items, err := s.Archive.NewsList(r.Context(), httpkit.Principal(r), archive.NewsFilter{State: r.URL.Query().Get("state"), Limit: limit})
	return http.StatusOK, map[string]any{"news": items}, err
}

func (s *Server) apiNews(r *http.Request) (int, any, error) {
	id, err := httpkit.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	n, err := s.Archive.News(r.Context(), httpkit.Principal(r), id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, versioned{version: n.Version, body: n}, nil
}

// apiNetworkMembers counts the information network's members at the end of
// each year (the indicators of 1.1.3 and 2.1.1).
func (s *Server) apiNetworkMembers(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	now := s.Archive.Now().Year()
	from, err1 := httpkit.Int(q, "from", now-4)
	to, err2 := httpkit.Int(q, "to", now)
	if err1 != nil || err2 != nil {
		return 0, nil, errs.Fields("invalid parameter", map[string]string{"from": query.MsgYears})
	}
	members, err := s.Network.MembersByYear(r.Context(), from, to)
	return http.StatusOK, map[string]any{"members": members, "mail_on": s.Network.MailOn()}, err
}

// documentPut is a document as POST and PUT take it: the fields GET gives
// (those it leaves out when empty may be left out), the institutions by
// name — as GET gives them ({"name": …}) or as plain names.
type documentPut struct {
	Title         string           `json:"title"`
	Kind          string           `json:"kind"`
	Authors       []string         `json:"authors"`
	Year          int              `json:"year"`
	Date          string           `json:"date,omitempty"`
	Language      string           `json:"language"`
	Abstract      string           `json:"abstract,omitempty"`
	Keywords      []string         `json:"keywords"`
	Licence       string           `json:"licence,omitempty"`
	Access        string           `json:"access"`
	InstitutionID int64            `json:"institution_id,omitempty"`
	Institutions  institutionNames `json:"institutions"`
	Species       []string         `json:"species"`
	Activities    []string         `json:"activities"`
	Links         []archive.Link   `json:"links"`
}

func (d documentPut) input(version int64) archive.Input {
	return archive.Input{Title: d.Title, Kind: d.Kind, Authors: d.Authors, Year: d.Year, Date: d.Date, Language: d.Language,
		Abstract: d.Abstract, Keywords: d.Keywords, Licence: d.Licence, Access: d.Access, InstitutionID: d.InstitutionID,
		Institutions: d.Institutions, Species: d.Species, Activities: d.Activities, Links: d.Links, Version: version}
}

// institutionNames are institutions given by name: strings, or objects
// with a "name".
type institutionNames []string

func (n *institutionNames) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*n = institutionNames{}
	for _, item := range raw {
		var name string
		if err := json.Unmarshal(item, &name); err != nil {
			var in archive.Institution
			if err := json.Unmarshal(item, &in); err != nil {
				return err
			}
			name = in.Name
		}
		*n = append(*n, name)
	}
	return nil
}
