package trade

import (
	"context"
	"encoding/csv"
	"io"
	"math"
	"slices"
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
	CAGRSpan    *stats.Span     `json:"cagr_span"` // the years CAGR runs over: the first and last with a value
	TrendGrowth *float64        `json:"trend_growth"`
}

// Totals is a total by year with its growth.
type Totals struct {
	Values map[int]float64 `json:"values"`
	// PartnersSum is, in the years whose total is the reporter's own World
	// figure (a published total), the sum of its partner rows, kept beside
	// it: a table's rounded cells need not add up to its printed total.
	PartnersSum map[int]float64 `json:"partners_sum,omitempty"`
	CAGR        *float64        `json:"cagr"`
	CAGRSpan    *stats.Span     `json:"cagr_span"`
	TrendGrowth *float64        `json:"trend_growth"`
}

// Differs reports whether the published total of year differs from the sum of the rows.
func (t Totals) Differs(year int) bool {
	sum, ok := t.PartnersSum[year]
	return ok && math.Abs(sum-t.Values[year]) > 1e-6*math.Max(1, math.Abs(sum))
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
	// Sources and Notes are those of the batches the destinations come from.
	Sources []string `json:"sources,omitempty"`
	Notes   []string `json:"notes,omitempty"`
}

func pct(v float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	r := math.Round(v*100*100) / 100
	return &r
}

// growth is a series' CAGR, from its first year with a value in from–to to
// its last (with the years it spans), and its trend growth, in percent.
func growth(values map[int]float64, from, to int) (cagr *float64, span *stats.Span, trend *float64) {
	var years []int
	var vals []float64
	for y := from; y <= to; y++ {
		if v, ok := values[y]; ok {
			years, vals = append(years, y), append(vals, v)
		}
	}
	c, sp, okc := stats.SeriesCAGR(years, vals)
	if okc {
		span = &sp
	}
	t, okt := stats.TrendGrowth(years, vals)
	return pct(c, okc), span, pct(t, okt)
}

// totals sums, per reporter and year, the reporter's total for the product:
// its partner-World row when it has one, else the sum of its partner rows
// (per code, then over the product's codes). The blocks' totals answer it
// without reading any figure.
func (s *Service) totals(ctx context.Context, product Product, flow string, from, to int) (map[int]map[int]float64, error) {
	args := []any{flow, from, to}
	q := `SELECT reporter, year, CASE WHEN COUNT(world_usd) > 0 THEN SUM(world_usd) ELSE SUM(partner_usd) END
		FROM trade_series WHERE flow = $1 AND year BETWEEN $2 AND $3 AND month = 0 AND partner2 = 0 AND ` + product.where(&args) + `
		GROUP BY reporter, year, classification, commodity`
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
	tot, err := s.totals(ctx, product, flow, from, to)
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
		r.CAGR, r.CAGRSpan, r.TrendGrowth = growth(r.Values, rk.From, rk.To)
	}
	rk.World.CAGR, rk.World.CAGRSpan, rk.World.TrendGrowth = growth(rk.World.Values, rk.From, rk.To)
	return rk
}

// Destinations lists where a reporter's exports of a product went, by year,
// with each partner's share of the reporter's total in the last year (the
// seed's Cuadro 3). Aggregate partners ("Otros") are listed after the
// countries, and count in the total.
func (s *Service) Destinations(ctx context.Context, product Product, reporter, from, to int) (Ranking, error) {
	rk := Ranking{Product: product, Flow: "export", From: from, To: to, Rows: []Ranked{}}
	byPartner, world, sum, err := s.partnerRows(ctx, product, "export", reporter, from, to)
	if err != nil {
		return rk, err
	}
	rk.World = Totals{Values: world, PartnersSum: sum}
	for code, values := range byPartner {
		p, _ := PartnerByCode(code)
		rk.Rows = append(rk.Rows, Ranked{Partner: p, Values: values})
	}
	if rk.Sources, rk.Notes, err = s.batchNotes(ctx, product, "export", reporter, from, to); err != nil {
		return rk, err
	}
	return rk.finish(0), nil
}

