package render

import (
	"bytes"
	"fmt"
	"image/color"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/goregular"
)

// PDF documents are made with go-pdf/fpdf in the Go fonts (TrueType,
// embedded and subset, with every Spanish character), on A4 with a running
// header and page numbers. A document depends only on what it is given:
// its date comes from the data, never from the clock, so the same data
// gives the same bytes.

// DocOptions describes a document.
type DocOptions struct {
	Title  string
	Author string
	Lang   string // "es" or "en"
	// Header runs at the top of every page after the cover.
	Header string
	// PageLabel writes the footer of page n; "{nb}" in it becomes the
	// number of pages ("Página 2 de {nb}").
	PageLabel func(n int) string
	// Date is the document's creation date (from its data).
	Date time.Time
}

// Doc is a PDF being written.
type Doc struct {
	f         *fpdf.Fpdf
	opt       DocOptions
	coverPage int // the cover's page number (no running header, no number); 0: none
	// headings wait for what follows them, to go onto a page together.
	headings []heading
}

type heading struct {
	level int
	text  string
}

const (
	family      = "Go"
	pageWidth   = 210.0
	margin      = 18.0
	textWidth   = pageWidth - 2*margin
	bottomSpace = 18.0
)

// Colours of the documents: ink, a muted grey and the sea blue of the pages.
var (
	ink   = color.RGBA{R: 0x1b, G: 0x26, B: 0x30, A: 255}
	muted = color.RGBA{R: 0x4a, G: 0x5a, B: 0x68, A: 255}
	sea   = color.RGBA{R: 0x0b, G: 0x5c, B: 0x7a, A: 255}
	rule  = color.RGBA{R: 0xd5, G: 0xdd, B: 0xe3, A: 255}
	band  = color.RGBA{R: 0xee, G: 0xf3, B: 0xf6, A: 255}
)

// NewDoc starts a document.
func NewDoc(o DocOptions) *Doc {
	f := fpdf.New("P", "mm", "A4", "")
	d := &Doc{f: f, opt: o}
	f.AddUTF8FontFromBytes(family, "", goregular.TTF)
	f.AddUTF8FontFromBytes(family, "B", gobold.TTF)
	f.AddUTF8FontFromBytes(family, "I", goitalic.TTF)
	f.SetTitle(o.Title, true)
	f.SetAuthor(o.Author, true)
	f.SetCreator("SRIIM", true)
	f.SetProducer("SRIIM", true)
	f.SetLang(o.Lang)
	f.SetCreationDate(o.Date)
	f.SetModificationDate(o.Date)
	f.SetCatalogSort(true)
	f.SetMargins(margin, margin+4, margin)
	f.SetAutoPageBreak(true, bottomSpace)
	f.AliasNbPages("{nb}")
	f.SetHeaderFunc(func() {
		if f.PageNo() == d.coverPage {
			return
		}
		f.SetFont(family, "", 7.5)
		d.color(muted, f.SetTextColor)
		f.SetXY(margin, 9)
		f.CellFormat(textWidth, 4, o.Header, "", 0, "L", false, 0, "")
		d.color(rule, f.SetDrawColor)
		f.Line(margin, 14, pageWidth-margin, 14)
		f.SetXY(margin, margin+4)
	})
	f.SetFooterFunc(func() {
		if o.PageLabel == nil || f.PageNo() == d.coverPage {
			return
		}
		f.SetY(-12)
		f.SetFont(family, "", 7.5)
		d.color(muted, f.SetTextColor)
		f.CellFormat(textWidth, 4, o.PageLabel(f.PageNo()), "", 0, "C", false, 0, "")
	})
	return d
}

func (d *Doc) color(c color.RGBA, set func(r, g, b int)) { set(int(c.R), int(c.G), int(c.B)) }

// Cover is the first page: the title, a subtitle (the period), lines that
// say what the document covers, and at the foot who made it and when.
func (d *Doc) Cover(title, subtitle string, lines []string, foot string) {
	f := d.f
	d.coverPage = f.PageNo() + 1
	f.AddPage()
	d.color(sea, f.SetFillColor)
	f.Rect(0, 0, pageWidth, 8, "F")
	f.SetY(70)
	f.SetFont(family, "B", 24)
	d.color(sea, f.SetTextColor)
	f.MultiCell(textWidth, 10, title, "", "L", false)
	f.Ln(4)
	f.SetFont(family, "", 14)
	d.color(ink, f.SetTextColor)
	f.MultiCell(textWidth, 7, subtitle, "", "L", false)
	f.Ln(8)
	f.SetFont(family, "", 11)
	for _, l := range lines {
		f.MultiCell(textWidth, 6, l, "", "L", false)
	}
	f.SetY(-40)
	d.color(rule, f.SetDrawColor)
	f.Line(margin, f.GetY(), pageWidth-margin, f.GetY())
	f.Ln(3)
	f.SetFont(family, "", 9)
	d.color(muted, f.SetTextColor)
	f.MultiCell(textWidth, 5, foot, "", "L", false)
}

