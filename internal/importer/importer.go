// Package importer reads the spreadsheets people upload — CSV (comma or
// semicolon; UTF-8 with or without BOM, else Windows-1252) and XLSX — into
// rows of named cells, within limits checked while reading,
// and collects each problem with its row and column so that a module can
// report all of them at once and write nothing.
//
// XLSX is read and written with excelize, the maintained Go library for the
// Office Open XML spreadsheet format; files saved by Excel and LibreOffice
// both read.
package importer

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"

	"sriim/internal/errs"
)

// Limits on what a file may hold, checked while it is read, so that a
// small hostile file (a zip bomb, a sheet of a million columns) is refused
// before it costs memory; each error names the limit passed.
const (
	MaxBytes    = 32 << 20  // the file as uploaded
	maxUnzipped = 128 << 20 // an XLSX's parts, unzipped
	maxRows     = 100_000   // rows, the header and blank rows included
	maxColumns  = 100       // columns of any row
	maxCells    = 1_000_000 // filled cells kept (and an XLSX's shared texts)
	maxText     = 64 << 20  // bytes of text in the cells kept
	maxCell     = 32_767    // characters in a cell (Excel's own limit)
	// maxXMLToken bounds the bytes between two '<' in an XLSX part: a tag or
	// a text that long is no cell of at most maxCell characters.
	maxXMLToken = 1 << 20
	// unzipInMemory is the part size above which excelize unzips a sheet or
	// the shared texts to a temporary file rather than into memory.
	unzipInMemory = 4 << 20
)

// Row is one data row: its 1-based line in the file (the header is line 1)
// and its filled cells by lower-case column name.
type Row struct {
	Line  int
	Cells map[string]string
}

// Get returns the trimmed cell of column col.
func (r Row) Get(col string) string { return strings.TrimSpace(r.Cells[col]) }

// Table is a file's header and rows.
type Table struct {
	Header []string
	Rows   []Row
	// Encoding is "windows-1252" when a CSV file was not UTF-8 and was read
	// as Windows-1252 (Excel's "CSV" on a Spanish Windows); "" for UTF-8.
	Encoding string
}

// Read reads a CSV or XLSX file (by its name's ending, else by its first
// bytes), requiring every column in required to be in the header.
func Read(r io.Reader, filename string, required []string) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, errs.Wrap(err, "read upload")
	}
	if len(data) > MaxBytes {
		return nil, errs.E(errs.TooLarge, "the file is larger than the limit of %d MiB", MaxBytes>>20)
	}
	b := &tableBuilder{t: &Table{}, required: required}
	if strings.HasSuffix(strings.ToLower(filename), ".xlsx") || bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		err = readXLSX(data, b)
	} else {
		err = readCSV(data, b)
	}
	if err != nil {
		return nil, err
	}
	if b.rows == 0 {
		return nil, errs.E(errs.Invalid, "the file is empty")
	}
	return b.t, nil
}

// tableBuilder makes a Table of the rows a file gives, the header first,
// counting what they hold against the limits.
type tableBuilder struct {
	t           *Table
	required    []string
	rows        int // read, the header and blank ones included
	cells, text int // kept
}

// add takes the row at line; column names the file's columns in messages.
func (b *tableBuilder) add(line int, rec []string, column func(int) string) error {
	b.rows++
	if b.rows > maxRows {
		return errs.E(errs.Invalid, "the file has more than the limit of %d rows", maxRows)
	}
	if len(rec) > maxColumns {
		return errs.E(errs.Invalid, "row %d has more than the limit of %d columns", line, maxColumns)
	}
	for j, v := range rec {
		if len(v) > maxCell && utf8.RuneCountInString(v) > maxCell {
			return errs.E(errs.Invalid, "row %d, column %s: the cell is longer than the limit of %d characters", line, column(j), maxCell)
		}
	}
	if b.rows == 1 {
		return b.header(rec)
	}
	row := Row{Line: line, Cells: map[string]string{}}
	for j, v := range rec {
		if j < len(b.t.Header) && b.t.Header[j] != "" && strings.TrimSpace(v) != "" {
			row.Cells[b.t.Header[j]] = v
			b.cells++
			b.text += len(v)
		}
	}
	if b.cells > maxCells {
		return errs.E(errs.Invalid, "the file has more than the limit of %d filled cells", maxCells)
	}
	if b.text > maxText {
		return errs.E(errs.Invalid, "the file's cells hold more than the limit of %d MiB of text", maxText>>20)
	}
	if len(row.Cells) > 0 {
		b.t.Rows = append(b.t.Rows, row)
	}
	return nil
}