// reporterFigures are the figures shown of the reporter $2: only the blocks
// whose reporters include it are opened.
const reporterFigures = `trade_blocks_shown b JOIN trade_block_figures f ON f.block_id = b.id
	AND b.first_reporter <= $2 AND b.last_reporter >= $2`

// batchNotes lists the sources and notes of the batches that gave a
// reporter's flows of a product.
func (s *Service) batchNotes(ctx context.Context, product Product, flow string, reporter, from, to int) (sources, notes []string, err error) {
	args := []any{flow, reporter, from, to}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT DISTINCT t.id, t.source, t.note FROM `+reporterFigures+` JOIN trade_batches t ON t.id = b.batch_id
		WHERE b.flow = $1 AND f.reporter = $2 AND b.year BETWEEN $3 AND $4 AND `+product.where(&args)+` ORDER BY t.id`, args...)
	if err != nil {
		return nil, nil, errs.Wrap(err, "read sources")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var source, note string
		if err := rows.Scan(&id, &source, &note); err != nil {
			return nil, nil, errs.Wrap(err, "read sources")
		}
		if source != "" && !slices.Contains(sources, source) {
			sources = append(sources, source)
		}
		if note != "" {
			notes = append(notes, note)
		}
	}
	return sources, notes, errs.Wrap(rows.Err(), "read sources")
}

// partnerRows returns a reporter's partner rows by partner and year, its
// total by year (its World row when given, else the sum of its rows), and
// the sum of its rows in the years that have a World row.
func (s *Service) partnerRows(ctx context.Context, product Product, flow string, reporter, from, to int) (byPartner map[int]map[int]float64, total, rowsSum map[int]float64, err error) {
	args := []any{flow, reporter, from, to}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT f.partner, b.year, SUM(f.value_usd) FROM `+reporterFigures+`
		WHERE b.flow = $1 AND f.reporter = $2 AND b.year BETWEEN $3 AND $4 AND b.month = 0 AND b.partner2 = 0 AND `+product.where(&args)+`
		GROUP BY f.partner, b.year`, args...)
	if err != nil {
		return nil, nil, nil, errs.Wrap(err, "read partner rows")
	}
	defer rows.Close()
	byPartner, total, rowsSum = map[int]map[int]float64{}, map[int]float64{}, map[int]float64{}
	worldRow := map[int]float64{}
	for rows.Next() {
		var partner, year int
		var v float64
		if err := rows.Scan(&partner, &year, &v); err != nil {
			return nil, nil, nil, errs.Wrap(err, "read partner rows")
		}
		if partner == 0 {
			worldRow[year] = v
			continue
		}
		if byPartner[partner] == nil {
			byPartner[partner] = map[int]float64{}
		}
		byPartner[partner][year] = v
		total[year] += v
	}
	for y, v := range worldRow {
		rowsSum[y], total[y] = total[y], v
	}
	if len(rowsSum) == 0 {
		rowsSum = nil
	}
	return byPartner, total, rowsSum, errs.Wrap(rows.Err(), "read partner rows")
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
	byPartner, total, _, err := s.partnerRows(ctx, product, "import", market, year, year)
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

