package reports

import (
	"cmp"
	"fmt"
	"image/color"
	"strconv"
	"time"

	"sriim/internal/i18n"
	"sriim/internal/planning"
	"sriim/internal/render"
)

// PlanPDF is the plan with every activity's light in year, the lights'
// count and the timeline.
func PlanPDF(p planning.Plan, acts []planning.Activity, year int, lang i18n.Lang) ([]byte, error) {
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
	for _, l := range LightColors {
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
		png, err := PlanTimeline(acts, year, lang).Draw(render.PNG)
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

// ProgressPDF is one progress report with its activity.
func ProgressPDF(a planning.Activity, r planning.Report, lang i18n.Lang) ([]byte, error) {
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
				v = render.FormatNumber(x)
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

// LightColors are the traffic lights in the order charts and documents list
// them, with their colours (the pages' CSS colours).
var LightColors = []struct {
	light planning.Light
	color color.RGBA
}{
	{planning.LightDone, color.RGBA{R: 0x1e, G: 0x7b, B: 0x34, A: 255}},
	{planning.LightOnTrack, color.RGBA{R: 0x0b, G: 0x5c, B: 0x7a, A: 255}},
	{planning.LightLate, color.RGBA{R: 0xa3, G: 0x23, B: 0x1b, A: 255}},
	{planning.LightNotStarted, color.RGBA{R: 0x9a, G: 0xa6, B: 0xb0, A: 255}},
	{planning.LightCancelled, color.RGBA{R: 0xd5, G: 0xdd, B: 0xe3, A: 255}},
}
