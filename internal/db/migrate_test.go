package db_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"reflect"
	"testing"

	"sriim/data/seed"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// TestSeriesMigrationKeepsTheFlows migrates a database holding trade flows
// as rows (version 9) to series (version 10): the trade_flows view shows the
// same figures (each with its own flag), and each series' sums are its World
// figure and the sum of its partner figures.
func TestSeriesMigrationKeepsTheFlows(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range dbtest.Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			d, err := db.Open(ctx, dbtest.DSN(t, dialect))
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if err := d.MigrateUpTo(ctx, 9); err != nil {
				t.Fatal(err)
			}
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := d.Write().ExecContext(ctx, q, args...); err != nil {
					t.Fatal(err)
				}
			}
			exec(`INSERT INTO trade_batches (id, format, name, state, created_by, created_at) VALUES
				(1, 'sriim', 'a.csv', 'done', 'mesa', CURRENT_TIMESTAMP), (2, 'sriim', 'b.csv', 'done', 'mesa', CURRENT_TIMESTAMP)`)
			insert := `INSERT INTO trade_flows (batch_id, reporter, partner, partner2, flow, classification, commodity, year, month,
				value_usd, value_basis, net_weight_kg, qty, qty_unit, flag) VALUES ($1, $2, $3, 0, 'import', 'H2', '030799', 2004, $4, $5, 'cif', $6, NULL, '', $7)`
			exec(insert, 1, 392, 0, 0, 250.5, nil, "")
			exec(insert, 1, 392, 604, 0, 200.25, 10.0, "")
			exec(insert, 1, 392, 170, 0, 4.5, nil, "X") // a flag unlike its series' others
			exec(insert, 2, 392, 152, 0, 50.25, nil, "E")
			exec(insert, 1, 392, 604, 3, 7.0, nil, `"q"`)
			exec(insert, 1, 156, 604, 0, 1e21, nil, "")
			const flows = `SELECT batch_id, reporter, partner, month, value_usd, COALESCE(net_weight_kg, -1), flag FROM trade_flows
				ORDER BY batch_id, reporter, month, partner`
			before := rowsOf(t, d.Write(), flows)
			if _, _, err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if after := rowsOf(t, d.Write(), flows); !reflect.DeepEqual(after, before) {
				t.Fatalf("flows after the migration:\n%v\nbefore:\n%v", after, before)
			}
			sums := rowsOf(t, d.Write(), `SELECT batch_id, reporter, month, COALESCE(world_usd, -1), partner_usd FROM trade_series
				ORDER BY batch_id, reporter, month`)
			want := [][]string{{"1", "156", "0", "-1", "1e+21"}, {"1", "392", "0", "250.5", "204.75"}, {"1", "392", "3", "-1", "7"}, {"2", "392", "0", "-1", "50.25"}}
			if !reflect.DeepEqual(sums, want) {
				t.Fatalf("series sums %v, want %v", sums, want)
			}
		})
	}
}

// rowsOf returns a query's rows as text.
func rowsOf(t *testing.T, d *sql.DB, q string) [][]string {
	t.Helper()
	rows, err := d.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			if f, ok := v.(float64); ok {
				row[i] = fmt.Sprint(f)
			} else {
				row[i] = fmt.Sprintf("%v", v)
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSpeciesSourcesMigration: a database seeded before version 12 cites
// the species' sources as the seed file now does (FAO's ASFIS list and the
// plan by name), not an internal design note.
func TestSpeciesSourcesMigration(t *testing.T) {
	ctx := context.Background()
	want := map[string]string{}
	f, err := seed.Files.Open("species.csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs[1:] {
		want[rec[0]] = rec[6]
	}
	for _, dialect := range dbtest.Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			d, err := db.Open(ctx, dbtest.DSN(t, dialect))
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if err := d.MigrateUpTo(ctx, 11); err != nil {
				t.Fatal(err)
			}
			old := map[string]string{
				"SNE": "FAO ASFIS 3-alpha code as listed in DESIGN.md; names from the seed (2.1)",
				"CHQ": "FAO ASFIS 3-alpha code as listed in DESIGN.md; the seed (2.4.1) writes Stramonita chocolata",
				"SQU": `FAO ASFIS 3-alpha code of "Various squids nei": the seed (2.1 Producción Nacional) names "calamar" without a species`,
			}
			for code, source := range old {
				if _, err := d.Write().ExecContext(ctx, "INSERT INTO species (code, kind, name_es, source) VALUES ($1, 'species', $1, $2)", code, source); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for _, row := range rowsOf(t, d.Write(), "SELECT code, source FROM species ORDER BY code") {
				if row[1] != want[row[0]] {
					t.Errorf("%s: source %q, want the seed file's %q", row[0], row[1], want[row[0]])
				}
			}
		})
	}
}
