package regulation

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/extract"
	"sriim/internal/filestore"
)

// A norm's full text may be a file kept in the file store the archive and
// the plan's evidence share (by content hash), with the text read from it
// (norm_texts) indexed for the search with the norm.

// MaxTextBytes is the largest file of a norm's text taken.
const MaxTextBytes = 32 << 20

// TextPath is the stable address of a norm's text file.
func TextPath(code string) string { return "/normas/texto/" + url.PathEscape(code) }

// KeepFilesIn makes s keep norms' text files in files; without it a norm's
// text is a link only.
func (s *Service) KeepFilesIn(files *filestore.Store) *Service {
	s.files = files
	return s
}

// textKinds are the files a norm's text may be (not spreadsheets).
var textKinds = map[string]bool{extract.PDF: true, extract.DOCX: true, extract.ODT: true, extract.TXT: true, extract.HTML: true}

// AttachText keeps the file name (its content read from r) as the full
// text of the norm code, in place of the file it had; version is the
// norm's version the change is based on (0 skips the check). Who may not
// change the norm is refused before anything is read.
func (s *Service) AttachText(ctx context.Context, p auth.Principal, code string, version int64, name string, r io.Reader) (Norm, error) {
	if s.files == nil {
		return Norm{}, errs.E(errs.Invalid, "this server keeps no files: give the norm's text as a link")
	}
	before, err := norm(ctx, s.db.Read(), code)
	if err == nil && !shown(p, before.Draft, before.Owner()) {
		err = errs.E(errs.NotFound, "no norm %s", code)
	}
	if err == nil {
		err = auth.Authorize(p, before.Owner())
	}
	if err != nil {
		return Norm{}, err
	}
	name = strings.TrimSpace(filepath.Base(strings.ReplaceAll(name, "\\", "/")))
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return Norm{}, errs.Wrap(err, "read upload")
	}
	head = head[:n]
	mt, ok := extract.MediaType(name, head)
	if !ok || !textKinds[mt] || name == "." || len(name) > 255 {
		return Norm{}, errs.Fields("the norm's text is a PDF, DOCX, ODT, HTML or TXT file", map[string]string{"file": "a PDF, DOCX, ODT, HTML or TXT file"})
	}
	sum, size, err := s.files.Put(io.MultiReader(bytes.NewReader(head), r), MaxTextBytes)
	if err != nil {
		if errs.KindOf(err) == errs.Invalid {
			return Norm{}, errs.Fields("the file is too large", map[string]string{"file": "at most 32 MB"})
		}
		return Norm{}, err
	}
	if size == 0 {
		return Norm{}, errs.Fields("the file is empty", map[string]string{"file": "the file is empty"})
	}
	// Reading the text is slow: outside the transaction, once per content.
	var text *extract.Result
	var have int
	if err := s.db.Read().QueryRowContext(ctx, "SELECT count(*) FROM norm_texts WHERE sha256 = $1", sum).Scan(&have); err != nil {
		return Norm{}, errs.Wrap(err, "read norm text")
	}
	if have == 0 {
		res, err := s.readText(ctx, sum, size, mt)
		if err != nil {
			return Norm{}, err
		}
		text = &res
	}
	var out Norm
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := norm(ctx, tx, code)
		if err != nil {
			return err
		}
		if err := changeable(ctx, tx, p, "norm", before, version); err != nil {
			return err
		}
		if text != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO norm_texts (sha256, media_type, size, status, problem, text)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (sha256) DO NOTHING`,
				sum, mt, size, string(text.Status), text.Problem, text.Text); err != nil {
				return errs.Wrap(err, "save norm text")
			}
		}
		out, err = scanNorm(tx.QueryRowContext(ctx, `UPDATE norms SET text_sha256 = $1, text_name = $2, updated_at = $3,
			version = version + 1 WHERE id = $4 AND version = $5 RETURNING `+normColumns, sum, name, s.Now(), before.ID, before.Version))
		if errors.Is(err, sql.ErrNoRows) {
			return staleNorm(ctx, tx, before)
		}
		if err != nil {
			return errs.Wrap(err, "write norm")
		}
		out.Topics, out.Species, out.Activities, out.Relations = before.Topics, before.Species, before.Activities, before.Relations
		if err := s.indexNorm(ctx, tx, out); err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Update, "norm", out.ID, before, out)
	})
	return out, err
}

// readText reads the text of a stored file, a few files at a time: a
// hostile file may take the whole of the reader's time.
func (s *Service) readText(ctx context.Context, sum string, size int64, mt string) (extract.Result, error) {
	select {
	case s.reading <- struct{}{}:
		defer func() { <-s.reading }()
	case <-ctx.Done():
		return extract.Result{}, errs.Wrap(ctx.Err(), "read norm text")
	}
	f, err := s.files.Open(sum)
	if err != nil {
		return extract.Result{}, err
	}
	defer f.Close()
	return extract.Text(ctx, f, size, mt, extract.DefaultLimits), nil
}

// TextFile is a norm's text file as a download gives it.
type TextFile struct {
	Name, MediaType string
	// Path is where the file store keeps it.
	Path string
}

// NormText returns the text file of the norm code, to whom may see the
// norm (a draft's only to its editors).
func (s *Service) NormText(ctx context.Context, p auth.Principal, code string) (TextFile, error) {
	n, err := norm(ctx, s.db.Read(), code)
	if err == nil && (!shown(p, n.Draft, n.Owner()) || n.Text.SHA256 == "" || s.files == nil) {
		err = errs.E(errs.NotFound, "no text file of norm %s", code)
	}
	if err != nil {
		return TextFile{}, err
	}
	f := TextFile{Name: n.Text.Name, Path: s.files.Path(n.Text.SHA256)}
	err = s.db.Read().QueryRowContext(ctx, "SELECT media_type FROM norm_texts WHERE sha256 = $1", n.Text.SHA256).Scan(&f.MediaType)
	if errors.Is(err, sql.ErrNoRows) {
		f.MediaType, err = "application/octet-stream", nil
	}
	return f, errs.Wrap(err, "read norm text")
}

// storedText is the text read from the norm's file, for the search ("" when
// it has none).
func storedText(ctx context.Context, q querier, n Norm) (string, error) {
	if n.Text.SHA256 == "" {
		return "", nil
	}
	var text string
	err := q.QueryRowContext(ctx, "SELECT text FROM norm_texts WHERE sha256 = $1", n.Text.SHA256).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return text, errs.Wrap(err, "read norm text")
}
