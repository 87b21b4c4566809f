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
	"sriim/internal/actors"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/exports"
	"sriim/internal/facts"
	"sriim/internal/indicators"
	"sriim/internal/offer"
	"sriim/internal/planning"
	"sriim/internal/prices"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/regulation"
	"sriim/internal/trade"
	"sriim/internal/workdays"
	"sriim/internal/zones"
)

// Owner is the institution that keeps the seed's statistics: the regional
// production office (DIREPRO Ilo).
const Owner = "DIREPRO-ILO"

// Cuadro 3's source, and its contradiction with the seed's text, said
// beside its figures. Its "Otros" rows are other countries; each block's
// printed total is its World row, kept beside the sum of its cells.
const (
	cuadro3Source = "PROMPEX, en Plan Operativo de Moluscos (MINCETUR 2006), 2.5.1 Exportaciones Nacionales, Cuadro 3 " +
		"(miles de US$, aquí en US$; «Otros»: otros países; el total de cada bloque es el total publicado)"
	cuadro3Note = "El texto del plan contradice al cuadro: la sección 2.4.2 y la primera frase de 2.5.1 atribuyen cada bloque " +
		"del Cuadro 3 a la otra presentación («En el año 2005 se exportó por un valor de 6 millones de dólares en la presentación " +
		"de preparados y conservados. Las exportaciones de congelados o secos salados llegaron a 4.9 millones de dólares»; " +
		"y en 2.4.2 Japón, Taiwán, Hong Kong y China como destinos de los congelados, Taiwán (87%), Estados Unidos (7%) y " +
		"Singapur (4%) de las conservas), mientras que el cuadro pone 5,991 miles de US$ de 2005 en los locos secos, salados, " +
		"congelados y 4,908 en las almejas, locos y machas preparados o conservados, como el resto de 2.5.1. SRIIM sigue el cuadro."
)

// Services are the modules that hold seed data (Actors and Offer: the
// demonstration dataset's). Without Indicators the plan's indicators are
// left unbound.
type Services struct {
	Accounts   *accounts.Service
	Reference  *reference.Service
	Production *production.Service
	Planning   *planning.Service
	Trade      *trade.Service
	Actors     *actors.Service
	Offer      *offer.Service
	Zones      *zones.Service
	Indicators *indicators.Service
}

// errSkip is a dataset's answer when its module is not built (tests that
// build a few modules): it stays unloaded for the next start.
var errSkip = errors.New("module not built")

// Load loads every dataset not loaded yet, in dependency order.
func Load(ctx context.Context, d *db.DB, s Services, log *slog.Logger) error {
	type dataset struct {
		file string
		load func(r *bytes.Reader) (int, error)
	}
	datasets := []dataset{
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
			b, err := s.Trade.Start(ctx, auth.System, trade.FormatSRIIM, "seed: trade-cuadro3.csv", cuadro3Source)
			if err != nil {
				return 0, err
			}
			if b, err = s.Trade.Import(ctx, auth.System, b, r); err != nil {
				return 0, err
			}
			return int(b.Rows), s.Trade.NoteBatch(ctx, auth.System, b.ID, cuadro3Note)
		}},
		{"trade-cuadro2.csv", func(r *bytes.Reader) (int, error) { return s.Trade.LoadPublishedShares(ctx, r) }},
		{"facts.csv", func(r *bytes.Reader) (int, error) { return facts.New(d).Load(ctx, auth.System, r) }},
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
		{"exports-regional.csv", func(r *bytes.Reader) (int, error) { return exports.New(d).LoadPublished(ctx, auth.System, r) }},
		{"cpi-lima.csv", func(r *bytes.Reader) (int, error) { return prices.New(d, nil, nil).LoadCPI(ctx, auth.System, r) }},
		{"prices.csv", func(r *bytes.Reader) (int, error) {
			owner, err := s.Accounts.InstitutionByCode(ctx, Owner)
			if err != nil {
				return 0, err
			}
			return prices.New(d, nil, nil).LoadSeed(ctx, r, owner.ID)
		}},
		{"holidays-pe.csv", func(r *bytes.Reader) (int, error) {
			return workdays.New(d).Import(ctx, auth.System, r, "holidays-pe.csv")
		}},
		{"uit-pe.csv", func(r *bytes.Reader) (int, error) {
			return regulation.New(d, workdays.New(d)).ImportUIT(ctx, auth.System, r, "uit-pe.csv")
		}},
		{"norms.csv", func(r *bytes.Reader) (int, error) {
			p, err := keeper(ctx, s.Accounts)
			if err != nil {
				return 0, err
			}
			rep, err := regulation.New(d, workdays.New(d)).ImportNorms(ctx, p, r, "norms.csv")
			return rep.Created, err
		}},
		{"export-requirements.csv", func(r *bytes.Reader) (int, error) {
			p, err := keeper(ctx, s.Accounts)
			if err != nil {
				return 0, err
			}
			rep, err := regulation.New(d, workdays.New(d)).ImportRequirements(ctx, p, r, "export-requirements.csv")
			return rep.Created, err
		}},
	}
	if s.Indicators != nil {
		// The seed plan's indicators that the system computes from its own data.
		datasets = append(datasets, dataset{"indicator-bindings.csv", func(r *bytes.Reader) (int, error) {
			return s.Indicators.Load(ctx, auth.System, r, "indicator-bindings.csv")
		}})
	}
	pending := func() (bool, error) {
		for _, ds := range datasets {
			if v, err := MetaValue(ctx, d, "seed."+ds.file); err != nil || v == "" {
				return err == nil, err
			}
		}
		return false, nil
	}
	if todo, err := pending(); err != nil || !todo {
		return err
	}
	// Instances that start together load the seed once: the first to take
	// the lock loads what is missing, the others then find it loaded.
	unlock, err := d.Lock(ctx, "sriim.seed")
	if err != nil {
		return err
	}
	defer unlock()
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

// keeper is the system acting for Owner, the institution that keeps the
// seed's records.
func keeper(ctx context.Context, acc *accounts.Service) (auth.Principal, error) {
	inst, err := acc.InstitutionByCode(ctx, Owner)
	p := auth.System
	p.Institutions = []int64{inst.ID}
	return p, err
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
