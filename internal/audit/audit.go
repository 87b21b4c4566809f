// Package audit keeps the record of every change: who, when, what record,
// and its values before and after. Services call Record inside the same
// transaction as the change, so the two commit or roll back together. The
// log is append-only: nothing in the application updates or deletes it, and
// database triggers refuse it.
package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/importer"
)

// Action is what happened to the record.
type Action string

// The audited actions.
const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
)

// Entry is one row of the audit log.
type Entry struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	UserID    int64           `json:"user_id,omitempty"`
	UserEmail string          `json:"user"`
	Action    Action          `json:"action"`
	Entity    string          `json:"entity"`
	EntityID  string          `json:"entity_id"`
	Before    json.RawMessage `json:"before,omitempty"`
	After     json.RawMessage `json:"after,omitempty"`
	RequestID string          `json:"request_id,omitempty"`
}

type requestIDKey struct{}

// WithRequestID attaches the HTTP request ID to ctx so entries can name it.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// Record appends an entry in tx. before and after are the record's values
// (marshalled to JSON); nil for a create's before and a delete's after.
func Record(ctx context.Context, tx *sql.Tx, p auth.Principal, action Action, entity string, id any, before, after any) error {
	b, err := marshal(before)
	if err != nil {
		return err
	}
	a, err := marshal(after)
	if err != nil {
		return err
	}
	var userID sql.NullInt64
	if p.UserID != 0 {
		userID = sql.NullInt64{Int64: p.UserID, Valid: true}
	}
	rid, _ := ctx.Value(requestIDKey{}).(string)
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (at, user_id, user_email, action, entity, entity_id, before, after, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		time.Now().UTC(), userID, p.Email, string(action), entity, fmt.Sprint(id), b, a, rid)
	return errs.Wrap(err, "write audit log")
}

func marshal(v any) (sql.NullString, error) {
	if v == nil {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return sql.NullString{}, errs.Wrap(err, "encode audit values")
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

// Filter selects entries; zero fields select everything.
type Filter struct {
	Entity   string
	EntityID string
	UserID   int64
	From, To time.Time // To is exclusive
	Limit    int       // default 100, at most 10000
	BeforeID int64     // entries older than this ID, for paging
	// Shown, when set, decides whether the reader may see an entry, and may
	// blank what of it the reader may not see. List reads on until it has
	// Limit entries to show or the log ends.
	Shown func(e *Entry) (bool, error)
}

// List returns the entries that match f, newest first.
func List(ctx context.Context, d *db.DB, f Filter) ([]Entry, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, 10000)
	var out []Entry
	for {
		batch, err := list(ctx, d, f)
		if err != nil {
			return nil, err
		}
		for _, e := range batch {
			if f.Shown != nil {
				ok, err := f.Shown(&e)
				if err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
			}
			if out = append(out, e); len(out) == f.Limit {
				return out, nil
			}
		}
		if f.Shown == nil || len(batch) < f.Limit {
			return out, nil
		}
		f.BeforeID = batch[len(batch)-1].ID
	}
}

// list reads one batch of at most f.Limit entries.
func list(ctx context.Context, d *db.DB, f Filter) ([]Entry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Entity != "" {
		add("entity = $%d", f.Entity)
	}
	if f.EntityID != "" {
		add("entity_id = $%d", f.EntityID)
	}
	if f.UserID != 0 {
		add("user_id = $%d", f.UserID)
	}
	if !f.From.IsZero() {
		add("at >= $%d", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < $%d", f.To.UTC())
	}
	if f.BeforeID != 0 {
		add("id < $%d", f.BeforeID)
	}
	q := "SELECT id, at, user_id, user_email, action, entity, entity_id, before, after, request_id FROM audit_log"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT " + strconv.Itoa(f.Limit)
	rows, err := d.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errs.Wrap(err, "read audit log")
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var userID sql.NullInt64
		var before, after sql.NullString
		if err := rows.Scan(&e.ID, &e.At, &userID, &e.UserEmail, &e.Action, &e.Entity, &e.EntityID, &before, &after, &e.RequestID); err != nil {
			return nil, errs.Wrap(err, "read audit log")
		}
		e.UserID = userID.Int64
		if before.Valid {
			e.Before = json.RawMessage(before.String)
		}
		if after.Valid {
			e.After = json.RawMessage(after.String)
		}
		out = append(out, e)
	}
	return out, errs.Wrap(rows.Err(), "read audit log")
}

// WriteCSV writes entries as CSV with a header row, as every export does
// (importer.WriteCSV: a value that a spreadsheet would run as a formula is
// written as text).
func WriteCSV(w io.Writer, entries []Entry) error {
	rows := make([][]string, len(entries))
	for i, e := range entries {
		rows[i] = []string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339), strconv.FormatInt(e.UserID, 10),
			e.UserEmail, string(e.Action), e.Entity, e.EntityID, string(e.Before), string(e.After), e.RequestID}
	}
	return importer.WriteCSV(w, []string{"id", "at", "user_id", "user", "action", "entity", "entity_id", "before", "after", "request_id"}, rows)
}
