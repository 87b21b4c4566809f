package exports

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"sriim/internal/actors"
	"sriim/internal/errs"
	"sriim/internal/importer"
	"sriim/internal/trade"
	"sriim/internal/vocab"
)

// Declaration is one line of an export declaration: what an exporter
// shipped under one national tariff line, as customs publishes it.
type Declaration struct {
	Line        int     `json:"line"`        // the file's row (the header is row 1)
	RUC         string  `json:"ruc"`         // the exporter's taxpayer number
	Name        string  `json:"name"`        // the exporter's name as the file gives it
	DUA         string  `json:"dua"`         // the declaration's number, when the file gives it
	Serie       string  `json:"serie"`       // its line (serie) number, when given
	Subpartida  string  `json:"subpartida"`  // Peru's 10-digit national line
	Destination int     `json:"destination"` // UN Comtrade partner code
	Port        string  `json:"port"`        // port or customs office of shipment, as written
	FOB         float64 `json:"fob_usd"`
	NetKg       float64 `json:"net_kg"`
	GrossKg     float64 `json:"gross_kg"` // NaN when not given
	Quantity    float64 `json:"quantity"` // NaN when not given
	Unit        string  `json:"unit"`
	Year        int     `json:"year"` // date of shipment
	Month       int     `json:"month"`
	Day         int     `json:"day"`
	Region      string  `json:"region"` // ISO 3166-2 code of the department of production
}

// field is a column of a declarations file.
type field int

const (
	fRUC field = iota
	fName
	fSubpartida
	fDestination
	fPort
	fFOB
	fNet
	fGross
	fQuantity
	fUnit
	fDate
	fDepartment
	fDUA
	fSerie
	numFields
)

// Columns are the template's headers, in its order: the columns SUNAT's
// export declarations use. DUA and SERIE (the declaration's number and
// line) are read when a file has them.
var Columns = []string{"RUC", "RAZON SOCIAL", "SUBPARTIDA", "PAIS DESTINO", "PUERTO", "FOB US$", "PESO NETO", "PESO BRUTO",
	"CANTIDAD", "UNIDAD", "FECHA", "DEPARTAMENTO"}

// headerNames are the names each field's column goes by, as headerKey
// writes them (folded, punctuation as spaces): the template's first.
var headerNames = [numFields][]string{
	fRUC:         {"ruc", "numero de ruc", "ruc exportador", "ruc del exportador"},
	fName:        {"razon social", "exportador", "nombre", "razon social exportador"},
	fSubpartida:  {"subpartida", "subpartida nacional", "partida", "partida arancelaria", "nandina"},
	fDestination: {"pais destino", "pais de destino", "destino", "pais"},
	fPort:        {"puerto", "puerto de embarque", "puerto embarque", "aduana"},
	fFOB:         {"fob us", "fob usd", "valor fob", "valor fob us", "fob", "fob dolares", "valor fob usd"},
	fNet:         {"peso neto", "peso neto kg"},
	fGross:       {"peso bruto", "peso bruto kg"},
	fQuantity:    {"cantidad", "cantidad comercial"},
	fUnit:        {"unidad", "unidad de medida", "unidad medida", "unidad comercial"},
	fDate:        {"fecha", "fecha de embarque", "fecha embarque", "fecha de numeracion", "fecha numeracion"},
	fDepartment:  {"departamento", "departamento de produccion", "dpto", "region"},
	fDUA:         {"dua", "declaracion", "numero de declaracion", "nro dua", "numero dua"},
	fSerie:       {"serie", "item", "numero de serie"},
}

// required are the fields a file must have.
var required = []field{fRUC, fSubpartida, fDestination, fFOB, fNet, fDate, fDepartment}

