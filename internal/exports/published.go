package exports

import (
	"context"
	"database/sql"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/importer"
)

// Published is a region's exports as a source states them, without
// declarations: counted where no published declaration of its region,
// year and national line exists.
type Published struct {
	ID         int64   `json:"id"`
	Region     string  `json:"region"`
	Year       int     `json:"year"`
	Subpartida string  `json:"subpartida"`
	FOB        float64 `json:"fob_usd"`
	Source     string  `json:"source"`
	Section    string  `json:"section"`   // where the source says it
	Statement  string  `json:"statement"` // the source's words
}

// publishedHeader is the data file's header (data/seed/exports-regional.csv).
const publishedHeader = "region,anio,subpartida,fob_usd,fuente,seccion,enunciado"

// ReadPublished reads a file of published regional figures, checking every row.
func ReadPublished(r io.Reader) ([]Published, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, errs.Wrap(err, "read published exports")
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != publishedHeader {
		return nil, errs.E(errs.Invalid, "published exports: the header must be %s", publishedHeader)
	}
	var out []Published
	for i, rec := range recs[1:] {
		f := Published{Region: rec[0], Subpartida: nationalLine(rec[2]), Source: rec[4], Section: rec[5], Statement: rec[6]}
		var err1, err2 error
		f.Year, err1 = strconv.Atoi(rec[1])
		f.FOB, err2 = strconv.ParseFloat(rec[3], 64)
		if err1 != nil || err2 != nil || DepartmentName(f.Region) == f.Region || f.Subpartida == "" || f.Source == "" || f.Section == "" {
			return nil, errs.E(errs.Invalid, "published exports, row %d: a department, year, national line, value, source and section are needed", i+2)
		}
		out = append(out, f)
	}
	return out, nil
}

// LoadPublished stores the figures of a file; only administrators (and the
// seed) may.
func (s *Service) LoadPublished(ctx context.Context, p auth.Principal, r io.Reader) (int, error) {
	if err := auth.Authorize(p, auth.Owner{AdminOnly: true}); err != nil {
		return 0, err
	}
	list, err := ReadPublished(r)
	if err != nil {
		return 0, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, f := range list {
			if err := tx.QueryRowContext(ctx, `INSERT INTO export_published (region, year, subpartida, fob_usd, source, section, statement)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, f.Region, f.Year, f.Subpartida, f.FOB, f.Source, f.Section, f.Statement).Scan(&f.ID); err != nil {
				return errs.Wrap(err, "load published exports")
			}
			if err := audit.Record(ctx, tx, p, audit.Create, "export_published", f.ID, nil, f); err != nil {
				return err
			}
		}
		return nil
	})
	return len(list), err
}

// PublishedFigures lists the published figures of a region ("" for all).
func (s *Service) PublishedFigures(ctx context.Context, region string) ([]Published, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, region, year, subpartida, fob_usd, source, section, statement
		FROM export_published WHERE $1 = '' OR region = $1 ORDER BY region, year, subpartida, id`, region)
	if err != nil {
		return nil, errs.Wrap(err, "read published exports")
	}
	defer rows.Close()
	out := []Published{}
	for rows.Next() {
		var f Published
		if err := rows.Scan(&f.ID, &f.Region, &f.Year, &f.Subpartida, &f.FOB, &f.Source, &f.Section, &f.Statement); err != nil {
			return nil, errs.Wrap(err, "read published exports")
		}
		out = append(out, f)
	}
	return out, errs.Wrap(rows.Err(), "read published exports")
}

// WriteTemplate writes the import's template: the header and one example
// row, as CSV or XLSX.
func WriteTemplate(w io.Writer, format string) error {
	example := []string{"20000000001", "EXPORTADORA EJEMPLO S.A.C.", "0307992000", "JAPON", "ILO", "31500.00", "2100.5", "2300",
		"2100.5", "KG", "15/06/2004", "MOQUEGUA"}
	if format == "xlsx" {
		return importer.WriteXLSX(w, "declaraciones", Columns, [][]string{example},
			map[string]bool{"FOB US$": true, "PESO NETO": true, "PESO BRUTO": true, "CANTIDAD": true})
	}
	return importer.WriteCSV(w, Columns, [][]string{example})
}
