package query

import (
	"net/url"
	"strconv"
	"time"

	"sriim/internal/audit"
	"sriim/internal/errs"
	"sriim/internal/httpkit"
)

func Audit(q url.Values) (audit.Filter, error) {
	f := audit.Filter{Entity: q.Get("entity"), EntityID: q.Get("entity_id"), Limit: 200}
	fields := map[string]string{}
	if v := q.Get("user"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			fields["user"] = MsgUser
		}
		f.UserID = id
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				fields[name] = httpkit.MsgDate
			}
			*dst = t
		}
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // "to" is inclusive for people
	}
	if v := q.Get("before"); v != "" {
		f.BeforeID, _ = strconv.ParseInt(v, 10, 64)
	}
	if q.Get("format") == "csv" {
		f.Limit = 10000
	}
	if len(fields) > 0 {
		return f, errs.Fields("invalid audit filter", fields)
	}
	return f, nil
}
