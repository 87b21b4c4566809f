package planning

import "context"

// ActivityIndex returns every activity of every plan by id, with its
// targets, indicators and institutions but no light: what a page needs to
// name and link the activities another record serves (an event's).
func (s *Service) ActivityIndex(ctx context.Context) (map[int64]Activity, error) {
	plans, err := s.Plans(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]Activity{}
	for _, p := range plans {
		acts, err := s.activities(ctx, p.ID, s.Now().Year(), "", false)
		if err != nil {
			return nil, err
		}
		for _, a := range acts {
			out[a.ID] = a
		}
	}
	return out, nil
}
