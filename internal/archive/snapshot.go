package archive

import (
	"context"
	"database/sql"
	"slices"
	"strconv"

	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
)

// A search asks the database only which documents hold the query's words
// (the full-text index) and in which ranked fields; who may see them, the
// facets, the filters and the order are worked out here, from a snapshot of
// every document's facets kept in memory (a few dozen bytes a document).
// Counting facets over thousands of matches in Go takes a millisecond; in
// SQL it is a join per match. Each instance reloads its snapshot when the
// archive's generation (archive_state) has moved, which every write raises.

// facts is what a search needs of a document besides its text.
type facts struct {
	kind         string
	year         int
	yearText     string // the year as its facet counts it
	access       string
	keeper       int64
	institutions []int64  // the linked institutions it names
	codes        []string // their codes, for the facet
	species      []string
	activities   []string
	segment      int64 // where PostgreSQL's index holds its terms
}

// visible is the one rule of who sees a document (Document.VisibleTo and
// the searches apply it): public ones everyone; those for the signed-in,
// anyone signed in; an institution's, its members (the institution that
// keeps it, or one it names) and the administrators.
func visible(p auth.Principal, access string, keeper int64, institutions []int64) bool {
	switch {
	case access == "public" || p.Role == auth.Admin:
		return true
	case p.Anonymous():
		return false
	case access == "signed_in":
		return true
	}
	if keeper != 0 && slices.Contains(p.Institutions, keeper) {
		return true
	}
	for _, id := range institutions {
		if slices.Contains(p.Institutions, id) {
			return true
		}
	}
	return false
}

type snapshot struct {
	generation int64
	docs       map[int64]*facts
	ids        []int64 // every document, ascending
}

// bump raises the archive's generation, in the transaction of a change.
func bump(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "UPDATE archive_state SET generation = generation + 1 WHERE id = 1")
	return errs.Wrap(err, "save document")
}

// current returns the snapshot of the archive's present generation.
func (s *Service) current(ctx context.Context) (*snapshot, error) {
	var gen int64
	if err := s.db.Read().QueryRowContext(ctx, "SELECT generation FROM archive_state WHERE id = 1").Scan(&gen); err != nil {
		return nil, errs.Wrap(err, "read archive state")
	}
	if snap := s.snap.Load(); snap != nil && snap.generation == gen {
		return snap, nil
	}
	s.snapMu.Lock()
	defer s.snapMu.Unlock()
	if snap := s.snap.Load(); snap != nil && snap.generation == gen {
		return snap, nil
	}
	// Read after the generation: if a change commits meanwhile, this
	// snapshot holds it already, and the next search loads it again.
	snap := &snapshot{generation: gen, docs: map[int64]*facts{}}
	q := s.db.Read()
	documentsQuery := "SELECT id, kind, year, access, institution_id, 0 FROM archive_documents ORDER BY id"
	if s.db.Dialect == db.Postgres {
		documentsQuery = `SELECT d.id, d.kind, d.year, d.access, d.institution_id, coalesce(x.segment, 0)
			FROM archive_documents d LEFT JOIN archive_search_docs x ON x.document_id = d.id ORDER BY d.id`
	}
	for _, part := range []struct {
		query string
		add   func(rows *sql.Rows) error
	}{
		{documentsQuery, func(rows *sql.Rows) error {
			var id int64
			var f facts
			var keeper sql.NullInt64
			err := rows.Scan(&id, &f.kind, &f.year, &f.access, &keeper, &f.segment)
			f.keeper, f.yearText = keeper.Int64, strconv.Itoa(f.year)
			snap.docs[id] = &f
			snap.ids = append(snap.ids, id)
			return err
		}},
		{`SELECT di.document_id, i.id, i.code FROM archive_document_institutions di JOIN institutions i ON i.id = di.institution_id
			ORDER BY di.document_id, di.position`, func(rows *sql.Rows) error {
			var id, inst int64
			var code string
			err := rows.Scan(&id, &inst, &code)
			if f := snap.docs[id]; f != nil && !slices.Contains(f.codes, code) {
				f.institutions, f.codes = append(f.institutions, inst), append(f.codes, code)
			}
			return err
		}},
		{"SELECT document_id, species FROM archive_document_species", func(rows *sql.Rows) error {
			var id int64
			var sp string
			err := rows.Scan(&id, &sp)
			if f := snap.docs[id]; f != nil {
				f.species = append(f.species, sp)
			}
			return err
		}},
		{"SELECT document_id, activity_code FROM archive_document_activities", func(rows *sql.Rows) error {
			var id int64
			var a string
			err := rows.Scan(&id, &a)
			if f := snap.docs[id]; f != nil {
				f.activities = append(f.activities, a)
			}
			return err
		}},
	} {
		rows, err := q.QueryContext(ctx, part.query)
		if err != nil {
			return nil, errs.Wrap(err, "read archive")
		}
		for rows.Next() {
			if err := part.add(rows); err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "read archive")
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "read archive")
		}
	}
	s.snap.Store(snap)
	return snap, nil
}
