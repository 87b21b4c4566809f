// Package exports keeps a region's own exports — Peru's export declarations,
// one row per declaration and national line, with the exporter's RUC, the
// destination, the FOB value and weights, and the department of production
// — and analyses them by year and month: totals, product lines across HS
// revisions, destinations, exporters, new and lost destinations and unit
// values (the seed's section 2.5.2: "is Moquegua exporting more, to whom,
// who exports it?").
package exports

import (
	"sync"
	"time"

	"sriim/internal/db"
)

// DefaultRegion is the region analysed unless another is asked for.
const DefaultRegion = "PE-MOQ"

// Service is the regional exports module.
type Service struct {
	db   *db.DB
	Now  func() time.Time
	jobs sync.Map // batch id → *progress, for imports running in this process
}

// New returns the regional exports service over d.
func New(d *db.DB) *Service {
	return &Service{db: d, Now: func() time.Time { return time.Now().UTC() }}
}
