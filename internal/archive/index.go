package archive

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"

	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/fulltext"
)

// The fields a document's terms are ranked by, best first, with their
// weights: a query word found in the title weighs 10, in the keywords
// (and species) 6, in the abstract (and authors, institutions) 3, among the
// body's main terms 2, elsewhere in the body 1. A document's score is the
// mean, over the words of the query, of the best field each is in. It is
// the same sum on both backends, so they rank alike.
var fields = []struct {
	name, prefix string
	weight       int
}{
	{"title", "t:", 10},
	{"keywords", "k:", 6},
	{"abstract", "a:", 3},
	{"topics", "m:", 2},
}

// bodyWeight is the weight of a word found only in the body.
const bodyWeight = 1

// Topics are how many of the body's most frequent terms (found at least
// minTopic times) count as its main terms.
const (
	topics   = 20
	minTopic = 3
)

// entry is what the index holds of a document: every term, and the terms
// of each ranked field, each once.
type entry struct {
	terms  []string
	fields [4][]string
}

// termSet collects terms once each, in order.
type termSet struct {
	seen map[string]bool
	list []string
}

func (t *termSet) add(term string) {
	if t.seen == nil {
		t.seen = map[string]bool{}
	}
	if !t.seen[term] {
		t.seen[term] = true
		t.list = append(t.list, term)
	}
}

// entryOf builds a document's index entry from its metadata, its species'
// names (names: code → names) and the text of its current files (from
// texts, by content hash, or else read).
func entryOf(ctx context.Context, q querier, d Document, names map[string][]string, texts map[string]string) (entry, error) {
	lang := d.Language
	var e entry
	counts := map[string]int{} // the body's terms
	meta := map[string]bool{}  // the metadata's
	field := func(i int, texts ...string) {
		var set termSet
		for _, text := range texts {
			fulltext.Terms(text, lang, func(t string) {
				set.add(t)
				meta[t] = true
			})
		}
		e.fields[i] = set.list
	}
	keywords := append([]string{}, d.Keywords...)
	for _, sp := range d.Species {
		keywords = append(keywords, names[sp]...)
	}
	about := append([]string{d.Abstract}, d.Authors...)
	for _, i := range d.Institutions {
		about = append(about, i.Name, i.Code)
	}
	field(0, d.Title)
	field(1, keywords...)
	field(2, about...)
	for _, f := range d.Files {
		if !f.Readable() {
			continue
		}
		text, ok := texts[f.SHA256]
		if !ok {
			if err := q.QueryRowContext(ctx, "SELECT text FROM archive_texts WHERE sha256 = $1", f.SHA256).Scan(&text); err != nil {
				return e, errs.Wrap(err, "index document")
			}
		}
		fulltext.Terms(text, lang, func(t string) { counts[t]++ })
	}
	e.fields[3] = mainTerms(counts)
	e.terms = make([]string, 0, len(counts)+len(meta))
	for t := range counts {
		e.terms = append(e.terms, t)
	}
	for t := range meta {
		if counts[t] == 0 {
			e.terms = append(e.terms, t)
		}
	}
	return e, nil
}

// speciesNames reads every species' code and names (Spanish, English,
// scientific), which index a document under its species.
func speciesNames(ctx context.Context, q querier) (map[string][]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT code, name_es, name_en, scientific_name FROM species")
	if err != nil {
		return nil, errs.Wrap(err, "read species")
	}
	defer rows.Close()
	names := map[string][]string{}
	for rows.Next() {
		var code, es, en, sci string
		if err := rows.Scan(&code, &es, &en, &sci); err != nil {
			return nil, errs.Wrap(err, "read species")
		}
		names[code] = []string{code, es, en, sci}
	}
	return names, errs.Wrap(rows.Err(), "read species")
}

// mainTerms are the most frequent terms of a body (not numbers), most
// frequent first, then in alphabetical order.
func mainTerms(counts map[string]int) []string {
	var list []string
	for t, n := range counts {
		if n >= minTopic && strings.IndexFunc(t, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			list = append(list, t)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if counts[list[i]] != counts[list[j]] {
			return counts[list[i]] > counts[list[j]]
		}
		return list[i] < list[j]
	})
	return list[:min(len(list), topics)]
}

// indexBatch collects the index entries of the documents a transaction
// changes and writes them together at its end: SQLite's FTS5 writes what it
// holds to disk at each statement, so one statement for many documents
// (a batch import) keeps its index in few, large segments.
type indexBatch struct {
	s       *Service
	ids     []int64
	entries []entry
	names   map[string][]string // species names, read once per batch
}

func (s *Service) newIndexBatch() *indexBatch { return &indexBatch{s: s} }

