package trade

import (
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/language"

	"sriim/internal/vocab"
)

// partnerAliases are names national sources (SUNAT's export declarations,
// PROMPEX) give countries that differ from CLDR's Spanish and English ones,
// folded as vocab.Fold folds them.
var partnerAliases = map[string]string{
	"estados unidos de america": "USA", "ee.uu.": "USA", "eeuu": "USA", "usa": "USA",
	"taiwan (formosa)": "TWN", "taiwan, provincia de china": "TWN", "china, taiwan": "TWN",
	"corea (sur), republica de": "KOR", "corea, republica de": "KOR", "republica de corea": "KOR",
	"hong kong, china": "HKG", "hongkong": "HKG",
	"china, republica popular": "CHN", "republica popular china": "CHN",
	"rusia, federacion de": "RUS", "federacion de rusia": "RUS",
	"holanda": "NLD", "paises bajos (holanda)": "NLD",
	"vietnam": "VNM", "viet nam": "VNM",
}

var (
	partnerNamesOnce sync.Once
	partnerNames     map[string]int // folded Spanish and English names → code
)

// PartnerByName returns the partner a file names: by its ISO 3166 alpha-2 or
// alpha-3 code, its M49 or Comtrade number, or its Spanish or English name in
// any case, with or without accents.
func PartnerByName(s string) (Partner, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Partner{}, false
	}
	if n, err := strconv.Atoi(s); err == nil {
		p, ok := partners[n]
		return p, ok
	}
	if len(s) == 2 || len(s) == 3 {
		if r, err := language.ParseRegion(s); err == nil && r.ISO3() != "" {
			if code, ok := partnerISO[r.ISO3()]; ok {
				return partners[code], true
			}
		}
	}
	partnerNamesOnce.Do(func() {
		partnerNames = map[string]int{}
		for code, p := range partners {
			if p.Code == 490 { // Comtrade's "Other Asia, nes" is no country's name
				continue
			}
			partnerNames[vocab.Fold(p.NameES)] = code
			partnerNames[vocab.Fold(p.NameEN)] = code
		}
		for name, iso := range partnerAliases {
			partnerNames[name] = partnerISO[iso]
		}
	})
	code, ok := partnerNames[vocab.Fold(s)]
	if !ok {
		return Partner{}, false
	}
	return partners[code], true
}
