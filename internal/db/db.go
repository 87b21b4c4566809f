// Package db opens SRIIM's database — embedded SQLite by default, PostgreSQL
// for several app instances — and applies the embedded migrations.
//
// Queries are written once with $1, $2… placeholders, which both drivers
// accept. Where the dialects differ, the migration files differ (one file per
// dialect per step, applied by goose); the Go code stays the same.
//
// Drivers, chosen on purpose: modernc.org/sqlite is SQLite compiled to pure
// Go, so the binary needs no C toolchain; pgx is the maintained PostgreSQL
// driver; goose applies versioned SQL migrations from an embedded filesystem,
// each in a transaction, and takes an advisory lock on PostgreSQL so that
// instances starting together do not race.
package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL dialect of an open database.
type Dialect string

// The two supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

//go:embed migrations
var migrations embed.FS

// DB is an open database: a pool for reads and one for writes. On SQLite the
// write pool has a single connection, so writers queue in Go instead of
// failing with SQLITE_BUSY; on PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	read    *sql.DB
	write   *sql.DB
	path    string // the SQLite database file
}

// Open connects to dsn ("sqlite:PATH" or a postgres:// URL). It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var d *DB
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("sqlite: empty path")
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
		// busy_timeout covers readers meeting a checkpoint; _txlock=immediate
		// takes the write lock at BEGIN so a transaction never fails half-way
		// when upgrading from a read lock.
		common := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
		// The writer keeps statement journals in memory (an upsert's journal
		// otherwise goes to a temporary file a page write at a time: half of
		// a trade import's time) and a 24 MiB page cache (imports 14 % faster;
		// 64 MiB would break the 150 MB memory budget). See bench/trade.
		w, err := sql.Open("sqlite", common+"&_txlock=immediate&_pragma=temp_store(MEMORY)&_pragma=cache_size(-24576)")
		if err != nil {
			return nil, err
		}
		w.SetMaxOpenConns(1)
		r, err := sql.Open("sqlite", common+"&_pragma=query_only(1)")
		if err != nil {
			w.Close()
			return nil, err
		}
		r.SetMaxOpenConns(8)
		d = &DB{Dialect: SQLite, read: r, write: w, path: path}
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		p, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		p.SetMaxOpenConns(20)
		d = &DB{Dialect: Postgres, read: p, write: p}
	default:
		return nil, fmt.Errorf("unsupported database %q: use sqlite:PATH or postgres://", dsn)
	}
	// The write connection goes first: it creates the file and sets WAL mode.
	if err := d.write.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return d, nil
}

// Close closes both pools.
func (d *DB) Close() error {
	err := d.write.Close()
	if d.read != d.write {
		err = errors.Join(err, d.read.Close())
	}
	return err
}

// Ping checks that the database answers a query.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	return d.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Read returns the pool for queries that do not write.
func (d *DB) Read() *sql.DB { return d.read }

// Pools names the connection pools, for metrics.
func (d *DB) Pools() map[string]*sql.DB {
	if d.read == d.write {
		return map[string]*sql.DB{"main": d.write}
	}
	return map[string]*sql.DB{"read": d.read, "write": d.write}
}

// Tx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise (also when fn panics).
func (d *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return d.TxConn(ctx, func(tx *sql.Tx, _ *sql.Conn) error { return fn(tx) })
}

// TxConn is Tx that also hands fn the transaction's connection, for what
// database/sql cannot express (CopyFrom).
func (d *DB) TxConn(ctx context.Context, fn func(tx *sql.Tx, conn *sql.Conn) error) (err error) {
	conn, err := d.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
			return
		}
		err = tx.Commit()
	}()
	return fn(tx, conn)
}

// CopySource yields the rows of a CopyFrom, as pgx.CopyFromSource.
type CopySource interface {
	Next() bool
	Values() ([]any, error)
	Err() error
}

// CopyFrom loads rows into a table with PostgreSQL's COPY, on conn and so
// inside the transaction open on it: the fastest way in, a stream with no
// statement per row.
func CopyFrom(ctx context.Context, conn *sql.Conn, table string, columns []string, src CopySource) (n int64, err error) {
	err = conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return errors.New("COPY needs PostgreSQL")
		}
		n, err = c.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, src)
		return err
	})
	return n, err
}

func (d *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(d.Dialect))
	if err != nil {
		return nil, err
	}
	// Steps are numbered when a change is written and may land after a
	// higher-numbered one (changes are made in parallel): a database that
	// ran the later steps still takes the earlier one.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	dialect := goose.DialectSQLite3
	if d.Dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, d.write, sub, opts...)
}

// MigrationsDigest identifies the migrations this build has for a dialect
// (a hash of their files): tests keep a migrated template database under it.
func MigrationsDigest(dialect Dialect) (string, error) {
	h := sha256.New()
	root := "migrations/" + string(dialect)
	err := fs.WalkDir(migrations, root, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := migrations.ReadFile(path)
		fmt.Fprintf(h, "%s %d\n", path, len(b))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

// Migrate applies the pending migrations, each in its own transaction, and
// returns the schema version reached and how many steps were applied.
func (d *DB) Migrate(ctx context.Context) (version int64, applied int, err error) {
	p, err := d.provider()
	if err != nil {
		return 0, 0, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("migrate: %w", err)
	}
	version, err = p.GetDBVersion(ctx)
	return version, len(results), err
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either backend.
func IsUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || lite.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}