// headerKey writes a header as headerNames does: without case, accents or
// punctuation ("FOB US$" → "fob us", "R.U.C." → "ruc", "Razón  Social" → "razon social").
func headerKey(h string) string {
	f := strings.FieldsFunc(strings.ReplaceAll(vocab.Fold(strings.TrimPrefix(h, "\ufeff")), ".", ""), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return strings.Join(f, " ")
}

// Limits on what a file may hold, checked while it is read.
const (
	// MaxRecord bounds one CSV record (row) in bytes.
	MaxRecord = 64 << 10
	// MaxXLSX bounds an XLSX file (read whole: a zip needs random access),
	// and MaxUnzipped what its parts unzip to.
	MaxXLSX     = 64 << 20
	MaxUnzipped = 512 << 20
	// MaxProblems is how many bad rows an import reports before it stops reading.
	MaxProblems = 200
	maxColumns  = 200
)

// rowReader reads a file's records one at a time.
type rowReader interface {
	// Next returns the next record and its row; io.EOF at the end.
	Next() (rec []string, line int, err error)
	Close() error
}

// openRows opens a CSV or XLSX file (by its name's ending, else by its first bytes).
func openRows(r io.Reader, name string) (rowReader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, _ := br.Peek(4)
	if strings.HasSuffix(strings.ToLower(name), ".xlsx") || bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return openXLSX(br)
	}
	return openCSV(br)
}

// boundedRecords fails a read that would make the current record longer than
// MaxRecord: encoding/csv holds a whole record before it returns it.
type boundedRecords struct {
	r        io.Reader
	read     int64 // bytes handed to the CSV reader
	recStart int64 // where the current record starts
}

var errLongRecord = errors.New("a row is longer than the limit")

func (b *boundedRecords) Read(p []byte) (int, error) {
	// csv reads ahead through its own buffer (4 KiB); a record may start anywhere in it.
	if room := b.recStart + MaxRecord + 4096 - b.read; room <= 0 {
		return 0, errLongRecord
	} else if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}

type csvRows struct {
	cr      *csv.Reader
	bounded *boundedRecords
}

func openCSV(br *bufio.Reader) (rowReader, error) {
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	first, _ := br.Peek(MaxRecord)
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	b := &boundedRecords{r: br}
	cr := csv.NewReader(b)
	// Spreadsheets in Spanish locales save CSV with semicolons.
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &csvRows{cr: cr, bounded: b}, nil
}

func (c *csvRows) Next() ([]string, int, error) {
	rec, err := c.cr.Read()
	c.bounded.recStart = c.cr.InputOffset()
	if err != nil {
		if errors.Is(err, errLongRecord) {
			return nil, 0, errs.E(errs.Invalid, "a row is longer than the limit of %d KiB", MaxRecord>>10)
		}
		return nil, 0, importer.CSVError(err)
	}
	line, _ := c.cr.FieldPos(0)
	// A cell that is not UTF-8 comes from Excel's "CSV" on a Spanish Windows.
	for i, v := range rec {
		if !utf8.ValidString(v) {
			if d, err := charmap.Windows1252.NewDecoder().String(v); err == nil {
				rec[i] = d
			}
		}
	}
	return rec, line, nil
}

func (c *csvRows) Close() error { return nil }

type xlsxRows struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
}

func openXLSX(r io.Reader) (rowReader, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxXLSX+1))
	if err != nil {
		return nil, errs.Wrap(err, "read file")
	}
	if len(data) > MaxXLSX {
		return nil, errs.E(errs.Invalid, "an XLSX file is read up to %d MiB: save a larger one as CSV", MaxXLSX>>20)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnzipped, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, errs.E(errs.Invalid, "the file is not a valid XLSX workbook").Because(err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, errs.E(errs.Invalid, "the workbook has no sheets")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, errs.E(errs.Invalid, "cannot read the first sheet of the workbook").Because(err)
	}
	return &xlsxRows{f: f, rows: rows}, nil
}

