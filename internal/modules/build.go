package modules

import (
	"log/slog"
	"path/filepath"

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
	"sriim/internal/mail"
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

// Mailer sends the modules' e-mails: plain ones (price alerts, closure
// notices) and the network's, which carry headers of their own.
type Mailer interface {
	mail.Sender
	mail.MessageSender
}

// Options are what the server, the commands and the tests build the
// modules with.
type Options struct {
	// Files is the directory of the stored files (documents, plans'
	// attachments, products' photos, norms' texts).
	Files string
	// Mailer sends price alerts, closure notices and the network's mail;
	// nil when no SMTP server is configured (or the command sends none).
	Mailer Mailer
	// PublicURL is the site's address, that links in the network's mail
	// are built on.
	PublicURL string
	// BcryptCost is the password hashing cost; 0 keeps accounts' own.
	BcryptCost int
	// Log receives what the modules log on their own (closure notices,
	// the network's mail); nil discards it.
	Log *slog.Logger
}

// Build makes every module's service on d and wires them together: the
// one place a new module's service is added, for internal/app and for the
// tests (internal/modules/modulestest) alike.
func Build(d *db.DB, o Options) (Set, error) {
	defaults, err := portal.ReadDefaults(seed.Files, "portal.json")
	if err != nil {
		return Set{}, err
	}
	// A nil *mail.SMTP (no --smtp) in the interface would look like a mailer.
	if m, ok := o.Mailer.(*mail.SMTP); ok && m == nil {
		o.Mailer = nil
	}
	days := workdays.New(d)
	s := Set{Accounts: accounts.New(d), Reference: reference.New(d), Production: production.New(d), Actors: actors.New(d),
		Planning: planning.New(d, o.Files), Trade: trade.New(d), Offer: offer.New(d, filepath.Join(o.Files, "photos")),
		Facts: facts.New(d), Zones: zones.New(d), Exports: exports.New(d), Workdays: days, Archive: archive.New(d, o.Files),
		// Norms' text files share the archive's store: one copy of a file both keep.
		Regulation: regulation.New(d, days).KeepFilesIn(filestore.New(o.Files))}
	if o.BcryptCost != 0 {
		s.Accounts.BcryptCost = o.BcryptCost
	}
	var sender mail.MessageSender
	if o.Mailer != nil {
		s.Zones.Mailer = o.Mailer
		s.Prices = prices.New(d, s.Exports, o.Mailer)
		sender = o.Mailer
	} else {
		s.Prices = prices.New(d, s.Exports, nil)
	}
	if o.Log != nil {
		s.Zones.Log = o.Log
	}
	s.Network = newNetwork(d, sender, o.PublicURL, o.Log, s.Archive, s.Trade)
	s.Planning.Documents = s.Archive
	s.Events = events.New(d, s.Actors)
	// The modules' data sources for the plan's indicators and the
	// dashboard; a module added later registers its own here.
	reg := indicators.NewRegistry(s.Actors.Source(), s.Production.Source(), s.Trade.Source())
	reg.Register(s.Accounts.Sources()...)
	reg.Register(s.Events.Sources()...)
	reg.Register(s.Zones.Sources()...)
	reg.Register(s.Network.Source()) // counting needs no mail
	reg.Register(s.Archive.Sources()...)
	reg.Register(s.Regulation.Sources()...)
	s.Indicators = indicators.New(d, reg)
	s.Planning.Indicators = s.Indicators
	s.Portal = portal.New(d, portal.Modules{Planning: s.Planning, Production: s.Production, Trade: s.Trade, Offer: s.Offer}, defaults)
	return s, nil
}
