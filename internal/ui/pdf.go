package ui

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
	"time"

	"sriim/internal/i18n"
	"sriim/internal/planning"
	"sriim/internal/render"
	"sriim/internal/stats"
	"sriim/internal/trade"
)

// The PDFs a trade office or the Mesa de Trabajo sends out: a cover, a
// summary, tables with aligned and rounded figures, the pages' charts,
// sources and methods, in the document's language (internal/render draws
// them). Each depends only on its data, dates included.

// newDoc starts a document with SRIIM's running header and page numbers.
func newDoc(lang i18n.Lang, title string, date time.Time) *render.Doc {
	return render.NewDoc(render.DocOptions{Title: title, Author: i18n.T(lang, "pdf.author"), Lang: string(lang),
		Header: "SRIIM · " + title, Date: date,
		PageLabel: func(n int) string { return i18n.T(lang, "pdf.page", n, "{nb}") }})
}

// longDate writes a date as people write it in lang: "2 de julio de 2026", "2 July 2026".
func longDate(t time.Time, lang i18n.Lang) string {
	if lang == i18n.EN {
		return t.Format("2 January 2006")
	}
	months := []string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}
	return fmt.Sprintf("%d de %s de %d", t.Day(), months[t.Month()-1], t.Year())
}

// pctCell writes a percentage with one decimal ("12.3 %"), "—" when none.
func pctCell(p *float64) string {
	if p == nil {
		return "—"
	}
	return fixedDecimals(*p, 1) + " %"
}

// fixedDecimals writes v with a fixed number of decimals, so that figures in a
// column line up ("6.0", "22.5"); the minus is a minus sign, as on the pages.
func fixedDecimals(v float64, decimals int) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', decimals, 64), "-", "−", 1)
}

// cagrCell is a CAGR with the years it spans when they are not the table's.
func cagrCell(p *float64, span *stats.Span, years []int) string {
	s := pctCell(p)
	if p != nil && span != nil && len(years) > 0 && (span[0] != years[0] || span[1] != years[len(years)-1]) {
		s += " (" + yearSpan(span[0], span[1]) + ")"
	}
	return s
}

// thousandsCell is US$ in thousands, rounded, "—" when the year has none.
func thousandsCell(values map[int]float64, year int) string {
	v, ok := values[year]
	if !ok {
		return "—"
	}
	return formatNumber(math.Round(v / 1000))
}

// lightColor is a traffic light's colour.
func lightColor(l planning.Light) *color.RGBA {
	for _, x := range lightColors {
		if x.light == l {
			c := x.color
			return &c
		}
	}
	return nil
}

// statusLight is the light a progress report's status shows.
var statusLight = map[string]planning.Light{"done": planning.LightDone, "in_progress": planning.LightOnTrack,
	"delayed": planning.LightLate, "not_started": planning.LightNotStarted, "cancelled": planning.LightCancelled}

