package accounts

import (
	"context"
	"time"

	"sriim/internal/auth"
	"sriim/internal/errs"
	"sriim/internal/indicators"
)

// Sources are the accounts as sources of the plan's indicators:
//   - "accounts.users": active accounts created by the end of each year
//     (param role: admin, editor or member);
//   - "accounts.institutions": institutions with an active account created
//     by the end of each year, the ones that feed the system (param
//     all=true: every institution registered by then).
func (s *Service) Sources() []indicators.Source {
	return []indicators.Source{indicators.SourceFunc("accounts.users", s.usersSource), indicators.SourceFunc("accounts.institutions", s.institutionsSource)}
}

// stock counts, for each year of q, the rows whose creation year is at most
// that year, and lists those of the last year as records of entity.
func stock(q indicators.Query, entity string, ids []int64, labels []string, created []time.Time) indicators.Result {
	res := indicators.Result{Values: map[int]float64{}}
	for _, y := range q.Years() {
		n := 0
		for i, at := range created {
			if at.Year() <= y {
				n++
				if y == q.To {
					res.Records = append(res.Records, indicators.Record{Entity: entity, ID: ids[i], Label: labels[i]})
				}
			}
		}
		res.Values[y] = float64(n)
	}
	return res
}

func (s *Service) usersSource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	if err := indicators.Params(q, "role"); err != nil {
		return indicators.Result{}, err
	}
	query, args := "SELECT id, created_at FROM users WHERE active = $1", []any{true}
	if role := q.Params.Get("role"); role != "" {
		known := false
		for _, r := range auth.Roles {
			known = known || string(r) == role
		}
		if !known {
			return indicators.Result{}, errs.E(errs.Invalid, "%q is not a role", role)
		}
		query, args = query+" AND role = $2", append(args, role)
	}
	rows, err := s.db.Read().QueryContext(ctx, query+" ORDER BY id", args...)
	if err != nil {
		return indicators.Result{}, errs.Wrap(err, "count accounts")
	}
	defer rows.Close()
	var ids []int64
	var labels []string
	var created []time.Time
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return indicators.Result{}, errs.Wrap(err, "count accounts")
		}
		// An account is named by its number: accounts are the administrators' to see.
		ids, labels, created = append(ids, id), append(labels, "#"+itoa(id)), append(created, at)
	}
	if err := rows.Err(); err != nil {
		return indicators.Result{}, errs.Wrap(err, "count accounts")
	}
	res := stock(q, "user", ids, labels, created)
	res.Computation = indicators.Described(errs.Msg{Format: "active accounts of SRIIM created by the end of each year"},
		errs.Msg{Format: "active accounts of SRIIM created by the end of each year, with %s"}, q.Params)
	return res, nil
}

func (s *Service) institutionsSource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	if err := indicators.Params(q, "all"); err != nil {
		return indicators.Result{}, err
	}
	all := q.Params.Get("all") == "true"
	// An institution feeds the system from its first active account on.
	query := `SELECT i.id, i.name, u.created_at FROM institutions i JOIN memberships m ON m.institution_id = i.id
		JOIN users u ON u.id = m.user_id AND u.active = $1 ORDER BY i.id, u.created_at`
	args := []any{true}
	if all {
		query, args = "SELECT id, name, created_at FROM institutions ORDER BY id", nil
	}
	rows, err := s.db.Read().QueryContext(ctx, query, args...)
	if err != nil {
		return indicators.Result{}, errs.Wrap(err, "count institutions")
	}
	defer rows.Close()
	var ids []int64
	var labels []string
	var created []time.Time
	for rows.Next() {
		var id int64
		var name string
		var at time.Time
		if err := rows.Scan(&id, &name, &at); err != nil {
			return indicators.Result{}, errs.Wrap(err, "count institutions")
		}
		if n := len(ids); n > 0 && ids[n-1] == id {
			continue // its later accounts
		}
		ids, labels, created = append(ids, id), append(labels, name), append(created, at)
	}
	if err := rows.Err(); err != nil {
		return indicators.Result{}, errs.Wrap(err, "count institutions")
	}
	res := stock(q, "institution", ids, labels, created)
	if all {
		res.Computation = errs.Msg{Format: "institutions registered in SRIIM by the end of each year"}
	} else {
		res.Computation = errs.Msg{Format: "institutions with an active account in SRIIM (which feed it with information) by the end of each year"}
	}
	return res, nil
}
