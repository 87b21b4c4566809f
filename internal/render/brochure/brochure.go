// Package brochure lays out the brochure of the region's mollusc
// production and exportable offer (seed activity 2.3.4) as a printable PDF,
// in Spanish or English, from data the caller reads from the services: key
// figures, species, exporters with their certifications and contacts.
//
// It uses go-pdf/fpdf with the Go fonts (golang.org/x/image/font/gofont),
// embedded as UTF-8 TrueType, so that every Spanish character prints.
package brochure

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"sriim/internal/i18n"
)

// Figure is a key figure with its year and source.
type Figure struct {
	Value  float64
	Year   int
	Source string
}

// Species is a species the region offers.
type Species struct {
	Code, Name, Scientific string
	Presentations          []string // in the brochure's language
	HSCodes                []string
}

// Certification is an exporter's certification in force.
type Certification struct {
	Kind, Number, Issuer, ValidTo string // Kind in the brochure's language
}

// Exporter is an exporter with its public contacts.
type Exporter struct {
	Name, District, Description    string
	Website, Email, Phone, Contact string // public ones only
	Products                       []string
	Certifications                 []Certification
}

// Data is what a brochure shows.
type Data struct {
	Lang       i18n.Lang
	Edition    string // "2026"
	Production Figure // tonnes of molluscs, the region
	Exports    Figure // US$, Peru's loco exports
	Exporters  int
	Certified  int // plants with a sanitary licence in force
	Products   int
	Species    []Species
	List       []Exporter
	URL        string // the site
	Built      time.Time
}

const (
	margin = 15.0
	width  = 210 - 2*margin
)

// sea is the brochure's colour.
var sea = [3]int{0, 84, 119}

