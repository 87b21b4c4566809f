package exports

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/stats"
	"sriim/internal/trade"
)

// The ways a region's exports are broken down (Query.By).
const (
	ByYear        = "year"
	ByDestination = "destination"
	ByExporter    = "exporter"
	ByLine        = "line"
)

// The measures an analysis gives (Query.Measure).
const (
	MeasureFOB       = "fob"        // US$ FOB (the default)
	MeasureKg        = "kg"         // net weight
	MeasureUnitValue = "unit_value" // US$ FOB per kg of net weight
)

// Period is a year, or a month of it (Month 0: the whole year).
type Period struct{ Year, Month int }

// ParsePeriod reads 2004 or 2004-03.
func ParsePeriod(s string) (Period, error) {
	y, m, found := strings.Cut(strings.TrimSpace(s), "-")
	var p Period
	var err error
	if p.Year, err = strconv.Atoi(y); err != nil || p.Year < 1990 || p.Year > 2100 {
		return p, errs.E(errs.Invalid, "a year (2004) or a month (2004-03)")
	}
	if found {
		if p.Month, err = strconv.Atoi(m); err != nil || p.Month < 1 || p.Month > 12 {
			return p, errs.E(errs.Invalid, "a year (2004) or a month (2004-03)")
		}
	}
	return p, nil
}

func (p Period) String() string {
	if p.Month == 0 {
		return strconv.Itoa(p.Year)
	}
	return fmt.Sprintf("%d-%02d", p.Year, p.Month)
}

func (p Period) next() Period {
	switch {
	case p.Month == 0:
		p.Year++
	case p.Month == 12:
		p.Year, p.Month = p.Year+1, 1
	default:
		p.Month++
	}
	return p
}

func (p Period) before(q Period) bool {
	return p.Year < q.Year || p.Year == q.Year && p.Month < q.Month
}

// Query selects a regional analysis: the API's
// region=PE-MOQ&from=2004&to=2006&by=year|destination|exporter|line.
type Query struct {
	Region   string // ISO 3166-2 code of the department of production; "PE" for all
	From, To Period // years, or months of the same analysis
	By       string
	Line     string // a product line ("loco_congelado") or a national line; "" for all
	Measure  string
	RUC      string // one exporter's declarations only
}

// normalize fills the defaults and checks the query.
func (q *Query) normalize() error {
	problems := map[string]string{}
	if q.Region == "" {
		q.Region = DefaultRegion
	}
	if q.Region != "PE" && DepartmentName(q.Region) == q.Region {
		problems["region"] = "a department's ISO 3166-2 code (PE-MOQ), or PE for all"
	}
	if q.By == "" {
		q.By = ByYear
	}
	switch q.By {
	case ByYear, ByDestination, ByExporter, ByLine:
	default:
		problems["by"] = "year, destination, exporter or line"
	}
	if q.Measure == "" {
		q.Measure = MeasureFOB
	}
	switch q.Measure {
	case MeasureFOB, MeasureKg, MeasureUnitValue:
	default:
		problems["measure"] = "fob, kg or unit_value"
	}
	if q.From.Year == 0 || q.To.Year == 0 {
		problems["from"] = "a first and last year (or month)"
	} else if (q.From.Month == 0) != (q.To.Month == 0) {
		problems["to"] = "years both, or months both"
	} else if q.To.before(q.From) {
		problems["to"] = "not before from"
	} else if q.To.Year-q.From.Year > 50 {
		problems["to"] = "at most 50 years after from"
	}
	if q.Line != "" && nationalLine(q.Line) == "" {
		if _, ok := trade.ProductLine(q.Line); !ok {
			problems["line"] = "a product line or a 10-digit national line"
		}
	}
	if len(problems) > 0 {
		return errs.Fields("the analysis cannot be made", problems)
	}
	return nil
}

func (q *Query) monthly() bool { return q.From.Month != 0 }

// periods lists the query's years or months.
func (q *Query) periods() []Period { return Periods(q.From, q.To) }

// Periods lists the years from from to to, or the months when from is a
// month; none when to is before from.
func Periods(from, to Period) []Period {
	var out []Period
	for p := from; !to.before(p); p = p.next() {
		out = append(out, p)
	}
	return out
}

