package trade

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"io"
	"strconv"

	"sriim/data/seed"
	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
)

func init() {
	f, err := seed.Files.Open("hs-product-lines.csv")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := LoadProductLines(f); err != nil {
		panic(err)
	}
}

// NoteBatch sets what must be said beside a batch's figures (a source's
// own contradictions, as the seed's Cuadro 3 has); the destinations of its
// flows show it.
func (s *Service) NoteBatch(ctx context.Context, p auth.Principal, id int64, note string) error {
	if err := auth.Authorize(p, auth.Owner{Reference: true}); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var before string
		if err := tx.QueryRowContext(ctx, "SELECT note FROM trade_batches WHERE id = $1", id).Scan(&before); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errs.E(errs.NotFound, "no import batch %d", id)
			}
			return errs.Wrap(err, "note batch")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE trade_batches SET note = $1 WHERE id = $2", note, id); err != nil {
			return errs.Wrap(err, "note batch")
		}
		return audit.Record(ctx, tx, p, audit.Update, "trade_batch", id, map[string]string{"note": before}, map[string]string{"note": note})
	})
}

// PublishedShare is a supplier's share of a market as a source published it.
type PublishedShare struct {
	Market    Partner `json:"market"`
	Supplier  Partner `json:"supplier"`
	Commodity string  `json:"commodity"`
	Year      int     `json:"year"`
	Share     float64 `json:"share"`
	Source    string  `json:"source"`
}

// LoadPublishedShares adds the shares of a file (mercado,proveedor,codigo,anio,participacion,fuente;
// markets and suppliers as ISO alpha-3 codes) that are not there yet.
func (s *Service) LoadPublishedShares(ctx context.Context, r io.Reader) (int, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return 0, errs.Wrap(err, "read shares file")
	}
	n := 0
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for i, rec := range recs[1:] {
			m, okm := PartnerByISO(rec[0])
			sp, oks := PartnerByISO(rec[1])
			year, erry := strconv.Atoi(rec[3])
			share, errs2 := strconv.ParseFloat(rec[4], 64)
			if !okm || !oks || erry != nil || errs2 != nil {
				return errs.E(errs.Invalid, "shares file, row %d: bad market, supplier, year or share", i+2)
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO trade_published_shares (market, supplier, commodity, year, share_pct, source)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (market, supplier, commodity, year) DO NOTHING`, m, sp, rec[2], year, share, rec[5])
			if err != nil {
				return errs.Wrap(err, "load shares")
			}
			if k, _ := res.RowsAffected(); k == 1 {
				n++
			}
		}
		return audit.Record(ctx, tx, auth.System, audit.Create, "trade_published_shares", "seed", nil, map[string]int{"rows": n})
	})
	return n, err
}

// PublishedShares lists the published shares of suppliers in markets.
func (s *Service) PublishedShares(ctx context.Context) ([]PublishedShare, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT market, supplier, commodity, year, share_pct, source FROM trade_published_shares ORDER BY commodity, market, share_pct DESC")
	if err != nil {
		return nil, errs.Wrap(err, "read shares")
	}
	defer rows.Close()
	var out []PublishedShare
	for rows.Next() {
		var m, sp int
		var ps PublishedShare
		if err := rows.Scan(&m, &sp, &ps.Commodity, &ps.Year, &ps.Share, &ps.Source); err != nil {
			return nil, errs.Wrap(err, "read shares")
		}
		ps.Market, _ = PartnerByCode(m)
		ps.Supplier, _ = PartnerByCode(sp)
		out = append(out, ps)
	}
	return out, errs.Wrap(rows.Err(), "read shares")
}
