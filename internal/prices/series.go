package prices

import (
	"context"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/exports"
	"sriim/internal/trade"
)

// speciesLines are the product lines whose declarations give a species'
// export unit values, by presentation.
var speciesLines = map[string]map[string]string{
	"SNE": {"loco_fresco": "fresh", "loco_congelado": "frozen", "loco_conserva": "canned"},
}

// ExportSource is the source of the export unit values derived from the declarations.
const ExportSource = "SUNAT, declaraciones de exportación (valor FOB entre peso neto)"

// SeriesQuery selects a price series: the API's
// species=SNE&level=playa&place=DPA-ILO&from=2024-01&to=2024-12&by=month.
type SeriesQuery struct {
	Species      string
	Level        string // beach (playa), wholesale, retail, export_fob
	Place        string // "" for every place
	Presentation string // "" for every presentation
	Currency     string // PEN (default) or USD (default for export_fob)
	From, To     exports.Period
	By           string // month (default) or year
	// ConstantYear, when set, gives soles of that year (INEI's CPI of Lima
	// Metropolitana); the nominal means stay beside them.
	ConstantYear int
}

// Point is a period's mean price: weighted by quantity when every price of
// the period gives one, a plain mean otherwise; n prices (an export unit
// value counts its declarations).
type Point struct {
	Period     string   `json:"period"`
	Mean       *float64 `json:"mean"`
	Nominal    *float64 `json:"nominal,omitempty"` // when Mean is in constant soles
	N          int      `json:"n"`
	Method     string   `json:"method"` // weighted or plain
	QuantityKg *float64 `json:"quantity_kg,omitempty"`
	Min        float64  `json:"min"`
	Max        float64  `json:"max"`
}

// Series is a species' price at a level over time.
type Series struct {
	Species      string  `json:"species"`
	Level        string  `json:"level"`
	Place        string  `json:"place,omitempty"`
	Presentation string  `json:"presentation,omitempty"`
	Currency     string  `json:"currency"`
	Unit         string  `json:"unit"`
	By           string  `json:"by"`
	ConstantYear int     `json:"constant_year,omitempty"`
	Points       []Point `json:"points"`
	// Apart are the prices the means leave out: ranges ("entre 8 a 12
	// soles/Kg"), and in a monthly series prices known only by their year.
	Apart   []Price  `json:"apart"`
	Sources []string `json:"sources"`
}

// observation is one price in a period's mean.
type observation struct {
	price float64
	qty   *float64
	n     int
}

func (q *SeriesQuery) normalize() error {
	bad := map[string]string{}
	if q.Species == "" {
		bad["species"] = "required"
	}
	if lv, ok := Levels.Parse(q.Level); ok {
		q.Level = lv
	} else {
		bad["level"] = "playa, mayorista, minorista or exportacion_fob"
	}
	if q.Currency == "" {
		q.Currency = "PEN"
		if q.Level == "export_fob" {
			q.Currency = "USD"
		}
	}
	if c, ok := Currencies[strings.ToLower(q.Currency)]; ok {
		q.Currency = c
	} else {
		bad["currency"] = "PEN or USD"
	}
	if q.By == "" {
		q.By = "month"
	}
	if q.By != "month" && q.By != "year" {
		bad["by"] = "month or year"
	}
	if q.From.Year == 0 || q.To.Year == 0 || q.To.Year < q.From.Year || q.To.Year-q.From.Year > 50 {
		bad["from"] = "a first and last year or month, at most 50 years apart"
	}
	if q.ConstantYear != 0 && q.Currency != "PEN" {
		bad["constant"] = "constant prices are in soles (PEN)"
	}
	if len(bad) > 0 {
		return errs.Fields("the series cannot be made", bad)
	}
	return nil
}

// periodOf is the series' period of a year, month (0 for a year) and whether it has one.
func (q *SeriesQuery) periodOf(year, month int) (exports.Period, bool) {
	if q.By == "year" {
		return exports.Period{Year: year}, true
	}
	if month == 0 {
		return exports.Period{}, false
	}
	p := exports.Period{Year: year, Month: month}
	from, to := q.From, q.To
	if from.Month == 0 {
		from.Month = 1
	}
	if to.Month == 0 {
		to.Month = 12
	}
	inRange := !(p.Year*100+p.Month < from.Year*100+from.Month) && !(p.Year*100+p.Month > to.Year*100+to.Month)
	return p, inRange
}

