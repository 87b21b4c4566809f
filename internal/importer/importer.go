// Package importer reads the spreadsheets people upload — CSV (comma or
// semicolon, UTF-8 with or without BOM) and XLSX — into rows of named cells,
// and collects each problem with its row and column so that a module can
// report all of them at once and write nothing.
//
// XLSX is read and written with excelize, the maintained Go library for the
// Office Open XML spreadsheet format; files saved by Excel and LibreOffice
// both read.
package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"sriim/internal/errs"
)

// MaxBytes is the largest upload read; larger files are refused.
const MaxBytes = 32 << 20

// Row is one data row: its 1-based line in the file (the header is line 1)
// and its cells by lower-case column name.
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
}

// Read reads a CSV or XLSX file (by its name's ending, else by its first
// bytes), requiring every column in required to be in the header.
func Read(r io.Reader, filename string, required []string) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, errs.Wrap(err, "read upload")
	}
	if len(data) > MaxBytes {
		return nil, errs.E(errs.Invalid, "the file is larger than %d MB", MaxBytes>>20)
	}
	var records [][]string
	if strings.HasSuffix(strings.ToLower(filename), ".xlsx") || bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		records, err = readXLSX(data)
	} else {
		records, err = readCSV(data)
	}
	if err != nil {
		return nil, err
	}
	if len(records) == 0 {
		return nil, errs.E(errs.Invalid, "the file is empty")
	}
	t := &Table{}
	seen := map[string]bool{}
	for _, h := range records[0] {
		h = strings.ToLower(strings.TrimSpace(h))
		if seen[h] && h != "" {
			return nil, errs.FileProblems([]errs.Problem{{Line: 1, Msg: errs.Msg{Format: "column %q is repeated", Args: []any{h}}}},
				"the header repeats a column")
		}
		seen[h] = true
		t.Header = append(t.Header, h)
	}
	var missing []string
	for _, col := range required {
		if !seen[col] {
			missing = append(missing, col)
		}
	}
	if len(missing) > 0 {
		return nil, errs.FileProblems([]errs.Problem{{Line: 1, Msg: errs.Msg{Format: "columns missing: %s", Args: []any{strings.Join(missing, ", ")}}}},
			"the header lacks columns")
	}
	for i, rec := range records[1:] {
		row := Row{Line: i + 2, Cells: map[string]string{}}
		empty := true
		for j, v := range rec {
			if j < len(t.Header) && t.Header[j] != "" {
				row.Cells[t.Header[j]] = v
				if strings.TrimSpace(v) != "" {
					empty = false
				}
			}
		}
		if !empty {
			t.Rows = append(t.Rows, row)
		}
	}
	return t, nil
}

func readCSV(data []byte) ([][]string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	first, _, _ := bufio.NewReader(bytes.NewReader(data)).ReadLine()
	cr := csv.NewReader(bytes.NewReader(data))
	// Spreadsheets in Spanish locales save CSV with semicolons.
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	records, err := cr.ReadAll()
	if err != nil {
		return nil, csvError(err)
	}
	// What WriteCSV defused comes back as it was, so an export imports unchanged.
	for _, rec := range records {
		for i, v := range rec {
			if len(v) > 1 && v[0] == '\'' && Defuse(v[1:]) == v {
				rec[i] = v[1:]
			}
		}
	}
	return records, nil
}

// csvError says in the catalogue's words where and why a file is not CSV;
// encoding/csv's own text stays the logged cause.
func csvError(err error) error {
	if pe := (*csv.ParseError)(nil); errors.As(err, &pe) {
		return errs.FileProblems([]errs.Problem{{Line: pe.Line, Msg: CSVMessage(pe)}}, "the file is not valid CSV").Because(err)
	}
	return errs.E(errs.Invalid, "the file is not valid CSV").Because(err)
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

func readXLSX(data []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, errs.E(errs.Invalid, "the file is not a valid XLSX workbook").Because(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errs.E(errs.Invalid, "the workbook has no sheets")
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, errs.E(errs.Invalid, "cannot read the first sheet of the workbook").Because(err)
	}
	return rows, nil
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