// add computes a document's entry, in tx (with the texts of its files that
// the caller has at hand); every indexRows entries are written at once.
func (b *indexBatch) add(ctx context.Context, tx *sql.Tx, d Document, texts map[string]string) error {
	if b.names == nil {
		var err error
		if b.names, err = speciesNames(ctx, tx); err != nil {
			return err
		}
	}
	e, err := entryOf(ctx, tx, d, b.names, texts)
	if err != nil {
		return err
	}
	if i := slices.Index(b.ids, d.ID); i >= 0 {
		b.entries[i] = e
		return nil
	}
	b.ids, b.entries = append(b.ids, d.ID), append(b.entries, e)
	if len(b.ids) >= indexRows {
		return b.flush(ctx, tx)
	}
	return nil
}

// indexRows is how many documents one statement writes (at most).
const indexRows = 100

// flush writes the entries, and raises the archive's generation.
func (b *indexBatch) flush(ctx context.Context, tx *sql.Tx) error {
	if len(b.ids) == 0 {
		return nil
	}
	var err error
	if b.s.db.Dialect == db.Postgres {
		err = writePostgres(ctx, tx, b.ids, b.entries)
	} else {
		err = writeSQLite(ctx, tx, b.ids, b.entries)
	}
	if err != nil {
		return errs.Wrap(err, "index documents")
	}
	b.ids, b.entries = nil, nil
	return bump(ctx, tx)
}

// writePostgres writes the entries as arrays of lexemes: array_to_tsvector
// takes them as they are, where a tsvector literal is parsed and unquoted on
// the server (about a fifth of what an entry costs there).
func writePostgres(ctx context.Context, tx *sql.Tx, ids []int64, entries []entry) error {
	var rows []string
	var termArgs, fieldArgs []any
	for i, e := range entries {
		// Not nil (nor is e.terms, made by entryOf): the driver would send
		// NULL for a nil slice, not an empty array.
		fieldTerms := []string{}
		for j, f := range fields {
			for _, t := range e.fields[j] {
				fieldTerms = append(fieldTerms, f.prefix+t)
			}
		}
		n := len(termArgs)
		rows = append(rows, fmt.Sprintf("($%d, array_to_tsvector($%d::text[]))", n+1, n+2))
		termArgs = append(termArgs, ids[i], e.terms)
		fieldArgs = append(fieldArgs, ids[i], fieldTerms)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO archive_search_terms (document_id, terms) VALUES "+strings.Join(rows, ", ")+
		" ON CONFLICT (document_id) DO UPDATE SET terms = excluded.terms", termArgs...); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO archive_search_fields (document_id, fields) VALUES "+strings.Join(rows, ", ")+
		" ON CONFLICT (document_id) DO UPDATE SET fields = excluded.fields", fieldArgs...)
	return err
}

func writeSQLite(ctx context.Context, tx *sql.Tx, ids []int64, entries []entry) error {
	in := make([]any, len(ids))
	for i, id := range ids {
		in[i] = id
	}
	for _, t := range []string{"archive_search_terms", "archive_search_fields"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t+" WHERE rowid IN ("+placeholders(1, len(ids))+")", in...); err != nil {
			return err
		}
	}
	var terms, fieldRows []string
	var termArgs, fieldArgs []any
	for i, e := range entries {
		n := len(termArgs)
		terms = append(terms, fmt.Sprintf("($%d, $%d)", n+1, n+2))
		termArgs = append(termArgs, ids[i], strings.Join(e.terms, " "))
		n = len(fieldArgs)
		fieldRows = append(fieldRows, fmt.Sprintf("($%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5))
		fieldArgs = append(fieldArgs, ids[i], strings.Join(e.fields[0], " "), strings.Join(e.fields[1], " "), strings.Join(e.fields[2], " "),
			strings.Join(e.fields[3], " "))
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO archive_search_terms (rowid, terms) VALUES "+strings.Join(terms, ", "), termArgs...); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO archive_search_fields (rowid, title, keywords, abstract, topics) VALUES "+strings.Join(fieldRows, ", "), fieldArgs...)
	return err
}

// unindex removes a document from the index (PostgreSQL's entries go with
// the document's row), and raises the archive's generation.
func (s *Service) unindex(ctx context.Context, tx *sql.Tx, id int64) error {
	if s.db.Dialect != db.Postgres {
		for _, t := range []string{"archive_search_terms", "archive_search_fields"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+t+" WHERE rowid = $1", id); err != nil {
				return errs.Wrap(err, "index document")
			}
		}
	}
	return bump(ctx, tx)
}

// lexemeQuotes escapes what a quoted lexeme cannot hold as it is.
var lexemeQuotes = strings.NewReplacer(`\`, `\\`, `'`, `''`)

// quoteLexeme quotes a lexeme for a tsquery literal.
func quoteLexeme(t string) string { return "'" + lexemeQuotes.Replace(t) + "'" }
