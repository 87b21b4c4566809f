package app

// sriim backup and sriim restore: a consistent snapshot of SRIIM while it
// runs — the database and the uploaded files (DATA-DIR/files) — in one
// tar.gz archive with a manifest, and putting one back into an empty data
// directory or database, checked.

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"

	"sriim/internal/config"
	"sriim/internal/db"
)

// backupFormat names the archive's layout: manifest.json, the database
// under database/, the uploaded files under files/.
const backupFormat = "sriim-backup/1"

// manifest describes a backup; it is the archive's last entry.
type manifest struct {
	Format        string           `json:"format"`
	Version       string           `json:"version"` // of the sriim that made it
	CreatedAt     time.Time        `json:"created_at"`
	Dialect       db.Dialect       `json:"dialect"`
	SchemaVersion int64            `json:"schema_version"`
	Schema        string           `json:"schema,omitempty"` // PostgreSQL: the schema dumped
	Database      string           `json:"database"`         // the entry that holds the database
	Tables        map[string]int64 `json:"tables"`           // each table's rows at the snapshot
	Entries       []archiveEntry   `json:"entries"`          // every other entry, with its checksum
}

type archiveEntry struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

const (
	manifestEntry = "manifest.json"
	sqliteEntry   = "database/sriim.db"
	pgDumpEntry   = "database/sriim.pgdump" // pg_dump's custom format
	filesEntry    = "files/"
)

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var out string
	cfg, err := parseFlags("backup", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "the archive to write (tar.gz)")
	})
	if err != nil {
		return err
	}
	if out == "" {
		return errors.New("--out FILE is required")
	}
	// No migration: the snapshot is of the database as it is.
	d, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer d.Close()
	m, err := backup(ctx, d, cfg, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s database at schema version %d (%d tables), %d files\n", out, m.Dialect, m.SchemaVersion, len(m.Tables), len(m.Entries)-1)
	return nil
}

// backup writes the archive: first a consistent copy of the database (what
// was committed when it started), then the uploaded files — which are
// stored by content and never changed, so every file the copy refers to
// is there.
func backup(ctx context.Context, d *db.DB, cfg config.Config, out string) (manifest, error) {
	m := manifest{Format: backupFormat, Version: version(), CreatedAt: time.Now().UTC(), Dialect: d.Dialect}
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".sriim-backup-")
	if err != nil {
		return m, err
	}
	defer os.RemoveAll(tmp)
	var dbFile string
	switch d.Dialect {
	case db.SQLite:
		m.Database, dbFile = sqliteEntry, filepath.Join(tmp, "sriim.db")
		if err := d.VacuumInto(ctx, dbFile); err != nil {
			return m, fmt.Errorf("copy the database: %w", err)
		}
		if err := describeSQLite(ctx, dbFile, &m); err != nil {
			return m, err
		}
	case db.Postgres:
		m.Database, dbFile = pgDumpEntry, filepath.Join(tmp, "sriim.pgdump")
		if err := pgDump(ctx, d, cfg.DB, dbFile, &m); err != nil {
			return m, err
		}
	}
	return m, writeArchive(out, dbFile, filepath.Join(cfg.DataDir, "files"), &m)
}

// describeSQLite reads the schema version and the row counts from the copy.
func describeSQLite(ctx context.Context, file string, m *manifest) error {
	c, err := db.Open(ctx, "sqlite:"+file)
	if err != nil {
		return err
	}
	defer c.Close()
	if m.Tables, err = db.TableCounts(ctx, c.Read(), db.SQLite); err != nil {
		return fmt.Errorf("count the copy's rows: %w", err)
	}
	m.SchemaVersion, err = db.SchemaVersion(ctx, c.Read())
	return err
}

// pgDump dumps the current schema with pg_dump, from an exported snapshot
// in which it also counts the rows, so that counts and dump agree.
func pgDump(ctx context.Context, d *db.DB, dsn, file string, m *manifest) error {
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		return errors.New("pg_dump is not on PATH: install PostgreSQL's client tools of the server's major version " +
			"(Debian: postgresql-client), or back up the database with pg_dump yourself (see the README)")
	}
	conn, _, err := db.LibpqURL(dsn)
	if err != nil {
		return err
	}
	return d.ExportSnapshot(ctx, func(tx *sql.Tx, snapshot string) error {
		if err := tx.QueryRowContext(ctx, "SELECT current_schema()").Scan(&m.Schema); err != nil {
			return err
		}
		if m.Tables, err = db.TableCounts(ctx, tx, db.Postgres); err != nil {
			return err
		}
		if m.SchemaVersion, err = db.SchemaVersion(ctx, tx); err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, bin, "--format=custom", "--no-owner", "--no-privileges", "--schema="+m.Schema,
			"--snapshot="+snapshot, "--file="+file, "--dbname="+conn)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("pg_dump: %v: %s", err, strings.TrimSpace(string(out)))
		}
		return nil
	})
}