func (b *tableBuilder) header(rec []string) error {
	t := b.t
	seen := map[string]bool{}
	for _, h := range rec {
		h = strings.ToLower(strings.TrimSpace(h))
		if seen[h] && h != "" {
			return errs.FileProblems([]errs.Problem{{Line: 1, Msg: errs.Msg{Format: "column %q is repeated", Args: []any{h}}}},
				"the header repeats a column")
		}
		seen[h] = true
		t.Header = append(t.Header, h)
	}
	var missing []string
	for _, col := range b.required {
		if !seen[col] {
			missing = append(missing, col)
		}
	}
	if len(missing) > 0 {
		return errs.FileProblems([]errs.Problem{{Line: 1, Msg: errs.Msg{Format: "columns missing: %s", Args: []any{strings.Join(missing, ", ")}}}},
			"the header lacks columns")
	}
	return nil
}

// readCSV reads UTF-8 (with or without a BOM), or else Windows-1252, the
// encoding Excel saves "CSV" in on a Spanish Windows; Table.Encoding says
// which, for the import to tell.
func readCSV(data []byte, b *tableBuilder) error {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var text io.Reader = bytes.NewReader(data)
	if !utf8.Valid(data) {
		text = transform.NewReader(text, charmap.Windows1252.NewDecoder())
		b.t.Encoding = "windows-1252"
	}
	first, _, _ := bufio.NewReader(bytes.NewReader(data)).ReadLine()
	cr := csv.NewReader(text)
	// Spreadsheets in Spanish locales save CSV with semicolons.
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	column := func(j int) string { return strconv.Itoa(j + 1) }
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return CSVError(err)
		}
		// What WriteCSV defused comes back as it was, so an export imports unchanged.
		for i, v := range rec {
			if len(v) > 1 && v[0] == '\'' && Defuse(v[1:]) == v {
				rec[i] = v[1:]
			}
		}
		line, _ := cr.FieldPos(0)
		if err := b.add(line, rec, column); err != nil {
			return err
		}
	}
}

// CSVError says in the catalogue's words where and why a file is not CSV;
// encoding/csv's own text stays the logged cause. An error that is not
// encoding/csv's (the reader's own, such as a size limit) is returned as it is.
func CSVError(err error) error {
	if pe := (*csv.ParseError)(nil); errors.As(err, &pe) {
		return errs.FileProblems([]errs.Problem{{Line: pe.Line, Msg: CSVMessage(pe)}}, "the file is not valid CSV").Because(err)
	}
	return err
}

// CSVMessage says why encoding/csv could not read a row, in the words of
// the message catalogues (encoding/csv's own are for logs).
func CSVMessage(pe *csv.ParseError) errs.Msg {
	switch {
	case errors.Is(pe.Err, csv.ErrQuote):
		return errs.Msg{Format: "a quoted cell has no closing quote mark, or a stray one"}
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return errs.Msg{Format: "a quote mark inside a cell that does not start with one"}
	case errors.Is(pe.Err, csv.ErrFieldCount):
		return errs.Msg{Format: "the row has another number of cells than the header"}
	}
	return errs.Msg{Format: "the row cannot be read as CSV"}
}

