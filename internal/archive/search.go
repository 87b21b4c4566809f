package archive

import (
	"context"
	"database/sql"
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
	kind := ""
	if sq.Kind != "" {
		var ok bool
		if kind, ok = Kinds.Parse(sq.Kind); !ok {
			return res, errs.Fields("the search has invalid filters", map[string]string{"kind": "one of " + Kinds.Words()})
		}
	}
	speciesCode := strings.ToUpper(sq.Species)
	snap, err := s.current(ctx)
	if err != nil {
		return res, err
	}
	candidates := snap.ids
	var best []map[int64]int // by query word: each document's best field weight
	if len(q) > 0 {
		if s.db.Dialect == db.Postgres {
			candidates, best, err = lookUpPostgres(ctx, s.db.Read(), snap, q)
		} else {
			candidates, best, err = lookUpSQLite(ctx, s.db.Read(), q)
		}
		if err != nil {
			return res, err
		}
	}
	type found struct {
		id     int64
		year   int
		points int
	}
	var list []found
	kinds, years, species, codes, activities := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	for _, id := range candidates {
		f := snap.docs[id]
		if f == nil || !visible(p, f.access, f.keeper, f.institutions) ||
			(kind != "" && f.kind != kind) || (sq.Year != 0 && f.year != sq.Year) ||
			(speciesCode != "" && !slices.Contains(f.species, speciesCode)) ||
			(sq.Institution != "" && !slices.Contains(f.codes, sq.Institution)) ||
			(sq.Activity != "" && !slices.Contains(f.activities, sq.Activity)) {
			continue
		}
		points := 0
		for _, w := range best {
			if wt, ok := w[id]; ok {
				points += wt
			} else {
				points += bodyWeight // the word is in the body only
			}
		}
		list = append(list, found{id, f.year, points})
		kinds[f.kind]++
		years[f.yearText]++
		for _, v := range f.species {
			species[v]++
		}
		for _, v := range f.codes {
			codes[v]++
		}
		for _, v := range f.activities {
			activities[v]++
		}
	}
	res.Total = len(list)
	res.Facets = Facets{Kinds: facetList(kinds), Years: facetList(years), Species: facetList(species),
		Institutions: facetList(codes), Activities: facetList(activities)}
	sort.Slice(res.Facets.Years, func(i, j int) bool { return res.Facets.Years[i].Value > res.Facets.Years[j].Value })
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.points != b.points {
			return a.points > b.points
		}
		if a.year != b.year {
			return a.year > b.year
		}
		return a.id > b.id
	})
	if sq.Offset >= len(list) {
		return res, nil
	}
	list = list[sq.Offset:min(len(list), sq.Offset+sq.Limit)]

	// The page, read afresh (and its access checked again: the snapshot
	// may be a moment old).
	ids := make([]int64, len(list))
	for i, f := range list {
		ids[i] = f.id
	}
	docs, err := s.documents(ctx, ids, false)
	if err != nil {
		return res, err
	}
	texts, err := s.texts(ctx, ids)
	if err != nil {
		return res, err
	}
	for _, f := range list {
		d, ok := docs[f.id]
		if !ok || !d.VisibleTo(p) {
			continue
		}
		h := Hit{ID: d.ID, Title: d.Title, Kind: d.Kind, Year: d.Year, Language: d.Language, Access: d.Access, Authors: d.Authors}
		if len(q) == 0 {
			h.Snippet = fulltext.Excerpt(d.Abstract, fulltext.SnippetWords)
		} else {
			h.Score = float64(f.points) / float64(len(q))
			// Where the words are: in the abstract, the files' text, the
			// keywords or the title, in that order.
			for _, text := range append(append([]string{d.Abstract}, texts[d.ID]...), strings.Join(d.Keywords, "; "), d.Title) {
				if snippet, ok := fulltext.Snippet(text, d.Language, q); ok {
					h.Snippet = snippet
					break
				}
			}
		}
		res.Hits = append(res.Hits, h)
	}
	return res, nil
}

