// Package archive is the technical archive and the news of SRIIM (seed
// activities 1.1.2, 2.1.1-iii and 4.3.1): documents — research, theses,
// manuals, studies, guides, technical standards, reports — with their
// metadata, files and versions, full-text search in Spanish and English,
// download counts, batch import; and news and press notes, written by an
// institution's editors and published by the Mesa de Trabajo.
//
// Files are kept by content hash (internal/filestore); their text is read
// by internal/extract and indexed as the terms internal/fulltext makes, so
// SQLite (FTS5) and PostgreSQL (posting lists by segment, index.go) answer
// a search alike.
package archive

import (
	"context"
	"database/sql"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sriim/internal/auth"
	"sriim/internal/vocab"
)

// Kinds of document, with the Spanish word that forms and spreadsheets use.
var Kinds = vocab.List{
	{Code: "research", ES: "investigacion"},
	{Code: "thesis", ES: "tesis"},
	{Code: "manual", ES: "manual"},
	{Code: "study", ES: "estudio"},
	{Code: "guide", ES: "guia"},
	{Code: "technical_standard", ES: "norma_tecnica"},
	{Code: "report", ES: "informe"},
	{Code: "presentation", ES: "presentacion"},
	{Code: "other", ES: "otro"},
}

// Access says who may see a document.
var Access = vocab.List{
	{Code: "public", ES: "publico"},        // everyone, in search, feeds and the sitemap
	{Code: "signed_in", ES: "registrados"}, // anyone signed in
	{Code: "institution", ES: "institucion"},
}

// Institution is an institution that made a document, as the document names
// it, with the registered institution it is linked to (0 when none).
type Institution struct {
	Name          string `json:"name"`
	InstitutionID int64  `json:"institution_id,omitempty"`
	Code          string `json:"code,omitempty"`
}

// Link is a web address a document points to.
type Link struct {
	URL   string `json:"url"`
	Label string `json:"label,omitempty"`
}

