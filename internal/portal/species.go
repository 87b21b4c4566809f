package portal

import (
	"context"

	"sriim/internal/trade"
)

// SpeciesExports are a species' product lines and, for those with figures,
// the destinations of the reporter's exports over the default years (the
// seed's Cuadro 2), for the species' public page.
func (s *Service) SpeciesExports(ctx context.Context, species string) (lines []trade.Product, markets []trade.Ranking, err error) {
	d := s.Defaults
	for _, l := range d.SpeciesLines[species] {
		line, _ := trade.ProductLine(l)
		lines = append(lines, line)
		rk, err := s.trade.Destinations(ctx, line, d.Reporter, d.From, d.To)
		if err != nil {
			return nil, nil, err
		}
		if len(rk.Rows) > 0 {
			markets = append(markets, rk)
		}
	}
	return lines, markets, nil
}
