package modules_test

import (
	"reflect"
	"slices"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"sriim/internal/db/dbtest"
	"sriim/internal/indicators"
	"sriim/internal/mail"
	"sriim/internal/modules"
)

// Every service of the Set is built: a field Build forgets would be a nil
// service that the server and the tests would only find on the page that
// reaches it.
func TestBuildLeavesNoServiceNil(t *testing.T) {
	d := dbtest.Open(t, dbtest.Backends()[0])
	s, err := modules.Build(d, modules.Options{Files: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	v := reflect.ValueOf(s)
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() != reflect.Pointer && f.Kind() != reflect.Interface {
			t.Errorf("Set.%s is a %s: this test checks services (pointers)", v.Type().Field(i).Name, f.Kind())
			continue
		}
		if f.IsNil() {
			t.Errorf("Build leaves Set.%s nil", v.Type().Field(i).Name)
		}
	}
	if t.Failed() {
		return
	}
	// The cross-module wiring the pages rely on.
	if s.Planning.Documents == nil || s.Planning.Indicators != s.Indicators {
		t.Error("planning is not given the archive and the indicators")
	}
	if s.Portal.Defaults.Reporter == 0 || s.Portal.Defaults.Market == 0 {
		t.Errorf("the portal has no defaults: %+v", s.Portal.Defaults)
	}
}

// Every module's indicator sources are registered, the network's members
// among them even without mail.
func TestBuildRegistersEveryModulesIndicatorSources(t *testing.T) {
	d := dbtest.Open(t, dbtest.Backends()[0])
	s, err := modules.Build(d, modules.Options{Files: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	sources := []indicators.Source{s.Actors.Source(), s.Production.Source(), s.Trade.Source(), s.Network.Source()}
	for _, list := range [][]indicators.Source{s.Accounts.Sources(), s.Events.Sources(), s.Zones.Sources(), s.Archive.Sources(), s.Regulation.Sources()} {
		if len(list) == 0 {
			t.Error("a module offers no sources: this test lists the wrong ones")
		}
		sources = append(sources, list...)
	}
	ids := s.Indicators.Registry().IDs()
	for _, src := range sources {
		if !slices.Contains(ids, src.ID()) {
			t.Errorf("source %s is not registered", src.ID())
		}
	}
	if !slices.Contains(ids, "archive.network_members") {
		t.Errorf("the network's members are not a source: %v", ids)
	}
}

// The options reach the services: the mailer (price alerts, closure
// notices, the network), the public address, the hashing cost; a nil
// *mail.SMTP (no --smtp) is no mailer.
func TestBuildGivesTheOptionsToTheServices(t *testing.T) {
	d := dbtest.Open(t, dbtest.Backends()[0])
	smtp, err := mail.NewSMTP("smtp://127.0.0.1:2525?from=sriim@example.org")
	if err != nil {
		t.Fatal(err)
	}
	s, err := modules.Build(d, modules.Options{Files: t.TempDir(), Mailer: smtp, PublicURL: "https://sriim.example.org", BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Network.MailOn() || s.Zones.Mailer == nil || s.Accounts.BcryptCost != bcrypt.MinCost {
		t.Errorf("options not given: network mails %v, zones' mailer %v, bcrypt cost %d", s.Network.MailOn(), s.Zones.Mailer, s.Accounts.BcryptCost)
	}

	var none *mail.SMTP
	s, err = modules.Build(d, modules.Options{Files: t.TempDir(), Mailer: none, PublicURL: "https://sriim.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Network.MailOn() || s.Zones.Mailer != nil || s.Accounts.BcryptCost == bcrypt.MinCost {
		t.Errorf("without a mailer: network mails %v, zones' mailer %v, bcrypt cost %d", s.Network.MailOn(), s.Zones.Mailer, s.Accounts.BcryptCost)
	}
}
