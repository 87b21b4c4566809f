package trade

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"sriim/internal/errs"
	"sriim/internal/importer"
)

// Formats the importers read.
const (
	FormatLegacy = "comtrade-legacy" // UN Comtrade bulk CSV, 22 or 35 columns
	FormatV1     = "comtrade-v1"     // UN Comtrade API v1, CSV or JSON {"data":[…]}
	FormatSRIIM  = "sriim"           // SRIIM's own template (Spanish columns)
)

// RowError is a problem with one row (line counts the header as 1).
type RowError struct {
	Line   int
	Column string
	Msg    string // the message's format, its id in the message catalogues
	Args   []any
}

func (e *RowError) Error() string {
	p := e.Problem()
	if e.Column == "" {
		return fmt.Sprintf("row %d: %s", e.Line, p.Msg)
	}
	return fmt.Sprintf("row %d, column %s: %s", e.Line, e.Column, p.Msg)
}

// Problem is the row's problem as errs reports it.
func (e *RowError) Problem() errs.Problem {
	return errs.Problem{Line: e.Line, Column: e.Column, Msg: errs.Msg{Format: e.Msg, Args: e.Args}}
}

// Reader reads flows one at a time, in constant memory.
type Reader interface {
	// Next returns the next flow; io.EOF at the end; a *RowError for a bad
	// row, after which reading can go on; any other error ends the file.
	Next() (Flow, error)
	// Line is the row the last flow came from (the header is row 1).
	Line() int
}

// Limits that keep a reader's memory and time bounded whatever the file: a
// row is held whole while it is read, and encoding/csv skips blank lines
// without a word, so a file (or what a small .gz inflates to) of one endless
// line, or of nothing but blank lines, is refused early.
const (
	maxRowBytes   = 1 << 20 // a CSV row, or a JSON record with the blanks before it
	maxBlankLines = 1000    // blank lines in a row
)

// Open returns a reader of format over r; gzip-compressed input (by its
// first bytes) is uncompressed on the fly.
func Open(format string, r io.Reader) (Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		br = bufio.NewReaderSize(gz, 1<<16)
	}
	switch format {
	case FormatLegacy:
		return newCSV(&lineGuard{r: br, line: 1}, legacyColumns)
	case FormatV1:
		if first, err := firstByte(br); err == nil && (first == '{' || first == '[') {
			return newJSONv1(br)
		}
		return newCSV(&lineGuard{r: br, line: 1}, v1Columns)
	case FormatSRIIM:
		return newCSV(&lineGuard{r: br, line: 1}, sriimColumns)
	}
	return nil, fmt.Errorf("unknown format %q: use %s, %s or %s", format, FormatLegacy, FormatV1, FormatSRIIM)
}

// lineGuard passes a CSV file through until a row (its lines, when a quoted
// field holds line breaks) passes maxRowBytes or more than maxBlankLines
// lines in a row are blank; then it fails, naming the line and the limit.
type lineGuard struct {
	r       io.Reader
	line    int  // the line being read, from 1
	row     int  // bytes of the row being read
	quoted  bool // inside a quoted field
	filled  bool // the line has something besides blanks
	blanks  int  // blank lines in a row before this one
	stopped error
}

func (g *lineGuard) Read(p []byte) (int, error) {
	if g.stopped != nil {
		return 0, g.stopped
	}
	n, err := g.r.Read(p)
	for rest := p[:n]; len(rest) > 0; {
		end := bytes.IndexByte(rest, '\n')
		part := rest
		if end >= 0 {
			part = rest[:end]
		}
		g.row += len(part)
		// "" inside quotes escapes a quote: counting quotes keeps the parity right.
		g.quoted = g.quoted != (bytes.Count(part, []byte{'"'})%2 == 1)
		g.filled = g.filled || len(bytes.Trim(part, " \t\r")) > 0
		if g.row > maxRowBytes {
			g.stopped = errs.E(errs.Invalid, "row at line %d is longer than the limit of %d MiB", g.line, maxRowBytes>>20)
			return 0, g.stopped
		}
		if end < 0 {
			break
		}
		if g.filled || g.quoted {
			g.blanks = 0
		} else if g.blanks++; g.blanks > maxBlankLines {
			g.stopped = errs.E(errs.Invalid, "more than the limit of %d blank lines in a row, up to line %d", maxBlankLines, g.line)
			return 0, g.stopped
		}
		if !g.quoted {
			g.row = 0
		}
		g.line, g.filled, rest = g.line+1, false, rest[end+1:]
	}
	return n, err
}