// planPDF is the plan with every activity's light in year, the lights'
// count and the timeline.
func planPDF(p planning.Plan, acts []planning.Activity, year int, lang i18n.Lang) ([]byte, error) {
	title := p.Title
	if lang == i18n.EN && p.TitleEN != "" {
		title = p.TitleEN
	}
	d := newDoc(lang, title, time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC))
	d.Cover(title, i18n.T(lang, "plan.pdf_subtitle", year), []string{
		i18n.T(lang, "plan.lead", p.StartYear, p.EndYear),
		"",
		p.Issuer + " · " + p.Published,
	}, i18n.T(lang, "pdf.author"))

	d.Heading(1, i18n.T(lang, "report.summary"))
	d.Para(i18n.T(lang, "plan.rollup", year, p.Rollup.PercentDone, p.Rollup.Done, p.Rollup.Total))
	count := map[planning.Light]int{planning.LightDone: p.Rollup.Done, planning.LightOnTrack: p.Rollup.OnTrack,
		planning.LightLate: p.Rollup.Late, planning.LightNotStarted: p.Rollup.NotStarted, planning.LightCancelled: p.Rollup.Cancelled}
	var legend []render.Cell
	for _, l := range lightColors {
		legend = append(legend, render.Cell{Text: fmt.Sprintf("%s: %d", i18n.T(lang, "light."+string(l.light)), count[l.light]), Dot: lightColor(l.light)})
	}
	d.Legend(legend)
	objectives := render.Table{Header: []string{i18n.T(lang, "plan.objective"), i18n.T(lang, "plan.activities"), i18n.T(lang, "plan.percent_column")},
		Widths: []float64{6, 1.2, 1.2}, Numeric: []bool{false, true, true}}
	for _, o := range p.Objectives {
		objectives.Rows = append(objectives.Rows, []render.Cell{{Text: o.Code + ". " + o.Statement}, {Text: strconv.Itoa(o.Rollup.Total)},
			{Text: fixedDecimals(o.Rollup.PercentDone, 1) + " %"}})
	}
	d.Table(objectives)
	if len(acts) > 0 {
		png, err := planTimeline(acts, year, lang).Draw(render.PNG)
		if err != nil {
			return nil, err
		}
		d.Heading(2, i18n.T(lang, "plan.timeline"))
		d.Image("timeline", png, 0)
	}
	for _, o := range p.Objectives {
		d.Page()
		d.Heading(1, fmt.Sprintf("%s %s — %s", i18n.T(lang, "plan.objective"), o.Code, i18n.T(lang, "plan.percent_done", o.Rollup.PercentDone)))
		d.Para(o.Statement)
		for _, s := range o.Strategies {
			d.Heading(3, fmt.Sprintf("%s %s: %s", i18n.T(lang, "plan.strategy"), s.Code, s.Title))
			t := render.Table{Header: []string{i18n.T(lang, "plan.code"), i18n.T(lang, "plan.activity"), i18n.T(lang, "plan.period"),
				i18n.T(lang, "plan.light_in", year), i18n.T(lang, "plan.last_approved")}, Widths: []float64{0.8, 4.4, 1.1, 1.4, 1.7}}
			for _, a := range s.Activities {
				last := "—"
				if a.LastPeriod != "" {
					last = a.LastPeriod + ": " + i18n.T(lang, "progress."+a.LastStatus)
				}
				t.Rows = append(t.Rows, []render.Cell{{Text: a.Code}, {Text: a.Title}, {Text: a.Period},
					{Text: i18n.T(lang, "light."+string(a.Light)), Dot: lightColor(a.Light)}, {Text: last}})
			}
			d.Table(t)
		}
	}
	d.Heading(1, i18n.T(lang, "report.sources"))
	d.Note(i18n.T(lang, "field.source") + ": " + p.Source)
	d.Note(i18n.T(lang, "plan.pdf_method"))
	return d.Bytes()
}