func (x *xlsxRows) Next() ([]string, int, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, 0, errs.E(errs.Invalid, "the file stops being readable after %d rows", x.line).Because(err)
		}
		return nil, 0, io.EOF
	}
	x.line++
	// Raw values: a date is its serial number, not a format's "03-05-04".
	rec, err := x.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, 0, errs.E(errs.Invalid, "cannot read row %d of the first sheet", x.line).Because(err)
	}
	return rec, x.line, nil
}

func (x *xlsxRows) Close() error {
	x.rows.Close()
	return x.f.Close() // removes the temporary files of large parts
}

// columns maps a file's header to the fields.
type columns struct {
	index [numFields]int // the field's column, or -1
	names [numFields]string
}

func readHeader(rec []string) (columns, error) {
	var c columns
	for f := range c.index {
		c.index[f] = -1
	}
	if len(rec) > maxColumns {
		return c, errs.E(errs.Invalid, "the header has more than the limit of %d columns", maxColumns)
	}
	for i, h := range rec {
		key := headerKey(h)
		for f, names := range headerNames {
			for _, n := range names {
				if key != n {
					continue
				}
				if c.index[f] >= 0 {
					return c, errs.FileProblems([]errs.Problem{{Line: 1, Msg: errs.Msg{Format: "%q and %q are the same column", Args: []any{c.names[f], strings.TrimSpace(h)}}}},
						"the header repeats a column")
				}
				c.index[f], c.names[f] = i, strings.TrimSpace(h)
			}
		}
	}
	var missing []string
	for _, f := range required {
		if c.index[f] < 0 {
			missing = append(missing, Columns[templateIndex(f)])
		}
	}
	if len(missing) > 0 {
		return c, errs.FileProblems([]errs.Problem{{Line: 1, Msg: errs.Msg{Format: "columns missing: %s", Args: []any{strings.Join(missing, ", ")}}}},
			"the header lacks columns")
	}
	return c, nil
}

// templateIndex is a field's column in Columns.
func templateIndex(f field) int {
	for i, h := range Columns {
		if headerKey(h) == headerNames[f][0] {
			return i
		}
	}
	return 0
}

// rowProblem is what is wrong with a row.
type rowProblem struct {
	line   int
	column string
	msg    errs.Msg
}

// parser turns records into declarations, remembering the lookups a file
// repeats (countries, departments, ports and units recur on every row).
type parser struct {
	cols        columns
	countries   map[string]int
	departments map[string]string
	words       map[string]string // ports and units, interned
}

func newParser(cols columns) *parser {
	return &parser{cols: cols, countries: map[string]int{}, departments: map[string]string{}, words: map[string]string{}}
}

const cacheLimit = 10000

