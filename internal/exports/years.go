package exports

import (
	"context"
	"database/sql"

	"sriim/internal/errs"
)

// Years gives the first and last year a region ("PE" for all) has exports
// in — published declarations or published figures —, 0 and 0 when none:
// the span the pages show unless asked for another.
func (s *Service) Years(ctx context.Context, region string) (first, last int, err error) {
	if region == "PE" {
		region = ""
	}
	var lo, hi sql.NullInt64
	err = s.db.Read().QueryRowContext(ctx, `SELECT MIN(y), MAX(y) FROM (
		SELECT t.year AS y FROM export_exporter_years t JOIN export_batches b ON b.id = t.batch_id AND b.state = 'done'
		WHERE $1 = '' OR t.region = $1
		UNION ALL SELECT year FROM export_published WHERE $1 = '' OR region = $1) x`, region).Scan(&lo, &hi)
	if err != nil {
		return 0, 0, errs.Wrap(err, "read the years of exports")
	}
	return int(lo.Int64), int(hi.Int64), nil
}
