package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"sriim/internal/auth"
	"sriim/internal/importer"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/trade"
)

const transferUsage = `Usage:
  sriim import actors|production FILE… [--institution CODE]
  sriim import plan FILE…          (a plan in the data-file format of data/seed/plan-pop-moluscos.json)
  sriim import trade --format comtrade-legacy|comtrade-v1|sriim FILE… [--source TEXT]
  sriim export actors|production --format csv|xlsx --out FILE
`

// runImport imports spreadsheets from the command line. Rows it creates are
// kept by --institution (DIREPRO Ilo by default); every change is audited
// as the system.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, transferUsage)
		return fmt.Errorf("missing what to import")
	}
	what := args[0]
	var institution, format, source string
	var files []string
	cfg, err := parseFlagsWithArgs("import "+what, args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&institution, "institution", "DIREPRO-ILO", "code of the institution that will keep new rows")
		fs.StringVar(&format, "format", "", "trade: comtrade-legacy, comtrade-v1 or sriim")
		fs.StringVar(&source, "source", "", "trade: where the data comes from")
	}, &files)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("name at least one file")
	}
	log := newLogger(io.Discard, cfg.LogLevel)
	d, svc, err := start(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	inst, err := svc.accounts.InstitutionByCode(ctx, institution)
	if err != nil {
		return err
	}
	p := auth.System
	p.Institutions = []int64{inst.ID}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		var rows, created, updated, unchanged int
		switch what {
		case "actors":
			rep, ierr := svc.actors.Import(ctx, p, f, name)
			err = ierr
			rows, created, updated, unchanged = rep.Rows, rep.Created, rep.Updated, rep.Unchanged
			for _, w := range rep.Warnings {
				fmt.Fprintf(stdout, "%s: warning: %s\n", name, w.Message)
			}
		case "production":
			rep, ierr := svc.production.Import(ctx, p, f, name)
			err = ierr
			rows, created, updated, unchanged = rep.Rows, rep.Created, rep.Updated, rep.Unchanged
		case "trade":
			var b trade.Batch
			if b, err = importTrade(ctx, svc.trade, p, format, source, name, f, stdout); err == nil {
				rows, created = int(b.Rows), int(b.Rows)
			}
		case "plan":
			var pf planning.File
			if pf, err = planning.ReadFile(f); err == nil {
				var plan planning.Plan
				if plan, err = svc.planning.Import(ctx, p, pf); err == nil {
					fmt.Fprintf(stdout, "%s: plan %s loaded as plan %d\n", name, plan.Code, plan.ID)
					f.Close()
					continue
				}
			}
		default:
			f.Close()
			fmt.Fprint(stderr, transferUsage)
			return fmt.Errorf("cannot import %q", what)
		}
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, describe(err))
		}
		fmt.Fprintf(stdout, "%s: %d rows; %d new, %d updated, %d unchanged\n", name, rows, created, updated, unchanged)
	}
	return nil
}

// runExport writes a module's data as CSV or XLSX, in the format its import reads.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, transferUsage)
		return fmt.Errorf("missing what to export")
	}
	what := args[0]
	var format, out string
	cfg, err := parseFlags("export "+what, args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "", "csv or xlsx (default: the --out file's ending)")
		fs.StringVar(&out, "out", "", "the file to write")
	})
	if err != nil {
		return err
	}
	if out == "" {
		return fmt.Errorf("--out is required")
	}
	if format == "" {
		format = strings.TrimPrefix(filepath.Ext(out), ".")
	}
	if format != "csv" && format != "xlsx" {
		return fmt.Errorf("--format must be csv or xlsx")
	}
	log := newLogger(io.Discard, cfg.LogLevel)
	d, svc, err := start(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	var header []string
	var rows [][]string
	switch what {
	case "actors":
		header, rows, err = svc.actors.Export(ctx, auth.System)
	case "production":
		header, rows, err = svc.production.Export(ctx, production.Filter{})
	default:
		fmt.Fprint(stderr, transferUsage)
		return fmt.Errorf("cannot export %q", what)
	}
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if format == "csv" {
		err = importer.WriteCSV(f, header, rows)
	} else {
		err = importer.WriteXLSX(f, what, header, rows, nil)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d rows\n", out, len(rows))
	return nil
}

// importTrade imports one trade file, showing a progress bar (by bytes
// read) when stdout is a terminal.
func importTrade(ctx context.Context, svc *trade.Service, p auth.Principal, format, source, name string, f *os.File, stdout io.Writer) (trade.Batch, error) {
	// An import killed earlier must not hold up this one.
	if _, err := svc.FailAbandoned(ctx); err != nil {
		return trade.Batch{}, err
	}
	b, err := svc.Start(ctx, p, format, filepath.Base(name), source)
	if err != nil {
		return b, err
	}
	var r io.Reader = f
	if out, ok := stdout.(*os.File); ok && term.IsTerminal(int(out.Fd())) {
		if st, err := f.Stat(); err == nil {
			bar := progressbar.DefaultBytes(st.Size(), filepath.Base(name))
			defer bar.Finish()
			r = io.TeeReader(f, bar)
		}
	}
	return svc.Import(ctx, p, b, r)
}
