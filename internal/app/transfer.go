package app

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"sriim/internal/archive"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/events"
	"sriim/internal/exports"
	"sriim/internal/geo"
	"sriim/internal/i18n"
	"sriim/internal/importer"
	"sriim/internal/planning"
	"sriim/internal/prices"
	"sriim/internal/production"
	"sriim/internal/regulation"
	"sriim/internal/trade"
	"sriim/internal/zones"
)

const transferUsage = `Usage:
  sriim import actors|production|prices FILE… [--institution CODE]
  sriim import norms|procedures|procedure-cases|requirements FILE… [--institution CODE]
  sriim import holidays|uit FILE…  (the calendar of days off and the UIT of each year, as in data/seed)
  sriim import plan FILE…          (a plan in the data-file format of data/seed/plan-pop-moluscos.json)
  sriim import attendance --event ID FILE.xlsx|csv [--confirm all|none]
                                   (columns nombre,documento,sexo,edad,organizacion,ruc,cargo; near matches of
                                   organisations to the registry are asked at a terminal, or all confirmed or rejected)
  sriim import trade --format comtrade-legacy|comtrade-v1|sriim FILE… [--source TEXT]
  sriim import zones --layer aquaculture-rights|production-areas|natural-banks|landing-sites|suitable-zones [--srs EPSG:N] FILE…
                                   (GeoJSON, zipped Shapefile or KML; --srs for a file that does not declare its system)
  sriim import closures FILE…      (CSV or XLSX: area,motivo,desde,hasta,resolucion,notas)
  sriim import exports FILE… [--source TEXT]   (export declarations, CSV or XLSX in the template's Spanish columns)
  sriim import price-index --series pen-usd|cpi-lima FILE…   (anio,mes,valor,fuente; cpi-lima: anio,mes,variacion_pct,fuente)
  sriim import documents --metadata FILE.csv|FILE.xlsx [--institution CODE]
                                   (columns archivo,titulo,tipo,autores,institucion,anio,idioma,resumen,
                                    palabras_clave,especies,actividades,acceso; each file named
                                    relative to the metadata file)
  sriim export actors|production|prices|norms|procedures|procedure-cases|requirements --format csv|xlsx --out FILE
  sriim export zones --layer LAYER|closures --format csv|xlsx --out FILE
`

