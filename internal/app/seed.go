package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"path/filepath"

	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/archive"
	"sriim/internal/config"
	"sriim/internal/db"
	"sriim/internal/events"
	"sriim/internal/exports"
	"sriim/internal/facts"
	"sriim/internal/filestore"
	"sriim/internal/indicators"
	"sriim/internal/network"
	"sriim/internal/offer"
	"sriim/internal/planning"
	"sriim/internal/prices"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/regulation"
	"sriim/internal/seeding"
	"sriim/internal/trade"
	"sriim/internal/workdays"
	"sriim/internal/zones"
)

// services are the domain modules, built once per process.
type services struct {
	accounts   *accounts.Service
	reference  *reference.Service
	production *production.Service
	actors     *actors.Service
	planning   *planning.Service
	trade      *trade.Service
	offer      *offer.Service
	facts      *facts.Service
	zones      *zones.Service
	events     *events.Service
	indicators *indicators.Service
	exports    *exports.Service
	prices     *prices.Service
	workdays   *workdays.Service
	regulation *regulation.Service
	archive    *archive.Service
}

func newServices(d *db.DB, dataDir string) *services {
	days := workdays.New(d)
	files := filepath.Join(dataDir, "files")
	s := &services{accounts: accounts.New(d), reference: reference.New(d), production: production.New(d), actors: actors.New(d),
		planning: planning.New(d, files), trade: trade.New(d),
		offer: offer.New(d, filepath.Join(files, "photos")), facts: facts.New(d), zones: zones.New(d),
		exports: exports.New(d), workdays: days, archive: archive.New(d, files),
		// Norms' text files share the archive's store: one copy of a file both keep.
		regulation: regulation.New(d, days).KeepFilesIn(filestore.New(files))}
	s.planning.Documents = s.archive
	s.prices = prices.New(d, s.exports, nil) // serve gives it the mailer, for price alerts
	s.events = events.New(d, s.actors)
	// The modules' data sources for the plan's indicators and the dashboard;
	// a module added later registers its own here.
	reg := indicators.NewRegistry(s.actors.Source(), s.production.Source(), s.trade.Source())
	reg.Register(s.accounts.Sources()...)
	reg.Register(s.events.Sources()...)
	reg.Register(s.zones.Sources()...)
	reg.Register(network.New(d, nil, "").Source()) // counting needs no mail
	reg.Register(s.archive.Sources()...)
	reg.Register(s.regulation.Sources()...)
	s.indicators = indicators.New(d, reg)
	s.planning.Indicators = s.indicators
	return s
}

// seeding is the services as the seed loaders take them.
func (s *services) seeding() seeding.Services {
	return seeding.Services{Accounts: s.accounts, Reference: s.reference, Production: s.production, Planning: s.planning, Trade: s.trade,
		Actors: s.actors, Offer: s.offer, Zones: s.zones, Indicators: s.indicators}
}

// start opens the database and brings it up to date, builds the services
// and loads the seed datasets not loaded yet: what every command that works
// on the data does first. The caller closes the database.
func start(ctx context.Context, cfg config.Config, log *slog.Logger) (*db.DB, *services, error) {
	d, err := openDB(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	svc := newServices(d, cfg.DataDir)
	if err := seeding.Load(ctx, d, svc.seeding(), log); err != nil {
		d.Close()
		return nil, nil, err
	}
	// Documents without an index entry (all of them, once, after the
	// index's tables were rebuilt) are indexed before anyone searches.
	if n, err := svc.archive.Repair(ctx); err != nil {
		d.Close()
		return nil, nil, err
	} else if n > 0 {
		log.Info("archive: documents indexed again", "documents", n)
	}
	return d, svc, nil
}

// csrfKey is the installation's CSRF signing key, made on first start and
// kept in the database so that every instance shares it.
func csrfKey(ctx context.Context, d *db.DB) ([]byte, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	if err := seeding.SetMeta(ctx, d, "csrf_key", hex.EncodeToString(b)); err != nil {
		return nil, err
	}
	v, err := seeding.MetaValue(ctx, d, "csrf_key")
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}
