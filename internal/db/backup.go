package db

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
)

// What a backup needs from the database: a consistent copy while others
// keep writing, the tables and their row counts in that copy, and the
// schema version.

// SQLitePath is a SQLite database's file ("" on PostgreSQL).
func (d *DB) SQLitePath() string { return d.path }

// VacuumInto writes a consistent copy of a SQLite database to path with
// SQLite's online backup (VACUUM INTO): other processes' writers go on
// meanwhile (it reads in one transaction), and what they commit after it
// starts is not in the copy. Copying the database file instead loses what
// is still in its -wal file. It runs on the write connection, as the
// readers' are query-only (which refuses VACUUM).
func (d *DB) VacuumInto(ctx context.Context, path string) error {
	if d.Dialect != SQLite {
		return fmt.Errorf("VACUUM INTO needs SQLite")
	}
	_, err := d.write.ExecContext(ctx, "VACUUM INTO $1", path)
	return err
}

// Querier runs queries: a *sql.DB or a *sql.Tx.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// TableCounts returns the row count of every table (on PostgreSQL, of the
// current schema's), as q sees them.
func TableCounts(ctx context.Context, q Querier, dialect Dialect) (map[string]int64, error) {
	list := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	if dialect == Postgres {
		list = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	}
	rows, err := q.QueryContext(ctx, list)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	counts := map[string]int64{}
	for _, n := range names {
		var c int64
		// The names come from the catalogue, quoted as identifiers.
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(n, `"`, `""`)+`"`).Scan(&c); err != nil {
			return nil, fmt.Errorf("count %s: %w", n, err)
		}
		counts[n] = c
	}
	return counts, nil
}

// SchemaVersion is the latest migration applied, as q sees it (0 when none is).
func SchemaVersion(ctx context.Context, q Querier) (int64, error) {
	var v sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT MAX(version_id) FROM goose_db_version WHERE is_applied").Scan(&v)
	return v.Int64, err
}

// KnownVersion is the newest migration this build has.
func (d *DB) KnownVersion() (int64, error) {
	p, err := d.provider()
	if err != nil {
		return 0, err
	}
	src := p.ListSources()
	if len(src) == 0 {
		return 0, nil
	}
	return src[len(src)-1].Version, nil
}

// ExportSnapshot runs fn in a read-only PostgreSQL transaction that sees
// one moment of the database, exported (pg_export_snapshot) so that
// pg_dump --snapshot dumps exactly what fn sees.
func (d *DB) ExportSnapshot(ctx context.Context, fn func(tx *sql.Tx, snapshot string) error) error {
	if d.Dialect != Postgres {
		return fmt.Errorf("exported snapshots need PostgreSQL")
	}
	tx, err := d.read.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var snapshot string
	if err := tx.QueryRowContext(ctx, "SELECT pg_export_snapshot()").Scan(&snapshot); err != nil {
		return err
	}
	return fn(tx, snapshot)
}

// LibpqURL turns a PostgreSQL address as SRIIM takes it into one that
// libpq's tools (pg_dump, pg_restore) take, and the schema it names: pgx
// reads search_path from the address, libpq does not.
func LibpqURL(dsn string) (conn, schema string, err error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", "", fmt.Errorf("database address: %w", err)
	}
	q := u.Query()
	schema = strings.TrimSpace(strings.Split(q.Get("search_path"), ",")[0])
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), schema, nil
}