// readXLSX reads the first sheet row by row with excelize, once the
// workbook's parts have been checked against the limits.
func readXLSX(data []byte, b *tableBuilder) error {
	if err := checkWorkbook(data); err != nil {
		return err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: unzipInMemory})
	if f != nil {
		defer f.Close() // removes the temporary files of large parts
	}
	if err != nil {
		return errs.E(errs.Invalid, "the file is not a valid XLSX workbook").Because(err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return errs.E(errs.Invalid, "the workbook has no sheets")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return errs.E(errs.Invalid, "cannot read the first sheet of the workbook").Because(err)
	}
	defer rows.Close()
	column := func(j int) string {
		name, _ := excelize.ColumnNumberToName(j + 1)
		return name
	}
	for line := 1; rows.Next(); line++ {
		rec, err := rows.Columns()
		if err != nil {
			return errs.E(errs.Invalid, "cannot read row %d of the first sheet", line).Because(err)
		}
		if err := b.add(line, rec, column); err != nil {
			return err
		}
	}
	if err := rows.Error(); err != nil {
		return errs.E(errs.Invalid, "cannot read the first sheet of the workbook").Because(err)
	}
	return nil
}

// checkWorkbook unzips an XLSX file's parts once, without keeping them, and
// refuses one that unzips to more than maxUnzipped, has more than maxCells
// shared texts, or a tag or text longer than maxXMLToken: what would make
// excelize's reading cost more than the file's worth.
func checkWorkbook(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return errs.E(errs.Invalid, "the file is not a valid XLSX workbook").Because(err)
	}
	var total uint64
	for _, zf := range zr.File {
		// archive/zip refuses a part that unzips to more than it declares.
		if total += zf.UncompressedSize64; total > maxUnzipped {
			return errs.E(errs.TooLarge, "the workbook unzips to more than the limit of %d MiB", maxUnzipped>>20)
		}
	}
	for _, zf := range zr.File {
		scan := &xmlScan{}
		if strings.EqualFold(zf.Name, "xl/sharedStrings.xml") {
			scan.count = "si"
		}
		rc, err := zf.Open()
		if err != nil {
			return errs.E(errs.Invalid, "the file is not a valid XLSX workbook").Because(err)
		}
		_, err = io.Copy(scan, rc)
		rc.Close()
		switch {
		case err == errLongToken:
			return errs.E(errs.Invalid, "the workbook holds a text longer than the limit of %d characters for a cell", maxCell)
		case err == errManyCounts:
			return errs.E(errs.Invalid, "the workbook has more than the limit of %d different texts", maxCells)
		case err != nil:
			return errs.E(errs.Invalid, "the file is not a valid XLSX workbook").Because(err)
		}
	}
	return nil
}

// xmlScan reads an XML part as it is unzipped: it fails on a run of more than
// maxXMLToken bytes without a '<' (the longest tag or text the XML reader
// would hold at once), or on more than maxCells elements whose local name
// is count.
type xmlScan struct {
	run     int  // bytes since the last '<'
	inName  bool // reading the name after '<'
	name    []byte
	count   string
	counted int
}

var (
	errLongToken  = errors.New("a tag or text longer than the limit")
	errManyCounts = errors.New("too many elements")
)

func (x *xmlScan) Write(p []byte) (int, error) {
	for rest := p; len(rest) > 0; {
		if x.inName {
			c := rest[0]
			rest = rest[1:]
			x.run++
			switch c {
			case ' ', '\t', '\r', '\n', '/', '>':
				x.inName = false
				name := x.name
				if i := bytes.LastIndexByte(name, ':'); i >= 0 {
					name = name[i+1:] // a namespace prefix
				}
				if x.count != "" && string(name) == x.count {
					if x.counted++; x.counted > maxCells {
						return 0, errManyCounts
					}
				}
			default:
				if len(x.name) < 16 {
					x.name = append(x.name, c)
				}
			}
			continue
		}
		// Text and the rest of a tag, up to the next '<'.
		i := bytes.IndexByte(rest, '<')
		if i < 0 {
			i = len(rest)
		}
		if x.run += i; x.run > maxXMLToken {
			return 0, errLongToken
		}
		if rest = rest[i:]; len(rest) > 0 {
			x.run, x.inName, x.name, rest = 0, true, x.name[:0], rest[1:]
		}
	}
	return len(p), nil
}

