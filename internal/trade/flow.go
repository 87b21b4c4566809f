package trade

import (
	"database/sql"
	"strconv"
	"strings"
	"unicode/utf8"

	"sriim/internal/errs"
)

func itoa(n int) string { return strconv.Itoa(n) }

// Flow is one trade figure as a file gives it: what a reporter declares it
// imported from (or exported to) a partner, for a commodity code and a year
// or month.
type Flow struct {
	Reporter       int
	Partner        int
	Partner2       int
	Flow           string // import, export, re-export, re-import
	Classification string // H0…H6 (HS1992…HS2022), HS (as reported, revision not given) or PE (Peru's 10-digit lines)
	Commodity      string
	Year           int
	Month          int // 0 for annual figures
	Value          float64
	ValueBasis     string          // fob or cif
	NetWeight      sql.NullFloat64 // empty in many files
	Qty            sql.NullFloat64
	QtyUnit        string
	Flag           string

	// Original says the file states that Classification is the revision
	// the reporter itself used that year (API v1: searched as "HS", or
	// isOriginalClassification), not a conversion.
	Original bool
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

// Classifications are the HS revisions (H0 = HS1992 … H6 = HS2022), HS as
// reported (the legacy bulk files' and px=HS queries' code: each reporter's
// own revision, which the file does not name) and Peru's national lines.
var Classifications = map[string]string{"H0": "HS1992", "H1": "HS1996", "H2": "HS2002", "H3": "HS2007", "H4": "HS2012",
	"H5": "HS2017", "H6": "HS2022", AsReportedHS: "HS as reported", "PE": "Perú, subpartidas nacionales (NANDINA)"}

// AsReportedHS is the classification of HS data as each reporter reported it.
const AsReportedHS = "HS"

// otherClassifications are Comtrade's classifications that are not HS:
// a file in one of them is refused whole, naming it.
var otherClassifications = map[string]string{"S1": "SITC Rev. 1", "S2": "SITC Rev. 2", "S3": "SITC Rev. 3", "S4": "SITC Rev. 4",
	"ST": "SITC as reported", "BE": "BEC", "B4": "BEC Rev. 4", "B5": "BEC Rev. 5", "EB": "EBOPS (services)", "EB02": "EBOPS 2002 (services)",
	"EB10": "EBOPS 2010 (services)"}

// notHS is the error of a file in a classification SRIIM does not read.
func notHS(code string) error {
	return errs.E(errs.Invalid, "the file is classified in %s (%s), not in the Harmonized System: SRIIM reads HS (H0 to H6, or HS as reported) and Peru's national lines (PE); download the data again in HS",
		code, otherClassifications[code])
}

// validate returns the field that makes f wrong and why ("" when f is right).
func (f *Flow) validate() (column field, msg string) {
	switch {
	case Classifications[f.Classification] == "":
		return fClassification, "H0 to H6, HS (as reported) or PE"
	case !allDigits(f.Commodity):
		return fCommodity, "digits"
	case f.Year < 1950 || f.Year > 2100:
		return fYear, "a year"
	case f.Month < 0 || f.Month > 12:
		return fMonth, "1 to 12 (0 or empty: annual)"
	case f.Value < 0:
		return fValue, "not negative"
	// Comtrade's reporter and partner codes (UN M49 and its own) are below
	// 1000, which also bounds the figures a series holds.
	case f.Reporter < 0 || f.Reporter > maxCode:
		return fReporter, "a code from 0 to 999"
	case f.Partner < 0 || f.Partner > maxCode:
		return fPartner, "a code from 0 to 999"
	case f.Partner2 < 0 || f.Partner2 > maxCode:
		return fPartner2, "a code from 0 to 999"
	// Units and flags are stored as they are: they must be text.
	case !utf8.ValidString(f.QtyUnit):
		return fQtyUnit, "text in UTF-8 (save the file as UTF-8)"
	case !utf8.ValidString(f.Flag):
		return fFlag, "text in UTF-8 (save the file as UTF-8)"
	}
	return 0, ""
}

// maxCode is the largest reporter or partner code.
const maxCode = 999

// allDigits reports whether s is a non-empty run of ASCII digits.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
