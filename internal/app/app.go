// Package app is SRIIM's composition root: it parses the command line, opens
// and migrates the database, builds the services and the web server, and runs
// them. It is the only package that knows every other one.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"sriim/internal/config"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/mail"
	"sriim/internal/web"
)

// Version is set at build time with -ldflags "-X sriim/internal/app.Version=…";
// otherwise it comes from the VCS information Go records.
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

const usage = `sriim — Sistema Regional Integrado de Información de Moluscos

Usage: sriim COMMAND [flags]

Commands:
  serve     run the web server (creates and migrates the database on first start)
  migrate   apply pending database migrations and print the schema version
  seed      load the seed plan's data into the database (serve does this too)
  user      manage accounts: "sriim user add", "sriim user reset-password"
  import    import spreadsheets: "sriim import actors|production FILE…"
  export    export spreadsheets: "sriim export actors|production --format csv|xlsx --out FILE"
  report    market-intelligence report: "sriim report markets --period 2026-S1 --lang es --out DIR"
  openapi   print the OpenAPI document of the JSON API
  version   print the version

Run "sriim COMMAND -h" for a command's flags.
`

// Main runs the command line in args (without the program name) and returns
// the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = runServe(ctx, rest, stderr)
	case "migrate":
		err = runMigrate(ctx, rest, stdout, stderr)
	case "seed":
		err = runSeed(ctx, rest, stderr)
	case "user":
		err = runUser(ctx, rest, stdout, stderr)
	case "import":
		err = runImport(ctx, rest, stdout, stderr)
	case "export":
		err = runExport(ctx, rest, stdout, stderr)
	case "report":
		err = runReport(ctx, rest, stdout, stderr)
	case "openapi":
		var doc []byte
		if doc, err = web.OpenAPI(version()); err == nil {
			_, err = stdout.Write(append(doc, '\n'))
		}
	case "version":
		fmt.Fprintln(stdout, version())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "sriim: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "sriim %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

// parseFlags declares the shared flags on a new flag set for cmd, lets the
// command add its own, and parses args, which must hold only flags.
func parseFlags(cmd string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (config.Config, error) {
	return parseFlagsWithArgs(cmd, args, stderr, extra, nil)
}

// parseFlagsWithArgs is parseFlags for commands that also take arguments
// (file names), given before, after or between the flags.
func parseFlagsWithArgs(cmd string, args []string, stderr io.Writer, extra func(*flag.FlagSet), rest *[]string) (config.Config, error) {
	fs := flag.NewFlagSet("sriim "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	resolve := config.Register(fs, os.Getenv)
	if extra != nil {
		extra(fs)
	}
	for {
		if err := fs.Parse(args); err != nil {
			return config.Config{}, err
		}
		if fs.NArg() == 0 {
			break
		}
		if rest == nil {
			return config.Config{}, fmt.Errorf("unexpected arguments: %v", fs.Args())
		}
		*rest = append(*rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return resolve()
}

// openDB opens the configured database and brings its schema up to date;
// every command that touches the database goes through it.
func openDB(ctx context.Context, cfg config.Config, log *slog.Logger) (*db.DB, error) {
	d, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	v, n, err := d.Migrate(ctx)
	if err != nil {
		d.Close()
		return nil, err
	}
	log.Info("database ready", "dialect", d.Dialect, "schema_version", v, "migrations_applied", n)
	return d, nil
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags("migrate", args, stderr, nil)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer d.Close()
	v, n, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d (%d migrations applied)\n", v, n)
	return nil
}

func runSeed(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := parseFlags("seed", args, stderr, nil)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	d, _, err := start(ctx, cfg, log)
	if err != nil {
		return err
	}
	return d.Close()
}

// describe turns an invalid-input error into one line a terminal user can act on.
func describe(err error) error {
	var e *errs.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		var parts []string
		for f, msg := range e.Fields {
			parts = append(parts, f+": "+msg)
		}
		sort.Strings(parts)
		return fmt.Errorf("%s (%s)", e.Message, strings.Join(parts, "; "))
	}
	return err
}

func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := parseFlags("serve", args, stderr, nil)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	d, svc, err := start(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	key, err := csrfKey(ctx, d)
	if err != nil {
		return err
	}
	mailer, err := mail.NewSMTP(cfg.SMTP)
	if err != nil {
		return err
	}
	opts := web.Options{DB: d, Logger: log, Version: version(), Accounts: svc.accounts,
		Reference: svc.reference, Production: svc.production, Actors: svc.actors, Planning: svc.planning, Trade: svc.trade, Offer: svc.offer, CSRFKey: key}
	if mailer != nil {
		opts.Mailer = mailer
	}
	srv, err := web.New(opts)
	if err != nil {
		return err
	}
	// Imports whose process is gone (killed, crashed) are failed now, and
	// those of an instance that dies meanwhile within a minute or two.
	reapCtx, stopReaping := context.WithCancel(ctx)
	reaped := make(chan struct{})
	go func() {
		defer close(reaped)
		svc.trade.RunReaper(reapCtx, time.Minute, func(err error) { log.Warn("look for abandoned trade imports", "err", err) })
	}()
	defer func() {
		stopReaping()
		<-reaped
	}()
	if n, err := svc.accounts.CountAdmins(ctx); err == nil && n == 0 {
		log.Warn("no administrator yet: create one with: sriim user add --email YOU@EXAMPLE.ORG --name 'Your Name' --role admin (with the same --db)")
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("listening", "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String()+"/", "version", version())
	return serveUntilSignal(ctx, ln, srv, log)
}

// shutdownGrace is how long in-flight requests get to finish after SIGTERM.
const shutdownGrace = 30 * time.Second

// serveUntilSignal serves h on ln until SIGINT or SIGTERM (or ctx ends),
// then stops accepting connections and waits for in-flight requests.
func serveUntilSignal(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}
