// Package portal assembles what the site shows across modules, for the
// pages and the API alike: the audit log as a user may see it, a record's
// history with who changed it as a user may see that.
package portal

import (
	"sriim/internal/db"
	"sriim/internal/planning"
	"sriim/internal/production"
)

// Service assembles across modules; it writes nothing.
type Service struct {
	db         *db.DB
	planning   *planning.Service
	production *production.Service
}

// New makes the service over the modules it reads.
func New(d *db.DB, plans *planning.Service, prod *production.Service) *Service {
	return &Service{db: d, planning: plans, production: prod}
}
