package exports

import (
	"context"
	"sort"

	"sriim/internal/auth"
)

// DestinationChange lists, for a year (or month), the destinations the
// region shipped to that it had not in the period before (new) and those it
// shipped to then and not now (lost).
type DestinationChange struct {
	Period string `json:"period"`
	New    []Key  `json:"new"`
	Lost   []Key  `json:"lost"`
}

// DestinationChanges compares each period of the query with the one before
// it (the one before From too): new and lost destinations.
func (s *Service) DestinationChanges(ctx context.Context, p auth.Principal, q Query) ([]DestinationChange, error) {
	if err := q.normalize(); err != nil {
		return nil, err
	}
	if q.From.Month == 0 || q.From.Month == 1 {
		q.From.Year--
		if q.From.Month == 1 {
			q.From.Month = 12
		}
	} else {
		q.From.Month--
	}
	q.By, q.Measure = ByDestination, MeasureFOB
	res, err := s.Regional(ctx, p, q)
	if err != nil {
		return nil, err
	}
	periods := q.periods()
	out := []DestinationChange{}
	for i := 1; i < len(periods); i++ {
		prev, cur := periods[i-1].String(), periods[i].String()
		ch := DestinationChange{Period: cur, New: []Key{}, Lost: []Key{}}
		for _, r := range res.Rows {
			if r.Key.Destination == 0 { // published figures name no destination
				continue
			}
			_, before := r.Values[prev]
			_, now := r.Values[cur]
			switch {
			case now && !before:
				ch.New = append(ch.New, r.Key)
			case before && !now:
				ch.Lost = append(ch.Lost, r.Key)
			}
		}
		for _, list := range [][]Key{ch.New, ch.Lost} {
			sort.Slice(list, func(i, j int) bool { return list[i].Destination < list[j].Destination })
		}
		out = append(out, ch)
	}
	return out, nil
}