// Key says what a row of an analysis is about; only the fields of its
// breakdown are set.
type Key struct {
	Region      string `json:"region,omitempty"`
	Destination int    `json:"destination,omitempty"` // UN Comtrade partner code
	ISO         string `json:"iso,omitempty"`
	RUC         string `json:"ruc,omitempty"`
	ActorID     int64  `json:"actor_id,omitempty"` // the exporter in the registry (none: a lead)
	Markets     int    `json:"markets,omitempty"`  // destinations the exporter shipped to in the range
	Line        string `json:"line,omitempty"`     // a product line
	Subpartida  string `json:"subpartida,omitempty"`
	Name        string `json:"name,omitempty"`
	NameES      string `json:"name_es,omitempty"`
	NameEN      string `json:"name_en,omitempty"`
	// Published marks figures a source gives without declarations (the
	// seed's 2004 total), with where it says so.
	Published bool   `json:"published,omitempty"`
	Source    string `json:"source,omitempty"`
	Section   string `json:"section,omitempty"`
	// Others counts the exporters of a row that groups those whose figures
	// the reader may not see one by one.
	Others int `json:"others,omitempty"`
}

// Row is one line of an analysis: its values by year (or month), its share
// of the last period's total (percent) and its compound annual growth
// (percent) from the first to the last year with a value, which CAGRSpan gives.
type Row struct {
	Key      Key                `json:"key"`
	Values   map[string]float64 `json:"values"`
	Share    *float64           `json:"share"`
	CAGR     *float64           `json:"cagr"`
	CAGRSpan *[2]int            `json:"cagr_span"`
}

// Total is the total by year (or month).
type Total struct {
	Values map[string]float64 `json:"values"`
}

// Result is a regional analysis: values in US$ FOB (or kg, or US$ per kg).
type Result struct {
	Rows  []Row `json:"rows"`
	Total Total `json:"total"`
}

// cell is what a row sums in one period.
type cell struct{ fob, kg float64 }

// group is a row being built.
type group struct {
	key   Key
	cells map[Period]*cell
}

func (g *group) add(p Period, fob, kg float64) {
	c := g.cells[p]
	if c == nil {
		c = &cell{}
		g.cells[p] = c
	}
	c.fob += fob
	c.kg += kg
}

// Regional analyses a region's exports as p may see them: exporters whose
// figures p may not see one by one (see CanSeeExporter) are summed in one
// row.
func (s *Service) Regional(ctx context.Context, p auth.Principal, q Query) (Result, error) {
	if err := q.normalize(); err != nil {
		return Result{}, err
	}
	groups, err := s.groups(ctx, p, q)
	if err != nil {
		return Result{}, err
	}
	return q.result(groups), nil
}

