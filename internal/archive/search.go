package archive

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/fulltext"
)

// SearchQuery selects documents: words to look for (in the metadata and
// the files' text) and facets to narrow by. Zero fields select everything.
type SearchQuery struct {
	Q           string
	Kind        string
	Year        int
	Species     string // FAO 3-alpha code
	Institution string // institution code
	Activity    string // plan activity code
	Limit       int    // default 20, at most 100
	Offset      int
}

// Hit is a document found, with why it matched.
type Hit struct {
	ID       int64    `json:"id"`
	Title    string   `json:"title"`
	Kind     string   `json:"kind"`
	Year     int      `json:"year"`
	Language string   `json:"language"`
	Access   string   `json:"access"`
	Authors  []string `json:"authors"`
	// Snippet is HTML: the passage where the query's words are (in <mark>),
	// everything else escaped; the start of the abstract without a query.
	Snippet string `json:"snippet"`
	// Score is the mean weight of the fields the query's words were found
	// in (title 10, keywords 6, abstract 3, the body's main terms 2, the
	// body 1); 0 without a query.
	Score float64 `json:"score"`
}

// Facet is a value of a facet and how many documents found have it.
type Facet struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Facets count the documents found by kind, year, species, institution
// and plan activity.
type Facets struct {
	Kinds        []Facet `json:"kind"`
	Years        []Facet `json:"year"`
	Species      []Facet `json:"species"`
	Institutions []Facet `json:"institution"`
	Activities   []Facet `json:"activity"`
}

// Results are a page of what a search found.
type Results struct {
	Total  int            `json:"total"`
	Hits   []Hit          `json:"documents"`
	Facets Facets         `json:"facets"`
	Query  fulltext.Query `json:"query"` // the words looked for
}

