// Package extract reads the text of the files the archive keeps — PDF,
// DOCX, ODT, XLSX, HTML and plain text — for the search index, within
// bounds of size and time: every input may be hostile.
//
// PDF text comes from github.com/ledongthuc/pdf (pure Go, a maintained fork
// of rsc.io/pdf with text extraction), XLSX from excelize (as the importers
// read it), HTML through golang.org/x/net/html. DOCX and ODT are zipped XML:
// a small reader with encoding/xml takes the text of their paragraphs, which
// is all the index needs. A file whose text cannot be read is not an error
// for the archive: Result says so, and the file is still kept and listed.
package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Status says how the text of a file was read.
type Status string

// The statuses.
const (
	OK          Status = "ok"          // the text was read
	Truncated   Status = "truncated"   // the text was read up to MaxText
	Empty       Status = "empty"       // the file has no text (a scan, an empty sheet)
	Failed      Status = "failed"      // the file could not be read (damaged, encrypted, too complex)
	Unsupported Status = "unsupported" // no text is read from files of this kind
)

// Limits bound the work on one file.
type Limits struct {
	MaxText     int           // bytes of text kept
	MaxUnpacked int64         // bytes read from inside a zip file, or decoded from a PDF's streams
	Timeout     time.Duration // time spent on one file
}

// DefaultLimits are the limits the archive uses.
var DefaultLimits = Limits{MaxText: 4 << 20, MaxUnpacked: 128 << 20, Timeout: 30 * time.Second}

// Result is the text of a file and how it was read.
type Result struct {
	Text   string
	Status Status
	// Problem says, in English, why no text (or not all of it) was read.
	Problem string
}

// Kinds of file, by media type.
const (
	PDF  = "application/pdf"
	DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	ODT  = "application/vnd.oasis.opendocument.text"
	XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	HTML = "text/html"
	TXT  = "text/plain"
)

// extensions maps the name endings the archive accepts to their media types.
var extensions = map[string]string{
	".pdf": PDF, ".docx": DOCX, ".odt": ODT, ".xlsx": XLSX,
	".html": HTML, ".htm": HTML, ".txt": TXT,
}

// MediaType returns the media type of a file from its name and first bytes,
// and false when the archive does not take files of that kind (or the name
// and the content disagree: a ".pdf" that is not a PDF).
func MediaType(name string, head []byte) (string, bool) {
	mt, ok := extensions[strings.ToLower(filepath.Ext(name))]
	if !ok {
		return "", false
	}
	switch mt {
	case PDF:
		ok = bytes.HasPrefix(head, []byte("%PDF-"))
	case DOCX, ODT, XLSX:
		ok = bytes.HasPrefix(head, []byte("PK\x03\x04"))
	case TXT, HTML:
		ok = !bytes.ContainsRune(head, 0)
	}
	return mt, ok
}

// Text reads the text of a file of media type mt (size bytes at r) within
// the limits. It never fails: what went wrong is in the Result.
func Text(ctx context.Context, r io.ReaderAt, size int64, mt string, lim Limits) Result {
	ctx, cancel := context.WithTimeout(ctx, lim.Timeout)
	defer cancel()
	done := make(chan Result, 1)
	go func() {
		defer func() {
			// The PDF reader panics on some damaged files.
			if p := recover(); p != nil {
				done <- Result{Status: Failed, Problem: fmt.Sprint("the file is damaged: ", p)}
			}
		}()
		text, err := read(ctx, r, size, mt, lim)
		done <- finish(text, err, lim)
	}()
	select {
	case res := <-done:
		return res
	case <-ctx.Done():
		// The reader checks ctx as it goes and stops soon after.
		return Result{Status: Failed, Problem: "reading the file took too long"}
	}
}

func read(ctx context.Context, r io.ReaderAt, size int64, mt string, lim Limits) (string, error) {
	w := &textWriter{max: lim.MaxText}
	var err error
	switch mt {
	case PDF:
		err = readPDF(ctx, r, size, w, lim)
	case DOCX:
		err = readZipXML(ctx, r, size, w, lim, docxParts, docx)
	case ODT:
		err = readZipXML(ctx, r, size, w, lim, func(name string) bool { return name == "content.xml" }, odt)
	case XLSX:
		err = readXLSX(ctx, r, size, w, lim)
	case HTML:
		err = readHTML(ctx, io.NewSectionReader(r, 0, size), w)
	case TXT:
		err = readPlain(io.NewSectionReader(r, 0, size), w)
	default:
		return "", errUnsupported
	}
	if errors.Is(err, errFull) {
		err = nil
		w.truncated = true
	}
	if w.truncated && err == nil {
		err = errTruncated
	}
	return w.String(), err
}

var (
	errUnsupported = errors.New("no text is read from files of this kind")
	errFull        = errors.New("text limit reached")
	errTruncated   = errors.New("only the beginning of the text was read")
)

func finish(text string, err error, lim Limits) Result {
	// A PDF's strings may be any bytes; the databases keep UTF-8 text
	// without NUL characters.
	text = strings.TrimSpace(strings.ReplaceAll(strings.ToValidUTF8(text, "\uFFFD"), "\x00", ""))
	switch {
	case errors.Is(err, errUnsupported):
		return Result{Status: Unsupported, Problem: err.Error()}
	case errors.Is(err, errTruncated):
		return Result{Text: text, Status: Truncated, Problem: fmt.Sprintf("only the first %d MB of text were read", lim.MaxText>>20)}
	case err != nil:
		return Result{Text: text, Status: Failed, Problem: err.Error()}
	case text == "":
		return Result{Status: Empty, Problem: "the file holds no text (a scanned image?)"}
	}
	return Result{Text: text, Status: OK}
}

// textWriter collects text up to max bytes, cut at a rune boundary.
type textWriter struct {
	strings.Builder
	max       int
	truncated bool
}

func (w *textWriter) WriteString(s string) (int, error) {
	if room := w.max - w.Len(); len(s) > room {
		for room > 0 && !utf8.RuneStart(s[room]) {
			room--
		}
		w.Builder.WriteString(s[:room])
		return room, errFull
	}
	return w.Builder.WriteString(s)
}

// readPlain reads UTF-8 text, or Windows-1252 (what Spanish Windows saves)
// when the bytes are not UTF-8.
func readPlain(r io.Reader, w *textWriter) error {
	b, err := io.ReadAll(io.LimitReader(r, int64(w.max)+1))
	if err != nil {
		return err
	}
	if len(b) > w.max {
		b = b[:w.max]
		w.truncated = true
		for i := 1; i <= 3 && !utf8.Valid(b) && len(b) > 0; i++ {
			b = b[:len(b)-1] // a rune cut at the limit
		}
	}
	if !utf8.Valid(b) {
		if b, err = charmap.Windows1252.NewDecoder().Bytes(b); err != nil {
			return err
		}
	}
	_, err = w.WriteString(string(b))
	return err
}

// limitedReader fails (rather than ends) past its limit: a zip entry that
// lies about its size is not read on.
type limitedReader struct {
	r    io.Reader
	left int64
	name string
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, fmt.Errorf("%s unpacks to more than it says", l.name)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
