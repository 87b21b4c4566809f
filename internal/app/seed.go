package app

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"

	"sriim/data/seed"
	"sriim/internal/accounts"
	"sriim/internal/db"
)

// services are the domain modules, built once per process.
type services struct {
	accounts *accounts.Service
}

func newServices(d *db.DB) *services {
	return &services{accounts: accounts.New(d)}
}

// loadSeed loads each seed dataset once per database: a dataset is marked
// in the meta table when loaded, so later edits by people are never undone
// by a restart.
func (s *services) loadSeed(ctx context.Context, d *db.DB, log *slog.Logger) error {
	datasets := []struct {
		key  string
		file string
		load func(ctx context.Context, f fs.File) (int, error)
	}{
		{"seed.institutions", "institutions.csv", func(ctx context.Context, f fs.File) (int, error) { return s.accounts.LoadInstitutions(ctx, f) }},
	}
	for _, ds := range datasets {
		loaded, err := metaValue(ctx, d, ds.key)
		if err != nil {
			return err
		}
		if loaded != "" {
			continue
		}
		f, err := seed.Files.Open(ds.file)
		if err != nil {
			return err
		}
		n, err := ds.load(ctx, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("seed %s: %w", ds.file, err)
		}
		if err := setMeta(ctx, d, ds.key, ds.file); err != nil {
			return err
		}
		log.Info("seed data loaded", "dataset", ds.file, "rows", n)
	}
	return nil
}

func metaValue(ctx context.Context, d *db.DB, key string) (string, error) {
	var v string
	err := d.Read().QueryRowContext(ctx, "SELECT value FROM meta WHERE key = $1", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// setMeta records a value unless one is there already (first writer wins,
// which is what instances starting together need).
func setMeta(ctx context.Context, d *db.DB, key, value string) error {
	return d.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", key, value)
		return err
	})
}

// csrfKey is the installation's CSRF signing key, made on first start and
// kept in the database so that every instance shares it.
func csrfKey(ctx context.Context, d *db.DB) ([]byte, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	if err := setMeta(ctx, d, "csrf_key", hex.EncodeToString(b)); err != nil {
		return nil, err
	}
	v, err := metaValue(ctx, d, "csrf_key")
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}
