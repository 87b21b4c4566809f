package extract

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ledongthuc/pdf"
)

// MaxPages is how many pages of a PDF are read.
const MaxPages = 5000

// readPDF writes the text of each page. Before the reader interprets a
// page, the page tree is walked here with bounds (a damaged or hostile
// file can make it a cycle), and the page's content and font maps are
// measured unpacked against lim.MaxUnpacked (a small stream can inflate
// to gigabytes), so that the reader only ever sees what fits.
func readPDF(ctx context.Context, r io.ReaderAt, size int64, w *textWriter, lim Limits) error {
	pr, err := pdf.NewReader(r, size)
	if err != nil {
		if errors.Is(err, pdf.ErrInvalidPassword) {
			return errors.New("the PDF is encrypted")
		}
		return fmt.Errorf("not a PDF that can be read: %w", err)
	}
	pages, err := pageList(ctx, pr.Trailer().Key("Root").Key("Pages"))
	if err != nil {
		return err
	}
	budget := lim.MaxUnpacked
	for _, v := range pages {
		if err := ctx.Err(); err != nil {
			return err
		}
		page := pdf.Page{V: v}
		if err := parentsEnd(v); err != nil {
			return err
		}
		streams := []pdf.Value{v.Key("Contents")}
		for _, name := range page.Fonts() {
			streams = append(streams, page.Font(name).V.Key("ToUnicode"))
		}
		for _, s := range streams {
			n, err := unpacked(ctx, s, budget)
			if err != nil {
				return err
			}
			budget -= n
		}
		text, err := page.GetPlainText(nil)
		if err != nil {
			return fmt.Errorf("a page cannot be read: %w", err)
		}
		if _, err := w.WriteString(text + "\n"); err != nil {
			return err
		}
	}
	return nil
}

// pageList walks the page tree, depth first, within bounds.
func pageList(ctx context.Context, root pdf.Value) ([]pdf.Value, error) {
	var pages []pdf.Value
	nodes := 0
	var walk func(v pdf.Value, depth int) error
	walk = func(v pdf.Value, depth int) error {
		if nodes++; nodes > 4*MaxPages || depth > 64 {
			return errors.New("the PDF's page tree is too large or loops")
		}
		if nodes%256 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		switch v.Key("Type").Name() {
		case "Page":
			if len(pages) < MaxPages {
				pages = append(pages, v)
			}
		case "Pages":
			kids := v.Key("Kids")
			for i := 0; i < kids.Len() && len(pages) < MaxPages; i++ {
				if err := walk(kids.Index(i), depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return pages, walk(root, 0)
}

// parentsEnd checks that a page's chain of parents (which the reader follows
// for inherited resources) ends.
func parentsEnd(v pdf.Value) error {
	for depth := 0; !v.IsNull(); depth++ {
		if depth > 64 {
			return errors.New("the PDF's page tree loops")
		}
		v = v.Key("Parent")
	}
	return nil
}

// unpacked measures a stream (or an array of streams) unpacked, failing
// beyond budget bytes.
func unpacked(ctx context.Context, v pdf.Value, budget int64) (int64, error) {
	if v.Kind() == pdf.Array {
		var total int64
		for i := 0; i < v.Len() && i < 4096; i++ {
			n, err := unpacked(ctx, v.Index(i), budget-total)
			if err != nil {
				return 0, err
			}
			total += n
		}
		return total, nil
	}
	if v.Kind() != pdf.Stream {
		return 0, nil
	}
	rc := v.Reader()
	defer rc.Close()
	buf := make([]byte, 32<<10)
	var n int64
	for {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		k, err := rc.Read(buf)
		if n += int64(k); n > budget {
			return 0, errors.New("the PDF's contents unpack to more than the limit")
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, fmt.Errorf("a stream of the PDF is damaged: %w", err)
		}
	}
}
