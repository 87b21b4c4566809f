package db

import (
	"context"
	"database/sql"
)

// MigrateUpTo applies the migrations up to version, for tests of a step.
func (d *DB) MigrateUpTo(ctx context.Context, version int64) error {
	p, err := d.provider()
	if err == nil {
		_, err = p.UpTo(ctx, version)
	}
	return err
}

// Write is the write pool.
func (d *DB) Write() *sql.DB { return d.write }

// ApplyVersion applies the one migration step version, as an instance whose
// binary lacked the earlier steps would have.
func (d *DB) ApplyVersion(ctx context.Context, version int64) error {
	p, err := d.provider()
	if err == nil {
		_, err = p.ApplyVersion(ctx, version, true)
	}
	return err
}
