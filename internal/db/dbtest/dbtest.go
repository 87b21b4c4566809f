// Package dbtest gives tests fresh, migrated databases on every backend the
// test run has: SQLite always, PostgreSQL when SRIIM_TEST_POSTGRES holds a URL
// (the README's test command starts a throw-away cluster and sets it).
//
// Migrating costs a test seconds under the race detector (SQLite is Go code
// there, and instrumented), so a test binary migrates once and copies: on
// SQLite the migrated file's bytes, on PostgreSQL a template database kept
// per set of migrations (CREATE DATABASE … TEMPLATE). Cached does the same
// for a state that tests build the same way, such as the seed datasets.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"modernc.org/sqlite"

	"sriim/internal/db"
)

// Backends lists the backends this test run covers.
func Backends() []db.Dialect {
	if os.Getenv("SRIIM_TEST_POSTGRES") != "" {
		return []db.Dialect{db.SQLite, db.Postgres}
	}
	return []db.Dialect{db.SQLite}
}

// DSN returns the address of a new, empty database of the given dialect,
// removed when the test ends. On PostgreSQL it is a schema of its own.
func DSN(t testing.TB, dialect db.Dialect) string {
	t.Helper()
	if dialect == db.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "sriim.db")
	}
	admin := postgresAdmin(t)
	schema := "t_" + randomName()
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	return postgresURL(t, "", schema)
}

// Open returns a fresh, migrated database of the given dialect, closed and
// removed when the test ends. On PostgreSQL it is a database of its own.
func Open(t testing.TB, dialect db.Dialect) *db.DB {
	t.Helper()
	var dsn string
	if dialect == db.SQLite {
		migrated, err := sqliteTemplate()
		if err != nil {
			t.Fatalf("migrated SQLite template: %v", err)
		}
		path := filepath.Join(t.TempDir(), "sriim.db")
		if err := os.WriteFile(path, migrated, 0o600); err != nil {
			t.Fatal(err)
		}
		dsn = "sqlite:" + path
	} else {
		dsn = postgresCopy(t)
	}
	d, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	// A first read opens the read pool's first connection, which takes a
	// loaded machine's race-instrumented SQLite seconds: here, not within
	// the 2 s a health check gives the database.
	if err := d.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// Each runs fn as a subtest on a fresh, migrated database of every backend.
// The backends' subtests run in parallel (each has its own database), so fn
// must not change what the process shares (t.Setenv panics): such a test
// uses EachInTurn.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dialect := range Backends() {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			fn(t, Open(t, dialect))
		})
	}
}

// EachInTurn is Each with the backends one after the other, for a test
// that changes what the process shares (environment, working directory).
func EachInTurn(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dialect := range Backends() {
		t.Run(string(dialect), func(t *testing.T) { fn(t, Open(t, dialect)) })
	}
}

// Cached brings d, a database fresh from Open that nothing wrote to yet,
// to the state fill leaves it in, and returns what fill returns (shared
// between tests: read it, do not change it). On SQLite fill runs once per
// test binary and key; later calls copy the database it left into d. On
// PostgreSQL fill runs every time (a database with open connections cannot
// be a template). fill must build the same state whenever it runs.
func Cached[T any](t testing.TB, d *db.DB, key string, fill func() (T, error)) T {
	t.Helper()
	if d.Dialect != db.SQLite {
		v, err := fill()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cached.Lock()
	e := cached.m[key]
	if e == nil {
		e = &cacheEntry{}
		cached.m[key] = e
	}
	cached.Unlock()
	// Tests that ask at once wait for the first one's fill.
	e.Lock()
	defer e.Unlock()
	if e.file != nil {
		if err := restoreSQLite(t, d.SQLitePath(), e.file); err != nil {
			t.Fatalf("restore %s: %v", key, err)
		}
		return e.value.(T)
	}
	v, err := fill()
	if err != nil {
		t.Fatal(err)
	}
	file, err := backupSQLite(d.SQLitePath())
	if err != nil {
		t.Fatalf("keep %s: %v", key, err)
	}
	e.file, e.value = file, v
	return v
}

var cached = struct {
	sync.Mutex
	m map[string]*cacheEntry
}{m: map[string]*cacheEntry{}}

type cacheEntry struct {
	sync.Mutex
	file  []byte // the SQLite database fill left
	value any    // what fill returned
}

// sqliteTemplate is a migrated SQLite database file, made once per test binary.
var sqliteTemplate = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "sriim-dbtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	d, err := db.Open(context.Background(), "sqlite:"+filepath.Join(dir, "migrated.db"))
	if err != nil {
		return nil, err
	}
	defer d.Close()
	if _, _, err := d.Migrate(context.Background()); err != nil {
		return nil, err
	}
	return backupSQLite(d.SQLitePath())
})

// sqliteBackup is what modernc's connection offers for SQLite's online
// backup API: a page-by-page copy, exact (rowids included) and consistent
// with what is still in the -wal file, which copying the file would miss.
type sqliteBackup interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
	NewRestore(srcURI string) (*sqlite.Backup, error)
}

