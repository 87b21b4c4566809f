package portal

import (
	"context"

	"sriim/internal/auth"
	"sriim/internal/production"
)

// History is an observation's earlier values with who replaced each as p
// may see it (PersonShown): a public page names no staff member.
func (s *Service) History(ctx context.Context, p auth.Principal, id int64) ([]production.Revision, error) {
	hist, err := s.production.History(ctx, id)
	for i := range hist {
		hist[i].ReplacedBy = PersonShown(p, hist[i].ReplacedBy)
	}
	if hist == nil {
		hist = []production.Revision{}
	}
	return hist, err
}
