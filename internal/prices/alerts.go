package prices

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/exports"
)

// Alert is a user's request for an e-mail when a species' beach price at a
// landing site moves more than ThresholdPct from the previous month.
type Alert struct {
	ID           int64     `json:"id"`
	UserID       int64     `json:"user_id"`
	Species      string    `json:"species"`
	Place        string    `json:"place"`
	ThresholdPct float64   `json:"threshold_pct"`
	CreatedAt    time.Time `json:"created_at"`
}

// Subscribe records an alert for p (any signed-in user: a member, an
// editor); asking again for the same species and site changes its threshold.
func (s *Service) Subscribe(ctx context.Context, p auth.Principal, species, place string, thresholdPct float64) (Alert, error) {
	a := Alert{UserID: p.UserID, Species: species, Place: place, ThresholdPct: thresholdPct, CreatedAt: s.Now()}
	if err := auth.Authorize(p, auth.Owner{User: p.UserID}); err != nil || p.UserID == 0 {
		return a, errs.E(errs.Unauthenticated, "log in to ask for price alerts")
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		bad := map[string]string{}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM species WHERE code = $1", species).Scan(&n); err != nil || n == 0 {
			bad["species"] = "a species' code (SNE)"
		}
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM places WHERE code = $1 AND kind = 'landing_site'", place).Scan(&n); err != nil || n == 0 {
			bad["place"] = "a landing site's code (DPA-ILO)"
		}
		if !(thresholdPct > 0 && thresholdPct <= 1000) {
			bad["threshold_pct"] = "a percentage above 0"
		}
		if len(bad) > 0 {
			return errs.Fields("the alert has invalid fields", bad)
		}
		var before *Alert
		var old Alert
		err := tx.QueryRowContext(ctx, "SELECT id, threshold_pct, created_at FROM price_alerts WHERE user_id = $1 AND species = $2 AND place = $3",
			p.UserID, species, place).Scan(&old.ID, &old.ThresholdPct, &old.CreatedAt)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = tx.QueryRowContext(ctx, `INSERT INTO price_alerts (user_id, species, place, threshold_pct, created_at)
				VALUES ($1, $2, $3, $4, $5) RETURNING id`, p.UserID, species, place, thresholdPct, a.CreatedAt).Scan(&a.ID)
		case err == nil:
			old.UserID, old.Species, old.Place = p.UserID, species, place
			before, a.ID, a.CreatedAt = &old, old.ID, old.CreatedAt
			_, err = tx.ExecContext(ctx, "UPDATE price_alerts SET threshold_pct = $1 WHERE id = $2", thresholdPct, a.ID)
		}
		if err != nil {
			return errs.Wrap(err, "save alert")
		}
		if before != nil {
			return audit.Record(ctx, tx, p, audit.Update, "price_alert", a.ID, before, a)
		}
		return audit.Record(ctx, tx, p, audit.Create, "price_alert", a.ID, nil, a)
	})
	return a, err
}

// Unsubscribe removes one of p's alerts.
func (s *Service) Unsubscribe(ctx context.Context, p auth.Principal, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var a Alert
		err := tx.QueryRowContext(ctx, "SELECT id, user_id, species, place, threshold_pct, created_at FROM price_alerts WHERE id = $1", id).
			Scan(&a.ID, &a.UserID, &a.Species, &a.Place, &a.ThresholdPct, &a.CreatedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "no alert %d", id)
		}
		if err != nil {
			return errs.Wrap(err, "read alert")
		}
		if err := auth.Authorize(p, auth.Owner{User: a.UserID}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM price_alerts WHERE id = $1", id); err != nil {
			return errs.Wrap(err, "delete alert")
		}
		return audit.Record(ctx, tx, p, audit.Delete, "price_alert", id, a, nil)
	})
}

