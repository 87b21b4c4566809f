package zones

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/i18n"
)

// Subscription is an account following a production area's closures.
type Subscription struct {
	UserID   int64     `json:"user_id"`
	AreaID   int64     `json:"area_id"`
	AreaCode string    `json:"area"`
	Since    time.Time `json:"since"`
}

// mayFollow: editors and members (and administrators) follow areas; the
// subscription is the account's own.
func mayFollow(p auth.Principal) error {
	if p.Anonymous() {
		return errs.E(errs.Unauthenticated, "log in to follow an area")
	}
	if p.UserID == 0 {
		return errs.E(errs.Forbidden, "only accounts follow areas")
	}
	return auth.Authorize(p, auth.Owner{User: p.UserID})
}

// Follow subscribes p's account to the closures of the production area
// with the given code; following it again changes nothing.
func (s *Service) Follow(ctx context.Context, p auth.Principal, areaCode string) error {
	if err := mayFollow(p); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		area, err := feature(ctx, tx, "z.layer = $1 AND z.code = $2", ProductionArea, areaCode)
		if err != nil {
			return err
		}
		sub := Subscription{UserID: p.UserID, AreaID: area.ID, AreaCode: area.Code, Since: s.Now()}
		res, err := tx.ExecContext(ctx, `INSERT INTO zone_subscriptions (user_id, area_id, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (user_id, area_id) DO NOTHING`, sub.UserID, sub.AreaID, sub.Since)
		if err != nil {
			return errs.Wrap(err, "follow the area")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return audit.Record(ctx, tx, p, audit.Create, "zone_subscription", area.ID, nil, sub)
	})
}

// Unfollow ends p's subscription to an area.
func (s *Service) Unfollow(ctx context.Context, p auth.Principal, areaCode string) error {
	if err := mayFollow(p); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		area, err := feature(ctx, tx, "z.layer = $1 AND z.code = $2", ProductionArea, areaCode)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM zone_subscriptions WHERE user_id = $1 AND area_id = $2", p.UserID, area.ID)
		if err != nil {
			return errs.Wrap(err, "stop following the area")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return audit.Record(ctx, tx, p, audit.Delete, "zone_subscription", area.ID,
			Subscription{UserID: p.UserID, AreaID: area.ID, AreaCode: area.Code}, nil)
	})
}

