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
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"sriim/internal/api"
	"sriim/internal/config"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/i18n"
	"sriim/internal/mail"
	"sriim/internal/modules"
	"sriim/internal/ogc"
	"sriim/internal/reminders"
	"sriim/internal/seeding"
	"sriim/internal/ui"
	"sriim/internal/zones"
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
  seed      load the seed plan's data into the database (serve does this too);
            "sriim seed --demo" adds a demonstration dataset, "--demo --remove" takes it out
  user      manage accounts: "sriim user add", "sriim user reset-password"
  import    import files: "sriim import actors|production|plan|trade|zones|closures|attendance|prices|price-index|exports|norms|procedures|procedure-cases|requirements|holidays|uit FILE…",
            "sriim import documents --metadata FILE"
  export    export spreadsheets: "sriim export actors|production|zones|prices|norms|procedures|procedure-cases|requirements --format csv|xlsx --out FILE"
  report    market-intelligence report: "sriim report markets --period 2026-S1 --lang es --out DIR"
  remind    mail the editors of institutions whose progress reports are due soon or late, each reminder once (for a scheduler;
            serve does it daily when --smtp is set)
  backup    a consistent snapshot of the database and the uploaded files while SRIIM runs: "sriim backup --out FILE"
  restore   put a backup into an empty data directory or database, and check it: "sriim restore FILE"
  digest    mail the information network's weekly digest and urgent mails (serve does it too)
  brochure  make the brochure of the exportable offer (PDF, es and en) and keep it in the archive
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
	lang := config.LangOf(rest, os.Getenv)
	var err error
	switch cmd {
	case "serve":
		err = runServe(ctx, rest, stderr)
	case "migrate":
		err = runMigrate(ctx, rest, stdout, stderr)
	case "seed":
		err = runSeed(ctx, rest, stdout, stderr)
	case "user":
		err = runUser(ctx, rest, stdout, stderr)
	case "import":
		err = runImport(ctx, rest, stdout, stderr)
	case "export":
		err = runExport(ctx, rest, stdout, stderr)
	case "report":
		err = runReport(ctx, rest, stdout, stderr)
	case "remind":
		err = runRemind(ctx, rest, stdout, stderr)
	case "backup":
		err = runBackup(ctx, rest, stdout, stderr)
	case "restore":
		err = runRestore(ctx, rest, stdout, stderr)
	case "digest":
		err = runDigest(ctx, rest, stdout, stderr)
	case "brochure":
		err = runBrochure(ctx, rest, stdout, stderr)
	case "openapi":
		var doc []byte
		if doc, err = api.OpenAPI(version()); err == nil {
			_, err = stdout.Write(append(doc, '\n'))
		}
	case "version":
		fmt.Fprintln(stdout, version())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		i18n.Say(stderr, lang, "sriim: unknown command %q", cmd)
		fmt.Fprint(stderr, "\n"+usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "sriim %s: %s\n", cmd, describe(lang, err))
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
			return config.Config{}, errs.E(errs.Invalid, "unexpected arguments: %s", strings.Join(fs.Args(), " "))
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
	i18n.Say(stdout, cfg.Lang, "schema version %d (%d migrations applied)", v, n)
	return nil
}

func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var demo, remove bool
	cfg, err := parseFlags("seed", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&demo, "demo", false, "also load the demonstration dataset (invented exporters, products and reports, all named \"DEMO\")")
		fs.BoolVar(&remove, "remove", false, "with --demo: remove the demonstration dataset instead, and nothing else")
	})
	if err != nil {
		return err
	}
	if remove && !demo {
		return errors.New("--remove removes the demonstration dataset: give it with --demo")
	}
	log := newLogger(stderr, cfg.LogLevel)
	d, svc, err := start(ctx, cfg, log, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	switch {
	case remove:
		n, err := seeding.RemoveDemo(ctx, d, seedingOf(svc))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "demonstration dataset removed (%d records)\n", n)
	case demo:
		n, err := seeding.LoadDemo(ctx, d, seedingOf(svc))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "demonstration dataset loaded (%d new records); every page says so until you run: %s seed --demo --remove\n", n, commandName())
	}
	return nil
}

// describe is err in lang, in one line a terminal user can act on: the
// message, the fields it names, and an internal error's cause (the command
// line has no other log to keep it).
func describe(lang i18n.Lang, err error) string {
	var e *errs.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	// What the commands added around the error ("file.csv: ") stays.
	prefix, _ := strings.CutSuffix(err.Error(), e.Error())
	if prefix == err.Error() {
		prefix = ""
	}
	message, fields := i18n.ErrorText(lang, e)
	if e.Kind == errs.Internal && e.Err != nil {
		message += ": " + e.Err.Error()
	}
	if len(fields) == 0 {
		return prefix + message
	}
	var parts []string
	for f, msg := range fields {
		parts = append(parts, f+": "+msg)
	}
	sort.Strings(parts)
	return prefix + message + " (" + strings.Join(parts, "; ") + ")"
}