// writeArchive writes the database file, the files under filesDir and the
// manifest into out, through a temporary file renamed at the end.
func writeArchive(out, dbFile, filesDir string, m *manifest) (err error) {
	f, err := os.CreateTemp(filepath.Dir(out), filepath.Base(out)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	add := func(name, src string) error {
		in, err := os.Open(src)
		if err != nil {
			return err
		}
		defer in.Close()
		st, err := in.Stat()
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: st.Size(), ModTime: st.ModTime(), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		h := sha256.New()
		if _, err := io.CopyN(io.MultiWriter(tw, h), in, st.Size()); err != nil {
			return fmt.Errorf("archive %s: %w", src, err)
		}
		m.Entries = append(m.Entries, archiveEntry{Path: name, Size: st.Size(), SHA256: hex.EncodeToString(h.Sum(nil))})
		return nil
	}
	if err := add(m.Database, dbFile); err != nil {
		return err
	}
	err = filepath.WalkDir(filesDir, func(p string, e fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == filesDir {
			return nil // no uploads yet
		}
		if err != nil || !e.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(filesDir, p)
		if err != nil {
			return err
		}
		return add(filesEntry+filepath.ToSlash(rel), p)
	})
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: manifestEntry, Mode: 0o600, Size: int64(len(b)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := tw.Write(b); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), out)
}

func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var files []string
	cfg, err := parseFlagsWithArgs("restore", args, stderr, nil, &files)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return errors.New("usage: sriim restore FILE [--db …] [--data-dir …]")
	}
	m, err := restore(ctx, cfg, files[0], newLogger(stderr, cfg.LogLevel))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored the backup of %s (%s database at schema version %d, %d tables, %d files) into %s\n",
		m.CreatedAt.Format(time.RFC3339), m.Dialect, m.SchemaVersion, len(m.Tables), len(m.Entries)-1, cfg.DataDir)
	return nil
}

// restore puts a backup into an empty target — data directory and
// database — and checks it: every entry's checksum, the row count of every
// table, the schema version, SQLite's integrity check; then it applies the
// migrations this sriim has beyond the backup's.
func restore(ctx context.Context, cfg config.Config, archive string, log *slog.Logger) (m manifest, err error) {
	if err := requireEmptyDir(cfg.DataDir); err != nil {
		return m, err
	}
	sqlitePath, isSQLite := strings.CutPrefix(cfg.DB, "sqlite:")
	if isSQLite {
		for _, p := range []string{sqlitePath, sqlitePath + "-wal"} {
			if _, err := os.Stat(p); err == nil {
				return m, fmt.Errorf("%s exists: a backup is restored only into an empty target", p)
			}
		}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return m, err
	}
	stage, err := os.MkdirTemp(cfg.DataDir, ".restore-")
	if err != nil {
		return m, err
	}
	defer os.RemoveAll(stage)
	if m, err = unpack(archive, stage); err != nil {
		return m, err
	}
	if want := map[bool]db.Dialect{true: db.SQLite, false: db.Postgres}[isSQLite]; m.Dialect != want {
		return m, fmt.Errorf("the backup is of a %s database; give --db a %s address", m.Dialect, m.Dialect)
	}
	staged := filepath.Join(stage, filepath.FromSlash(m.Database))
	if isSQLite {
		if err := os.MkdirAll(filepath.Dir(sqlitePath), 0o750); err != nil {
			return m, err
		}
		if err := os.Rename(staged, sqlitePath); err != nil {
			return m, err
		}
		// A restore that fails leaves the target empty, to try again.
		defer func() {
			if err != nil {
				for _, suffix := range []string{"", "-wal", "-shm"} {
					os.Remove(sqlitePath + suffix)
				}
			}
		}()
	}
	d, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return m, err
	}
	defer d.Close()
	known, err := d.KnownVersion()
	if err != nil {
		return m, err
	}
	if m.SchemaVersion > known {
		return m, fmt.Errorf("the backup's schema version is %d; this sriim knows up to %d: restore it with a newer sriim", m.SchemaVersion, known)
	}
	if !isSQLite {
		if err := pgRestore(ctx, d, cfg.DB, staged, m); err != nil {
			return m, err
		}
	}
	if err := checkRestored(ctx, d, m); err != nil {
		return m, err
	}
	if s := filepath.Join(stage, "files"); exists(s) {
		if err := os.Rename(s, filepath.Join(cfg.DataDir, "files")); err != nil {
			return m, err
		}
	}
	v, n, err := d.Migrate(ctx)
	if err != nil {
		return m, err
	}
	log.Info("backup restored", "created_at", m.CreatedAt, "schema_version", v, "migrations_applied", n)
	return m, nil
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// requireEmptyDir refuses a directory that holds anything.
func requireEmptyDir(dir string) error {
	list, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(list) > 0 {
		return fmt.Errorf("%s is not empty: a backup is restored only into an empty data directory", dir)
	}
	return nil
}

// maxManifest bounds the manifest read into memory.
const maxManifest = 64 << 20

