package brochure_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"sriim/internal/extract"
	"sriim/internal/i18n"
	"sriim/internal/render/brochure"
)

func sample(lang i18n.Lang) brochure.Data {
	return brochure.Data{
		Lang: lang, Edition: "2026", Built: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), URL: "https://sriim.example.org",
		Production: brochure.Figure{Value: 2301.5, Year: 2003, Source: "DIREPRO Ilo"},
		Exports:    brochure.Figure{Value: 10899000, Year: 2005, Source: "PROMPEX"},
		Exporters:  1, Certified: 1, Products: 2,
		Species: []brochure.Species{{Code: "SCQ", Name: "Concha de abanico", Scientific: "Argopecten purpuratus", Presentations: []string{"congelado"}, HSCodes: []string{"030721"}}},
		List: []brochure.Exporter{{Name: "Pesquera Señor de Ilo S.A.C.", District: "Ilo", Email: "ventas@senor.example", Products: []string{"Concha de abanico congelada"},
			Certifications: []brochure.Certification{{Kind: "Habilitación sanitaria", Number: "PTH-042-2025", Issuer: "SANIPES", ValidTo: "2027-12-31"}}}},
	}
}

// The brochure is a PDF whose text (read back as the archive reads it)
// holds the figures, species, exporters and certifications, with every
// Spanish character, in each language. (The PDF reader gets characters
// past U+00FF, such as "—" and "•", wrong from fpdf's one-range ToUnicode
// map — pdftotext reads them — so the checks leave them out.)
func TestBrochure(t *testing.T) {
	for lang, want := range map[i18n.Lang][]string{
		i18n.ES: {"Moluscos de Moquegua: producción y oferta exportable", "2.302 t", "US$ 10.899.000", "Concha de abanico (Argopecten purpuratus)",
			"Pesquera Señor de Ilo S.A.C.", "Habilitación sanitaria PTH-042-2025 (SANIPES)", "vigente hasta 2027-12-31", "ventas@senor.example"},
		i18n.EN: {"Molluscs from Moquegua: production and exportable offer", "2,302 t", "US$ 10,899,000", "Exporters, certifications and contacts", "valid until 2027-12-31"},
	} {
		b, err := brochure.PDF(sample(lang))
		if err != nil {
			t.Fatal(err)
		}
		res := extract.Text(context.Background(), bytes.NewReader(b), int64(len(b)), extract.PDF, extract.DefaultLimits)
		if res.Status != extract.OK {
			t.Fatalf("%s: the PDF's text cannot be read: %+v", lang, res)
		}
		text := strings.Join(strings.Fields(res.Text), " ")
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s brochure lacks %q:\n%s", lang, w, text)
			}
		}
	}
}

// A brochure of a region whose offer is still empty says so under each
// heading, instead of leaving it blank.
func TestEmptyOfferIsSaid(t *testing.T) {
	for lang, want := range map[i18n.Lang][]string{
		i18n.ES: {"Aún no hay productos en la oferta exportable", "Aún no hay exportadores con oferta registrada."},
		i18n.EN: {"No product is in the exportable offer yet", "No exporter has registered an offer yet."},
	} {
		d := sample(lang)
		d.Species, d.List = nil, nil
		b, err := brochure.PDF(d)
		if err != nil {
			t.Fatal(err)
		}
		res := extract.Text(context.Background(), bytes.NewReader(b), int64(len(b)), extract.PDF, extract.DefaultLimits)
		text := strings.Join(strings.Fields(res.Text), " ")
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s brochure of an empty offer lacks %q:\n%s", lang, w, text)
			}
		}
	}
}

// The same data gives the same bytes, so that a brochure made again from
// unchanged data is not kept as a new version.
func TestSameDataSameFile(t *testing.T) {
	first, err := brochure.PDF(sample(i18n.ES))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if again, _ := brochure.PDF(sample(i18n.ES)); !bytes.Equal(first, again) {
			t.Fatal("the same data gave another file")
		}
	}
}
