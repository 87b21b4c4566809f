// Package config turns command-line flags and SRIIM_* environment variables
// into a validated Config. A flag given on the command line wins over the
// environment, which wins over the default.
package config

import (
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
)

// Config is what every subcommand needs to reach the database and the network.
type Config struct {
	Addr     string     // listen address of `serve`
	DB       string     // "sqlite:PATH" or a postgres:// URL
	DataDir  string     // where the embedded database and uploads live
	LogLevel slog.Level // debug, info, warn, error
	SMTP     string     // smtp://user:password@host:port?from=address, or empty for no email
	// MaxUpload bounds an upload's body (trade files, spreadsheets, photos,
	// evidence), only for a logged-in user on an upload route; every other
	// request body is bounded to far less.
	MaxUpload int64
}

// DefaultMaxUpload is --max-upload's default: room for a ten-million-row
// Comtrade file (about 1.2 GB as CSV).
const DefaultMaxUpload = 2 << 30

// Register declares the shared flags on fs and returns a function that,
// after fs.Parse, resolves them against the environment and validates them.
func Register(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	addr := fs.String("addr", env("SRIIM_ADDR", "127.0.0.1:8080"), "listen address (env SRIIM_ADDR)")
	dsn := fs.String("db", env("SRIIM_DB", ""), "database: sqlite:PATH or postgres://… (env SRIIM_DB; default sqlite:DATA-DIR/sriim.db)")
	dataDir := fs.String("data-dir", env("SRIIM_DATA_DIR", "data"), "directory for the embedded database and files (env SRIIM_DATA_DIR)")
	level := fs.String("log-level", env("SRIIM_LOG_LEVEL", "info"), "log level: debug, info, warn, error (env SRIIM_LOG_LEVEL)")
	smtp := fs.String("smtp", env("SRIIM_SMTP", ""), "SMTP server for email, smtp://user:password@host:587?from=address (env SRIIM_SMTP)")
	maxUpload := fs.String("max-upload", env("SRIIM_MAX_UPLOAD", "2GiB"), "largest upload a logged-in user may send, in bytes or with KiB, MiB or GiB (env SRIIM_MAX_UPLOAD)")
	return func() (Config, error) {
		c := Config{Addr: *addr, DB: *dsn, DataDir: *dataDir, SMTP: *smtp}
		if err := c.LogLevel.UnmarshalText([]byte(*level)); err != nil {
			return c, fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", *level)
		}
		var err error
		if c.MaxUpload, err = ParseSize(*maxUpload); err != nil || c.MaxUpload < 1<<20 {
			return c, fmt.Errorf("--max-upload: %q is not a size of at least 1MiB, such as 500MiB or 2GiB", *maxUpload)
		}
		if c.DataDir == "" {
			return c, fmt.Errorf("--data-dir must not be empty")
		}
		if c.DB == "" {
			c.DB = "sqlite:" + filepath.Join(c.DataDir, "sriim.db")
		}
		if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
			return c, fmt.Errorf("--db: %q must start with sqlite: or postgres://", c.DB)
		}
		return c, nil
	}
}

// ParseSize reads a size in bytes, with an optional KiB, MiB or GiB unit ("2GiB").
func ParseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	unit := int64(1)
	for suffix, u := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			s, unit = strings.TrimSpace(n), u
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/unit {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	return n * unit, nil
}
