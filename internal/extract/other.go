package extract

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"
)

// readXLSX writes the cells of every sheet, a row per line, within excelize's
// unzip limits.
func readXLSX(ctx context.Context, r io.ReaderAt, size int64, w *textWriter, lim Limits) error {
	f, err := excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{
		UnzipSizeLimit: lim.MaxUnpacked, UnzipXMLSizeLimit: min(lim.MaxUnpacked, 16<<20)})
	if err != nil {
		return fmt.Errorf("not a workbook that can be read: %w", err)
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		rows, err := f.Rows(sheet)
		if err != nil {
			return err
		}
		for rows.Next() {
			if ctx.Err() != nil {
				rows.Close()
				return ctx.Err()
			}
			cells, err := rows.Columns()
			if err != nil {
				rows.Close()
				return err
			}
			if _, err := w.WriteString(strings.Join(cells, "\t") + "\n"); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
	}
	return nil
}

// readHTML writes the text of an HTML page, leaving out scripts and styles;
// block elements end lines.
func readHTML(ctx context.Context, r io.Reader, w *textWriter) error {
	z := html.NewTokenizer(r)
	z.SetMaxBuf(1 << 20)
	skip := 0
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return nil
			}
			return fmt.Errorf("the HTML cannot be read: %w", z.Err())
		case html.StartTagToken, html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "script", "style", "template":
				if tt == html.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			case "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "title", "section", "article":
				if _, err := w.WriteString("\n"); err != nil {
					return err
				}
			case "td", "th":
				if _, err := w.WriteString("\t"); err != nil {
					return err
				}
			}
		case html.TextToken:
			if skip == 0 {
				if _, err := w.WriteString(string(z.Text())); err != nil {
					return err
				}
			}
		}
	}
}
