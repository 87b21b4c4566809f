// Package regulation is the module of norms, procedures and export
// requirements (seed activity 2.1.1-v, "aspectos normativos y
// procedimientos para la producción y exportación", with 1.3.4, 3.1.3,
// 3.1.5, 3.4.3, 2.2.3 and 4.3.2):
//
//   - norms: kind, number, title, issuer, dates, status, relations to other
//     norms (amends, repeals, regulates) read both ways, topics, species,
//     the plan activities they answer and their full text (a link, or a
//     stored file by content hash);
//   - procedures, TUPA style: the institution that runs each, its legal
//     basis, requirements, steps, fee (in soles and as a share of the year's
//     UIT), legal term in business days and what silence means; and the
//     cases actually filed under them, whose observed durations (calendar
//     and business days, counted as Ley 27444 counts terms) give the plan's
//     indicators of 1.3.4 and 3.4.3;
//   - export requirements by product and market: the documents a market
//     asks for, who issues them and the norms behind them, and the tariffs
//     (MFN and preferential, by agreement and year);
//   - a search across all three, accent-insensitive with Spanish stemming.
//
// Every record is kept by an institution, whose editors (and the
// administrators) change it; a draft is seen only by them.
package regulation

import (
	"context"
	"database/sql"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"sriim/internal/audit"
	"sriim/internal/auth"
	"sriim/internal/db"
	"sriim/internal/errs"
	"sriim/internal/filestore"
	"sriim/internal/vocab"
	"sriim/internal/workdays"
)

// Service is the regulation module.
type Service struct {
	db    *db.DB
	days  *workdays.Service
	files *filestore.Store // norms' text files; nil: links only
	// reading lets few norms' files be read at once.
	reading chan struct{}
	Now     func() time.Time
}

// New returns the regulation service over d; days gives the calendar that
// business days are counted in.
func New(d *db.DB, days *workdays.Service) *Service {
	return &Service{db: d, days: days, reading: make(chan struct{}, 2), Now: func() time.Time { return time.Now().UTC() }}
}

// querier runs queries: the read pool or a transaction.
type querier = db.Querier

// ImportReport says what an import did.
type ImportReport struct {
	Rows      int `json:"rows"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// institutionFor is the institution that keeps what p creates: the first
// of p's institutions (an administrator may have none).
func institutionFor(p auth.Principal) int64 {
	if len(p.Institutions) > 0 {
		return p.Institutions[0]
	}
	return 0
}

// keeper is the owner of a record kept by an institution.
func keeper(institution int64) auth.Owner { return auth.Owner{Institution: institution} }

// NewOwner is the owner of the records p creates.
func NewOwner(p auth.Principal) auth.Owner { return keeper(institutionFor(p)) }

// CanCreate reports whether p may add norms, procedures and requirements.
func CanCreate(p auth.Principal) bool { return auth.Can(p, NewOwner(p)) }

// shown reports whether p may see a record: a published one anyone, a
// draft only who may change it.
func shown(p auth.Principal, draft bool, o auth.Owner) bool { return !draft || auth.Can(p, o) }

// codePattern is what a record's code may be: it names the record in
// spreadsheets and in addresses (/normas/RM-383-2004-PRODUCE).
var codePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._-]{0,79}$`)

// normalCode is a code as stored: trimmed, upper case.
func normalCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// checkCode returns a problem with a code, or "".
func checkCode(code string) string {
	if !codePattern.MatchString(code) {
		return "a code of letters, digits, '.', '-' or '_' (at most 80), such as RM-383-2004-PRODUCE"
	}
	return ""
}

// parseDate reads an optional date into its stored form (YYYY-MM-DD, or "").
func parseDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	d, err := workdays.ParseDate(s)
	if err != nil {
		return "", false
	}
	return d.Format(workdays.Layout), true
}

// dateHint is how to write a date, for messages.
const dateHint = "a date as 2024-07-29 or 29/07/2024"