// unpack extracts the archive into dir and checks it against its manifest:
// only the database and files/ entries, each with its size and checksum,
// none missing and none more.
func unpack(archive, dir string) (manifest, error) {
	var m manifest
	f, err := os.Open(archive)
	if err != nil {
		return m, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return m, fmt.Errorf("%s is not a SRIIM backup (tar.gz): %w", archive, err)
	}
	tr := tar.NewReader(gz)
	got := map[string]archiveEntry{}
	var manifestBytes []byte
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return m, fmt.Errorf("read the archive: %w", err)
		}
		name := h.Name
		clean := path.Clean(name)
		if h.Typeflag != tar.TypeReg || clean != name || path.IsAbs(name) || strings.HasPrefix(name, "../") ||
			!(name == manifestEntry || name == sqliteEntry || name == pgDumpEntry || strings.HasPrefix(name, filesEntry)) {
			return m, fmt.Errorf("unexpected entry %q in the archive", name)
		}
		if name == manifestEntry {
			if manifestBytes, err = io.ReadAll(io.LimitReader(tr, maxManifest)); err != nil {
				return m, err
			}
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			return m, err
		}
		out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return m, err
		}
		hash := sha256.New()
		n, err := io.Copy(io.MultiWriter(out, hash), tr)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return m, err
		}
		got[name] = archiveEntry{Path: name, Size: n, SHA256: hex.EncodeToString(hash.Sum(nil))}
	}
	if manifestBytes == nil {
		return m, errors.New("the archive has no manifest: it is not a SRIIM backup")
	}
	if err := json.Unmarshal(manifestBytes, &m); err != nil || m.Format != backupFormat {
		return m, fmt.Errorf("the manifest is not of a %s archive (%v)", backupFormat, err)
	}
	for _, e := range m.Entries {
		if g, ok := got[e.Path]; !ok || g != e {
			return m, fmt.Errorf("%s does not match the manifest (missing, or a different size or checksum): the archive is damaged", e.Path)
		}
		delete(got, e.Path)
	}
	for name := range got {
		return m, fmt.Errorf("%s is in the archive but not in its manifest", name)
	}
	if _, ok := map[string]bool{sqliteEntry: true, pgDumpEntry: true}[m.Database]; !ok || !exists(filepath.Join(dir, m.Database)) {
		return m, errors.New("the archive holds no database")
	}
	return m, nil
}

// pgRestore restores a dump into the target's current schema, which must be
// the one dumped (pg_dump names it in every statement) and hold no table.
func pgRestore(ctx context.Context, d *db.DB, dsn, dump string, m manifest) error {
	bin, err := exec.LookPath("pg_restore")
	if err != nil {
		return errors.New("pg_restore is not on PATH: install PostgreSQL's client tools (Debian: postgresql-client)")
	}
	conn, schema, err := db.LibpqURL(dsn)
	if err != nil {
		return err
	}
	if schema == "" { // the server's default: public, usually
		var current sql.NullString
		if err := d.Read().QueryRowContext(ctx, "SELECT current_schema()").Scan(&current); err != nil {
			return err
		}
		schema = current.String
	}
	if schema != m.Schema {
		return fmt.Errorf("the backup holds schema %q; give --db an address whose search_path is %s", m.Schema, m.Schema)
	}
	if err := d.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS "`+strings.ReplaceAll(m.Schema, `"`, `""`)+`"`)
		return err
	}); err != nil {
		return fmt.Errorf("create schema %s: %w", m.Schema, err)
	}
	tables, err := db.TableCounts(ctx, d.Read(), db.Postgres)
	if err != nil {
		return err
	}
	if len(tables) > 0 {
		return fmt.Errorf("schema %s holds %d tables: a backup is restored only into an empty database", m.Schema, len(tables))
	}
	// The dump's list without the schema itself, which exists now.
	list, err := exec.CommandContext(ctx, bin, "--list", dump).Output()
	if err != nil {
		return fmt.Errorf("pg_restore --list: %w", err)
	}
	var keep []string
	for _, line := range strings.Split(string(list), "\n") {
		if !strings.Contains(line, " SCHEMA - ") {
			keep = append(keep, line)
		}
	}
	listFile := dump + ".list"
	if err := os.WriteFile(listFile, []byte(strings.Join(keep, "\n")), 0o600); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
		"--use-list="+listFile, "--dbname="+conn, dump)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pg_restore: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// checkRestored compares the restored database with the manifest: the
// schema version and every table's rows; on SQLite also its integrity check.
func checkRestored(ctx context.Context, d *db.DB, m manifest) error {
	if d.Dialect == db.SQLite {
		var ok string
		if err := d.Read().QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
			return fmt.Errorf("the database fails SQLite's integrity check: %s %v", ok, err)
		}
	}
	v, err := db.SchemaVersion(ctx, d.Read())
	if err != nil || v != m.SchemaVersion {
		return fmt.Errorf("the restored schema version is %d, the backup's %d (%v)", v, m.SchemaVersion, err)
	}
	counts, err := db.TableCounts(ctx, d.Read(), d.Dialect)
	if err != nil {
		return err
	}
	for table, want := range m.Tables {
		if counts[table] != want {
			return fmt.Errorf("table %s has %d rows, the backup %d", table, counts[table], want)
		}
	}
	if len(counts) != len(m.Tables) {
		return fmt.Errorf("%d tables restored, the backup has %d", len(counts), len(m.Tables))
	}
	return nil
}
