// Package modulestest builds the modules.Set that the tests of the pages
// (internal/ui) and of the API (internal/api) serve from: modules.Build,
// as internal/app builds it, with test options.
package modulestest

import (
	"testing"

	"golang.org/x/crypto/bcrypt"

	"sriim/internal/db"
	"sriim/internal/modules"
)

// New builds every module's service on d with modules.Build, the files in
// a temporary directory, no mail, and passwords hashed at bcrypt's lowest
// cost (tests log in often).
func New(t testing.TB, d *db.DB) modules.Set {
	t.Helper()
	s, err := modules.Build(d, modules.Options{Files: t.TempDir(), BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