// splitList splits a spreadsheet cell holding a list ("a; b; c"), leaving
// out empty items and repeats, in the given order.
func splitList(s string) []string {
	out := []string{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' }) {
		if part = strings.TrimSpace(part); part != "" && !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	return out
}

// sortedSet is items trimmed, without empties and repeats, sorted: the
// form a record's unordered lists are stored and compared in.
func sortedSet(items []string, norm func(string) string) []string {
	out := []string{}
	for _, s := range items {
		if s = norm(strings.TrimSpace(s)); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// yesNo reads a spreadsheet's yes/no cell ("" is no).
func yesNo(s string) (bool, bool) {
	switch vocab.Fold(s) {
	case "", "no", "false", "0", "n":
		return false, true
	case "si", "yes", "true", "1", "s", "x":
		return true, true
	}
	return false, false
}

func yesNoCell(b bool) string {
	if b {
		return "si"
	}
	return "no"
}

// parseAmount reads a fee in soles or a rate, as spreadsheets in Spanish
// and English write them: 362.60, 362,60, 1,234.50 or 1.234,50, with or
// without "S/". (The web layer's number parser, when it lands in a package
// of its own, can replace this.)
func parseAmount(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "S/."), "S/"))
	s = strings.ReplaceAll(s, " ", "")
	dot, comma := strings.LastIndex(s, "."), strings.LastIndex(s, ",")
	switch {
	case dot >= 0 && comma > dot: // 1.234,50
		s = strings.ReplaceAll(s, ".", "")
		s = strings.Replace(s, ",", ".", 1)
	case comma >= 0 && dot > comma: // 1,234.50
		s = strings.ReplaceAll(s, ",", "")
	case comma >= 0 && strings.Count(s, ",") == 1 && len(s)-comma-1 != 3: // 362,60
		s = strings.Replace(s, ",", ".", 1)
	case comma >= 0: // 1,234
		s = strings.ReplaceAll(s, ",", "")
	}
	if !numberPattern.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

var numberPattern = regexp.MustCompile(`^\d+(\.\d+)?$`)

// institutionIDs maps institution codes and folded names to their ids, for
// reading spreadsheets that name an institution either way.
func institutionIDs(ctx context.Context, q querier) (map[string]int64, map[int64][2]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, code, name FROM institutions")
	if err != nil {
		return nil, nil, errs.Wrap(err, "read institutions")
	}
	defer rows.Close()
	ids, names := map[string]int64{}, map[int64][2]string{}
	for rows.Next() {
		var id int64
		var code, name string
		if err := rows.Scan(&id, &code, &name); err != nil {
			return nil, nil, errs.Wrap(err, "read institutions")
		}
		ids[strings.ToUpper(code)] = id
		ids[vocab.Fold(name)] = id
		names[id] = [2]string{code, name}
	}
	return ids, names, errs.Wrap(rows.Err(), "read institutions")
}

// lookupInstitution finds an institution by code or name.
func lookupInstitution(ids map[string]int64, s string) (int64, bool) {
	if id, ok := ids[strings.ToUpper(strings.TrimSpace(s))]; ok {
		return id, true
	}
	id, ok := ids[vocab.Fold(s)]
	return id, ok
}

// stringSet reads one text column of a query into a set.
func stringSet(ctx context.Context, q querier, query string, args ...any) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errs.Wrap(err, "read codes")
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, errs.Wrap(err, "read codes")
		}
		out[s] = true
	}
	return out, errs.Wrap(rows.Err(), "read codes")
}

// record is a norm, procedure, case or requirement: it has an owner, an id
// and a version.
type record[T any] interface {
	*T
	Owner() auth.Owner
	stamp() (id, version int64)
}

// readRecords runs a query of records, scanning each row, and returns them
// with where each id stands, for filling their lists.
func readRecords[T any, P record[T]](ctx context.Context, q querier, query string, args []any,
	scan func(row interface{ Scan(...any) error }) (T, error)) ([]T, map[int64]int, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, nil, errs.Wrap(err, "read records")
	}
	defer rows.Close()
	var out []T
	at := map[int64]int{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, nil, errs.Wrap(err, "read records")
		}
		id, _ := P(&v).stamp()
		at[id] = len(out)
		out = append(out, v)
	}
	return out, at, errs.Wrap(rows.Err(), "read records")
}

// changeable checks, in tx, that p may change before, and that a change
// based on version (0: no check) is based on the version stored: otherwise
// a Conflict that says what changed meanwhile.
func changeable[T any, P record[T]](ctx context.Context, tx *sql.Tx, p auth.Principal, entity string, before T, version int64) error {
	if err := auth.Authorize(p, P(&before).Owner()); err != nil {
		return err
	}
	if id, stored := P(&before).stamp(); version != 0 && version != stored {
		return audit.Stale(ctx, tx, entity, id, version, stored, before)
	}
	return nil
}

// keptBefore is the record that a save of v overwrites, read by load, or
// nil when code is "" and v is a new record, kept by p's institution.
// Either way p must be able to change it, and a change must be based on
// the version stored (v's own Version).
func keptBefore[T any, P keyed[T]](ctx context.Context, tx *sql.Tx, p auth.Principal, entity, code string, v P, load func() (T, error)) (*T, error) {
	if code == "" {
		v.keep(institutionFor(p))
		return nil, auth.Authorize(p, v.Owner())
	}
	before, err := load()
	if err != nil {
		return nil, err
	}
	_, version := v.stamp()
	if err := changeable[T, P](ctx, tx, p, entity, before, version); err != nil {
		return nil, err
	}
	v.keep(P(&before).Owner().Institution)
	return &before, nil
}

// stale is the Conflict of a write over before that another transaction
// made after this one read it (the UPDATE or DELETE … AND version = $n
// found no row); reload reads the record as it is now.
func stale[T any, P record[T]](ctx context.Context, tx *sql.Tx, entity string, before T, reload func() (T, error)) error {
	current, err := reload()
	if err != nil {
		return err
	}
	id, read := P(&before).stamp()
	_, now := P(&current).stamp()
	return audit.Stale(ctx, tx, entity, id, read, now, current)
}

// eachPair runs a query of (record id, text) rows, such as a record's list
// items, and hands each row to add.
func eachPair(ctx context.Context, q querier, query string, args []any, add func(id int64, v string)) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return errs.Wrap(err, "read lists")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return errs.Wrap(err, "read lists")
		}
		add(id, v)
	}
	return errs.Wrap(rows.Err(), "read lists")
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