// Page starts a new page.
func (d *Doc) Page() { d.f.AddPage() }

// ensurePage starts the first page after the cover, or the first page.
func (d *Doc) ensurePage() {
	if d.f.PageNo() == 0 || d.f.PageNo() == d.coverPage {
		d.Page()
	}
}

// begin starts a block whose first h millimetres must not be parted from
// the headings before it: on this page if they fit, else on the next.
func (d *Doc) begin(h float64) {
	d.ensurePage()
	f := d.f
	var hh float64
	for _, x := range d.headings {
		size := headingSize[x.level]
		f.SetFont(family, "B", size)
		hh += size*0.25 + float64(len(f.SplitText(x.text, textWidth)))*size*0.5 + 1.5
	}
	if _, pageH := f.GetPageSize(); f.GetY()+hh+h > pageH-bottomSpace {
		d.Page()
	}
	for _, x := range d.headings {
		size := headingSize[x.level]
		f.Ln(size * 0.25)
		f.SetFont(family, "B", size)
		d.color(map[bool]color.RGBA{true: sea, false: ink}[x.level == 1], f.SetTextColor)
		f.MultiCell(textWidth, size*0.5, x.text, "", "L", false)
		f.Ln(1.5)
	}
	d.headings = nil
}

var headingSize = map[int]float64{1: 15, 2: 12, 3: 10}

// Heading writes a heading (level 1 for sections, 2 and 3 below them),
// kept on one page with the start of what follows it.
func (d *Doc) Heading(level int, text string) {
	d.headings = append(d.headings, heading{level, text})
}

// Para writes a paragraph.
func (d *Doc) Para(text string) { d.text(9.5, "", ink, text) }

// Note writes small grey text: sources, methods, who made the document.
func (d *Doc) Note(text string) { d.text(8, "", muted, text) }

func (d *Doc) text(size float64, style string, c color.RGBA, text string) {
	d.f.SetFont(family, style, size)
	d.begin(float64(min(3, len(d.f.SplitText(text, textWidth)))) * size * 0.45)
	d.f.SetFont(family, style, size)
	d.color(c, d.f.SetTextColor)
	d.f.MultiCell(textWidth, size*0.45, text, "", "L", false)
	d.f.Ln(1.5)
}

// Bullets writes a list.
func (d *Doc) Bullets(items []string) {
	d.begin(10)
	d.f.SetFont(family, "", 9.5)
	d.color(ink, d.f.SetTextColor)
	for _, it := range items {
		x := d.f.GetX()
		d.f.CellFormat(5, 4.3, "•", "", 0, "L", false, 0, "")
		d.f.MultiCell(textWidth-5, 4.3, it, "", "L", false)
		d.f.SetX(x)
		d.f.Ln(0.8)
	}
	d.f.Ln(1)
}

// Cell is a table cell: its text, and a coloured dot before it (a traffic light).
type Cell struct {
	Text string
	Dot  *color.RGBA
}

// Table is a table: a header, rows, each column's share of the width and
// whether its figures align right.
type Table struct {
	Header  []string
	Rows    [][]Cell
	Widths  []float64 // relative; equal when nil
	Numeric []bool
	// Total marks the last row as a total (bold, ruled).
	Total bool
}

// Texts turns rows of text into rows of cells.
func Texts(rows [][]string) [][]Cell {
	out := make([][]Cell, len(rows))
	for i, r := range rows {
		out[i] = make([]Cell, len(r))
		for j, s := range r {
			out[i][j] = Cell{Text: s}
		}
	}
	return out
}