func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := parseFlags("serve", args, stderr, nil)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	mailer, err := mail.NewSMTP(cfg.SMTP)
	if err != nil {
		return err
	}
	d, svc, err := start(ctx, cfg, log, mailer)
	if err != nil {
		return err
	}
	defer d.Close()
	key, err := csrfKey(ctx, d)
	if err != nil {
		return err
	}
	k, err := httpkit.New(httpkit.Options{DB: d, Logger: log, Sessions: svc.Accounts, CSRFKey: key, Addr: cfg.Addr, PublicURL: cfg.PublicURL,
		TrustedProxies: cfg.TrustedProxies, MetricsNetworks: cfg.MetricsNetworks, MetricsToken: cfg.MetricsToken, MaxUpload: cfg.MaxUpload})
	if err != nil {
		return err
	}
	var pageMailer mail.Sender
	if mailer != nil {
		pageMailer = mailer
	}
	announceCtx, stopAnnouncing := context.WithCancel(ctx)
	defer stopAnnouncing()
	go announceClosures(announceCtx, svc.Zones, log)
	if err := register(k, d, log, svc, pageMailer, cfg.Tiles); err != nil {
		return err
	}
	k.Mount("/ogc", ogc.New(svc.Zones, "/ogc", ogcBase(cfg.PublicURL)))
	// Imports whose process is gone (killed, crashed) are failed now, and
	// those of an instance that dies meanwhile within a minute or two.
	reapCtx, stopReaping := context.WithCancel(ctx)
	reaped := make(chan struct{})
	go func() {
		defer close(reaped)
		svc.Trade.RunReaper(reapCtx, time.Minute, func(err error) { log.Warn("look for abandoned trade imports", "err", err) })
	}()
	defer func() {
		stopReaping()
		<-reaped
	}()
	if mailer != nil {
		rem := reminders.New(d, svc.Planning, svc.Accounts, mailer)
		rem.PublicURL, rem.Log = cfg.PublicURL, log
		remindCtx, stopReminders := context.WithCancel(ctx)
		defer stopReminders()
		go rem.Daily(remindCtx)
	}
	if n, err := svc.Accounts.CountAdmins(ctx); err == nil && n == 0 {
		log.Warn("no administrator yet: create one with: " + commandName() + " user add --email YOU@EXAMPLE.ORG --name 'Your Name' --role admin (with the same --db)")
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	jobs, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	go networkJobs(jobs, svc.Network, log)
	log.Info("listening", "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String()+"/", "version", version())
	return serveUntilSignal(ctx, ln, k, log)
}

// runRemind sends the reminders of due and late progress reports once: what
// a scheduler runs (serve does the same every day when mail is configured).
func runRemind(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags("remind", args, stderr, nil)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	mailer, err := mail.NewSMTP(cfg.SMTP)
	if err != nil {
		return err
	}
	if mailer == nil {
		return errs.E(errs.Invalid, "no mail server is configured (--smtp): no reminders can be sent")
	}
	d, svc, err := start(ctx, cfg, log, mailer)
	if err != nil {
		return err
	}
	defer d.Close()
	rem := reminders.New(d, svc.Planning, svc.Accounts, mailer)
	rem.PublicURL, rem.Log = cfg.PublicURL, log
	res, err := rem.Run(ctx)
	if err != nil {
		return err
	}
	i18n.Say(stdout, cfg.Lang, "reminders: %d sent, %d sent before, %d not sent (tried again next time)", res.Sent, res.Skipped, res.Failed)
	return nil
}

// commandName is how the person who started SRIIM runs it again: "go run
// ./cmd/sriim" when this binary was built by go run, "sriim" otherwise.
func commandName() string {
	exe, _ := os.Executable()
	cache := os.Getenv("GOCACHE")
	if cache == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			cache = filepath.Join(dir, "go-build")
		}
	}
	return commandFor(exe, cache, os.TempDir())
}

// commandFor is commandName for an executable path, the Go build cache and
// the temporary directory: go run leaves its binary in the build cache (Go
// 1.24 and later) or in a go-build directory under the temporary one.
func commandFor(exe, gocache, tmp string) string {
	within := func(dir string) bool {
		rel, err := filepath.Rel(dir, exe)
		return dir != "" && err == nil && rel != "." && !strings.HasPrefix(rel, "..")
	}
	if within(gocache) {
		return "go run ./cmd/sriim"
	}
	if rel, err := filepath.Rel(tmp, exe); err == nil && strings.HasPrefix(rel, "go-build") {
		return "go run ./cmd/sriim"
	}
	return "sriim"
}

// ogcBase is the site's address for the OGC API's absolute links: the
// configured public URL, else the address the request was sent to (its
// forwarding headers are not believed here).
func ogcBase(publicURL string) func(r *http.Request) string {
	return func(r *http.Request) string {
		if publicURL != "" {
			return publicURL
		}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		return scheme + "://" + r.Host
	}
}

// announceEvery is how often the server looks for production areas that
// opened or closed (closures are by the day; an import shows up within it).
const announceEvery = 10 * time.Minute

// announceClosures e-mails the followers of each production area that
// opens or closes, until ctx ends; every instance runs it, and the database
// lets one of them announce each change.
func announceClosures(ctx context.Context, z *zones.Service, log *slog.Logger) {
	t := time.NewTicker(announceEvery)
	defer t.Stop()
	for {
		notices, err := z.Announce(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("closure notices", "err", err)
		}
		for _, n := range notices {
			log.Info("production area changed", "area", n.Area.Code, "closed", n.Closed, "emails", n.Sent)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
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

// register puts the pages and the API on the kernel: the one place that
// imports internal/ui and internal/api. A module's pages and API get its
// service here (modules.Set, built by modules.Build).
func register(k *httpkit.Kernel, d *db.DB, log *slog.Logger, set modules.Set, mailer mail.Sender, tiles config.Tiles) error {
	if _, err := ui.Register(k, ui.Deps{DB: d, Logger: log, Version: version(), Set: set, Mailer: mailer, Tiles: tiles,
		Demo: func(ctx context.Context) (bool, error) { return seeding.DemoLoaded(ctx, d) }}); err != nil {
		return err
	}
	return api.Register(k, api.Deps{DB: d, Logger: log, Version: version(), Set: set})
}
