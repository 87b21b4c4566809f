package prices

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
	"sriim/internal/exports"
	"sriim/internal/importer"
)

// The index series prices are compared with.
const (
	CPISeries      = "cpi-lima" // INEI's consumer price index of Lima Metropolitana, monthly
	ExchangeSeries = "pen-usd"  // soles per US dollar, monthly or yearly averages
)

// cpiHeader is the header of the CPI data file (data/seed/cpi-lima.csv):
// INEI's monthly percentage changes, which LoadCPI chains into an index.
const cpiHeader = "anio,mes,variacion_pct,fuente"

// indexHeader is the header of an index file given as values.
const indexHeader = "anio,mes,valor,fuente"

// LoadCPI stores the CPI of a file of monthly changes as an index (December
// of the year before its first month = 100); months stored already are
// kept. Administrators, and editors granted reference data, may.
func (s *Service) LoadCPI(ctx context.Context, p auth.Principal, r io.Reader) (int, error) {
	recs, err := readIndexFile(r, cpiHeader)
	if err != nil {
		return 0, err
	}
	level := 100.0
	values := make([][]string, 0, len(recs))
	for i, rec := range recs {
		change, _ := strconv.ParseFloat(rec[2], 64)
		level *= 1 + change/100
		if i > 0 && !nextMonth(recs[i-1], rec) {
			return 0, errs.E(errs.Invalid, "CPI file, row %d: the months must follow each other", i+2)
		}
		values = append(values, []string{rec[0], rec[1], strconv.FormatFloat(level, 'f', 6, 64), rec[3]})
	}
	return s.storeIndex(ctx, p, CPISeries, values)
}

// LoadIndex stores an index series given as values (anio,mes,valor,fuente;
// mes 0 for a yearly average), such as soles per US dollar (ExchangeSeries).
func (s *Service) LoadIndex(ctx context.Context, p auth.Principal, series string, r io.Reader) (int, error) {
	recs, err := readIndexFile(r, indexHeader)
	if err != nil {
		return 0, err
	}
	return s.storeIndex(ctx, p, series, recs)
}

func readIndexFile(r io.Reader, header string) ([][]string, error) {
	recs, err := csv.NewReader(io.LimitReader(r, 4<<20)).ReadAll()
	if err != nil {
		return nil, importer.CSVError(err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != header {
		return nil, errs.E(errs.Invalid, "index file: the header must be %s", header)
	}
	for i, rec := range recs[1:] {
		y, err1 := strconv.Atoi(rec[0])
		m, err2 := strconv.Atoi(rec[1])
		_, err3 := strconv.ParseFloat(rec[2], 64)
		if err1 != nil || err2 != nil || err3 != nil || y < 1990 || y > 2100 || m < 0 || m > 12 || rec[3] == "" {
			return nil, errs.E(errs.Invalid, "index file, row %d: a year, a month (0 for the year), a number and a source", i+2)
		}
	}
	return recs[1:], nil
}

func nextMonth(prev, cur []string) bool {
	py, _ := strconv.Atoi(prev[0])
	pm, _ := strconv.Atoi(prev[1])
	y, _ := strconv.Atoi(cur[0])
	m, _ := strconv.Atoi(cur[1])
	return y*12+m == py*12+pm+1
}

func (s *Service) storeIndex(ctx context.Context, p auth.Principal, series string, recs [][]string) (int, error) {
	if err := auth.Authorize(p, auth.Owner{Reference: true}); err != nil {
		return 0, err
	}
	added := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, rec := range recs {
			v, _ := strconv.ParseFloat(rec[2], 64)
			res, err := tx.ExecContext(ctx, `INSERT INTO price_indices (series, year, month, value, source) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (series, year, month) DO NOTHING`, series, rec[0], rec[1], v, rec[3])
			if err != nil {
				return errs.Wrap(err, "store index")
			}
			if n, _ := res.RowsAffected(); n == 1 {
				added++
			}
		}
		return audit.Record(ctx, tx, p, audit.Create, "price_index", series, nil, map[string]int{"rows": len(recs), "added": added})
	})
	return added, err
}

// index is an index series in memory: monthly values and yearly ones.
type index struct {
	months map[[2]int]float64
	years  map[int]float64 // given (month 0), else the average of a whole year's months
}

func (s *Service) index(ctx context.Context, series string) (*index, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT year, month, value FROM price_indices WHERE series = $1", series)
	if err != nil {
		return nil, errs.Wrap(err, "read index")
	}
	defer rows.Close()
	ix := &index{months: map[[2]int]float64{}, years: map[int]float64{}}
	for rows.Next() {
		var y, m int
		var v float64
		if err := rows.Scan(&y, &m, &v); err != nil {
			return nil, errs.Wrap(err, "read index")
		}
		if m == 0 {
			ix.years[y] = v
		} else {
			ix.months[[2]int{y, m}] = v
		}
	}
	sums, counts := map[int]float64{}, map[int]int{}
	for k, v := range ix.months {
		sums[k[0]] += v
		counts[k[0]]++
	}
	for y, n := range counts {
		if _, given := ix.years[y]; !given && n == 12 {
			ix.years[y] = sums[y] / 12
		}
	}
	return ix, errs.Wrap(rows.Err(), "read index")
}

// at is the index in a period: the month's value, or the year's.
func (ix *index) at(p exports.Period) (float64, bool) {
	if p.Month != 0 {
		if v, ok := ix.months[[2]int{p.Year, p.Month}]; ok {
			return v, true
		}
	}
	v, ok := ix.years[p.Year]
	return v, ok
}

// factor turns a period's soles into soles of base year: CPI(base year's
// average) / CPI(period).
func (ix *index) factor(base int, p exports.Period) (float64, bool) {
	b, ok1 := ix.years[base]
	v, ok2 := ix.at(p)
	if !ok1 || !ok2 || v == 0 {
		return 0, false
	}
	return b / v, true
}