// Series computes a price series.
func (s *Service) Series(ctx context.Context, q SeriesQuery) (Series, error) {
	if err := q.normalize(); err != nil {
		return Series{}, err
	}
	out := Series{Species: q.Species, Level: q.Level, Place: q.Place, Presentation: q.Presentation, Currency: q.Currency, Unit: "kg",
		By: q.By, ConstantYear: q.ConstantYear, Points: []Point{}, Apart: []Price{}, Sources: []string{}}
	byPeriod := map[exports.Period][]observation{}
	addSource := func(src string) {
		if !slices.Contains(out.Sources, src) {
			out.Sources = append(out.Sources, src)
		}
	}
	args := []any{q.Species, q.Level, q.Currency, q.From.Year, q.To.Year}
	where := "species = $1 AND level = $2 AND currency = $3 AND year BETWEEN $4 AND $5"
	if q.Place != "" {
		args = append(args, q.Place)
		where += " AND place = $" + strconv.Itoa(len(args))
	}
	if q.Presentation != "" {
		args = append(args, q.Presentation)
		where += " AND presentation = $" + strconv.Itoa(len(args))
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+" FROM prices WHERE "+where+" ORDER BY year, month, day, id", args...)
	if err != nil {
		return out, errs.Wrap(err, "read prices")
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scan(rows)
		if err != nil {
			return out, errs.Wrap(err, "read prices")
		}
		per, ok := q.periodOf(p.Year, p.Month)
		switch {
		case p.PriceTo != nil || !ok && p.Month == 0:
			out.Apart = append(out.Apart, p)
			addSource(p.Source)
		case ok:
			byPeriod[per] = append(byPeriod[per], observation{price: p.Price, qty: p.QuantityKg, n: 1})
			addSource(p.Source)
		}
	}
	if err := rows.Err(); err != nil {
		return out, errs.Wrap(err, "read prices")
	}
	if q.Level == "export_fob" && q.Currency == "USD" && s.exports != nil {
		if err := s.exportValues(ctx, q, byPeriod, addSource); err != nil {
			return out, err
		}
	}
	var cpi *index
	if q.ConstantYear != 0 {
		if cpi, err = s.index(ctx, CPISeries); err != nil {
			return out, err
		}
		if _, ok := cpi.years[q.ConstantYear]; !ok {
			return out, errs.Fields("the series cannot be made", map[string]string{"constant": "a year the consumer price index covers"})
		}
	}
	periods := make([]exports.Period, 0, len(byPeriod))
	for per := range byPeriod {
		periods = append(periods, per)
	}
	sort.Slice(periods, func(i, j int) bool {
		return periods[i].Year*100+periods[i].Month < periods[j].Year*100+periods[j].Month
	})
	for _, per := range periods {
		pt := mean(byPeriod[per])
		pt.Period = per.String()
		if cpi != nil {
			pt.Nominal = pt.Mean
			pt.Mean = nil
			if f, ok := cpi.factor(q.ConstantYear, per); ok {
				v := round(*pt.Nominal * f)
				pt.Mean = &v
			}
		}
		out.Points = append(out.Points, pt)
	}
	return out, nil
}

// exportValues adds the export unit values the declarations give (US$ FOB
// per kg, weighted by net weight) for the species' product lines.
func (s *Service) exportValues(ctx context.Context, q SeriesQuery, byPeriod map[exports.Period][]observation, addSource func(string)) error {
	var lines []string
	for line, pres := range speciesLines[q.Species] {
		if q.Presentation == "" || q.Presentation == pres {
			lines = append(lines, line)
		}
	}
	if len(lines) == 0 {
		return nil
	}
	sort.Strings(lines)
	dest := 0
	if q.Place != "" {
		code, ok := trade.PartnerByISO(q.Place)
		if !ok {
			return nil // a port or market, not a destination: no declarations
		}
		dest = code
	}
	sums, err := s.exports.MonthlySums(ctx, lines, "PE", dest, q.From.Year, q.To.Year)
	if err != nil {
		return err
	}
	for _, m := range sums {
		per, ok := q.periodOf(m.Year, m.Month)
		if !ok || !(m.Kg > 0) {
			continue
		}
		kg := m.Kg
		byPeriod[per] = append(byPeriod[per], observation{price: m.FOB / m.Kg, qty: &kg, n: int(m.Declarations)})
		addSource(ExportSource)
	}
	return nil
}

