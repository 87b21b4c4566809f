package portal

import (
	"context"

	"sriim/internal/offer"
	"sriim/internal/production"
	"sriim/internal/trade"
)

// HomeFigures are the key figures of the home page, each with its year and source.
type HomeFigures struct {
	Production      float64 // t, the region's mollusc production in ProductionYear
	ProductionYear  int
	ProductionSrc   string
	ProductionNotes []string // the notes of that year's figures
	Exports         float64  // US$, the reporter's exports of the home lines in ExportsYear (the published totals where given)
	ExportsYear     int
	ExportsSrc      string
	Offer           offer.Summary
	Reports         []trade.ReportSummary // the latest three market reports
}

// Home assembles the home page's figures: the last year of the default
// production series, the last year of the home lines' exports, the
// exportable offer and the latest market reports.
func (s *Service) Home(ctx context.Context) (HomeFigures, error) {
	var f HomeFigures
	d := s.Defaults
	series, err := s.production.Series(ctx, production.Query{Species: d.Production.Species, Places: d.Production.Places})
	if err != nil {
		return f, err
	}
	if g, ok := series.Unit("t"); ok && len(g.Years) > 0 {
		n := len(g.Years)
		f.ProductionYear, f.Production = g.Years[n-1], g.Totals[n-1]
		f.ProductionSrc, f.ProductionNotes = series.Series[g.First].Source, series.Notes[f.ProductionYear]
	}
	for _, line := range d.HomeExports.Lines {
		p, _ := trade.ProductLine(line)
		rk, err := s.trade.Destinations(ctx, p, d.Reporter, d.HomeExports.Since, s.trade.Now().Year())
		if err != nil {
			return f, err
		}
		if n := len(rk.Years); n > 0 && rk.Years[n-1] >= f.ExportsYear {
			if rk.Years[n-1] > f.ExportsYear {
				f.Exports, f.ExportsYear = 0, rk.Years[n-1]
			}
			f.Exports += rk.World.Values[f.ExportsYear]
		}
	}
	f.ExportsSrc = d.HomeExports.Source
	if f.Offer, err = s.offer.KeyFigures(ctx); err != nil {
		return f, err
	}
	if f.Reports, err = s.trade.Reports(ctx); err != nil {
		return f, err
	}
	if len(f.Reports) > 3 {
		f.Reports = f.Reports[:3]
	}
	return f, nil
}
