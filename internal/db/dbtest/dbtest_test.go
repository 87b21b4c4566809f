package dbtest

import (
	"context"
	"database/sql"
	"testing"

	"sriim/internal/db"
)

func metaValue(t *testing.T, d *db.DB, key string) string {
	t.Helper()
	var v string
	if err := d.Read().QueryRowContext(context.Background(), "SELECT COALESCE(MAX(value), '') FROM meta WHERE key = $1", key).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func setMeta(t *testing.T, d *db.DB, key, value string) {
	t.Helper()
	err := d.Tx(context.Background(), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(context.Background(), "INSERT INTO meta (key, value) VALUES ($1, $2)", key, value)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Databases copied from the template are migrated and apart: what one
// test writes, another does not see.
func TestOpenGivesEachTestItsOwnMigratedDatabase(t *testing.T) {
	for _, dialect := range Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			a, b := Open(t, dialect), Open(t, dialect)
			for _, d := range []*db.DB{a, b} {
				v, err := db.SchemaVersion(context.Background(), d.Read())
				if known, _ := d.KnownVersion(); err != nil || v != known {
					t.Fatalf("schema version %d (%v), want %d", v, err, known)
				}
			}
			setMeta(t, a, "dbtest", "a")
			if got := metaValue(t, b, "dbtest"); got != "" {
				t.Fatalf("b sees a's write: %q", got)
			}
		})
	}
}

// Cached fills once and gives later databases what the fill left, and
// the fill's value; what a test writes after does not reach the next.
func TestCachedFillsOnceAndCopies(t *testing.T) {
	for _, dialect := range Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			fills := 0
			fill := func(d *db.DB) func() (string, error) {
				return func() (string, error) {
					fills++
					setMeta(t, d, "filled", "yes")
					return "value", nil
				}
			}
			key := "dbtest." + string(dialect)
			for i := range 3 {
				d := Open(t, dialect)
				if v := Cached(t, d, key, fill(d)); v != "value" {
					t.Fatalf("call %d: value %q", i, v)
				}
				if got := metaValue(t, d, "filled"); got != "yes" {
					t.Fatalf("call %d: the database lacks the fill's row (%q)", i, got)
				}
				setMeta(t, d, "test", "written after")
			}
			if want := map[db.Dialect]int{db.SQLite: 1, db.Postgres: 3}[dialect]; fills != want {
				t.Fatalf("filled %d times, want %d", fills, want)
			}
		})
	}
}
