// Package reminders mails an institution's editors about the progress
// reports it owes the Mesa de Trabajo: before they are due and once they are
// late. Each reminder goes once to each editor: it is claimed in the
// database (one row per plan, institution, year, kind and editor) before it
// is sent, so that a daily run, a scheduler's "sriim remind" and several
// instances never send it twice.
package reminders

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"sriim/internal/accounts"
	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/i18n"
	"sriim/internal/mail"
	"sriim/internal/planning"
)

// The kinds of reminder.
const (
	DueSoon = "due_soon" // the reports are due within Lead
	Late    = "late"     // the due date has passed
)

// Service sends the reminders.
type Service struct {
	db       *db.DB
	planning *planning.Service
	accounts *accounts.Service
	mail     mail.Sender
	// PublicURL is SRIIM's public address, for the link in the mail ("" leaves it out).
	PublicURL string
	// Lead is how long before the due date the first reminder goes.
	Lead time.Duration
	Now  func() time.Time
	Log  *slog.Logger
}

// New returns the service; with a nil sender it sends nothing.
func New(d *db.DB, plans *planning.Service, users *accounts.Service, sender mail.Sender) *Service {
	return &Service{db: d, planning: plans, accounts: users, mail: sender, Lead: 14 * 24 * time.Hour,
		Now: func() time.Time { return time.Now().UTC() }, Log: slog.New(slog.DiscardHandler)}
}

// Result says what a run did.
type Result struct {
	Sent    int `json:"sent"`
	Skipped int `json:"skipped"` // sent before
	Failed  int `json:"failed"`  // the mail server refused them: tried again on the next run
}

// Run sends the reminders due now: for the reports on last year and this
// year of every plan, to the editors of each institution that has reports
// not yet sent, a "due soon" mail within Lead of the due date and a "late"
// mail after it (until the next year's reports fall due).
func (s *Service) Run(ctx context.Context) (Result, error) {
	var res Result
	if s.mail == nil {
		return res, errs.E(errs.Invalid, "no mail server is configured (--smtp): no reminders can be sent")
	}
	plans, err := s.planning.Plans(ctx)
	if err != nil {
		return res, err
	}
	now := s.Now()
	for _, plan := range plans {
		for _, year := range []int{now.Year() - 1, now.Year()} {
			if year < plan.StartYear || year > plan.EndYear {
				continue
			}
			due := planning.ReportsDue(year)
			kind := ""
			switch {
			case !now.Before(due) && now.Before(planning.ReportsDue(year+1)):
				kind = Late
			case !now.Before(due.Add(-s.Lead)) && now.Before(due):
				kind = DueSoon
			default:
				continue
			}
			list, err := s.planning.Completeness(ctx, auth.System, plan.ID, year)
			if err != nil {
				return res, err
			}
			for _, c := range list {
				if c.Missing == 0 {
					continue
				}
				if err := s.remind(ctx, plan, c, kind, &res); err != nil {
					return res, err
				}
			}
		}
	}
	return res, nil
}

// remind mails one institution's editors, each once.
func (s *Service) remind(ctx context.Context, plan planning.PlanSummary, c planning.Completeness, kind string, res *Result) error {
	editors, err := s.accounts.Editors(ctx, c.InstitutionID)
	if err != nil {
		return err
	}
	for _, u := range editors {
		claimed, err := s.claim(ctx, plan.ID, c.InstitutionID, c.Year, kind, u.ID)
		if err != nil {
			return err
		}
		if !claimed {
			res.Skipped++
			continue
		}
		lang, ok := i18n.Parse(u.Lang)
		if !ok {
			lang = i18n.ES
		}
		subject, body := s.message(plan, c, kind, lang)
		if err := s.mail.Send(ctx, u.Email, subject, body); err != nil {
			s.Log.Warn("reminder not sent", "to_user", u.ID, "institution", c.Code, "year", c.Year, "kind", kind, "err", err)
			res.Failed++
			if err := s.unclaim(ctx, plan.ID, c.InstitutionID, c.Year, kind, u.ID); err != nil {
				return err
			}
			continue
		}
		res.Sent++
	}
	return nil
}