// facetList turns counts into a facet, most frequent first.
func facetList(counts map[string]int) []Facet {
	out := make([]Facet, 0, len(counts))
	for v, n := range counts {
		out = append(out, Facet{Value: v, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Count > out[j].Count || out[i].Count == out[j].Count && out[i].Value < out[j].Value
	})
	return out
}

// lookUpSQLite returns the documents that hold every word of q, and for
// each word the weight of the best ranked field each document holds it in
// (documents that hold it in none are not listed: they hold it in the
// body), from the FTS5 tables; each list of ids as one row.
func lookUpSQLite(ctx context.Context, idx querier, q fulltext.Query) ([]int64, []map[int64]int, error) {
	var list sql.NullString
	if err := idx.QueryRowContext(ctx, "SELECT group_concat(rowid) FROM archive_search_terms WHERE archive_search_terms MATCH $1",
		ftsQuery(q, "")).Scan(&list); err != nil {
		return nil, nil, errs.Wrap(err, "search documents")
	}
	var parts []string
	var args []any
	for w, word := range q {
		for i, f := range fields {
			parts = append(parts, "SELECT "+strconv.Itoa(w)+", "+strconv.Itoa(i)+
				", (SELECT group_concat(rowid) FROM archive_search_fields WHERE archive_search_fields MATCH $"+strconv.Itoa(len(args)+1)+")")
			args = append(args, ftsQuery(fulltext.Query{word}, f.name))
		}
	}
	rows, err := idx.QueryContext(ctx, strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return nil, nil, errs.Wrap(err, "rank documents")
	}
	defer rows.Close()
	best := make([]map[int64]int, len(q))
	for i := range best {
		best[i] = map[int64]int{}
	}
	for rows.Next() {
		var w, f int
		var fieldList sql.NullString
		if err := rows.Scan(&w, &f, &fieldList); err != nil {
			return nil, nil, errs.Wrap(err, "rank documents")
		}
		for _, id := range parseIDs(fieldList.String) {
			best[w][id] = max(best[w][id], fields[f].weight)
		}
	}
	return parseIDs(list.String), best, errs.Wrap(rows.Err(), "rank documents")
}

// lookUpPostgres answers what lookUpSQLite does from PostgreSQL's posting
// lists, in one query: those of q's terms (to match) and of its terms
// prefixed by each ranked field (to rank). A document counts in the segment
// snap says it is in; what other segments list of it is stale.
func lookUpPostgres(ctx context.Context, idx querier, snap *snapshot, q fulltext.Query) ([]int64, []map[int64]int, error) {
	type use struct{ word, field int } // field -1: any
	uses := map[string][]use{}
	for w, word := range q {
		for _, t := range word.Terms {
			uses[t] = append(uses[t], use{w, -1})
			for i, f := range fields {
				uses[f.prefix+t] = append(uses[f.prefix+t], use{w, i})
			}
		}
	}
	terms := make([]string, 0, len(uses))
	for t := range uses {
		terms = append(terms, t)
	}
	rows, err := idx.QueryContext(ctx, "SELECT term, segment, ids FROM archive_search_postings WHERE term = ANY($1)", terms)
	if err != nil {
		return nil, nil, errs.Wrap(err, "search documents")
	}
	defer rows.Close()
	found := map[int64]uint64{} // document → the words it holds, as bits
	best := make([]map[int64]int, len(q))
	for i := range best {
		best[i] = map[int64]int{}
	}
	for rows.Next() {
		var term string
		var segment int64
		var list []byte
		if err := rows.Scan(&term, &segment, &list); err != nil {
			return nil, nil, errs.Wrap(err, "search documents")
		}
		decodeIDs(list, func(id int64) {
			if f := snap.docs[id]; f == nil || f.segment != segment {
				return
			}
			for _, u := range uses[term] {
				if u.field < 0 {
					found[id] |= 1 << u.word
				} else {
					best[u.word][id] = max(best[u.word][id], fields[u.field].weight)
				}
			}
		})
	}
	if err := rows.Err(); err != nil {
		return nil, nil, errs.Wrap(err, "search documents")
	}
	all := uint64(1)<<len(q) - 1 // fulltext.MaxQueryWords is less than 64
	out := make([]int64, 0, len(found))
	for id, bits := range found {
		if bits == all {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, best, nil
}

// parseIDs reads a comma-separated list of ids.
func parseIDs(list string) []int64 {
	if list == "" {
		return nil
	}
	out := make([]int64, 0, strings.Count(list, ",")+1)
	for len(list) > 0 {
		i := strings.IndexByte(list, ',')
		if i < 0 {
			i = len(list)
		}
		if id, err := strconv.ParseInt(list[:i], 10, 64); err == nil {
			out = append(out, id)
		}
		list = list[min(i+1, len(list)):]
	}
	return out
}

// documents reads documents by id, with their details, or (all false)
// with only the institutions they name, which VisibleTo needs.
func (s *Service) documents(ctx context.Context, ids []int64, all bool) (map[int64]Document, error) {
	out := map[int64]Document{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	docs, err := readDocuments(ctx, s.db.Read(), "SELECT "+documentColumns+" FROM archive_documents d WHERE d.id IN ("+placeholders(1, len(ids))+")", args...)
	if err != nil {
		return nil, err
	}
	if err := details(ctx, s.db.Read(), docs, all); err != nil {
		return nil, err
	}
	for _, d := range docs {
		out[d.ID] = d
	}
	return out, nil
}

// snippetText is how much of a file's text a snippet is looked for in.
const snippetText = 64 << 10

// texts reads the beginning of the readable text of documents' current files.
func (s *Service) texts(ctx context.Context, docs []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(docs) == 0 {
		return out, nil
	}
	ids := make([]any, len(docs))
	for i, id := range docs {
		ids[i] = id
	}
	// A text no longer in bytes than snippetText is read whole: PostgreSQL's
	// substr walks a text character by character (0.3 ms for 20 KB, most
	// of a search's time on the server), and octet_length reads only the
	// stored length.
	n := strconv.Itoa(snippetText)
	rows, err := s.db.Read().QueryContext(ctx, `SELECT f.document_id,
		CASE WHEN octet_length(t.text) <= `+n+` THEN t.text ELSE substr(t.text, 1, `+n+`) END
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

// ForActivity lists the documents p may see that serve a plan activity,
// newest first: the evidence of the plan's document indicators.
func (s *Service) ForActivity(ctx context.Context, p auth.Principal, code string) ([]Hit, error) {
	res, err := s.Search(ctx, p, SearchQuery{Activity: code, Limit: 100})
	return res.Hits, err
}

// Titles returns the titles of the documents among ids that p may see;
// the others are left out, as if they did not exist.
func (s *Service) Titles(ctx context.Context, p auth.Principal, ids []int64) (map[int64]string, error) {
	docs, err := s.documents(ctx, ids, false)
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for id, d := range docs {
		if d.VisibleTo(p) {
			out[id] = d.Title
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
	docs, err := readDocuments(ctx, s.db.Read(), query, args...)
	if err != nil {
		return nil, err
	}
	return docs, details(ctx, s.db.Read(), docs, true)
}

// readDocuments reads the documents a query selects (without their details).
func readDocuments(ctx context.Context, q querier, query string, args ...any) ([]Document, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errs.Wrap(err, "read documents")
	}
	defer rows.Close()
	docs := []Document{}
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, errs.Wrap(err, "read documents")
		}
		docs = append(docs, d)
	}
	return docs, errs.Wrap(rows.Err(), "read documents")
}
