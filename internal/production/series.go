package production

import (
	"context"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/stats"
)

func itoa(n int) string { return strconv.Itoa(n) }

// Query selects annual quantity series. Empty lists select every value.
type Query struct {
	Species       []string `json:"species"`
	Presentations []string `json:"presentations"`
	Origins       []string `json:"origins"`
	Places        []string `json:"places"`
	From          int      `json:"from,omitempty"`
	To            int      `json:"to,omitempty"`
}

// Point is one year of a series.
type Point struct {
	ID     int64   `json:"id"`
	Year   int     `json:"year"`
	Value  float64 `json:"value"`
	Status string  `json:"status"`
}

// Series is the annual quantities of one species, presentation, origin,
// place and source, with its growth over the years selected.
type Series struct {
	Species      string  `json:"species"`
	Presentation string  `json:"presentation"`
	Origin       string  `json:"origin"`
	Place        string  `json:"place"`
	Unit         string  `json:"unit"`
	Source       string  `json:"source"`
	SourceRef    string  `json:"source_ref"`
	Points       []Point `json:"observations"`
	// CAGR and TrendGrowth are in percent; nil when not computable.
	CAGR *float64 `json:"cagr"`
	// CAGRSpan is the years CAGR runs over: the first and last with a value.
	CAGRSpan    *stats.Span `json:"cagr_span"`
	TrendGrowth *float64    `json:"trend_growth"`
	FirstYear   int         `json:"first_year,omitempty"`
	LastYear    int         `json:"last_year,omitempty"`
}

// Point returns the series' point in year, or nil.
func (s Series) Point(year int) *Point {
	for i := range s.Points {
		if s.Points[i].Year == year {
			return &s.Points[i]
		}
	}
	return nil
}

// Value returns the series' value in year.
func (s Series) Value(year int) (float64, bool) {
	for _, p := range s.Points {
		if p.Year == year {
			return p.Value, true
		}
	}
	return 0, false
}

// Result is the series a query selects and the years they cover, with the
// series grouped by unit: only figures in one unit add up, so each group has
// its own totals and shares.
type Result struct {
	Query  Query       `json:"query"`
	Years  []int       `json:"years"`
	Series []Series    `json:"series"` // by unit group, then presentation
	Units  []UnitGroup `json:"-"`
	// Notes are the notes of the year's figures, once each (a source's text
	// that gives another total than its table, say).
	Notes map[int][]string `json:"notes,omitempty"`
	// Methods says how growth is computed, for people reading the numbers.
	Methods map[string]string `json:"methods"`
}

// UnitGroup is the series Series[First:Last] of a result, all in Unit, with
// their total and each one's share of it in each of Years.
type UnitGroup struct {
	Unit        string
	First, Last int
	Years       []int
	Totals      []float64 // Totals[i]: the sum of the group's series in Years[i]
	Shares      [][]Share // Shares[i][j]: year i, the group's series j
}

// Unit returns the group of the series in unit.
func (r Result) Unit(unit string) (UnitGroup, bool) {
	for _, g := range r.Units {
		if g.Unit == unit {
			return g, true
		}
	}
	return UnitGroup{}, false
}

// Share is a series' share (percent) of the total of a year.
type Share struct {
	Percent float64
	OK      bool
}

// Methods documents the growth formulas next to every result.
var Methods = map[string]string{
	"cagr":         "(v_last / v_first)^(1 / (last_year - first_year)) - 1, in percent; null when v_first is zero or missing",
	"trend_growth": "e^b - 1 in percent, b the least-squares slope of ln(value) on year over the years with a positive value; null with fewer than two",
}