// Alerts lists p's alerts.
func (s *Service) Alerts(ctx context.Context, p auth.Principal) ([]Alert, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, user_id, species, place, threshold_pct, created_at FROM price_alerts
		WHERE user_id = $1 ORDER BY species, place`, p.UserID)
	if err != nil {
		return nil, errs.Wrap(err, "list alerts")
	}
	defer rows.Close()
	out := []Alert{}
	for rows.Next() {
		var a Alert
		if err := rows.Scan(&a.ID, &a.UserID, &a.Species, &a.Place, &a.ThresholdPct, &a.CreatedAt); err != nil {
			return nil, errs.Wrap(err, "list alerts")
		}
		out = append(out, a)
	}
	return out, errs.Wrap(rows.Err(), "list alerts")
}

// alert evaluates the alerts the prices just stored may set off: for each
// species, landing site and month of a beach price, the month's mean
// against the previous month's; an alert whose threshold the move passes
// is sent once (claimed in the database first, so that instances do not
// send it twice; given back when sending fails). Nothing is sent without
// SMTP. Failures are the alerts' and never the price's: they are not returned.
func (s *Service) alert(ctx context.Context, touched []Price) {
	if s.mailer == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	seen := map[[4]any]bool{}
	for _, p := range touched {
		k := [4]any{p.Species, p.Place, p.Year, p.Month}
		if p.Level != "beach" || p.Currency != "PEN" || p.Month == 0 || seen[k] {
			continue
		}
		seen[k] = true
		_ = s.alertMonth(ctx, p.Species, p.Place, p.Year, p.Month)
	}
}

func (s *Service) alertMonth(ctx context.Context, species, place string, year, month int) error {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT a.id, a.threshold_pct, u.email FROM price_alerts a JOIN users u ON u.id = a.user_id
		WHERE a.species = $1 AND a.place = $2 AND u.active`, species, place)
	if err != nil {
		return err
	}
	type due struct {
		id        int64
		threshold float64
		email     string
	}
	var alerts []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.threshold, &d.email); err != nil {
			rows.Close()
			return err
		}
		alerts = append(alerts, d)
	}
	rows.Close()
	if len(alerts) == 0 {
		return rows.Err()
	}
	prev := exports.Period{Year: year, Month: month - 1}
	if month == 1 {
		prev = exports.Period{Year: year - 1, Month: 12}
	}
	series, err := s.Series(ctx, SeriesQuery{Species: species, Level: "beach", Place: place, From: prev, To: exports.Period{Year: year, Month: month}})
	if err != nil {
		return err
	}
	var before, now *float64
	for _, pt := range series.Points {
		switch pt.Period {
		case prev.String():
			before = pt.Mean
		case exports.Period{Year: year, Month: month}.String():
			now = pt.Mean
		}
	}
	if before == nil || now == nil || *before == 0 {
		return nil
	}
	change := (*now / *before - 1) * 100
	for _, a := range alerts {
		if math.Abs(change) <= a.threshold {
			continue
		}
		var claimed int64
		if err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, `INSERT INTO price_alerts_sent (alert_id, year, month, sent_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (alert_id, year, month) DO NOTHING`, a.id, year, month, s.Now())
			if err == nil {
				claimed, err = res.RowsAffected()
			}
			return err
		}); err != nil || claimed == 0 {
			continue
		}
		subject := fmt.Sprintf("SRIIM: precio en playa de %s en %s, %d-%02d: %+.1f %%", species, place, year, month, change)
		body := fmt.Sprintf("El precio medio en playa de %s en %s pasó de S/ %.2f por kg en %s a S/ %.2f en %d-%02d (%+.1f %%), "+
			"más que el %.1f %% de su alerta.\n\nThe mean beach price of %s at %s moved from S/ %.2f per kg in %s to S/ %.2f in %d-%02d (%+.1f %%), "+
			"more than your alert's %.1f %%.\n", species, place, *before, prev, *now, year, month, change, a.threshold,
			species, place, *before, prev, *now, year, month, change, a.threshold)
		sendCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := s.mailer.Send(sendCtx, a.email, subject, body)
		cancel()
		if err != nil {
			// Not sent: give the claim back, so that the next price tries again.
			_ = s.db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, "DELETE FROM price_alerts_sent WHERE alert_id = $1 AND year = $2 AND month = $3", a.id, year, month)
				return err
			})
		}
	}
	return nil
}