// reportPDF is one progress report with its activity.
func reportPDF(a planning.Activity, r planning.Report, lang i18n.Lang) ([]byte, error) {
	title := i18n.T(lang, "plan.report_title", a.Code, r.Period)
	d := newDoc(lang, title, r.UpdatedAt)
	d.Heading(1, title)
	d.Para(a.Title)
	facts := render.Table{Header: []string{i18n.T(lang, "plan.report"), ""}, Widths: []float64{1, 3}, Rows: [][]render.Cell{
		{{Text: i18n.T(lang, "plan.period")}, {Text: r.Period}},
		{{Text: i18n.T(lang, "plan.status")}, {Text: i18n.T(lang, "progress."+r.Status), Dot: lightColor(statusLight[r.Status])}},
		{{Text: i18n.T(lang, "plan.review")}, {Text: i18n.T(lang, "state."+r.State)}},
		{{Text: i18n.T(lang, "plan.reporter")}, {Text: r.ReportedBy}},
		{{Text: i18n.T(lang, "plan.reviewer")}, {Text: cmp.Or(r.ReviewedBy, "—")}},
		{{Text: i18n.T(lang, "plan.activity_period")}, {Text: a.Period}},
	}}
	d.Table(facts)
	if r.Narrative != "" {
		d.Heading(2, i18n.T(lang, "plan.narrative"))
		d.Para(r.Narrative)
	}
	if r.ReviewNote != "" {
		d.Heading(2, i18n.T(lang, "plan.note"))
		d.Para(r.ReviewNote)
	}
	if len(a.Indicators) > 0 {
		d.Heading(2, i18n.T(lang, "plan.indicators"))
		t := render.Table{Header: []string{i18n.T(lang, "plan.indicator"), i18n.T(lang, "plan.value")}, Widths: []float64{4, 1}, Numeric: []bool{false, true}}
		for _, ind := range a.Indicators {
			v := "—"
			if x, ok := r.Values[ind.ID]; ok {
				v = formatNumber(x)
			}
			t.Rows = append(t.Rows, []render.Cell{{Text: ind.Name}, {Text: v}})
		}
		d.Table(t)
	}
	if len(a.Targets) > 0 {
		d.Heading(2, i18n.T(lang, "plan.targets"))
		t := render.Table{Header: []string{i18n.T(lang, "production.year"), i18n.T(lang, "plan.target")}, Widths: []float64{0.6, 5}}
		for _, tg := range a.Targets {
			t.Rows = append(t.Rows, []render.Cell{{Text: strconv.Itoa(tg.Year)}, {Text: tg.Statement}})
		}
		d.Table(t)
	}
	if len(r.Evidence) > 0 {
		d.Heading(2, i18n.T(lang, "plan.evidence"))
		var items []string
		for _, e := range r.Evidence {
			item := e.Name
			if e.URL != "" {
				item += " — " + e.URL
			} else if e.SHA256 != "" {
				item += " — SHA-256 " + e.SHA256[:12] + "…"
			}
			items = append(items, item)
		}
		d.Bullets(items)
	}
	d.Note(i18n.T(lang, "plan.report_dates", longDate(r.CreatedAt, lang), longDate(r.UpdatedAt, lang)))
	return d.Bytes()
}

// marketReportPDF is a market-intelligence report as a trade office sends
// it: a cover, what changed, each product line's importers (chart and
// table), Peru and its competitors, the destinations of Peru's exports,
// then sources and methods.
func marketReportPDF(rep trade.IntelligenceReport) ([]byte, error) {
	lang := i18n.Lang(rep.Lang)
	title := reportTitle(rep)
	d := newDoc(lang, title, rep.CreatedAt)
	var lines []string
	for _, sec := range rep.Sections {
		lines = append(lines, "• "+productName(sec.Product, lang)+" ("+codesText(sec.Product, lang)+")")
	}
	d.Cover(title, i18n.T(lang, "report.cover_period", rep.From, rep.To),
		append([]string{i18n.T(lang, "report.cover_lines")}, lines...),
		i18n.T(lang, "report.cover_foot", longDate(rep.CreatedAt, lang)))

	d.Heading(1, i18n.T(lang, "report.summary"))
	d.Para(i18n.T(lang, "report.lead", rep.Period, rep.From, rep.To))
	d.Heading(2, i18n.T(lang, "report.changes"))
	d.Bullets(rep.Changes)
	thousands := i18n.T(lang, "report.thousands")
	for i, sec := range rep.Sections {
		if i > 0 {
			d.Page()
		}
		d.Heading(1, productName(sec.Product, lang))
		d.Note(codesText(sec.Product, lang))
		d.Heading(2, i18n.T(lang, "markets.importers")+" ("+thousands+")")
		if len(sec.Importers.Rows) == 0 {
			d.Para(i18n.T(lang, "markets.no_data"))
		} else {
			png, err := reportChart(sec, lang).Draw(render.PNG)
			if err != nil {
				return nil, err
			}
			d.Image("importers-"+sec.Product.Line, png, 0)
			d.Table(rankingTable(sec.Importers, lang, true))
		}
		if len(sec.Markets) > 0 {
			d.Heading(2, i18n.T(lang, "report.competitors"))
			t := render.Table{Header: []string{i18n.T(lang, "markets.market"), i18n.T(lang, "report.exporter"), i18n.T(lang, "report.rank"),
				i18n.T(lang, "markets.share") + " " + strconv.Itoa(rep.To), "US$/kg " + strconv.Itoa(rep.To), i18n.T(lang, "markets.cagr")},
				Widths: []float64{2, 2, 0.8, 1.1, 1.1, 1.6}, Numeric: []bool{false, false, true, true, true, true}}
			for _, m := range sec.Markets {
				for _, c := range m.Competitors {
					share, uv := "—", "—"
					if v, ok := c.Shares[rep.To]; ok {
						share = pctCell(&v)
					}
					if v, ok := c.UnitValue[rep.To]; ok {
						uv = fixedDecimals(v, 2)
					}
					t.Rows = append(t.Rows, []render.Cell{{Text: m.Market.Name(rep.Lang)}, {Text: c.Partner.Name(rep.Lang)}, {Text: rankText(c.Rank)},
						{Text: share}, {Text: uv}, {Text: cagrCell(c.CAGR, c.CAGRSpan, sec.Importers.Years)}})
				}
			}
			d.Table(t)
		}
		d.Heading(2, i18n.T(lang, "markets.destinations")+" ("+thousands+")")
		if len(sec.Destinations.Rows) == 0 {
			d.Para(i18n.T(lang, "markets.no_data"))
		} else {
			d.Table(rankingTable(sec.Destinations, lang, false))
		}
	}
	d.Heading(1, i18n.T(lang, "report.sources"))
	batches := make([]string, len(rep.Batches))
	for i, b := range rep.Batches {
		batches[i] = strconv.FormatInt(b, 10)
	}
	d.Para(i18n.T(lang, "report.sources_text", strings.Join(batches, ", ")))
	d.Para(i18n.T(lang, "markets.method"))
	d.Para(i18n.T(lang, "report.rounding"))
	d.Note(i18n.T(lang, "report.built", rep.CreatedBy, longDate(rep.CreatedAt, lang)))
	return d.Bytes()
}