// Search finds the documents p may see that hold every word of the query
// (in any form: "exportaciones" finds "exportar"), best first.
func (s *Service) Search(ctx context.Context, p auth.Principal, sq SearchQuery) (Results, error) {
	if sq.Limit <= 0 {
		sq.Limit = 20
	}
	sq.Limit = min(sq.Limit, 100)
	sq.Offset = max(sq.Offset, 0)
	q := fulltext.ParseQuery(sq.Q)
	res := Results{Hits: []Hit{}, Query: q}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	cond := []string{accessSQL(p, arg)}
	if sq.Kind != "" {
		kind, ok := Kinds.Parse(sq.Kind)
		if !ok {
			return res, errs.Fields("the search has invalid filters", map[string]string{"kind": "one of " + Kinds.Words()})
		}
		cond = append(cond, "d.kind = "+arg(kind))
	}
	if sq.Year != 0 {
		cond = append(cond, "d.year = "+arg(sq.Year))
	}
	if sq.Species != "" {
		cond = append(cond, "EXISTS (SELECT 1 FROM archive_document_species x WHERE x.document_id = d.id AND x.species = "+arg(strings.ToUpper(sq.Species))+")")
	}
	if sq.Institution != "" {
		cond = append(cond, `EXISTS (SELECT 1 FROM archive_document_institutions x JOIN institutions i ON i.id = x.institution_id
			WHERE x.document_id = d.id AND i.code = `+arg(sq.Institution)+")")
	}
	if sq.Activity != "" {
		cond = append(cond, "EXISTS (SELECT 1 FROM archive_document_activities x WHERE x.document_id = d.id AND x.activity_code = "+arg(sq.Activity)+")")
	}
	postgres := s.db.Dialect == db.Postgres
	if len(q) > 0 {
		if postgres {
			cond = append(cond, "d.id IN (SELECT document_id FROM archive_search WHERE terms @@ "+arg(tsquery(q, ""))+"::tsquery)")
		} else {
			cond = append(cond, "d.id IN (SELECT rowid FROM archive_search_terms WHERE archive_search_terms MATCH "+arg(ftsQuery(q, ""))+")")
		}
	}
	matched := "WITH m AS (SELECT d.id, d.year, d.kind FROM archive_documents d WHERE " + strings.Join(cond, " AND ") + ")"
	nCond := len(args) // the arguments of matched
	read := s.db.Read()

	// The page, best first.
	var page string
	if len(q) == 0 {
		page = matched + ", ranked AS (SELECT m.id, m.year, 0 AS points FROM m)"
	} else {
		var hits []string
		for w, word := range q {
			for _, f := range fields {
				if postgres {
					hits = append(hits, "SELECT document_id AS id, "+strconv.Itoa(w)+" AS w, "+strconv.Itoa(f.weight)+
						" AS wt FROM archive_search WHERE fields @@ "+arg(tsquery(fulltext.Query{word}, f.prefix))+"::tsquery")
				} else {
					hits = append(hits, "SELECT rowid AS id, "+strconv.Itoa(w)+" AS w, "+strconv.Itoa(f.weight)+
						" AS wt FROM archive_search_fields WHERE archive_search_fields MATCH "+arg(ftsQuery(fulltext.Query{word}, f.name)))
				}
			}
		}
		// Each word counts its best field; a word in no ranked field is in the body.
		n := strconv.Itoa(len(q))
		page = matched + ", h AS (" + strings.Join(hits, " UNION ALL ") + `),
			best AS (SELECT id, w, max(wt) AS wt FROM h GROUP BY id, w),
			ranked AS (SELECT m.id, m.year, ` + n + "*" + strconv.Itoa(bodyWeight) + " - count(b.id)*" + strconv.Itoa(bodyWeight) +
			` + coalesce(sum(b.wt), 0) AS points FROM m LEFT JOIN best b ON b.id = m.id GROUP BY m.id, m.year)`
	}
	page += ` SELECT d.id, d.title, d.kind, d.year, d.language, d.access, d.authors, d.abstract, d.keywords, r.points
		FROM ranked r JOIN archive_documents d ON d.id = r.id ORDER BY r.points DESC, r.year DESC, r.id DESC
		LIMIT ` + arg(sq.Limit) + " OFFSET " + arg(sq.Offset)
	rows, err := read.QueryContext(ctx, page, args...)
	if err != nil {
		return res, errs.Wrap(err, "search documents")
	}
	type about struct{ abstract, keywords string }
	var abouts []about
	for rows.Next() {
		var h Hit
		var authors string
		var a about
		var points int
		if err := rows.Scan(&h.ID, &h.Title, &h.Kind, &h.Year, &h.Language, &h.Access, &authors, &a.abstract, &a.keywords, &points); err != nil {
			rows.Close()
			return res, errs.Wrap(err, "search documents")
		}
		h.Authors = SplitList(authors)
		if len(q) > 0 {
			h.Score = float64(points) / float64(len(q))
		}
		res.Hits = append(res.Hits, h)
		abouts = append(abouts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return res, errs.Wrap(err, "search documents")
	}

	// The facets, over everything found.
	facets := matched + ` SELECT 'kind', kind, count(*) FROM m GROUP BY kind
		UNION ALL SELECT 'year', CAST(year AS TEXT), count(*) FROM m GROUP BY year
		UNION ALL SELECT 'species', x.species, count(*) FROM m JOIN archive_document_species x ON x.document_id = m.id GROUP BY x.species
		UNION ALL SELECT 'institution', i.code, count(DISTINCT m.id) FROM m JOIN archive_document_institutions x ON x.document_id = m.id
			JOIN institutions i ON i.id = x.institution_id GROUP BY i.code
		UNION ALL SELECT 'activity', x.activity_code, count(*) FROM m JOIN archive_document_activities x ON x.document_id = m.id GROUP BY x.activity_code`
	rows, err = read.QueryContext(ctx, facets, args[:nCond]...)
	if err != nil {
		return res, errs.Wrap(err, "count facets")
	}
	defer rows.Close()
	for rows.Next() {
		var facet string
		var f Facet
		if err := rows.Scan(&facet, &f.Value, &f.Count); err != nil {
			return res, errs.Wrap(err, "count facets")
		}
		switch facet {
		case "kind":
			res.Facets.Kinds = append(res.Facets.Kinds, f)
			res.Total += f.Count
		case "year":
			res.Facets.Years = append(res.Facets.Years, f)
		case "species":
			res.Facets.Species = append(res.Facets.Species, f)
		case "institution":
			res.Facets.Institutions = append(res.Facets.Institutions, f)
		case "activity":
			res.Facets.Activities = append(res.Facets.Activities, f)
		}
	}
	if err := rows.Err(); err != nil {
		return res, errs.Wrap(err, "count facets")
	}
	for _, list := range [][]Facet{res.Facets.Kinds, res.Facets.Species, res.Facets.Institutions, res.Facets.Activities} {
		sort.Slice(list, func(i, j int) bool {
			return list[i].Count > list[j].Count || list[i].Count == list[j].Count && list[i].Value < list[j].Value
		})
	}
	sort.Slice(res.Facets.Years, func(i, j int) bool { return res.Facets.Years[i].Value > res.Facets.Years[j].Value })

	// The snippets: where the words are, in the abstract, the files' text,
	// the keywords or the title, in that order.
	texts, err := s.texts(ctx, res.Hits)
	if err != nil {
		return res, err
	}
	for i := range res.Hits {
		h := &res.Hits[i]
		if len(q) == 0 {
			h.Snippet = fulltext.Excerpt(abouts[i].abstract, fulltext.SnippetWords)
			continue
		}
		lang := h.Language
		for _, text := range append(append([]string{abouts[i].abstract}, texts[h.ID]...), abouts[i].keywords, h.Title) {
			if snippet, ok := fulltext.Snippet(text, lang, q); ok {
				h.Snippet = snippet
				break
			}
		}
	}
	return res, nil
}

// snippetText is how much of a file's text a snippet is looked for in.
const snippetText = 256 << 10

// texts reads the beginning of the readable text of the hits' current files.
func (s *Service) texts(ctx context.Context, hits []Hit) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(hits) == 0 {
		return out, nil
	}
	ids := make([]any, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT f.document_id, substr(t.text, 1, `+strconv.Itoa(snippetText)+`)
		FROM archive_files f JOIN archive_texts t ON t.sha256 = f.sha256
		WHERE f.document_id IN (`+placeholders(1, len(ids))+`) AND t.status IN ('ok', 'truncated')
		AND f.version = (SELECT max(f2.version) FROM archive_files f2 WHERE f2.document_id = f.document_id AND f2.slot = f.slot)
		ORDER BY f.document_id, f.slot`, ids...)
	if err != nil {
		return nil, errs.Wrap(err, "read texts")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var text string
		if err := rows.Scan(&id, &text); err != nil {
			return nil, errs.Wrap(err, "read texts")
		}
		out[id] = append(out[id], text)
	}
	return out, errs.Wrap(rows.Err(), "read texts")
}

// ftsQuery is an FTS5 query for the words of q (every word, any of its
// terms), in one column when column is not empty.
func ftsQuery(q fulltext.Query, column string) string {
	var words []string
	for _, w := range q {
		terms := make([]string, len(w.Terms))
		for i, t := range w.Terms {
			terms[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		}
		words = append(words, "("+strings.Join(terms, " OR ")+")")
	}
	match := strings.Join(words, " AND ")
	if column != "" {
		match = "{" + column + "} : " + match
	}
	return match
}

// tsquery is a tsquery for the words of q (every word, any of its terms),
// its terms prefixed by a field's prefix.
func tsquery(q fulltext.Query, prefix string) string {
	var words []string
	for _, w := range q {
		terms := make([]string, len(w.Terms))
		for i, t := range w.Terms {
			terms[i] = quoteLexeme(prefix + t)
		}
		words = append(words, "("+strings.Join(terms, " | ")+")")
	}
	return strings.Join(words, " & ")
}

// ForActivity lists the documents p may see that serve a plan activity,
// newest first: the evidence of the plan's document indicators.
func (s *Service) ForActivity(ctx context.Context, p auth.Principal, code string) ([]Hit, error) {
	res, err := s.Search(ctx, p, SearchQuery{Activity: code, Limit: 100})
	return res.Hits, err
}

// Titles returns the titles of the documents among ids that p may see;
// the others are left out, as if they did not exist.
func (s *Service) Titles(ctx context.Context, p auth.Principal, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+documentColumns+" FROM archive_documents d WHERE d.id IN ("+placeholders(1, len(ids))+")", args...)
	if err != nil {
		return nil, errs.Wrap(err, "read documents")
	}
	var docs []Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "read documents")
		}
		docs = append(docs, d)
	}
	rows.Close()
	if err := details(ctx, s.db.Read(), docs); err != nil {
		return nil, err
	}
	for _, d := range docs {
		if d.VisibleTo(p) {
			out[d.ID] = d.Title
		}
	}
	return out, nil
}

// Latest returns the newest documents p may see (by when they were added),
// at most limit, added at or after since.
func (s *Service) Latest(ctx context.Context, p auth.Principal, since time.Time, limit int) ([]Document, error) {
	return s.added(ctx, p, since, time.Time{}, limit)
}

// Added returns the public documents added in [from, to), oldest first: what
// the information network announces.
func (s *Service) Added(ctx context.Context, from, to time.Time) ([]Document, error) {
	docs, err := s.added(ctx, auth.Principal{}, from, to, 1000)
	slices.Reverse(docs)
	return docs, err
}

func (s *Service) added(ctx context.Context, p auth.Principal, from, to time.Time, limit int) ([]Document, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	query := "SELECT " + documentColumns + " FROM archive_documents d WHERE " + accessSQL(p, arg) + " AND d.created_at >= " + arg(from.UTC())
	if !to.IsZero() {
		query += " AND d.created_at < " + arg(to.UTC())
	}
	query += " ORDER BY d.created_at DESC, d.id DESC LIMIT " + arg(limit)
	rows, err := s.db.Read().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errs.Wrap(err, "read documents")
	}
	docs := []Document{}
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "read documents")
		}
		docs = append(docs, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "read documents")
	}
	return docs, details(ctx, s.db.Read(), docs)
}