// runImport imports spreadsheets from the command line. Rows it creates are
// kept by --institution (DIREPRO Ilo by default); every change is audited
// as the system.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, transferUsage)
		return errs.E(errs.Invalid, "missing what to import")
	}
	what := args[0]
	var institution, format, source, layer, srsName, confirm, series, metadata string
	var event int64
	var files []string
	cfg, err := parseFlagsWithArgs("import "+what, args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&institution, "institution", "DIREPRO-ILO", "code of the institution that will keep new rows")
		fs.StringVar(&format, "format", "", "trade: comtrade-legacy, comtrade-v1 or sriim")
		fs.StringVar(&source, "source", "", "trade and exports: where the data comes from")
		fs.StringVar(&layer, "layer", "", "zones: the layer to import into")
		fs.StringVar(&srsName, "srs", "", "zones: the coordinate system of a file that does not declare one (EPSG:4326, EPSG:32717–32719, EPSG:24877–24879)")
		fs.Int64Var(&event, "event", 0, "attendance: the event's number")
		fs.StringVar(&confirm, "confirm", "", "attendance: all (confirm every near match of an organisation to the registry) or none (reject them); at a terminal, asked one by one")
		fs.StringVar(&series, "series", "", "price-index: pen-usd (soles per US dollar) or cpi-lima (INEI's monthly changes)")
		fs.StringVar(&metadata, "metadata", "", "documents: the CSV or XLSX file that describes the batch")
	}, &files)
	if err != nil {
		return err
	}
	if what == "documents" {
		if metadata == "" || len(files) > 0 {
			return errs.E(errs.Invalid, "documents: give the batch as --metadata FILE (the files it names are read beside it)")
		}
	} else if len(files) == 0 {
		return errs.E(errs.Invalid, "name at least one file")
	}
	var srs geo.SRS
	if srsName != "" {
		if srs, err = geo.ParseSRS(srsName); err != nil {
			return err
		}
	}
	log := newLogger(io.Discard, cfg.LogLevel)
	d, svc, err := start(ctx, cfg, log, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	inst, err := svc.Accounts.InstitutionByCode(ctx, institution)
	if err != nil {
		return err
	}
	p := auth.System
	p.Institutions = []int64{inst.ID}
	if what == "documents" {
		return importDocuments(ctx, svc.Archive, p, metadata, stdout)
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		var rows, created, updated, unchanged int
		switch what {
		case "actors":
			rep, ierr := svc.Actors.Import(ctx, p, f, name)
			err = ierr
			rows, created, updated, unchanged = rep.Rows, rep.Created, rep.Updated, rep.Unchanged
			for _, w := range rep.Warnings {
				i18n.Say(stdout, cfg.Lang, "%s: warning: %s", name, i18n.Text(cfg.Lang, w.Message))
			}
		case "production":
			rep, ierr := svc.Production.Import(ctx, p, f, name)
			err = ierr
			rows, created, updated, unchanged = rep.Rows, rep.Created, rep.Updated, rep.Unchanged
		case "norms", "procedures", "procedure-cases", "requirements":
			imp := map[string]func(context.Context, auth.Principal, io.Reader, string) (regulation.ImportReport, error){
				"norms": svc.Regulation.ImportNorms, "procedures": svc.Regulation.ImportProcedures,
				"procedure-cases": svc.Regulation.ImportCases, "requirements": svc.Regulation.ImportRequirements}[what]
			rep, ierr := imp(ctx, p, f, name)
			err = ierr
			rows, created, updated, unchanged = rep.Rows, rep.Created, rep.Updated, rep.Unchanged
		case "holidays", "uit":
			var n int
			if what == "holidays" {
				n, err = svc.Workdays.Import(ctx, p, f, name)
			} else {
				n, err = svc.Regulation.ImportUIT(ctx, p, f, name)
			}
			if err == nil {
				fmt.Fprintf(stdout, "%s: %d added or changed\n", name, n)
				f.Close()
				continue
			}
		case "trade":
			var b trade.Batch
			if b, err = importTrade(ctx, svc.Trade, p, format, source, name, f, stdout); err == nil {
				rows, created = int(b.Rows), int(b.Rows)
			}
		case "zones", "closures":
			var rep zones.ImportReport
			if what == "zones" {
				rep, err = svc.Zones.Import(ctx, p, layer, f, name, srs)
			} else {
				rep, err = svc.Zones.ImportClosures(ctx, p, f, name)
			}
			rows, created, updated, unchanged = rep.Features, rep.Created, rep.Updated, rep.Unchanged
			for _, w := range rep.Warnings {
				i18n.Say(stdout, cfg.Lang, "%s: warning: %s", name, i18n.Text(cfg.Lang, w.Message))
			}
		case "attendance":
			var rep events.AttendanceReport
			if rep, err = importAttendance(ctx, svc.Events, p, event, confirm, name, f, stdout, cfg.Lang); err == nil {
				i18n.Say(stdout, cfg.Lang, "%s: %d rows; %d participants added, %d updated, %d unchanged; %d new people; %d linked to the registry",
					name, rep.Rows, rep.Added, rep.Updated, rep.Unchanged, rep.NewPeople, rep.Linked)
				f.Close()
				continue
			}
		case "prices":
			rep, ierr := svc.Prices.Import(ctx, p, f, name)
			err = ierr
			rows, created, updated, unchanged = rep.Rows, rep.Created, rep.Updated, rep.Unchanged
		case "price-index":
			if series == prices.CPISeries {
				created, err = svc.Prices.LoadCPI(ctx, p, f)
			} else if series != "" {
				created, err = svc.Prices.LoadIndex(ctx, p, series, f)
			} else {
				err = errs.E(errs.Invalid, "--series is required")
			}
			rows = created
		case "exports":
			var b exports.Batch
			if b, err = importExports(ctx, svc.Exports, p, source, name, f, stdout); err == nil {
				rows, created = int(b.Rows), int(b.Rows)
				i18n.Say(stdout, cfg.Lang, "%s: %d exporters, %d of them not in the registry (leads)", name, b.Exporters, b.Leads)
			}
		case "plan":
			var pf planning.File
			if pf, err = planning.ReadFile(f); err == nil {
				var plan planning.Plan
				if plan, err = svc.Planning.Import(ctx, p, pf); err == nil {
					i18n.Say(stdout, cfg.Lang, "%s: plan %s loaded as plan %d", name, plan.Code, plan.ID)
					f.Close()
					continue
				}
			}
		default:
			f.Close()
			fmt.Fprint(stderr, transferUsage)
			return errs.E(errs.Invalid, "cannot import %q", what)
		}
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		i18n.Say(stdout, cfg.Lang, "%s: %d rows; %d new, %d updated, %d unchanged", name, rows, created, updated, unchanged)
	}
	return nil
}