func firstByte(br *bufio.Reader) (byte, error) {
	for i := 1; i <= 4096; i++ {
		b, err := br.Peek(i)
		if err != nil {
			return 0, err
		}
		switch c := b[i-1]; c {
		case ' ', '\t', '\r', '\n', 0xef, 0xbb, 0xbf:
			continue
		default:
			return c, nil
		}
	}
	return 0, io.EOF
}

// columns says which header names hold each field, and how rows become flows.
type columns struct {
	names map[field][]string // field → accepted header names (lower case)
	build func(get func(field) string) (Flow, *RowError)
}

// name is the format's header name of field f, or the field's own name
// when the format has no column for it (a legacy file's month is its period's).
func (c columns) name(f field) string {
	if names := c.names[f]; len(names) > 0 {
		return names[0]
	}
	return fieldNames[f]
}

// field is a field the formats' columns hold; rows read theirs by field
// a dozen times each, so a field indexes an array, not a map.
type field uint8

const (
	fClassification field = iota
	fYear
	fPeriod
	fMonth
	fFlow
	fReporter
	fPartner
	fPartner2
	fCommodity
	fQtyUnit
	fQty
	fNetWeight
	fValue
	fCIF
	fFOB
	fCustoms
	fMOT
	fFlag
	fBasis
	fSearchClassification
	fOriginal
	numFields
)

// fieldNames name the fields in problems before a format names them its way.
var fieldNames = [numFields]string{"classification", "year", "period", "month", "flow", "reporter", "partner", "partner2", "commodity",
	"qtyunit", "qty", "netweight", "value", "cif", "fob", "customs", "mot", "flag", "basis", "classificationSearchCode", "isOriginalClassification"}

type csvReader struct {
	revisions
	r        *csv.Reader
	line     int
	column   [numFields]int // the field's column, or -1
	cols     columns
	rec      []string
	getField func(field) string // c.get, bound once
}

func newCSV(r io.Reader, cols columns) (Reader, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	c := &csvReader{r: cr, line: 1, cols: cols}
	for f := range c.column {
		c.column[f] = -1
	}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		for f, names := range cols.names {
			for _, n := range names {
				if h == n && c.column[f] < 0 {
					c.column[f] = i
				}
			}
		}
	}
	var missing []string
	for _, f := range []field{fYear, fFlow, fReporter, fPartner, fCommodity, fValue} {
		if c.column[f] < 0 {
			missing = append(missing, cols.name(f))
		}
	}
	if len(missing) > 0 {
		return nil, &RowError{Line: 1, Msg: "the header lacks %s", Args: []any{strings.Join(missing, ", ")}}
	}
	c.getField = c.get
	return c, nil
}

// get returns a field of the current row, trimmed; "" when absent.
func (c *csvReader) get(f field) string {
	i := c.column[f]
	if i < 0 || i >= len(c.rec) {
		return ""
	}
	return strings.TrimSpace(c.rec[i])
}

func (c *csvReader) Line() int { return c.line }

func (c *csvReader) Next() (Flow, error) {
	rec, err := c.r.Read()
	c.line++
	if err == io.EOF {
		return Flow{}, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if ok := asParseError(err, &pe); ok {
			return Flow{}, &RowError{Line: pe.StartLine, Msg: importer.CSVMessage(pe).Format}
		}
		return Flow{}, err
	}
	line, _ := c.r.FieldPos(0)
	c.line = line
	c.rec = rec
	f, rerr := c.cols.build(c.getField)
	if rerr == errSkip {
		return Flow{}, errSkip
	}
	if rerr != nil {
		rerr.Line = c.line
		return Flow{}, rerr
	}
	if _, other := otherClassifications[f.Classification]; other {
		return Flow{}, notHS(f.Classification)
	}
	if col, msg := f.validate(); msg != "" {
		return Flow{}, &RowError{Line: c.line, Column: c.cols.name(col), Msg: msg}
	}
	c.add(f)
	return f, nil
}

