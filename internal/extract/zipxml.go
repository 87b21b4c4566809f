package extract

import (
	"archive/zip"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

// The namespaces of the elements whose text is read.
const (
	wordML   = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	odfText  = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
	odfTable = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
)

// docxParts are the parts of a DOCX file that hold its text: the body, then
// its footnotes and endnotes.
func docxParts(name string) bool {
	return name == "word/document.xml" || name == "word/footnotes.xml" || name == "word/endnotes.xml"
}

// xmlText says what an element adds to the text: the text inside it
// (keep), and what it stands for on its own or adds after its end.
type xmlText func(e xml.Name) (keep bool, start, end string)

// docx: text is in w:t; paragraphs end lines; w:tab, w:br and w:cr are
// spaces and line breaks. Deleted text (w:delText) is left out.
func docx(e xml.Name) (bool, string, string) {
	if e.Space != wordML {
		return false, "", ""
	}
	switch e.Local {
	case "t":
		return true, "", ""
	case "p":
		return false, "", "\n"
	case "tab":
		return false, "\t", ""
	case "br", "cr":
		return false, "\n", ""
	case "tc":
		return false, "", "\t"
	}
	return false, "", ""
}

// odt: text is anywhere inside text:p and text:h (and their spans);
// text:s, text:tab and text:line-break stand for spaces and line breaks.
func odt(e xml.Name) (bool, string, string) {
	switch {
	case e.Space == odfText && (e.Local == "p" || e.Local == "h"):
		return true, "", "\n"
	case e.Space == odfText && e.Local == "s":
		return false, " ", ""
	case e.Space == odfText && e.Local == "tab":
		return false, "\t", ""
	case e.Space == odfText && e.Local == "line-break":
		return false, "\n", ""
	case e.Space == odfTable && e.Local == "table-cell":
		return false, "", "\t"
	}
	return false, "", ""
}

// readZipXML reads the text of the parts of a zip file that part selects,
// in name order, as rule says; the parts together may unpack to at most
// lim.MaxUnpacked bytes.
func readZipXML(ctx context.Context, r io.ReaderAt, size int64, w *textWriter, lim Limits, part func(string) bool, rule xmlText) error {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return fmt.Errorf("not a valid zip file: %w", err)
	}
	var files []*zip.File
	for _, f := range z.File {
		if part(f.Name) {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return fmt.Errorf("the file has none of the parts that hold a document's text")
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	left := lim.MaxUnpacked
	for _, f := range files {
		if f.UncompressedSize64 > uint64(left) {
			return fmt.Errorf("%s unpacks to more than %d MB", f.Name, lim.MaxUnpacked>>20)
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		lr := &limitedReader{r: rc, left: left, name: f.Name}
		err = readXMLText(ctx, lr, w, rule)
		rc.Close()
		left = lr.left
		if err != nil {
			return err
		}
	}
	return nil
}

// readXMLText streams an XML document, writing the text rule keeps.
func readXMLText(ctx context.Context, r io.Reader, w *textWriter, rule xmlText) error {
	d := xml.NewDecoder(r)
	keep := 0 // depth inside elements whose text is kept
	var ends []string
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("the XML inside the file is damaged: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			k, start, end := rule(t.Name)
			if start != "" {
				if _, err := w.WriteString(start); err != nil {
					return err
				}
			}
			if k {
				keep++
				end = "\x00" + end // marks an element whose text is kept
			}
			ends = append(ends, end)
		case xml.EndElement:
			if len(ends) == 0 {
				return fmt.Errorf("the XML inside the file is damaged")
			}
			end := ends[len(ends)-1]
			ends = ends[:len(ends)-1]
			if strings.HasPrefix(end, "\x00") {
				keep--
				end = end[1:]
			}
			if end != "" {
				if _, err := w.WriteString(end); err != nil {
					return err
				}
			}
		case xml.CharData:
			if keep > 0 {
				if _, err := w.WriteString(string(t)); err != nil {
					return err
				}
			}
		}
	}
}
