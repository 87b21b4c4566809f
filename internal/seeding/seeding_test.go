package seeding_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"sriim/data/seed"
	"sriim/internal/accounts"
	"sriim/internal/db"
	"sriim/internal/db/dbtest"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/seeding"
	"sriim/internal/trade"
)

func coldServices(d *db.DB, dir string) seeding.Services {
	return seeding.Services{Accounts: accounts.New(d), Reference: reference.New(d), Production: production.New(d),
		Planning: planning.New(d, filepath.Join(dir, "files")), Trade: trade.New(d)}
}

// TestConcurrentColdStarts starts 16 instances on one fresh database at
// once (as 16 processes would: each with its own connections): every one
// must start, and each dataset must be loaded once.
func TestConcurrentColdStarts(t *testing.T) {
	for _, dialect := range dbtest.Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			ctx := context.Background()
			dsn := dbtest.DSN(t, dialect)
			first, err := db.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer first.Close()
			if _, _, err := first.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			const instances = 16
			var wg sync.WaitGroup
			errs := make([]error, instances)
			for i := range instances {
				wg.Add(1)
				go func() {
					defer wg.Done()
					d, err := db.Open(ctx, dsn)
					if err != nil {
						errs[i] = err
						return
					}
					defer d.Close()
					errs[i] = seeding.Load(ctx, d, coldServices(d, t.TempDir()), log)
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("instance %d: %v", i, err)
				}
			}
			rows := func(file string) int {
				b, err := seed.Files.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				return len(recs) - 1
			}
			for table, want := range map[string]int{
				"plans": 1, "plan_activities": 61, "trade_batches": 1, "trade_published_shares": rows("trade-cuadro2.csv"),
				"production_observations": rows("production.csv"), "institutions": rows("institutions.csv"),
				"species": rows("species.csv"), "places": rows("places.csv"), "facts": rows("facts.csv"),
			} {
				var n int
				if err := first.Read().QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != want {
					t.Errorf("%s: %d rows, want %d (each dataset loaded once)", table, n, want)
				}
			}
		})
	}
}
