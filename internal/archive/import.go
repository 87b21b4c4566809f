package archive

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"path"
	"runtime"
	"strconv"
	"strings"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/extract"
	"sriim/internal/importer"
)

// ImportColumns are the columns of a batch's metadata file, each row naming
// its file relative to the metadata file.
var ImportColumns = []string{"archivo", "titulo", "tipo", "autores", "institucion", "anio", "idioma", "resumen",
	"palabras_clave", "especies", "actividades", "acceso"}

// importColumn names the column of each field of Input, for problems.
var importColumn = map[string]string{
	"title": "titulo", "kind": "tipo", "year": "anio", "date": "anio", "language": "idioma", "abstract": "resumen",
	"keywords": "palabras_clave", "species": "especies", "activities": "actividades", "access": "acceso",
}

// ImportReport says what an import did.
type ImportReport struct {
	Rows      int `json:"rows"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Import reads a batch: a metadata file (CSV or XLSX, ImportColumns) whose
// rows name files in dir. Everything is checked first: any problem (by row
// and column) and nothing is imported. A row whose file is the same content
// as a document's file updates that document, so importing a batch again
// updates instead of duplicating. New documents are kept by p's first
// institution.
func (s *Service) Import(ctx context.Context, p auth.Principal, metadata io.Reader, name string, dir fs.FS) (ImportReport, error) {
	var rep ImportReport
	if p.Anonymous() {
		return rep, errs.E(errs.Unauthenticated, "log in to import documents")
	}
	keeper := int64(0)
	if len(p.Institutions) > 0 {
		keeper = p.Institutions[0]
	}
	if err := auth.Authorize(p, auth.Owner{Institution: keeper}); err != nil {
		return rep, err
	}
	t, err := importer.Read(metadata, name, ImportColumns)
	if err != nil {
		return rep, err
	}
	k, err := loadKnown(ctx, s.db.Read())
	if err != nil {
		return rep, errs.Wrap(err, "read reference lists")
	}
	type row struct {
		line int
		doc  Document
		file string
	}
	var rows []row
	var problems importer.Problems
	seen := map[string]int{}
	for _, r := range t.Rows {
		in := Input{Title: r.Get("titulo"), Kind: r.Get("tipo"), Authors: SplitList(r.Get("autores")), Institutions: SplitList(r.Get("institucion")),
			Language: r.Get("idioma"), Abstract: r.Get("resumen"), Keywords: SplitList(r.Get("palabras_clave")), Species: SplitList(r.Get("especies")),
			Activities: SplitList(r.Get("actividades")), Access: r.Get("acceso"), InstitutionID: keeper}
		if y := r.Get("anio"); y != "" {
			if in.Year, err = strconv.Atoi(y); err != nil {
				problems.Add(r.Line, "anio", "%q is not a year", y)
			}
		}
		d, fieldProblems := in.normalize(k, s.Now())
		for field, msg := range fieldProblems {
			if field == "year" && in.Year == 0 && r.Get("anio") != "" {
				continue // said above
			}
			col := importColumn[field]
			if col == "" {
				col = field
			}
			problems.Add(r.Line, col, "%s", msg)
		}
		file := r.Get("archivo")
		if checkFile(dir, file, r.Line, &problems) {
			if prev, ok := seen[file]; ok {
				problems.Add(r.Line, "archivo", "row %d names the same file", prev)
			}
			seen[file] = r.Line
		}
		rows = append(rows, row{r.Line, d, file})
	}
	if len(rows) == 0 {
		problems.Add(2, "", "the file has no documents")
	}
	if err := problems.Err(); err != nil {
		return rep, err
	}
	// Each file is kept and its text read and counted ahead of the
	// transaction, on several goroutines (reading a PDF is slow, and most
	// of an import's work); the transaction takes them in turn and writes.
	// A file with the content of another row's is a problem, and the
	// transaction reads on to report them all, then writes nothing.
	type prepared struct {
		stored
		terms map[string]int // of a text read now, in the row's language
		err   error
	}
	next, stop := inOrder(ctx, len(rows), func(i int) prepared {
		f, err := dir.Open(rows[i].file)
		if err != nil {
			return prepared{err: errs.Wrap(err, "open %s", rows[i].file)}
		}
		defer f.Close()
		st, err := s.store(ctx, Upload{Name: path.Base(rows[i].file), R: f})
		pr := prepared{stored: st, err: err}
		if err == nil && st.text != nil {
			pr.terms = bodyTerms(st.text.Text, rows[i].doc.Language)
		}
		return pr
	})
	defer stop()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		ix := s.newIndexBatch()
		byHash := map[string]int{}
		for i, r := range rows {
			f, err := next()
			if err == nil {
				err = f.err
			}
			if err != nil {
				return err
			}
			if first, ok := byHash[f.sha256]; ok {
				problems.Add(r.line, "archivo", "the same content as the file of row %d", rows[first].line)
			} else {
				byHash[f.sha256] = i
			}
			if problems.Err() != nil {
				continue // read on, for the other problems
			}
			if err := saveTexts(ctx, tx, []stored{f.stored}); err != nil {
				return err
			}
			var id int64
			err = tx.QueryRowContext(ctx, "SELECT document_id FROM archive_files WHERE sha256 = $1 ORDER BY id LIMIT 1", f.sha256).Scan(&id)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				var bodies map[string]map[string]int
				if f.terms != nil {
					bodies = map[string]map[string]int{f.sha256: f.terms}
				}
				if _, err := s.insert(ctx, tx, p, r.doc, []stored{f.stored}, ix, bodies); err != nil {
					return err
				}
				rep.Created++
				continue
			case err != nil:
				return errs.Wrap(err, "find document")
			}
			before, err := getDocument(ctx, tx, id)
			if err != nil {
				return err
			}
			if !before.VisibleTo(p) || !auth.Can(p, before.Owner()) {
				return errs.E(errs.Forbidden, "row %d: its file is that of document %d, which you may not change", r.line, id)
			}
			// What the metadata file has no column for stays as it is.
			r.doc.InstitutionID, r.doc.Licence, r.doc.Links = before.InstitutionID, before.Licence, before.Links
			if strings.HasPrefix(before.Date, strconv.Itoa(r.doc.Year)+"-") {
				r.doc.Date = before.Date
			}
			if sameMetadata(before, r.doc) {
				rep.Unchanged++
				continue
			}
			if _, err := s.update(ctx, tx, p, before, r.doc, ix); err != nil {
				return err
			}
			rep.Updated++
		}
		if err := problems.Err(); err != nil {
			return err
		}
		return ix.flush(ctx, tx)
	})
	rep.Rows = len(rows)
	if err != nil {
		return ImportReport{}, err
	}
	return rep, nil
}

// checkFile reports what is wrong with the file a row names, if anything,
// and whether it is fine.
func checkFile(dir fs.FS, name string, line int, problems *importer.Problems) bool {
	if name == "" {
		problems.Add(line, "archivo", "name the document's file")
		return false
	}
	if !fs.ValidPath(name) {
		problems.Add(line, "archivo", "a file in the metadata file's folder or below it, as folder/name.pdf")
		return false
	}
	info, err := fs.Stat(dir, name)
	switch {
	case err != nil || !info.Mode().IsRegular():
		problems.Add(line, "archivo", "no such file")
		return false
	case info.Size() > MaxFileBytes:
		problems.Add(line, "archivo", "the file is larger than %d MB", MaxFileBytes>>20)
		return false
	case info.Size() == 0:
		problems.Add(line, "archivo", "the file is empty")
		return false
	}
	f, err := dir.Open(name)
	if err != nil {
		problems.Add(line, "archivo", "the file cannot be read")
		return false
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if _, ok := extract.MediaType(name, head[:n]); !ok {
		problems.Add(line, "archivo", "the archive takes PDF, DOCX, ODT, XLSX, HTML and TXT files")
		return false
	}
	return true
}

// sameMetadata reports whether an import row would change nothing.
func sameMetadata(a, b Document) bool {
	norm := func(d Document) string {
		d.ID, d.Files, d.CreatedAt, d.UpdatedAt, d.Version, d.SourceKey, d.Links = 0, nil, a.CreatedAt, a.UpdatedAt, 0, "", nil
		institutions := make([]Institution, len(d.Institutions))
		for i, x := range d.Institutions {
			institutions[i] = Institution{Name: x.Name, InstitutionID: x.InstitutionID}
		}
		d.Institutions = institutions
		b, _ := json.Marshal(d)
		return string(b)
	}
	return norm(a) == norm(b)
}

// inOrder calls fn for 0…n-1, on as many goroutines as there are
// processors, a few calls ahead of the caller, who takes the results in
// order with next (an error only if ctx ends). stop ends the calls not
// started (the caller calls it once done, or on leaving early).
func inOrder[T any](ctx context.Context, n int, fn func(i int) T) (next func() (T, error), stop func()) {
	ctx, stop = context.WithCancel(ctx)
	workers := runtime.GOMAXPROCS(0)
	results := make(chan chan T, 2*workers) // how far ahead
	running := make(chan struct{}, workers)
	go func() {
		defer close(results)
		for i := range n {
			c := make(chan T, 1) // the call never waits for the caller
			select {
			case results <- c:
			case <-ctx.Done():
				return
			}
			select {
			case running <- struct{}{}:
			case <-ctx.Done():
				close(c)
				return
			}
			go func() {
				defer func() { <-running }()
				c <- fn(i)
			}()
		}
	}()
	next = func() (T, error) {
		if c, ok := <-results; ok {
			if v, ok := <-c; ok {
				return v, nil
			}
		}
		var zero T
		return zero, errs.Wrap(ctx.Err(), "import documents")
	}
	return next, stop
}
