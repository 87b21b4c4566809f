package archive

import (
	"context"
	"database/sql"
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
// names and the text of its current files.
func entryOf(ctx context.Context, q querier, d Document) (entry, error) {
	lang := d.Language
	var all termSet
	var e entry
	field := func(i int, texts ...string) {
		var set termSet
		for _, text := range texts {
			fulltext.Terms(text, lang, func(t string) {
				set.add(t)
				all.add(t)
			})
		}
		e.fields[i] = set.list
	}
	keywords := append([]string{}, d.Keywords...)
	if len(d.Species) > 0 {
		rows, err := q.QueryContext(ctx, "SELECT code, name_es, name_en, scientific_name FROM species WHERE code IN ("+placeholders(1, len(d.Species))+")",
			anySlice(d.Species)...)
		if err != nil {
			return e, errs.Wrap(err, "index document")
		}
		for rows.Next() {
			var code, es, en, sci string
			if err := rows.Scan(&code, &es, &en, &sci); err != nil {
				rows.Close()
				return e, errs.Wrap(err, "index document")
			}
			keywords = append(keywords, code, es, en, sci)
		}
		rows.Close()
	}
	about := append([]string{d.Abstract}, d.Authors...)
	for _, i := range d.Institutions {
		about = append(about, i.Name, i.Code)
	}
	field(0, d.Title)
	field(1, keywords...)
	field(2, about...)
	counts := map[string]int{}
	for _, f := range d.Files {
		if !f.Readable() {
			continue
		}
		var text string
		if err := q.QueryRowContext(ctx, "SELECT text FROM archive_texts WHERE sha256 = $1", f.SHA256).Scan(&text); err != nil {
			return e, errs.Wrap(err, "index document")
		}
		fulltext.Terms(text, lang, func(t string) {
			counts[t]++
			all.add(t)
		})
	}
	e.fields[3] = mainTerms(counts)
	e.terms = all.list
	return e, nil
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

func anySlice(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

// index writes a document's entry in the search index (inside tx, with the
// change that calls for it).
func (s *Service) index(ctx context.Context, tx *sql.Tx, d Document) error {
	e, err := entryOf(ctx, tx, d)
	if err != nil {
		return err
	}
	if s.db.Dialect == db.Postgres {
		var fieldTerms []string
		for i, f := range fields {
			for _, t := range e.fields[i] {
				fieldTerms = append(fieldTerms, f.prefix+t)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO archive_search (document_id, terms, fields) VALUES ($1, $2::tsvector, $3::tsvector)
			ON CONFLICT (document_id) DO UPDATE SET terms = excluded.terms, fields = excluded.fields`,
			d.ID, tsvector(e.terms), tsvector(fieldTerms))
		return errs.Wrap(err, "index document")
	}
	if err := s.unindex(ctx, tx, d.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO archive_search_terms (rowid, terms) VALUES ($1, $2)", d.ID, strings.Join(e.terms, " ")); err != nil {
		return errs.Wrap(err, "index document")
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO archive_search_fields (rowid, title, keywords, abstract, topics) VALUES ($1, $2, $3, $4, $5)",
		d.ID, strings.Join(e.fields[0], " "), strings.Join(e.fields[1], " "), strings.Join(e.fields[2], " "), strings.Join(e.fields[3], " "))
	return errs.Wrap(err, "index document")
}

// unindex removes a document from the index (PostgreSQL's entry goes with
// the document's row).
func (s *Service) unindex(ctx context.Context, tx *sql.Tx, id int64) error {
	if s.db.Dialect == db.Postgres {
		return nil
	}
	for _, t := range []string{"archive_search_terms", "archive_search_fields"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t+" WHERE rowid = $1", id); err != nil {
			return errs.Wrap(err, "index document")
		}
	}
	return nil
}

// tsvector writes terms as a tsvector literal of bare lexemes: no
// positions, and no parser between the terms and the index.
func tsvector(terms []string) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteLexeme(t))
	}
	return b.String()
}

// quoteLexeme quotes a lexeme for a tsvector or tsquery literal.
func quoteLexeme(t string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(t) + "'"
}