// groups reads the sums of the query's declarations (and published
// figures) into rows of its breakdown.
func (s *Service) groups(ctx context.Context, p auth.Principal, q Query) ([]*group, error) {
	batches, err := s.doneBatches(ctx)
	if err != nil {
		return nil, err
	}
	if q.By == ByExporter && !q.monthly() && q.Line == "" && q.RUC == "" {
		return s.exporterRanking(ctx, p, q, batches)
	}
	args := []any{}
	where := q.where(&args, batches)
	// A year's figures are summed in SQL, grouped in the sums' key order
	// (region, year, ruc, destination) where the breakdown allows, so that no
	// sort is needed; months come from each sum's months, read here.
	var query string
	if q.monthly() {
		query = "SELECT t.ruc, t.destination, t.year, t.subpartida, t.fob_usd, t.net_kg, t.months FROM export_years t WHERE " + where
	} else {
		cols, groupBy := "'', 0, t.year, ''", "t.year"
		switch q.By {
		case ByDestination:
			cols, groupBy = "'', t.destination, t.year, ''", "t.year, t.destination"
		case ByExporter:
			cols, groupBy = "t.ruc, t.destination, t.year, ''", "t.year, t.ruc, t.destination"
		case ByLine:
			cols, groupBy = "'', 0, t.year, t.subpartida", "t.year, t.subpartida"
		}
		query = "SELECT " + cols + ", SUM(t.fob_usd), SUM(t.net_kg), '' FROM export_years t WHERE " + where + " GROUP BY " + groupBy
	}
	rows, err := s.db.Read().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errs.Wrap(err, "analyse exports")
	}
	defer rows.Close()
	byKey := map[string]*group{}
	var order []*group
	markets := map[string]map[int]bool{} // each exporter's destinations
	var months [12][3]*float64
	for rows.Next() {
		var ruc, sub, monthsJSON string
		var dest, year int
		var fob, kg float64
		if err := rows.Scan(&ruc, &dest, &year, &sub, &fob, &kg, &monthsJSON); err != nil {
			return nil, errs.Wrap(err, "analyse exports")
		}
		var k string
		switch q.By {
		case ByDestination:
			k = strconv.Itoa(dest)
		case ByExporter:
			k = ruc
		case ByLine:
			k = lineKey(sub, year)
		}
		g := byKey[k]
		if g == nil {
			g = &group{cells: map[Period]*cell{}}
			byKey[k] = g
			order = append(order, g)
			switch q.By {
			case ByYear:
				g.key = Key{Region: q.Region, Name: regionName(q.Region)}
			case ByDestination:
				partner, _ := trade.PartnerByCode(dest)
				g.key = Key{Destination: dest, ISO: partner.ISO, NameES: partner.NameES, NameEN: partner.NameEN}
			case ByExporter:
				g.key = Key{RUC: ruc}
			case ByLine:
				g.key = lineRowKey(k)
			}
		}
		shipped := !q.monthly()
		if q.monthly() {
			months = [12][3]*float64{}
			if err := json.Unmarshal([]byte(monthsJSON), &months); err != nil {
				return nil, errs.Wrap(err, "read months")
			}
			for i, m := range months {
				per := Period{Year: year, Month: i + 1}
				if m[0] != nil && !per.before(q.From) && !q.To.before(per) {
					g.add(per, *m[0], *m[1])
					shipped = true
				}
			}
		} else {
			g.add(Period{Year: year}, fob, kg)
		}
		if q.By == ByExporter && shipped {
			if markets[ruc] == nil {
				markets[ruc] = map[int]bool{}
			}
			markets[ruc][dest] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "analyse exports")
	}
	if !q.monthly() && q.RUC == "" {
		pub, err := s.publishedGroups(ctx, q, batches, byKey)
		if err != nil {
			return nil, err
		}
		order = append(order, pub...)
	}
	if q.By == ByExporter {
		return s.exporterGroups(ctx, p, order, markets)
	}
	return order, nil
}

// doneBatches are the published imports.
func (s *Service) doneBatches(ctx context.Context) ([]int64, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT id FROM export_batches WHERE state = 'done' ORDER BY id")
	if err != nil {
		return nil, errs.Wrap(err, "read imports")
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, errs.Wrap(err, "read imports")
		}
		ids = append(ids, id)
	}
	return ids, errs.Wrap(rows.Err(), "read imports")
}

// where is the SQL condition on export_years t selecting the query's
// declarations in the published batches.
func (q *Query) where(args *[]any, batches []int64) string {
	arg := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	ids := make([]string, len(batches))
	for i, id := range batches {
		ids[i] = arg(id)
	}
	// The unary plus keeps the planner off the batch index: the key order serves better.
	cond := []string{"+t.batch_id IN (" + strings.Join(ids, ", ") + ")"}
	if len(batches) == 0 {
		cond[0] = "1 = 0"
	}
	if q.Region != "PE" {
		cond = append(cond, "t.region = "+arg(q.Region))
	}
	cond = append(cond, "t.year BETWEEN "+arg(q.From.Year)+" AND "+arg(q.To.Year))
	if q.RUC != "" {
		cond = append(cond, "t.ruc = "+arg(q.RUC))
	}
	switch {
	case q.Line == "":
	case nationalLine(q.Line) != "":
		cond = append(cond, "t.subpartida = "+arg(nationalLine(q.Line)))
	default:
		line, _ := trade.ProductLine(q.Line)
		cond = append(cond, lineCondition(line, q.From.Year, q.To.Year, arg))
	}
	return strings.Join(cond, " AND ")
}

// revisions are the HS revisions by the year they came into force.
var revisions = []struct {
	from           int
	classification string
}{{2022, "H6"}, {2017, "H5"}, {2012, "H4"}, {2007, "H3"}, {2002, "H2"}, {1996, "H1"}, {0, "H0"}}

// revisionOf is the HS revision in force in a year.
func revisionOf(year int) string {
	for _, r := range revisions {
		if year >= r.from {
			return r.classification
		}
	}
	return "H0"
}