// marketRows returns a market's (a reporter's) imports of a product by
// partner and year, with net weights, and its totals by year.
func (s *Service) marketRows(ctx context.Context, product Product, market, from, to int) (values, weights map[int]map[int]float64, total map[int]float64, err error) {
	args := []any{"import", market, from, to}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT f.partner, b.year, SUM(f.value_usd), SUM(COALESCE(f.net_weight_kg, 0))
		FROM `+reporterFigures+` WHERE b.flow = $1 AND f.reporter = $2 AND b.year BETWEEN $3 AND $4 AND b.month = 0 AND b.partner2 = 0 AND `+
		product.where(&args)+` GROUP BY f.partner, b.year`, args...)
	if err != nil {
		return nil, nil, nil, errs.Wrap(err, "read market")
	}
	defer rows.Close()
	values, weights, total = map[int]map[int]float64{}, map[int]map[int]float64{}, map[int]float64{}
	world := map[int]float64{}
	for rows.Next() {
		var partner, year int
		var v, kg float64
		if err := rows.Scan(&partner, &year, &v, &kg); err != nil {
			return nil, nil, nil, errs.Wrap(err, "read market")
		}
		if partner == 0 {
			world[year] = v
			continue
		}
		if values[partner] == nil {
			values[partner], weights[partner] = map[int]float64{}, map[int]float64{}
		}
		values[partner][year], weights[partner][year] = v, kg
		total[year] += v
	}
	for y, v := range world {
		total[y] = v
	}
	return values, weights, total, errs.Wrap(rows.Err(), "read market")
}

// Competitor is an exporter's position in a market: its values, shares and
// unit values (US$/kg, when net weights are known) by year.
type Competitor struct {
	Partner   Partner         `json:"partner"`
	Values    map[int]float64 `json:"values"`
	Shares    map[int]float64 `json:"shares"`      // percent of the market's imports
	UnitValue map[int]float64 `json:"unit_values"` // US$ per kg
	Rank      int             `json:"rank"`        // among the market's suppliers in the last year (0: absent)
	CAGR      *float64        `json:"cagr"`
	CAGRSpan  *stats.Span     `json:"cagr_span"`
}

// Market is a market with the exporters compared in it.
type Market struct {
	Market      Partner         `json:"market"`
	Total       map[int]float64 `json:"total"`
	Competitors []Competitor    `json:"competitors"`
}

// Competitors compares exporters (Peru and Chile first) in the main markets
// of a product: each one's value, share, rank and unit value by year.
func (s *Service) Competitors(ctx context.Context, product Product, exporters []int, from, to, markets int) ([]Market, error) {
	rk, err := s.Importers(ctx, product, "import", from, to, markets)
	if err != nil {
		return nil, err
	}
	var out []Market
	for _, m := range rk.Rows {
		values, weights, total, err := s.marketRows(ctx, product, m.Partner.Code, from, to)
		if err != nil {
			return nil, err
		}
		mk := Market{Market: m.Partner, Total: total}
		last := 0
		for y := range total {
			last = max(last, y)
		}
		// Rank the market's suppliers in the last year.
		type sv struct {
			code int
			v    float64
		}
		var sup []sv
		for code, byYear := range values {
			if !IsAggregate(code) && byYear[last] > 0 {
				sup = append(sup, sv{code, byYear[last]})
			}
		}
		sort.Slice(sup, func(i, j int) bool { return sup[i].v > sup[j].v || (sup[i].v == sup[j].v && sup[i].code < sup[j].code) })
		for _, ex := range exporters {
			p, _ := PartnerByCode(ex)
			c := Competitor{Partner: p, Values: map[int]float64{}, Shares: map[int]float64{}, UnitValue: map[int]float64{}}
			for y, v := range values[ex] {
				c.Values[y] = v
				if sh, ok := stats.Share(v, total[y]); ok {
					c.Shares[y] = math.Round(sh*10000) / 100
				}
				if kg := weights[ex][y]; kg > 0 {
					c.UnitValue[y] = math.Round(v/kg*100) / 100
				}
			}
			for i, x := range sup {
				if x.code == ex {
					c.Rank = i + 1
				}
			}
			c.CAGR, c.CAGRSpan, _ = growth(c.Values, from, to)
			mk.Competitors = append(mk.Competitors, c)
		}
		out = append(out, mk)
	}
	return out, nil
}

// UnitValues is a market's unit value (US$/kg) by supplier and year, with
// its growth: what each supplier's product is worth there.
func (s *Service) UnitValues(ctx context.Context, product Product, market, from, to int) ([]Ranked, error) {
	values, weights, _, err := s.marketRows(ctx, product, market, from, to)
	if err != nil {
		return nil, err
	}
	var out []Ranked
	for code, byYear := range values {
		if IsAggregate(code) {
			continue
		}
		p, _ := PartnerByCode(code)
		r := Ranked{Partner: p, Values: map[int]float64{}}
		for y, v := range byYear {
			if kg := weights[code][y]; kg > 0 {
				r.Values[y] = math.Round(v/kg*100) / 100
			}
		}
		if len(r.Values) == 0 {
			continue
		}
		r.CAGR, r.CAGRSpan, r.TrendGrowth = growth(r.Values, from, to)
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Partner.Code < out[j].Partner.Code })
	return out, nil
}
