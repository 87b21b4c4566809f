package archive

import (
	"context"
	"database/sql"
	"encoding/binary"
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
var fields = []rankedField{
	{"title", "t:", 10},
	{"keywords", "k:", 6},
	{"abstract", "a:", 3},
	{"topics", "m:", 2},
}

// rankedField is a field documents are ranked by.
type rankedField struct {
	name, prefix string
	weight       int
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

// bodyTerms counts the terms of a text in a language: what a document's
// entry takes of each of its files.
func bodyTerms(text, lang string) map[string]int {
	counts := map[string]int{}
	fulltext.Terms(text, lang, func(t string) { counts[t]++ })
	return counts
}

// entryOf builds a document's index entry from its metadata, its species'
// names (names: code → names) and the terms of its current files' texts
// (from bodies, by content hash, counted in the document's language, or
// else read and counted).
func entryOf(ctx context.Context, q querier, d Document, names map[string][]string, bodies map[string]map[string]int) (entry, error) {
	lang := d.Language
	var e entry
	var counts map[string]int // the body's terms
	meta := map[string]bool{} // the metadata's
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
		body, ok := bodies[f.SHA256]
		if !ok {
			var text string
			if err := q.QueryRowContext(ctx, "SELECT text FROM archive_texts WHERE sha256 = $1", f.SHA256).Scan(&text); err != nil {
				return e, errs.Wrap(err, "index document")
			}
			body = bodyTerms(text, lang)
		}
		if counts == nil {
			counts = body // the document's only readable file, most often
			continue
		}
		for t, n := range body {
			counts[t] += n
		}
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
// changes and writes them together: SQLite's FTS5 writes what it holds to
// disk at each statement, so one statement for many documents (a batch
// import) keeps its index in few, large segments; PostgreSQL's index is
// written a segment at a time.
type indexBatch struct {
	s       *Service
	ids     []int64
	entries []entry
	names   map[string][]string // species names, read once per batch
}

func (s *Service) newIndexBatch() *indexBatch { return &indexBatch{s: s} }

// add computes a document's entry, in tx (with the terms of its files that
// the caller has counted already, see entryOf); the entries are written
// indexRows (or segmentDocs) at once.
func (b *indexBatch) add(ctx context.Context, tx *sql.Tx, d Document, bodies map[string]map[string]int) error {
	if b.names == nil {
		var err error
		if b.names, err = speciesNames(ctx, tx); err != nil {
			return err
		}
	}
	e, err := entryOf(ctx, tx, d, b.names, bodies)
	if err != nil {
		return err
	}
	if i := slices.Index(b.ids, d.ID); i >= 0 {
		b.entries[i] = e
		return nil
	}
	b.ids, b.entries = append(b.ids, d.ID), append(b.entries, e)
	limit := indexRows
	if b.s.db.Dialect == db.Postgres {
		limit = segmentDocs
	}
	if len(b.ids) >= limit {
		return b.flush(ctx, tx)
	}
	return nil
}

// indexRows is how many documents one statement writes (at most) on
// SQLite; segmentDocs, how many one segment of PostgreSQL's index holds at
// most when it is written (the larger, the fewer rows a document costs).
const (
	indexRows   = 100
	segmentDocs = 1000
)

// flush writes the entries, and raises the archive's generation first: the
// update of archive_state locks its row until the transaction ends, so that
// writers of the index (and PostgreSQL's merges of segments) take turns.
func (b *indexBatch) flush(ctx context.Context, tx *sql.Tx) error {
	if len(b.ids) == 0 {
		return nil
	}
	if err := bump(ctx, tx); err != nil {
		return err
	}
	var err error
	if b.s.db.Dialect == db.Postgres {
		err = writePostgres(ctx, tx, b.ids, b.entries)
	} else {
		err = writeSQLite(ctx, tx, b.ids, b.entries)
	}
	b.ids, b.entries = nil, nil
	return errs.Wrap(err, "index documents")
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

// writePostgres writes the entries as a new segment: one row per distinct
// term, listing the documents that hold it (a ranked field's terms also
// prefixed by the field, as "t:term"); then merges segments if there are
// enough of a size.
func writePostgres(ctx context.Context, tx *sql.Tx, ids []int64, entries []entry) error {
	var segment int64
	if err := tx.QueryRowContext(ctx, "INSERT INTO archive_search_segments DEFAULT VALUES RETURNING id").Scan(&segment); err != nil {
		return err
	}
	postings := map[string][]int64{}
	for i, e := range entries {
		for _, t := range e.terms {
			postings[t] = append(postings[t], ids[i])
		}
		for j, f := range fields {
			for _, t := range e.fields[j] {
				postings[f.prefix+t] = append(postings[f.prefix+t], ids[i])
			}
		}
	}
	terms := make([]string, 0, len(postings))
	for t := range postings {
		terms = append(terms, t)
	}
	lists := make([][]byte, len(terms))
	for i, t := range terms {
		slices.Sort(postings[t])
		lists[i] = encodeIDs(postings[t])
	}
	if err := writePostings(ctx, tx, segment, terms, lists); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO archive_search_docs (document_id, segment) SELECT unnest($1::bigint[]), $2
		ON CONFLICT (document_id) DO UPDATE SET segment = excluded.segment`, ids, segment); err != nil {
		return err
	}
	return mergeSegments(ctx, tx)
}

func writePostings(ctx context.Context, tx *sql.Tx, segment int64, terms []string, lists [][]byte) error {
	if len(terms) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO archive_search_postings (term, segment, ids)
		SELECT t, $2, i FROM unnest($1::text[], $3::bytea[]) AS u(t, i)`, terms, segment, lists)
	return err
}

// mergeFactor is how many segments of a size (a power of it) are merged
// into one: a document is merged again only as its segment grows as many
// times, and a term has at most mergeFactor-1 rows of each size to read.
const mergeFactor = 8

// mergeSegments drops the segments that no document counts in any more and
// merges segments of the same size, smallest first, while there are
// mergeFactor of one size.
func mergeSegments(ctx context.Context, tx *sql.Tx) error {
	for {
		rows, err := tx.QueryContext(ctx, `SELECT s.id, count(d.document_id) FROM archive_search_segments s
			LEFT JOIN archive_search_docs d ON d.segment = s.id GROUP BY s.id ORDER BY s.id`)
		if err != nil {
			return err
		}
		var empty []int64
		bySize := map[int][]int64{}
		for rows.Next() {
			var id int64
			var docs int
			if err := rows.Scan(&id, &docs); err != nil {
				rows.Close()
				return err
			}
			if docs == 0 {
				empty = append(empty, id)
				continue
			}
			size := 0
			for n := docs; n >= mergeFactor; n /= mergeFactor {
				size++
			}
			bySize[size] = append(bySize[size], id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := dropSegments(ctx, tx, empty); err != nil {
			return err
		}
		var merge []int64
		for size := 0; size <= 32 && merge == nil; size++ {
			if len(bySize[size]) >= mergeFactor {
				merge = bySize[size]
			}
		}
		if merge == nil {
			return nil
		}
		if err := mergeInto(ctx, tx, merge); err != nil {
			return err
		}
	}
}

// mergeInto writes the segments' postings of the documents that still count
// in them as one new segment, and deletes them.
func mergeInto(ctx context.Context, tx *sql.Tx, segments []int64) error {
	live := map[int64]int64{} // document → its segment
	rows, err := tx.QueryContext(ctx, "SELECT document_id, segment FROM archive_search_docs WHERE segment = ANY($1)", segments)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, segment int64
		if err := rows.Scan(&id, &segment); err != nil {
			rows.Close()
			return err
		}
		live[id] = segment
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var terms []string
	var lists [][]byte
	var term string
	var ids []int64
	add := func() {
		if len(ids) > 0 {
			slices.Sort(ids)
			terms, lists = append(terms, term), append(lists, encodeIDs(slices.Compact(ids)))
		}
		ids = ids[:0]
	}
	rows, err = tx.QueryContext(ctx, "SELECT term, segment, ids FROM archive_search_postings WHERE segment = ANY($1) ORDER BY term", segments)
	if err != nil {
		return err
	}
	for rows.Next() {
		var t string
		var segment int64
		var list []byte
		if err := rows.Scan(&t, &segment, &list); err != nil {
			rows.Close()
			return err
		}
		if t != term {
			add()
			term = t
		}
		decodeIDs(list, func(id int64) {
			if live[id] == segment {
				ids = append(ids, id)
			}
		})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	add()
	var merged int64
	if err := tx.QueryRowContext(ctx, "INSERT INTO archive_search_segments DEFAULT VALUES RETURNING id").Scan(&merged); err != nil {
		return err
	}
	if err := writePostings(ctx, tx, merged, terms, lists); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE archive_search_docs SET segment = $1 WHERE segment = ANY($2)", merged, segments); err != nil {
		return err
	}
	return dropSegments(ctx, tx, segments)
}

// dropSegments deletes segments and their postings.
func dropSegments(ctx context.Context, tx *sql.Tx, segments []int64) error {
	if len(segments) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM archive_search_postings WHERE segment = ANY($1)", segments); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "DELETE FROM archive_search_segments WHERE id = ANY($1)", segments)
	return err
}

// encodeIDs packs ascending ids as the varints of their differences.
func encodeIDs(ids []int64) []byte {
	out := make([]byte, 0, len(ids)*2)
	prev := int64(0)
	for _, id := range ids {
		out = binary.AppendUvarint(out, uint64(id-prev))
		prev = id
	}
	return out
}

// decodeIDs calls fn with each id encodeIDs packed, and stops at a byte it
// cannot read.
func decodeIDs(b []byte, fn func(id int64)) {
	id := int64(0)
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 {
			return
		}
		id += int64(d)
		fn(id)
		b = b[n:]
	}
}

// unindex removes a document from the index (and raises the archive's
// generation). PostgreSQL's postings of it are left to the next merge.
func (s *Service) unindex(ctx context.Context, tx *sql.Tx, id int64) error {
	stmts := []string{"DELETE FROM archive_search_docs WHERE document_id = $1"}
	if s.db.Dialect != db.Postgres {
		stmts = []string{"DELETE FROM archive_search_terms WHERE rowid = $1", "DELETE FROM archive_search_fields WHERE rowid = $1"}
	}
	for _, stmt := range stmts {
		if _, err := tx.ExecContext(ctx, stmt, id); err != nil {
			return errs.Wrap(err, "index document")
		}
	}
	return bump(ctx, tx)
}

// Repair indexes the documents that have no entry in PostgreSQL's index:
// after migration 00025 rebuilt its tables, every document. It is one
// query when there are none; app runs it at start.
func (s *Service) Repair(ctx context.Context) (int, error) {
	if s.db.Dialect != db.Postgres {
		return 0, nil // SQLite's index is as it was
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id FROM archive_documents d
		WHERE NOT EXISTS (SELECT 1 FROM archive_search_docs x WHERE x.document_id = d.id) ORDER BY id`)
	if err != nil {
		return 0, errs.Wrap(err, "read documents")
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, errs.Wrap(err, "read documents")
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return 0, errs.Wrap(err, "read documents")
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		ix := s.newIndexBatch()
		for _, id := range ids {
			d, err := getDocument(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := ix.add(ctx, tx, d, nil); err != nil {
				return err
			}
		}
		return ix.flush(ctx, tx)
	})
	return len(ids), err
}
