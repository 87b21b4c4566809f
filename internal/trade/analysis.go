package trade

import (
	"context"
	"encoding/csv"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/stats"
)

// Code is a commodity code, in one classification or ("") in any.
type Code struct {
	Classification string `json:"classification,omitempty"`
	Commodity      string `json:"commodity"`
}

// Product is what an analysis is about: codes as reported, or a product
// line (the codes that hold one product in each HS revision and in Peru's
// national lines).
type Product struct {
	Line   string `json:"line,omitempty"`
	NameES string `json:"name_es,omitempty"`
	NameEN string `json:"name_en,omitempty"`
	Codes  []Code `json:"codes"`
	// Basis says how the series is built: "as_reported" (the codes as
	// given) or "product_line" (harmonised across HS revisions).
	Basis string `json:"basis"`
}

// AsReported is the product of HS or national codes as given.
func AsReported(codes ...string) Product {
	p := Product{Basis: "as_reported"}
	for _, c := range codes {
		p.Codes = append(p.Codes, Code{Commodity: strings.TrimSpace(c)})
	}
	return p
}

var productLines map[string]Product

// LoadProductLines reads the product-line table (line,name_es,name_en,classification,commodity,source).
func LoadProductLines(r io.Reader) error {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return err
	}
	lines := map[string]Product{}
	for _, rec := range recs[1:] {
		p := lines[rec[0]]
		p.Line, p.NameES, p.NameEN, p.Basis = rec[0], rec[1], rec[2], "product_line"
		p.Codes = append(p.Codes, Code{Classification: rec[3], Commodity: rec[4]})
		lines[rec[0]] = p
	}
	productLines = lines
	return nil
}

// ProductLine returns a product line by its key.
func ProductLine(key string) (Product, bool) {
	p, ok := productLines[key]
	return p, ok
}

