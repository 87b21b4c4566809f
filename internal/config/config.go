// Package config turns command-line flags and SRIIM_* environment variables
// into a validated Config. A flag given on the command line wins over the
// environment, which wins over the default.
package config

import (
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
)

// Config is what every subcommand needs to reach the database and the network.
type Config struct {
	Addr     string     // listen address of `serve`
	DB       string     // "sqlite:PATH" or a postgres:// URL
	DataDir  string     // where the embedded database and uploads live
	LogLevel slog.Level // debug, info, warn, error
	SMTP     string     // smtp://user:password@host:port?from=address, or empty for no email
}

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
	return func() (Config, error) {
		c := Config{Addr: *addr, DB: *dsn, DataDir: *dataDir, SMTP: *smtp}
		if err := c.LogLevel.UnmarshalText([]byte(*level)); err != nil {
			return c, fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", *level)
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
