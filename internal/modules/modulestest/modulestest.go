// Package modulestest builds the modules.Set that the tests of the pages
// (internal/ui) and of the API (internal/api) serve from: every module's
// service, wired as internal/app wires them. A new module's service is
// added here once, for both.
package modulestest

import (
	"path/filepath"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"sriim/data/seed"
	"sriim/internal/accounts"
	"sriim/internal/actors"
	"sriim/internal/archive"
	"sriim/internal/db"
	"sriim/internal/events"
	"sriim/internal/exports"
	"sriim/internal/facts"
	"sriim/internal/filestore"
	"sriim/internal/indicators"
	"sriim/internal/modules"
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

// New builds every module's service on d as internal/app does, with the
// files in a temporary directory, no mail, and passwords hashed at
// bcrypt's lowest cost (tests log in often).
func New(t testing.TB, d *db.DB) modules.Set {
	t.Helper()
	defaults, err := portal.ReadDefaults(seed.Files, "portal.json")
	if err != nil {
		t.Fatal(err)
	}
	files := t.TempDir()
	acc := accounts.New(d)
	acc.BcryptCost = bcrypt.MinCost
	days := workdays.New(d)
	s := modules.Set{Accounts: acc, Reference: reference.New(d), Production: production.New(d), Actors: actors.New(d),
		Planning: planning.New(d, files), Trade: trade.New(d), Offer: offer.New(d, filepath.Join(files, "photos")),
		Facts: facts.New(d), Zones: zones.New(d), Exports: exports.New(d), Workdays: days,
		Regulation: regulation.New(d, days).KeepFilesIn(filestore.New(files)), Archive: archive.New(d, files), Network: network.New(d, nil, "")}
	s.Planning.Documents = s.Archive
	s.Prices = prices.New(d, s.Exports, nil)
	s.Events = events.New(d, s.Actors)
	// The plan indicators' sources, registered as internal/app registers them.
	reg := indicators.NewRegistry(s.Actors.Source(), s.Production.Source(), s.Trade.Source())
	reg.Register(s.Accounts.Sources()...)
	reg.Register(s.Events.Sources()...)
	reg.Register(s.Zones.Sources()...)
	reg.Register(s.Network.Source())
	reg.Register(s.Archive.Sources()...)
	reg.Register(s.Regulation.Sources()...)
	s.Indicators = indicators.New(d, reg)
	s.Planning.Indicators = s.Indicators
	s.Portal = portal.New(d, portal.Modules{Planning: s.Planning, Production: s.Production, Trade: s.Trade, Offer: s.Offer}, defaults)
	return s
}