func asParseError(err error, target **csv.ParseError) bool {
	pe, ok := err.(*csv.ParseError)
	if ok {
		*target = pe
	}
	return ok
}

// parseNum reads a number, with or without thousands separators; not
// Valid when s is empty. Fields come trimmed.
func parseNum(s string) (sql.NullFloat64, error) {
	if s == "" {
		return sql.NullFloat64{}, nil
	}
	if strings.IndexByte(s, ',') >= 0 {
		s = strings.ReplaceAll(s, ",", "")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return sql.NullFloat64{}, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) { // "NaN" and "Inf" parse, but are no figure
		return sql.NullFloat64{}, strconv.ErrSyntax
	}
	return sql.NullFloat64{Float64: f, Valid: true}, nil
}

func parseCode(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.Atoi(s)
}

// numbers reads the common numeric fields.
func numbers(get func(field) string, f *Flow) *RowError {
	var err error
	if f.Reporter, err = parseCode(get(fReporter)); err != nil {
		return &RowError{Column: "reporter", Msg: "a numeric code"}
	}
	if f.Partner, err = parseCode(get(fPartner)); err != nil {
		return &RowError{Column: "partner", Msg: "a numeric code"}
	}
	if f.Partner2, err = parseCode(get(fPartner2)); err != nil {
		return &RowError{Column: "partner2", Msg: "a numeric code"}
	}
	if f.Year, err = strconv.Atoi(get(fYear)); err != nil {
		return &RowError{Column: "year", Msg: "a year"}
	}
	v, err := parseNum(get(fValue))
	if err != nil || !v.Valid {
		return &RowError{Column: "value", Msg: "a number"}
	}
	f.Value = v.Float64
	if f.NetWeight, err = parseNum(get(fNetWeight)); err != nil {
		return &RowError{Column: "netweight", Msg: "a number or empty"}
	}
	if f.Qty, err = parseNum(get(fQty)); err != nil {
		return &RowError{Column: "qty", Msg: "a number or empty"}
	}
	return nil
}

var legacyColumns = columns{
	names: map[field][]string{
		fClassification: {"classification"}, fYear: {"year"}, fPeriod: {"period"}, fFlow: {"trade flow code"},
		fReporter: {"reporter code"}, fPartner: {"partner code"}, fPartner2: {"2nd partner code"},
		fCommodity: {"commodity code"}, fQtyUnit: {"qty unit"}, fQty: {"qty"}, fNetWeight: {"netweight (kg)"},
		fValue: {"trade value (us$)"}, fFlag: {"flag"},
	},
	build: func(get func(field) string) (Flow, *RowError) {
		f := Flow{Classification: strings.ToUpper(get(fClassification)), Commodity: get(fCommodity), QtyUnit: get(fQtyUnit), Flag: get(fFlag)}
		var ok bool
		if f.Flow, ok = parseFlow(get(fFlow)); !ok {
			return f, &RowError{Column: "Trade Flow Code", Msg: "1, 2, 3 or 4"}
		}
		if e := numbers(get, &f); e != nil {
			e.Column = legacyName(e.Column)
			return f, e
		}
		if p := get(fPeriod); len(p) == 6 {
			m, err := strconv.Atoi(p[4:])
			if err != nil {
				return f, &RowError{Column: "Period", Msg: "YYYY or YYYYMM"}
			}
			f.Month = m
		}
		f.ValueBasis = basisOf(f.Flow)
		return f, nil
	},
}

func legacyName(field string) string {
	return map[string]string{"reporter": "Reporter Code", "partner": "Partner Code", "partner2": "2nd Partner Code", "year": "Year",
		"value": "Trade Value (US$)", "netweight": "Netweight (kg)", "qty": "Qty"}[field]
}

