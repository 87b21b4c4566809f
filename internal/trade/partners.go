// Package trade keeps foreign-trade flows — UN Comtrade and Peru's national
// lines — and computes the market analysis of the seed's section 2.4.2:
// importers' ranking, the suppliers of a market, the destinations of a
// reporter's exports, shares, growth and unit values (activities 2.1.1-iv,
// 2.1.4 and 2.1.5).
package trade

import (
	"sort"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Partner is a reporter or partner as UN Comtrade codes it.
type Partner struct {
	Code      int    `json:"code"`
	ISO       string `json:"iso"`
	NameES    string `json:"name_es"`
	NameEN    string `json:"name_en"`
	Aggregate bool   `json:"aggregate"` // World, EU, "nes" areas: never ranked
}

// Name is the partner's name in lang ("es" or "en").
func (p Partner) Name(lang string) string {
	if lang == "en" {
		return p.NameEN
	}
	return p.NameES
}

// comtradeCodes are where Comtrade's numeric codes differ from UN M49
// (DESIGN.md; UN Comtrade's reporter and partner lists). Taiwan keeps its
// M49 number (158), under which national sources such as PROMPEX name it;
// Comtrade's "Other Asia, nes" (490) is listed apart, under its own label.
var comtradeCodes = map[string]int{"FR": 251, "IT": 381, "US": 842, "IN": 699, "CH": 757, "NO": 579}

// OtherCountries is the partner of a national source's "Otros" row: the
// countries the table does not list (the seed's Cuadro 3). Comtrade has no
// such code (its 899, "Areas, nes", is trade whose partner is unknown), nor
// does UN M49 use 999, which keeps it within the codes a series holds.
const OtherCountries = 999

// aggregates are Comtrade's areas that are not countries.
var aggregates = []Partner{
	{Code: 0, ISO: "W00", NameES: "Mundo", NameEN: "World", Aggregate: true},
	{Code: 97, ISO: "EUR", NameES: "Unión Europea", NameEN: "European Union", Aggregate: true},
	{Code: 899, ISO: "_X", NameES: "Áreas no especificadas", NameEN: "Areas, nes", Aggregate: true},
	{Code: OtherCountries, ISO: "OTROS", NameES: "Otros países", NameEN: "Other countries", Aggregate: true},
	{Code: 837, ISO: "XZ", NameES: "Bunkers", NameEN: "Bunkers", Aggregate: true},
	{Code: 838, ISO: "XF", NameES: "Zonas francas", NameEN: "Free zones", Aggregate: true},
	{Code: 839, ISO: "XS", NameES: "Categorías especiales", NameEN: "Special categories", Aggregate: true},
	{Code: 568, ISO: "XE", NameES: "Otros Europa, n.e.p.", NameEN: "Other Europe, nes", Aggregate: true},
	{Code: 577, ISO: "XAF", NameES: "Otros África, n.e.p.", NameEN: "Other Africa, nes", Aggregate: true},
	{Code: 636, ISO: "XL", NameES: "Resto de América, n.e.p.", NameEN: "Rest of America, nes", Aggregate: true},
	{Code: 637, ISO: "XN", NameES: "Norte de América y Centroamérica, n.e.p.", NameEN: "North America and Central America, nes", Aggregate: true},
	// Taiwan in Comtrade's data in practice, but not by Comtrade's name: ranked as a country.
	{Code: 490, ISO: "S19", NameES: "Otros Asia, n.e.p. (Taiwán)", NameEN: "Other Asia, nes (Taiwan)"},
}

var (
	partners   map[int]Partner
	partnerISO map[string]int
)

// The country list comes from CLDR (ISO 3166 codes, UN M49 numbers and
// Spanish and English names, through golang.org/x/text), with Comtrade's
// own numbers where they differ and its aggregate areas.
func init() {
	partners, partnerISO = map[int]Partner{}, map[string]int{}
	add := func(p Partner) {
		partners[p.Code] = p
		partnerISO[p.ISO] = p.Code
	}
	for _, p := range aggregates {
		add(p)
	}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			r, err := language.ParseRegion(string([]rune{a, b}))
			if err != nil || !r.IsCountry() || r.M49() == 0 || r.ISO3() == "" {
				continue
			}
			code := r.M49()
			if c, ok := comtradeCodes[r.String()]; ok {
				code = c
			}
			p := Partner{Code: code, ISO: r.ISO3(), NameES: display.Spanish.Regions().Name(r), NameEN: display.English.Regions().Name(r)}
			if r.String() == "HK" {
				p.NameES, p.NameEN = "Hong Kong", "Hong Kong"
			}
			add(p)
		}
	}
}

// PartnerByCode returns the partner with a Comtrade code; an unknown code
// gets a placeholder name.
func PartnerByCode(code int) (Partner, bool) {
	p, ok := partners[code]
	if !ok {
		return Partner{Code: code, NameES: "Código " + itoa(code), NameEN: "Code " + itoa(code)}, false
	}
	return p, true
}

// PartnerByISO returns the Comtrade code of an ISO 3166 alpha-3 code.
func PartnerByISO(iso string) (int, bool) {
	c, ok := partnerISO[iso]
	return c, ok
}

// Partners lists every known partner by code.
func Partners() []Partner {
	out := make([]Partner, 0, len(partners))
	for _, p := range partners {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// IsAggregate reports whether a code is an aggregate area, never ranked.
func IsAggregate(code int) bool { return partners[code].Aggregate }