// backupSQLite returns a copy of the SQLite database at path, as a file's bytes.
func backupSQLite(path string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "sriim-dbtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	copyPath := filepath.Join(dir, "copy.db")
	err = withSQLiteConn(path, func(c sqliteBackup) error {
		b, err := c.NewBackup(copyPath)
		if err != nil {
			return err
		}
		return runBackup(b)
	})
	if err != nil {
		return nil, err
	}
	return os.ReadFile(copyPath)
}

// restoreSQLite replaces the content of the SQLite database at path (open
// elsewhere, idle) with file's. Its connections see the new content at
// their next statement, as after any other writer's commit.
func restoreSQLite(t testing.TB, path string, file []byte) error {
	src := filepath.Join(t.TempDir(), "cached.db")
	if err := os.WriteFile(src, file, 0o600); err != nil {
		return err
	}
	return withSQLiteConn(path, func(c sqliteBackup) error {
		b, err := c.NewRestore(src)
		if err != nil {
			return err
		}
		return runBackup(b)
	})
}

func runBackup(b *sqlite.Backup) error {
	_, err := b.Step(-1)
	if ferr := b.Finish(); err == nil {
		err = ferr
	}
	return err
}

// withSQLiteConn runs fn on a connection of its own to the database at path.
func withSQLiteConn(path string, fn func(c sqliteBackup) error) error {
	pool, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer pool.Close()
	conn, err := pool.Conn(context.Background())
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(sqliteBackup)
		if !ok {
			return fmt.Errorf("the SQLite driver's connection %T has no backup API", dc)
		}
		return fn(c)
	})
}

// postgresCopy creates a database from the migrated template and returns
// its address; it is dropped when the test ends.
func postgresCopy(t testing.TB) string {
	t.Helper()
	admin := postgresAdmin(t)
	template, err := postgresTemplate(admin)
	if err != nil {
		admin.Close()
		t.Fatalf("migrated PostgreSQL template: %v", err)
	}
	name := "t_" + randomName()
	if _, err := admin.Exec("CREATE DATABASE " + name + " TEMPLATE " + template); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	return postgresURL(t, name, "")
}

var pgTemplate struct {
	sync.Mutex
	name string
}

// postgresTemplate returns the name of a database migrated to this build's
// migrations, made by the first test binary that needs it. It is named
// after the migrations, so binaries and runs share it, and kept: the test
// cluster is thrown away, and a dev server keeps one per set of migrations.
func postgresTemplate(admin *sql.DB) (string, error) {
	pgTemplate.Lock()
	defer pgTemplate.Unlock()
	if pgTemplate.name != "" {
		return pgTemplate.name, nil
	}
	digest, err := db.MigrationsDigest(db.Postgres)
	if err != nil {
		return "", err
	}
	name := "sriim_template_" + digest[:16]
	ctx := context.Background()
	// Test binaries start together: one makes the template, the others
	// wait for it on a lock of the server's.
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	h := fnv.New64a()
	h.Write([]byte(name))
	key := int64(h.Sum64())
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", key)
	var ready bool
	err = conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)", name).Scan(&ready)
	if err != nil {
		return "", err
	}
	if !ready {
		if err := makePostgresTemplate(ctx, conn, name); err != nil {
			return "", err
		}
	}
	pgTemplate.name = name
	return name, nil
}

// makePostgresTemplate creates and migrates the database name and marks it
// a template (which also keeps it from being dropped by mistake).
func makePostgresTemplate(ctx context.Context, admin *sql.Conn, name string) error {
	// A half-made one of a binary that died is made again.
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return err
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	u, err := url.Parse(os.Getenv("SRIIM_TEST_POSTGRES"))
	if err != nil {
		return err
	}
	u.Path = "/" + name
	d, err := db.Open(ctx, u.String())
	if err != nil {
		return err
	}
	_, _, err = d.Migrate(ctx)
	d.Close()
	if err != nil {
		return err
	}
	_, err = admin.ExecContext(ctx, "ALTER DATABASE "+name+" WITH IS_TEMPLATE true")
	return err
}

// postgresAdmin connects to the database SRIIM_TEST_POSTGRES names.
func postgresAdmin(t testing.TB) *sql.DB {
	t.Helper()
	base := os.Getenv("SRIIM_TEST_POSTGRES")
	if base == "" {
		t.Skip("SRIIM_TEST_POSTGRES is not set")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	return admin
}

// postgresURL is SRIIM_TEST_POSTGRES with another database or schema.
func postgresURL(t testing.TB, database, schema string) string {
	t.Helper()
	u, err := url.Parse(os.Getenv("SRIIM_TEST_POSTGRES"))
	if err != nil {
		t.Fatal(err)
	}
	if database != "" {
		u.Path = "/" + database
	}
	if schema != "" {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
	}
	return u.String()
}

func randomName() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