// Document is a record of the archive.
type Document struct {
	ID       int64    `json:"id"`
	Title    string   `json:"title"`
	Kind     string   `json:"kind"`
	Authors  []string `json:"authors"`
	Year     int      `json:"year"`
	Date     string   `json:"date,omitempty"` // YYYY-MM-DD
	Language string   `json:"language"`
	Abstract string   `json:"abstract,omitempty"`
	Keywords []string `json:"keywords"`
	Licence  string   `json:"licence,omitempty"`
	Access   string   `json:"access"`
	// InstitutionID is the institution that keeps the document: its
	// editors change it, and its members see it when access is "institution".
	InstitutionID int64         `json:"institution_id,omitempty"`
	Institutions  []Institution `json:"institutions"`
	Species       []string      `json:"species"`
	Activities    []string      `json:"activities"` // plan activity codes
	Links         []Link        `json:"links"`
	// Files are the current version of each of the document's files.
	Files     []File    `json:"files"`
	SourceKey string    `json:"source_key,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version rises by one with every change of the metadata; a change
	// names the version it was based on.
	Version int64 `json:"version"`
}

// Owner is who may change the document: its institution's editors.
func (d Document) Owner() auth.Owner { return auth.Owner{Institution: d.InstitutionID} }

// CanAdd reports whether p may add documents and news: administrators, and
// the editors of an institution (which keeps what they add).
func CanAdd(p auth.Principal) bool {
	return p.Role == auth.Admin || (p.Has(auth.WriteInstitutionOwned) && len(p.Institutions) > 0)
}

// VisibleTo reports whether p may see the document at all: a document kept
// for an institution is, to everyone else, as if it did not exist.
func (d Document) VisibleTo(p auth.Principal) bool {
	var linked []int64
	for _, i := range d.Institutions {
		if i.InstitutionID != 0 {
			linked = append(linked, i.InstitutionID)
		}
	}
	return visible(p, d.Access, d.InstitutionID, linked)
}

// accessSQL is the condition, on the documents aliased d, that selects what
// p may see (the SQL form of visible); arg numbers its arguments.
func accessSQL(p auth.Principal, arg func(any) string) string {
	switch {
	case p.Role == auth.Admin:
		return "TRUE"
	case p.Anonymous():
		return "d.access = 'public'"
	case len(p.Institutions) == 0:
		return "d.access IN ('public', 'signed_in')"
	}
	marks := make([]string, len(p.Institutions))
	for i, id := range p.Institutions {
		marks[i] = arg(id)
	}
	in := strings.Join(marks, ", ")
	return "(d.access IN ('public', 'signed_in') OR d.institution_id IN (" + in + ") OR EXISTS (SELECT 1 FROM archive_document_institutions di WHERE di.document_id = d.id AND di.institution_id IN (" + in + ")))"
}

// File is one version of one of a document's files.
type File struct {
	ID         int64     `json:"id"`
	DocumentID int64     `json:"document_id"`
	Slot       int       `json:"slot"`
	Version    int       `json:"version"`
	Name       string    `json:"name"`
	SHA256     string    `json:"sha256"`
	Size       int64     `json:"size"`
	MediaType  string    `json:"media_type"`
	CreatedAt  time.Time `json:"created_at"`
	// TextStatus says whether the file's text could be read for the search
	// (ok, truncated, empty, failed, unsupported); TextProblem why not.
	TextStatus  string `json:"text_status"`
	TextProblem string `json:"text_problem,omitempty"`
	Downloads   int64  `json:"downloads"`
	// Previous are the earlier versions of the file, newest first (on the
	// current version only).
	Previous []File `json:"previous,omitempty"`
}

// Readable reports whether the file's text is in the search index.
func (f File) Readable() bool { return f.TextStatus == "ok" || f.TextStatus == "truncated" }

// Input is what a form, the API or a row of an import says about a document.
type Input struct {
	Title         string   `json:"title"`
	Kind          string   `json:"kind"`
	Authors       []string `json:"authors"`
	Year          int      `json:"year"`
	Date          string   `json:"date"`
	Language      string   `json:"language"`
	Abstract      string   `json:"abstract"`
	Keywords      []string `json:"keywords"`
	Licence       string   `json:"licence"`
	Access        string   `json:"access"`
	InstitutionID int64    `json:"institution_id"`
	Institutions  []string `json:"institutions"` // names or codes
	Species       []string `json:"species"`      // FAO 3-alpha codes
	Activities    []string `json:"activities"`   // plan activity codes
	Links         []Link   `json:"links"`
	// Version is the version the change is based on (0 for a new document).
	Version int64 `json:"version"`
}

var (
	languageCode = regexp.MustCompile(`^[a-z]{2}$`)
	dateFormat   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// known is what an input is checked against: the registered species,
// plan activities and institutions.
type known struct {
	species      map[string]bool
	activities   map[string]bool
	institutions map[string]Institution // by folded code and folded name
}

func loadKnown(ctx context.Context, q querier) (known, error) {
	k := known{species: map[string]bool{}, activities: map[string]bool{}, institutions: map[string]Institution{}}
	for _, part := range []struct {
		query string
		add   func(rows *sql.Rows) error
	}{
		{"SELECT code FROM species", func(rows *sql.Rows) error {
			var c string
			err := rows.Scan(&c)
			k.species[c] = true
			return err
		}},
		{"SELECT DISTINCT code FROM plan_activities", func(rows *sql.Rows) error {
			var c string
			err := rows.Scan(&c)
			k.activities[c] = true
			return err
		}},
		{"SELECT id, code, name FROM institutions", func(rows *sql.Rows) error {
			var i Institution
			err := rows.Scan(&i.InstitutionID, &i.Code, &i.Name)
			k.institutions[vocab.Fold(i.Code)], k.institutions[vocab.Fold(i.Name)] = i, i
			return err
		}},
	} {
		rows, err := q.QueryContext(ctx, part.query)
		if err != nil {
			return k, err
		}
		for rows.Next() {
			if err := part.add(rows); err != nil {
				rows.Close()
				return k, err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return k, err
		}
	}
	return k, nil
}

// normalize checks an input and turns it into a document (without ID,
// files or dates), saying what is wrong by field.
func (in Input) normalize(k known, now time.Time) (Document, map[string]string) {
	problems := map[string]string{}
	in.clean()
	d := Document{
		Title: strings.TrimSpace(in.Title), Abstract: strings.TrimSpace(in.Abstract), Licence: strings.TrimSpace(in.Licence),
		Date: strings.TrimSpace(in.Date), Year: in.Year, Language: strings.ToLower(strings.TrimSpace(in.Language)),
		InstitutionID: in.InstitutionID, Authors: cleanList(in.Authors), Keywords: cleanList(in.Keywords),
		Institutions: []Institution{}, Species: []string{}, Activities: []string{}, Links: []Link{},
	}
	switch n := utf8.RuneCountInString(d.Title); {
	case n == 0:
		problems["title"] = "a document needs a title"
	case n > 500:
		problems["title"] = "at most 500 characters"
	}
	if utf8.RuneCountInString(d.Abstract) > 20000 {
		problems["abstract"] = "at most 20000 characters"
	}
	var ok bool
	if d.Kind, ok = Kinds.Parse(in.Kind); !ok {
		problems["kind"] = "one of " + Kinds.Words()
	}
	access := in.Access
	if strings.TrimSpace(access) == "" {
		access = "public"
	}
	if d.Access, ok = Access.Parse(access); !ok {
		problems["access"] = "one of " + Access.Words()
	}
	if d.Language == "" {
		d.Language = "es"
	}
	if !languageCode.MatchString(d.Language) {
		problems["language"] = "a two-letter language code (es, en)"
	}
	if d.Date != "" {
		t, err := time.Parse("2006-01-02", d.Date)
		switch {
		case err != nil || !dateFormat.MatchString(d.Date):
			problems["date"] = "a date as YYYY-MM-DD"
		case d.Year == 0:
			d.Year = t.Year()
		case d.Year != t.Year():
			problems["date"] = "the date's year is not the document's year"
		}
	}
	if d.Year < 1900 || d.Year > now.Year()+1 {
		problems["year"] = "a year between 1900 and next year"
	}
	if len(d.Authors) > 100 || len(d.Keywords) > 100 {
		problems["keywords"] = "at most 100 authors and 100 keywords"
	}
	for _, name := range cleanList(in.Institutions) {
		i, ok := k.institutions[vocab.Fold(name)]
		if !ok {
			i = Institution{Name: name}
		}
		d.Institutions = append(d.Institutions, i)
	}
	for _, sp := range cleanList(in.Species) {
		sp = strings.ToUpper(sp)
		if !k.species[sp] {
			problems["species"] = "unknown species code " + sp
		} else if !slices.Contains(d.Species, sp) {
			d.Species = append(d.Species, sp)
		}
	}
	for _, a := range cleanList(in.Activities) {
		if !k.activities[a] {
			problems["activities"] = "unknown plan activity " + a
		} else if !slices.Contains(d.Activities, a) {
			d.Activities = append(d.Activities, a)
		}
	}
	for _, l := range in.Links {
		u, err := url.Parse(strings.TrimSpace(l.URL))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			problems["links"] = "a link is a web address starting with https://"
			continue
		}
		d.Links = append(d.Links, Link{URL: u.String(), Label: strings.TrimSpace(l.Label)})
	}
	return d, problems
}

// cleanText makes s valid UTF-8 without NUL characters: an upload may hold
// any bytes, and the databases keep text.
func cleanText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// clean makes every text of the input clean text.
func (in *Input) clean() {
	c := cleanText
	for _, p := range []*string{&in.Title, &in.Kind, &in.Date, &in.Language, &in.Abstract, &in.Licence, &in.Access} {
		*p = c(*p)
	}
	for _, list := range [][]string{in.Authors, in.Keywords, in.Institutions, in.Species, in.Activities} {
		for i := range list {
			list[i] = c(list[i])
		}
	}
	for i := range in.Links {
		in.Links[i].URL, in.Links[i].Label = c(in.Links[i].URL), c(in.Links[i].Label)
	}
}

// cleanList trims each item and drops empty ones.
func cleanList(list []string) []string {
	out := []string{}
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// SplitList splits a cell that lists several values ("a; b", "a, b").
func SplitList(s string) []string {
	sep := ";"
	if !strings.Contains(s, ";") {
		sep = ","
	}
	return cleanList(strings.Split(s, sep))
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// placeholders returns "$from, $from+1, …" for n arguments.
func placeholders(from, n int) string {
	marks := make([]string, n)
	for i := range marks {
		marks[i] = "$" + strconv.Itoa(from+i)
	}
	return strings.Join(marks, ", ")
}