func (p *parser) get(rec []string, f field) string {
	i := p.cols.index[f]
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

func (p *parser) intern(s string) string {
	if w, ok := p.words[s]; ok {
		return w
	}
	if len(p.words) < cacheLimit {
		s = strings.Clone(s)
		p.words[s] = s
	}
	return s
}

// parse reads one record; a bad one gives the problem of its first bad column.
func (p *parser) parse(rec []string, line int, d *Declaration) *rowProblem {
	bad := func(f field, format string, args ...any) *rowProblem {
		return &rowProblem{line: line, column: p.cols.names[f], msg: errs.Msg{Format: format, Args: args}}
	}
	*d = Declaration{Line: line, GrossKg: math.NaN(), Quantity: math.NaN()}
	d.RUC = p.get(rec, fRUC)
	if err := actors.ValidRUC(d.RUC); err != nil {
		return &rowProblem{line: line, column: p.cols.names[fRUC], msg: err.Msg}
	}
	d.Name = p.get(rec, fName)
	d.DUA, d.Serie = p.get(rec, fDUA), p.get(rec, fSerie)
	if d.Subpartida = nationalLine(p.get(rec, fSubpartida)); d.Subpartida == "" {
		return bad(fSubpartida, "a national line has 10 digits (0307992000 or 0307.99.20.00)")
	}
	dest := p.get(rec, fDestination)
	code, ok := p.countries[dest]
	if !ok {
		partner, known := trade.PartnerByName(dest)
		if !known {
			return bad(fDestination, "unknown country %q: a country's name, or its ISO code", dest)
		}
		code = partner.Code
		if len(p.countries) < cacheLimit {
			p.countries[strings.Clone(dest)] = code
		}
	}
	d.Destination = code
	d.Port, d.Unit = p.intern(p.get(rec, fPort)), p.intern(p.get(rec, fUnit))
	var err error
	if d.FOB, err = importer.ParseNumber(p.get(rec, fFOB)); err != nil || d.FOB < 0 {
		return bad(fFOB, "a value in US$ that is not negative")
	}
	if d.NetKg, err = importer.ParseNumber(p.get(rec, fNet)); err != nil || d.NetKg < 0 {
		return bad(fNet, "a weight in kg that is not negative")
	}
	for _, opt := range []struct {
		f field
		v *float64
	}{{fGross, &d.GrossKg}, {fQuantity, &d.Quantity}} {
		if s := p.get(rec, opt.f); s != "" {
			if *opt.v, err = importer.ParseNumber(s); err != nil || *opt.v < 0 {
				return bad(opt.f, "a number that is not negative, or empty")
			}
		}
	}
	if d.Year, d.Month, d.Day, ok = parseDate(p.get(rec, fDate)); !ok {
		return bad(fDate, "a date as dd/mm/yyyy or yyyy-mm-dd")
	}
	dep := p.get(rec, fDepartment)
	region, ok := p.departments[dep]
	if !ok {
		if region, ok = DepartmentCode(dep); !ok {
			return bad(fDepartment, "unknown department %q: one of Peru's departments by name", dep)
		}
		if len(p.departments) < cacheLimit {
			p.departments[strings.Clone(dep)] = region
		}
	}
	d.Region = region
	return nil
}

// nationalLine returns a 10-digit national line written with or without
// dots and spaces ("" when it is not one).
func nationalLine(s string) string {
	if len(s) == 10 && allDigits(s) {
		return s
	}
	s = strings.NewReplacer(".", "", " ", "").Replace(s)
	if len(s) == 10 && allDigits(s) {
		return s
	}
	return ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// parseDate reads dd/mm/yyyy (or d/m/yyyy, with / or -), yyyy-mm-dd (a time
// after it is ignored), or an Excel date's serial number.
func parseDate(s string) (year, month, day int, ok bool) {
	if i := strings.IndexAny(s, " T"); i >= 0 {
		s = s[:i]
	}
	var a, b, c int
	switch {
	case len(s) == 10 && s[4] == '-' && s[7] == '-':
		a, ok = atoi(s[:4])
		b, ok2 := atoi(s[5:7])
		c, ok3 := atoi(s[8:])
		year, month, day, ok = a, b, c, ok && ok2 && ok3
	case strings.Count(s, "/") == 2 || strings.Count(s, "-") == 2:
		sep := byte('/')
		if strings.IndexByte(s, '/') < 0 {
			sep = '-'
		}
		i := strings.IndexByte(s, sep)
		j := i + 1 + strings.IndexByte(s[i+1:], sep)
		var ok1, ok2, ok3 bool
		a, ok1 = atoi(s[:i])
		b, ok2 = atoi(s[i+1 : j])
		c, ok3 = atoi(s[j+1:])
		day, month, year, ok = a, b, c, ok1 && ok2 && ok3 && len(s)-j-1 == 4
	default:
		// An Excel serial date: days since 1899-12-30 (1900 date system).
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || n < 1 || n > 100000 {
			return 0, 0, 0, false
		}
		t := excelEpoch.AddDate(0, 0, int(n))
		year, month, day, ok = t.Year(), int(t.Month()), t.Day(), true
	}
	if !ok || year < 1990 || year > 2100 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return 0, 0, 0, false
	}
	return year, month, day, true
}

func atoi(s string) (int, bool) {
	if s == "" || len(s) > 4 || !allDigits(s) {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