// Following lists the areas p's account follows.
func (s *Service) Following(ctx context.Context, p auth.Principal) ([]Subscription, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT s.user_id, s.area_id, z.code, s.created_at FROM zone_subscriptions s
		JOIN zones z ON z.id = s.area_id WHERE s.user_id = $1 ORDER BY z.code`, p.UserID)
	if err != nil {
		return nil, errs.Wrap(err, "read subscriptions")
	}
	defer rows.Close()
	out := []Subscription{}
	for rows.Next() {
		var sub Subscription
		if err := rows.Scan(&sub.UserID, &sub.AreaID, &sub.AreaCode, &sub.Since); err != nil {
			return nil, errs.Wrap(err, "read subscriptions")
		}
		out = append(out, sub)
	}
	return out, errs.Wrap(rows.Err(), "read subscriptions")
}

// Notice is an area's opening or closing, as announced.
type Notice struct {
	Area    Feature
	Closed  bool
	Closure *Closure // the closure that closes it
	Sent    int      // e-mails sent
}

// Announce compares each production area's state today with the one last
// announced and, for each area that opened or closed since, records the
// new state and e-mails the accounts that follow it. The record is written
// before the e-mails go, in a statement that only one instance can win, so
// every change is announced once. A new area's first state is recorded
// without an announcement unless it starts closed. Without a mailer the
// changes are recorded all the same.
func (s *Service) Announce(ctx context.Context) ([]Notice, error) {
	day := s.Today()
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+columns+` FROM zones z WHERE z.layer = $1 ORDER BY z.code`, ProductionArea)
	if err != nil {
		return nil, errs.Wrap(err, "read production areas")
	}
	var areas []Feature
	for rows.Next() {
		f, err := scan(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "read production areas")
		}
		areas = append(areas, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "read production areas")
	}
	ids := make([]int64, len(areas))
	for i, a := range areas {
		ids[i] = a.ID
	}
	closed, err := closuresOn(ctx, s.db.Read(), ids, day)
	if err != nil {
		return nil, err
	}
	var out []Notice
	for _, a := range areas {
		c, isClosed := closed[a.ID]
		changed, err := s.recordState(ctx, a.ID, isClosed, day)
		if err != nil {
			return out, err
		}
		if !changed {
			continue
		}
		n := Notice{Area: a, Closed: isClosed}
		if isClosed {
			n.Closure = &c
		}
		n.Sent = s.mailFollowers(ctx, n)
		out = append(out, n)
	}
	return out, nil
}

// recordState records an area's state and reports whether it is a change
// to announce.
func (s *Service) recordState(ctx context.Context, areaID int64, closed bool, day string) (bool, error) {
	changed := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var was bool
		err := tx.QueryRowContext(ctx, "SELECT closed FROM zone_area_status WHERE area_id = $1", areaID).Scan(&was)
		if errors.Is(err, sql.ErrNoRows) {
			res, err := tx.ExecContext(ctx, `INSERT INTO zone_area_status (area_id, closed, changed_on) VALUES ($1, $2, $3)
				ON CONFLICT (area_id) DO NOTHING`, areaID, closed, day)
			if err != nil {
				return errs.Wrap(err, "record the area's state")
			}
			n, _ := res.RowsAffected()
			changed = n == 1 && closed
			return nil
		}
		if err != nil {
			return errs.Wrap(err, "read the area's state")
		}
		if was == closed {
			return nil
		}
		res, err := tx.ExecContext(ctx, "UPDATE zone_area_status SET closed = $1, changed_on = $2 WHERE area_id = $3 AND closed = $4",
			closed, day, areaID, was)
		if err != nil {
			return errs.Wrap(err, "record the area's state")
		}
		n, _ := res.RowsAffected()
		changed = n == 1
		return nil
	})
	return changed, err
}

// mailFollowers e-mails an area's change to the active accounts that
// follow it, each in its language; failures are logged, not retried.
func (s *Service) mailFollowers(ctx context.Context, n Notice) int {
	if s.Mailer == nil {
		return 0
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT u.email, u.lang FROM zone_subscriptions s JOIN users u ON u.id = s.user_id
		WHERE s.area_id = $1 AND u.active = $2 ORDER BY u.id`, n.Area.ID, true)
	if err != nil {
		s.Log.ErrorContext(ctx, "read followers", "area", n.Area.Code, "err", err)
		return 0
	}
	type follower struct{ email, lang string }
	var list []follower
	for rows.Next() {
		var f follower
		if err := rows.Scan(&f.email, &f.lang); err == nil {
			list = append(list, f)
		}
	}
	rows.Close()
	sent := 0
	for _, f := range list {
		lang, _ := i18n.Parse(f.lang)
		subject, body := noticeText(lang, n)
		if err := s.Mailer.Send(ctx, f.email, subject, body); err != nil {
			s.Log.ErrorContext(ctx, "closure notice not sent", "area", n.Area.Code, "to", f.email, "err", err)
			continue
		}
		sent++
	}
	return sent
}

func noticeText(lang i18n.Lang, n Notice) (subject, body string) {
	name := n.Area.Code
	if n.Area.Name != "" {
		name += " (" + n.Area.Name + ")"
	}
	if !n.Closed {
		return i18n.T(lang, "zones.mail.opened.subject", n.Area.Code), i18n.T(lang, "zones.mail.opened.body", name)
	}
	c := n.Closure
	return i18n.T(lang, "zones.mail.closed.subject", n.Area.Code),
		i18n.T(lang, "zones.mail.closed.body", name, i18n.T(lang, "zones.reason."+c.Reason), c.From, c.Resolution)
}
