package trade

import (
	"strconv"
	"strings"
)

func itoa(n int) string { return strconv.Itoa(n) }

// Flow is one trade figure: what a reporter declares it imported from (or
// exported to) a partner, for a commodity code and a year or month.
type Flow struct {
	Reporter       int      `json:"reporter"`
	Partner        int      `json:"partner"`
	Partner2       int      `json:"partner2,omitempty"`
	Flow           string   `json:"flow"`           // import, export, re-export, re-import
	Classification string   `json:"classification"` // H0…H6 (HS1992…HS2022) or PE (Peru's 10-digit lines)
	Commodity      string   `json:"commodity"`
	Year           int      `json:"year"`
	Month          int      `json:"month,omitempty"` // 0 for annual figures
	Value          float64  `json:"value_usd"`
	ValueBasis     string   `json:"value_basis,omitempty"` // fob or cif
	NetWeight      *float64 `json:"net_weight_kg,omitempty"`
	Qty            *float64 `json:"qty,omitempty"`
	QtyUnit        string   `json:"qty_unit,omitempty"`
	Flag           string   `json:"flag,omitempty"`
}

// Flows are the kinds of flow, with Comtrade's numeric and letter codes.
var flowCodes = map[string]string{
	"1": "import", "2": "export", "3": "re-export", "4": "re-import",
	"m": "import", "x": "export", "rx": "re-export", "rm": "re-import",
	"import": "import", "export": "export", "re-export": "re-export", "re-import": "re-import",
	"importacion": "import", "exportacion": "export", "reexportacion": "re-export", "reimportacion": "re-import",
	"importación": "import", "exportación": "export", "reexportación": "re-export", "reimportación": "re-import",
}

func parseFlow(s string) (string, bool) {
	f, ok := flowCodes[strings.ToLower(strings.TrimSpace(s))]
	return f, ok
}

// basisOf is the valuation Comtrade's "Trade Value" has for a flow: CIF for
// imports, FOB for exports.
func basisOf(flow string) string {
	if flow == "import" || flow == "re-import" {
		return "cif"
	}
	return "fob"
}

// Classifications are the HS revisions (H0 = HS1992 … H6 = HS2022) and Peru's national lines.
var Classifications = map[string]string{"H0": "HS1992", "H1": "HS1996", "H2": "HS2002", "H3": "HS2007", "H4": "HS2012",
	"H5": "HS2017", "H6": "HS2022", "PE": "Perú, subpartidas nacionales (NANDINA)"}

func (f *Flow) validate() (column, msg string) {
	switch {
	case Classifications[f.Classification] == "":
		return "classification", "H0 to H6, or PE"
	case f.Commodity == "" || strings.Trim(f.Commodity, "0123456789") != "":
		return "commodity", "digits"
	case f.Year < 1950 || f.Year > 2100:
		return "year", "a year"
	case f.Month < 0 || f.Month > 12:
		return "month", "1 to 12 (0 or empty: annual)"
	case f.Value < 0:
		return "value", "not negative"
	}
	return "", ""
}
