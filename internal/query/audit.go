package query

import (
	"net/url"

	"sriim/internal/audit"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
)

// Audit reads the audit log's filter (the page's and the API's: user, from, to,
// entity, entity_id, before, format=csv).
func Audit(q url.Values) (audit.Filter, error) {
	f := audit.Filter{Entity: q.Get("entity"), EntityID: q.Get("entity_id"), Limit: 200}
	form := httpkit.NewForm(q)
	f.UserID = int64(form.Int("user", 0))
	f.From, f.To, f.BeforeID = form.Date("from"), form.Date("to"), form.ID("before")
	fields := form.Problems()
	if _, bad := fields["user"]; bad {
		fields["user"] = MsgUser
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // "to" is inclusive for people
	}
	if q.Get("format") == "csv" {
		f.Limit = 10000
	}
	if len(fields) > 0 {
		return f, errs.Fields("invalid audit filter", fields)
	}
	return f, nil
}