// ProductLines lists the product lines.
func ProductLines() []Product {
	var out []Product
	for _, p := range productLines {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

// where is the SQL condition selecting the product's codes.
func (p Product) where(args *[]any) string {
	var or []string
	for _, c := range p.Codes {
		*args = append(*args, c.Commodity)
		cond := "commodity = $" + strconv.Itoa(len(*args))
		if c.Classification != "" {
			*args = append(*args, c.Classification)
			cond += " AND classification = $" + strconv.Itoa(len(*args))
		}
		or = append(or, "("+cond+")")
	}
	if len(or) == 0 {
		return "1 = 0"
	}
	return "(" + strings.Join(or, " OR ") + ")"
}

// Ranked is a reporter's or partner's values by year, with its share of the
// last year's total and its growth.
type Ranked struct {
	Partner     Partner         `json:"partner"`
	Values      map[int]float64 `json:"values"`
	Share       *float64        `json:"share"` // percent of the last year's total
	CAGR        *float64        `json:"cagr"`
	TrendGrowth *float64        `json:"trend_growth"`
}

// Totals is a total by year with its growth.
type Totals struct {
	Values      map[int]float64 `json:"values"`
	CAGR        *float64        `json:"cagr"`
	TrendGrowth *float64        `json:"trend_growth"`
}

// Ranking is the answer of the importers and destinations analyses.
type Ranking struct {
	Product Product  `json:"product"`
	Flow    string   `json:"flow"`
	From    int      `json:"from"`
	To      int      `json:"to"`
	Years   []int    `json:"years"`
	Rows    []Ranked `json:"rows"`
	World   Totals   `json:"world"`
}

func pct(v float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	r := math.Round(v*100*100) / 100
	return &r
}

func growth(values map[int]float64, from, to int) (cagr, trend *float64) {
	var years []int
	var vals []float64
	first, last := math.NaN(), math.NaN()
	fy, ly := 0, 0
	for y := from; y <= to; y++ {
		v, ok := values[y]
		if !ok {
			continue
		}
		if fy == 0 {
			first, fy = v, y
		}
		last, ly = v, y
		years, vals = append(years, y), append(vals, v)
	}
	c, okc := stats.CAGR(first, last, ly-fy)
	t, okt := stats.TrendGrowth(years, vals)
	return pct(c, okc), pct(t, okt)
}

// totals sums, per reporter and year, the reporter's total for the product:
// its partner-World row when it has one, else the sum of its partner rows
// (per code, then over the product's codes).
func (s *Service) totals(ctx context.Context, product Product, flow string, from, to int, reporter int) (map[int]map[int]float64, error) {
	args := []any{flow, from, to}
	q := `SELECT reporter, year,
		COALESCE(MAX(CASE WHEN partner = 0 THEN value_usd END), SUM(CASE WHEN partner <> 0 THEN value_usd ELSE 0 END))
		FROM trade_flows WHERE flow = $1 AND year BETWEEN $2 AND $3 AND month = 0 AND partner2 = 0 AND ` + product.where(&args)
	if reporter != 0 {
		args = append(args, reporter)
		q += " AND reporter = $" + strconv.Itoa(len(args))
	}
	q += " GROUP BY reporter, year, classification, commodity"
	rows, err := s.db.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errs.Wrap(err, "compute totals")
	}
	defer rows.Close()
	out := map[int]map[int]float64{}
	for rows.Next() {
		var rep, year int
		var v float64
		if err := rows.Scan(&rep, &year, &v); err != nil {
			return nil, errs.Wrap(err, "compute totals")
		}
		if out[rep] == nil {
			out[rep] = map[int]float64{}
		}
		out[rep][year] += v
	}
	return out, errs.Wrap(rows.Err(), "compute totals")
}

// Importers ranks the reporters of a product's flow (imports by default)
// by their last year's value; aggregates are never ranked. The world total
// is the sum of the totals of every reporter that is not an aggregate.
func (s *Service) Importers(ctx context.Context, product Product, flow string, from, to, top int) (Ranking, error) {
	rk := Ranking{Product: product, Flow: flow, From: from, To: to, Rows: []Ranked{}, World: Totals{Values: map[int]float64{}}}
	tot, err := s.totals(ctx, product, flow, from, to, 0)
	if err != nil {
		return rk, err
	}
	for rep, byYear := range tot {
		if IsAggregate(rep) {
			continue
		}
		p, _ := PartnerByCode(rep)
		rk.Rows = append(rk.Rows, Ranked{Partner: p, Values: byYear})
		for y, v := range byYear {
			rk.World.Values[y] += v
		}
	}
	return rk.finish(top), nil
}

// finish sorts by the last year's value, cuts to top, and computes shares and growth.
func (rk Ranking) finish(top int) Ranking {
	for y := rk.From; y <= rk.To; y++ {
		if _, ok := rk.World.Values[y]; ok {
			rk.Years = append(rk.Years, y)
		}
	}
	last := rk.To
	if len(rk.Years) > 0 {
		last = rk.Years[len(rk.Years)-1]
	}
	sort.SliceStable(rk.Rows, func(i, j int) bool {
		a, b := rk.Rows[i], rk.Rows[j]
		if a.Partner.Aggregate != b.Partner.Aggregate {
			return !a.Partner.Aggregate
		}
		if a.Values[last] != b.Values[last] {
			return a.Values[last] > b.Values[last]
		}
		return a.Partner.Code < b.Partner.Code
	})
	if top > 0 && len(rk.Rows) > top {
		rk.Rows = rk.Rows[:top]
	}
	for i := range rk.Rows {
		r := &rk.Rows[i]
		if v, has := r.Values[last]; has {
			sh, ok := stats.Share(v, rk.World.Values[last])
			r.Share = pct(sh, ok)
		}
		r.CAGR, r.TrendGrowth = growth(r.Values, rk.From, rk.To)
	}
	rk.World.CAGR, rk.World.TrendGrowth = growth(rk.World.Values, rk.From, rk.To)
	return rk
}

// Destinations lists where a reporter's exports of a product went, by year,
// with each partner's share of the reporter's total in the last year (the
// seed's Cuadro 3). Aggregate partners ("Otros") are listed after the
// countries, and count in the total.
func (s *Service) Destinations(ctx context.Context, product Product, reporter, from, to int) (Ranking, error) {
	rk := Ranking{Product: product, Flow: "export", From: from, To: to, Rows: []Ranked{}}
	byPartner, world, err := s.partnerRows(ctx, product, "export", reporter, from, to)
	if err != nil {
		return rk, err
	}
	rk.World = Totals{Values: world}
	for code, values := range byPartner {
		p, _ := PartnerByCode(code)
		rk.Rows = append(rk.Rows, Ranked{Partner: p, Values: values})
	}
	return rk.finish(0), nil
}

// partnerRows returns a reporter's partner rows by partner and year, and
// its total by year (its World row when given, else the sum of its rows).
func (s *Service) partnerRows(ctx context.Context, product Product, flow string, reporter, from, to int) (map[int]map[int]float64, map[int]float64, error) {
	args := []any{flow, reporter, from, to}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT partner, year, SUM(value_usd) FROM trade_flows
		WHERE flow = $1 AND reporter = $2 AND year BETWEEN $3 AND $4 AND month = 0 AND partner2 = 0 AND `+product.where(&args)+`
		GROUP BY partner, year`, args...)
	if err != nil {
		return nil, nil, errs.Wrap(err, "read partner rows")
	}
	defer rows.Close()
	byPartner := map[int]map[int]float64{}
	worldRow := map[int]float64{}
	sum := map[int]float64{}
	for rows.Next() {
		var partner, year int
		var v float64
		if err := rows.Scan(&partner, &year, &v); err != nil {
			return nil, nil, errs.Wrap(err, "read partner rows")
		}
		if partner == 0 {
			worldRow[year] = v
			continue
		}
		if byPartner[partner] == nil {
			byPartner[partner] = map[int]float64{}
		}
		byPartner[partner][year] = v
		sum[year] += v
	}
	for y, v := range worldRow {
		sum[y] = v
	}
	return byPartner, sum, errs.Wrap(rows.Err(), "read partner rows")
}

// Supplier is a partner's share of a market.
type Supplier struct {
	Partner Partner  `json:"partner"`
	Value   float64  `json:"value"`
	Share   *float64 `json:"share"`
}

// Suppliers ranks who supplied a market (a reporter's imports) with a
// product in a year, with each one's share of the market's total imports of
// it (which counts what came from aggregate areas too).
func (s *Service) Suppliers(ctx context.Context, product Product, market, year, top int) ([]Supplier, float64, error) {
	byPartner, total, err := s.partnerRows(ctx, product, "import", market, year, year)
	if err != nil {
		return nil, 0, err
	}
	out := []Supplier{}
	for code, values := range byPartner {
		if IsAggregate(code) {
			continue
		}
		p, _ := PartnerByCode(code)
		sh, ok := stats.Share(values[year], total[year])
		out = append(out, Supplier{Partner: p, Value: values[year], Share: pct(sh, ok)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Value != out[j].Value {
			return out[i].Value > out[j].Value
		}
		return out[i].Partner.Code < out[j].Partner.Code
	})
	if top > 0 && len(out) > top {
		out = out[:top]
	}
	return out, total[year], nil
}