// PDF lays the brochure out.
func PDF(d Data) ([]byte, error) {
	t := func(key string, args ...any) string { return i18n.T(d.Lang, key, args...) }
	f := fpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes("go", "", goregular.TTF)
	f.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	title := t("brochure.title")
	f.SetTitle(title+" "+d.Edition, true)
	f.SetCreator("SRIIM", true)
	f.SetLang(string(d.Lang))
	f.SetCreationDate(d.Built)
	f.SetModificationDate(d.Built)
	f.SetCatalogSort(true) // the same data gives the same bytes
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, 18)
	f.SetFooterFunc(func() {
		f.SetY(-12)
		f.SetFont("go", "", 7.5)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(0, 4, fmt.Sprintf("SRIIM · %s · %s %s · %d", d.URL, t("brochure.edition"), d.Edition, f.PageNo()), "", 0, "C", false, 0, "")
	})
	f.AddPage()

	// The cover band.
	f.SetFillColor(sea[0], sea[1], sea[2])
	f.Rect(0, 0, 210, 48, "F")
	f.SetTextColor(255, 255, 255)
	f.SetXY(margin, 12)
	f.SetFont("go", "B", 22)
	f.MultiCell(width, 9, title, "", "L", false)
	f.SetFont("go", "", 11)
	f.MultiCell(width, 6, t("brochure.subtitle", d.Edition), "", "L", false)
	f.SetY(56)
	f.SetTextColor(0, 0, 0)

	// Key figures, each with its year and source.
	heading(f, t("brochure.figures"))
	boxes := []struct{ value, label string }{
		{number(d.Production.Value, d.Lang) + " t", t("brochure.production", d.Production.Year)},
		{"US$ " + number(d.Exports.Value, d.Lang), t("brochure.exports", d.Exports.Year)},
		{strconv.Itoa(d.Exporters), t("brochure.exporters")},
		{strconv.Itoa(d.Certified), t("brochure.certified")},
		{strconv.Itoa(d.Products), t("brochure.products")},
	}
	w := (width - 4*3) / 5
	y := f.GetY()
	for i, b := range boxes {
		x := margin + float64(i)*(w+3)
		f.SetFillColor(230, 241, 245)
		f.Rect(x, y, w, 26, "F")
		f.SetXY(x+2, y+3)
		f.SetFont("go", "B", 12)
		f.SetTextColor(sea[0], sea[1], sea[2])
		f.MultiCell(w-4, 6, b.value, "", "L", false)
		f.SetX(x + 2)
		f.SetFont("go", "", 7.5)
		f.SetTextColor(40, 40, 40)
		f.MultiCell(w-4, 3.6, b.label, "", "L", false)
	}
	f.SetXY(margin, y+29)
	f.SetTextColor(90, 90, 90)
	f.SetFont("go", "", 7)
	f.MultiCell(width, 3.4, t("brochure.sources", d.Production.Source, d.Exports.Source), "", "L", false)
	f.SetTextColor(0, 0, 0)
	f.Ln(3)

	// Species and what is offered of each.
	heading(f, t("brochure.species"))
	if len(d.Species) == 0 {
		f.SetFont("go", "", 9)
		f.MultiCell(width, 5, t("brochure.no_species"), "", "L", false)
	}
	for _, sp := range d.Species {
		f.SetFont("go", "B", 10)
		f.MultiCell(width, 5, sp.Name+" ("+sp.Scientific+")", "", "L", false)
		f.SetFont("go", "", 8.5)
		var line []string
		if len(sp.Presentations) > 0 {
			line = append(line, t("brochure.presentations")+": "+strings.Join(sp.Presentations, ", "))
		}
		if len(sp.HSCodes) > 0 {
			line = append(line, t("brochure.hs")+": "+strings.Join(sp.HSCodes, ", "))
		}
		if len(line) > 0 {
			f.MultiCell(width, 4.2, strings.Join(line, " · "), "", "L", false)
		}
		f.Ln(1.5)
	}
	f.Ln(2)

	// Exporters: certifications and public contacts.
	heading(f, t("brochure.exporters_heading"))
	if len(d.List) == 0 {
		f.SetFont("go", "", 9)
		f.MultiCell(width, 5, t("brochure.no_exporters"), "", "L", false)
	}
	for _, e := range d.List {
		if f.GetY() > 250 {
			f.AddPage()
		}
		f.SetFont("go", "B", 10.5)
		f.SetTextColor(sea[0], sea[1], sea[2])
		name := e.Name
		if e.District != "" {
			name += " — " + e.District
		}
		f.MultiCell(width, 5.5, name, "", "L", false)
		f.SetTextColor(0, 0, 0)
		f.SetFont("go", "", 8.5)
		if e.Description != "" {
			f.MultiCell(width, 4.2, e.Description, "", "L", false)
		}
		if len(e.Products) > 0 {
			f.MultiCell(width, 4.2, t("brochure.offers")+": "+strings.Join(e.Products, "; "), "", "L", false)
		}
		for _, c := range e.Certifications {
			line := c.Kind
			if c.Number != "" {
				line += " " + c.Number
			}
			if c.Issuer != "" {
				line += " (" + c.Issuer + ")"
			}
			if c.ValidTo != "" {
				line += " — " + t("brochure.valid_to", c.ValidTo)
			}
			f.MultiCell(width, 4.2, "• "+line, "", "L", false)
		}
		var contact []string
		for _, c := range []string{e.Contact, e.Phone, e.Email, e.Website} {
			if c != "" {
				contact = append(contact, c)
			}
		}
		if len(contact) > 0 {
			f.MultiCell(width, 4.2, t("brochure.contact")+": "+strings.Join(contact, " · "), "", "L", false)
		}
		f.Ln(2.5)
	}
	f.Ln(2)
	f.SetFont("go", "", 7.5)
	f.SetTextColor(90, 90, 90)
	f.MultiCell(width, 3.6, t("brochure.built", d.Built.Format("2006-01-02"), d.URL), "", "L", false)

	var buf bytes.Buffer
	err := f.Output(&buf)
	return buf.Bytes(), err
}

func heading(f *fpdf.Fpdf, text string) {
	f.SetFont("go", "B", 13)
	f.SetTextColor(sea[0], sea[1], sea[2])
	f.MultiCell(width, 7, text, "", "L", false)
	f.SetDrawColor(sea[0], sea[1], sea[2])
	f.Line(margin, f.GetY(), margin+width, f.GetY())
	f.Ln(2)
	f.SetTextColor(0, 0, 0)
}

// number writes a whole number with the language's thousands separator.
func number(v float64, lang i18n.Lang) string {
	s := strconv.FormatFloat(v, 'f', 0, 64)
	sep := "."
	if lang == i18n.EN {
		sep = ","
	}
	var out []byte
	for i, c := range []byte(s) {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			out = append(out, sep...)
		}
		out = append(out, c)
	}
	return string(out)
}