var v1Columns = columns{
	names: map[field][]string{
		fClassification: {"classificationcode"}, fYear: {"refyear"}, fMonth: {"refmonth"}, fFlow: {"flowcode"},
		fReporter: {"reportercode"}, fPartner: {"partnercode"}, fPartner2: {"partner2code"}, fCommodity: {"cmdcode"},
		fQtyUnit: {"qtyunitabbr"}, fQty: {"qty"}, fNetWeight: {"netwgt"}, fValue: {"primaryvalue"},
		fCIF: {"cifvalue"}, fFOB: {"fobvalue"}, fCustoms: {"customscode"}, fMOT: {"motcode"}, fFlag: {"legacyestimationflag"},
		fSearchClassification: {"classificationsearchcode"}, fOriginal: {"isoriginalclassification"},
	},
	build: buildV1,
}

// errSkip marks v1 rows that break a total down (by customs procedure or
// transport mode): only the totals are kept, so nothing counts twice.
// Readers return it as is; callers skip the row.
var errSkip = &RowError{Msg: "breakdown row"}

// Skipped reports whether a reader's error only says to skip the row.
func Skipped(err error) bool { return err == errSkip }

func buildV1(get func(field) string) (Flow, *RowError) {
	if c := get(fCustoms); c != "" && c != "C00" {
		return Flow{}, errSkip
	}
	if m := get(fMOT); m != "" && m != "0" {
		return Flow{}, errSkip
	}
	f := Flow{Classification: strings.ToUpper(get(fClassification)), Commodity: get(fCommodity), QtyUnit: get(fQtyUnit), Flag: get(fFlag)}
	// Searched as "HS" (as reported), classificationCode is the revision the
	// reporter used; isOriginalClassification says the same of any search.
	original, _ := strconv.ParseBool(get(fOriginal))
	f.Original = original || strings.EqualFold(get(fSearchClassification), AsReportedHS)
	var ok bool
	if f.Flow, ok = parseFlow(get(fFlow)); !ok {
		return f, &RowError{Column: "flowCode", Msg: "M, X, RM or RX"}
	}
	if get(fValue) == "" { // primaryValue may be absent; fall back to the flow's own valuation
		if f.Flow == "import" || f.Flow == "re-import" {
			get = withValue(get, fCIF)
		} else {
			get = withValue(get, fFOB)
		}
	}
	if e := numbers(get, &f); e != nil {
		e.Column = map[string]string{"reporter": "reporterCode", "partner": "partnerCode", "partner2": "partner2Code", "year": "refYear",
			"value": "primaryValue", "netweight": "netWgt", "qty": "qty"}[e.Column]
		return f, e
	}
	if m := get(fMonth); m != "" && m != "52" { // 52: annual in the API's own coding
		n, err := strconv.Atoi(m)
		if err != nil {
			return f, &RowError{Column: "refMonth", Msg: "1 to 12"}
		}
		f.Month = n
	}
	f.ValueBasis = basisOf(f.Flow)
	return f, nil
}

func withValue(get func(field) string, value field) func(field) string {
	return func(f field) string {
		if f == fValue {
			return get(value)
		}
		return get(f)
	}
}

var sriimColumns = columns{
	names: map[field][]string{
		fReporter: {"reportero"}, fPartner: {"socio"}, fPartner2: {"socio2"}, fFlow: {"flujo"},
		fClassification: {"clasificacion"}, fCommodity: {"codigo"}, fYear: {"anio"}, fMonth: {"mes"},
		fValue: {"valor_usd"}, fBasis: {"base_valor"}, fNetWeight: {"peso_neto_kg"}, fQty: {"cantidad"},
		fQtyUnit: {"unidad"}, fFlag: {"bandera"},
	},
	build: func(get func(field) string) (Flow, *RowError) {
		f := Flow{Classification: strings.ToUpper(get(fClassification)), Commodity: get(fCommodity), QtyUnit: get(fQtyUnit),
			Flag: get(fFlag), ValueBasis: strings.ToLower(get(fBasis))}
		var ok bool
		if f.Flow, ok = parseFlow(get(fFlow)); !ok {
			return f, &RowError{Column: "flujo", Msg: "importacion, exportacion, reexportacion or reimportacion"}
		}
		// Reporters and partners may be given as Comtrade codes or ISO alpha-3 codes.
		codes := func(f field) string {
			v := get(f)
			if f == fReporter || f == fPartner || f == fPartner2 {
				if c, ok := PartnerByISO(strings.ToUpper(v)); ok {
					return itoa(c)
				}
			}
			return v
		}
		if e := numbers(codes, &f); e != nil {
			e.Column = map[string]string{"reporter": "reportero", "partner": "socio", "partner2": "socio2", "year": "anio",
				"value": "valor_usd", "netweight": "peso_neto_kg", "qty": "cantidad"}[e.Column]
			return f, e
		}
		if m := get(fMonth); m != "" {
			n, err := strconv.Atoi(m)
			if err != nil {
				return f, &RowError{Column: "mes", Msg: "1 to 12"}
			}
			f.Month = n
		}
		if f.ValueBasis == "" {
			f.ValueBasis = basisOf(f.Flow)
		}
		if f.ValueBasis != "fob" && f.ValueBasis != "cif" {
			return f, &RowError{Column: "base_valor", Msg: "fob or cif"}
		}
		return f, nil
	},
}

