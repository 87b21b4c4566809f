package planning

import "context"

// ActivityIndex returns every activity of every plan, in the plans' order,
// with its targets, indicators and institutions but no light: what a page
// needs to name, link and offer the activities another record serves (an
// event's).
func (s *Service) ActivityIndex(ctx context.Context) ([]Activity, error) {
	plans, err := s.Plans(ctx)
	if err != nil {
		return nil, err
	}
	var out []Activity
	for _, p := range plans {
		acts, err := s.activities(ctx, p.ID, s.Now().Year(), "", false)
		if err != nil {
			return nil, err
		}
		out = append(out, acts...)
	}
	return out, nil
}
