package trade

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readAll reads every flow of a testdata file, and the row problems.
func readAll(t testing.TB, format, name string) ([]Flow, []*RowError) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := Open(format, f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var flows []Flow
	var problems []*RowError
	for {
		fl, err := r.Next()
		if err == io.EOF {
			return flows, problems
		}
		var re *RowError
		switch {
		case Skipped(err):
		case errors.As(err, &re):
			problems = append(problems, re)
		case err != nil:
			t.Fatalf("%s: %v", name, err)
		default:
			flows = append(flows, fl)
		}
	}
}

func TestParsers(t *testing.T) {
	tests := []struct {
		format, file string
		rows         int
		check        func(t *testing.T, f []Flow)
	}{
		{FormatLegacy, "comtrade-legacy.csv", 50, func(t *testing.T, f []Flow) {
			first := f[0] // Japan imports from Thailand, 2000; the commodity's description holds quoted commas
			if first.Reporter != 392 || first.Partner != 764 || first.Flow != "import" || first.Classification != "H2" ||
				first.Commodity != "030799" || first.Year != 2000 || first.Value != 25e6 || first.ValueBasis != "cif" || first.NetWeight.Float64 != 2.5e6 {
				t.Errorf("first row: %+v", first)
			}
			if f[3].Qty.Valid { // Peru's rows have an empty quantity
				t.Errorf("empty quantity read as %v", f[3].Qty.Float64)
			}
		}},
		{FormatLegacy, "comtrade-legacy-35.csv.gz", 3, func(t *testing.T, f []Flow) {
			if f[1].Classification != "H5" || f[1].Commodity != "030792" || f[1].Value != 80e6 || f[1].Partner2 != 0 {
				t.Errorf("35-column gzip row: %+v", f[1])
			}
		}},
		{FormatV1, "comtrade-v1.csv", 3, func(t *testing.T, f []Flow) {
			if f[0].Reporter != 604 || f[0].Partner != 490 || f[0].Flow != "export" || f[0].Value != 1200000.5 || f[0].ValueBasis != "fob" || f[0].Month != 0 {
				t.Errorf("v1 CSV: %+v", f[0])
			}
			if f[2].Month != 3 {
				t.Errorf("monthly row: %+v", f[2])
			}
		}},
		{FormatV1, "comtrade-v1.json", 3, func(t *testing.T, f []Flow) {
			if f[1].Partner != 392 || f[1].Value != 300000 || !f[1].Qty.Valid || f[1].Qty.Float64 != 30000 {
				t.Errorf("v1 JSON: %+v", f[1])
			}
		}},
		{FormatSRIIM, "sriim.csv", 2, func(t *testing.T, f []Flow) {
			if f[0].Reporter != 604 || f[0].Partner != 158 || f[0].Classification != "PE" || f[1].Partner != 392 || f[1].ValueBasis != "fob" {
				t.Errorf("sriim: %+v", f)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			flows, problems := readAll(t, tt.format, tt.file)
			if len(problems) != 0 || len(flows) != tt.rows {
				t.Fatalf("%d flows, problems %v; want %d flows", len(flows), problems, tt.rows)
			}
			tt.check(t, flows)
		})
	}
}

func TestBadRowIsReportedWithRowAndColumn(t *testing.T) {
	flows, problems := readAll(t, FormatLegacy, "comtrade-legacy-bad.csv")
	if len(flows) != 6 || len(problems) != 1 || problems[0].Line != 5 || problems[0].Column != "Trade Value (US$)" {
		t.Fatalf("flows %d, problems %+v", len(flows), problems)
	}
}

func TestHeaderLackingColumnsIsRefused(t *testing.T) {
	_, err := Open(FormatLegacy, bytes.NewReader([]byte("Year,Reporter Code\n2004,392\n")))
	var re *RowError
	if !errors.As(err, &re) || re.Line != 1 {
		t.Fatalf("%v", err)
	}
}

// fuzzParser feeds arbitrary bytes to a parser: it may refuse them, never panic.
func fuzzParser(f *testing.F, format string, seeds ...string) {
	for _, s := range seeds {
		b, err := os.ReadFile(filepath.Join("testdata", s))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Open(format, bytes.NewReader(data))
		if err != nil {
			return
		}
		for i := 0; i < 10000; i++ {
			if _, err := r.Next(); err == io.EOF || (err != nil && !Skipped(err) && !isRowError(err)) {
				return
			}
		}
	})
}

