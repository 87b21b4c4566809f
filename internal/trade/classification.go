package trade

import (
	"context"
	"database/sql"
	"sort"

	"sriim/internal/errs"
)

// Revision is the HS revision a reporter used in a year, as a file states it.
type Revision struct {
	Reporter       int
	Year           int
	Classification string
}

// maxRevisions bounds what a hostile file can make a reader remember:
// every reporter for every year of HS is far fewer.
const maxRevisions = 20000

// revisions collects, while a file is read, the revision each reporter
// used in each year where the file states it (Flow.Original).
type revisions struct {
	seen map[Revision]bool
}

func (r *revisions) add(f Flow) {
	if !f.Original || f.Classification == AsReportedHS || f.Classification == "PE" {
		return
	}
	if r.seen == nil {
		r.seen = map[Revision]bool{}
	}
	if len(r.seen) < maxRevisions {
		r.seen[Revision{Reporter: f.Reporter, Year: f.Year, Classification: f.Classification}] = true
	}
}

// Revisions lists what the file stated, by reporter and year.
func (r *revisions) Revisions() []Revision {
	out := make([]Revision, 0, len(r.seen))
	for rv := range r.seen {
		out = append(out, rv)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Reporter != b.Reporter {
			return a.Reporter < b.Reporter
		}
		if a.Year != b.Year {
			return a.Year < b.Year
		}
		return a.Classification < b.Classification
	})
	return out
}

// storeRevisions keeps with the batch the revisions its file stated.
func storeRevisions(ctx context.Context, tx *sql.Tx, batch int64, reader Reader) error {
	rv, ok := reader.(interface{ Revisions() []Revision })
	if !ok {
		return nil
	}
	for _, r := range rv.Revisions() {
		if _, err := tx.ExecContext(ctx, "INSERT INTO trade_batch_revisions (batch_id, reporter, year, classification) VALUES ($1, $2, $3, $4)",
			batch, r.Reporter, r.Year, r.Classification); err != nil {
			return errs.Wrap(err, "store the file's HS revisions")
		}
	}
	return nil
}

// ReporterRevisions says which HS revision a reporter used in which years.
type ReporterRevisions struct {
	Reporter Partner         `json:"reporter"`
	Spans    []RevisionYears `json:"revisions"`
}

// RevisionYears is a revision and the years a reporter used it in.
type RevisionYears struct {
	Classification string `json:"classification"` // H0…H6
	Name           string `json:"name"`           // HS1992…HS2022
	Years          []int  `json:"years"`
}

// BatchClassification says how a batch's figures are classified: the revision
// each reporter used each year where the file says so, and whether some
// rows are in HS as reported without naming the revision (these count in
// analyses by HS code, but not in product lines, which need the revision).
type BatchClassification struct {
	Revisions  []ReporterRevisions `json:"revisions,omitempty"`
	AsReported bool                `json:"as_reported_hs,omitempty"`
}

func (s *Service) batchClassification(ctx context.Context, id int64) (BatchClassification, error) {
	var bc BatchClassification
	rows, err := s.db.Read().QueryContext(ctx, "SELECT reporter, year, classification FROM trade_batch_revisions WHERE batch_id = $1 ORDER BY reporter, classification, year", id)
	if err != nil {
		return bc, errs.Wrap(err, "read the file's HS revisions")
	}
	defer rows.Close()
	for rows.Next() {
		var r Revision
		if err := rows.Scan(&r.Reporter, &r.Year, &r.Classification); err != nil {
			return bc, errs.Wrap(err, "read the file's HS revisions")
		}
		if n := len(bc.Revisions); n == 0 || bc.Revisions[n-1].Reporter.Code != r.Reporter {
			p, _ := PartnerByCode(r.Reporter)
			bc.Revisions = append(bc.Revisions, ReporterRevisions{Reporter: p})
		}
		rr := &bc.Revisions[len(bc.Revisions)-1]
		if n := len(rr.Spans); n == 0 || rr.Spans[n-1].Classification != r.Classification {
			rr.Spans = append(rr.Spans, RevisionYears{Classification: r.Classification, Name: Classifications[r.Classification]})
		}
		sp := &rr.Spans[len(rr.Spans)-1]
		sp.Years = append(sp.Years, r.Year)
	}
	if err := rows.Err(); err != nil {
		return bc, errs.Wrap(err, "read the file's HS revisions")
	}
	var n int
	if err := s.db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM trade_blocks_shown WHERE batch_id = $1 AND classification = $2", id, AsReportedHS).Scan(&n); err != nil {
		return bc, errs.Wrap(err, "read the file's classification")
	}
	bc.AsReported = n > 0
	return bc, nil
}
