package network

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"sriim/internal/errs"
	"sriim/internal/i18n"
)

// Lima is the time of the network's weeks: Peru's, UTC−5 all year.
var Lima = time.FixedZone("PET", -5*60*60)

// Week returns the week (Monday 00:00 to Monday 00:00, Lima time) that
// holds t, and its name ("2026-W48", ISO 8601).
func Week(t time.Time) (from, to time.Time, name string) {
	t = t.In(Lima)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, Lima)
	from = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	y, w := from.ISOWeek()
	return from, from.AddDate(0, 0, 7), fmt.Sprintf("%d-W%02d", y, w)
}

// Report says what a run of the digest or of the urgent mails did.
type Report struct {
	MailOff     bool `json:"mail_off"` // nothing was sent: no SMTP or public address
	Items       int  `json:"items"`    // items published in the period
	Subscribers int  `json:"subscribers"`
	Sent        int  `json:"sent"`
	Failed      int  `json:"failed"`
	Skipped     int  `json:"skipped"` // nothing for them, digest off, or sent already
}

// items reads what the sources published in [from, to), in lang.
func (s *Service) items(ctx context.Context, from, to time.Time, lang i18n.Lang) ([]Item, error) {
	var out []Item
	for _, topic := range Topics {
		src, ok := s.sources[topic]
		if !ok {
			continue
		}
		list, err := src(ctx, from, to, lang)
		if err != nil {
			return nil, err
		}
		for _, it := range list {
			it.Topic = topic
			out = append(out, it)
		}
	}
	return out, nil
}

// active reads the members and what they follow.
func (s *Service) active(ctx context.Context) ([]Subscriber, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+subscriberColumns+" FROM network_subscribers WHERE state = 'active' ORDER BY id")
	if err != nil {
		return nil, errs.Wrap(err, "read subscribers")
	}
	var subs []Subscriber
	for rows.Next() {
		sub, err := scanSubscriber(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "read subscribers")
		}
		subs = append(subs, sub)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "read subscribers")
	}
	for i := range subs {
		if err := subscriptions(ctx, s.db.Read(), &subs[i]); err != nil {
			return nil, err
		}
	}
	return subs, nil
}

// mail sends a message of the network to a member once: it is claimed in
// the database first (key and member), so that no other instance, and no
// later run, sends it again; a mail that failed may be claimed again. It
// counts the outcome in rep.
func (s *Service) mail(ctx context.Context, key string, sub Subscriber, items int, subject, body string, rep *Report) error {
	claimed := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `INSERT INTO network_deliveries (key, subscriber_id, state, items, at) VALUES ($1, $2, 'sending', $3, $4)
			ON CONFLICT (key, subscriber_id) DO UPDATE SET state = 'sending', at = excluded.at WHERE network_deliveries.state = 'failed'
			RETURNING subscriber_id`, key, sub.ID, items, s.Now())
		if err != nil {
			return err
		}
		claimed = rows.Next()
		rows.Close()
		return rows.Err()
	})
	if err != nil {
		return errs.Wrap(err, "claim mail")
	}
	if !claimed {
		rep.Skipped++
		return nil
	}
	state := "sent"
	if sendErr := s.send(ctx, sub, subject, body); sendErr != nil {
		state = "failed"
		rep.Failed++
		s.Log.WarnContext(ctx, "network mail failed", "key", key, "subscriber", sub.ID, "err", sendErr)
	} else {
		rep.Sent++
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "UPDATE network_deliveries SET state = $1, at = $2 WHERE key = $3 AND subscriber_id = $4",
			state, s.Now(), key, sub.ID)
		return errs.Wrap(err, "record mail")
	})
}

// follows returns the items a subscriber follows (urgent ones only when
// urgent is set), in the order given.
func follows(sub Subscriber, items []Item, urgent bool) []Item {
	var out []Item
	for _, it := range items {
		if slices.ContainsFunc(sub.Subscriptions, func(x Subscription) bool { return x.matches(it) && (!urgent || x.Urgent) }) {
			out = append(out, it)
		}
	}
	return out
}

// Digest mails the weekly digest of the week before the one that holds t
// to every member with something in it: each member once, whichever
// instance runs it and however often (a failed mail is tried again on the
// next run).
func (s *Service) Digest(ctx context.Context, t time.Time) (Report, error) {
	thisWeek, _, _ := Week(t)
	from, to, name := Week(thisWeek.AddDate(0, 0, -1))
	return s.DigestOf(ctx, from, to, name)
}

