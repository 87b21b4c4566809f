// Package seeding loads the seed plan's datasets (data/seed) into a
// database, each once: a loaded dataset is marked in the meta table, so that
// later edits by people are never undone by a restart.
package seeding

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"

	"sriim/data/seed"
	"sriim/internal/accounts"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/trade"
	"sriim/internal/zones"
)

// Owner is the institution that keeps the seed's statistics: the regional
// production office (DIREPRO Ilo).
const Owner = "DIREPRO-ILO"

// Services are the modules that hold seed data.
type Services struct {
	Accounts   *accounts.Service
	Reference  *reference.Service
	Production *production.Service
	Planning   *planning.Service
	Trade      *trade.Service
	Zones      *zones.Service
}

// errSkip is a dataset's answer when its module is not built (tests that
// build a few modules): it stays unloaded for the next start.
var errSkip = errors.New("module not built")

// Load loads every dataset not loaded yet, in dependency order.
func Load(ctx context.Context, d *db.DB, s Services, log *slog.Logger) error {
	datasets := []struct {
		file string
		load func(r *bytes.Reader) (int, error)
	}{
		{"institutions.csv", func(r *bytes.Reader) (int, error) { return s.Accounts.LoadInstitutions(ctx, r) }},
		{"species.csv", func(r *bytes.Reader) (int, error) { return s.Reference.LoadSpecies(ctx, r) }},
		{"places.csv", func(r *bytes.Reader) (int, error) { return s.Reference.LoadPlaces(ctx, r) }},
		{"production.csv", func(r *bytes.Reader) (int, error) {
			owner, err := s.Accounts.InstitutionByCode(ctx, Owner)
			if err != nil {
				return 0, err
			}
			return s.Production.LoadSeed(ctx, r, owner.ID)
		}},
		{"plan-pop-moluscos.json", func(r *bytes.Reader) (int, error) {
			f, err := planning.ReadFile(r)
			if err != nil {
				return 0, err
			}
			p, err := s.Planning.Import(ctx, auth.System, f)
			return int(p.ID), err
		}},
		{"trade-cuadro3.csv", func(r *bytes.Reader) (int, error) {
			b, err := s.Trade.Start(ctx, auth.System, trade.FormatSRIIM, "seed: trade-cuadro3.csv",
				"PROMPEX, via Plan Operativo de Moluscos (MINCETUR 2006), 2.5.1, Cuadro 3 (thousands of US$, here in US$; 'Otros' as partner 899)")
			if err != nil {
				return 0, err
			}
			b, err = s.Trade.Import(ctx, auth.System, b, r)
			return int(b.Rows), err
		}},
		{"trade-cuadro2.csv", func(r *bytes.Reader) (int, error) { return s.Trade.LoadPublishedShares(ctx, r) }},
		{"zones-landing-sites.geojson", func(r *bytes.Reader) (int, error) {
			if s.Zones == nil {
				return 0, errSkip
			}
			owner, err := s.Accounts.InstitutionByCode(ctx, Owner)
			if err != nil {
				return 0, err
			}
			return s.Zones.LoadSeed(ctx, r, owner.ID)
		}},
	}
	for _, ds := range datasets {
		key := "seed." + ds.file
		loaded, err := MetaValue(ctx, d, key)
		if err != nil {
			return err
		}
		if loaded != "" {
			continue
		}
		b, err := seed.Files.ReadFile(ds.file)
		if err != nil {
			return err
		}
		n, err := ds.load(bytes.NewReader(b))
		if errors.Is(err, errSkip) {
			continue
		}
		if err != nil {
			return fmt.Errorf("seed %s: %w", ds.file, err)
		}
		if err := SetMeta(ctx, d, key, "loaded"); err != nil {
			return err
		}
		log.Info("seed data loaded", "dataset", ds.file, "rows", n)
	}
	return nil
}

// MetaValue reads a value of the meta table ("" when absent).
func MetaValue(ctx context.Context, d *db.DB, key string) (string, error) {
	var v string
	err := d.Read().QueryRowContext(ctx, "SELECT value FROM meta WHERE key = $1", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetMeta records a value unless one is there already (first writer wins,
// which is what instances starting together need).
func SetMeta(ctx context.Context, d *db.DB, key, value string) error {
	return d.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", key, value)
		return err
	})
}
