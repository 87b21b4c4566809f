package exports_test

import (
	"bytes"
	"os"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/exports"
)

// BenchmarkImport imports the file EXPORTS_BENCH_FILE names (made by
// bench/exports/gen) into a new SQLite database.
func BenchmarkImport(b *testing.B) {
	name := os.Getenv("EXPORTS_BENCH_FILE")
	if name == "" {
		b.Skip("EXPORTS_BENCH_FILE is not set")
	}
	data, err := os.ReadFile(name)
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		d := dbtest.Open(b, db.SQLite)
		svc := exports.New(d)
		batch, err := svc.Start(ctx, editor, "bench.csv", "")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.Import(ctx, editor, batch, bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
