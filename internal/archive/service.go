package archive

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/extract"
	"sriim/internal/filestore"
)

// MaxFileBytes is the largest file the archive takes.
const MaxFileBytes = 64 << 20

// Service is the archive and news module.
type Service struct {
	db    *db.DB
	files *filestore.Store
	// Limits bound the reading of a file's text.
	Limits extract.Limits
	Now    func() time.Time
	// reading lets few files be read at once: reading a PDF is the costly
	// step of an upload, and a hostile file may take its whole time.
	reading chan struct{}
	snap    atomic.Pointer[snapshot]
	snapMu  sync.Mutex
}

// New returns the archive service; files are kept under filesDir (the same
// store as the plan's evidence).
func New(d *db.DB, filesDir string) *Service {
	return &Service{db: d, files: filestore.New(filesDir), Limits: extract.DefaultLimits,
		Now: func() time.Time { return time.Now().UTC() }, reading: make(chan struct{}, 2)}
}

const documentColumns = `d.id, d.title, d.kind, d.authors, d.year, d.date, d.language, d.abstract, d.keywords, d.licence, d.access,
	d.institution_id, d.source_key, d.created_at, d.updated_at, d.version`

func scanDocument(row interface{ Scan(...any) error }) (Document, error) {
	var d Document
	var authors, keywords string
	var inst sql.NullInt64
	var key sql.NullString
	err := row.Scan(&d.ID, &d.Title, &d.Kind, &authors, &d.Year, &d.Date, &d.Language, &d.Abstract, &keywords, &d.Licence, &d.Access,
		&inst, &key, &d.CreatedAt, &d.UpdatedAt, &d.Version)
	d.Authors, d.Keywords = SplitList(authors), SplitList(keywords)
	d.InstitutionID, d.SourceKey = inst.Int64, key.String
	d.Institutions, d.Species, d.Activities, d.Links, d.Files = []Institution{}, []string{}, []string{}, []Link{}, []File{}
	return d, err
}