// Table writes a table; long texts wrap in their column, and the header
// is repeated on each page the table runs onto.
func (d *Doc) Table(t Table) {
	f := d.f
	n := len(t.Header)
	widths := make([]float64, n)
	var sum float64
	for i := range widths {
		widths[i] = 1
		if i < len(t.Widths) {
			widths[i] = t.Widths[i]
		}
		sum += widths[i]
	}
	for i := range widths {
		widths[i] *= textWidth / sum
	}
	const size, lineH = 8.0, 3.8
	align := func(col int) string {
		if col < len(t.Numeric) && t.Numeric[col] {
			return "R"
		}
		return "L"
	}
	// layout wraps a row's cells in their columns and gives its height.
	layout := func(cells []Cell, style string) ([][]string, float64) {
		f.SetFont(family, style, size)
		lines := make([][]string, n)
		height := 1
		for i := 0; i < n && i < len(cells); i++ {
			w := widths[i]
			if cells[i].Dot != nil {
				w -= 4
			}
			lines[i] = f.SplitText(cells[i].Text, w)
			height = max(height, len(lines[i]))
		}
		return lines, float64(height)*lineH + 1.6
	}
	row := func(cells []Cell, style string, fill *color.RGBA) {
		lines, h := layout(cells, style)
		if _, pageH := f.GetPageSize(); f.GetY()+h > pageH-bottomSpace {
			d.Page()
			d.tableHeader(t.Header, widths, align)
			f.SetFont(family, style, size)
		}
		x, y := margin, f.GetY()
		if fill != nil {
			d.color(*fill, f.SetFillColor)
			f.Rect(x, y, textWidth, h, "F")
		}
		d.color(ink, f.SetTextColor)
		for i := 0; i < n; i++ {
			cx := x
			if i < len(cells) && cells[i].Dot != nil {
				d.color(*cells[i].Dot, f.SetFillColor)
				f.Circle(cx+2.2, y+0.8+lineH/2, 1.3, "F")
				cx += 4
			}
			for j, l := range lines[i] {
				f.SetXY(cx, y+0.8+float64(j)*lineH)
				f.CellFormat(widths[i]-(cx-x), lineH, l, "", 0, align(i), false, 0, "")
			}
			x += widths[i]
		}
		d.color(rule, f.SetDrawColor)
		f.Line(margin, y+h, pageWidth-margin, y+h)
		f.SetXY(margin, y+h)
	}
	// A table that fits on a page is not split; a longer one starts with
	// at least a few rows.
	total := 10.0
	for _, r := range t.Rows {
		_, h := layout(r, "")
		total += h
	}
	if _, pageH := f.GetPageSize(); total < pageH-bottomSpace-margin-4 {
		d.begin(total)
	} else {
		d.begin(30)
	}
	d.tableHeader(t.Header, widths, align)
	for i, r := range t.Rows {
		if t.Total && i == len(t.Rows)-1 {
			row(r, "B", &band)
			continue
		}
		row(r, "", nil)
	}
	f.Ln(3)
}

func (d *Doc) tableHeader(header []string, widths []float64, align func(int) string) {
	f := d.f
	f.SetFont(family, "B", 7.5)
	lines := make([][]string, len(header))
	height := 1
	for i, h := range header {
		lines[i] = f.SplitText(h, widths[i])
		height = max(height, len(lines[i]))
	}
	h := float64(height)*3.5 + 2
	x, y := margin, f.GetY()
	d.color(sea, f.SetFillColor)
	f.Rect(x, y, textWidth, h, "F")
	f.SetTextColor(255, 255, 255)
	for i := range header {
		for j, l := range lines[i] {
			f.SetXY(x, y+1+float64(j)*3.5)
			f.CellFormat(widths[i], 3.5, l, "", 0, align(i), false, 0, "")
		}
		x += widths[i]
	}
	f.SetXY(margin, y+h)
}

// Image places a PNG (a chart) across the text width, or at width mm.
func (d *Doc) Image(name string, png []byte, width float64) {
	f := d.f
	if width <= 0 || width > textWidth {
		width = textWidth
	}
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	info := f.RegisterImageOptionsReader(name, opt, bytes.NewReader(png))
	if info == nil {
		return
	}
	h := width * info.Height() / info.Width()
	d.begin(h + 2)
	f.ImageOptions(name, margin, f.GetY(), width, h, false, opt, 0, "")
	f.SetY(f.GetY() + h + 3)
}

// Legend writes coloured dots with their names on one line (the lights).
func (d *Doc) Legend(items []Cell) {
	d.begin(6)
	f := d.f
	f.SetFont(family, "", 8)
	d.color(ink, f.SetTextColor)
	y := f.GetY()
	x := margin
	for _, it := range items {
		if it.Dot != nil {
			d.color(*it.Dot, f.SetFillColor)
			f.Circle(x+1.5, y+2, 1.4, "F")
			x += 4
		}
		w := f.GetStringWidth(it.Text) + 2
		f.SetXY(x, y)
		f.CellFormat(w, 4, it.Text, "", 0, "L", false, 0, "")
		x += w + 4
	}
	f.SetXY(margin, y+6)
}

// Bytes finishes the document.
func (d *Doc) Bytes() ([]byte, error) {
	d.begin(0)
	var buf bytes.Buffer
	if err := d.f.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return buf.Bytes(), nil
}
