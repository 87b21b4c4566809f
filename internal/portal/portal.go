// Package portal assembles what the site shows across modules, for the
// pages and the API alike: the home page's key figures, a species' exports,
// the audit log as a user may see it, a record's history with who changed
// it as a user may see that. What it shows by default (the reporter, the
// competitors, the years, the product lines) is data: Defaults.
package portal

import (
	"sriim/internal/db"
	"sriim/internal/offer"
	"sriim/internal/planning"
	"sriim/internal/production"
	"sriim/internal/trade"
)

// Service assembles across modules; it writes nothing.
type Service struct {
	// Defaults are what the site shows when a visitor has chosen nothing.
	Defaults   Defaults
	db         *db.DB
	planning   *planning.Service
	production *production.Service
	trade      *trade.Service
	offer      *offer.Service
}

// Modules are the services the portal reads.
type Modules struct {
	Planning   *planning.Service
	Production *production.Service
	Trade      *trade.Service
	Offer      *offer.Service
}

// New makes the service over the modules it reads, with its defaults.
func New(d *db.DB, m Modules, defaults Defaults) *Service {
	return &Service{Defaults: defaults, db: d, planning: m.Planning, production: m.Production, trade: m.Trade, offer: m.Offer}
}