// runExport writes a module's data as CSV or XLSX, in the format its import reads.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, transferUsage)
		return errs.E(errs.Invalid, "missing what to export")
	}
	what := args[0]
	var format, out, layer string
	cfg, err := parseFlags("export "+what, args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&layer, "layer", "", "zones: the layer (or closures)")
		fs.StringVar(&format, "format", "", "csv or xlsx (default: the --out file's ending)")
		fs.StringVar(&out, "out", "", "the file to write")
	})
	if err != nil {
		return err
	}
	if out == "" {
		return errs.E(errs.Invalid, "--out is required")
	}
	if format == "" {
		format = strings.TrimPrefix(filepath.Ext(out), ".")
	}
	if format != "csv" && format != "xlsx" {
		return errs.E(errs.Invalid, "--format must be csv or xlsx")
	}
	log := newLogger(io.Discard, cfg.LogLevel)
	d, svc, err := start(ctx, cfg, log, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	var header []string
	var rows [][]string
	switch what {
	case "actors":
		header, rows, err = svc.Actors.Export(ctx, auth.System)
	case "production":
		header, rows, err = svc.Production.Export(ctx, production.Filter{})
	case "zones":
		header, rows, err = svc.Zones.Export(ctx, layer)
		what = layer
	case "prices":
		header, rows, err = svc.Prices.Export(ctx)
	case "norms":
		header, rows, err = svc.Regulation.ExportNorms(ctx, auth.System)
	case "procedures":
		header, rows, err = svc.Regulation.ExportProcedures(ctx, auth.System)
	case "procedure-cases":
		header, rows, err = svc.Regulation.ExportCases(ctx, auth.System)
	case "requirements":
		header, rows, err = svc.Regulation.ExportRequirements(ctx, auth.System)
	default:
		fmt.Fprint(stderr, transferUsage)
		return errs.E(errs.Invalid, "cannot export %q", what)
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
	i18n.Say(stdout, cfg.Lang, "%s: %d rows", out, len(rows))
	return nil
}

// importAttendance stages an attendance sheet, settles its near matches —
// all confirmed or all rejected by --confirm, else asked one by one at a
// terminal — and applies it.
func importAttendance(ctx context.Context, svc *events.Service, p auth.Principal, event int64, confirm, name string, f *os.File, stdout io.Writer, lang i18n.Lang) (events.AttendanceReport, error) {
	if event == 0 {
		return events.AttendanceReport{}, errs.E(errs.Invalid, "--event is required: the event's number")
	}
	if confirm != "" && confirm != "all" && confirm != "none" {
		return events.AttendanceReport{}, errs.E(errs.Invalid, "--confirm must be all or none")
	}
	st, err := svc.Stage(ctx, p, event, f, filepath.Base(name))
	if err != nil {
		return events.AttendanceReport{}, err
	}
	for _, w := range st.Warnings {
		i18n.Say(stdout, lang, "%s: warning: %s", name, i18n.Message(lang, "row %d: %s", w.Line, i18n.Message(lang, w.Msg.Format, w.Msg.Args...)))
	}
	answers := map[string]bool{}
	interactive := confirm == "" && term.IsTerminal(int(os.Stdin.Fd()))
	if len(st.Proposals) > 0 && confirm == "" && !interactive {
		_ = svc.Discard(ctx, p, st.ID)
		return events.AttendanceReport{}, errs.E(errs.Invalid, "%d organisations nearly match a registered actor: give --confirm all or --confirm none, or run the command at a terminal to answer each", len(st.Proposals))
	}
	in := bufio.NewReader(os.Stdin)
	for _, pr := range st.Proposals {
		switch {
		case confirm != "":
			answers[pr.Key] = confirm == "all"
		default:
			fmt.Fprint(stdout, i18n.Message(lang, "%q (rows %s) is the registered %q (no. %d)? [y/n] ", pr.Organisation, joinInts(pr.Lines), pr.ActorName, pr.ActorID))
			line, _ := in.ReadString('\n')
			answers[pr.Key] = strings.HasPrefix(strings.ToLower(strings.TrimSpace(line)), "y") || strings.HasPrefix(strings.ToLower(strings.TrimSpace(line)), "s")
		}
	}
	return svc.Apply(ctx, p, st.ID, answers)
}

func joinInts(list []int) string {
	s := make([]string, len(list))
	for i, n := range list {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
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
	return svc.Import(ctx, p, b, progressReader(f, name, stdout))
}

// progressReader reads f, showing a progress bar by bytes read when stdout
// is a terminal.
func progressReader(f *os.File, name string, stdout io.Writer) io.Reader {
	if out, ok := stdout.(*os.File); ok && term.IsTerminal(int(out.Fd())) {
		if st, err := f.Stat(); err == nil {
			return io.TeeReader(f, progressbar.DefaultBytes(st.Size(), filepath.Base(name)))
		}
	}
	return f
}

// importExports imports one file of export declarations, showing a progress
// bar (by bytes read) when stdout is a terminal.
func importExports(ctx context.Context, svc *exports.Service, p auth.Principal, source, name string, f *os.File, stdout io.Writer) (exports.Batch, error) {
	b, err := svc.Start(ctx, p, filepath.Base(name), source)
	if err != nil {
		return b, err
	}
	return svc.Import(ctx, p, b, progressReader(f, name, stdout))
}

// importDocuments imports a batch of documents: the metadata file and the
// files it names, read only from its folder and below.
func importDocuments(ctx context.Context, svc *archive.Service, p auth.Principal, metadata string, stdout io.Writer) error {
	root, err := os.OpenRoot(filepath.Dir(metadata))
	if err != nil {
		return err
	}
	defer root.Close()
	f, err := os.Open(metadata)
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := svc.Import(ctx, p, f, metadata, root.FS())
	if err != nil {
		return fmt.Errorf("%s: %w", metadata, err)
	}
	fmt.Fprintf(stdout, "%s: %d documents; %d new, %d updated, %d unchanged\n", metadata, rep.Rows, rep.Created, rep.Updated, rep.Unchanged)
	return nil
}
