package network

import (
	"context"

	"sriim/internal/errs"
	"sriim/internal/indicators"
)

// Source is the network's members as a plan indicator (1.1.3, 2.1.1):
// "archive.network_members" counts at the end of each year the confirmed
// subscribers, or with member=institutions, accounts or all, the
// institutions, the active accounts, or the three together.
func (s *Service) Source() indicators.Source {
	return indicators.SourceFunc("archive.network_members", s.membersSource)
}

func (s *Service) membersSource(ctx context.Context, q indicators.Query) (indicators.Result, error) {
	if err := indicators.Params(q, "member"); err != nil {
		return indicators.Result{}, err
	}
	member := q.Params.Get("member")
	count := map[string]func(Members) int{
		"":             func(m Members) int { return m.Subscribers },
		"subscribers":  func(m Members) int { return m.Subscribers },
		"institutions": func(m Members) int { return m.Institutions },
		"accounts":     func(m Members) int { return m.Accounts },
		"all":          func(m Members) int { return m.Subscribers + m.Institutions + m.Accounts },
	}[member]
	if count == nil {
		return indicators.Result{}, errs.E(errs.Invalid, "%q is not a kind of member: use subscribers, institutions, accounts or all", member)
	}
	res := indicators.Result{Values: map[int]float64{}}
	if q.From == 0 {
		return res, nil
	}
	members, err := s.MembersByYear(ctx, q.From, q.To)
	if err != nil {
		return res, err
	}
	for _, m := range members {
		res.Values[m.Year] = float64(count(m))
	}
	res.Computation = indicators.Described(errs.Msg{Format: "confirmed subscribers of the information network at the end of each year"},
		errs.Msg{Format: "members of the information network at the end of each year, with %s"}, q.Params)
	return res, nil
}