// jsonV1 streams the "data" array of an API v1 JSON answer.
type jsonV1 struct {
	revisions
	dec    *json.Decoder
	budget *budgetReader
	line   int
}

// budgetReader reads at most left bytes, then fails: reset before each
// record, it bounds what the JSON decoder holds for one.
type budgetReader struct {
	r    io.Reader
	left int
}

var errLongRecord = errs.E(errs.Invalid, "a record is longer than the limit of %d MiB", maxRowBytes>>20)

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errLongRecord
	}
	n, err := b.r.Read(p[:min(len(p), b.left)])
	b.left -= n
	return n, err
}

func newJSONv1(r io.Reader) (Reader, error) {
	budget := &budgetReader{r: r, left: maxRowBytes}
	dec := json.NewDecoder(budget)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("read JSON: %w", err)
	}
	if tok == json.Delim('{') {
		// Find "data" among the keys; other keys' values are skipped.
		for {
			key, err := dec.Token()
			if err != nil {
				return nil, fmt.Errorf("read JSON: %w", err)
			}
			if key == json.Delim('}') {
				return nil, &RowError{Line: 1, Msg: `the JSON has no "data" array`}
			}
			if key == "data" {
				break
			}
			budget.left = maxRowBytes
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fmt.Errorf("read JSON: %w", err)
			}
		}
		tok, err = dec.Token()
		if err != nil {
			return nil, fmt.Errorf("read JSON: %w", err)
		}
	}
	if tok != json.Delim('[') {
		return nil, &RowError{Line: 1, Msg: `"data" is not an array`}
	}
	return &jsonV1{dec: dec, budget: budget, line: 1}, nil
}

func (j *jsonV1) Line() int { return j.line }

func (j *jsonV1) Next() (Flow, error) {
	j.budget.left = maxRowBytes
	if !j.dec.More() {
		// The array's end, or a file that stops being readable (More does not say which).
		if _, err := j.dec.Token(); err != nil {
			return Flow{}, fmt.Errorf("read JSON after record %d: %w", j.line-1, err)
		}
		return Flow{}, io.EOF
	}
	j.line++ // the record's position in the array (the first is "row 2", as in a CSV)
	var rec map[string]any
	if err := j.dec.Decode(&rec); err != nil {
		return Flow{}, fmt.Errorf("read JSON record %d: %w", j.line-1, err)
	}
	get := func(f field) string {
		for _, name := range v1Columns.names[f] {
			for k, v := range rec {
				if strings.ToLower(k) == name && v != nil {
					return strings.TrimSpace(fmt.Sprint(v))
				}
			}
		}
		return ""
	}
	f, rerr := buildV1(get)
	if rerr != nil {
		if rerr == errSkip {
			return Flow{}, errSkip
		}
		rerr.Line = j.line
		return Flow{}, rerr
	}
	if _, other := otherClassifications[f.Classification]; other {
		return Flow{}, notHS(f.Classification)
	}
	if col, msg := f.validate(); msg != "" {
		return Flow{}, &RowError{Line: j.line, Column: fieldNames[col], Msg: msg}
	}
	j.add(f)
	return f, nil
}
