package query

import (
	"context"
	"net/url"
	"strings"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/exports"
	"sriim/internal/httpkit"
	"sriim/internal/prices"
)

// DefaultSpecies is the price series' species unless one is asked for: the
// loco (chanque), the chain's first product.
const DefaultSpecies = "SNE"

// MsgPeriod is what the period readers say of a from or to they cannot use.
const MsgPeriod = "a year (2004) or a month (2004-03)"

// Regional reads a regional analysis as its page and the API ask for it:
// region=PE-MOQ&from=2004&to=2006&by=year|destination|exporter|line, with
// line= and measure=. Without from and to it gives the region's last five
// years with exports (this year's five when it has none).
func Regional(ctx context.Context, v url.Values, ex *exports.Service) (exports.Query, error) {
	q := exports.Query{Region: strings.ToUpper(strings.TrimSpace(v.Get("region"))), By: v.Get("by"), Line: v.Get("line"), Measure: v.Get("measure")}
	if q.Region == "" {
		q.Region = exports.DefaultRegion
	}
	var err error
	q.From, q.To, err = Span(v, exportYears(ctx, ex, q.Region))
	return q, err
}

// ExporterMarkets reads the analysis of the exporter actorID as p asks
// for it: from and to (defaulting to the exporter's own last years with
// exports, or, when p may not see them or there are none, the last years
// with exports anywhere), and region (every department unless one is
// named).
func ExporterMarkets(ctx context.Context, v url.Values, ex *exports.Service, p auth.Principal, actorID int64) (exports.Query, error) {
	q := exports.Query{Region: strings.ToUpper(strings.TrimSpace(v.Get("region")))}
	anywhere := exportYears(ctx, ex, "PE")
	var err error
	q.From, q.To, err = Span(v, func() (int, error) {
		// Whoever may not see the exporter's figures is told so when they
		// are read, not here.
		if last, err := ex.ExporterLastYear(ctx, p, actorID); err == nil && last > 0 {
			return last, nil
		} else if err != nil && !errs.Is(err, errs.Unauthenticated) && !errs.Is(err, errs.Forbidden) && !errs.Is(err, errs.NotFound) {
			return 0, err
		}
		return anywhere()
	})
	return q, err
}

// exportYears gives the last year a region has exports in, this year when none.
func exportYears(ctx context.Context, ex *exports.Service, region string) func() (int, error) {
	return func() (int, error) {
		_, last, err := ex.Years(ctx, region)
		if last == 0 {
			last = ex.Now().Year()
		}
		return last, err
	}
}

// Span reads from and to (a year, or a month as 2004-03). Without both,
// the span is five years: up to the one given, from the one given to the
// last year with data (lastYear, asked only then), or up to that year.
func Span(v url.Values, lastYear func() (int, error)) (from, to exports.Period, err error) {
	problems := map[string]string{}
	for _, p := range []struct {
		name string
		dst  *exports.Period
	}{{"from", &from}, {"to", &to}} {
		if raw := v.Get(p.name); raw != "" {
			if *p.dst, err = exports.ParsePeriod(raw); err != nil {
				problems[p.name] = MsgPeriod
			}
		}
	}
	if len(problems) > 0 {
		return from, to, errs.Fields("invalid parameter", problems)
	}
	if from.Year != 0 && to.Year != 0 {
		return from, to, nil
	}
	if to.Year != 0 {
		return exports.Period{Year: to.Year - 4, Month: min(to.Month, 1)}, to, nil
	}
	last, err := lastYear()
	if err != nil {
		return from, to, err
	}
	if from.Year != 0 {
		return from, exports.Period{Year: max(last, from.Year), Month: 12 * min(from.Month, 1)}, nil
	}
	return exports.Period{Year: last - 4}, exports.Period{Year: last}, nil
}

// PriceSeries reads a price series as the API and the pages ask for it:
// species=SNE&level=playa&place=DPA-ILO&from=2024-01&to=2024-12&by=month,
// with presentation=, currency= and constant= (a year: constant soles).
// Without from and to it gives the five years up to the species' latest price.
func PriceSeries(ctx context.Context, v url.Values, pr *prices.Service) (prices.SeriesQuery, error) {
	q := prices.SeriesQuery{Species: strings.ToUpper(strings.TrimSpace(v.Get("species"))), Level: v.Get("level"), Place: v.Get("place"),
		Presentation: v.Get("presentation"), Currency: v.Get("currency"), By: v.Get("by")}
	if q.Species == "" {
		q.Species = DefaultSpecies
	}
	if q.Level == "" {
		q.Level = "playa"
	}
	var err error
	if q.ConstantYear, err = httpkit.Int(v, "constant", 0); err != nil {
		return q, err
	}
	q.From, q.To, err = Span(v, priceYears(ctx, pr, q.Species))
	return q, err
}

// Margin is a margin between the beach and the export price as asked for.
type Margin struct {
	Species, Place, Destination string
	From, To                    exports.Period
	By                          string
}

// PriceMargin reads species=&place=&destination=&from=&to=&by= (by year
// unless by=month; the beach price at every landing site unless place=
// names one).
func PriceMargin(ctx context.Context, v url.Values, pr *prices.Service) (Margin, error) {
	m := Margin{Species: strings.ToUpper(strings.TrimSpace(v.Get("species"))), Place: v.Get("place"),
		Destination: strings.ToUpper(v.Get("destination")), By: v.Get("by")}
	if m.Species == "" {
		m.Species = DefaultSpecies
	}
	if m.By == "" {
		m.By = "year"
	}
	var err error
	m.From, m.To, err = Span(v, priceYears(ctx, pr, m.Species))
	return m, err
}

// priceYears gives the year of a species' latest price, this year when none.
func priceYears(ctx context.Context, pr *prices.Service, species string) func() (int, error) {
	return func() (int, error) {
		last := pr.Now().Year()
		if species == "" {
			return last, nil
		}
		latest, err := pr.List(ctx, prices.ListQuery{Species: species, Limit: 1})
		if len(latest) > 0 {
			last = latest[0].Year
		}
		return last, err
	}
}
