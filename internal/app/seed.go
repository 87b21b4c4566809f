package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"path/filepath"

	"sriim/internal/config"
	"sriim/internal/db"
	"sriim/internal/mail"
	"sriim/internal/modules"
	"sriim/internal/seeding"
)

// buildModules builds the domain modules on d for cfg's data. mailer is
// nil but for the commands that send mail (serve, remind, digest): a price
// import from the command line alerts nobody.
func buildModules(d *db.DB, cfg config.Config, mailer *mail.SMTP, log *slog.Logger) (modules.Set, error) {
	o := modules.Options{Files: filepath.Join(cfg.DataDir, "files"), PublicURL: cfg.PublicURL, Log: log}
	if mailer != nil {
		o.Mailer = mailer
	}
	return modules.Build(d, o)
}

// seedingOf is the modules as the seed loaders take them.
func seedingOf(s modules.Set) seeding.Services {
	return seeding.Services{Accounts: s.Accounts, Reference: s.Reference, Production: s.Production, Planning: s.Planning, Trade: s.Trade,
		Actors: s.Actors, Offer: s.Offer, Zones: s.Zones, Indicators: s.Indicators}
}

// start opens the database and brings it up to date, builds the modules
// (with mailer, nil for none; see buildModules) and loads the seed datasets
// not loaded yet: what every command that works on the data does first.
// The caller closes the database.
func start(ctx context.Context, cfg config.Config, log *slog.Logger, mailer *mail.SMTP) (*db.DB, modules.Set, error) {
	d, err := openDB(ctx, cfg, log)
	if err != nil {
		return nil, modules.Set{}, err
	}
	svc, err := buildModules(d, cfg, mailer, log)
	if err == nil {
		err = seeding.Load(ctx, d, seedingOf(svc), log)
	}
	// Documents without an index entry (all of them, once, after the
	// index's tables were rebuilt) are indexed before anyone searches.
	var repaired int
	if err == nil {
		repaired, err = svc.Archive.Repair(ctx)
	}
	if err != nil {
		d.Close()
		return nil, modules.Set{}, err
	}
	if repaired > 0 {
		log.Info("archive: documents indexed again", "documents", repaired)
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
