package planning

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/i18n"
)

// Report is an institution's progress report on an activity for a period.
type Report struct {
	ID            int64             `json:"id"`
	ActivityID    int64             `json:"activity_id"`
	Period        string            `json:"period"` // "2008" or "2008-S1"
	Year          int               `json:"year"`
	Status        string            `json:"status"` // not_started, in_progress, done, delayed, cancelled
	Narrative     string            `json:"narrative"`
	State         string            `json:"state"` // draft, submitted, approved, returned
	InstitutionID int64             `json:"institution_id,omitempty"`
	ReportedBy    string            `json:"reported_by"`
	ReviewNote    string            `json:"review_note,omitempty"`
	ReviewedBy    string            `json:"reviewed_by,omitempty"`
	Values        map[int64]float64 `json:"values"` // indicator id → value
	Evidence      []Evidence        `json:"evidence"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	// Version rises by one with every change (saving, submitting, reviewing).
	Version int64 `json:"version"`
}

// Owner is who may change the report: the editors of the institution that
// wrote it (and administrators). Other institutions of a shared activity
// may read it once it is submitted, never change it.
func (r Report) Owner() auth.Owner { return auth.Owner{Institution: r.InstitutionID} }

// Evidence is a file or a link that backs a report.
type Evidence struct {
	ID        int64  `json:"id"`
	ReportID  int64  `json:"report_id"`
	Name      string `json:"name"`
	URL       string `json:"url,omitempty"`
	SHA256    string `json:"sha256,omitempty"`
	Size      int64  `json:"size,omitempty"`
	MediaType string `json:"media_type,omitempty"`
}

// Statuses are the progress statuses a report gives.
var Statuses = []string{"not_started", "in_progress", "done", "delayed", "cancelled"}

// ReportInput is what an institution reports.
type ReportInput struct {
	Period    string            `json:"period"`
	Status    string            `json:"status"`
	Narrative string            `json:"narrative"`
	Values    map[int64]float64 `json:"values"`
	// Version is the version of the period's report that the input changes,
	// as read; 0 when there is no report for the period yet. A report that
	// has moved on (or that exists when 0 is given) is not overwritten: the
	// save is refused with a Conflict that shows it.
	Version int64 `json:"version,omitempty"`
}

const reportColumns = `id, activity_id, period, year, status, narrative, state, institution_id, reported_by, review_note, reviewed_by, created_at, updated_at, version`

func scanReport(row interface{ Scan(...any) error }) (Report, error) {
	var r Report
	var inst sql.NullInt64
	err := row.Scan(&r.ID, &r.ActivityID, &r.Period, &r.Year, &r.Status, &r.Narrative, &r.State, &inst, &r.ReportedBy,
		&r.ReviewNote, &r.ReviewedBy, &r.CreatedAt, &r.UpdatedAt, &r.Version)
	r.InstitutionID = inst.Int64
	r.Values, r.Evidence = map[int64]float64{}, []Evidence{}
	return r, err
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func reportDetails(ctx context.Context, q querier, r *Report) error {
	rows, err := q.QueryContext(ctx, "SELECT indicator_id, value FROM plan_report_values WHERE report_id = $1", r.ID)
	if err != nil {
		return errs.Wrap(err, "read report values")
	}
	for rows.Next() {
		var id int64
		var v float64
		if err := rows.Scan(&id, &v); err != nil {
			rows.Close()
			return errs.Wrap(err, "read report values")
		}
		r.Values[id] = v
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, "SELECT id, report_id, name, url, sha256, size, media_type FROM plan_report_evidence WHERE report_id = $1 ORDER BY id", r.ID)
	if err != nil {
		return errs.Wrap(err, "read evidence")
	}
	defer rows.Close()
	for rows.Next() {
		var e Evidence
		if err := rows.Scan(&e.ID, &e.ReportID, &e.Name, &e.URL, &e.SHA256, &e.Size, &e.MediaType); err != nil {
			return errs.Wrap(err, "read evidence")
		}
		r.Evidence = append(r.Evidence, e)
	}
	return errs.Wrap(rows.Err(), "read evidence")
}

func getReport(ctx context.Context, q querier, id int64) (Report, error) {
	r, err := scanReport(q.QueryRowContext(ctx, "SELECT "+reportColumns+" FROM plan_reports WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.E(errs.NotFound, "no report %d", id)
	}
	if err != nil {
		return r, errs.Wrap(err, "read report")
	}
	return r, reportDetails(ctx, q, &r)
}

// visible reports whether p may see the report: approved reports are
// public; a draft only to its own institution and the reviewers; submitted
// and returned reports also to the other institutions of the activity.
func (r Report) visible(p auth.Principal, a Activity) bool {
	return r.State == "approved" || p.Has(auth.ApproveReports) || auth.Can(p, r.Owner()) ||
		(r.State != "draft" && a.CanReport(p))
}

// mayChange returns nil when p may change the report (save it, add
// evidence, submit it): only its own institution's editors and administrators.
func (r Report) mayChange(p auth.Principal, a Activity) error {
	if auth.Can(p, r.Owner()) {
		return nil
	}
	if p.Anonymous() {
		return errs.E(errs.Unauthenticated, "log in to make changes")
	}
	owner := "the Mesa de Trabajo"
	for _, i := range a.Institutions {
		if i.InstitutionID != 0 && i.InstitutionID == r.InstitutionID {
			owner = i.Name
		}
	}
	return errs.E(errs.Forbidden, "the report for %s on activity %s is %s's: only its editors change it", r.Period, a.Code, owner)
}

// staleReport is the Conflict of a save based on version read (0: none) of
// a report that exists at another version.
func staleReport(ctx context.Context, tx *sql.Tx, id, read int64) error {
	current, err := getReport(ctx, tx, id)
	if err != nil {
		return err
	}
	return audit.Stale(ctx, tx, "plan_report", id, read, current.Version, current)
}

// Reports lists an activity's reports that p may see, newest period first.
func (s *Service) Reports(ctx context.Context, p auth.Principal, a Activity) ([]Report, error) {
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+reportColumns+" FROM plan_reports WHERE activity_id = $1 ORDER BY year DESC, period DESC", a.ID)
	if err != nil {
		return nil, errs.Wrap(err, "list reports")
	}
	var out []Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "list reports")
		}
		if r.visible(p, a) {
			out = append(out, r)
		}
	}
	rows.Close()
	for i := range out {
		if err := reportDetails(ctx, s.db.Read(), &out[i]); err != nil {
			return nil, err
		}
	}
	return out, errs.Wrap(rows.Err(), "list reports")
}

// activityOf returns the activity a report or an ID belongs to.
func (s *Service) activityByID(ctx context.Context, id int64, year int) (Activity, error) {
	var planID int64
	var code string
	err := s.db.Read().QueryRowContext(ctx, "SELECT plan_id, code FROM plan_activities WHERE id = $1", id).Scan(&planID, &code)
	if errors.Is(err, sql.ErrNoRows) {
		return Activity{}, errs.E(errs.NotFound, "no activity %d", id)
	}
	if err != nil {
		return Activity{}, errs.Wrap(err, "read activity")
	}
	return s.activity(ctx, planID, code, year, false)
}

// SaveReport creates or changes p's report on an activity for a period.
// Only the activity's institutions (and administrators) report; a report
// under review or approved is locked.
func (s *Service) SaveReport(ctx context.Context, p auth.Principal, activityID int64, in ReportInput) (Report, error) {
	a, err := s.activityByID(ctx, activityID, s.Now().Year())
	if err != nil {
		return Report{}, err
	}
	if !a.CanReport(p) {
		if p.Anonymous() {
			return Report{}, errs.E(errs.Unauthenticated, "log in to report")
		}
		return Report{}, errs.E(errs.Forbidden, "only the institutions taking part in activity %s report on it", a.Code)
	}
	problems := map[string]string{}
	year, perr := periodYear(strings.TrimSpace(in.Period))
	if perr != nil {
		problems["period"] = perr.Message
	}
	if !slices.Contains(Statuses, in.Status) {
		problems["status"] = "one of " + strings.Join(Statuses, ", ")
	}
	indicators := map[int64]bool{}
	for _, ind := range a.Indicators {
		indicators[ind.ID] = true
	}
	for id := range in.Values {
		if !indicators[id] {
			problems["values"] = "a value for an indicator of another activity"
		}
	}
	if len(problems) > 0 {
		return Report{}, errs.Fields("the report has invalid fields", problems)
	}
	inst := int64(0)
	for _, id := range a.institutionIDs() {
		if slices.Contains(p.Institutions, id) {
			inst = id
			break
		}
	}
	var out Report
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		before, err := scanReport(tx.QueryRowContext(ctx, "SELECT "+reportColumns+" FROM plan_reports WHERE activity_id = $1 AND period = $2", activityID, in.Period))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			var id int64
			err := tx.QueryRowContext(ctx, `INSERT INTO plan_reports (activity_id, period, year, status, narrative, state, institution_id,
				reported_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $8) RETURNING id`,
				activityID, in.Period, year, in.Status, in.Narrative, sql.NullInt64{Int64: inst, Valid: inst != 0}, p.Email, now).Scan(&id)
			if db.IsUniqueViolation(err) {
				// Another instance started this period's report after this transaction looked.
				return errs.E(errs.Conflict, "someone else has just started the report for %s: reload the page to see it", in.Period)
			}
			if err != nil {
				return errs.Wrap(err, "create report")
			}
			out.ID = id
		case err != nil:
			return errs.Wrap(err, "read report")
		}
		if before.ID != 0 {
			if err := before.mayChange(p, a); err != nil {
				return err
			}
			switch {
			case before.State == "approved":
				return errs.E(errs.Conflict, "the report for %s is approved: the period is locked", in.Period)
			case before.State == "submitted":
				return errs.E(errs.Conflict, "the report for %s is under review: wait until it is approved or sent back", in.Period)
			case in.Version != before.Version:
				return staleReport(ctx, tx, before.ID, in.Version)
			}
			if err := reportDetails(ctx, tx, &before); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `UPDATE plan_reports SET status = $1, narrative = $2, state = 'draft', reported_by = $3, updated_at = $4,
				version = version + 1 WHERE id = $5 AND version = $6`, in.Status, in.Narrative, p.Email, now, before.ID, before.Version)
			if err != nil {
				return errs.Wrap(err, "update report")
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return staleReport(ctx, tx, before.ID, before.Version)
			}
			out.ID = before.ID
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM plan_report_values WHERE report_id = $1", out.ID); err != nil {
			return errs.Wrap(err, "save values")
		}
		for id, v := range in.Values {
			if _, err := tx.ExecContext(ctx, "INSERT INTO plan_report_values (report_id, indicator_id, value) VALUES ($1, $2, $3)", out.ID, id, v); err != nil {
				return errs.Wrap(err, "save values")
			}
		}
		out, err = getReport(ctx, tx, out.ID)
		if err != nil {
			return err
		}
		if before.ID == 0 {
			return audit.Record(ctx, tx, p, audit.Create, "plan_report", out.ID, nil, out)
		}
		return audit.Record(ctx, tx, p, audit.Update, "plan_report", out.ID, before, out)
	})
	return out, err
}

// transition moves a report from one of the states in from to state to,
// after allowed checks p.
func (s *Service) transition(ctx context.Context, p auth.Principal, id int64, from []string, to, note string, allowed func(Report, Activity) error) (Report, error) {
	var out Report
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getReport(ctx, tx, id)
		if err != nil {
			return err
		}
		a, err := s.activityByID(ctx, before.ActivityID, s.Now().Year())
		if err != nil {
			return err
		}
		if err := allowed(before, a); err != nil {
			return err
		}
		if !slices.Contains(from, before.State) {
			return errs.E(errs.Conflict, "the report is %s; it cannot become %s", i18n.Term("state."+before.State), i18n.Term("state."+to))
		}
		reviewer := before.ReviewedBy
		if to == "approved" || to == "returned" {
			reviewer = p.Email
		}
		// submitted_at is when the report was last sent, for timeliness.
		res, err := tx.ExecContext(ctx, `UPDATE plan_reports SET state = $1, review_note = $2, reviewed_by = $3, updated_at = $4,
			version = version + 1, submitted_at = CASE WHEN $1 = 'submitted' THEN $4 ELSE submitted_at END
			WHERE id = $5 AND version = $6`, to, note, reviewer, s.Now(), id, before.Version)
		if err != nil {
			return errs.Wrap(err, "update report")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleReport(ctx, tx, id, before.Version)
		}
		out, err = getReport(ctx, tx, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, p, audit.Update, "plan_report", id, before, out)
	})
	return out, err
}

// Submit sends a draft (or a report sent back) to the Mesa de Trabajo.
func (s *Service) Submit(ctx context.Context, p auth.Principal, id int64) (Report, error) {
	return s.transition(ctx, p, id, []string{"draft", "returned"}, "submitted", "", func(r Report, a Activity) error {
		if !r.visible(p, a) && !p.Anonymous() {
			return errs.E(errs.NotFound, "no report %d", id)
		}
		return r.mayChange(p, a)
	})
}

// Review approves a submitted report (locking its period) or sends it back
// with a note; only the Mesa de Trabajo (administrators) reviews.
func (s *Service) Review(ctx context.Context, p auth.Principal, id int64, approve bool, note string) (Report, error) {
	to := "returned"
	if approve {
		to = "approved"
	}
	return s.transition(ctx, p, id, []string{"submitted"}, to, note, func(Report, Activity) error {
		if err := auth.Require(p, auth.ApproveReports); err != nil {
			return err
		}
		if !approve && strings.TrimSpace(note) == "" {
			// The institution must learn what to change.
			return errs.Fields("say what the institution should change", map[string]string{"note": "required to return a report"})
		}
		return nil
	})
}

// DeleteReport removes a report with its values and evidence records (the
// files stay: they are kept by content and may back other reports). Only
// administrators delete.
func (s *Service) DeleteReport(ctx context.Context, p auth.Principal, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		before, err := getReport(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := auth.Authorize(p, auth.Owner{AdminOnly: true}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM plan_reports WHERE id = $1", id); err != nil {
			return errs.Wrap(err, "delete report")
		}
		return audit.Record(ctx, tx, p, audit.Delete, "plan_report", id, before, nil)
	})
}

// MaxEvidenceBytes is the largest evidence file accepted.
const MaxEvidenceBytes = 20 << 20

// AddEvidence attaches a file (r, stored under its SHA-256) or, when r is
// nil, a link (url) to a report that is not locked.
func (s *Service) AddEvidence(ctx context.Context, p auth.Principal, reportID int64, name, url, mediaType string, r io.Reader) (Evidence, error) {
	rep, err := getReport(ctx, s.db.Read(), reportID)
	if err != nil {
		return Evidence{}, err
	}
	a, err := s.activityByID(ctx, rep.ActivityID, s.Now().Year())
	if err != nil {
		return Evidence{}, err
	}
	if !rep.visible(p, a) && !p.Anonymous() {
		return Evidence{}, errs.E(errs.NotFound, "no report %d", reportID)
	}
	if err := rep.mayChange(p, a); err != nil {
		return Evidence{}, err
	}
	if rep.State == "approved" || rep.State == "submitted" {
		return Evidence{}, errs.E(errs.Conflict, "the report is %s: it is locked", i18n.Term("state."+rep.State))
	}
	e := Evidence{ReportID: reportID, Name: strings.TrimSpace(filepath.Base(name)), URL: strings.TrimSpace(url), MediaType: mediaType}
	if r != nil {
		if e.SHA256, e.Size, err = s.store(r); err != nil {
			return Evidence{}, err
		}
	} else if !strings.HasPrefix(e.URL, "https://") && !strings.HasPrefix(e.URL, "http://") {
		return Evidence{}, errs.Fields("a link must be a web address", map[string]string{"url": "starts with https://"})
	}
	if e.Name == "" || e.Name == "." {
		e.Name = e.URL
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO plan_report_evidence (report_id, name, url, sha256, size, media_type, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, reportID, e.Name, e.URL, e.SHA256, e.Size, e.MediaType, s.Now()).Scan(&e.ID); err != nil {
			return errs.Wrap(err, "save evidence")
		}
		return audit.Record(ctx, tx, p, audit.Create, "plan_report_evidence", e.ID, nil, e)
	})
	return e, err
}

// store writes a file under its content hash and returns the hash and size.
func (s *Service) store(r io.Reader) (string, int64, error) {
	if err := os.MkdirAll(s.files, 0o750); err != nil {
		return "", 0, errs.Wrap(err, "create file store")
	}
	tmp, err := os.CreateTemp(s.files, "upload-*")
	if err != nil {
		return "", 0, errs.Wrap(err, "store file")
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, MaxEvidenceBytes+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, errs.Wrap(err, "store file")
	}
	if n > MaxEvidenceBytes {
		return "", 0, errs.E(errs.TooLarge, "the file is larger than the limit of %d MiB", MaxEvidenceBytes>>20)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if err := os.Rename(tmp.Name(), filepath.Join(s.files, sum)); err != nil {
		return "", 0, errs.Wrap(err, "store file")
	}
	return sum, n, nil
}

// EvidenceFile returns an uploaded evidence file's record and path, if p may see its report.
func (s *Service) EvidenceFile(ctx context.Context, p auth.Principal, id int64) (Evidence, string, error) {
	var e Evidence
	err := s.db.Read().QueryRowContext(ctx, "SELECT id, report_id, name, url, sha256, size, media_type FROM plan_report_evidence WHERE id = $1", id).
		Scan(&e.ID, &e.ReportID, &e.Name, &e.URL, &e.SHA256, &e.Size, &e.MediaType)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && e.SHA256 == "") {
		return e, "", errs.E(errs.NotFound, "no evidence file %d", id)
	}
	if err != nil {
		return e, "", errs.Wrap(err, "read evidence")
	}
	rep, err := getReport(ctx, s.db.Read(), e.ReportID)
	if err != nil {
		return e, "", err
	}
	a, err := s.activityByID(ctx, rep.ActivityID, s.Now().Year())
	if err != nil {
		return e, "", err
	}
	if !rep.visible(p, a) {
		return e, "", errs.E(errs.NotFound, "no evidence file %d", id)
	}
	return e, filepath.Join(s.files, e.SHA256), nil
}

// Report returns one report if p may see it.
func (s *Service) Report(ctx context.Context, p auth.Principal, id int64) (Report, Activity, error) {
	r, err := getReport(ctx, s.db.Read(), id)
	if err != nil {
		return r, Activity{}, err
	}
	a, err := s.activityByID(ctx, r.ActivityID, s.Now().Year())
	if err != nil {
		return r, a, err
	}
	if !r.visible(p, a) {
		return Report{}, Activity{}, errs.E(errs.NotFound, "no report %d", id)
	}
	return r, a, nil
}

// Pending is a submitted report waiting for the Mesa de Trabajo, with what
// the review queue shows of its activity and institution.
type Pending struct {
	Report
	PlanID        int64  `json:"plan_id"`
	ActivityCode  string `json:"activity_code"`
	ActivityTitle string `json:"activity_title"`
	Institution   string `json:"institution,omitempty"`
}

// PendingReview lists the submitted reports waiting for the Mesa de Trabajo,
// the longest waiting first.
func (s *Service) PendingReview(ctx context.Context, p auth.Principal) ([]Pending, error) {
	if err := auth.Require(p, auth.ApproveReports); err != nil {
		return nil, err
	}
	cols := "r." + strings.ReplaceAll(reportColumns, ", ", ", r.")
	rows, err := s.db.Read().QueryContext(ctx, "SELECT "+cols+`, a.plan_id, a.code, a.title, COALESCE(i.name, '')
		FROM plan_reports r JOIN plan_activities a ON a.id = r.activity_id LEFT JOIN institutions i ON i.id = r.institution_id
		WHERE r.state = 'submitted' ORDER BY r.updated_at, r.id`)
	if err != nil {
		return nil, errs.Wrap(err, "list reports")
	}
	var out []Pending
	for rows.Next() {
		var pr Pending
		var inst sql.NullInt64
		err := rows.Scan(&pr.ID, &pr.ActivityID, &pr.Period, &pr.Year, &pr.Status, &pr.Narrative, &pr.State, &inst, &pr.ReportedBy,
			&pr.ReviewNote, &pr.ReviewedBy, &pr.CreatedAt, &pr.UpdatedAt, &pr.Version, &pr.PlanID, &pr.ActivityCode, &pr.ActivityTitle, &pr.Institution)
		if err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "list reports")
		}
		pr.InstitutionID, pr.Values, pr.Evidence = inst.Int64, map[int64]float64{}, []Evidence{}
		out = append(out, pr)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "list reports")
	}
	for i := range out {
		if err := reportDetails(ctx, s.db.Read(), &out[i].Report); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CountPendingReview is how many submitted reports wait for the Mesa de
// Trabajo (0 for those who do not review), for the navigation's count.
func (s *Service) CountPendingReview(ctx context.Context, p auth.Principal) (int, error) {
	if !p.Has(auth.ApproveReports) {
		return 0, nil
	}
	var n int
	err := s.db.Read().QueryRowContext(ctx, "SELECT COUNT(*) FROM plan_reports WHERE state = 'submitted'").Scan(&n)
	return n, errs.Wrap(err, "count reports")
}
