package httpkit

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"sriim/internal/errs"
	"sriim/internal/number"
)

// Form reads the values of a posted form or of a query string, and
// collects what is wrong with them by field: English messages that are
// catalogue ids, which a page shows by each field in its language and the
// API gives as they are. Every handler reads typed values through it, so
// that a number, a year or a date is read one way everywhere.
type Form struct {
	values   url.Values
	problems map[string]string
}

// NewForm reads values (a query string's, or a form's).
func NewForm(values url.Values) *Form { return &Form{values: values} }

// PostForm reads the form a page posted (the kernel has read its body).
func PostForm(r *http.Request) *Form { return NewForm(r.PostForm) }

// Values are the form's values as sent.
func (f *Form) Values() url.Values { return f.values }

// Has reports whether the form names field at all.
func (f *Form) Has(field string) bool { return f.values.Has(field) }

// String is a field's value as sent ("" when absent).
func (f *Form) String(field string) string { return f.values.Get(field) }

// Text is a field's value without the spaces around it.
func (f *Form) Text(field string) string { return strings.TrimSpace(f.values.Get(field)) }

// Strings are every value of a field (a multiple choice).
func (f *Form) Strings(field string) []string { return f.values[field] }

// List is a field given as a list: repeated, comma-separated or both (List).
func (f *Form) List(field string) []string { return List(f.values, field) }

// Checked reports whether a checkbox is ticked.
func (f *Form) Checked(field string) bool { return f.values.Get(field) == "on" }

// Number is a number field (nil when empty), written the Spanish or the
// English way (number.Read).
func (f *Form) Number(field string) *float64 {
	raw := f.Text(field)
	if raw == "" {
		return nil
	}
	v, _, err := number.Read(raw)
	if err != nil {
		f.Problem(field, number.Hint)
		return nil
	}
	return &v
}

// Int is a whole-number field, def when empty.
func (f *Form) Int(field string, def int) int {
	raw := f.values.Get(field)
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		f.Problem(field, MsgWhole)
		return def
	}
	return n
}

// Year is a year field between 1900 and 2100 (0 when empty).
func (f *Form) Year(field string) int {
	raw := f.values.Get(field)
	if raw == "" {
		return 0
	}
	y, err := strconv.Atoi(raw)
	if err != nil || y < 1900 || y > 2100 {
		f.Problem(field, MsgYear)
		return 0
	}
	return y
}

// Date is a date field written YYYY-MM-DD (zero when empty).
func (f *Form) Date(field string) time.Time {
	raw := f.values.Get(field)
	if raw == "" {
		return time.Time{}
	}
	t, err := time.Parse("2006-01-02", raw)
	if err != nil {
		f.Problem(field, MsgDate)
	}
	return t
}

// ID is the record a field names by its number (a choice of a list): 0
// when empty or not a number, which the service then refuses as no record.
func (f *Form) ID(field string) int64 {
	id, _ := strconv.ParseInt(f.values.Get(field), 10, 64)
	return id
}

// IDs are the records a multiple-choice field names, leaving out what is
// not a number.
func (f *Form) IDs(field string) []int64 {
	out := []int64{}
	for _, v := range f.values[field] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// Version is the version the form's record was read at (its hidden
// "version" field; 0 when there is none).
func (f *Form) Version() int64 { return f.ID("version") }

// Problem records what is wrong with a field (a catalogue message id, or
// text formatted from one), keeping the first one found.
func (f *Form) Problem(field, msg string) {
	if f.problems == nil {
		f.problems = map[string]string{}
	}
	if _, seen := f.problems[field]; !seen {
		f.problems[field] = msg
	}
}

// Problems are the form's problems by field (nil when it has none).
func (f *Form) Problems() map[string]string { return f.problems }

// Err is an Invalid error with message (a catalogue id) that names each
// field with a problem, or nil when there is none.
func (f *Form) Err(message string) error {
	if len(f.problems) == 0 {
		return nil
	}
	return errs.Fields(message, f.problems)
}
