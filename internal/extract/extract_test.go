package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"
)

func text(t *testing.T, name string, b []byte, lim Limits) Result {
	t.Helper()
	mt, ok := MediaType(name, b)
	if !ok {
		t.Fatalf("%s: not taken", name)
	}
	return Text(context.Background(), bytes.NewReader(b), int64(len(b)), mt, lim)
}

// The fixtures were made with LibreOffice Writer from one page (a heading,
// paragraphs with accents and ñ, a table) saved as ODT, DOCX and PDF.
func TestLibreOfficeFiles(t *testing.T) {
	for _, name := range []string{"muestra.pdf", "muestra.docx", "muestra.odt"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile("testdata/" + name)
			if err != nil {
				t.Fatal(err)
			}
			res := text(t, name, b, DefaultLimits)
			if res.Status != OK {
				t.Fatalf("status %s (%s)", res.Status, res.Problem)
			}
			for _, want := range []string{"Manual de crianza de concha de abanico en Ilo", "habilitación sanitaria", "pequeño, señal, acuicultura, Pingüino", "861", "Pulpo"} {
				if !strings.Contains(res.Text, want) {
					t.Errorf("text lacks %q:\n%s", want, res.Text)
				}
			}
		})
	}
}

func TestMediaType(t *testing.T) {
	for _, tc := range []struct {
		name string
		head string
		ok   bool
	}{
		{"a.pdf", "%PDF-1.7", true},
		{"a.PDF", "%PDF-1.4", true},
		{"a.pdf", "PK\x03\x04", false},
		{"a.docx", "PK\x03\x04", true},
		{"a.odt", "%PDF-1.4", false},
		{"a.txt", "hola", true},
		{"a.txt", "ho\x00la", false},
		{"a.exe", "MZ", false},
		{"a", "%PDF-1.4", false},
	} {
		if _, ok := MediaType(tc.name, []byte(tc.head)); ok != tc.ok {
			t.Errorf("MediaType(%q, %q) ok = %v, want %v", tc.name, tc.head, ok, tc.ok)
		}
	}
}

func pdfBytes(t *testing.T, build func(f *fpdf.Fpdf)) []byte {
	t.Helper()
	f := fpdf.New("P", "mm", "A4", "")
	f.AddPage()
	build(f)
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFilesWithoutReadableText(t *testing.T) {
	// A scan: a page with only a picture.
	var img bytes.Buffer
	m := image.NewGray(image.Rect(0, 0, 40, 40))
	m.Set(3, 3, color.White)
	_ = png.Encode(&img, m)
	scan := pdfBytes(t, func(f *fpdf.Fpdf) {
		f.RegisterImageOptionsReader("scan", fpdf.ImageOptions{ImageType: "PNG"}, &img)
		f.ImageOptions("scan", 10, 10, 100, 100, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	})
	if res := text(t, "scan.pdf", scan, DefaultLimits); res.Status != Empty || res.Problem == "" {
		t.Errorf("scanned PDF: %+v, want empty with a reason", res)
	}
	// Damaged files fail without taking the process down.
	for name, b := range map[string][]byte{
		"broken.pdf":  []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"),
		"cut.pdf":     scan[:len(scan)/2],
		"broken.docx": []byte("PK\x03\x04 not really a zip"),
		"broken.xlsx": []byte("PK\x03\x04 not really a zip"),
	} {
		if res := text(t, name, b, DefaultLimits); res.Status != Failed || res.Problem == "" {
			t.Errorf("%s: %+v, want failed with a reason", name, res)
		}
	}
}

func TestLimits(t *testing.T) {
	small := Limits{MaxText: 100, MaxUnpacked: 64 << 10, Timeout: 10 * time.Second}
	res := text(t, "long.txt", []byte(strings.Repeat("ñandú ", 100)), small)
	if res.Status != Truncated || len(res.Text) > 100 || !strings.HasPrefix(res.Text, "ñandú ñandú") {
		t.Errorf("long text: %s %d bytes", res.Status, len(res.Text))
	}
	// A page whose content unpacks past the limit is not interpreted.
	big := pdfBytes(t, func(f *fpdf.Fpdf) {
		f.SetFont("Helvetica", "", 6)
		for range 3000 {
			f.Cell(10, 1, "texto repetido muchas veces ")
		}
	})
	if res := text(t, "big.pdf", big, small); res.Status != Failed || !strings.Contains(res.Problem, "limit") {
		t.Errorf("PDF over the unpacked limit: %+v", res)
	}
	// A zip whose document unpacks past the limit (a zip bomb) is refused
	// before it is read.
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	w, _ := zw.Create("word/document.xml")
	_, _ = w.Write([]byte(`<w:document xmlns:w="` + wordML + `"><w:body><w:p><w:r><w:t>`))
	_, _ = w.Write(bytes.Repeat([]byte("a"), 1<<20))
	_, _ = w.Write([]byte(`</w:t></w:r></w:p></w:body></w:document>`))
	_ = zw.Close()
	if res := text(t, "bomb.docx", z.Bytes(), small); res.Status != Failed || !strings.Contains(res.Problem, "unpacks to more") {
		t.Errorf("zip bomb: %+v", res)
	}
	// Out of time.
	odt, _ := os.ReadFile("testdata/muestra.odt")
	if res := text(t, "slow.odt", odt, Limits{MaxText: 1 << 20, MaxUnpacked: 1 << 20, Timeout: time.Nanosecond}); res.Status != Failed {
		t.Errorf("no time: %+v", res)
	}
}

func TestPlainHTMLAndWorkbook(t *testing.T) {
	if res := text(t, "latin1.txt", []byte("Exportaci\xf3n de pl\xe1ntulas"), DefaultLimits); res.Text != "Exportación de plántulas" {
		t.Errorf("Windows-1252 text read as %q", res.Text)
	}
	page := `<html><head><title>Título</title><style>p{color:red}</style><script>var exportar = 1;</script></head>
		<body><p>Concha &amp; abanico</p><table><tr><td>loco</td><td>861</td></tr></table></body></html>`
	res := text(t, "page.html", []byte(page), DefaultLimits)
	if !strings.Contains(res.Text, "Concha & abanico") || !strings.Contains(res.Text, "Título") || strings.Contains(res.Text, "exportar") || strings.Contains(res.Text, "color") {
		t.Errorf("HTML text %q", res.Text)
	}
	f := excelize.NewFile()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"especie", "toneladas"})
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{"loco", 861})
	var buf bytes.Buffer
	_ = f.Write(&buf)
	if res := text(t, "libro.xlsx", buf.Bytes(), DefaultLimits); res.Text != "especie\ttoneladas\nloco\t861" {
		t.Errorf("workbook text %q", res.Text)
	}
}