// details reads the lists of documents (institutions, species, activities,
// links, current files), in a few queries whatever their number; or (all
// false) the institutions only.
func details(ctx context.Context, q querier, docs []Document, all bool) error {
	if len(docs) == 0 {
		return nil
	}
	index := make(map[int64]int, len(docs))
	args := make([]any, len(docs))
	for i, d := range docs {
		index[d.ID], args[i] = i, d.ID
	}
	in := "(" + placeholders(1, len(docs)) + ")"
	parts := []struct {
		query string
		add   func(rows *sql.Rows) error
	}{
		{`SELECT di.document_id, di.name, di.institution_id, coalesce(i.code, '') FROM archive_document_institutions di
			LEFT JOIN institutions i ON i.id = di.institution_id WHERE di.document_id IN ` + in + ` ORDER BY di.document_id, di.position`,
			func(rows *sql.Rows) error {
				var id int64
				var x Institution
				var inst sql.NullInt64
				err := rows.Scan(&id, &x.Name, &inst, &x.Code)
				x.InstitutionID = inst.Int64
				docs[index[id]].Institutions = append(docs[index[id]].Institutions, x)
				return err
			}},
		{"SELECT document_id, species FROM archive_document_species WHERE document_id IN " + in + " ORDER BY document_id, species",
			func(rows *sql.Rows) error {
				var id int64
				var s string
				err := rows.Scan(&id, &s)
				docs[index[id]].Species = append(docs[index[id]].Species, s)
				return err
			}},
		{"SELECT document_id, activity_code FROM archive_document_activities WHERE document_id IN " + in + " ORDER BY document_id, activity_code",
			func(rows *sql.Rows) error {
				var id int64
				var s string
				err := rows.Scan(&id, &s)
				docs[index[id]].Activities = append(docs[index[id]].Activities, s)
				return err
			}},
		{"SELECT document_id, url, label FROM archive_document_links WHERE document_id IN " + in + " ORDER BY document_id, position",
			func(rows *sql.Rows) error {
				var id int64
				var l Link
				err := rows.Scan(&id, &l.URL, &l.Label)
				docs[index[id]].Links = append(docs[index[id]].Links, l)
				return err
			}},
		{"SELECT " + fileColumns + " FROM archive_files f LEFT JOIN archive_texts t ON t.sha256 = f.sha256 WHERE f.document_id IN " + in +
			" ORDER BY f.document_id, f.slot, f.version DESC",
			func(rows *sql.Rows) error {
				f, err := scanFile(rows)
				d := &docs[index[f.DocumentID]]
				if n := len(d.Files); n > 0 && d.Files[n-1].Slot == f.Slot {
					d.Files[n-1].Previous = append(d.Files[n-1].Previous, f)
				} else {
					d.Files = append(d.Files, f)
				}
				return err
			}},
	}
	if !all {
		parts = parts[:1] // the institutions
	}
	for _, part := range parts {
		rows, err := q.QueryContext(ctx, part.query, args...)
		if err != nil {
			return errs.Wrap(err, "read documents")
		}
		for rows.Next() {
			if err := part.add(rows); err != nil {
				rows.Close()
				return errs.Wrap(err, "read documents")
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap(err, "read documents")
		}
	}
	return nil
}

const fileColumns = `f.id, f.document_id, f.slot, f.version, f.name, f.sha256, f.size, f.media_type, f.created_at,
	coalesce(t.status, 'failed'), coalesce(t.problem, ''),
	(SELECT coalesce(sum(n), 0) FROM archive_downloads dl WHERE dl.file_id = f.id)`

func scanFile(row interface{ Scan(...any) error }) (File, error) {
	var f File
	err := row.Scan(&f.ID, &f.DocumentID, &f.Slot, &f.Version, &f.Name, &f.SHA256, &f.Size, &f.MediaType, &f.CreatedAt,
		&f.TextStatus, &f.TextProblem, &f.Downloads)
	return f, err
}

func getDocument(ctx context.Context, q querier, id int64) (Document, error) {
	d, err := scanDocument(q.QueryRowContext(ctx, "SELECT "+documentColumns+" FROM archive_documents d WHERE d.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, errs.E(errs.NotFound, "no document %d", id)
	}
	if err != nil {
		return d, errs.Wrap(err, "read document")
	}
	docs := []Document{d}
	err = details(ctx, q, docs, true)
	return docs[0], err
}

// Document returns a document with its files, if p may see it.
func (s *Service) Document(ctx context.Context, p auth.Principal, id int64) (Document, error) {
	d, err := getDocument(ctx, s.db.Read(), id)
	if err != nil {
		return d, err
	}
	if !d.VisibleTo(p) {
		return Document{}, errs.E(errs.NotFound, "no document %d", id)
	}
	return d, nil
}

// Upload is a file sent with a document.
type Upload struct {
	Name string
	R    io.Reader
}

// stored is an upload kept in the file store, with its text read (text is
// nil when the content's text was read before).
type stored struct {
	name, sha256, mediaType string
	size                    int64
	text                    *extract.Result
}

// store keeps an upload and reads its text (once per content), outside any
// transaction: both are slow, and a file kept by hash is harmless if the
// record that would point to it is never written. saveTexts then writes
// the text.
func (s *Service) store(ctx context.Context, u Upload) (stored, error) {
	name := strings.TrimSpace(filepath.Base(strings.ReplaceAll(cleanText(u.Name), "\\", "/")))
	head := make([]byte, 512)
	n, err := io.ReadFull(u.R, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return stored{}, errs.Wrap(err, "read upload")
	}
	head = head[:n]
	mt, ok := extract.MediaType(name, head)
	if !ok || name == "" || name == "." || len(name) > 255 {
		return stored{}, errs.Fields("the archive takes PDF, DOCX, ODT, XLSX, HTML and TXT files", map[string]string{"file": name})
	}
	sum, size, err := s.files.Put(io.MultiReader(bytes.NewReader(head), u.R), MaxFileBytes)
	if err != nil {
		return stored{}, err
	}
	if size == 0 {
		return stored{}, errs.Fields("the file is empty", map[string]string{"file": name})
	}
	st := stored{name: name, sha256: sum, mediaType: mt, size: size}
	var have int
	if err := s.db.Read().QueryRowContext(ctx, "SELECT count(*) FROM archive_texts WHERE sha256 = $1", sum).Scan(&have); err != nil {
		return st, errs.Wrap(err, "read file text")
	}
	if have > 0 {
		return st, nil
	}
	res, err := s.readText(ctx, st)
	st.text = &res
	return st, err
}

// saveTexts writes the texts that store read. A text belongs to the
// content, not to a record: written once, by the first upload of it.
func saveTexts(ctx context.Context, tx *sql.Tx, files []stored) error {
	for i, f := range files {
		if f.text == nil {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO archive_texts (sha256, status, problem, text) VALUES ($1, $2, $3, $4)
			ON CONFLICT (sha256) DO NOTHING`, f.sha256, string(f.text.Status), f.text.Problem, f.text.Text); err != nil {
			return errs.Wrap(err, "save file text")
		}
		files[i].text = nil
	}
	return nil
}

func (s *Service) readText(ctx context.Context, st stored) (extract.Result, error) {
	select {
	case s.reading <- struct{}{}:
		defer func() { <-s.reading }()
	case <-ctx.Done():
		return extract.Result{}, errs.Wrap(ctx.Err(), "read file text")
	}
	f, err := s.files.Open(st.sha256)
	if err != nil {
		return extract.Result{}, err
	}
	defer f.Close()
	return extract.Text(ctx, f, st.size, st.mediaType, s.Limits), nil
}

// Create adds a document with its files; the editors of its institution
// (and administrators) may.
func (s *Service) Create(ctx context.Context, p auth.Principal, in Input, files []Upload) (Document, error) {
	if p.Anonymous() {
		return Document{}, errs.E(errs.Unauthenticated, "log in to add documents")
	}
	if in.InstitutionID == 0 && len(p.Institutions) > 0 {
		in.InstitutionID = p.Institutions[0]
	}
	if err := auth.Authorize(p, auth.Owner{Institution: in.InstitutionID}); err != nil {
		return Document{}, err
	}
	k, err := loadKnown(ctx, s.db.Read())
	if err != nil {
		return Document{}, errs.Wrap(err, "read reference lists")
	}
	d, problems := in.normalize(k, s.Now())
	if d.Access == "institution" && d.InstitutionID == 0 {
		problems["access"] = "a document kept for an institution needs the institution"
	}
	if len(problems) > 0 {
		return Document{}, errs.Fields("the document has invalid fields", problems)
	}
	var kept []stored
	for _, u := range files {
		st, err := s.store(ctx, u)
		if err != nil {
			return Document{}, err
		}
		kept = append(kept, st)
	}
	var out Document
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := saveTexts(ctx, tx, kept); err != nil {
			return err
		}
		ix := s.newIndexBatch()
		if out, err = s.insert(ctx, tx, p, d, kept, ix, nil); err != nil {
			return err
		}
		return ix.flush(ctx, tx)
	})
	return out, err
}

// insert writes a new document and its files, audited, and adds its index
// entry to ix (with the terms of its files' texts counted in bodies, if the
// caller has them; see entryOf).
func (s *Service) insert(ctx context.Context, tx *sql.Tx, p auth.Principal, d Document, files []stored, ix *indexBatch,
	bodies map[string]map[string]int) (Document, error) {
	now := s.Now()
	err := tx.QueryRowContext(ctx, `INSERT INTO archive_documents (title, kind, authors, year, date, language, abstract, keywords, licence,
		access, institution_id, source_key, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
		RETURNING id`, d.Title, d.Kind, strings.Join(d.Authors, "; "), d.Year, d.Date, d.Language, d.Abstract, strings.Join(d.Keywords, "; "),
		d.Licence, d.Access, nullID(d.InstitutionID), sql.NullString{String: d.SourceKey, Valid: d.SourceKey != ""}, p.Email, now).Scan(&d.ID)
	if db.IsUniqueViolation(err) {
		return d, errs.E(errs.Conflict, "the document %s exists already", d.SourceKey)
	}
	if err != nil {
		return d, errs.Wrap(err, "create document")
	}
	if err := writeLists(ctx, tx, d, true); err != nil {
		return d, err
	}
	// The new document as it is now stored, without reading it back.
	out := d
	out.Files, out.CreatedAt, out.UpdatedAt, out.Version = []File{}, now, now, 1
	for i, f := range files {
		id, err := s.insertFile(ctx, tx, p, d.ID, i+1, 1, f)
		if err != nil {
			return d, err
		}
		var status, problem string
		if err := tx.QueryRowContext(ctx, "SELECT status, problem FROM archive_texts WHERE sha256 = $1", f.sha256).Scan(&status, &problem); err != nil {
			return d, errs.Wrap(err, "read file text")
		}
		out.Files = append(out.Files, File{ID: id, DocumentID: d.ID, Slot: i + 1, Version: 1, Name: f.name, SHA256: f.sha256, Size: f.size,
			MediaType: f.mediaType, CreatedAt: now, TextStatus: status, TextProblem: problem})
	}
	if err := ix.add(ctx, tx, out, bodies); err != nil {
		return out, err
	}
	return out, audit.Record(ctx, tx, p, audit.Create, "archive_document", out.ID, nil, out)
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// writeLists replaces a document's lists (writes them, for a new one).
func writeLists(ctx context.Context, tx *sql.Tx, d Document, fresh bool) error {
	for _, t := range []string{"archive_document_institutions", "archive_document_species", "archive_document_activities", "archive_document_links"} {
		if fresh {
			break
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t+" WHERE document_id = $1", d.ID); err != nil {
			return errs.Wrap(err, "save document")
		}
	}
	for i, x := range d.Institutions {
		if _, err := tx.ExecContext(ctx, "INSERT INTO archive_document_institutions (document_id, position, name, institution_id) VALUES ($1, $2, $3, $4)",
			d.ID, i, x.Name, nullID(x.InstitutionID)); err != nil {
			return errs.Wrap(err, "save document")
		}
	}
	for _, sp := range d.Species {
		if _, err := tx.ExecContext(ctx, "INSERT INTO archive_document_species (document_id, species) VALUES ($1, $2)", d.ID, sp); err != nil {
			return errs.Wrap(err, "save document")
		}
	}
	for _, a := range d.Activities {
		if _, err := tx.ExecContext(ctx, "INSERT INTO archive_document_activities (document_id, activity_code) VALUES ($1, $2)", d.ID, a); err != nil {
			return errs.Wrap(err, "save document")
		}
	}
	for i, l := range d.Links {
		if _, err := tx.ExecContext(ctx, "INSERT INTO archive_document_links (document_id, position, url, label) VALUES ($1, $2, $3, $4)",
			d.ID, i, l.URL, l.Label); err != nil {
			return errs.Wrap(err, "save document")
		}
	}
	return nil
}

// insertFile writes a file of a document; a new version of a file is
// audited on its own (a new document's files are in its own entry).
func (s *Service) insertFile(ctx context.Context, tx *sql.Tx, p auth.Principal, docID int64, slot, version int, f stored) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO archive_files (document_id, slot, version, name, sha256, size, media_type, uploaded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, docID, slot, version, f.name, f.sha256, f.size, f.mediaType, p.Email, s.Now()).Scan(&id)
	if db.IsUniqueViolation(err) {
		return 0, errs.E(errs.Conflict, "someone else has just added a version of this file: reload the page")
	}
	if err != nil {
		return 0, errs.Wrap(err, "save file")
	}
	if version == 1 && slot == 1 {
		return id, nil
	}
	return id, audit.Record(ctx, tx, p, audit.Create, "archive_file", id, nil, map[string]any{
		"document_id": docID, "slot": slot, "version": version, "name": f.name, "sha256": f.sha256, "size": f.size, "media_type": f.mediaType})
}

// Update changes a document's metadata (not its files), based on in.Version.
func (s *Service) Update(ctx context.Context, p auth.Principal, id int64, in Input) (Document, error) {
	k, err := loadKnown(ctx, s.db.Read())
	if err != nil {
		return Document{}, errs.Wrap(err, "read reference lists")
	}
	var out Document
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.writable(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if in.InstitutionID == 0 {
			in.InstitutionID = before.InstitutionID
		}
		if in.InstitutionID != before.InstitutionID {
			// Handing a document to another institution needs the right to write for both.
			if err := auth.Authorize(p, auth.Owner{Institution: in.InstitutionID}); err != nil {
				return err
			}
		}
		d, problems := in.normalize(k, s.Now())
		if d.Access == "institution" && d.InstitutionID == 0 {
			problems["access"] = "a document kept for an institution needs the institution"
		}
		if len(problems) > 0 {
			return errs.Fields("the document has invalid fields", problems)
		}
		if in.Version != before.Version {
			return audit.Stale(ctx, tx, "archive_document", id, in.Version, before.Version, before)
		}
		ix := s.newIndexBatch()
		if out, err = s.update(ctx, tx, p, before, d, ix); err != nil {
			return err
		}
		return ix.flush(ctx, tx)
	})
	return out, err
}

// update writes d over before (whose version the caller checked) and adds
// its index entry to ix.
func (s *Service) update(ctx context.Context, tx *sql.Tx, p auth.Principal, before, d Document, ix *indexBatch) (Document, error) {
	res, err := tx.ExecContext(ctx, `UPDATE archive_documents SET title = $1, kind = $2, authors = $3, year = $4, date = $5, language = $6,
		abstract = $7, keywords = $8, licence = $9, access = $10, institution_id = $11, updated_at = $12, version = version + 1
		WHERE id = $13 AND version = $14`, d.Title, d.Kind, strings.Join(d.Authors, "; "), d.Year, d.Date, d.Language, d.Abstract,
		strings.Join(d.Keywords, "; "), d.Licence, d.Access, nullID(d.InstitutionID), s.Now(), before.ID, before.Version)
	if err != nil {
		return Document{}, errs.Wrap(err, "update document")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		current, err := getDocument(ctx, tx, before.ID)
		if err != nil {
			return Document{}, err
		}
		return Document{}, audit.Stale(ctx, tx, "archive_document", before.ID, before.Version, current.Version, current)
	}
	d.ID = before.ID
	if err := writeLists(ctx, tx, d, false); err != nil {
		return Document{}, err
	}
	out, err := getDocument(ctx, tx, before.ID)
	if err != nil {
		return out, err
	}
	if err := ix.add(ctx, tx, out, nil); err != nil {
		return out, err
	}
	return out, audit.Record(ctx, tx, p, audit.Update, "archive_document", out.ID, before, out)
}

// writable reads a document that p may change, inside tx.
func (s *Service) writable(ctx context.Context, tx *sql.Tx, p auth.Principal, id int64) (Document, error) {
	d, err := getDocument(ctx, tx, id)
	if err != nil {
		return d, err
	}
	if !d.VisibleTo(p) {
		return Document{}, errs.E(errs.NotFound, "no document %d", id)
	}
	return d, auth.Authorize(p, d.Owner())
}

// AddFile adds a file to a document: a new file (slot 0), or a new version
// of the file in slot, which keeps the earlier versions downloadable.
func (s *Service) AddFile(ctx context.Context, p auth.Principal, id int64, slot int, u Upload) (Document, error) {
	if _, err := s.Document(ctx, p, id); err != nil {
		return Document{}, err
	}
	st, err := s.store(ctx, u)
	if err != nil {
		return Document{}, err
	}
	var out Document
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		d, err := s.writable(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := saveTexts(ctx, tx, []stored{st}); err != nil {
			return err
		}
		ix := s.newIndexBatch()
		if out, err = s.addFile(ctx, tx, p, d, slot, st, ix); err != nil {
			return err
		}
		return ix.flush(ctx, tx)
	})
	return out, err
}

func (s *Service) addFile(ctx context.Context, tx *sql.Tx, p auth.Principal, d Document, slot int, st stored, ix *indexBatch) (Document, error) {
	version := 1
	if slot == 0 {
		for _, f := range d.Files {
			slot = max(slot, f.Slot)
		}
		slot++
	} else {
		found := false
		for _, f := range d.Files {
			if f.Slot == slot {
				found, version = true, f.Version+1
			}
		}
		if !found {
			return Document{}, errs.E(errs.NotFound, "document %d has no file %d", d.ID, slot)
		}
	}
	if _, err := s.insertFile(ctx, tx, p, d.ID, slot, version, st); err != nil {
		return Document{}, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE archive_documents SET updated_at = $1 WHERE id = $2", s.Now(), d.ID); err != nil {
		return Document{}, errs.Wrap(err, "save file")
	}
	out, err := getDocument(ctx, tx, d.ID)
	if err != nil {
		return out, err
	}
	return out, ix.add(ctx, tx, out, nil)
}

// Delete removes a document and its index entry; its files stay in the
// store (another record may share their content). A document that a
// progress report gives as evidence stays.
func (s *Service) Delete(ctx context.Context, p auth.Principal, id, version int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := s.writable(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if version != 0 && version != before.Version {
			return audit.Stale(ctx, tx, "archive_document", id, version, before.Version, before)
		}
		if err := s.unindex(ctx, tx, id); err != nil {
			return err
		}
		var evidence int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM plan_report_evidence WHERE document_id = $1", id).Scan(&evidence); err != nil {
			return errs.Wrap(err, "delete document")
		}
		if evidence > 0 {
			return errs.E(errs.Conflict, "the document is the evidence of %d progress reports: it stays", evidence)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM archive_documents WHERE id = $1", id); err != nil {
			return errs.Wrap(err, "delete document")
		}
		return audit.Record(ctx, tx, p, audit.Delete, "archive_document", id, before, nil)
	})
}

// Download returns a file (any version) of a document p may see, with the
// path of its content, and counts the download in the current month.
func (s *Service) Download(ctx context.Context, p auth.Principal, fileID int64) (File, string, error) {
	f, err := scanFile(s.db.Read().QueryRowContext(ctx, "SELECT "+fileColumns+" FROM archive_files f LEFT JOIN archive_texts t ON t.sha256 = f.sha256 WHERE f.id = $1", fileID))
	if errors.Is(err, sql.ErrNoRows) {
		return f, "", errs.E(errs.NotFound, "no file %d", fileID)
	}
	if err != nil {
		return f, "", errs.Wrap(err, "read file")
	}
	if _, err := s.Document(ctx, p, f.DocumentID); err != nil {
		return File{}, "", errs.E(errs.NotFound, "no file %d", fileID)
	}
	// A counter, not a change of a record: not audited.
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO archive_downloads (file_id, month, n) VALUES ($1, $2, 1)
			ON CONFLICT (file_id, month) DO UPDATE SET n = archive_downloads.n + 1`, fileID, s.Now().Format("2006-01"))
		return err
	})
	if err != nil {
		return f, "", errs.Wrap(err, "count download")
	}
	f.Downloads++
	return f, s.files.Path(f.SHA256), nil
}

// MonthCount is how many times a document's files were downloaded in a month.
type MonthCount struct {
	Month string `json:"month"` // YYYY-MM
	N     int64  `json:"n"`
}

// Downloads returns a document's downloads by month (all its files and
// versions), oldest first.
func (s *Service) Downloads(ctx context.Context, p auth.Principal, id int64) ([]MonthCount, error) {
	if _, err := s.Document(ctx, p, id); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT dl.month, sum(dl.n) FROM archive_downloads dl JOIN archive_files f ON f.id = dl.file_id
		WHERE f.document_id = $1 GROUP BY dl.month ORDER BY dl.month`, id)
	if err != nil {
		return nil, errs.Wrap(err, "read downloads")
	}
	defer rows.Close()
	out := []MonthCount{}
	for rows.Next() {
		var m MonthCount
		if err := rows.Scan(&m.Month, &m.N); err != nil {
			return nil, errs.Wrap(err, "read downloads")
		}
		out = append(out, m)
	}
	return out, errs.Wrap(rows.Err(), "read downloads")
}

// Keep files a document SRIIM makes itself under key ("brochure:2026"):
// the first time as a new document with in's metadata, then each file as a
// new version of the file in the same place (one whose content did not
// change is left as it is). It returns the document.
func (s *Service) Keep(ctx context.Context, p auth.Principal, key string, in Input, files []Upload) (Document, error) {
	if err := auth.Authorize(p, auth.Owner{Institution: in.InstitutionID}); err != nil {
		return Document{}, err
	}
	k, err := loadKnown(ctx, s.db.Read())
	if err != nil {
		return Document{}, errs.Wrap(err, "read reference lists")
	}
	d, problems := in.normalize(k, s.Now())
	if len(problems) > 0 {
		return Document{}, errs.Fields("the document has invalid fields", problems)
	}
	d.SourceKey = key
	var kept []stored
	for _, u := range files {
		st, err := s.store(ctx, u)
		if err != nil {
			return Document{}, err
		}
		kept = append(kept, st)
	}
	var out Document
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := saveTexts(ctx, tx, kept); err != nil {
			return err
		}
		ix := s.newIndexBatch()
		var id int64
		err := tx.QueryRowContext(ctx, "SELECT id FROM archive_documents WHERE source_key = $1", key).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			if out, err = s.insert(ctx, tx, p, d, kept, ix, nil); err != nil {
				return err
			}
			return ix.flush(ctx, tx)
		}
		if err != nil {
			return errs.Wrap(err, "read document")
		}
		if out, err = s.writable(ctx, tx, p, id); err != nil {
			return err
		}
		for i, st := range kept {
			if i < len(out.Files) && out.Files[i].SHA256 == st.sha256 {
				continue
			}
			slot := 0
			if i < len(out.Files) {
				slot = out.Files[i].Slot
			}
			if out, err = s.addFile(ctx, tx, p, out, slot, st, ix); err != nil {
				return err
			}
		}
		return ix.flush(ctx, tx)
	})
	return out, err
}
