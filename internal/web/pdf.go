package web

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"

	"sriim/internal/i18n"
	"sriim/internal/planning"
)

// PDFs are made with go-pdf/fpdf (the maintained fork of gofpdf): plain
// documents with the core Helvetica font, whose Windows-1252 encoding covers
// Spanish.

type pdfDoc struct {
	*fpdf.Fpdf
	tr func(string) string
}

func newPDF(title string) *pdfDoc {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetTitle(title, true)
	f.SetCreator("SRIIM", true)
	f.SetMargins(15, 15, 15)
	f.SetAutoPageBreak(true, 15)
	d := &pdfDoc{Fpdf: f, tr: f.UnicodeTranslatorFromDescriptor("")}
	f.SetFooterFunc(func() {
		f.SetY(-12)
		f.SetFont("Helvetica", "", 8)
		f.CellFormat(0, 5, d.tr(fmt.Sprintf("SRIIM — %s — %d", title, f.PageNo())), "", 0, "C", false, 0, "")
	})
	f.AddPage()
	return d
}

func (d *pdfDoc) heading(size float64, text string) {
	d.SetFont("Helvetica", "B", size)
	d.MultiCell(0, size*0.5, d.tr(text), "", "L", false)
	d.Ln(1)
}

func (d *pdfDoc) para(size float64, text string) {
	d.SetFont("Helvetica", "", size)
	d.MultiCell(0, size*0.45, d.tr(text), "", "L", false)
	d.Ln(1)
}

func (d *pdfDoc) bytes() ([]byte, error) {
	var buf bytes.Buffer
	err := d.Output(&buf)
	return buf.Bytes(), err
}

// planPDF is the plan with every activity's light in year.
func planPDF(p planning.Plan, year int, lang i18n.Lang) ([]byte, error) {
	d := newPDF(p.Title)
	d.heading(16, p.Title)
	d.para(10, i18n.T(lang, "plan.rollup", year, p.Rollup.PercentDone, p.Rollup.Done, p.Rollup.Total))
	for _, o := range p.Objectives {
		d.heading(12, fmt.Sprintf("%s %s — %s", i18n.T(lang, "plan.objective"), o.Code, i18n.T(lang, "plan.percent_done", o.Rollup.PercentDone)))
		d.para(9, o.Statement)
		for _, s := range o.Strategies {
			d.heading(10, fmt.Sprintf("%s %s: %s", i18n.T(lang, "plan.strategy"), s.Code, s.Title))
			for _, a := range s.Activities {
				line := fmt.Sprintf("%s  %s  [%s]  %s", a.Code, a.Title, a.Period, i18n.T(lang, "light."+string(a.Light)))
				if a.LastPeriod != "" {
					line += fmt.Sprintf(" (%s: %s)", a.LastPeriod, i18n.T(lang, "progress."+a.LastStatus))
				}
				d.para(8.5, line)
			}
		}
	}
	d.para(7, i18n.T(lang, "field.source")+": "+p.Source)
	return d.bytes()
}

// reportPDF is one progress report with its activity.
func reportPDF(a planning.Activity, r planning.Report, lang i18n.Lang) ([]byte, error) {
	d := newPDF(a.Code + " " + r.Period)
	d.heading(14, a.Code+" "+a.Title)
	d.para(10, fmt.Sprintf("%s: %s — %s (%s)", i18n.T(lang, "plan.report"), r.Period, i18n.T(lang, "progress."+r.Status), i18n.T(lang, "state."+r.State)))
	if r.Narrative != "" {
		d.para(10, r.Narrative)
	}
	for _, ind := range a.Indicators {
		if v, ok := r.Values[ind.ID]; ok {
			d.para(10, fmt.Sprintf("%s: %s", ind.Name, formatNumber(v)))
		}
	}
	var targets []string
	for _, t := range a.Targets {
		targets = append(targets, fmt.Sprintf("%d: %s", t.Year, t.Statement))
	}
	d.heading(11, i18n.T(lang, "plan.targets"))
	d.para(9, strings.Join(targets, "\n"))
	if len(r.Evidence) > 0 {
		var names []string
		for _, e := range r.Evidence {
			names = append(names, e.Name)
		}
		d.para(9, i18n.T(lang, "plan.evidence")+": "+strings.Join(names, ", "))
	}
	d.para(8, i18n.T(lang, "plan.reported_by", r.ReportedBy)+" · "+i18n.T(lang, "plan.reviewed_by", r.ReviewedBy))
	return d.bytes()
}
