package trade

import (
	"context"
	"strconv"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/indicators"
)

// Source is foreign trade as a source of the plan's indicators and the
// dashboard: "trade.exports" is a reporter's exports of a product in US$
// by year (its partner-World row, else the sum of its partners), with
// params reporter (a Comtrade code, default 604: Peru), line (a product
// line) or hs (codes as reported, comma-separated; default every mollusc
// line of the product-line table).
func (s *Service) Source() indicators.Source {
	return indicators.SourceFunc("trade.exports", s.exportsSource)
}

func (s *Service) exportsSource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	res := indicators.Result{Values: map[int]float64{}, Unit: "US$"}
	if err := indicators.Params(q, "reporter", "line", "hs"); err != nil {
		return res, err
	}
	reporter := 604
	if v := q.Params.Get("reporter"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return res, errs.E(errs.Invalid, "the reporter is a Comtrade country code such as 604")
		}
		reporter = n
	}
	const flow = "export"
	var product Product
	switch {
	case q.Params.Get("line") != "":
		p, ok := ProductLine(q.Params.Get("line"))
		if !ok {
			return res, errs.E(errs.Invalid, "no product line %q", q.Params.Get("line"))
		}
		product = p
	case q.Params.Get("hs") != "":
		product = AsReported(strings.Split(q.Params.Get("hs"), ",")...)
	default:
		product = Product{Basis: "product_line"}
		for _, p := range ProductLines() {
			product.Codes = append(product.Codes, p.Codes...)
		}
	}
	totals, err := s.totals(ctx, product, flow, q.From, q.To)
	if err != nil {
		return res, err
	}
	for y, v := range totals[reporter] {
		res.Values[y] = v
	}
	sources, _, err := s.batchNotes(ctx, product, flow, reporter, q.From, q.To)
	if err != nil {
		return res, err
	}
	partner, _ := PartnerByCode(reporter)
	res.Computation = indicators.Described(
		errs.Msg{Format: "exports of %s (ISO code) in US$ by year, from %s", Args: []any{partner.ISO, strings.Join(sources, "; ")}},
		errs.Msg{Format: "exports of %s (ISO code) in US$ by year, from %s, with %s", Args: []any{partner.ISO, strings.Join(sources, "; ")}}, q.Params)
	return res, nil
}
