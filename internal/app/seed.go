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
	"sriim/internal/offer"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/seeding"
	"sriim/internal/trade"
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
	archive    *archive.Service
}

func newServices(d *db.DB, dataDir string) *services {
	files := filepath.Join(dataDir, "files")
	svc := &services{accounts: accounts.New(d), reference: reference.New(d), production: production.New(d), actors: actors.New(d),
		planning: planning.New(d, files), trade: trade.New(d),
		offer: offer.New(d, filepath.Join(files, "photos")), archive: archive.New(d, files)}
	svc.planning.Documents = svc.archive
	return svc
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
	seeded := seeding.Services{Accounts: svc.accounts, Reference: svc.reference, Production: svc.production, Planning: svc.planning, Trade: svc.trade}
	if err := seeding.Load(ctx, d, seeded, log); err != nil {
		d.Close()
		return nil, nil, err
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
