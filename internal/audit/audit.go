// Package audit keeps the record of every change: who, when, what record,
// and its values before and after. Services call Record inside the same
// transaction as the change, so the two commit or roll back together. The
// log is append-only: nothing in the application updates or deletes it, and
// database triggers refuse it.
package audit

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"sort"
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
	return RecordAll(ctx, tx, p, action, entity, []Item{{ID: id, Before: before, After: after}})
}

// Item is one record's change, for RecordAll.
type Item struct {
	ID            any
	Before, After any
}

// batchRows is how many entries one statement of RecordAll writes: far
// fewer round trips to PostgreSQL than one each, while SQLite, which binds
// numbered parameters in time that grows faster than their number, is not
// slowed by long statements.
const batchRows = 20

// RecordAll appends one entry per item in tx, as Record does, in a few
// statements: for imports that change many records of one kind at once.
func RecordAll(ctx context.Context, tx *sql.Tx, p auth.Principal, action Action, entity string, items []Item) error {
	var userID sql.NullInt64
	if p.UserID != 0 {
		userID = sql.NullInt64{Int64: p.UserID, Valid: true}
	}
	rid, _ := ctx.Value(requestIDKey{}).(string)
	at := time.Now().UTC()
	for start := 0; start < len(items); start += batchRows {
		chunk := items[start:min(start+batchRows, len(items))]
		var values []string
		args := make([]any, 0, 9*len(chunk))
		for _, it := range chunk {
			b, err := marshal(it.Before)
			if err != nil {
				return err
			}
			a, err := marshal(it.After)
			if err != nil {
				return err
			}
			n := len(args)
			values = append(values, fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9))
			args = append(args, at, userID, p.Email, string(action), entity, fmt.Sprint(it.ID), b, a, rid)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, user_id, user_email, action, entity, entity_id, before, after, request_id)
			VALUES `+strings.Join(values, ", "), args...); err != nil {
			return errs.Wrap(err, "write audit log")
		}
	}
	return nil
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

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Stale builds the error for a write based on version read (0: the writer
// believed there was none) of a record that is now at version now: a Conflict that lists each field that
// changed in between with its value then and now. The record as it was at
// the version read is found in this log (the values after the change that
// made it, or before the one that followed it); when it is no longer known,
// the error still says which version is current and gives the record.
func Stale[T any](ctx context.Context, q querier, entity string, id any, read, now int64, current T) error {
	stale := &errs.Stale{ReadVersion: read, CurrentVersion: now, Changes: []errs.Change{}, Current: current}
	if old, ok, err := AsOf[T](ctx, q, entity, id, read); err != nil {
		return err
	} else if ok {
		stale.Read = old
		stale.Changes = diff(old, current)
	}
	e := errs.E(errs.Conflict, "someone else changed this record after you read it (you read version %d; it is now at version %d): review their changes and save again", read, now)
	if read == 0 {
		e = errs.E(errs.Conflict, "this record exists already (at version %d): review it and save again to replace it", now)
	}
	e.Stale = stale
	return e
}

// AsOf returns a record's values at a version, as this log recorded them.
func AsOf[T any](ctx context.Context, q querier, entity string, id any, version int64) (T, bool, error) {
	var out T
	rows, err := q.QueryContext(ctx, "SELECT before, after FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id DESC LIMIT 1000",
		entity, fmt.Sprint(id))
	if err != nil {
		return out, false, errs.Wrap(err, "read audit log")
	}
	defer rows.Close()
	for rows.Next() {
		var before, after sql.NullString
		if err := rows.Scan(&before, &after); err != nil {
			return out, false, errs.Wrap(err, "read audit log")
		}
		for _, v := range []sql.NullString{after, before} {
			var tagged struct {
				Version int64 `json:"version"`
			}
			if !v.Valid || json.Unmarshal([]byte(v.String), &tagged) != nil || tagged.Version != version {
				continue
			}
			if err := json.Unmarshal([]byte(v.String), &out); err != nil {
				return out, false, errs.Wrap(err, "read audit log")
			}
			return out, true, nil
		}
	}
	return out, false, errs.Wrap(rows.Err(), "read audit log")
}

// diff lists the fields (by JSON name, in name order) whose values differ
// between a and b, leaving out the bookkeeping that changes with every write.
func diff(a, b any) []errs.Change {
	var ma, mb map[string]any
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if json.Unmarshal(ja, &ma) != nil || json.Unmarshal(jb, &mb) != nil {
		return []errs.Change{}
	}
	var fields []string
	for k := range ma {
		fields = append(fields, k)
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			fields = append(fields, k)
		}
	}
	sort.Strings(fields)
	out := []errs.Change{}
	for _, f := range fields {
		switch f {
		case "version", "updated_at", "created_at":
			continue
		}
		x, _ := json.Marshal(ma[f])
		y, _ := json.Marshal(mb[f])
		if !bytes.Equal(x, y) {
			out = append(out, errs.Change{Field: f, Read: ma[f], Current: mb[f]})
		}
	}
	return out
}
