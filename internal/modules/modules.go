// Package modules names the domain services that the pages (internal/ui)
// and the API (internal/api) reach: one struct, built by Build for
// internal/app and for the tests alike. A new module's service is one field
// of Set and one line in Build.
package modules

import (
	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/archive"
	"sriim/internal/events"
	"sriim/internal/exports"
	"sriim/internal/facts"
	"sriim/internal/indicators"
	"sriim/internal/network"
	"sriim/internal/offer"
	"sriim/internal/planning"
	"sriim/internal/portal"
	"sriim/internal/prices"
	"sriim/internal/production"
	"sriim/internal/reference"
	"sriim/internal/regulation"
	"sriim/internal/trade"
	"sriim/internal/workdays"
	"sriim/internal/zones"
)

// Set is the domain services, one per module, and the portal that
// assembles across them.
type Set struct {
	Accounts   *accounts.Service
	Reference  *reference.Service
	Production *production.Service
	Actors     *actors.Service
	Planning   *planning.Service
	Trade      *trade.Service
	Offer      *offer.Service
	Facts      *facts.Service
	Portal     *portal.Service
	Zones      *zones.Service
	Events     *events.Service
	Indicators *indicators.Service
	Exports    *exports.Service
	Prices     *prices.Service
	Workdays   *workdays.Service
	Regulation *regulation.Service
	Archive    *archive.Service
	Network    *network.Service
}