// codesText lists a product's codes: "SA H2 030799, H5 030792".
func codesText(p trade.Product, lang i18n.Lang) string {
	codes := make([]string, len(p.Codes))
	for i, c := range p.Codes {
		codes[i] = strings.TrimSpace(c.Classification + " " + c.Commodity)
	}
	return i18n.T(lang, "markets.hs_codes", strings.Join(codes, ", "))
}

// rankingTable is a ranking in thousands of US$ by year, with each row's
// share and (importers) CAGR, and the total.
func rankingTable(rk trade.Ranking, lang i18n.Lang, growth bool) render.Table {
	t := render.Table{Header: []string{i18n.T(lang, "markets.country")}, Widths: []float64{2.6}, Numeric: []bool{false}, Total: true}
	for _, y := range rk.Years {
		t.Header, t.Widths, t.Numeric = append(t.Header, strconv.Itoa(y)), append(t.Widths, 1), append(t.Numeric, true)
	}
	t.Header, t.Widths, t.Numeric = append(t.Header, i18n.T(lang, "markets.share")), append(t.Widths, 1), append(t.Numeric, true)
	if growth {
		t.Header, t.Widths, t.Numeric = append(t.Header, i18n.T(lang, "markets.cagr")), append(t.Widths, 1.6), append(t.Numeric, true)
	}
	add := func(name string, values map[int]float64, share string, cagr string) {
		row := []render.Cell{{Text: name}}
		for _, y := range rk.Years {
			row = append(row, render.Cell{Text: thousandsCell(values, y)})
		}
		row = append(row, render.Cell{Text: share})
		if growth {
			row = append(row, render.Cell{Text: cagr})
		}
		t.Rows = append(t.Rows, row)
	}
	for _, r := range rk.Rows {
		add(r.Partner.Name(string(lang)), r.Values, pctCell(r.Share), cagrCell(r.CAGR, r.CAGRSpan, rk.Years))
	}
	total := i18n.T(lang, "production.total")
	if growth {
		total = i18n.T(lang, "markets.world")
	}
	add(total, rk.World.Values, "100.0 %", cagrCell(rk.World.CAGR, rk.World.CAGRSpan, rk.Years))
	return t
}
