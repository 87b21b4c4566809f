package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// TestMigrationTreesDefineTheSameSchema applies the SQLite and the
// PostgreSQL migration trees to fresh databases and compares what they
// define: the same tables, the same columns in each, the same indexes on the
// same columns (types differ by dialect and are not compared; the indexes
// behind primary keys and UNIQUE constraints are named by each engine and
// are left out). A full-text index is each engine's own (FTS5 virtual
// tables on SQLite, posting lists by segment on PostgreSQL): only which
// module it serves is compared (fullTextOf). A step written for one dialect
// only fails here.
func TestMigrationTreesDefineTheSameSchema(t *testing.T) {
	if len(dbtest.Backends()) < 2 {
		t.Skip("SRIIM_TEST_POSTGRES is not set")
	}
	lite := schemaOf(t, db.SQLite)
	pg := schemaOf(t, db.Postgres)
	for _, line := range lite {
		if !slices.Contains(pg, line) {
			t.Errorf("only SQLite has %s", line)
		}
	}
	for _, line := range pg {
		if !slices.Contains(lite, line) {
			t.Errorf("only PostgreSQL has %s", line)
		}
	}
	if len(lite) < 100 {
		t.Fatalf("the catalogue lists only %d items: %q", len(lite), lite)
	}
}

// fullTextOf names the module each full-text table serves: SQLite's FTS5
// virtual tables, and the tables of PostgreSQL's own index.
var fullTextOf = map[string]string{
	"archive_search_terms":    "archive",
	"archive_search_fields":   "archive",
	"archive_search_postings": "archive",
	"archive_search_segments": "archive",
	"archive_search_docs":     "archive",
}

// schemaOf lists a freshly migrated database's tables ("table t"), columns
// ("column t.c") and indexes ("index i on t(c1,c2)"; an expression is
// "expr"), sorted, with the full-text tables only as the module they serve
// ("full-text index of m").
func schemaOf(t *testing.T, dialect db.Dialect) []string {
	t.Helper()
	d := dbtest.Open(t, dialect)
	ctx := context.Background()
	conn := d.Read()
	var out []string
	rows := func(query string, args ...any) [][]string {
		t.Helper()
		rs, err := conn.QueryContext(ctx, query, args...)
		if err != nil {
			t.Fatalf("%s: %v", dialect, err)
		}
		defer rs.Close()
		cols, _ := rs.Columns()
		var got [][]string
		for rs.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := make([]string, len(vals))
			for i, v := range vals {
				row[i] = v.String
			}
			got = append(got, row)
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	var tables [][]string
	var fullText []string
	if dialect == db.SQLite {
		for _, v := range rows(`SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'`) {
			if fullTextOf[v[0]] == "" {
				t.Errorf("the virtual table %s is not in fullTextOf", v[0])
			}
			fullText = append(fullText, v[0])
		}
		// A full-text table's shadow tables belong to its engine.
		tables = rows(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
			AND name NOT IN (SELECT m.name FROM sqlite_master m JOIN sqlite_master v ON v.type = 'table' AND v.sql LIKE 'CREATE VIRTUAL TABLE%'
				AND m.name LIKE v.name || '_%' AND m.name <> v.name)`)
	} else {
		tables = rows(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
		for _, tb := range tables {
			if fullTextOf[tb[0]] != "" {
				fullText = append(fullText, tb[0])
			}
		}
	}
	for _, tb := range tables {
		name := tb[0]
		if slices.Contains(fullText, name) {
			if line := "full-text index of " + fullTextOf[name]; !slices.Contains(out, line) {
				out = append(out, line)
			}
			continue
		}
		out = append(out, "table "+name)
		var cols [][]string
		if dialect == db.SQLite {
			cols = rows(`SELECT name FROM pragma_table_info($1)`, name)
		} else {
			cols = rows(`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`, name)
		}
		for _, c := range cols {
			out = append(out, "column "+name+"."+c[0])
		}
	}
	if dialect == db.SQLite {
		for _, ix := range rows(`SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'`) {
			var cols []string
			for _, c := range rows(`SELECT coalesce(name, 'expr') FROM pragma_index_info($1) ORDER BY seqno`, ix[0]) {
				cols = append(cols, c[0])
			}
			if !slices.Contains(fullText, ix[1]) {
				out = append(out, fmt.Sprintf("index %s on %s(%s)", ix[0], ix[1], strings.Join(cols, ",")))
			}
		}
	} else {
		for _, ix := range rows(`SELECT i.relname, t.relname,
				(SELECT string_agg(coalesce(a.attname, 'expr'), ',' ORDER BY k.ord)
				 FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
				 LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum)
			FROM pg_index x
			JOIN pg_class i ON i.oid = x.indexrelid
			JOIN pg_class t ON t.oid = x.indrelid
			JOIN pg_namespace n ON n.oid = t.relnamespace
			WHERE n.nspname = current_schema()
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`) {
			if !slices.Contains(fullText, ix[1]) {
				out = append(out, fmt.Sprintf("index %s on %s(%s)", ix[0], ix[1], ix[2]))
			}
		}
	}
	slices.Sort(out)
	return out
}
