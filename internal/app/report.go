package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/i18n"
	"sriim/internal/render/reports"
)

// runReport makes a market-intelligence report and writes it as HTML, PDF
// and an XLSX annex: sriim report markets --period 2026-S1 --lang es --out DIR.
// The report is in the language of the command (--lang, shared by every command).
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "markets" {
		fmt.Fprint(stderr, "Usage: sriim report markets --period 2026-S1 --lang es|en --out DIR [--lines loco_congelado,loco_conserva]\n")
		return errs.E(errs.Invalid, "unknown report")
	}
	var period, out, lines string
	cfg, err := parseFlags("report markets", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&period, "period", "", "the semester, 2026-S1")
		fs.StringVar(&out, "out", ".", "directory for the files")
		fs.StringVar(&lines, "lines", "", "product lines, comma-separated (default: all)")
	})
	if err != nil {
		return err
	}
	log := newLogger(io.Discard, cfg.LogLevel)
	d, svc, err := start(ctx, cfg, log, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	var list []string
	if lines != "" {
		list = strings.Split(lines, ",")
	}
	rep, err := svc.Trade.BuildReport(ctx, auth.System, period, string(cfg.Lang), list)
	if err != nil {
		return err
	}
	html, err := reports.MarketHTML(rep)
	if err != nil {
		return err
	}
	pdf, err := reports.MarketPDF(rep)
	if err != nil {
		return err
	}
	xlsx, err := reports.MarketXLSX(rep)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	base := filepath.Join(out, "informe-mercados-"+rep.Period)
	for ext, b := range map[string][]byte{".html": html, ".pdf": pdf, "-anexo.xlsx": xlsx} {
		if err := os.WriteFile(base+ext, b, 0o644); err != nil {
			return err
		}
	}
	i18n.Say(stdout, cfg.Lang, "report %d (%s, data %d–%d, imports %v): %s.html, .pdf, -anexo.xlsx", rep.ID, rep.Period, rep.From, rep.To, rep.Batches, base)
	return nil
}