// mean is a period's point: weighted by quantity when every observation
// gives one (and they add up to more than zero), else a plain mean.
func mean(obs []observation) Point {
	pt := Point{Min: math.Inf(1), Max: math.Inf(-1), Method: "weighted"}
	var sum, weighted, qty float64
	var count int
	for _, o := range obs {
		pt.N += o.n
		count++
		sum += o.price
		pt.Min, pt.Max = math.Min(pt.Min, o.price), math.Max(pt.Max, o.price)
		if o.qty == nil {
			pt.Method = "plain"
			continue
		}
		weighted += o.price * *o.qty
		qty += *o.qty
	}
	var m float64
	if pt.Method == "weighted" && qty > 0 {
		m = weighted / qty
		q := round(qty)
		pt.QuantityKg = &q
	} else {
		pt.Method = "plain"
		m = sum / float64(count)
	}
	m = round(m)
	pt.Mean = &m
	pt.Min, pt.Max = round(pt.Min), round(pt.Max)
	return pt
}

func round(v float64) float64 { return math.Round(v*100) / 100 }

// MarginPoint is the gap between the beach and the export price in a
// period, in soles per kg (the export price at the period's exchange rate).
type MarginPoint struct {
	Period       string   `json:"period"`
	Beach        *float64 `json:"beach"`         // S/ per kg
	ExportFOB    *float64 `json:"export_fob"`    // US$ per kg
	ExchangeRate *float64 `json:"exchange_rate"` // S/ per US$
	ExportPEN    *float64 `json:"export_pen"`
	Margin       *float64 `json:"margin"` // export_pen − beach
	Ratio        *float64 `json:"ratio"`  // export_pen / beach
}

// Margin compares a species' beach price at a place with its export unit
// value (to a destination's ISO code, or "" for all), by month or year.
func (s *Service) Margin(ctx context.Context, species, beachPlace, destination string, from, to exports.Period, by string) ([]MarginPoint, error) {
	beach, err := s.Series(ctx, SeriesQuery{Species: species, Level: "beach", Place: beachPlace, From: from, To: to, By: by})
	if err != nil {
		return nil, err
	}
	export, err := s.Series(ctx, SeriesQuery{Species: species, Level: "export_fob", Place: destination, From: from, To: to, By: by})
	if err != nil {
		return nil, err
	}
	rates, err := s.index(ctx, ExchangeSeries)
	if err != nil {
		return nil, err
	}
	byPeriod := map[string]*MarginPoint{}
	var order []string
	point := func(per string) *MarginPoint {
		if byPeriod[per] == nil {
			byPeriod[per] = &MarginPoint{Period: per}
			order = append(order, per)
		}
		return byPeriod[per]
	}
	for _, p := range beach.Points {
		point(p.Period).Beach = p.Mean
	}
	for _, p := range export.Points {
		point(p.Period).ExportFOB = p.Mean
	}
	sort.Strings(order)
	out := make([]MarginPoint, 0, len(order))
	for _, per := range order {
		m := byPeriod[per]
		if p, err := exports.ParsePeriod(per); err == nil {
			if r, ok := rates.at(p); ok {
				m.ExchangeRate = &r
			}
		}
		if m.ExportFOB != nil && m.ExchangeRate != nil {
			v := round(*m.ExportFOB * *m.ExchangeRate)
			m.ExportPEN = &v
			if m.Beach != nil && *m.Beach > 0 {
				d, r := round(v-*m.Beach), round(v / *m.Beach)
				m.Margin, m.Ratio = &d, &r
			}
		}
		out = append(out, *m)
	}
	return out, nil
}