// Problems collects what is wrong with a file, by row and column.
type Problems struct {
	list []errs.Problem
}

// Add records a problem in a row's column (column "" for the whole row).
// The format is the message's id in the message catalogues.
func (p *Problems) Add(line int, column, format string, args ...any) {
	p.list = append(p.list, errs.Problem{Line: line, Column: column, Msg: errs.Msg{Format: format, Args: args}})
}

// Len is the number of problems.
func (p *Problems) Len() int { return len(p.list) }

// maxListed is how many problems an error lists; it counts the others.
const maxListed = 200

// Err is nil without problems, and otherwise an Invalid error whose fields
// are "fila N, columna C" (at most maxListed problems, in file order).
func (p *Problems) Err() error {
	if len(p.list) == 0 {
		return nil
	}
	sort.SliceStable(p.list, func(i, j int) bool { return p.list[i].Line < p.list[j].Line })
	listed := p.list
	if len(listed) > maxListed {
		listed = append(listed[:maxListed:maxListed], errs.Problem{Msg: errs.Msg{Format: "and %d more problems", Args: []any{len(p.list) - maxListed}}})
	}
	return errs.FileProblems(listed, "the file has %d problems; nothing was imported", len(p.list))
}

// WriteCSV writes a header and rows as CSV (UTF-8 with a BOM, so that Excel
// opens accents correctly). It is the one place CSV is written, so every
// export is safe to open: a cell that a spreadsheet would run as a formula
// is written as text (see Defuse).
func WriteCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := w.Write([]byte("\xef\xbb\xbf")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	cell := make([]string, 0, len(header))
	for _, row := range rows {
		cell = cell[:0]
		for _, v := range row {
			cell = append(cell, Defuse(v))
		}
		if err := cw.Write(cell); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// plainNumber is a decimal number as exports write them: -12.5, 3e-07.
var plainNumber = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// Defuse makes a CSV cell that starts with =, +, -, @, a tab or a carriage
// return text, with a leading apostrophe, as OWASP advises against CSV
// injection: spreadsheets run such cells as formulas, which can fetch from
// the network or run commands. A plain number (-12.5) is left as it is: it
// carries no formula, and stays a number for whoever computes with it.
// Reading a CSV file takes the apostrophe away again (see readCSV); so
// that this is exact, a cell that already starts with apostrophes before
// such a character gets one more.
func Defuse(v string) string {
	if formula(v) {
		return "'" + v
	}
	return v
}

func formula(v string) bool {
	rest := strings.TrimLeft(v, "'")
	return rest != "" && strings.ContainsRune("=+-@\t\r", rune(rest[0])) && !plainNumber.MatchString(rest)
}

// WriteXLSX writes a header and rows as a one-sheet workbook; cells that are
// numbers are written as numbers so that people can compute with them.
func WriteXLSX(w io.Writer, sheet string, header []string, rows [][]string, numeric map[string]bool) error {
	return WriteXLSXSheets(w, []Sheet{{Name: sheet, Header: header, Rows: rows, Numeric: numeric}})
}

// Sheet is one sheet of a workbook.
type Sheet struct {
	Name    string
	Header  []string
	Rows    [][]string
	Numeric map[string]bool // columns whose cells are numbers
}

// WriteXLSXSheets writes a workbook of several sheets.
func WriteXLSXSheets(w io.Writer, sheets []Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.Name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.Name); err != nil {
			return err
		}
		if err := writeSheet(f, sh.Name, sh.Header, sh.Rows, sh.Numeric); err != nil {
			return err
		}
	}
	return f.Write(w)
}

func writeSheet(f *excelize.File, sheet string, header []string, rows [][]string, numeric map[string]bool) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = h
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for r, row := range rows {
		cells := make([]any, len(row))
		for i, v := range row {
			cells[i] = v
			if i < len(header) && numeric[header[i]] && v != "" {
				var n float64
				if _, err := fmt.Sscan(v, &n); err == nil {
					cells[i] = n
				}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}
