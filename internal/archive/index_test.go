package archive_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"sriim/internal/archive"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// The index follows every change: documents added one at a time (each its
// own segment on PostgreSQL, merged as they pile up), new versions of
// their files, deletions. What a search finds is what the documents hold
// now, never what they held.
func TestIndexFollowsChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		found := func(q string) int {
			t.Helper()
			res, err := f.svc.Search(ctx, f.anon, archive.SearchQuery{Q: q})
			if err != nil {
				t.Fatal(err)
			}
			return res.Total
		}
		var docs []archive.Document
		for i := range 20 {
			docs = append(docs, f.create(t, f.direpro, archive.Input{Title: fmt.Sprintf("Documento %d", i)},
				text(fmt.Sprintf("Cultivo de molusco en la parcela%02d.", i))))
		}
		for _, doc := range docs[:5] {
			if _, err := f.svc.AddFile(ctx, f.direpro, doc.ID, 1, text("Cultivo de molusco revisado.")); err != nil {
				t.Fatal(err)
			}
		}
		for _, doc := range docs[10:13] {
			doc, err := f.svc.Document(ctx, f.direpro, doc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.Delete(ctx, f.direpro, doc.ID, doc.Version); err != nil {
				t.Fatal(err)
			}
		}
		for q, want := range map[string]int{"molusco": 17, "revisado": 5, "parcela03": 0, "parcela07": 1, "parcela11": 0, "molusco parcela15": 1} {
			if got := found(q); got != want {
				t.Errorf("search for %q finds %d documents, want %d", q, got, want)
			}
		}
		if d.Dialect == db.Postgres {
			// 25 writes, 25 segments written: merged as they came.
			var segments int
			if err := d.Read().QueryRowContext(ctx, "SELECT count(*) FROM archive_search_segments").Scan(&segments); err != nil || segments >= 8 {
				t.Errorf("%d segments (%v), want them merged", segments, err)
			}
			var orphans int
			if err := d.Read().QueryRowContext(ctx, `SELECT count(*) FROM archive_search_postings p
				WHERE NOT EXISTS (SELECT 1 FROM archive_search_segments s WHERE s.id = p.segment)`).Scan(&orphans); err != nil || orphans != 0 {
				t.Errorf("%d postings of merged segments left (%v)", orphans, err)
			}
		}
	})
}

// Documents without an entry in PostgreSQL's index (every document, after
// the migration that rebuilt the index's tables) are indexed by Repair,
// once. SQLite's index needs no repair.
func TestRepairIndexesDocumentsWithoutEntry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		f.corpus(t)
		if d.Dialect != db.Postgres {
			if n, err := f.svc.Repair(ctx); err != nil || n != 0 {
				t.Errorf("repair on SQLite: %d documents, %v", n, err)
			}
			return
		}
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			for _, stmt := range []string{"DELETE FROM archive_search_docs", "DELETE FROM archive_search_segments", "DELETE FROM archive_search_postings",
				"UPDATE archive_state SET generation = generation + 1"} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := f.svc.Search(ctx, f.anon, archive.SearchQuery{Q: "exportaciones"}); err != nil || res.Total != 0 {
			t.Fatalf("before the repair: %d found, %v", res.Total, err)
		}
		if n, err := f.svc.Repair(ctx); err != nil || n != 5 {
			t.Fatalf("repair: %d documents, %v; want 5", n, err)
		}
		res, err := f.svc.Search(ctx, f.anon, archive.SearchQuery{Q: "exportaciones"})
		if err != nil || res.Total != 2 || res.Hits[0].Score != 10 {
			t.Errorf("after the repair: %+v, %v", res, err)
		}
		if n, err := f.svc.Repair(ctx); err != nil || n != 0 {
			t.Errorf("a second repair: %d documents, %v; want none", n, err)
		}
	})
}