// lineCondition selects a product line's national lines in the years from
// to to: its own national lines (classification PE), and any national line
// under its HS subheading of the revision in force in the year of shipment.
func lineCondition(line trade.Product, from, to int, arg func(any) string) string {
	var or []string
	for _, c := range line.Codes {
		if c.Classification == "PE" {
			or = append(or, "t.subpartida = "+arg(c.Commodity))
		}
	}
	for i, r := range revisions {
		end := 9999
		if i > 0 {
			end = revisions[i-1].from - 1
		}
		lo, hi := max(from, r.from), min(to, end)
		if lo > hi {
			continue
		}
		for _, c := range line.Codes {
			if c.Classification == r.classification {
				or = append(or, "(t.year BETWEEN "+arg(lo)+" AND "+arg(hi)+" AND substr(t.subpartida, 1, 6) = "+arg(c.Commodity)+")")
			}
		}
	}
	if len(or) == 0 {
		return "1 = 0"
	}
	return "(" + strings.Join(or, " OR ") + ")"
}

var (
	lineIndexOnce sync.Once
	nationalLines map[string]string    // national line → product line
	hsLines       map[[2]string]string // HS revision and subheading → product line
)

// lineOf is the product line a national line shipped in a year belongs to
// ("" when none): by the line itself, else by its HS subheading in the
// revision then in force, as lineCondition selects.
func lineOf(subpartida string, year int) string {
	lineIndexOnce.Do(func() {
		nationalLines, hsLines = map[string]string{}, map[[2]string]string{}
		for _, p := range trade.ProductLines() {
			for _, c := range p.Codes {
				if c.Classification == "PE" {
					nationalLines[c.Commodity] = p.Line
				} else {
					hsLines[[2]string{c.Classification, c.Commodity}] = p.Line
				}
			}
		}
	})
	if l, ok := nationalLines[subpartida]; ok {
		return l
	}
	if len(subpartida) < 6 {
		return ""
	}
	return hsLines[[2]string{revisionOf(year), subpartida[:6]}]
}

// lineKey is a by=line row's key: "line:" and the product line, or the
// national line when it belongs to none.
func lineKey(subpartida string, year int) string {
	if l := lineOf(subpartida, year); l != "" {
		return "line:" + l
	}
	return subpartida
}

func lineRowKey(k string) Key {
	if l, ok := strings.CutPrefix(k, "line:"); ok {
		p, _ := trade.ProductLine(l)
		return Key{Line: l, NameES: p.NameES, NameEN: p.NameEN}
	}
	return Key{Subpartida: k}
}

func regionName(code string) string {
	if code == "PE" {
		return "Perú"
	}
	return DepartmentName(code)
}

// publishedGroups adds the published figures of the query's region and
// years that no declaration of the same year and national line covers.
func (s *Service) publishedGroups(ctx context.Context, q Query, batches []int64, byKey map[string]*group) ([]*group, error) {
	args := []any{}
	cond := []string{"t.year BETWEEN " + "$1 AND $2"}
	args = append(args, q.From.Year, q.To.Year)
	if q.Region != "PE" {
		args = append(args, q.Region)
		cond = append(cond, "t.region = $3")
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT year, subpartida, fob_usd, source, section FROM export_published t WHERE "+
		strings.Join(cond, " AND ")+" ORDER BY year, subpartida, id", args...)
	if err != nil {
		return nil, errs.Wrap(err, "read published exports")
	}
	type figure struct {
		year                 int
		sub, source, section string
		fob                  float64
	}
	var figures []figure
	for rows.Next() {
		var f figure
		if err := rows.Scan(&f.year, &f.sub, &f.fob, &f.source, &f.section); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "read published exports")
		}
		figures = append(figures, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "read published exports")
	}
	var out []*group
	for _, f := range figures {
		year, sub, source, section, fob := f.year, f.sub, f.source, f.section, f.fob
		if !q.selectsLine(sub, year) {
			continue
		}
		dq := Query{Region: q.Region, From: Period{Year: year}, To: Period{Year: year}, Line: sub}
		dargs := []any{}
		var declared bool
		if err := s.db.Read().QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM export_years t WHERE "+dq.where(&dargs, batches)+")", dargs...).Scan(&declared); err != nil {
			return nil, errs.Wrap(err, "read published exports")
		}
		if declared {
			continue
		}
		// No weight is published: the figure has no unit value.
		per := Period{Year: year}
		var k string
		switch q.By {
		case ByYear:
			k = ""
		case ByLine:
			k = lineKey(sub, year)
		default:
			k = "published:" + source + "|" + section
		}
		g := byKey[k]
		if g == nil {
			g = &group{cells: map[Period]*cell{}}
			switch q.By {
			case ByYear:
				g.key = Key{Region: q.Region, Name: regionName(q.Region)}
			case ByLine:
				g.key = lineRowKey(k)
			default:
				g.key = Key{Published: true, Source: source, Section: section}
			}
			byKey[k] = g
			out = append(out, g)
		}
		g.add(per, fob, math.NaN())
	}
	return out, nil
}