// DigestOf mails the digest of what was published in [from, to), under
// name, to the members who have not turned it off.
func (s *Service) DigestOf(ctx context.Context, from, to time.Time, name string) (Report, error) {
	rep := Report{MailOff: !s.MailOn()}
	if rep.MailOff {
		return rep, nil
	}
	subs, err := s.active(ctx)
	if err != nil {
		return rep, err
	}
	byLang := map[string][]Item{}
	for _, sub := range subs {
		if _, ok := byLang[sub.Lang]; ok {
			continue
		}
		if byLang[sub.Lang], err = s.items(ctx, from, to, i18n.Lang(sub.Lang)); err != nil {
			return rep, err
		}
		rep.Items = len(byLang[sub.Lang])
	}
	key := "digest:" + name
	for _, sub := range subs {
		rep.Subscribers++
		items := follows(sub, byLang[sub.Lang], false)
		if len(items) == 0 || !sub.Digest {
			rep.Skipped++
			continue
		}
		lang := i18n.Lang(sub.Lang)
		subject := i18n.T(lang, "network.digest_subject", from.In(Lima).Format("02/01/2006"), to.In(Lima).AddDate(0, 0, -1).Format("02/01/2006"))
		if err := s.mail(ctx, key, sub, len(items), subject, i18n.T(lang, "network.digest_intro")+"\n\n"+s.list(items, lang), &rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// UrgentWindow is how far back the urgent mails look for what was published.
const UrgentWindow = 7 * 24 * time.Hour

// Urgent mails, one by one, the items published lately that members
// marked urgent and that they have not been sent; an item published before
// a member confirmed is not sent to it.
func (s *Service) Urgent(ctx context.Context) (Report, error) {
	rep := Report{MailOff: !s.MailOn()}
	if rep.MailOff {
		return rep, nil
	}
	subs, err := s.active(ctx)
	if err != nil {
		return rep, err
	}
	now := s.Now()
	byLang := map[string][]Item{}
	for _, sub := range subs {
		if !slices.ContainsFunc(sub.Subscriptions, func(x Subscription) bool { return x.Urgent }) {
			continue
		}
		rep.Subscribers++
		items, ok := byLang[sub.Lang]
		if !ok {
			if items, err = s.items(ctx, now.Add(-UrgentWindow), now, i18n.Lang(sub.Lang)); err != nil {
				return rep, err
			}
			byLang[sub.Lang] = items
			rep.Items = len(items)
		}
		for _, it := range follows(sub, items, true) {
			if sub.ConfirmedAt != nil && it.At.Before(*sub.ConfirmedAt) {
				continue
			}
			lang := i18n.Lang(sub.Lang)
			if err := s.mail(ctx, "urgent:"+it.Ref, sub, 1, i18n.T(lang, "network.urgent_subject", it.Title), s.list([]Item{it}, lang), &rep); err != nil {
				return rep, err
			}
		}
	}
	return rep, nil
}

// list writes items as plain text, grouped by topic in the order of Topics.
func (s *Service) list(items []Item, lang i18n.Lang) string {
	var b strings.Builder
	for _, topic := range Topics {
		first := true
		for _, it := range items {
			if it.Topic != topic {
				continue
			}
			if first {
				if b.Len() > 0 {
					b.WriteString("\n")
				}
				b.WriteString(strings.ToUpper(i18n.T(lang, "network.topic."+topic)) + "\n\n")
				first = false
			}
			b.WriteString("• " + it.Title + "\n")
			if it.Summary != "" {
				b.WriteString("  " + it.Summary + "\n")
			}
			b.WriteString("  " + s.base + it.Path + "\n")
		}
	}
	return b.String()
}

// Members is the network's size at the end of a year (the indicators
// "participantes de la red" of 1.1.3 and "número de usuarios" of 2.1.1):
// confirmed subscribers not gone by then, registered institutions, and
// active accounts made by then.
type Members struct {
	Year         int `json:"year"`
	Subscribers  int `json:"subscribers"`
	Institutions int `json:"institutions"`
	Accounts     int `json:"accounts"`
}

// MembersByYear counts the network's members at the end of each year from
// first to last.
func (s *Service) MembersByYear(ctx context.Context, first, last int) ([]Members, error) {
	if last < first || last-first > 100 {
		return nil, errs.Fields("the years are out of range", map[string]string{"years": "first ≤ last, at most 100 years"})
	}
	var out []Members
	for y := first; y <= last; y++ {
		end := time.Date(y+1, 1, 1, 0, 0, 0, 0, Lima)
		m := Members{Year: y}
		err := s.db.Read().QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM network_subscribers WHERE confirmed_at < $1 AND (unsubscribed_at IS NULL OR unsubscribed_at >= $1)),
			(SELECT count(*) FROM institutions WHERE created_at < $1),
			(SELECT count(*) FROM users WHERE active = $2 AND created_at < $1)`, end.UTC(), true).Scan(&m.Subscribers, &m.Institutions, &m.Accounts)
		if err != nil {
			return nil, errs.Wrap(err, "count members")
		}
		out = append(out, m)
	}
	return out, nil
}
