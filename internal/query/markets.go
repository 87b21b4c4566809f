package query

import (
	"net/url"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/httpkit"
	"sriim/internal/portal"
	"sriim/internal/trade"
)

// MaxExporters bounds the exporters one competitors query compares.
const MaxExporters = 20

// Market is a market analysis as the page and the API ask for it.
type Market struct {
	Product          trade.Product
	Line, HS         string
	Flow             string
	From, To, Year   int
	Top              int
	Market, Reporter int
}

// ReadMarket reads hs= (codes as reported, comma-separated) or line=
// (a product line); by default d's product line, years, market and reporter
// (the frozen-loco line, 2000–2005, Japan, Peru).
func ReadMarket(q url.Values, d portal.Defaults) (Market, error) {
	hs := httpkit.List(q, "hs")
	mq := Market{Line: q.Get("line"), HS: strings.Join(hs, ","), Flow: q.Get("flow")}
	switch {
	case len(hs) > 0:
		for _, c := range hs {
			if len(c) < 2 || len(c) > 10 || strings.Trim(c, "0123456789") != "" {
				return mq, errs.Fields("invalid HS codes", map[string]string{"hs": MsgHS})
			}
		}
		mq.Product = trade.AsReported(hs...)
	default:
		if mq.Line == "" {
			mq.Line = d.ProductLine
		}
		p, ok := trade.ProductLine(mq.Line)
		if !ok {
			return mq, errs.Fields("unknown product line", map[string]string{"line": MsgLine})
		}
		mq.Product = p
	}
	if mq.Flow == "" {
		mq.Flow = "import"
	}
	var err error
	for _, p := range []struct {
		name string
		dst  *int
		def  int
	}{{"from", &mq.From, d.From}, {"to", &mq.To, d.To}, {"top", &mq.Top, 20}, {"market", &mq.Market, d.Market}, {"reporter", &mq.Reporter, d.Reporter}, {"year", &mq.Year, 0}} {
		if *p.dst, err = httpkit.Int(q, p.name, p.def); err != nil {
			return mq, err
		}
	}
	if mq.Year == 0 {
		mq.Year = mq.To
	}
	if mq.From > mq.To || mq.To-mq.From > 60 {
		return mq, errs.Fields("invalid years", map[string]string{"from": MsgYears, "to": MsgYears})
	}
	return mq, nil
}