func isRowError(err error) bool {
	var re *RowError
	return errors.As(err, &re)
}

func FuzzLegacy(f *testing.F) {
	fuzzParser(f, FormatLegacy, "comtrade-legacy-bad.csv", "comtrade-legacy-35.csv.gz")
}
func FuzzV1(f *testing.F)    { fuzzParser(f, FormatV1, "comtrade-v1.csv", "comtrade-v1.json") }
func FuzzSRIIM(f *testing.F) { fuzzParser(f, FormatSRIIM, "sriim.csv") }

// TestNumbersAreFinite: "NaN" and "Inf" parse as floats, but no trade
// figure is either, and JSON cannot hold them.
func TestNumbersAreFinite(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64
		ok   bool
	}{{"1,234.5", 1234.5, true}, {"7", 7, true}, {"NaN", 0, false}, {"Inf", 0, false}, {"-Infinity", 0, false}, {"1e400", 0, false}} {
		v, err := parseNum(tt.in)
		if (err == nil) != tt.ok || (tt.ok && v.Float64 != tt.want) {
			t.Errorf("parseNum(%q) = %v, %v", tt.in, v, err)
		}
	}
}

// TestComtradeClassifications: HS as reported is read (and the revision a
// file states for each reporter and year is kept); SITC and BEC files are
// refused whole, with their classification named.
func TestComtradeClassifications(t *testing.T) {
	flows, problems := readAll(t, FormatLegacy, "comtrade-legacy-hs.csv")
	if len(problems) > 0 || len(flows) != 4 || flows[0].Classification != AsReportedHS || flows[0].Original {
		t.Fatalf("legacy HS file: %d flows, problems %v, first %+v", len(flows), problems, flows)
	}
	f, _ := os.Open(filepath.Join("testdata", "comtrade-v1-hs.json"))
	defer f.Close()
	r, err := Open(FormatV1, f)
	if err != nil {
		t.Fatal(err)
	}
	for {
		fl, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil || !fl.Original || fl.Classification[0] != 'H' {
			t.Fatalf("v1 HS row: %+v %v", fl, err)
		}
	}
	got := r.(interface{ Revisions() []Revision }).Revisions()
	want := []Revision{{392, 2016, "H4"}, {392, 2017, "H5"}, {410, 2016, "H4"}, {410, 2017, "H4"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("revisions %v, want %v", got, want)
	}
	for name, want := range map[string]string{
		"comtrade-legacy-sitc.csv": "S3 (SITC Rev. 3)",
		"comtrade-v1-bec.csv":      "B5 (BEC Rev. 5)",
	} {
		format := FormatLegacy
		if strings.Contains(name, "v1") {
			format = FormatV1
		}
		f, _ := os.Open(filepath.Join("testdata", name))
		r, err := Open(format, f)
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Next()
		f.Close()
		var re *RowError
		if err == nil || errors.As(err, &re) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "not in the Harmonized System") {
			t.Errorf("%s: %v, want the whole file refused naming %s", name, err, want)
		}
	}
}

func TestRowsThatUsedToBreakTheReader(t *testing.T) {
	const header = "Classification,Year,Period,Trade Flow Code,Reporter Code,Partner Code,Commodity Code,Trade Value (US$),Qty Unit\n"
	for row, column := range map[string]string{
		"H2,2000,200013,1,392,764,030799,5,kg\n":     "month",    // a legacy file's month is its period's: no column of its own
		"H2,2000,2000,1,392,764,030799,5,Kilo\xe9\n": "qty unit", // Latin-1 text, stored as is, would not be text
		"H2,2000,2000,1,392,1000,030799,5,kg\n":      "partner code",
		"H2,2000,2000,1,-4,764,030799,5,kg\n":        "reporter code",
	} {
		r, err := Open(FormatLegacy, strings.NewReader(header+row))
		if err != nil {
			t.Fatal(err)
		}
		var re *RowError
		if _, err := r.Next(); !errors.As(err, &re) || re.Line != 2 || re.Column != column {
			t.Errorf("%q: %v, want a problem in row 2, column %s", row, err, column)
		}
	}
}