// selectsLine reports whether the query's line filter takes a national line shipped in year.
func (q *Query) selectsLine(subpartida string, year int) bool {
	switch {
	case q.Line == "":
		return true
	case nationalLine(q.Line) != "":
		return nationalLine(q.Line) == subpartida
	}
	return lineOf(subpartida, year) == q.Line
}

// result turns groups into rows with shares and growth, largest first.
func (q *Query) result(groups []*group) Result {
	periods := q.periods()
	res := Result{Rows: []Row{}, Total: Total{Values: map[string]float64{}}}
	total := map[Period]*cell{}
	for _, g := range groups {
		for per, c := range g.cells {
			t := total[per]
			if t == nil {
				t = &cell{}
				total[per] = t
			}
			t.fob += c.fob
			t.kg += c.kg
		}
	}
	for _, per := range periods {
		if c := total[per]; c != nil {
			if v, ok := q.measure(c); ok {
				res.Total.Values[per.String()] = v
			}
		}
	}
	last := Period{}
	for _, per := range periods {
		if total[per] != nil {
			last = per
		}
	}
	for _, g := range groups {
		r := Row{Key: g.key, Values: map[string]float64{}}
		var years []int
		var vals []float64
		for _, per := range periods {
			c := g.cells[per]
			if c == nil {
				continue
			}
			v, ok := q.measure(c)
			if !ok {
				continue
			}
			r.Values[per.String()] = v
			years, vals = append(years, per.Year), append(vals, v)
		}
		if len(r.Values) == 0 {
			continue
		}
		if c := g.cells[last]; c != nil && q.Measure != MeasureUnitValue {
			v, _ := q.measure(c)
			t, _ := q.measure(total[last])
			if sh, ok := stats.Share(v, t); ok {
				r.Share = percent(sh)
			}
		}
		if !q.monthly() && len(years) > 1 {
			if rate, ok := stats.CAGR(vals[0], vals[len(vals)-1], years[len(years)-1]-years[0]); ok {
				r.CAGR, r.CAGRSpan = percent(rate), &[2]int{years[0], years[len(years)-1]}
			}
		}
		res.Rows = append(res.Rows, r)
	}
	lastKey := last.String()
	sort.SliceStable(res.Rows, func(i, j int) bool {
		a, b := res.Rows[i], res.Rows[j]
		// Groups of several exporters and published figures go after the others.
		if ga, gb := a.Key.Others > 0 || a.Key.Published, b.Key.Others > 0 || b.Key.Published; ga != gb {
			return gb
		}
		if a.Values[lastKey] != b.Values[lastKey] {
			return a.Values[lastKey] > b.Values[lastKey]
		}
		return rowOrder(a.Key) < rowOrder(b.Key)
	})
	return res
}

// measure is a cell's value in the query's measure.
func (q *Query) measure(c *cell) (float64, bool) {
	switch q.Measure {
	case MeasureKg:
		return c.kg, !math.IsNaN(c.kg)
	case MeasureUnitValue:
		if !(c.kg > 0) {
			return 0, false
		}
		return math.Round(c.fob/c.kg*100) / 100, true
	}
	return math.Round(c.fob*100) / 100, true
}

// rowOrder breaks ties between rows of equal value.
func rowOrder(k Key) string {
	return fmt.Sprintf("%s|%06d|%s|%s|%s", k.Line, k.Destination, k.Subpartida, k.RUC, k.Source)
}

func percent(fraction float64) *float64 {
	v := math.Round(fraction*100*100) / 100
	return &v
}
