package db_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

func TestMigrateTwiceIsNoOp(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range dbtest.Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			d, err := db.Open(ctx, dbtest.DSN(t, dialect))
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			v1, n1, err := d.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n1 == 0 || v1 == 0 {
				t.Fatalf("first migrate applied %d steps to version %d; want some", n1, v1)
			}
			v2, n2, err := d.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n2 != 0 || v2 != v1 {
				t.Fatalf("second migrate applied %d steps, version %d; want 0 steps, version %d", n2, v2, v1)
			}
		})
	}
}

func TestTxRollsBackOnError(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := d.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO meta(key, value) VALUES ($1, $2)", "k", "v"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		var n int
		if err := d.Read().QueryRowContext(ctx, "SELECT count(*) FROM meta WHERE key = $1", "k").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("rolled-back row is there")
		}
		if err := d.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO meta(key, value) VALUES ($1, $2)", "k", "v")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := d.Read().QueryRowContext(ctx, "SELECT count(*) FROM meta WHERE key = $1", "k").Scan(&n); err != nil || n != 1 {
			t.Fatalf("committed row: n=%d err=%v", n, err)
		}
	})
}

func TestReadPoolRefusesWritesOnSQLite(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	if _, err := d.Read().Exec("INSERT INTO meta(key, value) VALUES ('a','b')"); err == nil {
		t.Fatal("read pool accepted a write")
	}
}

// TestMigrateAppliesAStepThatLandedLate: a database migrated by a binary that
// lacked steps 13 and 18 (they landed after 14–21) takes them on the next
// start instead of refusing to start.
func TestMigrateAppliesAStepThatLandedLate(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range dbtest.Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			d, err := db.Open(ctx, dbtest.DSN(t, dialect))
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if err := d.MigrateUpTo(ctx, 12); err != nil {
				t.Fatal(err)
			}
			for _, v := range []int64{14, 15, 16, 17, 19, 20, 21} {
				if err := d.ApplyVersion(ctx, v); err != nil {
					t.Fatalf("step %d: %v", v, err)
				}
			}
			version, applied, err := d.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if applied < 2 || version < 21 {
				t.Fatalf("migrated to %d applying %d steps", version, applied)
			}
			for _, table := range []string{"trade_blocks", "archive_documents"} {
				if _, err := d.Write().ExecContext(ctx, "SELECT 1 FROM "+table+" LIMIT 1"); err != nil {
					t.Errorf("%s after the late steps: %v", table, err)
				}
			}
		})
	}
}