// Series returns the annual quantity series the query selects, with their
// growth rates and shares.
func (s *Service) Series(ctx context.Context, q Query) (Result, error) {
	res := Result{Query: q, Methods: Methods, Series: []Series{}, Years: []int{}}
	f := Filter{Species: q.Species, Places: q.Places, From: q.From, To: q.To}
	where, args := f.where()
	cond := []string{"measure = 'quantity'", "month = 0", "year > 0"}
	if where != "" {
		cond = append(cond, strings.TrimPrefix(where, " WHERE "))
	}
	for col, vals := range map[string][]string{"presentation": q.Presentations, "origin": q.Origins} {
		if len(vals) == 0 {
			continue
		}
		var ph []string
		for _, v := range vals {
			args = append(args, v)
			ph = append(ph, "$"+itoa(len(args)))
		}
		cond = append(cond, col+" IN ("+strings.Join(ph, ", ")+")")
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+" FROM production_observations WHERE "+
		strings.Join(cond, " AND ")+" ORDER BY species, place, origin, source, unit, presentation, year", args...)
	if err != nil {
		return res, errs.Wrap(err, "read series")
	}
	defer rows.Close()
	years := map[int]bool{}
	for rows.Next() {
		o, err := scan(rows)
		if err != nil {
			return res, errs.Wrap(err, "read series")
		}
		n := len(res.Series)
		if n == 0 || !res.Series[n-1].same(o) {
			res.Series = append(res.Series, Series{Species: o.Species, Presentation: o.Presentation, Origin: o.Origin,
				Place: o.Place, Unit: o.Unit, Source: o.Source, SourceRef: o.SourceRef})
			n++
		}
		res.Series[n-1].Points = append(res.Series[n-1].Points, Point{ID: o.ID, Year: o.Year, Value: o.Value, Status: o.Status})
		years[o.Year] = true
		if o.Note != "" && !slices.Contains(res.Notes[o.Year], o.Note) {
			if res.Notes == nil {
				res.Notes = map[int][]string{}
			}
			res.Notes[o.Year] = append(res.Notes[o.Year], o.Note)
		}
	}
	if err := rows.Err(); err != nil {
		return res, errs.Wrap(err, "read series")
	}
	sort.SliceStable(res.Series, func(i, j int) bool { return presentationRank(res.Series[i]) < presentationRank(res.Series[j]) })
	// Units in the order they first come: the main presentation's first.
	unitRank := map[string]int{}
	for _, s := range res.Series {
		if _, ok := unitRank[s.Unit]; !ok {
			unitRank[s.Unit] = len(unitRank)
		}
	}
	sort.SliceStable(res.Series, func(i, j int) bool { return unitRank[res.Series[i].Unit] < unitRank[res.Series[j].Unit] })
	for y := range years {
		res.Years = append(res.Years, y)
	}
	slices.Sort(res.Years)
	for i := range res.Series {
		res.Series[i].growth()
	}
	for first := 0; first < len(res.Series); {
		last := first + 1
		for last < len(res.Series) && res.Series[last].Unit == res.Series[first].Unit {
			last++
		}
		res.Units = append(res.Units, unitGroup(res.Series[first:last], first, res.Years))
		first = last
	}
	return res, nil
}

func (s Series) same(o Observation) bool {
	return s.Species == o.Species && s.Presentation == o.Presentation && s.Origin == o.Origin &&
		s.Place == o.Place && s.Source == o.Source && s.Unit == o.Unit
}

func presentationRank(s Series) int {
	for i, t := range Presentations {
		if t.Code == s.Presentation {
			return i
		}
	}
	return len(Presentations)
}

func percent(rate float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	p := math.Round(rate*100*100) / 100 // percent, to two decimals
	return &p
}

// growth computes CAGR between the first and last years of the series and
// trend growth over all its years.
func (s *Series) growth() {
	if len(s.Points) == 0 {
		return
	}
	s.FirstYear, s.LastYear = s.Points[0].Year, s.Points[len(s.Points)-1].Year
	years := make([]int, len(s.Points))
	values := make([]float64, len(s.Points))
	for i, p := range s.Points {
		years[i], values[i] = p.Year, p.Value
	}
	rate, span, ok := stats.SeriesCAGR(years, values)
	if s.CAGR = percent(rate, ok); ok {
		s.CAGRSpan = &span
	}
	s.TrendGrowth = percent(stats.TrendGrowth(years, values))
}

// unitGroup totals series, all in one unit and the result's from first on,
// in each of years that has a figure of theirs, and gives each one's share.
func unitGroup(series []Series, first int, years []int) UnitGroup {
	g := UnitGroup{Unit: series[0].Unit, First: first, Last: first + len(series)}
	for _, y := range years {
		total, found := 0.0, false
		for _, s := range series {
			if v, ok := s.Value(y); ok {
				total, found = total+v, true
			}
		}
		if !found {
			continue
		}
		shares := make([]Share, len(series))
		for j, s := range series {
			if v, ok := s.Value(y); ok {
				p, ok := stats.Share(v, total)
				shares[j] = Share{Percent: p * 100, OK: ok}
			}
		}
		g.Years, g.Totals, g.Shares = append(g.Years, y), append(g.Totals, total), append(g.Shares, shares)
	}
	return g
}

// Facts returns the figures that are not annual quantities — averages,
// shares, growth rates, monthly values — for the places and species given
// (all when empty), so that pages can show them as the source states them.
func (s *Service) Facts(ctx context.Context, places, species []string) ([]Observation, error) {
	where, args := Filter{Species: species, Places: places}.where()
	cond := "(measure <> 'quantity' OR month <> 0)"
	if where != "" {
		cond = strings.TrimPrefix(where, " WHERE ") + " AND " + cond
	}
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+" FROM production_observations WHERE "+cond+
		" ORDER BY CASE place WHEN 'WORLD' THEN 0 ELSE 1 END, place, species, measure, year", args...)
	if err != nil {
		return nil, errs.Wrap(err, "read figures")
	}
	defer rows.Close()
	var out []Observation
	for rows.Next() {
		o, err := scan(rows)
		if err != nil {
			return nil, errs.Wrap(err, "read figures")
		}
		out = append(out, o)
	}
	return out, errs.Wrap(rows.Err(), "read figures")
}
