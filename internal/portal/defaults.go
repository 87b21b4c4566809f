package portal

import (
	"encoding/json"
	"fmt"
	"io/fs"
)

// Defaults are what the site shows when a visitor has chosen nothing: the
// seed plan's reporter, competitors, market, years and product lines. They
// are data (data/seed/portal.json), not constants in handlers.
type Defaults struct {
	// Reporter is the country whose exports are analysed (Peru, 604).
	Reporter int `json:"reporter"`
	// Competitors are the exporters compared in a market (Peru and Chile).
	Competitors []int `json:"competitors"`
	// Market is the importing market analysed by default (Japan, 392).
	Market int `json:"market"`
	// From and To are the years of an analysis by default (2000–2005).
	From int `json:"from"`
	To   int `json:"to"`
	// ProductLine is the market analysis' product by default.
	ProductLine string `json:"product_line"`
	// Production is the production series by default: the region's molluscs.
	Production struct {
		Species []string `json:"species"`
		Places  []string `json:"places"`
	} `json:"production"`
	// HomeExports are the exports the home page adds up, and the source it names.
	HomeExports struct {
		Lines  []string `json:"lines"`
		Since  int      `json:"since"`
		Source string   `json:"source"`
	} `json:"home_exports"`
	// SpeciesLines are the product lines of a species' page, by species code.
	SpeciesLines map[string][]string `json:"species_lines"`
}

// ReadDefaults reads the defaults from name in fsys (data/seed's portal.json).
func ReadDefaults(fsys fs.FS, name string) (Defaults, error) {
	var d Defaults
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return d, err
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return d, fmt.Errorf("%s: %w", name, err)
	}
	if d.Reporter == 0 || d.Market == 0 || d.From == 0 || d.To < d.From || d.ProductLine == "" || len(d.Competitors) == 0 {
		return d, fmt.Errorf("%s: reporter, competitors, market, from ≤ to and product_line are required", name)
	}
	return d, nil
}