// claim records a reminder as sent unless it was; it reports whether this
// call recorded it (and so must send it).
func (s *Service) claim(ctx context.Context, planID, inst int64, year int, kind string, user int64) (bool, error) {
	claimed := false
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO report_reminders (plan_id, institution_id, year, kind, user_id, sent_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, planID, inst, year, kind, user, s.Now())
		if err != nil {
			return errs.Wrap(err, "record reminder")
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return nil
		}
		claimed = true
		return audit.Record(ctx, tx, auth.System, audit.Create, "report_reminder", fmt.Sprintf("%d:%d:%d:%s:%d", planID, inst, year, kind, user), nil,
			map[string]any{"plan_id": planID, "institution_id": inst, "year": year, "kind": kind, "user_id": user})
	})
	return claimed, err
}

// unclaim forgets a reminder that could not be sent, so the next run sends it.
func (s *Service) unclaim(ctx context.Context, planID, inst int64, year int, kind string, user int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM report_reminders WHERE plan_id = $1 AND institution_id = $2 AND year = $3 AND kind = $4 AND user_id = $5",
			planID, inst, year, kind, user); err != nil {
			return errs.Wrap(err, "forget reminder")
		}
		return audit.Record(ctx, tx, auth.System, audit.Delete, "report_reminder", fmt.Sprintf("%d:%d:%d:%s:%d", planID, inst, year, kind, user),
			map[string]any{"plan_id": planID, "institution_id": inst, "year": year, "kind": kind, "user_id": user}, nil)
	})
}

// message is a reminder's subject and body in lang.
func (s *Service) message(plan planning.PlanSummary, c planning.Completeness, kind string, lang i18n.Lang) (string, string) {
	var subject, intro string
	if kind == Late {
		subject = i18n.Message(lang, "SRIIM: %s's progress reports on %d are late", c.Name, c.Year)
		intro = i18n.Message(lang, "The progress reports of %s on %d were due on %s. These have not been sent to the Mesa de Trabajo yet:", c.Name, c.Year, c.DueOn)
	} else {
		subject = i18n.Message(lang, "SRIIM: %s's progress reports on %d are due on %s", c.Name, c.Year, c.DueOn)
		intro = i18n.Message(lang, "The progress reports of %s on %d are due on %s. These have not been sent to the Mesa de Trabajo yet:", c.Name, c.Year, c.DueOn)
	}
	var b strings.Builder
	b.WriteString(intro + "\n\n")
	for _, it := range c.Items {
		if !it.Sent() {
			fmt.Fprintf(&b, "- %s %s\n", it.ActivityCode, it.ActivityTitle)
		}
	}
	if s.PublicURL != "" {
		b.WriteString("\n" + i18n.Message(lang, "Report them at %s", fmt.Sprintf("%s/plan/%d/pendientes?anio=%d", strings.TrimSuffix(s.PublicURL, "/"), plan.ID, c.Year)) + "\n")
	}
	b.WriteString("\n" + i18n.Message(lang, "This reminder is sent once; the Mesa de Trabajo sees the same list on its completeness table.") + "\n")
	return subject, b.String()
}

// Daily runs Run at start and then every day until ctx ends, logging what
// it did: what "sriim serve" does when mail is configured.
func (s *Service) Daily(ctx context.Context) {
	for {
		res, err := s.Run(ctx)
		if err != nil {
			s.Log.Error("reminders", "err", err)
		} else if res.Sent+res.Failed > 0 {
			s.Log.Info("reminders", "sent", res.Sent, "failed", res.Failed, "skipped", res.Skipped)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(24 * time.Hour):
		}
	}
}
